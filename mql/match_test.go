package mql_test

import (
	"testing"
	"time"

	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alertkit/alertkit/alert"
	"github.com/alertkit/alertkit/mql"
)

func labels(kv ...string) model.LabelSet {
	ls := model.LabelSet{}
	for i := 0; i+1 < len(kv); i += 2 {
		ls[model.LabelName(kv[i])] = model.LabelValue(kv[i+1])
	}
	return ls
}

// incident is a hand-built subject with many alerts, as an incident of the
// incident package will be: per-alert labels and states, and fields of its
// own.
type incident struct {
	alerts   []model.LabelSet
	states   []alert.State
	status   string
	assignee string
	severity int
	age      time.Duration
}

func (s *incident) Alerts() int { return len(s.alerts) }

func (s *incident) Label(i int, name string) (string, bool) {
	v, ok := s.alerts[i][model.LabelName(name)]
	return string(v), ok
}

func (s *incident) Field(i int, f mql.Field) (mql.Value, bool) {
	switch f {
	case mql.FieldState:
		return mql.Value{Str: s.states[i].String()}, true
	case mql.FieldStatus:
		return mql.Value{Str: s.status}, true
	case mql.FieldAssignee:
		return mql.Value{Str: s.assignee}, s.assignee != ""
	case mql.FieldSeverity:
		return mql.SeverityValue(s.severity), s.severity > 0
	case mql.FieldAge:
		return mql.AgeValue(s.age), true
	}
	return mql.Value{}, false
}

// Subjects of the usual kinds.
var (
	ingress = labels("alertname", "IngressResponses5xx", "namespace", "horns-and-hooves", "kubernetes", "msm-prod",
		"vhost", "static.example.com", "severity_level", "3", "service_level", "gold")
	noData = labels("alertname", "no-data-for-job", "project", "horns", "instance", "10.244.37.14:9403",
		"severity_level", "S5", "replicas", "2", "city", "Москва", "note", "say \"hi\"\n")
	gitlab = labels("alertname", "GitlabDown", "project", "horns-and-hooves", "server", "gitlab", "trigger", "HTTPCheckFailed")
	bare   = labels("alertname", "Watchdog")

	// A 7-alert incident of three triggers, reduced to three alerts.
	nodeIncident = &incident{
		alerts: []model.LabelSet{
			labels("alertname", "IngressErrors5xx", "namespace", "horns-and-hooves", "node", "n1"),
			labels("alertname", "NodePressureConditions", "namespace", "horns-and-hooves", "node", "n1", "condition", "DiskPressure"),
			labels("alertname", "NodePressureConditions", "namespace", "horns-and-hooves", "node", "n2", "condition", "MemoryPressure"),
		},
		states:   []alert.State{alert.StateResolved, alert.StateFiring, alert.StateFiring},
		status:   "acknowledged",
		assignee: "vasiliy.vasiliyev",
		severity: 2,
		age:      3*time.Hour + 41*time.Minute,
	}
	emptyIncident = &incident{status: "open"}
)

