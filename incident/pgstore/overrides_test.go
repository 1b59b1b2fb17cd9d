package pgstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/alertkit/alertkit/escalate"
	"github.com/alertkit/alertkit/incident"
)

// monday is when the rotation of the schedule sre starts: L1 in 8-hour
// shifts, alfa, bravo, charlie.
var monday = time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)

func hour(h int) time.Time { return monday.Add(time.Duration(h) * time.Hour) }

// configured is the override of sre's configuration.
var configured = escalate.Override{Layer: "L1", Person: "zulu", From: hour(24), To: hour(32), Note: "configured"}

func escalator(t *testing.T) *escalate.Escalator {
	t.Helper()
	e := escalate.New(incident.NewManager(incident.NewMemoryStore(), nil),
		escalate.PagerFunc(func(context.Context, escalate.Page) error { return nil }), nil)
	require.NoError(t, e.AddSchedule(&escalate.Schedule{Name: "sre", Layers: []*escalate.Layer{
		{Name: "L1", Members: []string{"alfa", "bravo", "charlie"}, Handoff: "0 0,8,16 * * *", Start: monday},
		{Name: "L2", Members: []string{"delta", "echo"}, Handoff: "0 9 * * MON", Start: monday.Add(9 * time.Hour)},
	}, Overrides: []escalate.Override{configured}}))
	return e
}

func onCall(t *testing.T, e *escalate.Escalator, layer string, at time.Time) string {
	t.Helper()
	s, ok := e.Schedule("sre")
	require.True(t, ok)
	who, _ := s.OnCallAt(layer, at)
	return who
}

func TestOverridesRoundTrip(t *testing.T) {
	ctx := context.Background()
	o := open(t, schemaURL(t)).Overrides()
	late := escalate.Override{Layer: "L1", Person: "yankee", From: hour(10), To: hour(12), Note: "dentist"}
	early := escalate.Override{Layer: "L1", Person: "xray", From: hour(2), To: hour(4)}
	alsoEarly := escalate.Override{Layer: "L2", Person: "whiskey", From: hour(2), To: hour(20), Note: "swap"}
	var ids []string
	for _, x := range []escalate.Override{late, early, alsoEarly} {
		id, err := o.Add(ctx, "sre", x)
		require.NoError(t, err)
		require.NotEmpty(t, id)
		ids = append(ids, id)
	}
	_, err := o.Add(ctx, "dba", late)
	require.NoError(t, err)

	got, err := o.List(ctx, "sre")
	require.NoError(t, err)
	require.Equal(t, []escalate.Override{early, alsoEarly, late}, got, "by start, then as added")

	require.NoError(t, o.Remove(ctx, "sre", ids[1]))
	got, err = o.List(ctx, "sre")
	require.NoError(t, err)
	require.Equal(t, []escalate.Override{alsoEarly, late}, got)

	tests := []struct{ name, schedule, id string }{
		{"removed already", "sre", ids[1]},
		{"of another schedule", "dba", ids[0]},
		{"never added", "sre", "nope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := o.Remove(ctx, tt.schedule, tt.id)
			require.ErrorIs(t, err, incident.ErrNotFound)
			require.ErrorContains(t, err, "override "+tt.id+" of schedule "+tt.schedule)
		})
	}
	got, err = o.List(ctx, "nobody")
	require.NoError(t, err)
	require.Empty(t, got)
}

func TestOverridesAddInvalid(t *testing.T) {
	good := escalate.Override{Layer: "L1", Person: "yankee", From: hour(10), To: hour(12)}
	tests := []struct {
		name     string
		schedule string
		change   func(*escalate.Override)
		wantErr  string
	}{
		{"no schedule", "", func(*escalate.Override) {}, "override: missing schedule"},
		{"no layer", "sre", func(o *escalate.Override) { o.Layer = "" }, "schedule sre: override: missing layer"},
		{"nobody", "sre", func(o *escalate.Override) { o.Person = "" }, "schedule sre: override of L1: no person"},
		{"no start", "sre", func(o *escalate.Override) { o.From = time.Time{} }, "needs a start and an end"},
		{"ends before it starts", "sre", func(o *escalate.Override) { o.To = hour(9) },
			"schedule sre: override of L1: ends at 2026-11-23T09:00:00Z, not after it starts at 2026-11-23T10:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			o := open(t, schemaURL(t)).Overrides()
			x := good
			tt.change(&x)
			_, err := o.Add(ctx, tt.schedule, x)
			require.ErrorContains(t, err, tt.wantErr)
			got, err := o.List(ctx, tt.schedule)
			require.NoError(t, err)
			require.Empty(t, got, "nothing written")
		})
	}
}

