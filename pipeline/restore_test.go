package pipeline_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alertkit/alertkit/alert"
	"github.com/alertkit/alertkit/dedup"
	"github.com/alertkit/alertkit/incident"
	"github.com/alertkit/alertkit/internal/clock"
	"github.com/alertkit/alertkit/mql"
	"github.com/alertkit/alertkit/pipeline"
)

// A process that starts afresh over a store takes the active alerts back
// into its dedup stage: their repeats change nothing, and one whose source
// went quiet while no process ran turns unknown a refresh period later.
func TestRestoreAfterEveryReplicaStopped(t *testing.T) {
	ctx := context.Background()
	c := clock.NewFake(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
	store := incident.NewMemoryStore()
	var changes []string
	start := func(seed byte) *pipeline.Pipeline {
		m := incident.NewManager(store, &incident.Options{Now: c.Now, Entropy: rand.NewChaCha8([32]byte{seed}), Owner: fmt.Sprint("replica-", seed)})
		p, err := pipeline.New(pipeline.Config{
			Incidents: m, Dedup: dedup.New(&dedup.Options{Now: c.Now}), Now: c.Now,
			OnChange: func(o pipeline.Outcome) {
				if o.Change.New || o.Change.From != o.Change.State {
					changes = append(changes, o.Change.String())
				}
			},
		})
		require.NoError(t, err)
		return p
	}
	report := func(p *pipeline.Pipeline, ls model.LabelSet, since time.Time) {
		t.Helper()
		require.NoError(t, p.Ingest(ctx, []alert.Alert{{Labels: ls, StartsAt: since, UpdatedAt: c.Now(), RefreshBy: c.Now().Add(4 * time.Minute)}}))
	}
	gitlab := model.LabelSet{"alertname": "GitlabDown", "namespace": "horns-and-hooves"}
	backup := model.LabelSet{"alertname": "BackupFailed", "namespace": "horns-and-hooves"}
	since := c.Now()

	first := start(1)
	report(first, gitlab, since)
	report(first, backup, since)
	require.Len(t, changes, 2)

	c.Advance(10 * time.Minute) // every process stopped; GitLab's source still sends, the backup's does not
	second := start(2)
	n, err := second.Restore(ctx)
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	incs, err := store.Search(ctx, incident.Filter{})
	require.NoError(t, err)
	versions := map[incident.ID]int64{}
	for _, inc := range incs {
		versions[inc.ID] = inc.Version
	}
	report(second, gitlab, since)
	require.NoError(t, second.Tick(ctx))
	assert.Len(t, changes, 2, "a repeat after the restart is no change")
	incs, err = store.Search(ctx, incident.Filter{})
	require.NoError(t, err)
	for _, inc := range incs {
		assert.Equal(t, versions[inc.ID], inc.Version, "the store is checked, and not written")
	}

	c.Advance(3 * time.Minute)
	report(second, gitlab, since)
	require.NoError(t, second.Tick(ctx))
	assert.Len(t, changes, 2, "within a refresh period of the restart")

	c.Advance(2 * time.Minute)
	report(second, gitlab, since)
	require.NoError(t, second.Tick(ctx))
	require.Len(t, changes, 3)
	assert.Contains(t, changes[2], "firing → unknown")
	assert.Contains(t, changes[2], "BackupFailed")
}

// A heartbeat's deadline is in the store: a process that started after
// the last check-in, and never heard of it, fires the heartbeat's alert
// when that check-in's deadline passes, not a period after it started.
func TestHeartbeatDeadlineOutlivesTheProcess(t *testing.T) {
	ctx := context.Background()
	c := clock.NewFake(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
	store := incident.NewMemoryStore()
	watchdog, err := mql.Parse("trigger = Watchdog")
	require.NoError(t, err)
	var opened []string
	start := func(seed byte) *pipeline.Pipeline {
		d := dedup.New(&dedup.Options{Now: c.Now})
		require.NoError(t, d.AddHeartbeat(dedup.Heartbeat{Name: "prometheus", Period: 5 * time.Minute, Match: watchdog}, c.Now()))
		m := incident.NewManager(store, &incident.Options{Now: c.Now, Entropy: rand.NewChaCha8([32]byte{seed})})
		p, err := pipeline.New(pipeline.Config{Incidents: m, Dedup: d, Now: c.Now, Owner: fmt.Sprint("replica-", seed),
			OnChange: func(o pipeline.Outcome) { opened = append(opened, o.Change.String()) }})
		require.NoError(t, err)
		return p
	}
	first := start(1)
	c.Advance(time.Minute)
	require.NoError(t, first.Ingest(ctx, []alert.Alert{{Labels: model.LabelSet{"alertname": "Watchdog"}, StartsAt: c.Now(), UpdatedAt: c.Now()}}))
	require.NoError(t, first.Tick(ctx)) // the check-in of 09:01 goes to the store

	c.Advance(2 * time.Minute) // the first process is gone; another starts at 09:03
	second := start(2)
	c.Set(time.Date(2026, 12, 1, 9, 5, 59, 0, time.UTC))
	require.NoError(t, second.Tick(ctx))
	assert.Empty(t, opened)
	c.Set(time.Date(2026, 12, 1, 9, 6, 0, 0, time.UTC))
	require.NoError(t, second.Tick(ctx))
	require.Len(t, opened, 1, "missing at 09:06, five minutes after the last check-in")
	assert.Contains(t, opened[0], `heartbeat="prometheus"`)
}
