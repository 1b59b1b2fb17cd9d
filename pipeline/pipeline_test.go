package pipeline_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alertkit/alertkit/alert"
	"github.com/alertkit/alertkit/dedup"
	"github.com/alertkit/alertkit/escalate"
	"github.com/alertkit/alertkit/incident"
	"github.com/alertkit/alertkit/internal/clock"
	"github.com/alertkit/alertkit/notify"
	"github.com/alertkit/alertkit/pipeline"
	"github.com/alertkit/alertkit/route"
	"github.com/alertkit/alertkit/severity"
)

const routes = `
default:
  to: [receiver:ops]
  group_by: [alertname, namespace]
routes:
  - name: database
    match: trigger =~ "Postgres.*"
    to: ["oncall:sre/L1"]
    group_by: [alertname, cluster]
  - name: paging-policy
    match: ~team = payments
    to: [policy:payments]
inhibit_rules:
  - name: node-down
    source: trigger = NodeDown
    target: trigger = TargetDown
    equal: [node]
triage:
  - name: drop-watchdog
    match: trigger = Watchdog
    drop: true
  - name: staging-is-mild
    match: ~env = staging
    severity: S6
    add_labels: {triaged: "yes"}
`

const oncall = `
schedules:
  - name: sre
    layers:
      - {name: L1, members: [alfa, bravo], handoff: "0 8,20 * * *", start: 2026-11-23T08:00:00Z}
policies:
  - name: payments
    steps:
      - {notify: ["@payments-lead"], wait: 10m}
ladders:
  sre: [[team:sre]]
`

// recorder is receivers that keep what they are sent.
type recorder struct {
	mu  sync.Mutex
	got []*notify.Notification
}

func (r *recorder) Notify(_ context.Context, n *notify.Notification) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, n)
	return nil
}

func (r *recorder) lines() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, n := range r.got {
		out = append(out, fmt.Sprintf("%s %s %s %v%v", n.Receiver, n.Reason, n.Incident.Title, n.People, n.Teams))
	}
	return out
}

type rig struct {
	t        *testing.T
	ctx      context.Context
	clock    *clock.Fake
	p        *pipeline.Pipeline
	m        *incident.Manager
	silences *route.Silences
	sent     *recorder
	outcomes []pipeline.Outcome
	reg      *prometheus.Registry
}

func newRig(t *testing.T) *rig {
	t.Helper()
	r := &rig{t: t, ctx: context.Background(), clock: clock.NewFake(time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)), sent: &recorder{}, reg: prometheus.NewRegistry()}
	store := incident.NewMemoryStore()
	r.m = incident.NewManager(store, &incident.Options{Now: r.clock.Now, Entropy: rand.NewChaCha8([32]byte{9}), FollowUps: true})
	cfg, err := route.Parse([]byte(routes), "routes.yaml")
	require.NoError(t, err)
	router, err := route.Compile(cfg, nil)
	require.NoError(t, err)
	triage, err := route.NewTriage(cfg.Triage, router.Parser())
	require.NoError(t, err)
	inhibitor, err := route.NewInhibitor(cfg.Inhibit, router.Parser())
	require.NoError(t, err)
	r.silences = route.NewSilences(router.Parser())
	deduper := dedup.New(&dedup.Options{Now: r.clock.Now})

	metrics, err := pipeline.NewMetrics(r.reg, &pipeline.MetricsOptions{Store: store, Heartbeats: deduper, Now: r.clock.Now})
	require.NoError(t, err)
	receivers := map[string]notify.Notifier{"ops": r.sent, "sre-chat": r.sent, "pager-alfa": r.sent, "pager-bravo": r.sent, "payments-pager": r.sent}
	d, err := notify.NewDispatcher(store, receivers, &notify.Options{Now: r.clock.Now, Log: metrics.Log(notify.NewMemoryLog())})
	require.NoError(t, err)
	pages := &pipeline.Pages{Dispatcher: d, Incidents: r.m, Contacts: pipeline.Contacts{
		People: map[string][]string{"alfa": {"pager-alfa"}, "bravo": {"pager-bravo"}, "payments-lead": {"payments-pager"}},
		Teams:  map[string][]string{"sre": {"sre-chat"}}, Digest: []string{"ops"},
	}}
	esc := escalate.New(r.m, metrics.Pager(pages), &escalate.Options{Now: r.clock.Now})
	ocfg, err := escalate.ParseConfig([]byte(oncall), "oncall.yaml")
	require.NoError(t, err)
	require.NoError(t, esc.Load(ocfg))

	r.p, err = pipeline.New(pipeline.Config{
		Dedup: deduper, Triage: triage, Silences: r.silences, Inhibitor: inhibitor, Router: router,
		Incidents: r.m, Escalator: esc, Ladder: escalate.Ladder{{{Kind: route.TargetTeam, Name: "sre"}}},
		Dispatcher: d, Metrics: metrics, Now: r.clock.Now,
		OnChange: func(o pipeline.Outcome) { r.outcomes = append(r.outcomes, o) },
	})
	require.NoError(t, err)
	return r
}

