package pipeline_test

import (
	"context"
	"math/rand/v2"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alertkit/alertkit/alert"
	"github.com/alertkit/alertkit/dedup"
	"github.com/alertkit/alertkit/escalate"
	"github.com/alertkit/alertkit/incident"
	"github.com/alertkit/alertkit/internal/clock"
	"github.com/alertkit/alertkit/notify"
	"github.com/alertkit/alertkit/pipeline"
)

// byReceiver is receivers that keep what they are sent, by receiver.
type byReceiver struct {
	mu  sync.Mutex
	got map[string][]*notify.Notification
}

func (r *byReceiver) receiver(name string) notify.Notifier {
	return notify.NotifierFunc(func(_ context.Context, n *notify.Notification) error {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.got[name] = append(r.got[name], n)
		return nil
	})
}

// pagesRig is a Manager and a Dispatcher over one store, on a fake clock.
type pagesRig struct {
	t     *testing.T
	ctx   context.Context
	clock *clock.Fake
	m     *incident.Manager
	d     *notify.Dispatcher
}

func newPagesRig(t *testing.T, receivers map[string]notify.Notifier) *pagesRig {
	t.Helper()
	r := &pagesRig{t: t, ctx: context.Background(), clock: clock.NewFake(time.Date(2026, 11, 23, 16, 52, 10, 0, time.UTC))}
	store := incident.NewMemoryStore()
	r.m = incident.NewManager(store, &incident.Options{Now: r.clock.Now})
	var err error
	r.d, err = notify.NewDispatcher(store, receivers, &notify.Options{Now: r.clock.Now, Random: rand.New(rand.NewPCG(1, 2)).Float64})
	require.NoError(t, err)
	return r
}

// run sends what falls due, a second at a time, until done or limit.
func (r *pagesRig) run(limit time.Duration, done func() bool) {
	r.t.Helper()
	end := r.clock.Now().Add(limit)
	for !done() && r.clock.Now().Before(end) {
		_, err := r.d.ProcessTimers(r.ctx)
		require.NoError(r.t, err)
		r.clock.Advance(time.Second)
	}
}

func TestPagesAndFollow(t *testing.T) {
	rec := &byReceiver{got: map[string][]*notify.Notification{}}
	r := newPagesRig(t, map[string]notify.Notifier{"pd-sre": rec.receiver("pd-sre"), "slack-ops": rec.receiver("slack-ops"), "sms-alfa": rec.receiver("sms-alfa")})
	d := dedup.New(&dedup.Options{Now: r.clock.Now})
	changes := d.Ingest([]alert.Alert{{Labels: model.LabelSet{"alertname": "TargetDown", "namespace": "shop", "instance": "a:9100"}, StartsAt: r.clock.Now()}})
	inc, err := r.m.Observe(r.ctx, &changes[0], nil)
	require.NoError(t, err)

	pages := &pipeline.Pages{Dispatcher: r.d, Incidents: r.m, Contacts: pipeline.Contacts{
		People: map[string][]string{"alfa": {"sms-alfa", "slack-ops"}},
		Teams:  map[string][]string{"sre": {"pd-sre", "slack-ops"}},
		Digest: []string{"slack-ops"},
	}, Snapshot: &notify.SnapshotOptions{URL: func(id incident.ID) string { return "https://alerts.example.com/" + string(id) }}}
	page := escalate.Page{Key: string(inc.ID) + "/escalate/1", Kind: escalate.PageEscalation, Incident: inc.ID,
		Reason: "step 1 of sre/page 10m", People: []string{"alfa"}, Teams: []string{"sre"}}
	require.NoError(t, pages.Notify(r.ctx, page))
	_, err = r.d.ProcessTimers(r.ctx)
	require.NoError(t, err)

	require.Len(t, rec.got["slack-ops"], 1, "one message per receiver, whoever it reaches")
	n := rec.got["slack-ops"][0]
	assert.Equal(t, page.Key, n.Key)
	assert.Equal(t, notify.ReasonEscalation, n.Reason)
	assert.Equal(t, []string{"alfa"}, n.People)
	assert.Equal(t, []string{"sre"}, n.Teams)
	assert.Equal(t, "step 1 of sre/page 10m", n.Note)
	assert.Equal(t, "TargetDown in shop", n.Incident.Title)
	assert.Equal(t, "https://alerts.example.com/"+string(inc.ID), n.Incident.URL)
	assert.Len(t, rec.got["pd-sre"], 1)
	assert.Len(t, rec.got["sms-alfa"], 1)

	// Nobody reaches bravo.
	page.People = []string{"bravo"}
	assert.EqualError(t, pages.Notify(r.ctx, page), "pipeline: page "+page.Key+": no receiver reaches [bravo]")

	// The incident resolves: the receivers it was delivered to hear of it.
	changes = d.Ingest([]alert.Alert{{Labels: model.LabelSet{"alertname": "TargetDown", "namespace": "shop", "instance": "a:9100"},
		StartsAt: changes[0].Alert.StartsAt, EndsAt: r.clock.Now()}})
	_, err = r.m.Observe(r.ctx, &changes[0], nil)
	require.NoError(t, err)
	view, err := r.m.View(r.ctx, inc.ID)
	require.NoError(t, err)
	require.NoError(t, r.d.Follow(r.ctx, view, notify.ReasonResolved, "all alerts resolved", nil))
	_, err = r.d.ProcessTimers(r.ctx)
	require.NoError(t, err)
	for _, name := range []string{"pd-sre", "slack-ops", "sms-alfa"} {
		require.Len(t, rec.got[name], 2, name)
		last := rec.got[name][1]
		assert.Equal(t, notify.ReasonResolved, last.Reason)
		assert.Equal(t, "resolved", last.Incident.Status)
		assert.Equal(t, string(inc.ID)+"/resolved/v"+strconv.FormatInt(view.Version, 10), last.Key)
	}

	// A digest page goes to the digest receivers' next digest.
	require.NoError(t, pages.Notify(r.ctx, escalate.Page{Key: string(inc.ID) + "/digest", Kind: escalate.PageDigest, Incident: inc.ID}))
	r.run(24*time.Hour, func() bool { rec.mu.Lock(); defer rec.mu.Unlock(); return len(rec.got["slack-ops"]) == 3 })
	require.Len(t, rec.got["slack-ops"], 3)
	assert.Equal(t, notify.ReasonDigest, rec.got["slack-ops"][2].Reason)
}
