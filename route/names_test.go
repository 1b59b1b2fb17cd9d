package route_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/alertkit/alertkit/route"
)

// names are those of a small service, every kind checked.
var names = route.Names{
	Receivers: []string{"ops", "slack-shop", "db-slack"},
	People:    []string{"anna", "vladim.lazovsky"},
	Teams:     []string{"db", "sre"},
	Policies:  []string{"db-oncall"},
	Schedules: map[string][]string{"sre": {"L1", "L2"}, "payments": {"primary", "secondary"}, "empty": nil},
}

// messages splits the errors CheckTargets joined.
func messages(err error) []string {
	if err == nil {
		return nil
	}
	return strings.Split(err.Error(), "\n")
}

func TestCheckTargets(t *testing.T) {
	for _, tc := range []struct {
		name  string
		yaml  string
		names route.Names
		want  []string
	}{
		{
			name: "every place a target is written",
			yaml: `default:
  to: [receiver:opps]
routes:
  - 'project = "shop" -> @anna, receiver:slack-shp'
  - name: db
    match: ~team = db
    to:
      - policy:db-oncal
      - "oncall:sre/L3"
    routes:
      - "~role = replica -> team:dba continue"
  - trigger = Watchdog -> receiver:nul
triage:
  - name: backups
    match: trigger = BackupFailed
    assign: vladim.lazovsy
`,
			names: names,
			want: []string{
				`t.yaml:2:8: default: receiver:opps: no receiver "opps" (receivers: db-slack, ops, slack-shop); did you mean receiver:ops?`,
				`t.yaml:4:33: routes[0]: receiver:slack-shp: no receiver "slack-shp" (receivers: db-slack, ops, slack-shop); did you mean receiver:slack-shop?`,
				`t.yaml:8:9: routes[1] (db): policy:db-oncal: no policy "db-oncal" (policies: db-oncall); did you mean policy:db-oncall?`,
				`t.yaml:9:10: routes[1] (db): oncall:sre/L3: schedule sre has no layer "L3" (layers: L1, L2)`,
				`t.yaml:11:29: routes[1].routes[0]: team:dba: no team "dba" (teams: db, sre); did you mean team:db?`,
				`t.yaml:12:27: routes[2]: receiver:nul: no receiver "nul" (receivers: db-slack, ops, slack-shop)`,
				`t.yaml:16:13: triage[0] (backups): assign: no person "vladim.lazovsy" (people: anna, vladim.lazovsky); did you mean vladim.lazovsky?`,
			},
		},
		{
			name: "nil names leave every kind unchecked",
			yaml: `default: {to: [receiver:x, "@y", team:z, policy:p, oncall:s/l]}
triage: [{match: a = b, assign: nobody}]
`,
			names: route.Names{},
		},
		{
			name: "an empty list of names refuses every target of its kind",
			yaml: `default: {to: [receiver:ops, "@anna"]}
`,
			names: route.Names{Receivers: []string{}},
			want:  []string{`t.yaml:1:16: default: receiver:ops: no receiver "ops" (receivers: none)`},
		},
		{
			name: "a person is checked when people are listed",
			yaml: `routes: ['a = b -> @ana, @anna']
`,
			names: route.Names{People: []string{"anna"}},
			want:  []string{`t.yaml:1:20: routes[0]: @ana: no person "ana" (people: anna); did you mean @anna?`},
		},
		{
			name: "a team is checked when teams are listed",
			yaml: `routes: [{match: a = b, to: [team:sre, team:payments]}]
`,
			names: route.Names{Teams: []string{"sre"}},
			want:  []string{`t.yaml:1:40: routes[0]: team:payments: no team "payments" (teams: sre)`},
		},
		{
			name: "schedules and their layers",
			yaml: `routes:
  - a = 1 -> oncall:paymnts/primary
  - a = 2 -> oncall:payments/primray
  - a = 3 -> oncall:payments, oncall:payments/, oncall:sre/L2
  - a = 4 -> oncall:empty
  - a = 5 -> oncall:empty/L1
  - a = 6 -> oncall:nobody
`,
			names: names,
			want: []string{
				`t.yaml:2:14: routes[0]: oncall:paymnts/primary: no schedule "paymnts" (schedules: empty, payments, sre); did you mean oncall:payments/primary?`,
				`t.yaml:3:14: routes[1]: oncall:payments/primray: schedule payments has no layer "primray" (layers: primary, secondary); did you mean oncall:payments/primary?`,
				`t.yaml:5:14: routes[3]: oncall:empty: schedule empty has no layers`,
				`t.yaml:6:14: routes[4]: oncall:empty/L1: schedule empty has no layer "L1" (layers: none)`,
				`t.yaml:7:14: routes[5]: oncall:nobody: no schedule "nobody" (schedules: empty, payments, sre)`,
			},
		},
		{
			name: "the same name of another kind is suggested",
			yaml: `routes:
  - a = 1 -> receiver:sre
  - a = 2 -> @payments
  - a = 3 -> team:ops
`,
			names: names,
			want: []string{
				`t.yaml:2:14: routes[0]: receiver:sre: no receiver "sre" (receivers: db-slack, ops, slack-shop); did you mean team:sre?`,
				`t.yaml:3:14: routes[1]: @payments: no person "payments" (people: anna, vladim.lazovsky); did you mean oncall:payments?`,
				`t.yaml:4:14: routes[2]: team:ops: no team "ops" (teams: db, sre); did you mean receiver:ops?`,
			},
		},
		{
			name: "a change of case is suggested",
			yaml: `default: {to: [receiver:OPS]}
`,
			names: names,
			want:  []string{`t.yaml:1:16: default: receiver:OPS: no receiver "OPS" (receivers: db-slack, ops, slack-shop); did you mean receiver:ops?`},
		},
		{
			name: "errors come in the order of the file",
			yaml: `triage:
  - {match: a = b, assign: nobody}
routes:
  - a = b -> receiver:second
default:
  to: [receiver:third]
`,
			names: route.Names{Receivers: []string{"ops"}, People: []string{"anna"}},
			want: []string{
				`t.yaml:2:28: triage[0]: assign: no person "nobody" (people: anna)`,
				`t.yaml:4:14: routes[0]: receiver:second: no receiver "second" (receivers: ops)`,
				`t.yaml:6:8: default: receiver:third: no receiver "third" (receivers: ops)`,
			},
		},
		{
			name: "quoted line forms: doubled quotes counted, escapes point at the text",
			yaml: `routes:
  - 'a = ''x'' -> receiver:one'
  - "a = \"x\" -> receiver:two"
  - "a = x -> receiver:three, receiver:f\u00f6ur"
  - 'é = "ü" -> receiver:five'
`,
			names: route.Names{Receivers: []string{}},
			want: []string{
				`t.yaml:2:19: routes[0]: receiver:one: no receiver "one" (receivers: none)`,
				`t.yaml:3:6: routes[1]: receiver:two: no receiver "two" (receivers: none)`,
				`t.yaml:4:15: routes[2]: receiver:three: no receiver "three" (receivers: none)`,
				`t.yaml:4:31: routes[2]: receiver:föur: no receiver "föur" (receivers: none)`,
				`t.yaml:5:17: routes[3]: receiver:five: no receiver "five" (receivers: none)`,
			},
		},
		{
			name: "a line form spread over lines points at the scalar",
			yaml: `routes:
  - a = b AND
    c = d -> receiver:folded
  - >-
    a = b -> receiver:block
  - name: quoted
    match: a = b
    to: [' receiver:padded']
`,
			names: route.Names{Receivers: []string{}},
			want: []string{
				`t.yaml:2:5: routes[0]: receiver:folded: no receiver "folded" (receivers: none)`,
				`t.yaml:4:5: routes[1]: receiver:block: no receiver "block" (receivers: none)`,
				`t.yaml:8:12: routes[2] (quoted): receiver:padded: no receiver "padded" (receivers: none)`,
			},
		},
		{
			name: "anchors: the targets where the anchor wrote them",
			yaml: `default:
  to: &pager [receiver:pagr]
routes:
  - {match: a = b, to: *pager}
`,
			names: route.Names{Receivers: []string{"pager"}},
			want: []string{
				`t.yaml:2:15: default: receiver:pagr: no receiver "pagr" (receivers: pager); did you mean receiver:pager?`,
				`t.yaml:2:15: routes[0]: receiver:pagr: no receiver "pagr" (receivers: pager); did you mean receiver:pager?`,
			},
		},
		{
			name: "a long list of names is cut short",
			yaml: `default: {to: [receiver:r99]}
`,
			names: route.Names{Receivers: strings.Fields("r14 r13 r12 r11 r10 r09 r08 r07 r06 r05 r04 r03 r02 r01 r00")},
			want:  []string{`t.yaml:1:16: default: receiver:r99: no receiver "r99" (receivers: r00, r01, r02, r03, r04, r05, r06, r07, r08, r09, and 5 more); did you mean receiver:r09?`},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := route.Parse([]byte(tc.yaml), "t.yaml")
			require.NoError(t, err)
			require.Equal(t, tc.want, messages(cfg.CheckTargets(tc.names)))
		})
	}
}

