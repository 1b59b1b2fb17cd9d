package incident_test

import (
	"context"
	"testing"
	"time"

	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alertkit/alertkit/alert"
	"github.com/alertkit/alertkit/dedup"
	"github.com/alertkit/alertkit/incident"
	"github.com/alertkit/alertkit/mql"
)

// TestEnrichmentBesideIdentity: the labels a triage rule added group the
// alert and answer queries, but the member keeps the labels its source
// sent, and their fingerprint, as its identity.
func TestEnrichmentBesideIdentity(t *testing.T) {
	ctx := context.Background()
	store := incident.NewMemoryStore()
	m := incident.NewManager(store, nil)
	sent := model.LabelSet{"alertname": "PostgresDown", "namespace": "db", "instance": "pg-1"}
	d := dedup.New(nil)
	changes := d.Ingest([]alert.Alert{{Labels: sent, StartsAt: time.Now(), UpdatedAt: time.Now()}})
	require.Len(t, changes, 1)
	g := &incident.Grouping{By: []model.LabelName{"alertname", "team"}}
	inc, err := m.ObserveEnriched(ctx, &changes[0], g, incident.Enrichment{
		Labels: model.LabelSet{"team": "dba"}, Severity: 2, ServiceLevel: "Gold",
	})
	require.NoError(t, err)
	assert.Equal(t, `{alertname="PostgresDown", team="dba"}`, inc.GroupKey, "grouped by the added label")
	assert.Equal(t, "dba", inc.Team)
	assert.Equal(t, 2, inc.Severity)
	assert.Equal(t, "gold", inc.ServiceLevel)

	members, err := store.Members(ctx, inc.ID)
	require.NoError(t, err)
	require.Len(t, members, 1)
	mem := members[0]
	assert.Equal(t, sent, mem.Labels, "the labels its source sent")
	assert.Equal(t, alert.Fingerprint(sent), mem.Fingerprint)
	assert.Equal(t, model.LabelSet{"team": "dba"}, mem.Added)
	assert.Equal(t, "gold", mem.ServiceLevel)

	view := incident.View{Incident: inc, Members: members, At: time.Now()}
	q, err := mql.Parse(`~team = dba AND ~instance = "pg-1"`)
	require.NoError(t, err)
	assert.True(t, q.Match(view), "queries see the added labels beside the sent ones")
}

// TestServiceLevelOfAnIncidentOfManyAlerts: service_level is the
// incident's, from its alerts, however many they are.
func TestServiceLevelOfAnIncidentOfManyAlerts(t *testing.T) {
	gold, err := mql.Parse("service_level = gold")
	require.NoError(t, err)
	atLeastGold, err := mql.Parse("service_level >= gold")
	require.NoError(t, err)
	tests := []struct {
		name   string
		levels []string // the label service_level of each alert, "" for none
		want   string
		isGold bool
	}{
		{name: "one gold alert", levels: []string{"gold"}, want: "gold", isGold: true},
		{name: "three gold alerts", levels: []string{"gold", "gold", "gold"}, want: "gold", isGold: true},
		{name: "silver then gold", levels: []string{"silver", "gold"}, want: "gold", isGold: true},
		{name: "gold and one without", levels: []string{"", "gold", ""}, want: "gold", isGold: true},
		{name: "platinum wins", levels: []string{"gold", "platinum"}, want: "platinum"},
		{name: "none", levels: []string{"", ""}, want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC), nil)
			for i, sl := range tt.levels {
				ls := labels("alertname", "CheckoutErrors", "namespace", "shop", "pod", string(rune('a'+i)))
				if sl != "" {
					ls["service_level"] = model.LabelValue(sl)
				}
				h.fire(ls)
			}
			inc := h.only()
			assert.Equal(t, tt.want, inc.ServiceLevel)
			members, err := h.store.Members(h.ctx, inc.ID)
			require.NoError(t, err)
			view := incident.View{Incident: inc, Members: members, At: h.clock.Now()}
			assert.Equal(t, tt.isGold, gold.Match(view), "service_level = gold")
			assert.Equal(t, tt.want == "gold" || tt.want == "platinum", atLeastGold.Match(view), "service_level >= gold")
		})
	}
}

