// Package routetest runs route tests from a go test: a YAML file of alerts
// and where each must go — targets, group, severity and response, runbooks,
// and whether it is muted, silenced, inhibited or dropped — checked against
// a routing configuration. It is unit-tested rule evaluation for CI:
//
//	func TestRoutes(t *testing.T) {
//		routetest.RunFile(t, "testdata/routes_test.yaml")
//	}
//
// The file:
//
//	config: routes.yaml      # the route.Config, or the service's alertkit.yaml; relative to this file
//	policy: severity.yaml    # optional: a severity.Policy; default DefaultPolicy
//	runbooks: runbooks       # optional: a directory of runbooks
//	at: 2026-11-23T10:00:00Z # optional: the time of the tests
//	firing:                  # optional: alerts firing at that time, which may inhibit
//	  - {alertname: NodeDown, node: kube-3}
//	silences:                # optional: silences in force at that time
//	  - {match: 'project = shop', comment: deploy, notify_resolved: true}
//	tests:
//	  - name: gitlab pages vasiliy
//	    labels: {alertname: GitlabDown, namespace: horns-and-hooves, server: gitlab}
//	    state: firing        # optional: firing, pending or resolved
//	    expect:
//	      targets: ["@vasiliy.vasiliyev"]
//	      routes: ["routes[0]"]
//	      group_key: 'routes[0]{alertname="GitlabDown", namespace="horns-and-hooves"}'
//	      same_group_as: another test's name
//	      severity: S3
//	      service_level: gold
//	      response: page 30m
//	      hold: 2m
//	      runbooks: [Gitlab is down]
//	      muted: false       # by a time interval
//	      silenced: false
//	      inhibited: false
//	      dropped: false     # by a triage rule
//
// Only what expect names is checked. Each test runs as a subtest; a failure
// prints what went wrong and how every rule saw the alert (route.Explain).
//
// # The service's configuration
//
// config may name the service's own one-file configuration, the file
// pipeline.File reads, as it is: a file with a top-level routing, severity,
// oncall, ladder, receivers or contacts key.
//
//	routing:
//	  default: {to: [receiver:slack-ops]}
//	  routes:
//	    - 'project = "payments" -> team:payments, receiver:slack-payments'
//	    - {name: database, match: 'trigger =~ "Postgres.*"', to: [oncall:db/primary]}
//	severity: {environments: {dev: 2}}
//	oncall:
//	  schedules: [{name: db, layers: [{name: primary, members: [li.wei], handoff: "0 9 * * MON", start: 2026-11-23T09:00:00Z}]}]
//	ladder: [[oncall:db/primary], [team:payments]]
//	receivers:
//	  - {name: slack-ops, slack: {webhook_url: "${SLACK_OPS_URL}"}}
//	  - {name: slack-payments, slack: {webhook_url: "${SLACK_PAYMENTS_URL}"}}
//	contacts:
//	  teams: {payments: [slack-payments]}
//	silences:
//	  - {match: '~cluster = staging', ends_at: 2030-01-01T00:00:00Z, created_by: ops, comment: staging never pages}
//
// Its routing section is the route configuration, with the lines and
// columns of the file; its severity section the policy, unless the test
// file names one; its runbooks directory the runbooks, unless the test file
// names one; and its silences are in force, from the time of the tests
// when they give no start, besides those of the test file.
//
// Every target the configuration writes — in its routes, its triage
// rules' assign, its ladder and its escalation policies — must then name
// something, or RunFile fails before any test with the position of each
// one that does not. Had the first route said receiver:slack-paymnts:
//
//	routetest: alertkit.yaml:4:47: routes[0]: receiver:slack-paymnts: no receiver "slack-paymnts" (receivers: slack-ops, slack-payments); did you mean receiver:slack-payments?
//
// The names are the receivers' (unchecked without a receivers section:
// the host makes them in code); the people of contacts.people and the
// members of the on-call layers (unchecked without contacts.people: the
// fallback reaches everyone); the teams of contacts.teams (unchecked
// without it); and the schedules, their layers and the policies of oncall
// (none without it). Run checks the targets of an Env against its Names,
// when set.
package routetest

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v3"

	"github.com/alertkit/alertkit/alert"
	"github.com/alertkit/alertkit/route"
	"github.com/alertkit/alertkit/severity"
)

// Env is what the tests run against. RunFile builds it from the file;
// Run takes one the caller built (from FromAlertmanager, say).
type Env struct {
	Router *route.Router
	// Policy classifies alerts; nil means severity.DefaultPolicy.
	Policy *severity.Policy
	// Runbooks, Triage, Inhibitor and Silences are optional; Run builds
	// Triage and the Inhibitor from the Router's Config when they are nil.
	Runbooks  *route.Runbooks
	Triage    *route.Triage
	Inhibitor *route.Inhibitor
	Silences  *route.Silences
	// Names, if set, are what the targets of the Router's Config may
	// name: the run fails before any test, with the position of each, if
	// some name nothing (route.Config.CheckTargets). A nil field of Names
	// leaves its kind unchecked. RunFile sets them from a service's
	// one-file configuration.
	Names *route.Names
}