func (r *rig) fire(labels ...model.LabelSet) {
	r.t.Helper()
	var batch []alert.Alert
	for _, ls := range labels {
		batch = append(batch, alert.Alert{Labels: ls, StartsAt: r.clock.Now(), UpdatedAt: r.clock.Now(), Source: "test"})
	}
	require.NoError(r.t, r.p.Ingest(r.ctx, batch))
}

func (r *rig) resolve(labels model.LabelSet, since time.Time) {
	r.t.Helper()
	require.NoError(r.t, r.p.Ingest(r.ctx, []alert.Alert{{Labels: labels, StartsAt: since, EndsAt: r.clock.Now(), UpdatedAt: r.clock.Now(), Source: "test"}}))
}

// after runs the timers a minute at a time.
func (r *rig) after(d time.Duration) {
	r.t.Helper()
	for end := r.clock.Now().Add(d); r.clock.Now().Before(end); {
		r.clock.Advance(time.Minute)
		require.NoError(r.t, r.p.Tick(r.ctx))
	}
}

func (r *rig) last() pipeline.Outcome { return r.outcomes[len(r.outcomes)-1] }

// An alert through every stage: classified, routed to the on-call, an
// incident grouped by the route's labels, paged after its hold, followed
// up when acknowledged and resolved.
func TestThroughTheStages(t *testing.T) {
	r := newRig(t)
	pg := model.LabelSet{"alertname": "PostgresDown", "cluster": "main", "namespace": "db", "severity_level": "2", "service_level": "gold"}
	start := r.clock.Now()
	r.fire(pg)
	o := r.last()
	assert.Equal(t, severity.S2, o.Class.Level)
	assert.Equal(t, "database", o.Routes[0].ID)
	require.NotNil(t, o.Incident)
	assert.Equal(t, `database{alertname="PostgresDown", cluster="main"}`, o.Incident.GroupKey)
	require.NotNil(t, o.Plan)
	assert.Equal(t, escalate.Plan{Mode: severity.ModePage, Policy: "route:database/page 10m", Hold: 2 * time.Minute}, *o.Plan)

	r.after(15 * time.Minute)
	assert.Equal(t, []string{
		"pager-alfa escalation PostgresDown in db [alfa][]", // 10:02, the route's on-call
		"sre-chat escalation PostgresDown in db [][sre]",    // 10:12, the ladder's next level
	}, r.sent.lines())

	inc, err := r.m.Acknowledge(r.ctx, o.Incident.ID, "alfa", "")
	require.NoError(t, err)
	r.p.Changed(r.ctx, inc, incident.EventAcknowledged)
	r.resolve(pg, start)
	r.after(time.Minute)
	followUps := r.sent.lines()[2:]
	slices.Sort(followUps) // the dispatcher's workers send in any order
	assert.Equal(t, []string{
		"pager-alfa acknowledged PostgresDown in db [][]", "pager-alfa resolved PostgresDown in db [][]",
		"sre-chat acknowledged PostgresDown in db [][]", "sre-chat resolved PostgresDown in db [][]",
	}, followUps, "follow-ups go where the incident went")

	// Labels in the order of their names.
	assert.Equal(t, 1.0, r.counter("alertkit_alerts_received_total", "new", "test"))
	assert.Equal(t, 1.0, r.counter("alertkit_alerts_received_total", "changed", "test"))
}

