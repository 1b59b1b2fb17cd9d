package incident_test

import (
	"context"
	"testing"
	"time"

	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/require"

	"github.com/alertkit/alertkit/incident"
	"github.com/alertkit/alertkit/incident/storetest"
)

// TestZeroMemoryStore runs the store conformance suite on a zero
// MemoryStore.
func TestZeroMemoryStore(t *testing.T) {
	storetest.Run(t, func(*testing.T) incident.Store { return new(incident.MemoryStore) })
}

// TestManagerOverAZeroMemoryStore opens and acknowledges an incident in a
// zero MemoryStore.
func TestManagerOverAZeroMemoryStore(t *testing.T) {
	ctx := context.Background()
	store := new(incident.MemoryStore)
	m := incident.NewManager(store, &incident.Options{Now: func() time.Time { return noon }})
	ch := newAlert("TargetDown", noon)
	inc, err := m.Observe(ctx, &ch, nil)
	require.NoError(t, err)
	require.NotNil(t, inc)
	_, err = m.Acknowledge(ctx, inc.ID, "ops", "")
	require.NoError(t, err)
	got, err := store.Get(ctx, inc.ID)
	require.NoError(t, err)
	require.Equal(t, incident.StatusAcknowledged, got.Status)
}

// TestManagerWithoutAStore calls the methods of a Manager that has no
// Store: each returns an error that says so, or a harmless value.
func TestManagerWithoutAStore(t *testing.T) {
	const noStore = "incident: manager without a store: use NewManager with a Store"
	ctx := context.Background()
	const id incident.ID = "01JBCDEFGHJKMNPQRSTVWXYZ00"
	tests := []struct {
		name string
		call func(m *incident.Manager) error
	}{
		{"Observe", func(m *incident.Manager) error {
			ch := newAlert("TargetDown", noon)
			_, err := m.Observe(ctx, &ch, nil)
			return err
		}},
		{"ObserveEnriched", func(m *incident.Manager) error {
			ch := newAlert("TargetDown", noon)
			_, err := m.ObserveEnriched(ctx, &ch, &incident.Grouping{By: []model.LabelName{"alertname"}}, incident.Enrichment{Severity: 2})
			return err
		}},
		{"Acknowledge", func(m *incident.Manager) error { _, err := m.Acknowledge(ctx, id, "ops", ""); return err }},
		{"Unacknowledge", func(m *incident.Manager) error { _, err := m.Unacknowledge(ctx, id, "ops", ""); return err }},
		{"Resolve", func(m *incident.Manager) error {
			_, err := m.Resolve(ctx, id, "ops", incident.ResolveOptions{Force: true})
			return err
		}},
		{"Close", func(m *incident.Manager) error { _, err := m.Close(ctx, id, "ops", ""); return err }},
		{"Reopen", func(m *incident.Manager) error { _, err := m.Reopen(ctx, id, "ops", ""); return err }},
		{"Assign", func(m *incident.Manager) error { _, err := m.Assign(ctx, id, "ops", "alice"); return err }},
		{"Comment", func(m *incident.Manager) error { return m.Comment(ctx, id, "ops", "looking") }},
		{"Record", func(m *incident.Manager) error {
			return m.Record(ctx, id, incident.Event{Kind: incident.EventCommented})
		}},
		{"Handover", func(m *incident.Manager) error {
			_, err := m.Handover(ctx, id, "alice", incident.HandoverOptions{To: "bob"})
			return err
		}},
		{"AcceptHandover", func(m *incident.Manager) error { _, err := m.AcceptHandover(ctx, id, "bob"); return err }},
		{"Snooze", func(m *incident.Manager) error {
			_, err := m.Snooze(ctx, id, "ops", incident.SnoozeOptions{For: time.Hour})
			return err
		}},
		{"Wake", func(m *incident.Manager) error { _, err := m.Wake(ctx, id, "ops"); return err }},
		{"HandleTimer", func(m *incident.Manager) error {
			return m.HandleTimer(ctx, incident.Timer{Kind: incident.TimerWake, Incident: id})
		}},
		{"ProcessTimers", func(m *incident.Manager) error { _, err := m.ProcessTimers(ctx); return err }},
		{"Search", func(m *incident.Manager) error { _, err := m.Search(ctx, "", 10); return err }},
		{"View", func(m *incident.Manager) error { _, err := m.View(ctx, id); return err }},
		{"Similar", func(m *incident.Manager) error { _, err := m.Similar(ctx, &incident.Incident{ID: id}, 10); return err }},
		{"Analytics", func(m *incident.Manager) error { _, err := m.Analytics(ctx, noon, noon.Add(time.Hour)); return err }},
	}
	managers := []struct {
		name string
		new  func() *incident.Manager
	}{
		{"zero", func() *incident.Manager { return &incident.Manager{} }},
		{"nil store", func() *incident.Manager { return incident.NewManager(nil, nil) }},
	}
	for _, mm := range managers {
		t.Run(mm.name, func(t *testing.T) {
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					var err error
					require.NotPanics(t, func() { err = tt.call(mm.new()) })
					require.EqualError(t, err, noStore)
				})
			}
			m := mm.new()
			require.Equal(t, incident.DefaultActor, m.Actor())
			require.Nil(t, m.Store())
			require.False(t, m.FollowsUp())
		})
	}
}

// TestZeroGrouping gathers every alert into one incident.
func TestZeroGrouping(t *testing.T) {
	var g incident.Grouping
	a, b := labels("alertname", "TargetDown", "namespace", "shop"), labels("alertname", "DiskFull")
	require.Equal(t, "{}", g.GroupKey(a))
	require.Equal(t, g.GroupKey(a), g.GroupKey(b))
	require.Empty(t, g.Labels(a))

	h := newHarness(t, noon, &g)
	h.fire(a, b)
	require.Equal(t, 2, h.only().Alerts)
}
