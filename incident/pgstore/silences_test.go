package pgstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alertkit/alertkit/incident"
	"github.com/alertkit/alertkit/incident/pgstore"
	"github.com/alertkit/alertkit/mql"
	"github.com/alertkit/alertkit/route"
)

func rackSilence() route.Silence {
	return route.Silence{Match: `trigger = TargetDown AND ~rack = "37"`, StartsAt: t0, EndsAt: t0.Add(2 * time.Hour),
		CreatedBy: "vasiliy", Comment: "rack 37 is being moved"}
}

var (
	inRack  = mql.Labels{"alertname": "TargetDown", "rack": "37", "instance": "10.244.37.14:9403"}
	offRack = mql.Labels{"alertname": "TargetDown", "rack": "12"}
)

// TestSilencesReplicas sets a silence on one replica; another mutes with it
// once it syncs.
func TestSilencesReplicas(t *testing.T) {
	ctx := context.Background()
	url := schemaURL(t)
	one, two := open(t, url).Silences(), open(t, url).Silences()
	local := route.NewSilences(nil) // the second replica's

	sil, err := one.Set(ctx, rackSilence())
	require.NoError(t, err)
	require.NotEmpty(t, sil.ID)

	_, muted := local.Mutes(inRack, t0.Add(time.Minute))
	require.False(t, muted, "before the sync")
	require.NoError(t, two.Sync(ctx, local))
	id, muted := local.Mutes(inRack, t0.Add(time.Minute))
	require.True(t, muted)
	require.Equal(t, sil.ID, id)
	_, muted = local.Mutes(offRack, t0.Add(time.Minute))
	require.False(t, muted)
	require.Equal(t, []route.Silence{sil}, local.List())

	// Expired on the first replica, it stops muting on the second.
	require.NoError(t, one.Expire(ctx, sil.ID, t0.Add(time.Hour)))
	require.NoError(t, two.Sync(ctx, local))
	_, muted = local.Mutes(inRack, t0.Add(time.Hour-time.Second))
	require.True(t, muted)
	_, muted = local.Mutes(inRack, t0.Add(time.Hour))
	require.False(t, muted)

	// Set again with its ID, it is replaced, not added.
	sil.EndsAt, sil.Comment = t0.Add(3*time.Hour), "the move takes longer"
	_, err = two.Set(ctx, sil)
	require.NoError(t, err)
	require.NoError(t, one.Sync(ctx, local))
	require.Equal(t, []route.Silence{sil}, local.List())
}

func TestSilencesInvalid(t *testing.T) {
	tests := []struct {
		name    string
		change  func(*route.Silence)
		wantErr string
	}{
		{"empty match", func(s *route.Silence) { s.Match = " " }, "silence: empty match"},
		{"bad query", func(s *route.Silence) { s.Match = `trigger = (` }, "silence: mql: "},
		{"no end", func(s *route.Silence) { s.EndsAt = time.Time{} }, "silence: a silence needs a start and an end"},
		{"ends before it starts", func(s *route.Silence) { s.EndsAt = t0.Add(-time.Hour) }, "not after it starts"},
		{"no author", func(s *route.Silence) { s.CreatedBy = "" }, "silence: missing author"},
		{"no comment, with an ID", func(s *route.Silence) { s.ID, s.Comment = "rack-37", "" }, "silence rack-37: missing comment"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			s := open(t, schemaURL(t)).Silences()
			sil := rackSilence()
			tt.change(&sil)
			_, err := s.Set(ctx, sil)
			require.ErrorContains(t, err, tt.wantErr)
			list, err := s.List(ctx)
			require.NoError(t, err)
			require.Empty(t, list, "nothing written")
		})
	}
}

func TestSilencesExpire(t *testing.T) {
	tests := []struct {
		name    string
		id      string
		at      time.Time
		wantEnd time.Time
		wantErr string
	}{
		{"ends early", "rack", t0.Add(time.Hour), t0.Add(time.Hour), ""},
		{"already over", "rack", t0.Add(3 * time.Hour), t0.Add(2 * time.Hour), ""},
		{"before it begins", "rack", t0.Add(-time.Hour), t0, ""},
		{"unknown", "nope", t0, time.Time{}, "silence nope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			s := open(t, schemaURL(t)).Silences()
			sil := rackSilence()
			sil.ID = "rack"
			_, err := s.Set(ctx, sil)
			require.NoError(t, err)
			err = s.Expire(ctx, tt.id, tt.at)
			if tt.wantErr != "" {
				require.ErrorIs(t, err, incident.ErrNotFound)
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			list, err := s.List(ctx)
			require.NoError(t, err)
			require.Len(t, list, 1)
			require.Equal(t, tt.wantEnd, list[0].EndsAt)

			// The memory set agrees.
			mem := route.NewSilences(nil)
			_, err = mem.Set(sil)
			require.NoError(t, err)
			require.NoError(t, mem.Expire(tt.id, tt.at))
			require.True(t, mem.List()[0].EndsAt.Equal(tt.wantEnd))
		})
	}
}

