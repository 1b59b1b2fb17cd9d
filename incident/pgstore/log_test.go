package pgstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/alertkit/alertkit/incident"
	"github.com/alertkit/alertkit/notify"
)

var t0 = time.Date(2026, 11, 23, 10, 0, 0, 123456789, time.UTC)

func attempt(inc incident.ID, receiver, key string, n int, at time.Time, outcome notify.Outcome) notify.Attempt {
	return notify.Attempt{Key: key, Receiver: receiver, Incident: inc, Reason: notify.ReasonEscalation, Number: n,
		At: at, Latency: 250 * time.Millisecond, Outcome: outcome}
}

func deadLetter(receiver, key string, at time.Time, errText string) notify.DeadLetter {
	return notify.DeadLetter{
		Notification: notify.Notification{Key: key, Reason: notify.ReasonEscalation, At: at.Add(-time.Minute), Receiver: receiver,
			People: []string{"vasiliy"}, Note: "step 1 of sre/page 10m",
			Incident: notify.Snapshot{ID: "01INC", Status: "open", Severity: 2, Title: "TargetDown", CreatedAt: at.Add(-time.Hour)}},
		Attempts: 5, Error: errText, At: at,
	}
}

// logCases are the behaviour of a notify.Log, which the memory log and the
// database's agree on.
var logCases = []struct {
	name string
	run  func(t *testing.T, l notify.Log)
}{
	{"attempts per incident, oldest first", func(t *testing.T, l notify.Log) {
		ctx := context.Background()
		a1 := attempt("A", "slack", "A/1", 1, t0, notify.OutcomeFailed)
		a1.StatusCode, a1.Error, a1.RetryAt = 503, "503 Service Unavailable", t0.Add(30*time.Second)
		a2 := attempt("A", "slack", "A/1", 2, t0.Add(30*time.Second), notify.OutcomeDelivered)
		b1 := attempt("B", "pagerduty", "B/1", 1, t0.Add(10*time.Second), notify.OutcomeDelivered)
		a3 := attempt("A", "pagerduty", "A/1", 1, t0.Add(30*time.Second), notify.OutcomeDead) // the same instant as a2
		for _, a := range []notify.Attempt{a1, b1, a2, a3} {
			require.NoError(t, l.Record(ctx, a))
		}
		got, err := l.Attempts(ctx, "A")
		require.NoError(t, err)
		require.Equal(t, []notify.Attempt{a1, a2, a3}, got)
		got, err = l.Attempts(ctx, "B")
		require.NoError(t, err)
		require.Equal(t, []notify.Attempt{b1}, got)
		got, err = l.Attempts(ctx, "C")
		require.NoError(t, err)
		require.Empty(t, got)
	}},
	{"dead letters, oldest first", func(t *testing.T, l notify.Log) {
		ctx := context.Background()
		d1 := deadLetter("slack", "A/1", t0, "404 channel_not_found")
		d2 := deadLetter("pagerduty", "A/1", t0.Add(time.Minute), "400 invalid routing key")
		d3 := deadLetter("slack", "B/1", t0.Add(2*time.Minute), "404 channel_not_found")
		for _, d := range []notify.DeadLetter{d1, d2, d3} {
			require.NoError(t, l.Bury(ctx, d))
		}
		got, err := l.DeadLetters(ctx)
		require.NoError(t, err)
		require.Equal(t, []notify.DeadLetter{d1, d2, d3}, got)
	}},
	{"a dead letter of the same receiver and key replaces the old one", func(t *testing.T, l notify.Log) {
		ctx := context.Background()
		d1 := deadLetter("slack", "A/1", t0, "404 channel_not_found")
		d2 := deadLetter("slack", "B/1", t0.Add(time.Minute), "404 channel_not_found")
		again := deadLetter("slack", "A/1", t0.Add(2*time.Minute), "403 not_in_channel")
		for _, d := range []notify.DeadLetter{d1, d2, again} {
			require.NoError(t, l.Bury(ctx, d))
		}
		got, err := l.DeadLetters(ctx)
		require.NoError(t, err)
		require.Equal(t, []notify.DeadLetter{d2, again}, got)
	}},
	{"exhume once", func(t *testing.T, l notify.Log) {
		ctx := context.Background()
		d1 := deadLetter("slack", "A/1", t0, "404 channel_not_found")
		d2 := deadLetter("pagerduty", "A/1", t0.Add(time.Minute), "400 invalid routing key")
		require.NoError(t, l.Bury(ctx, d1))
		require.NoError(t, l.Bury(ctx, d2))
		got, ok, err := l.Exhume(ctx, "slack", "A/1")
		require.NoError(t, err)
		require.True(t, ok)
		require.Equal(t, d1, got)
		_, ok, err = l.Exhume(ctx, "slack", "A/1")
		require.NoError(t, err)
		require.False(t, ok, "exhumed twice")
		left, err := l.DeadLetters(ctx)
		require.NoError(t, err)
		require.Equal(t, []notify.DeadLetter{d2}, left)
	}},
	{"exhume what was never buried", func(t *testing.T, l notify.Log) {
		got, ok, err := l.Exhume(context.Background(), "slack", "nothing")
		require.NoError(t, err)
		require.False(t, ok)
		require.Zero(t, got)
	}},
}

