package route_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alertkit/alertkit/alert"
	"github.com/alertkit/alertkit/route"
	"github.com/alertkit/alertkit/severity"
)

// tuesday2pm is inside the deploy window of testdata/routes.yaml.
var (
	monday    = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	tuesday2p = time.Date(2026, 11, 24, 14, 30, 0, 0, time.UTC)
)

func labels(kv ...string) model.LabelSet {
	ls := model.LabelSet{}
	for i := 0; i+1 < len(kv); i += 2 {
		ls[model.LabelName(kv[i])] = model.LabelValue(kv[i+1])
	}
	return ls
}

func subject(t *testing.T, at time.Time, kv ...string) *route.Subject {
	t.Helper()
	a := &alert.Alert{Labels: labels(kv...), StartsAt: at.Add(-time.Minute), UpdatedAt: at}
	c, err := severity.DefaultPolicy().Classify(a.Labels)
	require.NoError(t, err)
	return &route.Subject{Alert: a, Class: c, At: at}
}

func testRouter(t *testing.T) *route.Router {
	t.Helper()
	cfg, err := route.LoadFile("testdata/routes.yaml")
	require.NoError(t, err)
	r, err := route.Compile(cfg, nil)
	require.NoError(t, err)
	return r
}

func TestRoute(t *testing.T) {
	r := testRouter(t)
	tests := []struct {
		name     string
		at       time.Time
		labels   []string
		want     []string // "id -> targets"
		groupKey string
		muted    string
	}{
		{
			name:   "the line form",
			labels: []string{"alertname", "GitlabDown", "namespace", "horns-and-hooves", "server", "gitlab"},
			want:   []string{"routes[0] -> @vasiliy.vasiliyev"}, groupKey: `routes[0]{alertname="GitlabDown", namespace="horns-and-hooves"}`,
		},
		{
			name:   "nothing matches: the default",
			labels: []string{"alertname", "DiskFull", "namespace", "shop"},
			want:   []string{"default -> receiver:ops-digest"}, groupKey: `default{alertname="DiskFull", namespace="shop"}`,
		},
		{
			name:   "a parent rule takes what its children do not",
			labels: []string{"alertname", "PostgresDown", "cluster", "main", "role", "primary"},
			want:   []string{"database -> policy:db-oncall"}, groupKey: `database{alertname="PostgresDown", cluster="main"}`,
		},
		{
			name:   "a child rule inherits group_by",
			labels: []string{"alertname", "PostgresReplicationLag", "cluster", "main", "role", "replica", "severity", "warning"},
			want:   []string{"database-replicas -> receiver:db-slack"}, groupKey: `database-replicas{alertname="PostgresReplicationLag", cluster="main"}`,
		},
		{
			name:   "continue: ingress and then sre",
			labels: []string{"alertname", "IngressResponses5xx", "namespace", "site", "severity_level", "1", "service_level", "platinum"},
			want:   []string{"ingress -> team:web, receiver:slack-web", "sre -> team:sre"},
		},
		{
			name:   "a mute interval",
			at:     tuesday2p,
			labels: []string{"alertname", "IngressErrors5xx", "namespace", "site"},
			want:   []string{"ingress -> team:web, receiver:slack-web"}, muted: "in deploy-window",
		},
		{
			name:   "severity and service level from the classification",
			labels: []string{"alertname", "CheckoutDown", "namespace", "shop", "impact", "deadly", "likelihood", "likely", "service_level", "gold"},
			want:   []string{"sre -> team:sre"},
		},
		{
			name:   "too mild for sre",
			labels: []string{"alertname", "CheckoutSlow", "namespace", "shop", "severity", "warning", "service_level", "gold"},
			want:   []string{"default -> receiver:ops-digest"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			at := tt.at
			if at.IsZero() {
				at = monday
			}
			routes := r.Route(subject(t, at, tt.labels...))
			var got []string
			for _, rt := range routes {
				var targets []string
				for _, tg := range rt.Targets {
					targets = append(targets, tg.String())
				}
				got = append(got, rt.ID+" -> "+strings.Join(targets, ", "))
			}
			assert.Equal(t, tt.want, got)
			if tt.groupKey != "" {
				assert.Equal(t, tt.groupKey, routes[0].GroupKey)
			}
			assert.Equal(t, tt.muted, routes[0].MutedBy)
			assert.Equal(t, tt.muted != "", routes[0].Muted)
		})
	}
}

func TestTimingsAreInherited(t *testing.T) {
	r := testRouter(t)
	rt := r.Route(subject(t, monday, "alertname", "PostgresReplicationLag", "role", "replica", "severity", "info"))[0]
	assert.Equal(t, "database-replicas", rt.ID)
	assert.Equal(t, route.Timing{Wait: 5 * time.Minute, Interval: route.DefaultGroupInterval, Repeat: route.DefaultRepeatInterval}, rt.Timing)
	def := r.Route(subject(t, monday, "alertname", "X"))[0]
	assert.Equal(t, 30*time.Second, def.Timing.Wait, "the default route's own")
}

