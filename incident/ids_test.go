package incident_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/require"

	"github.com/alertkit/alertkit/alert"
	"github.com/alertkit/alertkit/dedup"
	"github.com/alertkit/alertkit/incident"
	"github.com/alertkit/alertkit/internal/clock"
)

var errUnplugged = errors.New("entropy device unplugged")

// failing is an entropy source that gives n bytes of a seeded generator,
// then fails with err the next fails reads (all of them if fails is
// negative), then gives bytes again.
type failing struct {
	n, fails int
	err      error
	rand     io.Reader
}

func (f *failing) Read(p []byte) (int, error) {
	if f.n == 0 && f.fails != 0 {
		f.fails--
		return 0, f.err
	}
	if f.n > 0 {
		p = p[:min(len(p), f.n)]
		f.n -= len(p)
	}
	return f.rand.Read(p)
}

func failingAfter(n, fails int, err error) *failing {
	return &failing{n: n, fails: fails, err: err, rand: rand.NewChaCha8([32]byte{7})}
}

// TestIDEntropyFailure opens incidents with an entropy source that runs dry
// or fails: the incident that needs the ID fails to open with an error that
// says so, nothing of it is stored, and the process goes on.
func TestIDEntropyFailure(t *testing.T) {
	type step struct {
		group   string        // the alertname of a new alert, thus of a new group
		advance time.Duration // the clock moves on before it
		err     string        // the error of Observe; "" for none
	}
	tests := []struct {
		name    string
		entropy io.Reader
		steps   []step
		is      error // what the errors wrap
	}{
		{
			name:    "no entropy at all",
			entropy: bytes.NewReader(nil),
			steps:   []step{{group: "A", err: "incident: new incident ID: entropy: EOF"}},
			is:      io.EOF,
		},
		{
			name:    "less than one ID",
			entropy: bytes.NewReader([]byte{1, 2, 3, 4, 5}),
			steps:   []step{{group: "A", err: "incident: new incident ID: entropy: unexpected EOF"}},
			is:      io.ErrUnexpectedEOF,
		},
		{
			name:    "dry after one ID",
			entropy: bytes.NewReader(bytes.Repeat([]byte{9}, 10)),
			steps: []step{
				{group: "A"},
				{group: "B", advance: time.Second, err: "incident: new incident ID: entropy: EOF"},
			},
			is: io.EOF,
		},
		{
			name:    "dry within a millisecond",
			entropy: bytes.NewReader(bytes.Repeat([]byte{9}, 12)), // an ID and half an increment
			steps: []step{
				{group: "A"},
				{group: "B", err: "incident: new incident ID: entropy: unexpected EOF"},
			},
			is: io.ErrUnexpectedEOF,
		},
		{
			name:    "the source fails",
			entropy: failingAfter(0, -1, errUnplugged),
			steps: []step{
				{group: "A", err: "incident: new incident ID: entropy: entropy device unplugged"},
				{group: "A", advance: time.Second, err: "incident: new incident ID: entropy: entropy device unplugged"},
			},
			is: errUnplugged,
		},
		{
			name:    "the source fails once",
			entropy: failingAfter(10, 1, errUnplugged),
			steps: []step{
				{group: "A"},
				{group: "B", advance: time.Second, err: "incident: new incident ID: entropy: entropy device unplugged"},
				{group: "B"}, // the alert's next change: the source works again
				{group: "C", advance: time.Second},
			},
			is: errUnplugged,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			clk := clock.NewFake(noon)
			store := incident.NewMemoryStore()
			m := incident.NewManager(store, &incident.Options{Now: clk.Now, Entropy: tt.entropy})
			g := &incident.Grouping{By: []model.LabelName{model.AlertNameLabel}}
			opened := map[string]bool{}
			for i, s := range tt.steps {
				clk.Advance(s.advance)
				ch := newAlert(s.group, clk.Now())
				var inc *incident.Incident
				var err error
				require.NotPanics(t, func() { inc, err = m.Observe(ctx, &ch, g) }, "step %d", i)
				if s.err != "" {
					require.EqualError(t, err, s.err, "step %d", i)
					require.ErrorIs(t, err, tt.is, "step %d", i)
					require.Nil(t, inc, "step %d", i)
				} else {
					require.NoError(t, err, "step %d", i)
					require.NotNil(t, inc, "step %d", i)
					opened[s.group] = true
				}
				n, err := store.Count(ctx, incident.Filter{})
				require.NoError(t, err)
				require.Equal(t, len(opened), n, "step %d: the incidents stored", i)
				_, err = store.LatestByGroup(ctx, g.GroupKey(ch.Alert.Labels))
				if !opened[s.group] {
					require.ErrorIs(t, err, incident.ErrNotFound, "step %d: group %s has no incident", i, s.group)
				}
			}
		})
	}
}

// TestIDTimeOutOfRange opens an incident on a clock that is far off: the
// incident fails to open with an error that names the time.
func TestIDTimeOutOfRange(t *testing.T) {
	tests := []struct {
		name string
		now  time.Time
		err  string
	}{
		{"zero", time.Time{}, "incident: new incident ID: time 0001-01-01T00:00:00Z is out of the range of IDs, 1970 to 10889"},
		{"before 1970", time.Date(1969, 12, 31, 23, 59, 59, 0, time.UTC), "incident: new incident ID: time 1969-12-31T23:59:59Z is out of the range of IDs, 1970 to 10889"},
		{"after 10889", time.Date(10890, 1, 1, 0, 0, 0, 0, time.UTC), "incident: new incident ID: time 10890-01-01T00:00:00Z is out of the range of IDs, 1970 to 10889"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			store := incident.NewMemoryStore()
			m := incident.NewManager(store, &incident.Options{Now: func() time.Time { return tt.now }})
			ch := newAlert("A", noon)
			var err error
			require.NotPanics(t, func() { _, err = m.Observe(ctx, &ch, nil) })
			require.EqualError(t, err, tt.err)
			n, err := store.Count(ctx, incident.Filter{})
			require.NoError(t, err)
			require.Zero(t, n)
		})
	}
}

// newAlert returns the change that a new firing alert of trigger name, reported
// at time at, makes.
func newAlert(name string, at time.Time) dedup.Change {
	changes := dedup.New(nil).Ingest([]alert.Alert{{Labels: labels("alertname", name), StartsAt: at, UpdatedAt: at}})
	return changes[0]
}