func TestCheckTargetsWithoutFile(t *testing.T) {
	rules, err := route.ParseLines("# the rules of the shop\n  trigger = X -> @anna, receiver:nope continue\n", "shop.rules")
	require.NoError(t, err)
	for _, tc := range []struct {
		name string
		cfg  *route.Config
		want []string
	}{
		{
			name: "the line form of ParseLines",
			cfg:  &route.Config{Routes: rules},
			want: []string{`shop.rules:2:25: routes[0]: receiver:nope: no receiver "nope" (receivers: db-slack, ops, slack-shop)`},
		},
		{
			name: "a rule made in code has no position",
			cfg:  &route.Config{Default: route.Rule{To: []route.Target{{Kind: route.TargetReceiver, Name: "slack-shp"}}}},
			want: []string{`default: receiver:slack-shp: no receiver "slack-shp" (receivers: db-slack, ops, slack-shop); did you mean receiver:slack-shop?`},
		},
		{
			name: "a rule's position stands for targets of unknown position",
			cfg: &route.Config{Routes: []*route.Rule{{Name: "shop", Source: route.Position{File: "code.go", Line: 7, Column: 3},
				To: []route.Target{{Kind: route.TargetPolicy, Name: "shop-oncall"}}}}},
			want: []string{`code.go:7:3: routes[0] (shop): policy:shop-oncall: no policy "shop-oncall" (policies: db-oncall)`},
		},
		{
			name: "a target of no known kind",
			cfg:  &route.Config{Triage: []route.TriageRule{{Assign: "anna"}}, Routes: []*route.Rule{nil, {To: []route.Target{{Name: "x"}}}}},
			want: []string{`routes[1]: Target(0, "x"): unknown kind of target 0 (want a person, a team, a receiver, a policy or an on-call layer)`},
		},
		{
			name: "no config",
			cfg:  nil,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, messages(tc.cfg.CheckTargets(names)))
		})
	}
}

