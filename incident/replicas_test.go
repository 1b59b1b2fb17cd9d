package incident_test

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alertkit/alertkit/alert"
	"github.com/alertkit/alertkit/dedup"
	"github.com/alertkit/alertkit/incident"
	"github.com/alertkit/alertkit/internal/clock"
)

// replica is a process of a service: its own dedup stage and Manager over
// the store the replicas share.
type replica struct {
	dedup *dedup.Deduper
	m     *incident.Manager
}

func newReplica(store incident.Store, c *clock.Fake, seed byte) *replica {
	return &replica{
		dedup: dedup.New(&dedup.Options{Now: c.Now}),
		m: incident.NewManager(store, &incident.Options{
			Now: c.Now, Entropy: rand.NewChaCha8([32]byte{seed}), FollowUps: true,
		}),
	}
}

// receive is a replica receiving a report, a few milliseconds after the
// others did.
func (r *replica) receive(t *testing.T, a alert.Alert, lag time.Duration) {
	t.Helper()
	a.UpdatedAt = a.UpdatedAt.Add(lag)
	changes := r.dedup.Ingest([]alert.Alert{a})
	for i := range changes {
		_, err := r.m.Observe(context.Background(), &changes[i], nil)
		require.NoError(t, err)
	}
}

// Every replica receives every report, as Prometheus sends to every
// Alertmanager it knows: one incident, one member, one entry in the
// history per change, one follow-up of the resolution — and a replica
// that restarts with an empty dedup stage changes nothing.
func TestReplicasRecordEachChangeOnce(t *testing.T) {
	c := clock.NewFake(noon)
	store := incident.NewMemoryStore()
	replicas := []*replica{newReplica(store, c, 1), newReplica(store, c, 2), newReplica(store, c, 3)}
	gitlab := labels("alertname", "GitlabDown", "namespace", "horns-and-hooves", "server", "gitlab")
	firing := alert.Alert{Labels: gitlab, StartsAt: noon, UpdatedAt: noon}

	for i, r := range replicas {
		r.receive(t, firing, time.Duration(i)*3*time.Millisecond)
	}
	c.Advance(time.Minute)
	again := firing
	again.UpdatedAt = c.Now()
	replicas[1] = newReplica(store, c, 4) // restarted: it remembers nothing
	for i, r := range replicas {
		r.receive(t, again, time.Duration(i)*time.Millisecond)
	}
	c.Advance(4 * time.Minute)
	resolved := alert.Alert{Labels: gitlab, StartsAt: noon, EndsAt: c.Now(), UpdatedAt: c.Now()}
	for i, r := range []*replica{replicas[2], replicas[0], replicas[1]} {
		r.receive(t, resolved, time.Duration(i)*2*time.Millisecond)
	}

	all, err := store.Search(context.Background(), incident.Filter{Limit: -1})
	require.NoError(t, err)
	require.Len(t, all, 1, "one incident")
	inc := all[0]
	assert.Equal(t, incident.StatusResolved, inc.Status)
	assert.Equal(t, 1, inc.Alerts)
	events, err := store.History(context.Background(), inc.ID)
	require.NoError(t, err)
	var kinds []incident.EventKind
	for _, e := range events {
		kinds = append(kinds, e.Kind)
	}
	assert.Equal(t, []incident.EventKind{incident.EventOpened, incident.EventAlertJoined, incident.EventAlertResolved, incident.EventResolved}, kinds)

	followUps, err := store.ClaimTimers(context.Background(), incident.Claim{Now: c.Now(), Owner: "w", Lease: time.Minute, Kinds: []string{incident.TimerFollowUp}})
	require.NoError(t, err)
	require.Len(t, followUps, 1, "one follow-up of the resolution")
	assert.Equal(t, string(incident.EventResolved), followUps[0].Data)
	assert.Equal(t, inc.ID, followUps[0].Incident)
}