func TestExplain(t *testing.T) {
	r := testRouter(t)
	s := subject(t, monday, "alertname", "GitlabDown", "namespace", "shop", "server", "gitlab")
	assert.Equal(t, `default: taken
  routes[0]: no: project = "horns-and-hooves" does not hold: project is "shop"
  database: no: ~team = "db" OR trigger =~ "Postgres.*" does not hold
    database-replicas: not reached
  ingress: no: trigger IN ("IngressResponses5xx", "IngressErrors5xx") does not hold: trigger is "GitlabDown"
  sre: no: severity <= "S2" does not hold: severity is S5
`, route.FormatSteps(r.Explain(s)))

	s = subject(t, monday, "alertname", "PostgresDown", "team", "db", "role", "replica", "severity", "info")
	assert.Equal(t, `default: matched, passed to a child rule
  routes[0]: no: project = "horns-and-hooves" does not hold: project is ""
  database: matched, passed to a child rule
    database-replicas: taken
  ingress: not reached
  sre: not reached
`, route.FormatSteps(r.Explain(s)))
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, yaml, want string
	}{
		{"mql in a line rule", "routes:\n  - 'project = -> @x'\n", `routes.yaml:2:15: rule routes[0]: mql: expected a value after "=", got end of query`},
		{"mql in a match", "routes:\n  - name: db\n    match: ~team = db AND\n    to: [team:db]\n", `routes.yaml:3:26: rule db: mql: expected a field or label after AND, got end of query`},
		{"mql in a quoted match", "routes:\n  - match: \"~a =~ '['\"\n    to: [team:x]\n", `routes.yaml:2:19: rule routes[0]: mql: invalid regular expression "[": missing closing ]`},
		{"no arrow", "routes:\n  - 'trigger = X'\n", `routes[0]: routes.yaml:2:6: expected "<query> -> <targets>", found no "->" outside quotes`},
		{"bad target in a line", "routes:\n  - 'trigger = X -> @a, slack'\n", `routes[0]: routes.yaml:2:25: unknown target "slack" (want @user, team:name, receiver:name, policy:name or oncall:schedule/layer)`},
		{"bad target in a list", "routes:\n  - match: trigger = X\n    to: [team:a, 'bob']\n", `routes.yaml:3:18: routes[0].to[1]: unknown target "bob" (want @user, team:name, receiver:name, policy:name or oncall:schedule/layer)`},
		{"unknown key", "routes:\n  - match: trigger = X\n    too: [team:a]\n", `routes.yaml:3:5: routes[0]: unknown key "too" (want active_time_intervals, continue, group_by, group_interval, group_wait, match, mute_time_intervals, name, repeat_interval, routes, to)`},
		{"unknown top key", "rotes: []\n", `routes.yaml:1:1: config: unknown key "rotes" (want default, inhibit_rules, routes, time_intervals, triage)`},
		{"bad duration", "default:\n  group_wait: soon\n", `routes.yaml:2:15: default.group_wait: invalid duration "soon" (want 30s, 5m, 4h, …)`},
		{"bad group_by", "default:\n  group_by: [alertname, '']\n", `routes.yaml:2:25: default.group_by[1]: invalid label name ""`},
		{"nested", "routes:\n  - match: ~a = b\n    to: [team:x]\n    routes:\n      - 'x = -> @y'\n", `routes.yaml:5:13: rule routes[0].routes[0]: mql: expected a value after "=", got end of query`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := route.Parse([]byte(tt.yaml), "routes.yaml")
			if err == nil {
				_, err = route.Compile(cfg, nil)
			}
			require.Error(t, err)
			assert.Equal(t, tt.want, err.Error())
		})
	}
}

func TestCompileErrors(t *testing.T) {
	tests := []struct {
		name string
		cfg  route.Config
		want string
	}{
		{"unknown interval", route.Config{Routes: []*route.Rule{{Name: "x", MuteTimeIntervals: []string{"nights"}}}},
			`rule x: no time interval "nights" (the config has none)`},
		{"duplicate names", route.Config{Routes: []*route.Rule{{Name: "x"}, {Name: "y", Routes: []*route.Rule{{Name: "x"}}}}},
			`rule x: the name is used twice`},
		{"default with a match", route.Config{Default: route.Rule{Match: "a = b"}},
			`the default route matches every alert; it takes no match`},
		{"mql without a file", route.Config{Routes: []*route.Rule{{Name: "x", Match: "a ="}}},
			`rule x: mql: 1:4: expected a value after "=", got end of query`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := route.Compile(&tt.cfg, nil)
			require.Error(t, err)
			assert.Equal(t, tt.want, err.Error())
		})
	}
}