func TestCheckTargetsErrors(t *testing.T) {
	cfg, err := route.Parse([]byte("default: {to: [receiver:opps]}\nroutes: ['a = b -> @ana']\n"), "t.yaml")
	require.NoError(t, err)
	err = cfg.CheckTargets(names)
	var joined interface{ Unwrap() []error }
	require.ErrorAs(t, err, &joined)
	var got []route.TargetError
	for _, e := range joined.Unwrap() {
		var te *route.TargetError
		require.ErrorAs(t, e, &te)
		got = append(got, *te)
	}
	require.Equal(t, []route.TargetError{
		{Pos: route.Position{File: "t.yaml", Line: 1, Column: 16}, Rule: "default", Target: route.Target{Kind: route.TargetReceiver, Name: "opps"},
			Problem: `no receiver "opps" (receivers: db-slack, ops, slack-shop)`, Suggestion: "receiver:ops"},
		{Pos: route.Position{File: "t.yaml", Line: 2, Column: 20}, Rule: "routes[0]", Target: route.Target{Kind: route.TargetUser, Name: "ana"},
			Problem: `no person "ana" (people: anna, vladim.lazovsky)`, Suggestion: "@anna"},
	}, got)
}

func TestNamesCheck(t *testing.T) {
	for _, tc := range []struct {
		name   string
		target string
		want   string
	}{
		{name: "known receiver", target: "receiver:ops"},
		{name: "known layer", target: "oncall:sre/L2"},
		{name: "unknown receiver", target: "receiver:slak-shop", want: `receiver:slak-shop: no receiver "slak-shop" (receivers: db-slack, ops, slack-shop); did you mean receiver:slack-shop?`},
		{name: "unknown layer", target: "oncall:sre/L9", want: `oncall:sre/L9: schedule sre has no layer "L9" (layers: L1, L2)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			target, err := route.ParseTarget(tc.target)
			require.NoError(t, err)
			err = names.Check(target)
			if tc.want == "" {
				require.NoError(t, err)
				return
			}
			require.EqualError(t, err, tc.want)
			var te *route.TargetError
			require.True(t, errors.As(err, &te))
		})
	}
}

func TestFromAlertmanagerReceivers(t *testing.T) {
	for _, tc := range []struct {
		name string
		yaml string
		want []string
	}{
		{
			name: "every undefined receiver, with its position",
			yaml: `route:
  receiver: defualt
  routes:
    - receiver: pager
      routes:
        - {receiver: "sre-lwo"}
    - receiver: sre
receivers:
  - name: default
  - name: pager
  - name: sre
  - name: sre-low
`,
			want: []string{
				`am.yml:2:13: route: receiver:defualt: no receiver "defualt" (receivers: default, pager, sre, sre-low); did you mean receiver:default?`,
				`am.yml:6:23: route.routes[0].routes[0]: receiver:sre-lwo: no receiver "sre-lwo" (receivers: default, pager, sre, sre-low); did you mean receiver:sre-low?`,
			},
		},
		{
			name: "no receivers defined",
			yaml: "route:\n  receiver: ops\n",
			want: []string{`am.yml:2:13: route: receiver:ops: no receiver "ops" (receivers: none)`},
		},
		{
			name: "an empty route",
			yaml: "route:\n  receiver: ops\n  routes:\n  -\nreceivers: [{name: ops}]\n",
			want: []string{`am.yml:2:3: route.routes[0]: an empty route`},
		},
		{
			name: "every receiver defined",
			yaml: "route:\n  receiver: ops\n  routes: [{receiver: ops, matchers: [a=b]}]\nreceivers: [{name: ops}]\n",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := route.FromAlertmanager([]byte(tc.yaml), "am.yml")
			require.Equal(t, tc.want, messages(err))
			if err == nil {
				// What Alertmanager's receivers checked, CheckTargets
				// passes, and the rules carry their positions.
				require.NoError(t, cfg.CheckTargets(route.Names{Receivers: []string{"ops"}}))
				require.Equal(t, route.Position{File: "am.yml", Line: 3, Column: 12}, cfg.Routes[0].Source)
			}
		})
	}
}

func ExampleConfig_CheckTargets() {
	cfg, err := route.Parse([]byte(`default:
  to: [receiver:ops]
routes:
  - 'project = "payments" -> team:payments, receiver:team-paymnts'
  - name: database
    match: ~team = db
    to: [oncall:db/L3]
`), "alertkit.yaml")
	if err != nil {
		fmt.Println(err)
		return
	}
	err = cfg.CheckTargets(route.Names{
		Receivers: []string{"ops", "team-payments", "pd-alfa"},
		Teams:     []string{"payments", "db"},
		Schedules: map[string][]string{"db": {"L1", "L2"}},
		// People and Policies are nil: not checked.
	})
	fmt.Println(err)
	// Output:
	// alertkit.yaml:4:45: routes[0]: receiver:team-paymnts: no receiver "team-paymnts" (receivers: ops, pd-alfa, team-payments); did you mean receiver:team-payments?
	// alertkit.yaml:7:10: routes[1] (database): oncall:db/L3: schedule db has no layer "L3" (layers: L1, L2)
}