// TestLogAgreesWithMemory runs the same cases on notify.MemoryLog and on
// the database's Log.
func TestLogAgreesWithMemory(t *testing.T) {
	logs := []struct {
		name string
		new  func(t *testing.T) notify.Log
	}{
		{"memory", func(*testing.T) notify.Log { return notify.NewMemoryLog() }},
		{"postgres", func(t *testing.T) notify.Log { return open(t, schemaURL(t)).DeliveryLog() }},
	}
	for _, tt := range logCases {
		t.Run(tt.name, func(t *testing.T) {
			for _, impl := range logs {
				t.Run(impl.name, func(t *testing.T) { tt.run(t, impl.new(t)) })
			}
		})
	}
}

// TestLogReplicas records attempts on two replicas of one database: either
// reads them all, oldest first.
func TestLogReplicas(t *testing.T) {
	ctx := context.Background()
	url := schemaURL(t)
	one, two := open(t, url).DeliveryLog(), open(t, url).DeliveryLog()

	var want []notify.Attempt
	for i := range 6 {
		a := attempt("A", "slack", "A/1", i+1, t0.Add(time.Duration(i)*time.Second), notify.OutcomeFailed)
		log := one
		if i%2 == 1 {
			log = two
		}
		require.NoError(t, log.Record(ctx, a))
		want = append(want, a)
		require.NoError(t, log.Record(ctx, attempt("B", "slack", "B/1", i+1, a.At, notify.OutcomeDelivered)))
	}
	for name, l := range map[string]notify.Log{"one": one, "two": two} {
		got, err := l.Attempts(ctx, "A")
		require.NoError(t, err, name)
		require.Equal(t, want, got, name)
	}

	// A dead letter buried by one is exhumed by the other.
	d := deadLetter("slack", "A/1", t0, "404 channel_not_found")
	require.NoError(t, one.Bury(ctx, d))
	got, ok, err := two.Exhume(ctx, "slack", "A/1")
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, d, got)
	_, ok, err = one.Exhume(ctx, "slack", "A/1")
	require.NoError(t, err)
	require.False(t, ok)
}

func TestLogPrune(t *testing.T) {
	tests := []struct {
		name   string
		before time.Time
		want   int   // deleted
		left   []int // the numbers of the attempts of A left
	}{
		{"nothing older", t0, 0, []int{1, 2, 3}},
		{"the first", t0.Add(time.Nanosecond), 1, []int{2, 3}},
		{"before the last", t0.Add(2 * time.Minute), 3, []int{3}}, // and B's
		{"all", t0.Add(time.Hour), 4, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			l := open(t, schemaURL(t)).DeliveryLog()
			for i := range 3 {
				require.NoError(t, l.Record(ctx, attempt("A", "slack", "A/1", i+1, t0.Add(time.Duration(i)*time.Minute), notify.OutcomeFailed)))
			}
			require.NoError(t, l.Record(ctx, attempt("B", "slack", "B/1", 1, t0.Add(time.Second), notify.OutcomeDelivered)))
			require.NoError(t, l.Bury(ctx, deadLetter("slack", "A/1", t0, "gone")))

			n, err := l.Prune(ctx, tt.before)
			require.NoError(t, err)
			require.Equal(t, tt.want, n)
			got, err := l.Attempts(ctx, "A")
			require.NoError(t, err)
			var numbers []int
			for _, a := range got {
				numbers = append(numbers, a.Number)
			}
			require.Equal(t, tt.left, numbers)
			n, err = l.Prune(ctx, tt.before)
			require.NoError(t, err)
			require.Zero(t, n, "pruned twice")
			dead, err := l.DeadLetters(ctx)
			require.NoError(t, err)
			require.Len(t, dead, 1, "dead letters are not pruned")
		})
	}
}
