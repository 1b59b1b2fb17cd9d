package incident_test

import (
	"testing"
	"time"

	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alertkit/alertkit/alert"
	"github.com/alertkit/alertkit/incident"
)

var cluster = []string{"kubernetes", "main", "prometheus", "kube-prometheus/main"}

func clusterAlert(kv ...string) model.LabelSet { return labels(append(kv, cluster...)...) }

// TestSevenAlertIncident replays an incident of 03.09: seven alerts
// of three triggers on the cluster "main", from 08:52:40 to 12:33:40 —
// 3h 41m — two of them firing twice.
func TestSevenAlertIncident(t *testing.T) {
	h := newHarness(t, time.Date(2026, 9, 3, 8, 52, 40, 0, time.UTC),
		&incident.Grouping{By: []model.LabelName{"kubernetes", "prometheus"}})
	var (
		site       = clusterAlert("alertname", "IngressErrors5xx", "ingress", "site", "namespace", "site-production")
		api        = clusterAlert("alertname", "IngressErrors5xx", "ingress", "api", "namespace", "site-production")
		disk       = clusterAlert("alertname", "NodePressureConditions", "node", "kube-3", "condition", "DiskPressure", "severity_level", "1")
		memory     = clusterAlert("alertname", "NodePressureConditions", "node", "kube-3", "condition", "MemoryPressure", "severity_level", "2")
		pid        = clusterAlert("alertname", "NodePressureConditions", "node", "kube-1", "condition", "PIDPressure")
		oomKiller  = clusterAlert("alertname", "KubernetesDaemonSetReplicasUnavailable", "daemonset", "oom-killer-exporter", "namespace", "kube-prometheus", "severity_level", "3")
		nodeExport = clusterAlert("alertname", "KubernetesDaemonSetReplicasUnavailable", "daemonset", "node-exporter", "namespace", "kube-prometheus", "severity_level", "3")
	)
	h.fire(site)
	h.at("08:55:10")
	h.fire(disk)
	h.at("09:05:00")
	h.fire(memory)
	h.at("09:10:00")
	h.fire(api)
	inc := h.only()
	_, err := h.m.Acknowledge(h.ctx, inc.ID, "ruslan.baimuhametov", "")
	require.NoError(t, err)
	require.NoError(t, h.m.Comment(h.ctx, inc.ID, "ruslan.baimuhametov", "big trouble with RabbitMQ, wild IOWAIT on kube-3"))
	h.at("09:27:42")
	h.fire(nodeExport)
	h.at("09:28:12")
	h.fire(oomKiller)
	h.at("09:37:42")
	h.resolve(nodeExport)
	h.at("09:38:12")
	h.resolve(oomKiller)
	h.at("09:40:00")
	h.resolve(site)
	h.at("09:48:42")
	h.fire(nodeExport, oomKiller)
	h.at("10:00:00")
	h.fire(pid)
	h.at("10:09:42")
	h.resolve(nodeExport, oomKiller)
	h.at("10:30:00")
	h.resolve(api)
	h.at("11:00:00")
	h.resolve(memory)
	h.at("12:33:40")
	h.resolve(disk, pid)

	inc = h.only()
	assert.Equal(t, incident.StatusResolved, inc.Status)
	assert.Equal(t, 3*time.Hour+41*time.Minute, inc.ResolvedAt.Sub(inc.CreatedAt), "3h 41m from open to resolved")
	assert.Equal(t, 7, inc.Alerts)
	assert.Equal(t, 0, inc.Active)
	assert.Equal(t, 1, inc.Severity, "the most severe alert's S1")
	assert.Equal(t, []string{"IngressErrors5xx", "KubernetesDaemonSetReplicasUnavailable", "NodePressureConditions"}, inc.Triggers)
	assert.Equal(t, `{kubernetes="main", prometheus="kube-prometheus/main"}`, inc.GroupKey)

	view, err := h.m.View(h.ctx, inc.ID)
	require.NoError(t, err)
	summary := incident.Summarize(view.Members).String()
	assert.Contains(t, summary, "trigger = IngressErrors5xx, KubernetesDaemonSetReplicasUnavailable, NodePressureConditions\n")
	assert.Contains(t, summary, "kubernetes = main\n")
	assert.Contains(t, summary, "prometheus = kube-prometheus/main")
	for _, m := range view.Members {
		want := 1
		if m.Labels["daemonset"] != "" {
			want = 2 // ↳ 2: 09:28:12 → 09:38:12, 09:48:42 → 10:09:42
		}
		assert.Equal(t, want, m.Firings, "%s", m.Labels)
		assert.Equal(t, alert.StateResolved, m.State)
	}

	kinds := h.kinds(inc.ID)
	assert.Equal(t, 1, kinds[incident.EventOpened])
	assert.Equal(t, 7, kinds[incident.EventAlertJoined])
	assert.Equal(t, 2, kinds[incident.EventAlertFiredAgain])
	assert.Equal(t, 9, kinds[incident.EventAlertResolved])
	assert.Equal(t, 1, kinds[incident.EventAcknowledged])
	assert.Equal(t, 1, kinds[incident.EventCommented])
	assert.Equal(t, 1, kinds[incident.EventResolved])
	history := h.history(inc.ID)
	assert.Equal(t, []string{"08:52:40 opened", "08:52:40 alert_joined", "08:55:10 alert_joined", "09:05:00 alert_joined"}, history[:4])
	assert.Equal(t, "12:33:40 resolved", history[len(history)-1])
}

