package route_test

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alertkit/alertkit/alert"
	"github.com/alertkit/alertkit/incident"
	"github.com/alertkit/alertkit/route"
	"github.com/alertkit/alertkit/severity"
)

func TestSilences(t *testing.T) {
	s := route.NewSilences(nil)
	sil, err := s.Set(route.Silence{
		Match: `trigger = TargetDown AND ~instance =~ "10\\.244\\.37\\..*"`, StartsAt: monday, EndsAt: monday.Add(2 * time.Hour),
		CreatedBy: "vasiliy.vasiliyev", Comment: "rack 37 is being moved",
	})
	require.NoError(t, err)
	require.NotEmpty(t, sil.ID)
	_, err = s.Set(route.Silence{ID: "deploy", Match: `project = shop`, StartsAt: monday.Add(time.Hour), EndsAt: monday.Add(90 * time.Minute),
		CreatedBy: "ci", Comment: "deploy"})
	require.NoError(t, err)

	target := subject(t, monday, "alertname", "TargetDown", "instance", "10.244.37.14:9403", "namespace", "shop")
	tests := []struct {
		at   time.Time
		want []string
	}{
		{monday.Add(-time.Second), nil},
		{monday, []string{sil.ID}},
		{monday.Add(time.Hour), []string{"deploy", sil.ID}},
		{monday.Add(2 * time.Hour), nil},
	}
	for _, tt := range tests {
		got := s.Muting(target, tt.at)
		assert.ElementsMatch(t, tt.want, got, tt.at)
		id, muted := s.Mutes(target, tt.at)
		assert.Equal(t, len(tt.want) > 0, muted)
		if muted {
			assert.Contains(t, tt.want, id)
		}
	}
	other := subject(t, monday, "alertname", "TargetDown", "instance", "10.0.0.1:9100")
	_, muted := s.Mutes(other, monday)
	assert.False(t, muted)

	// The resolved notification of a silenced alert goes out if the silence says so.
	_, err = s.Set(route.Silence{ID: "maintenance", Match: `~instance = "10.0.0.9:9100"`, StartsAt: monday, EndsAt: monday.Add(time.Hour),
		CreatedBy: "oleg", Comment: "disk swap", NotifyResolved: true})
	require.NoError(t, err)
	down := subject(t, monday, "alertname", "TargetDown", "instance", "10.0.0.9:9100")
	_, muted = s.Mutes(down, monday.Add(time.Minute))
	assert.True(t, muted, "muted while it fires")
	down.Alert.EndsAt, down.At = monday.Add(2*time.Minute), monday.Add(2*time.Minute)
	_, muted = s.Mutes(down, down.At)
	assert.False(t, muted, "not muted once resolved")
	require.NoError(t, s.Expire("maintenance", monday))

	require.NoError(t, s.Expire(sil.ID, monday.Add(30*time.Minute)))
	_, muted = s.Mutes(target, monday.Add(45*time.Minute))
	assert.False(t, muted, "expired")
	assert.Error(t, s.Expire("nope", monday))
	assert.Equal(t, 3, len(s.List()))
	assert.Equal(t, 2, s.Delete(monday.Add(time.Hour)))
	assert.Equal(t, 1, len(s.List()))

	for name, bad := range map[string]route.Silence{
		`silence: empty match: a silence must say which alerts it mutes`:                     {StartsAt: monday, EndsAt: monday.Add(time.Hour), CreatedBy: "a", Comment: "b"},
		`silence: ends at 2026-11-23T10:00:00Z, not after it starts at 2026-11-23T10:00:00Z`: {Match: "~a = b", StartsAt: monday, EndsAt: monday, CreatedBy: "a", Comment: "b"},
		`silence: missing author (CreatedBy)`:                                                {Match: "~a = b", StartsAt: monday, EndsAt: monday.Add(time.Hour), Comment: "b"},
		`silence: missing comment: say why`:                                                  {Match: "~a = b", StartsAt: monday, EndsAt: monday.Add(time.Hour), CreatedBy: "a"},
		`silence: a silence needs a start and an end`:                                        {Match: "~a = b", CreatedBy: "a", Comment: "b"},
		`silence x: mql: 1:4: expected a value after "=", got end of query`:                  {ID: "x", Match: "a =", StartsAt: monday, EndsAt: monday.Add(time.Hour), CreatedBy: "a", Comment: "b"},
		`silence: "~a =~ \".*\"" matches an alert with no labels at all, so it would mute every alert or nearly: name what it mutes`: {
			Match: `~a =~ ".*"`, StartsAt: monday, EndsAt: monday.Add(time.Hour), CreatedBy: "a", Comment: "b"},
		`silence: "NOT trigger = Watchdog" matches an alert with no labels at all, so it would mute every alert or nearly: name what it mutes`: {
			Match: `NOT trigger = Watchdog`, StartsAt: monday, EndsAt: monday.Add(time.Hour), CreatedBy: "a", Comment: "b"},
	} {
		_, err := s.Set(bad)
		assert.EqualError(t, err, name)
	}
}