// defaultAt is the time of tests that do not say: Monday 23 November 2026,
// noon UTC.
var defaultAt = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

type file struct {
	Config   string     `yaml:"config"`
	Policy   string     `yaml:"policy"`
	Runbooks string     `yaml:"runbooks"`
	At       time.Time  `yaml:"at"`
	Firing   []labels   `yaml:"firing"`
	Silences []silence  `yaml:"silences"`
	Tests    []testCase `yaml:"tests"`
	dir      string
	// more are the target errors of the service's configuration outside
	// its routing (its ladder, its escalation policies), for prepare.
	more []*route.TargetError
}

type labels map[string]string

type silence struct {
	Match          string    `yaml:"match"`
	NotifyResolved bool      `yaml:"notify_resolved"`
	StartsAt       time.Time `yaml:"starts_at"`
	EndsAt         time.Time `yaml:"ends_at"`
	CreatedBy      string    `yaml:"created_by"`
	Comment        string    `yaml:"comment"`
}

type testCase struct {
	Name   string    `yaml:"name"`
	Labels labels    `yaml:"labels"`
	State  string    `yaml:"state"`
	At     time.Time `yaml:"at"`
	Expect expect    `yaml:"expect"`
	line   int
}

type expect struct {
	Targets      *[]string `yaml:"targets"`
	Routes       *[]string `yaml:"routes"`
	GroupKey     *string   `yaml:"group_key"`
	SameGroupAs  *string   `yaml:"same_group_as"`
	Severity     *string   `yaml:"severity"`
	ServiceLevel *string   `yaml:"service_level"`
	Response     *string   `yaml:"response"`
	Hold         *string   `yaml:"hold"`
	Runbooks     *[]string `yaml:"runbooks"`
	Muted        *bool     `yaml:"muted"`
	Silenced     *bool     `yaml:"silenced"`
	Inhibited    *bool     `yaml:"inhibited"`
	Dropped      *bool     `yaml:"dropped"`
}

func load(path string) (*file, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var node yaml.Node
	if err := yaml.Unmarshal(data, &node); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	f := &file{dir: filepath.Dir(path)}
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(f); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	// The line of each test, for failures.
	if len(node.Content) > 0 {
		root := node.Content[0]
		for i := 0; i+1 < len(root.Content); i += 2 {
			if root.Content[i].Value == "tests" {
				for j, c := range root.Content[i+1].Content {
					if j < len(f.Tests) {
						f.Tests[j].line = c.Line
					}
				}
			}
		}
	}
	if f.At.IsZero() {
		f.At = defaultAt
	}
	return f, nil
}

// RunFile runs the route tests of a file, with the configuration the file
// names: a routing configuration, or a service's one-file configuration,
// whose targets must then name its receivers, people, teams, schedules and
// policies.
func RunFile(t *testing.T, path string) {
	t.Helper()
	f, env, err := loadFile(path)
	if err != nil {
		t.Fatalf("routetest: %v", err)
	}
	run(t, path, f, env)
}

// loadFile reads a file of route tests and builds the Env of the
// configuration it names.
func loadFile(path string) (*file, Env, error) {
	f, err := load(path)
	if err != nil {
		return nil, Env{}, err
	}
	if f.Config == "" {
		return nil, Env{}, fmt.Errorf("%s: no config: name the routes file (config: routes.yaml) or the service's configuration (config: alertkit.yaml), or call Run", path)
	}
	name := filepath.Join(f.dir, f.Config)
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, Env{}, err
	}
	env := Env{}
	var svc *service
	var cfg *route.Config
	if top := serviceDoc(data); top != nil {
		if svc, err = readService(top, data, name); err != nil {
			return nil, Env{}, err
		}
		cfg = svc.routing
		env.Names = &svc.names
		f.more = svc.targetErrs
	} else if cfg, err = route.Parse(data, name); err != nil {
		return nil, Env{}, err
	}
	if env.Router, err = route.Compile(cfg, nil); err != nil {
		return nil, Env{}, err
	}
	switch {
	case f.Policy != "":
		data, err := os.ReadFile(filepath.Join(f.dir, f.Policy))
		if err != nil {
			return nil, Env{}, err
		}
		if env.Policy, err = severity.ParsePolicy(data); err != nil {
			return nil, Env{}, fmt.Errorf("%s: %v", f.Policy, err)
		}
	case svc != nil && svc.severity != nil:
		if env.Policy, err = severity.ParsePolicy(svc.severity); err != nil {
			return nil, Env{}, fmt.Errorf("%s: severity: %v", name, err)
		}
	}
	switch {
	case f.Runbooks != "":
		if env.Runbooks, err = route.LoadRunbooks(os.DirFS(f.dir), filepath.ToSlash(f.Runbooks), env.Router.Parser()); err != nil {
			return nil, Env{}, err
		}
	case svc != nil && svc.runbooks != "":
		dir := svc.runbooks
		if !filepath.IsAbs(dir) {
			dir = filepath.Join(filepath.Dir(name), dir)
		}
		if env.Runbooks, err = route.LoadRunbooks(os.DirFS(dir), ".", env.Router.Parser()); err != nil {
			return nil, Env{}, fmt.Errorf("%s: runbooks: %w", name, err)
		}
	}
	if svc != nil && len(svc.silences) > 0 {
		env.Silences = route.NewSilences(env.Router.Parser())
		for i, s := range svc.silences {
			if s.StartsAt.IsZero() {
				s.StartsAt = f.At
			}
			if _, err := env.Silences.Set(s); err != nil {
				return nil, Env{}, fmt.Errorf("%s: silences[%d]: %w", name, i, err)
			}
		}
	}
	return f, env, nil
}