func TestParseLines(t *testing.T) {
	rules, err := route.ParseLines(`# horns-and-hooves
project = "horns-and-hooves" AND ~server = "gitlab" -> @vasiliy.vasiliyev
  trigger = "a -> b" -> team:sre, receiver:slack-ops continue

trigger = TargetDown -> policy:db`, "rules.txt")
	require.NoError(t, err)
	require.Len(t, rules, 3)
	assert.Equal(t, `project = "horns-and-hooves" AND ~server = "gitlab"`, rules[0].Match)
	assert.Equal(t, []route.Target{{Kind: route.TargetUser, Name: "vasiliy.vasiliyev"}}, rules[0].To)
	assert.Equal(t, `trigger = "a -> b"`, rules[1].Match, "an arrow inside quotes is part of the query")
	assert.True(t, rules[1].Continue)
	assert.Equal(t, []route.Target{{Kind: route.TargetTeam, Name: "sre"}, {Kind: route.TargetReceiver, Name: "slack-ops"}}, rules[1].To)
	assert.Equal(t, route.Position{File: "rules.txt", Line: 3, Column: 3}, rules[1].Source)

	_, err = route.ParseLines("a = b -> @x\nc = d ->\ne = f -> bob\n", "rules.txt")
	require.Error(t, err)
	assert.Equal(t, "rules.txt:2:7: no target after \"->\"\nrules.txt:3:10: unknown target \"bob\" (want @user, team:name, receiver:name, policy:name or oncall:schedule/layer)", err.Error())

	r, err := route.Compile(&route.Config{Routes: rules}, nil)
	require.NoError(t, err)
	got := r.Route(subject(t, monday, "alertname", "TargetDown"))
	assert.Equal(t, "routes[2]", got[0].ID)
}

// TestIndexAgreesWithScanning routes random alerts through many random
// rules — enough to be indexed — and checks the indexed routing against the
// rule-by-rule walk of Explain.
func TestIndexAgreesWithScanning(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 8))
	values := []string{"a", "b", "c", "d", ""}
	pick := func() string { return values[rng.IntN(len(values))] }
	var rules []*route.Rule
	for i := range 60 {
		var terms []string
		switch rng.IntN(5) {
		case 0:
			terms = append(terms, fmt.Sprintf("~service = %q", pick()))
		case 1:
			terms = append(terms, fmt.Sprintf("trigger IN (%q, %q)", pick(), pick()))
		case 2:
			terms = append(terms, fmt.Sprintf("~team = %q AND ~service = %q", pick(), pick()))
		case 3:
			terms = append(terms, fmt.Sprintf("~team =~ %q", pick()+".*"))
		}
		if rng.IntN(3) == 0 {
			terms = append(terms, fmt.Sprintf("NOT ~env = %q", pick()))
		}
		rules = append(rules, &route.Rule{
			Name: fmt.Sprint("r", i), Match: strings.Join(terms, " AND "),
			To: []route.Target{{Kind: route.TargetTeam, Name: fmt.Sprint(i)}}, Continue: rng.IntN(4) == 0,
		})
	}
	r, err := route.Compile(&route.Config{Routes: rules}, nil)
	require.NoError(t, err)
	for range 2000 {
		var kv []string
		for _, name := range []string{"alertname", "service", "team", "env"} {
			if v := pick(); v != "" {
				kv = append(kv, name, v)
			}
		}
		s := subject(t, monday, kv...)
		var got, want []string
		for _, rt := range r.Route(s) {
			got = append(got, rt.ID)
		}
		for _, st := range r.Explain(s) {
			if st.Taken {
				want = append(want, st.ID)
			}
		}
		require.Equal(t, want, got, "alert %v", s.Alert.Labels)
	}
}

func TestTargets(t *testing.T) {
	for _, s := range []string{"@vasiliy.vasiliyev", "team:sre", "receiver:slack-ops", "policy:db-oncall"} {
		tg, err := route.ParseTarget(s)
		require.NoError(t, err)
		assert.Equal(t, s, tg.String())
	}
	for _, s := range []string{"", "@", "team:", "vasiliy", "team:a b"} {
		_, err := route.ParseTarget(s)
		assert.Error(t, err, s)
	}
}