func TestMatch(t *testing.T) {
	tests := []struct {
		name    string
		query   string
		subject mql.Subject
		want    bool
	}{
		// Queries as people write them.
		{"query 1", `trigger = "IngressResponses5xx"`, mql.Labels(ingress), true},
		{"query 1 other trigger", `trigger = "IngressResponses5xx"`, mql.Labels(noData), false},
		{"query 2", `trigger = "IngressResponses5xx" AND project = "horns-and-hooves"`, mql.Labels(ingress), true},
		{"query 2 project from namespace only", `trigger = "IngressResponses5xx" AND project = "horns"`, mql.Labels(ingress), false},
		{"query 3", `project = "horns-and-hooves" AND trigger = "IngressResponses5xx" AND ~kubernetes = "msm-prod" and ~vhost =~ "static.example.com"`, mql.Labels(ingress), true},
		{"query 3 other cluster", `project = "horns-and-hooves" AND trigger = "IngressResponses5xx" AND ~kubernetes = "msm-stage" and ~vhost =~ "static.example.com"`, mql.Labels(ingress), false},
		{"query 4", `project=~horns and trigger=~no-data-for`, mql.Labels(noData), false},
		{"query 4 anchored regex needs the rest", `project=~horns and trigger=~no-data-for.*`, mql.Labels(noData), true},
		{"a routing line", `project = "horns-and-hooves" AND ~server = "gitlab"`, mql.Labels(gitlab), true},

		// Keywords in any case.
		{"lower and", `~vhost = static.example.com and ~kubernetes = msm-prod`, mql.Labels(ingress), true},
		{"mixed And", `~vhost = static.example.com And ~kubernetes = msm-stage`, mql.Labels(ingress), false},
		{"lower or", `~kubernetes = msm-stage or ~kubernetes = msm-prod`, mql.Labels(ingress), true},
		{"lower not", `not ~kubernetes = msm-stage`, mql.Labels(ingress), true},
		{"lower in", `~kubernetes in (msm-stage, msm-prod)`, mql.Labels(ingress), true},
		{"lower not in", `~kubernetes not in (msm-stage, msm-prod)`, mql.Labels(ingress), false},

		// Values: bare, quoted, escaped, unicode.
		{"bare address", `~instance = 10.244.37.14:9403`, mql.Labels(noData), true},
		{"bare host", `~vhost = static.example.com`, mql.Labels(ingress), true},
		{"single quotes", `~vhost = 'static.example.com'`, mql.Labels(ingress), true},
		{"escaped quotes and newline", `~note = "say \"hi\"\n"`, mql.Labels(noData), true},
		{"escaped double quote in single quotes", `~note = 'say \"hi\"\n'`, mql.Labels(noData), true},
		{"unescaped double quote in single quotes", `~note = 'say "hi"\n'`, mql.Labels(noData), true},
		{"unicode value", `~city = "Москва"`, mql.Labels(noData), true},
		{"unicode bare value", `~city = Москва`, mql.Labels(noData), true},
		{"unicode escape", `~city = "\u041c\u043e\u0441\u043a\u0432\u0430"`, mql.Labels(noData), true},
		{"unicode regex", `~city =~ "М.*"`, mql.Labels(noData), true},
		{"quoted keyword value", `~kubernetes != "and"`, mql.Labels(ingress), true},

		// Missing and empty labels, as in Prometheus.
		{"missing equals empty", `~team = ""`, mql.Labels(ingress), true},
		{"missing not equal empty", `~team != ""`, mql.Labels(ingress), false},
		{"present not equal empty", `~vhost != ""`, mql.Labels(ingress), true},
		{"missing not equal value", `~team != "db"`, mql.Labels(ingress), true},
		{"missing regex any", `~team =~ ".*"`, mql.Labels(ingress), true},
		{"missing regex some", `~team =~ ".+"`, mql.Labels(ingress), false},
		{"missing negative regex some", `~team !~ ".+"`, mql.Labels(ingress), true},
		{"missing negative regex any", `~team !~ ".*"`, mql.Labels(ingress), false},
		{"missing in list with empty", `~team IN ("", db)`, mql.Labels(ingress), true},
		{"missing not in list", `~team NOT IN (db, web)`, mql.Labels(ingress), true},
		{"missing ordered", `~replicas < 3`, mql.Labels(ingress), false},
		{"empty field from labels", `project = ""`, mql.Labels(bare), true},

		// Regular expressions are fully anchored RE2.
		{"regex anchored at start", `~vhost =~ "example.com"`, mql.Labels(ingress), false},
		{"regex anchored at end", `~vhost =~ "static"`, mql.Labels(ingress), false},
		{"regex whole", `~vhost =~ "static\\..*"`, mql.Labels(ingress), true},
		{"regex alternation anchored", `~kubernetes =~ "msm-prod|msm-stage"`, mql.Labels(ingress), true},
		{"regex alternation partial", `~kubernetes =~ "msm|prod"`, mql.Labels(ingress), false},
		{"negative regex", `~kubernetes !~ "msm-.*"`, mql.Labels(ingress), false},
		{"regex case-insensitive flag", `trigger =~ "(?i)ingressresponses5XX"`, mql.Labels(ingress), true},

		// IN and NOT IN.
		{"in one", `trigger IN (IngressResponses5xx)`, mql.Labels(ingress), true},
		{"in many", `trigger IN ("TargetDown", 'IngressResponses5xx', NodeDown)`, mql.Labels(ingress), true},
		{"in none", `trigger IN (TargetDown, NodeDown)`, mql.Labels(ingress), false},
		{"not in", `trigger NOT IN (TargetDown, NodeDown)`, mql.Labels(ingress), true},

		// Built-in fields from labels.
		{"trigger label wins over alertname", `trigger = HTTPCheckFailed`, mql.Labels(gitlab), true},
		{"alertname is still a label", `~alertname = GitlabDown`, mql.Labels(gitlab), true},
		{"tilde trigger is the label", `~trigger = HTTPCheckFailed`, mql.Labels(ingress), false},
		{"project label wins over namespace", `project = horns`, mql.Labels(noData), true},
		{"an unknown name is a label", `kubernetes = msm-prod`, mql.Labels(ingress), true},
		{"a quoted name is a label", `"kubernetes" = msm-prod`, mql.Labels(ingress), true},
		{"a quoted field name is a label", `"project" = horns-and-hooves`, mql.Labels(ingress), false},
		{"team from label", `team = ""`, mql.Labels(ingress), true},

		// Severity and service level.
		{"severity equal", `severity = S3`, mql.Labels(ingress), true},
		{"severity equal number", `severity = 3`, mql.Labels(ingress), true},
		{"severity at most", `severity <= S3`, mql.Labels(ingress), true},
		{"severity at most, milder", `severity <= S3`, mql.Labels(noData), false},
		{"severity milder than", `severity > s4`, mql.Labels(noData), true},
		{"severity in", `severity IN (S1, S2)`, mql.Labels(ingress), false},
		{"severity not in", `severity NOT IN (S1, S2)`, mql.Labels(ingress), true},
		{"severity missing", `severity <= S9`, mql.Labels(bare), false},
		{"severity missing not equal", `severity != S1`, mql.Labels(bare), true},
		{"service level at least", `service_level >= silver`, mql.Labels(ingress), true},
		{"service level above", `service_level > Gold`, mql.Labels(ingress), false},
		{"service level equal", `service_level = GOLD`, mql.Labels(ingress), true},

		// Numbers in labels.
		{"label less", `~replicas < 3`, mql.Labels(noData), true},
		{"label greater equal", `~replicas >= 2.5`, mql.Labels(noData), false},
		{"label not a number", `~city > 1`, mql.Labels(noData), false},
		{"negative number", `~replicas > -1`, mql.Labels(noData), true},

		// Precedence and grouping.
		{"and binds tighter than or", `~kubernetes = x OR ~vhost = static.example.com AND ~kubernetes = msm-prod`, mql.Labels(ingress), true},
		{"and binds tighter, false", `~kubernetes = msm-prod OR ~vhost = x AND ~kubernetes = y`, mql.Labels(ingress), true},
		{"parentheses", `(~kubernetes = msm-prod OR ~vhost = x) AND ~kubernetes = y`, mql.Labels(ingress), false},
		{"not binds tightest", `NOT ~kubernetes = x AND ~vhost = static.example.com`, mql.Labels(ingress), true},
		{"not of group", `NOT (~kubernetes = msm-prod AND ~vhost = static.example.com)`, mql.Labels(ingress), false},
		{"double not", `NOT NOT ~kubernetes = msm-prod`, mql.Labels(ingress), true},
		{"nested groups", `((trigger = x) OR ((~vhost = static.example.com)))`, mql.Labels(ingress), true},
		{"empty query", ``, mql.Labels(ingress), true},
		{"blank query", " \n\t", mql.Labels(bare), true},

		// Multi-alert subjects: any alert for positive, none for negative.
		{"incident any trigger", `trigger = NodePressureConditions`, nodeIncident, true},
		{"incident other trigger", `trigger = TargetDown`, nodeIncident, false},
		{"incident not equal means none", `trigger != IngressErrors5xx`, nodeIncident, false},
		{"incident not equal, none has it", `trigger != TargetDown`, nodeIncident, true},
		{"incident NOT means none", `NOT trigger = IngressErrors5xx`, nodeIncident, false},
		{"incident negative regex", `~condition !~ ".*Pressure"`, nodeIncident, false},
		{"incident not in", `~node NOT IN (n3, n4)`, nodeIncident, true},
		{"incident not in, one has it", `~node NOT IN (n2, n4)`, nodeIncident, false},
		{"incident predicates on different alerts", `~node = n1 AND ~node = n2`, nodeIncident, true},
		{"incident missing label on some alert", `~condition = ""`, nodeIncident, true},
		{"incident label summary regex", `~condition =~ "Disk.*"`, nodeIncident, true},
		{"incident state any", `state = resolved`, nodeIncident, true},
		{"incident state none pending", `state != pending`, nodeIncident, true},
		{"incident status", `status = acknowledged`, nodeIncident, true},
		{"incident status in", `status IN (open, snoozed)`, nodeIncident, false},
		{"incident assignee", `assignee = vasiliy.vasiliyev`, nodeIncident, true},
		{"incident severity of its own", `severity <= S2`, nodeIncident, true},
		{"incident severity stricter", `severity < S2`, nodeIncident, false},
		{"incident age", `age > 3h`, nodeIncident, true},
		{"incident age in days", `age >= 1d`, nodeIncident, false},
		{"incident project from labels", `project = horns-and-hooves AND status != closed`, nodeIncident, true},
		{"incident without alerts, label", `~node = ""`, emptyIncident, false},
		{"incident without alerts, negative", `~node != n1`, emptyIncident, true},
		{"incident without alerts, status", `status = open`, emptyIncident, true},
		{"incident without alerts, team from labels", `team = ""`, emptyIncident, true},
	}
	require.GreaterOrEqual(t, len(tests), 80)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := mql.Parse(tt.query)
			require.NoError(t, err)
			assert.Equal(t, tt.want, q.Match(tt.subject), "query %s", q)
			if ls, ok := tt.subject.(mql.Labels); ok {
				assert.Equal(t, tt.want, q.MatchLabels(model.LabelSet(ls)), "MatchLabels")
			}
		})
	}
}