// Run runs the route tests of a file against env; the file's config,
// policy and runbooks, if it names any, are ignored.
func Run(t *testing.T, path string, env Env) {
	t.Helper()
	f, err := load(path)
	if err != nil {
		t.Fatalf("routetest: %v", err)
	}
	run(t, path, f, env)
}

func run(t *testing.T, path string, f *file, env Env) {
	t.Helper()
	if err := prepare(path, f, &env); err != nil {
		t.Fatalf("routetest: %v", err)
	}
	groups := map[string]string{}
	results := make([]*result, len(f.Tests))
	for i := range f.Tests {
		results[i] = evaluate(&f.Tests[i], f, &env)
		groups[f.Tests[i].Name] = results[i].groupKey
	}
	for i := range f.Tests {
		tc, res := &f.Tests[i], results[i]
		name := tc.Name
		if name == "" {
			name = fmt.Sprintf("tests[%d]", i)
		}
		t.Run(name, func(t *testing.T) {
			problems := check(tc, res, groups)
			if len(problems) > 0 {
				t.Errorf("%s:%d: %s\n  %s\nhow the rules saw it:\n%s", path, tc.line, name,
					strings.Join(problems, "\n  "), indent(route.FormatSteps(res.explain)))
			}
		})
	}
}

// prepare checks env's targets against its Names, and completes it: the
// default policy, the Triage and Inhibitor of the Router's Config, the
// file's firing alerts and silences.
func prepare(path string, f *file, env *Env) error {
	if env.Router == nil {
		return errors.New("the Env has no Router")
	}
	var err error
	cfg := env.Router.Config()
	if env.Names != nil {
		if err := checkTargets(cfg, *env.Names, f.more); err != nil {
			return err
		}
	}
	if env.Policy == nil {
		env.Policy = severity.DefaultPolicy()
	}
	if env.Triage == nil {
		if env.Triage, err = route.NewTriage(cfg.Triage, env.Router.Parser()); err != nil {
			return err
		}
	}
	if env.Inhibitor == nil {
		if env.Inhibitor, err = route.NewInhibitor(cfg.Inhibit, env.Router.Parser()); err != nil {
			return err
		}
	}
	for _, ls := range f.Firing {
		a := &alert.Alert{Labels: ls.set(), StartsAt: f.At.Add(-time.Hour), UpdatedAt: f.At}
		env.Inhibitor.Observe(&route.Subject{Alert: a, At: f.At})
	}
	if len(f.Silences) > 0 {
		if env.Silences == nil {
			env.Silences = route.NewSilences(env.Router.Parser())
		}
		for i, s := range f.Silences {
			sil := route.Silence{Match: s.Match, StartsAt: s.StartsAt, EndsAt: s.EndsAt, CreatedBy: s.CreatedBy, Comment: s.Comment,
				NotifyResolved: s.NotifyResolved}
			if sil.StartsAt.IsZero() {
				sil.StartsAt = f.At.Add(-time.Hour)
			}
			if sil.EndsAt.IsZero() {
				sil.EndsAt = f.At.Add(time.Hour)
			}
			sil.CreatedBy, sil.Comment = cmpOr(sil.CreatedBy, "routetest"), cmpOr(sil.Comment, fmt.Sprintf("silences[%d]", i))
			if _, err := env.Silences.Set(sil); err != nil {
				return fmt.Errorf("%s: silences[%d]: %v", path, i, err)
			}
		}
	}
	return nil
}

// result is what happened to a test's alert.
type result struct {
	dropped, silenced, inhibited bool
	class                        severity.Classification
	routes                       []route.Route
	groupKey                     string
	runbooks                     []string
	explain                      []route.Step
	err                          error
}