// TestGroupKeyAsIncident checks that a route's GroupKey is its Grouping's
// GroupKey, for group labels in any order, repeated, absent or "...", and
// values that need quoting.
func TestGroupKeyAsIncident(t *testing.T) {
	values := []string{"", "shop", `say "hi"`, `back\slash`, "tab\there", "naïve", "日本", "\xff\xfe", "new\nline", "~!@#$%^&*()"}
	groupings := [][]model.LabelName{
		nil, {}, {"alertname"}, {"namespace", "alertname"}, {"alertname", "namespace", "alertname"},
		{"missing"}, {"..."}, {"zone", "alertname", "missing", "namespace"},
	}
	for _, by := range groupings {
		cfg := &route.Config{Default: route.Rule{To: []route.Target{{Kind: route.TargetReceiver, Name: "default"}}, GroupBy: by}}
		router, err := route.Compile(cfg, nil)
		require.NoError(t, err)
		for i, v := range values {
			ls := model.LabelSet{"alertname": model.LabelValue(v), "namespace": model.LabelValue(values[(i+3)%len(values)]), "zone": "eu"}
			got := router.Route(&route.Subject{Alert: &alert.Alert{Labels: ls}})
			require.Len(t, got, 1)
			assert.Equal(t, got[0].Grouping.GroupKey(ls), got[0].GroupKey, "group_by %v, labels %v", by, ls)
		}
	}
}

// TestRoutesListsEveryRule: Routes gives the default and every rule, with
// the targets they inherit.
func TestRoutesListsEveryRule(t *testing.T) {
	cfg, err := route.Parse([]byte(`
default: {to: [receiver:ops], group_by: [alertname]}
routes:
  - name: db
    match: ~team = db
    to: [policy:db-oncall]
    routes:
      - 'trigger = PostgresDown -> @dba'
      - match: trigger = ReplicationLag
  - 'trigger = Watchdog -> receiver:deadman'
`), "routes.yaml")
	require.NoError(t, err)
	r, err := route.Compile(cfg, nil)
	require.NoError(t, err)
	var got []string
	for _, rt := range r.Routes() {
		var targets []string
		for _, tg := range rt.Targets {
			targets = append(targets, tg.String())
		}
		got = append(got, rt.ID+" → "+strings.Join(targets, ", "))
	}
	require.Equal(t, []string{
		"default → receiver:ops",
		"db → policy:db-oncall",
		"routes[0].routes[0] → @dba",
		"routes[0].routes[1] → policy:db-oncall",
		"routes[1] → receiver:deadman",
	}, got)
}

// Build compiles a whole configuration in one call: routes, triage and
// inhibition with one parser, and the silences beside them; its errors
// name where the rule was written.
func TestBuild(t *testing.T) {
	cfg, err := route.Parse([]byte(`
default: {to: [receiver:ops], group_by: [alertname]}
routes:
  - 'trigger = TargetDown -> team:sre'
triage:
  - {name: core, match: '~cluster = main', add_labels: {tier: core}}
inhibit_rules:
  - {name: node-down, source: trigger = NodeDown, target: trigger = TargetDown, equal: [node]}
`), "routes.yaml")
	require.NoError(t, err)
	stages, err := route.Build(cfg, nil)
	require.NoError(t, err)
	require.NotNil(t, stages.Router)
	require.NotNil(t, stages.Triage)
	require.NotNil(t, stages.Inhibitor)
	require.NotNil(t, stages.Silences)
	verdict := stages.Triage.Apply(subject(t, monday, "alertname", "TargetDown", "cluster", "main"))
	assert.Equal(t, model.LabelValue("core"), verdict.AddLabels["tier"])
	routes := stages.Router.Route(subject(t, monday, "alertname", "TargetDown"))
	require.NotEmpty(t, routes)

	bad, err := route.Parse([]byte(`
default: {to: [receiver:ops]}
triage:
  - {name: core, match: '~cluster =', add_labels: {tier: core}}
`), "routes.yaml")
	require.NoError(t, err)
	_, err = route.Build(bad, nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "routes.yaml:4:")
}

// A Router keeps a copy of its configuration: changing the caller's
// afterwards changes nothing.
func TestCompileCopiesTheConfig(t *testing.T) {
	cfg := &route.Config{
		Default: route.Rule{To: []route.Target{{Kind: route.TargetReceiver, Name: "ops"}}, GroupBy: []model.LabelName{"alertname"}},
		Routes:  []*route.Rule{{Name: "sre", Match: "trigger = TargetDown", To: []route.Target{{Kind: route.TargetTeam, Name: "sre"}}}},
	}
	router, err := route.Compile(cfg, nil)
	require.NoError(t, err)
	cfg.Routes[0].To[0].Name = "payments"
	cfg.Routes[0].Name = "renamed"
	cfg.Default.GroupBy[0] = "instance"
	got := router.Config()
	assert.Equal(t, "sre", got.Routes[0].Name)
	assert.Equal(t, "sre", got.Routes[0].To[0].Name)
	assert.Equal(t, model.LabelName("alertname"), got.Default.GroupBy[0])
	got.Routes[0].Name = "changed by a reader"
	assert.Equal(t, "sre", router.Config().Routes[0].Name, "Config returns a copy")
}