func TestInhibition(t *testing.T) {
	in, err := route.NewInhibitor([]route.InhibitRule{{
		Name: "node-down", Source: "trigger = NodeDown", Target: "trigger = TargetDown", Equal: []model.LabelName{"node"},
	}, {
		Name: "critical-hides-warning", Source: "~severity = critical", Target: "~severity = warning", Equal: []model.LabelName{"alertname", "namespace"},
	}}, nil)
	require.NoError(t, err)

	nodeDown := subject(t, monday, "alertname", "NodeDown", "node", "kube-3")
	targetOn3 := subject(t, monday, "alertname", "TargetDown", "node", "kube-3", "instance", "a")
	targetOn1 := subject(t, monday, "alertname", "TargetDown", "node", "kube-1", "instance", "b")

	_, _, ok := in.Inhibited(targetOn3)
	assert.False(t, ok, "nothing fires yet")
	in.Observe(nodeDown)
	rule, src, ok := in.Inhibited(targetOn3)
	require.True(t, ok)
	assert.Equal(t, "node-down", rule)
	assert.Equal(t, alert.Fingerprint(nodeDown.Alert.Labels), src)
	_, _, ok = in.Inhibited(targetOn1)
	assert.False(t, ok, "another node")

	resolved := *nodeDown.Alert
	resolved.EndsAt = monday
	in.Observe(&route.Subject{Alert: &resolved, At: monday})
	_, _, ok = in.Inhibited(targetOn3)
	assert.False(t, ok, "the source resolved")
	assert.Zero(t, in.Sources())

	// An alert that matches both sides does not inhibit itself.
	crit := subject(t, monday, "alertname", "HighLatency", "namespace", "shop", "severity", "critical")
	warn := subject(t, monday, "alertname", "HighLatency", "namespace", "shop", "severity", "warning")
	in.Observe(crit)
	_, _, ok = in.Inhibited(warn)
	assert.True(t, ok)
	pending := subject(t, monday, "alertname", "NodeDown", "node", "kube-1")
	pending.Alert.Pending = true
	in.Observe(pending)
	_, _, ok = in.Inhibited(targetOn1)
	assert.False(t, ok, "a pending alert does not inhibit")

	_, err = route.NewInhibitor([]route.InhibitRule{{Source: "a =", Target: "b = c"}}, nil)
	assert.EqualError(t, err, `inhibit rule inhibit_rules[0]: source: mql: 1:4: expected a value after "=", got end of query`)
}

func TestTriage(t *testing.T) {
	r := testRouter(t)
	tr, err := route.NewTriage(r.Config().Triage, nil)
	require.NoError(t, err)

	v := tr.Apply(subject(t, monday, "alertname", "Watchdog"))
	assert.Equal(t, route.Verdict{Rules: []string{"watchdog"}, Drop: true}, v)
	v = tr.Apply(subject(t, monday, "alertname", "BackupFailed", "env", "staging"))
	assert.Equal(t, route.Verdict{
		Rules:    []string{"staging-is-mild", "backup-owner"},
		Severity: severity.S6, AddLabels: model.LabelSet{"noise": "yes"},
		Assign: "vladim.lazovsky", Acknowledge: true, ResolveAfter: time.Hour,
	}, v)
	assert.Equal(t, route.Verdict{}, tr.Apply(subject(t, monday, "alertname", "X")))

	for want, rule := range map[string]route.TriageRule{
		"triage rule triage[0]: no action (drop, severity, add_labels, assign, acknowledge or resolve_after)": {Match: "~a = b"},
		"triage rule x: drop excludes every other action":                                                     {Name: "x", Match: "~a = b", Drop: true, Assign: "y"},
		"triage rule triage[0]: add_labels: invalid label 1x=\"y\"":                                           {Match: "~a = b", AddLabels: model.LabelSet{"1x": "y"}},
	} {
		_, err := route.NewTriage([]route.TriageRule{rule}, nil)
		assert.EqualError(t, err, want)
	}
	_, err = route.Parse([]byte("triage:\n  - match: ~a = b\n    severity: S12\n"), "t.yaml")
	assert.EqualError(t, err, `t.yaml:3:15: triage[0].severity: invalid level "S12" (want S1 to S9)`)
}