func TestSilencesDelete(t *testing.T) {
	ctx := context.Background()
	s := open(t, schemaURL(t)).Silences()
	for i, id := range []string{"a", "b", "c"} {
		sil := rackSilence()
		sil.ID, sil.EndsAt = id, t0.Add(time.Duration(i+1)*time.Hour)
		_, err := s.Set(ctx, sil)
		require.NoError(t, err)
	}
	n, err := s.Delete(ctx, t0.Add(2*time.Hour))
	require.NoError(t, err)
	require.Equal(t, 1, n)
	list, err := s.List(ctx)
	require.NoError(t, err)
	require.Equal(t, []string{"b", "c"}, []string{list[0].ID, list[1].ID})
	n, err = s.Delete(ctx, t0.Add(2*time.Hour))
	require.NoError(t, err)
	require.Zero(t, n)
}

// TestSilencesSyncInvalid finds a silence changed by hand in the database:
// the sync fails, naming it, and the replica keeps the silences it had.
func TestSilencesSyncInvalid(t *testing.T) {
	ctx := context.Background()
	store := open(t, schemaURL(t))
	s := store.Silences()
	sil, err := s.Set(ctx, rackSilence())
	require.NoError(t, err)
	local := route.NewSilences(nil)
	require.NoError(t, s.Sync(ctx, local))

	_, err = store.Pool().Exec(ctx, `INSERT INTO alertkit_silences (id, starts_at, ends_at, body) VALUES ('broken', $1, $2, $3)`,
		t0.UnixNano(), t0.Add(time.Hour).UnixNano(), `{"match":"trigger = (","created_by":"dba","comment":"by hand"}`)
	require.NoError(t, err)
	err = s.Sync(ctx, local)
	require.ErrorContains(t, err, "silence broken: mql: ")
	require.Equal(t, []route.Silence{sil}, local.List())
}

func TestSilencesRun(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	url := schemaURL(t)
	one, two := open(t, url).Silences(), open(t, url).Silences()
	local := route.NewSilences(nil)
	done := make(chan error, 1)
	go func() {
		done <- two.Run(ctx, local, &pgstore.SyncOptions{Interval: 10 * time.Millisecond, OnError: func(err error) { t.Error(err) }})
	}()

	_, err := one.Set(ctx, rackSilence())
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		_, muted := local.Mutes(inRack, t0.Add(time.Minute))
		return muted
	}, 5*time.Second, 5*time.Millisecond)
	cancel()
	require.ErrorIs(t, <-done, context.Canceled)
}

// TestSilencesListOrder lists by ID as route.Silences does, whatever the
// database's collation.
func TestSilencesListOrder(t *testing.T) {
	ctx := context.Background()
	s := open(t, schemaURL(t)).Silences()
	mem := route.NewSilences(nil)
	for _, id := range []string{"b", "B", "a-1", "a", "A"} {
		sil := rackSilence()
		sil.ID = id
		_, err := s.Set(ctx, sil)
		require.NoError(t, err)
		_, err = mem.Set(sil)
		require.NoError(t, err)
	}
	list, err := s.List(ctx)
	require.NoError(t, err)
	require.Equal(t, mem.List(), list)
}

// The configuration's silences, which each replica has of its own, stay
// beside the database's through every sync.
func TestSilencesKeepTheConfigurations(t *testing.T) {
	ctx := context.Background()
	s := open(t, schemaURL(t)).Silences()
	local := route.NewSilences(nil)
	staging, err := local.Set(route.Silence{Match: `~cluster = staging`, StartsAt: t0, EndsAt: t0.Add(24 * time.Hour),
		CreatedBy: "ops", Comment: "staging never pages"})
	require.NoError(t, err)
	base := local.List()

	rack, err := s.Set(ctx, rackSilence())
	require.NoError(t, err)
	require.NoError(t, s.Sync(ctx, local, base...))
	assert.ElementsMatch(t, []string{staging.ID, rack.ID}, ids(local.List()))
	_, muted := local.Mutes(mql.Labels{"alertname": "TargetDown", "cluster": "staging"}, t0.Add(time.Minute))
	assert.True(t, muted, "the configuration's silence still mutes")

	require.NoError(t, s.Sync(ctx, local))
	assert.Equal(t, []string{rack.ID}, ids(local.List()), "without the base, the database's alone")
}

func ids(list []route.Silence) []string {
	var out []string
	for _, s := range list {
		out = append(out, s.ID)
	}
	return out
}