func evaluate(tc *testCase, f *file, env *Env) *result {
	at := tc.At
	if at.IsZero() {
		at = f.At
	}
	a := &alert.Alert{Labels: tc.Labels.set(), StartsAt: at.Add(-time.Minute), UpdatedAt: at}
	switch tc.State {
	case "", "firing":
	case "pending":
		a.Pending = true
	case "resolved":
		a.EndsAt = at
	default:
		return &result{err: fmt.Errorf("unknown state %q (want firing, pending or resolved)", tc.State)}
	}
	res := &result{}
	s := &route.Subject{Alert: a, At: at}
	verdict := env.Triage.Apply(s)
	if verdict.Drop {
		res.dropped = true
		res.explain = env.Router.Explain(s)
		return res
	}
	for name, value := range verdict.AddLabels {
		a.Labels[name] = value
	}
	res.class, res.err = env.Policy.Classify(a.Labels)
	if verdict.Severity != 0 {
		res.class = env.Policy.WithLevel(res.class, verdict.Severity)
	}
	s.Class = res.class
	if env.Silences != nil {
		_, res.silenced = env.Silences.Mutes(s, at)
	}
	_, _, res.inhibited = env.Inhibitor.Inhibited(s)
	res.routes = env.Router.Route(s)
	res.groupKey = res.routes[0].GroupKey
	res.explain = env.Router.Explain(s)
	if env.Runbooks != nil {
		for _, rb := range env.Runbooks.For(s) {
			res.runbooks = append(res.runbooks, rb.Title)
		}
	}
	return res
}

func check(tc *testCase, res *result, groups map[string]string) []string {
	var problems []string
	if res.err != nil && tc.Expect.Severity != nil {
		problems = append(problems, "classification: "+res.err.Error())
	}
	if res.err != nil && strings.HasPrefix(res.err.Error(), "unknown state") {
		return []string{res.err.Error()}
	}
	want := func(what string, want, got any) {
		if fmt.Sprint(want) != fmt.Sprint(got) {
			problems = append(problems, fmt.Sprintf("%s: want %v, got %v", what, want, got))
		}
	}
	e := tc.Expect
	if e.Dropped != nil {
		want("dropped", *e.Dropped, res.dropped)
	}
	if res.dropped {
		if e.Dropped == nil || !*e.Dropped {
			problems = append(problems, "the alert was dropped by a triage rule")
		}
		return problems
	}
	var targets, ids []string
	muted := false
	for _, rt := range res.routes {
		ids = append(ids, rt.ID)
		muted = muted || rt.Muted
		for _, tg := range rt.Targets {
			if !slices.Contains(targets, tg.String()) {
				targets = append(targets, tg.String())
			}
		}
	}
	if e.Targets != nil {
		want("targets", *e.Targets, targets)
	}
	if e.Routes != nil {
		want("routes", *e.Routes, ids)
	}
	if e.GroupKey != nil {
		want("group key", *e.GroupKey, res.groupKey)
	}
	if e.SameGroupAs != nil {
		other, ok := groups[*e.SameGroupAs]
		if !ok {
			problems = append(problems, fmt.Sprintf("same_group_as: no test named %q", *e.SameGroupAs))
		} else if other != res.groupKey {
			problems = append(problems, fmt.Sprintf("same group as %q: its group is %s, this alert's %s", *e.SameGroupAs, other, res.groupKey))
		}
	}
	if e.Severity != nil {
		want("severity", *e.Severity, res.class.Level)
	}
	if e.ServiceLevel != nil {
		want("service level", *e.ServiceLevel, res.class.ServiceLevel)
	}
	if e.Response != nil {
		r, err := severity.ParseResponse(*e.Response)
		if err != nil {
			problems = append(problems, "expect.response: "+err.Error())
		} else {
			want("response", r, res.class.Response)
		}
	}
	if e.Hold != nil {
		d, err := model.ParseDuration(*e.Hold)
		if err != nil {
			problems = append(problems, "expect.hold: "+err.Error())
		} else {
			want("hold", time.Duration(d), res.class.Hold)
		}
	}
	if e.Runbooks != nil {
		want("runbooks", *e.Runbooks, res.runbooks)
	}
	if e.Muted != nil {
		want("muted", *e.Muted, muted)
	}
	if e.Silenced != nil {
		want("silenced", *e.Silenced, res.silenced)
	}
	if e.Inhibited != nil {
		want("inhibited", *e.Inhibited, res.inhibited)
	}
	return problems
}

func (ls labels) set() model.LabelSet {
	out := make(model.LabelSet, len(ls))
	for k, v := range ls {
		out[model.LabelName(k)] = model.LabelValue(v)
	}
	return out
}

func indent(s string) string {
	return "  " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n  ")
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