func TestMatchAlertState(t *testing.T) {
	start := time.Date(2026, 11, 23, 9, 28, 12, 0, time.UTC)
	a := &alert.Alert{
		Labels:    labels("alertname", "TargetDown", "instance", "10.244.37.14:9403"),
		StartsAt:  start,
		RefreshBy: start.Add(5 * time.Minute),
	}
	tests := []struct {
		query string
		at    time.Duration
		want  bool
	}{
		{`state = firing`, time.Minute, true},
		{`state = unknown`, time.Minute, false},
		{`state = unknown`, 5 * time.Minute, true},
		{`state IN (firing, pending) AND trigger = TargetDown`, time.Minute, true},
		{`state != firing`, 10 * time.Minute, true},
		{`state =~ "fir.*|unk.*"`, 10 * time.Minute, true},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			q := mql.MustParse(tt.query)
			assert.Equal(t, tt.want, q.MatchAlert(a, start.Add(tt.at)))
			assert.Equal(t, tt.want, q.Match(mql.AlertAt{Alert: a, At: start.Add(tt.at)}))
		})
	}
	assert.False(t, mql.MustParse(`state = firing`).MatchLabels(a.Labels), "a label set has no state")
}

func TestParserFieldLabels(t *testing.T) {
	p := &mql.Parser{FieldLabels: map[mql.Field][]string{
		mql.FieldProject:  {"gitlab_project"},
		mql.FieldSeverity: {"priority"},
	}}
	ls := labels("alertname", "PipelineFailed", "namespace", "ci", "gitlab_project", "horns-and-hooves", "priority", "2")
	for query, want := range map[string]bool{
		`project = horns-and-hooves`: true,
		`project = ci`:               false,
		`severity <= S2`:             true,
		`trigger = PipelineFailed`:   true,
	} {
		q, err := p.Parse(query)
		require.NoError(t, err)
		assert.Equal(t, want, q.MatchLabels(ls), query)
	}
}