// TestFlappingAlertKeepsOneIncident replays an IngressResponses5xx,
// which fired 11 times between 15:09:47 and 17:41:47: one incident, which
// records the flapping and each of the eleven firings as the source sent
// them, and resolves after the quiet period once the alert is steady.
func TestFlappingAlertKeepsOneIncident(t *testing.T) {
	h := newHarness(t, time.Date(2026, 10, 26, 15, 0, 0, 0, time.UTC),
		&incident.Grouping{By: []model.LabelName{"alertname", "namespace"}, ResolveAfter: 10 * time.Minute})
	ingress := labels("alertname", "IngressResponses5xx", "kubernetes", "msm-prod", "ingress", "site", "namespace", "site-production")
	h.at("15:09:47")
	h.fire(ingress)
	h.at("15:13:47")
	h.resolve(ingress)
	for i := range 9 {
		start := time.Date(2026, 10, 26, 15, 20, 0, 0, time.UTC).Add(time.Duration(i) * 14 * time.Minute)
		h.until(start)
		h.fire(ingress)
		h.until(start.Add(3 * time.Minute))
		h.resolve(ingress)
	}
	h.at("17:41:17")
	h.fire(ingress)
	h.at("17:41:47")
	h.resolve(ingress)
	h.at("18:30:00")

	inc := h.only()
	assert.Equal(t, incident.StatusResolved, inc.Status)
	members, err := h.store.Members(h.ctx, inc.ID)
	require.NoError(t, err)
	require.Len(t, members, 1)
	assert.Equal(t, 11, members[0].Firings, "every firing is known")
	assert.False(t, members[0].Flapping, "steady again after a quiet window")
	kinds := h.kinds(inc.ID)
	assert.Equal(t, 1, kinds[incident.EventAlertFlapping])
	assert.Equal(t, 10, kinds[incident.EventAlertFiredAgain], "the incident records every firing, flapping or not")
	assert.Equal(t, kinds[incident.EventReopened], inc.Reopened, "each reopening counted")
}

// TestUnknownAlertKeepsIncidentOpen replays a TargetDown: unknown
// when its source stopped refreshing it, firing again, then OK.
func TestUnknownAlertKeepsIncidentOpen(t *testing.T) {
	h := newHarness(t, time.Date(2026, 10, 26, 18, 20, 59, 0, time.UTC), nil)
	targetDown := labels("alertname", "TargetDown", "namespace", "d8-cert-manager", "instance", "10.244.37.14:9403", "job", "cert-manager")
	report := func(ttl time.Duration) {
		h.observe(h.dedup.Ingest([]alert.Alert{{Labels: targetDown, StartsAt: time.Date(2026, 10, 26, 18, 20, 59, 0, time.UTC),
			UpdatedAt: h.clock.Now(), RefreshBy: h.clock.Now().Add(ttl)}}))
	}
	report(time.Minute)
	h.at("18:23:02") // no refresh since 18:20:59
	inc := h.only()
	assert.Equal(t, incident.StatusOpen, inc.Status, "unknown is not resolved")
	member, err := h.store.Member(h.ctx, inc.ID, alert.Fingerprint(targetDown))
	require.NoError(t, err)
	assert.Equal(t, alert.StateUnknown, member.State)
	assert.Equal(t, 1, h.kinds(inc.ID)[incident.EventAlertUnknown])

	report(10 * time.Minute)
	member, _ = h.store.Member(h.ctx, inc.ID, alert.Fingerprint(targetDown))
	assert.Equal(t, alert.StateFiring, member.State)
	h.at("18:27:29")
	h.resolve(targetDown)
	inc = h.only()
	assert.Equal(t, incident.StatusResolved, inc.Status)
	assert.Equal(t, 6*time.Minute+30*time.Second, inc.ResolvedAt.Sub(inc.CreatedAt), "06m 30s from open to resolved")
}