// A change that happened before the one applied is stale, whichever
// replica reports it: a late firing does not undo a resolution.
func TestReplicasIgnoreALateCopy(t *testing.T) {
	c := clock.NewFake(noon)
	store := incident.NewMemoryStore()
	a, b := newReplica(store, c, 1), newReplica(store, c, 2)
	ls := labels("alertname", "TargetDown", "namespace", "shop", "instance", "a")
	a.receive(t, alert.Alert{Labels: ls, StartsAt: noon, UpdatedAt: noon}, 0)
	c.Advance(time.Minute)
	a.receive(t, alert.Alert{Labels: ls, StartsAt: noon, EndsAt: c.Now(), UpdatedAt: c.Now()}, 0)
	b.receive(t, alert.Alert{Labels: ls, StartsAt: noon, UpdatedAt: noon}, time.Second) // b heard the firing late

	inc, err := store.LatestByGroup(context.Background(), `{alertname="TargetDown", namespace="shop"}`)
	require.NoError(t, err)
	assert.Equal(t, incident.StatusResolved, inc.Status)
	member, err := store.Member(context.Background(), inc.ID, alert.Fingerprint(ls))
	require.NoError(t, err)
	assert.Equal(t, alert.StateResolved, member.State)
}

// With FollowUps, each change people hear of is written with a follow-up
// timer; closing an incident that had resolved is no news.
func TestFollowUpTimers(t *testing.T) {
	c := clock.NewFake(noon)
	store := incident.NewMemoryStore()
	r := newReplica(store, c, 1)
	ls := labels("alertname", "BackupFailed", "namespace", "db")
	r.receive(t, alert.Alert{Labels: ls, StartsAt: noon, UpdatedAt: noon, Kind: alert.KindInstant}, 0)
	ctx := context.Background()
	inc, err := store.LatestByGroup(ctx, `{alertname="BackupFailed", namespace="db"}`)
	require.NoError(t, err)

	_, err = r.m.Acknowledge(ctx, inc.ID, "vasiliy.vasiliyev", "on it")
	require.NoError(t, err)
	_, err = r.m.Handover(ctx, inc.ID, "", incident.HandoverOptions{To: "vladim.lazovsky", Note: "end of my shift"})
	require.NoError(t, err)
	_, err = r.m.Resolve(ctx, inc.ID, "vladim.lazovsky", incident.ResolveOptions{Note: "restarted the job"})
	require.NoError(t, err)
	_, err = r.m.Close(ctx, inc.ID, "vladim.lazovsky", "")
	require.NoError(t, err)

	timers, err := store.ClaimTimers(ctx, incident.Claim{Now: c.Now(), Owner: "w", Lease: time.Minute, Kinds: []string{incident.TimerFollowUp}})
	require.NoError(t, err)
	var news []string
	for _, tm := range timers {
		news = append(news, tm.Data)
	}
	assert.ElementsMatch(t, []string{"acknowledged", "handed_over", "resolved"}, news)
	keys := map[string]bool{}
	for _, tm := range timers {
		keys[tm.Key] = true
	}
	assert.Len(t, keys, 3, "each change has a key of its own")
}

// A replica that restarted counts its dedup sequence from 1 again; the
// changes it reports still apply once they happened after the last one
// applied, whoever applied it.
func TestRestartedReplicaResolves(t *testing.T) {
	c := clock.NewFake(noon)
	store := incident.NewMemoryStore()
	ctx := context.Background()
	a := newReplica(store, c, 1)
	ls := labels("alertname", "TargetDown", "namespace", "shop", "instance", "a")
	a.receive(t, alert.Alert{Labels: ls, StartsAt: noon, UpdatedAt: noon}, 0)
	c.Advance(time.Minute)
	a.receive(t, alert.Alert{Labels: ls, StartsAt: noon, EndsAt: c.Now(), UpdatedAt: c.Now()}, 0)
	c.Advance(time.Minute)
	refired := c.Now()
	a.receive(t, alert.Alert{Labels: ls, StartsAt: refired, UpdatedAt: c.Now()}, 0)

	b := newReplica(store, c, 2) // a dies; b starts afresh
	c.Advance(time.Minute)
	b.receive(t, alert.Alert{Labels: ls, StartsAt: refired, UpdatedAt: c.Now()}, 0)
	c.Advance(time.Minute)
	b.receive(t, alert.Alert{Labels: ls, StartsAt: refired, EndsAt: c.Now(), UpdatedAt: c.Now()}, 0)

	inc, err := store.LatestByGroup(ctx, `{alertname="TargetDown", namespace="shop"}`)
	require.NoError(t, err)
	assert.Equal(t, incident.StatusResolved, inc.Status, "b's resolution applied")
	member, err := store.Member(ctx, inc.ID, alert.Fingerprint(ls))
	require.NoError(t, err)
	assert.Equal(t, alert.StateResolved, member.State)
	assert.Equal(t, c.Now(), member.ChangedAt)
}
