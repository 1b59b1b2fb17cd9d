package incident_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/require"

	"github.com/alertkit/alertkit/alert"
	"github.com/alertkit/alertkit/dedup"
	"github.com/alertkit/alertkit/incident"
	"github.com/alertkit/alertkit/internal/clock"
)

// harness is the dedup and incident stages on a fake clock and a memory
// store: what a pipeline does, in a few lines per step.
type harness struct {
	t        *testing.T
	ctx      context.Context
	clock    *clock.Fake
	dedup    *dedup.Deduper
	store    *incident.MemoryStore
	m        *incident.Manager
	grouping *incident.Grouping
}

func newHarness(t *testing.T, start time.Time, g *incident.Grouping) *harness {
	t.Helper()
	h := &harness{t: t, ctx: context.Background(), clock: clock.NewFake(start), store: incident.NewMemoryStore(), grouping: g}
	h.dedup = dedup.New(&dedup.Options{Now: h.clock.Now})
	h.m = incident.NewManager(h.store, &incident.Options{
		Grouping: g,
		Now:      h.clock.Now,
		Entropy:  rand.NewChaCha8([32]byte{1}),
	})
	return h
}

// at moves the clock to a time of the scenario's day ("09:28:12"), running
// the sweep and the due timers on the way, minute by minute.
func (h *harness) at(hms string) {
	h.t.Helper()
	d := h.clock.Now()
	target, err := time.Parse(time.DateTime, d.Format(time.DateOnly)+" "+hms)
	require.NoError(h.t, err)
	if target.Before(d) {
		target = target.Add(24 * time.Hour)
	}
	h.until(target)
}

// until moves the clock to t, sweeping and running timers every minute.
func (h *harness) until(t time.Time) {
	h.t.Helper()
	for h.clock.Now().Before(t) {
		step := min(time.Minute, t.Sub(h.clock.Now()))
		h.clock.Advance(step)
		h.observe(h.dedup.Sweep(h.clock.Now()))
		_, err := h.m.ProcessTimers(h.ctx)
		require.NoError(h.t, err)
	}
}

func (h *harness) observe(changes []dedup.Change) {
	h.t.Helper()
	for i := range changes {
		_, err := h.m.Observe(h.ctx, &changes[i], h.grouping)
		require.NoError(h.t, err, "change %s", changes[i].String())
	}
}

// fire reports alerts firing since their start (the current time if zero).
func (h *harness) fire(labels ...model.LabelSet) {
	h.t.Helper()
	var batch []alert.Alert
	for _, ls := range labels {
		batch = append(batch, alert.Alert{Labels: ls, StartsAt: h.clock.Now(), UpdatedAt: h.clock.Now()})
	}
	h.observe(h.dedup.Ingest(batch))
}

// resolve reports alerts resolved now.
func (h *harness) resolve(labels ...model.LabelSet) {
	h.t.Helper()
	var batch []alert.Alert
	for _, ls := range labels {
		rec, ok := h.dedup.Get(alert.Fingerprint(ls))
		require.True(h.t, ok, "resolving an alert never seen: %v", ls)
		batch = append(batch, alert.Alert{Labels: ls, StartsAt: rec.Alert.StartsAt, EndsAt: h.clock.Now(), UpdatedAt: h.clock.Now()})
	}
	h.observe(h.dedup.Ingest(batch))
}

// only returns the single incident of the store.
func (h *harness) only() *incident.Incident {
	h.t.Helper()
	all, err := h.store.Search(h.ctx, incident.Filter{Limit: -1})
	require.NoError(h.t, err)
	require.Len(h.t, all, 1, "incidents: %v", ids(all))
	return all[0]
}

func (h *harness) get(id incident.ID) *incident.Incident {
	h.t.Helper()
	inc, err := h.store.Get(h.ctx, id)
	require.NoError(h.t, err)
	return inc
}

// history returns an incident's history as "kind" or "kind: note" lines.
func (h *harness) history(id incident.ID) []string {
	h.t.Helper()
	events, err := h.store.History(h.ctx, id)
	require.NoError(h.t, err)
	var out []string
	for _, e := range events {
		out = append(out, e.At.Format(time.TimeOnly)+" "+string(e.Kind))
	}
	return out
}

func (h *harness) kinds(id incident.ID) map[incident.EventKind]int {
	h.t.Helper()
	events, err := h.store.History(h.ctx, id)
	require.NoError(h.t, err)
	n := map[incident.EventKind]int{}
	for _, e := range events {
		n[e.Kind]++
	}
	return n
}

func ids(incs []*incident.Incident) string {
	var s []string
	for _, inc := range incs {
		s = append(s, fmt.Sprintf("%s(%s %s)", inc.ID, inc.GroupKey, inc.Status))
	}
	return strings.Join(s, ", ")
}

func labels(kv ...string) model.LabelSet {
	ls := model.LabelSet{}
	for i := 0; i+1 < len(kv); i += 2 {
		ls[model.LabelName(kv[i])] = model.LabelValue(kv[i+1])
	}
	return ls
}