func TestMatchAllocatesNothing(t *testing.T) {
	q := mql.MustParse(`project = "horns-and-hooves" AND trigger =~ "Ingress.*" AND ~kubernetes IN (msm-prod, msm-stage) AND severity <= S3 AND NOT ~vhost = x`)
	a := &alert.Alert{Labels: ingress, StartsAt: time.Now()}
	now := time.Now()
	for name, f := range map[string]func(){
		"MatchLabels": func() { q.MatchLabels(ingress) },
		"MatchAlert":  func() { q.MatchAlert(a, now) },
		"Match":       func() { q.Match(nodeIncident) },
	} {
		assert.Zero(t, testing.AllocsPerRun(200, f), name)
	}
	require.True(t, q.MatchLabels(ingress))
}

func TestTerms(t *testing.T) {
	q := mql.MustParse(`project = horns-and-hooves AND (~a = 1 OR ~b = 2) AND NOT ~c = 3`)
	var terms []string
	for _, term := range q.Terms() {
		terms = append(terms, term.String())
	}
	assert.Equal(t, []string{`project = "horns-and-hooves"`, `~a = "1" OR ~b = "2"`, `NOT ~c = "3"`}, terms)
	ls := labels("namespace", "horns-and-hooves", "b", "2", "c", "3")
	assert.Equal(t, []bool{true, true, false}, []bool{q.Terms()[0].MatchLabels(ls), q.Terms()[1].MatchLabels(ls), q.Terms()[2].MatchLabels(ls)})
	single := mql.MustParse(`~a = 1`)
	assert.Equal(t, []*mql.Query{single}, single.Terms())

	p := &mql.Parser{FieldLabels: map[mql.Field][]string{mql.FieldProject: {"gitlab_project"}}}
	custom, err := p.Parse(`project = x AND ~y = z`)
	require.NoError(t, err)
	assert.True(t, custom.Terms()[0].MatchLabels(labels("gitlab_project", "x")), "terms keep the parser's field mapping")
}

func TestParserText(t *testing.T) {
	p := &mql.Parser{}
	s := mql.Labels(labels("alertname", "TargetDown", "namespace", "shop", "team", "sre"))
	for _, tt := range []struct {
		name  string
		label bool
		want  string
		ok    bool
	}{
		{"trigger", false, "TargetDown", true},
		{"project", false, "shop", true},
		{"team", false, "sre", true},
		{"namespace", true, "shop", true},
		{"missing", true, "", true},
		{"assignee", false, "", true},
		{"severity", false, "", false},
		{"age", false, "", false},
	} {
		v, ok := p.Text(s, 0, mql.Ref{Name: tt.name, Label: tt.label})
		assert.Equal(t, tt.want, v, tt.name)
		assert.Equal(t, tt.ok, ok, tt.name)
	}
	v, ok := p.Text(nodeIncident, 0, mql.Ref{Name: "assignee"})
	assert.True(t, ok)
	assert.Equal(t, "vasiliy.vasiliyev", v, "a field the subject supplies")
	v, _ = p.Text(nodeIncident, 2, mql.Ref{Name: "trigger"})
	assert.Equal(t, "NodePressureConditions", v, "of the third alert")
}