func TestReopenWindow(t *testing.T) {
	h := newHarness(t, time.Date(2026, 10, 26, 12, 0, 0, 0, time.UTC), &incident.Grouping{By: []model.LabelName{"alertname"}, ReopenWithin: 30 * time.Minute})
	a := labels("alertname", "DiskFull", "instance", "db-1")
	h.fire(a)
	h.at("12:05:00")
	h.resolve(a)
	first := h.only()
	require.Equal(t, incident.StatusResolved, first.Status)

	h.at("12:20:00")
	h.fire(a) // within 30 minutes of 12:05: the same incident
	reopened := h.only()
	assert.Equal(t, first.ID, reopened.ID)
	assert.Equal(t, incident.StatusOpen, reopened.Status)
	assert.Equal(t, 1, h.kinds(first.ID)[incident.EventReopened])

	h.at("12:25:00")
	h.resolve(a)
	h.at("13:00:00")
	h.fire(a) // 35 minutes later: a new incident
	all, err := h.store.Search(h.ctx, incident.Filter{})
	require.NoError(t, err)
	require.Len(t, all, 2)
	assert.NotEqual(t, first.ID, all[0].ID)
	assert.Equal(t, incident.StatusOpen, all[0].Status)
	assert.Equal(t, incident.StatusResolved, all[1].Status)
}

func TestResolveAfterQuietPeriod(t *testing.T) {
	h := newHarness(t, time.Date(2026, 10, 26, 12, 0, 0, 0, time.UTC),
		&incident.Grouping{By: []model.LabelName{"alertname"}, ResolveAfter: 15 * time.Minute})
	a := labels("alertname", "QueueBacklog", "queue", "emails")
	h.fire(a)
	h.at("12:10:00")
	h.resolve(a)
	h.at("12:20:00")
	assert.Equal(t, incident.StatusOpen, h.only().Status, "not quiet long enough")
	h.fire(a) // back before the quiet period ends
	h.at("12:30:00")
	h.resolve(a)
	h.at("12:44:00")
	assert.Equal(t, incident.StatusOpen, h.only().Status)
	h.at("12:45:00")
	inc := h.only()
	assert.Equal(t, incident.StatusResolved, inc.Status)
	assert.Equal(t, time.Date(2026, 10, 26, 12, 45, 0, 0, time.UTC), inc.ResolvedAt)
}

func TestInstantOnlyIncidentWaitsForPeople(t *testing.T) {
	h := newHarness(t, time.Date(2026, 10, 26, 1, 0, 7, 0, time.UTC), nil)
	backup := labels("alertname", "BackupFailed", "namespace", "redis", "backup_type", "REDIS-RDB")
	for range 3 {
		h.observe(h.dedup.Ingest([]alert.Alert{{Labels: backup, Kind: alert.KindInstant, StartsAt: h.clock.Now(), UpdatedAt: h.clock.Now()}}))
		h.until(h.clock.Now().Add(time.Hour))
	}
	inc := h.only()
	assert.Equal(t, incident.StatusOpen, inc.Status, "events never resolve by themselves")
	members, _ := h.store.Members(h.ctx, inc.ID)
	assert.Equal(t, 3, members[0].Firings)
	assert.Equal(t, 2, h.kinds(inc.ID)[incident.EventAlertFiredAgain])
	_, err := h.m.Resolve(h.ctx, inc.ID, "vladim.lazovsky", incident.ResolveOptions{Note: "the script is fixed"})
	require.NoError(t, err, "nothing is firing: no force needed")
}

func TestStaleChangesAreIgnored(t *testing.T) {
	h := newHarness(t, time.Date(2026, 10, 26, 12, 0, 0, 0, time.UTC), nil)
	a := labels("alertname", "TargetDown", "instance", "a")
	start := h.clock.Now()
	fired := h.dedup.Ingest([]alert.Alert{{Labels: a, StartsAt: start, UpdatedAt: start}})
	h.clock.Advance(time.Minute)
	resolved := h.dedup.Ingest([]alert.Alert{{Labels: a, StartsAt: start, EndsAt: h.clock.Now(), UpdatedAt: h.clock.Now()}})
	h.observe(fired)
	h.observe(resolved)
	h.observe(fired) // delivered again, late
	inc := h.only()
	assert.Equal(t, incident.StatusResolved, inc.Status)
	member, _ := h.store.Member(h.ctx, inc.ID, alert.Fingerprint(a))
	assert.Equal(t, alert.StateResolved, member.State)
}
