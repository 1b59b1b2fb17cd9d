package routetest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/alertkit/alertkit/route"
)

func TestRunFile(t *testing.T) {
	for _, tc := range []struct {
		name, path string
	}{
		{name: "a service's one-file configuration", path: "testdata/service_test.yaml"},
		{name: "examples/amreceiver as it is", path: "testdata/amreceiver_test.yaml"},
		{name: "examples/quickstart as it is", path: "testdata/quickstart_test.yaml"},
		{name: "a routing configuration", path: "testdata/routes_test.yaml"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			RunFile(t, tc.path)
		})
	}
}

// setup does what RunFile does before the tests run, and returns its
// error instead of failing.
func setup(path string) error {
	f, env, err := loadFile(path)
	if err != nil {
		return err
	}
	return prepare(path, f, &env)
}

func lines(err error) []string {
	if err == nil {
		return nil
	}
	return strings.Split(err.Error(), "\n")
}

func TestServiceTargets(t *testing.T) {
	require.Equal(t, []string{
		`testdata/typo/alertkit.yaml:6:47: routes[0]: receiver:slack-paymnts: no receiver "slack-paymnts" (receivers: pd-payments, slack-ops, slack-payments); did you mean receiver:slack-payments?`,
		`testdata/typo/alertkit.yaml:9:13: routes[1] (database): oncall:db/primray: schedule db has no layer "primray" (layers: primary); did you mean oncall:db/primary?`,
		`testdata/typo/alertkit.yaml:11:47: triage[0]: assign: no person "li.wie" (people: li.wei, payments-lead); did you mean li.wei?`,
		`testdata/typo/alertkit.yaml:21:40: oncall.policies[0] (payments-oncall) step 1: receiver:pd-paymnts: no receiver "pd-paymnts" (receivers: pd-payments, slack-ops, slack-payments); did you mean receiver:pd-payments?`,
		`testdata/typo/alertkit.yaml:25:6: ladder[1]: team:sre: no team "sre" (teams: payments)`,
	}, lines(setup("testdata/typo_test.yaml")))
}

func TestServiceNames(t *testing.T) {
	for _, tc := range []struct {
		name, config string
		want         []string
	}{
		{
			name:   "a flow mapping keeps its positions",
			config: "routing: {default: {to: [receiver:nope]}}\nreceivers: [{name: ops}]\n",
			want:   []string{`alertkit.yaml:1:26: default: receiver:nope: no receiver "nope" (receivers: ops)`},
		},
		{
			name:   "without receivers, receivers are made in code: unchecked",
			config: "routing: {default: {to: [receiver:anything]}}\n",
		},
		{
			name:   "without oncall, there are no schedules and no policies",
			config: "routing:\n  routes: ['a = b -> oncall:sre/L1, policy:p']\n",
			want: []string{
				`alertkit.yaml:2:22: routes[0]: oncall:sre/L1: no schedule "sre" (schedules: none)`,
				`alertkit.yaml:2:37: routes[0]: policy:p: no policy "p" (policies: none)`,
			},
		},
		{
			name:   "without contacts.people, people are unchecked; teams are those of contacts.teams",
			config: "routing:\n  default: {to: ['@anyone', team:x]}\ncontacts: {teams: {y: [ops]}}\nreceivers: [{name: ops}]\n",
			want:   []string{`alertkit.yaml:2:29: default: team:x: no team "x" (teams: y)`},
		},
		{
			name:   "the members of the on-call layers are people",
			config: "routing:\n  default: {to: ['@ana', '@bob']}\ncontacts: {people: {ana: [ops]}}\noncall:\n  schedules: [{name: s, layers: [{name: l, members: [bob]}]}]\n",
		},
		{
			name:   "the ladders of oncall",
			config: "oncall:\n  ladders:\n    sre: [[team:x]]\ncontacts: {teams: {}}\n",
			want:   []string{`alertkit.yaml:3:12: oncall.ladders.sre[0]: team:x: no team "x" (teams: none)`},
		},
		{
			name:   "a ladder's target that is not one",
			config: "ladder:\n  - [nope]\n",
			want:   []string{`alertkit.yaml:2:6: ladder[0]: unknown target "nope" (want @user, team:name, receiver:name, policy:name or oncall:schedule/layer)`},
		},
		{
			name:   "a routing configuration has no names to check",
			config: "default: {to: [receiver:nope]}\n",
		},
		{
			name:   "the routing section's errors keep the file's lines",
			config: "receivers: []\n\nrouting:\n  routes:\n    - 'a = -> @x'\n",
			want:   []string{`alertkit.yaml:5:11: rule routes[0]: mql: expected a value after "=", got end of query`},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			require.NoError(t, os.WriteFile(filepath.Join(dir, "alertkit.yaml"), []byte(tc.config), 0o600))
			path := filepath.Join(dir, "routes_test.yaml")
			require.NoError(t, os.WriteFile(path, []byte("config: alertkit.yaml\ntests: []\n"), 0o600))
			err := setup(path)
			var got []string
			for _, l := range lines(err) {
				got = append(got, strings.TrimPrefix(l, dir+string(filepath.Separator)))
			}
			require.Equal(t, tc.want, got)
		})
	}
}

func TestEnvNames(t *testing.T) {
	cfg, err := route.Parse([]byte("default:\n  to: [receiver:opps]\n"), "routes.yaml")
	require.NoError(t, err)
	router, err := route.Compile(cfg, nil)
	require.NoError(t, err)
	dir := t.TempDir()
	path := filepath.Join(dir, "routes_test.yaml")
	require.NoError(t, os.WriteFile(path, []byte("tests:\n  - {labels: {alertname: X}, expect: {targets: [receiver:opps]}}\n"), 0o600))

	for _, tc := range []struct {
		name  string
		names *route.Names
		want  []string
	}{
		{name: "no names: unchecked"},
		{name: "people only: receivers unchecked", names: &route.Names{People: []string{"anna"}}},
		{
			name:  "receivers",
			names: &route.Names{Receivers: []string{"ops"}},
			want:  []string{`routes.yaml:2:8: default: receiver:opps: no receiver "opps" (receivers: ops); did you mean receiver:ops?`},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := load(path)
			require.NoError(t, err)
			env := Env{Router: router, Names: tc.names}
			require.Equal(t, tc.want, lines(prepare(path, f, &env)))
			if tc.want == nil {
				Run(t, path, env)
			}
		})
	}
}