// TestOverridesSync adds an override on one replica; another puts its
// person on call once it syncs, beside the configured override.
func TestOverridesSync(t *testing.T) {
	ctx := context.Background()
	url := schemaURL(t)
	one, two := open(t, url).Overrides(), open(t, url).Overrides()
	e := escalator(t) // the second replica's
	base := map[string][]escalate.Override{"sre": {configured}}

	require.NoError(t, two.Sync(ctx, e, base))
	before, _ := e.Schedule("sre")
	require.Equal(t, "bravo", onCall(t, e, "L1", hour(10)))
	require.Equal(t, "zulu", onCall(t, e, "L1", hour(25)))

	id, err := one.Add(ctx, "sre", escalate.Override{Layer: "L1", Person: "yankee", From: hour(9), To: hour(11), Note: "swap"})
	require.NoError(t, err)
	// An override of a schedule this replica does not have is left alone.
	_, err = one.Add(ctx, "dba", escalate.Override{Layer: "L1", Person: "kilo", From: hour(9), To: hour(11)})
	require.NoError(t, err)
	require.Equal(t, "bravo", onCall(t, e, "L1", hour(10)), "before the sync")
	require.NoError(t, two.Sync(ctx, e, base))
	require.Equal(t, "yankee", onCall(t, e, "L1", hour(10)))
	require.Equal(t, "bravo", onCall(t, e, "L1", hour(11)))
	require.Equal(t, "zulu", onCall(t, e, "L1", hour(25)), "the configured override stays")
	s, _ := e.Schedule("sre")
	require.Len(t, s.Overrides, 2)
	require.Equal(t, configured, s.Overrides[0])
	require.Len(t, before.Overrides, 1, "the schedule read before is left as it was")

	// Unchanged, the schedule is left as it is.
	require.NoError(t, two.Sync(ctx, e, base))
	again, _ := e.Schedule("sre")
	require.Same(t, s, again)

	// Removed on the first replica, the rotation is back on the second.
	require.NoError(t, one.Remove(ctx, "sre", id))
	require.NoError(t, two.Sync(ctx, e, base))
	require.Equal(t, "bravo", onCall(t, e, "L1", hour(10)))
	require.Equal(t, "zulu", onCall(t, e, "L1", hour(25)))
}

func TestOverridesSyncErrors(t *testing.T) {
	ctx := context.Background()
	store := open(t, schemaURL(t))
	o := store.Overrides()
	e := escalator(t)
	_, err := o.Add(ctx, "sre", escalate.Override{Layer: "L1", Person: "yankee", From: hour(9), To: hour(11)})
	require.NoError(t, err)
	require.NoError(t, o.Sync(ctx, e, nil), "sre has stored overrides and is set")
	require.Equal(t, "yankee", onCall(t, e, "L1", hour(10)))

	// A stored override of a layer sre lacks keeps sre as it was.
	bad, err := o.Add(ctx, "sre", escalate.Override{Layer: "L9", Person: "xray", From: hour(12), To: hour(13)})
	require.NoError(t, err)
	before, _ := e.Schedule("sre")
	err = o.Sync(ctx, e, map[string][]escalate.Override{"sre": {configured}, "dba": nil})
	require.ErrorContains(t, err, `schedule sre: stored override `+bad+`: no layer "L9" (it has L1, L2)`)
	require.ErrorContains(t, err, `no schedule "dba"`)
	after, _ := e.Schedule("sre")
	require.Same(t, before, after)

	// A configured override that is wrong names its place.
	require.NoError(t, o.Remove(ctx, "sre", bad))
	err = o.Sync(ctx, e, map[string][]escalate.Override{"sre": {{Layer: "L1", From: hour(1), To: hour(2)}}})
	require.EqualError(t, err, "pgstore: sync overrides: schedule sre: override 0: no person")
}