func (r *rig) counter(name string, values ...string) float64 {
	r.t.Helper()
	mfs, err := r.reg.Gather()
	require.NoError(r.t, err)
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			var got []string
			for _, l := range m.GetLabel() {
				got = append(got, l.GetValue())
			}
			if slices.Equal(got, values) {
				if m.Counter != nil {
					return m.Counter.GetValue()
				}
				return m.Gauge.GetValue()
			}
		}
	}
	return 0
}

// Triage drops and re-levels; a silence and an inhibition record the
// incident and page nobody; a route's policy pages as written.
func TestMutingAndPolicies(t *testing.T) {
	r := newRig(t)
	r.fire(model.LabelSet{"alertname": "Watchdog"})
	assert.True(t, r.last().Dropped)

	r.fire(model.LabelSet{"alertname": "PostgresDown", "cluster": "stage", "env": "staging", "severity_level": "2", "service_level": "gold"})
	o := r.last()
	assert.Equal(t, severity.S6, o.Class.Level, "staging is mild")
	assert.Equal(t, model.LabelValue("yes"), o.Labels["triaged"], "routes and incidents see the added label")
	assert.NotContains(t, o.Change.Alert.Labels, model.LabelName("triaged"), "the alert keeps the labels its source sent")
	assert.Equal(t, severity.ModeBatch, o.Plan.Mode, "S6 on gold goes to the digest")

	_, err := r.silences.Set(route.Silence{Match: "~cluster = maintenance", StartsAt: r.clock.Now(), EndsAt: r.clock.Now().Add(time.Hour), CreatedBy: "ops", Comment: "upgrade"})
	require.NoError(t, err)
	r.fire(model.LabelSet{"alertname": "PostgresDown", "cluster": "maintenance", "severity_level": "1", "service_level": "platinum"})
	o = r.last()
	assert.NotEmpty(t, o.Silenced)
	assert.NotNil(t, o.Incident, "recorded")
	assert.Nil(t, o.Plan, "nobody is paged")

	r.fire(model.LabelSet{"alertname": "NodeDown", "node": "n1", "severity_level": "3"})
	r.fire(model.LabelSet{"alertname": "TargetDown", "node": "n1", "instance": "a", "severity_level": "2", "service_level": "gold"})
	assert.Equal(t, "node-down", r.last().Inhibited)
	assert.Nil(t, r.last().Plan)

	r.fire(model.LabelSet{"alertname": "CheckoutErrors", "team": "payments", "severity_level": "1", "service_level": "gold"})
	assert.Equal(t, &escalate.Plan{Mode: severity.ModePage, Policy: "payments", Hold: time.Minute}, r.last().Plan)
	r.after(5 * time.Minute)
	assert.Contains(t, r.sent.lines(), "payments-pager escalation CheckoutErrors [payments-lead][]")

	for _, outcome := range []string{"dropped", "silenced", "inhibited", "routed"} {
		assert.Positive(t, r.counter("alertkit_alert_changes_total", outcome), outcome)
	}
	assert.Equal(t, 2.0, r.counter("alertkit_incidents", "S1", "open"), "the payments incident, and the silenced one: recorded")
	assert.Positive(t, r.counter("alertkit_escalation_pages_total", "escalation"))
	assert.Positive(t, r.counter("alertkit_notification_attempts_total", "delivered", "payments-pager"))
}

// A batch incident goes to the digest of the digest receivers.
func TestBatchGoesToTheDigest(t *testing.T) {
	r := newRig(t)
	r.fire(model.LabelSet{"alertname": "DiskFilling", "namespace": "shop", "severity_level": "5", "service_level": "gold"})
	assert.Equal(t, severity.ModeBatch, r.last().Plan.Mode)
	r.after(24 * time.Hour)
	var digests []string
	for _, l := range r.sent.lines() {
		if strings.Contains(l, " digest ") {
			digests = append(digests, l)
		}
	}
	assert.Equal(t, []string{"ops digest DiskFilling in shop [][]"}, digests)
}

func TestNewNeedsIncidents(t *testing.T) {
	_, err := pipeline.New(pipeline.Config{})
	assert.EqualError(t, err, "pipeline: incidents: missing (an incident.Manager)")
}