// TestReopeningIsCountedAndFollowedUp: a reopened incident counts the
// reopening, and the news of it is written with it for the escalation
// stage, whoever reopened it.
func TestReopeningIsCountedAndFollowedUp(t *testing.T) {
	start := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	h := newHarness(t, start, nil)
	h.m = incident.NewManager(h.store, &incident.Options{Now: h.clock.Now, FollowUps: true})
	down := labels("alertname", "TargetDown", "namespace", "shop")
	h.fire(down)
	h.at("09:05:00")
	h.resolve(down)
	inc := h.only()
	require.Equal(t, incident.StatusResolved, inc.Status)
	assert.Equal(t, 0, inc.Reopened)

	h.at("09:10:00")
	h.fire(down)
	inc = h.only()
	require.Equal(t, incident.StatusOpen, inc.Status, "reopened within the reopen window")
	assert.Equal(t, 1, inc.Reopened)
	assert.Equal(t, start.Add(5*time.Minute), inc.QuietSince, "how long it was quiet stays known")

	h.at("09:12:00")
	h.resolve(down)
	_, err := h.m.Reopen(h.ctx, inc.ID, "alice", "not fixed")
	require.NoError(t, err)
	assert.Equal(t, 2, h.get(inc.ID).Reopened)

	timers, err := h.store.ClaimTimers(h.ctx, incident.Claim{Now: h.clock.Now(), Owner: "test", Lease: time.Minute, Kinds: []string{incident.TimerFollowUp}})
	require.NoError(t, err)
	var news []string
	for _, tm := range timers {
		news = append(news, tm.Data)
	}
	assert.ElementsMatch(t, []string{"resolved", "reopened", "resolved", "reopened"}, news)
}

// TestFlappingMembersAreCounted: the incident counts its flapping alerts.
func TestFlappingMembersAreCounted(t *testing.T) {
	h := newHarness(t, time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC), &incident.Grouping{By: []model.LabelName{"alertname"}, ResolveAfter: time.Hour})
	flappy := labels("alertname", "IngressErrors", "ingress", "site")
	for range 3 {
		h.fire(flappy)
		h.until(h.clock.Now().Add(time.Minute))
		h.resolve(flappy)
		h.until(h.clock.Now().Add(time.Minute))
	}
	inc := h.only()
	assert.Equal(t, 1, inc.Flapping)
	h.until(h.clock.Now().Add(31 * time.Minute))
	assert.Equal(t, 0, h.get(inc.ID).Flapping, "steady again after a quiet window")
}

// TestWakingAQuietSnoozeResolves: an incident whose alerts all resolved
// while it was snoozed resolves when a person wakes or acknowledges it,
// as when its snooze runs out.
func TestWakingAQuietSnoozeResolves(t *testing.T) {
	for _, act := range []string{"wake", "acknowledge", "snooze runs out"} {
		t.Run(act, func(t *testing.T) {
			h := newHarness(t, time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC), nil)
			down := labels("alertname", "TargetDown", "namespace", "shop")
			h.fire(down)
			inc := h.only()
			_, err := h.m.Snooze(h.ctx, inc.ID, "alice", incident.SnoozeOptions{For: time.Hour})
			require.NoError(t, err)
			h.at("09:10:00")
			h.resolve(down)
			require.Equal(t, incident.StatusSnoozed, h.get(inc.ID).Status, "a snooze without resolve-if-OK keeps it")
			switch act {
			case "wake":
				_, err = h.m.Wake(h.ctx, inc.ID, "alice")
			case "acknowledge":
				_, err = h.m.Acknowledge(h.ctx, inc.ID, "alice", "")
			default:
				h.at("10:01:00")
			}
			require.NoError(t, err)
			assert.Equal(t, incident.StatusResolved, h.get(inc.ID).Status)
		})
	}
}

// TestResolvedAlertJoiningDoesNotWake: an alert that joins a snoozed
// incident already resolved leaves it snoozed; one that fires wakes it.
func TestResolvedAlertJoiningDoesNotWake(t *testing.T) {
	h := newHarness(t, time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC), nil)
	first := labels("alertname", "TargetDown", "namespace", "shop", "instance", "a")
	h.fire(first)
	inc := h.only()
	_, err := h.m.Snooze(h.ctx, inc.ID, "alice", incident.SnoozeOptions{For: time.Hour})
	require.NoError(t, err)
	late := labels("alertname", "TargetDown", "namespace", "shop", "instance", "b")
	h.observe(h.dedup.Ingest([]alert.Alert{{Labels: late, StartsAt: h.clock.Now(), EndsAt: h.clock.Now(), UpdatedAt: h.clock.Now()}}))
	assert.Equal(t, incident.StatusSnoozed, h.get(inc.ID).Status)
	h.fire(labels("alertname", "TargetDown", "namespace", "shop", "instance", "c"))
	assert.Equal(t, incident.StatusOpen, h.get(inc.ID).Status)
}
