package escalate_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/alertkit/alertkit/escalate"
	"github.com/alertkit/alertkit/incident"
)

func overridesEscalator(t *testing.T) *escalate.Escalator {
	t.Helper()
	e := escalate.New(incident.NewManager(incident.NewMemoryStore(), nil),
		escalate.PagerFunc(func(context.Context, escalate.Page) error { return nil }), nil)
	s := sreSchedule(t)
	s.Overrides = []escalate.Override{{Layer: "L1", Person: "zulu", From: at(24, 0, 0), To: at(24, 8, 0), Note: "configured"}}
	require.NoError(t, e.AddSchedule(s))
	return e
}

func TestSetOverrides(t *testing.T) {
	tests := []struct {
		name      string
		schedule  string
		overrides []escalate.Override
		wantErr   string
		// who is on call for L1 at the times of onCall, after
		want []string
	}{
		{name: "replaced", schedule: "sre",
			overrides: []escalate.Override{{Layer: "L1", Person: "yankee", From: at(23, 4, 0), To: at(23, 12, 0)}},
			want:      []string{"yankee", "yankee", "alfa"}},
		{name: "the last listed wins", schedule: "sre",
			overrides: []escalate.Override{
				{Layer: "L1", Person: "yankee", From: at(23, 4, 0), To: at(23, 12, 0)},
				{Layer: "L1", Person: "xray", From: at(23, 10, 0), To: at(23, 11, 0)},
			},
			want: []string{"yankee", "xray", "alfa"}},
		{name: "none", schedule: "sre", overrides: nil, want: []string{"alfa", "bravo", "alfa"}},
		{name: "unknown layer", schedule: "sre",
			overrides: []escalate.Override{{Layer: "L1", Person: "yankee", From: at(23, 4, 0), To: at(23, 12, 0)}, {Layer: "L9", Person: "xray", From: at(23, 4, 0), To: at(23, 5, 0)}},
			wantErr:   `schedule sre: override 1: no layer "L9"`},
		{name: "nobody", schedule: "sre",
			overrides: []escalate.Override{{Layer: "L1", From: at(23, 4, 0), To: at(23, 12, 0)}},
			wantErr:   "schedule sre: override 0: no person"},
		{name: "ends before it starts", schedule: "sre",
			overrides: []escalate.Override{{Layer: "L1", Person: "yankee", From: at(23, 12, 0), To: at(23, 4, 0)}},
			wantErr:   "schedule sre: override 0: ends at 2026-11-23T04:00:00+01:00, not after it starts"},
		{name: "unknown schedule", schedule: "dba", wantErr: `no schedule "dba"`},
	}
	// Who is on call for L1 at 06:00 and 10:00 on Monday, at 04:00 on Tuesday.
	onCall := []time.Time{at(23, 6, 0), at(23, 10, 0), at(24, 4, 0)}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := overridesEscalator(t)
			before, ok := e.Schedule("sre")
			require.True(t, ok)
			whoBefore := whoIsOnCall(t, before, onCall)
			require.Equal(t, []string{"alfa", "bravo", "zulu"}, whoBefore)

			err := e.SetOverrides(tt.schedule, tt.overrides)
			after, ok := e.Schedule("sre")
			require.True(t, ok)
			if tt.wantErr != "" {
				require.EqualError(t, err, tt.wantErr)
				require.Same(t, before, after, "a refused change keeps the schedule")
				require.Equal(t, whoBefore, whoIsOnCall(t, after, onCall))
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, whoIsOnCall(t, after, onCall))
			require.Equal(t, tt.overrides, after.Overrides)
			// The schedule read before is left as it was.
			require.Equal(t, whoBefore, whoIsOnCall(t, before, onCall))
			require.Len(t, before.Overrides, 1)
			// L2 and the hand-offs are those of the same layers.
			require.Equal(t, before.LayerNames(), after.LayerNames())
			who, ok := after.OnCallAt("L2", at(30, 9, 0))
			require.True(t, ok)
			require.Equal(t, "echo", who)
		})
	}
}

func whoIsOnCall(t *testing.T, s *escalate.Schedule, times []time.Time) []string {
	t.Helper()
	out := make([]string, len(times))
	for i, when := range times {
		out[i], _ = s.OnCallAt("L1", when)
	}
	return out
}

// TestSetOverridesConcurrent reads who is on call while the overrides
// change: under -race, a schedule is never changed while it is read.
func TestSetOverridesConcurrent(t *testing.T) {
	e := overridesEscalator(t)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for i := range 100 {
				s, ok := e.Schedule("sre")
				if !ok {
					t.Error("schedule sre is gone")
					return
				}
				who, _ := s.OnCallAt("L1", at(23, 0, 0).Add(time.Duration(i)*time.Hour))
				if who == "" {
					t.Errorf("nobody on call at hour %d", i)
					return
				}
			}
		})
	}
	for i := range 50 {
		o := escalate.Override{Layer: "L1", Person: "yankee", From: at(23, 0, 0).Add(time.Duration(i) * time.Hour), To: at(23, 0, 0).Add(time.Duration(i+1) * time.Hour)}
		require.NoError(t, e.SetOverrides("sre", []escalate.Override{o}))
	}
	wg.Wait()
}