func TestRunbooks(t *testing.T) {
	rb, err := route.LoadRunbooks(os.DirFS("testdata"), "runbooks", nil)
	require.NoError(t, err)
	assert.Len(t, rb.All(), 3)
	titles := func(list []*route.Runbook) []string {
		var out []string
		for _, r := range list {
			out = append(out, r.Title)
		}
		return out
	}
	s := subject(t, monday, "alertname", "IngressResponses5xx", "namespace", "site")
	assert.Equal(t, []string{"The site's ingress", "Ingress answers 5xx"}, titles(rb.For(s)), "highest priority first")
	assert.Contains(t, rb.For(s)[1].Body, "kubectl -n $namespace get ingress")

	// An incident is a subject too: a runbook whose query any alert matches.
	view := incident.View{Incident: &incident.Incident{}, Members: []incident.Member{
		{Labels: labels("alertname", "TargetDown", "namespace", "horns-and-hooves")},
		{Labels: labels("alertname", "IngressResponses5xx", "namespace", "shop")},
	}, At: monday}
	assert.Equal(t, []string{"Ingress answers 5xx", "Any alert of horns-and-hooves"}, titles(rb.For(view)))

	_, err = route.LoadRunbooks(os.DirFS("testdata"), "badrunbooks", nil)
	require.Error(t, err)
	msgs := strings.Split(err.Error(), "\n")
	assert.ElementsMatch(t, []string{
		`badrunbooks/bad-mql.md:3:39: runbook Broken: mql: expected a field or label after AND, got end of query`,
		`badrunbooks/bad-priority.md:4:11: priority: expected an integer, got "high"`,
		`badrunbooks/no-front-matter.md:1: expected front matter starting with a line "---"`,
		`badrunbooks/no-title.md:2: front matter: missing title`,
	}, msgs)
}

func TestFromAlertmanager(t *testing.T) {
	cfg, err := route.FromAlertmanager([]byte(`
global:
  resolve_timeout: 5m
route:
  receiver: default
  group_by: [alertname, cluster]
  group_wait: 10s
  routes:
    - matchers: ['severity="critical"', 'team=~"db|web|sre"']
      receiver: pager
      continue: true
      mute_time_intervals: [nights]
    - match: {team: sre}
      match_re: {service: "api|web"}
      receiver: sre
      group_by: ['...']
      routes:
        - matchers: [env!="prod"]
          receiver: sre-low
inhibit_rules:
  - source_matchers: [alertname = NodeDown]
    target_match: {alertname: TargetDown}
    equal: [node]
time_intervals:
  - name: nights
    time_intervals: [{times: [{start_time: "00:00", end_time: "06:00"}]}]
receivers:
  - name: default
  - name: pager
  - name: sre
  - name: sre-low
`), "alertmanager.yml")
	require.NoError(t, err)
	assert.Equal(t, []route.Target{{Kind: route.TargetReceiver, Name: "default"}}, cfg.Default.To)
	require.Len(t, cfg.Routes, 2)
	assert.Equal(t, `~severity = "critical" AND ~team =~ "db|web|sre"`, cfg.Routes[0].Match)
	assert.True(t, cfg.Routes[0].Continue)
	assert.Equal(t, `~team = "sre" AND ~service =~ "api|web"`, cfg.Routes[1].Match)
	assert.Equal(t, []model.LabelName{"..."}, cfg.Routes[1].GroupBy)
	assert.Equal(t, `~env != "prod"`, cfg.Routes[1].Routes[0].Match)
	assert.Equal(t, `~alertname = "NodeDown"`, cfg.Inhibit[0].Source)
	assert.Equal(t, `~alertname = "TargetDown"`, cfg.Inhibit[0].Target)

	r, err := route.Compile(cfg, nil)
	require.NoError(t, err)
	var ids []string
	for _, rt := range r.Route(subject(t, monday, "alertname", "X", "severity", "critical", "team", "sre", "service", "api", "env", "dev")) {
		ids = append(ids, fmt.Sprintf("%s %s %v", rt.ID, rt.Targets[0].Name, rt.Grouping.By))
	}
	assert.Equal(t, []string{"route.routes[0] pager [alertname cluster]", "route.routes[1].routes[0] sre-low [...]"}, ids)

	_, err = route.FromAlertmanager([]byte("route:\n  receiver: a\n  routes: [{receiver: b}]\nreceivers: [{name: a}]\n"), "am.yml")
	assert.EqualError(t, err, `am.yml:3:23: route.routes[0]: receiver:b: no receiver "b" (receivers: a)`)
	_, err = route.FromAlertmanager([]byte("route:\n  receiver: a\n  routes: [{matchers: ['a=~\"(\"']}]\n"), "am.yml")
	assert.ErrorContains(t, err, "am.yml: route.routes[0].matchers[0]: mql: alertmanager matchers:")
	_, err = route.FromAlertmanager([]byte("receivers: []\n"), "am.yml")
	assert.EqualError(t, err, "am.yml: no route")
}

// An Alertmanager route whose matchers list an empty one takes it as no
// constraint, as Alertmanager does.
func TestFromAlertmanagerEmptyMatcher(t *testing.T) {
	cfg, err := route.FromAlertmanager([]byte(`
route:
  receiver: ops
  routes:
    - receiver: db
      matchers: ['{}', 'team="db"']
receivers: [{name: ops}, {name: db}]
`), "am.yml")
	require.NoError(t, err)
	require.Len(t, cfg.Routes, 1)
	assert.Equal(t, `~team = "db"`, cfg.Routes[0].Match)
}
