package route_test

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/alertkit/alertkit/mql"
	"github.com/alertkit/alertkit/route"
)

func TestSilencesReplace(t *testing.T) {
	rack := route.Silence{ID: "rack-37", Match: `~rack = "37"`, StartsAt: monday, EndsAt: monday.Add(2 * time.Hour),
		CreatedBy: "vasiliy", Comment: "rack 37 is being moved"}
	deploy := route.Silence{ID: "deploy", Match: `project = shop`, StartsAt: monday, EndsAt: monday.Add(time.Hour),
		CreatedBy: "ci", Comment: "deploy"}
	inRack := mql.Labels{"rack": "37", "alertname": "TargetDown"}
	inShop := mql.Labels{"namespace": "shop", "alertname": "TargetDown"}

	tests := []struct {
		name    string
		list    []route.Silence
		wantErr string   // empty: Replace succeeds
		want    []string // the IDs listed after
		muted   []mql.Labels
		unmuted []mql.Labels
	}{
		{name: "replaces the set", list: []route.Silence{deploy},
			want: []string{"deploy"}, muted: []mql.Labels{inShop}, unmuted: []mql.Labels{inRack}},
		{name: "same set", list: []route.Silence{rack},
			want: []string{"rack-37"}, muted: []mql.Labels{inRack}, unmuted: []mql.Labels{inShop}},
		{name: "both", list: []route.Silence{deploy, rack},
			want: []string{"deploy", "rack-37"}, muted: []mql.Labels{inRack, inShop}},
		{name: "changed", list: []route.Silence{func() route.Silence { s := rack; s.Match = `project = shop`; return s }()},
			want: []string{"rack-37"}, muted: []mql.Labels{inShop}, unmuted: []mql.Labels{inRack}},
		{name: "empty", list: nil, want: []string{}, unmuted: []mql.Labels{inRack, inShop}},
		{name: "an ID is given", list: []route.Silence{func() route.Silence { s := deploy; s.ID = ""; return s }()},
			muted: []mql.Labels{inShop}, unmuted: []mql.Labels{inRack}},
		{name: "bad query", list: []route.Silence{deploy, func() route.Silence { s := rack; s.Match = `rack = (`; return s }()},
			wantErr: "silence rack-37: mql: "},
		{name: "no comment, no ID", list: []route.Silence{deploy, func() route.Silence { s := rack; s.ID, s.Comment = "", ""; return s }()},
			wantErr: "item 1: silence: missing comment"},
		{name: "ends before it starts", list: []route.Silence{func() route.Silence { s := deploy; s.EndsAt = monday.Add(-time.Hour); return s }()},
			wantErr: "silence deploy: ends at 2026-11-23T09:00:00Z, not after it starts"},
		{name: "an ID twice", list: []route.Silence{deploy, deploy}, wantErr: "silence deploy: listed twice"},
		{name: "an unchanged ID twice", list: []route.Silence{rack, rack}, wantErr: "silence rack-37: listed twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := route.NewSilences(nil)
			_, err := s.Set(rack)
			require.NoError(t, err)
			require.Equal(t, []string{"rack-37"}, ids(s.List())) // build the index before replacing

			err = s.Replace(tt.list)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				// All or nothing: the set is as it was.
				require.Equal(t, []route.Silence{rack}, s.List())
				_, muted := s.Mutes(inRack, monday)
				require.True(t, muted)
				return
			}
			require.NoError(t, err)
			got := ids(s.List())
			if tt.want != nil {
				require.Equal(t, tt.want, got)
			} else {
				require.Len(t, got, len(tt.list))
				require.NotEmpty(t, got[0])
			}
			for _, subject := range tt.muted {
				_, muted := s.Mutes(subject, monday.Add(time.Minute))
				require.True(t, muted, "%v", subject)
			}
			for _, subject := range tt.unmuted {
				_, muted := s.Mutes(subject, monday.Add(time.Minute))
				require.False(t, muted, "%v", subject)
			}
		})
	}
}

// TestSilencesReplaceConcurrent checks alerts while the set is replaced:
// each check sees one set or the other.
func TestSilencesReplaceConcurrent(t *testing.T) {
	a := route.Silence{ID: "a", Match: `~rack = "37"`, StartsAt: monday, EndsAt: monday.Add(time.Hour), CreatedBy: "ci", Comment: "a"}
	b := route.Silence{ID: "b", Match: `~rack = "37"`, StartsAt: monday, EndsAt: monday.Add(time.Hour), CreatedBy: "ci", Comment: "b"}
	s := route.NewSilences(nil)
	require.NoError(t, s.Replace([]route.Silence{a}))
	subject := mql.Labels{"rack": "37"}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 200 {
				id, muted := s.Mutes(subject, monday)
				if !muted || (id != "a" && id != "b") {
					t.Errorf("muted by %q (%v), want a or b", id, muted)
					return
				}
			}
		})
	}
	for i := range 200 {
		next := a
		if i%2 == 0 {
			next = b
		}
		require.NoError(t, s.Replace([]route.Silence{next}))
	}
	wg.Wait()
}

func ids(list []route.Silence) []string {
	out := []string{}
	for _, s := range list {
		out = append(out, s.ID)
	}
	return out
}
