package mql_test

import (
	"errors"
	"testing"

	amlabels "github.com/prometheus/alertmanager/pkg/labels"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alertkit/alertkit/mql"
)

// amSubjects are the label sets on which converted queries and
// Alertmanager's own matchers must agree.
var amSubjects = []model.LabelSet{
	ingress, noData, gitlab, bare,
	labels("alertname", "X", "env", "prod", "severity", "critical"),
	labels("alertname", "X", "env", "stage", "severity", "warning", "service.name", "checkout"),
	labels("alertname", "Y", "env", "dev"),
	labels("env", "prod|stage"),
}

func TestParseMatchers(t *testing.T) {
	tests := []struct {
		name   string
		input  string
		want   string
		parser func(string) (amlabels.Matchers, error)
	}{
		{name: "utf-8 syntax", input: `{alertname="X", env=~"prod|stage"}`, want: `~alertname = "X" AND ~env =~ "prod|stage"`},
		{name: "utf-8 without braces", input: `alertname=X, env!~"dev"`, want: `~alertname = "X" AND ~env !~ "dev"`},
		{name: "utf-8 label name", input: `{"service.name"="checkout"}`, want: `~service.name = "checkout"`},
		{name: "classic syntax", input: `{alertname=X,severity!="info"}`, want: `~alertname = "X" AND ~severity != "info"`},
		{name: "classic trailing comma", input: `{foo=bar,}`, want: `~foo = "bar"`},
		{name: "a field name is still a label", input: `{severity="critical"}`, want: `~severity = "critical"`},
		{name: "white space around braces", input: " {a=\"b\"}\n", want: `~a = "b"`},
		{name: "classic value holding a brace", input: `{a=b}}`, want: `~a = "b}"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := mql.ParseMatchers(tt.input)
			require.NoError(t, err)
			assert.Equal(t, tt.want, q.String())
		})
	}
}

// TestParseMatchersErrors checks that a list without a matcher, which
// would match every alert, and a list whose braces do not pair are refused,
// saying what is wrong and where.
func TestParseMatchersErrors(t *testing.T) {
	const empty = "empty matcher list: it would match every alert"
	tests := []struct {
		name      string
		input     string
		wantErr   string
		wantEmpty bool
	}{
		{name: "braces only", input: `{}`, wantErr: `"{}": ` + empty, wantEmpty: true},
		{name: "braces around a space", input: `{ }`, wantErr: `"{ }": ` + empty, wantEmpty: true},
		{name: "braces around a newline", input: "{\n}", wantErr: `"{\n}": ` + empty, wantEmpty: true},
		{name: "empty string", input: ``, wantErr: `"": ` + empty, wantEmpty: true},
		{name: "white space", input: " \t", wantErr: `" \t": ` + empty, wantEmpty: true},
		{name: "opening brace only", input: `{`, wantErr: `"{": 0:1: end of input: expected close brace`},
		{name: "closing brace only", input: `}`, wantErr: `"}": 0:1: }: expected opening brace`},
		{name: "comma only", input: `{,}`, wantErr: `"{,}": 1:2: unexpected ,: expected label name`},
		{name: "missing closing brace", input: `{a="b"`, wantErr: `"{a=\"b\"": 0:6: end of input: expected close brace`},
		{name: "missing closing brace, classic", input: `{a=b`, wantErr: `"{a=b": 0:4: end of input: expected close brace`},
		{name: "missing opening brace", input: `a="b"}`, wantErr: `"a=\"b\"}": 0:6: }: expected opening brace`},
		{name: "missing opening brace, classic", input: `a=b}`, wantErr: `"a=b}": 0:4: }: expected opening brace`},
		{name: "text after the list", input: `{a=b}x`, wantErr: `"{a=b}x": 5:6: x: expected end of input`},
		{name: "invalid regular expression", input: `{alertname=~"("}`, wantErr: `"{alertname=~\"(\"}": failed to create matcher: error parsing regexp: missing closing ): ` + "`^(?:()$`"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := mql.ParseMatchers(tt.input)
			require.EqualError(t, err, "mql: alertmanager matchers: "+tt.wantErr)
			require.Nil(t, q)
			require.Equal(t, tt.wantEmpty, errors.Is(err, mql.ErrEmptyMatchers))
		})
	}
}

func TestFromMatchers(t *testing.T) {
	env, err := amlabels.NewMatcher(amlabels.MatchEqual, "env", "prod")
	require.NoError(t, err)
	tests := []struct {
		name      string
		matchers  amlabels.Matchers
		want      string
		wantErr   string
		wantEmpty bool
	}{
		{name: "one matcher", matchers: amlabels.Matchers{env}, want: `~env = "prod"`},
		{name: "nil list", matchers: nil, wantErr: "mql: alertmanager matchers: empty matcher list: it would match every alert", wantEmpty: true},
		{name: "empty list", matchers: amlabels.Matchers{}, wantErr: "mql: alertmanager matchers: empty matcher list: it would match every alert", wantEmpty: true},
		{name: "nil matcher", matchers: amlabels.Matchers{env, nil}, wantErr: "mql: alertmanager matchers: matcher 2 of 2 is nil"},
		{name: "unknown match type", matchers: amlabels.Matchers{{Type: 9, Name: "env", Value: "prod"}}, wantErr: "mql: alertmanager matcher env: unknown match type 9"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := mql.FromMatchers(tt.matchers)
			if tt.wantErr != "" {
				require.EqualError(t, err, tt.wantErr)
				require.Equal(t, tt.wantEmpty, errors.Is(err, mql.ErrEmptyMatchers))
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, q.String())
		})
	}
}

// TestMatchersAgreeWithAlertmanager converts matcher lists both ways and
// checks that alertkit and Alertmanager match the same label sets.
func TestMatchersAgreeWithAlertmanager(t *testing.T) {
	inputs := []string{
		`{alertname="X"}`,
		`{alertname="X", env=~"prod|stage"}`,
		`{env!="prod"}`,
		`{env!~"prod|stage", alertname=~"X|Y"}`,
		`{team=""}`,
		`{team!=""}`,
		`{env=~"p.*"}`,
		`{"service.name"="checkout"}`,
	}
	for _, input := range inputs {
		t.Run(input, func(t *testing.T) {
			q, err := mql.ParseMatchers(input)
			require.NoError(t, err)
			back, err := q.Matchers()
			require.NoError(t, err)
			am, err := mql.ParseMatchers(back.String())
			require.NoError(t, err, "matchers printed back: %s", back)
			assert.Equal(t, q.Expr(), am.Expr(), "round trip through %s", back)
			for _, ls := range amSubjects {
				assert.Equal(t, back.Matches(ls), q.MatchLabels(ls), "labels %v", ls)
			}
		})
	}
}

func TestQueryMatchers(t *testing.T) {
	tests := []struct {
		query   string
		want    string
		wantErr string
	}{
		{query: ``, want: `{}`},
		{query: `~alertname = X`, want: `{alertname="X"}`},
		{query: `alertname = X AND env != prod`, want: `{alertname="X",env!="prod"}`},
		{query: `NOT ~env = prod`, want: `{env!="prod"}`},
		{query: `NOT ~env !~ "p.*"`, want: `{env=~"p.*"}`},
		{query: `~env IN (prod, "st.age")`, want: `{env=~"prod|st\\.age"}`},
		{query: `~env NOT IN (prod, stage)`, want: `{env!~"prod|stage"}`},
		{query: `trigger = X`, wantErr: `mql: trigger = "X": not expressible as Alertmanager matchers: trigger is a built-in field, and matchers compare labels only (write ~trigger for the label)`},
		{query: `~a = 1 OR ~b = 2`, wantErr: `mql: ~a = "1" OR ~b = "2": not expressible as Alertmanager matchers: matchers are a conjunction of comparisons, without OR or NOT around groups`},
		{query: `~a = 1 AND NOT (~b = 2 AND ~c = 3)`, wantErr: `mql: ~b = "2" AND ~c = "3": not expressible as Alertmanager matchers: matchers are a conjunction of comparisons, without OR or NOT around groups`},
		{query: `~replicas < 3`, wantErr: `mql: ~replicas < "3": not expressible as Alertmanager matchers: matchers have no <`},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			ms, err := mql.MustParse(tt.query).Matchers()
			if tt.wantErr != "" {
				require.EqualError(t, err, tt.wantErr)
				assert.True(t, errors.Is(err, mql.ErrNotMatchers))
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, ms.String())
		})
	}
}

// TestInAsMatchersMatchesLikeIn checks that IN converted to a regular
// expression keeps its meaning for values with regexp metacharacters.
func TestInAsMatchersMatchesLikeIn(t *testing.T) {
	q := mql.MustParse(`~env IN ("prod|stage", "a.b", "x+")`)
	ms, err := q.Matchers()
	require.NoError(t, err)
	for _, v := range []string{"prod|stage", "prod", "a.b", "axb", "x+", "xx"} {
		ls := model.LabelSet{"env": model.LabelValue(v)}
		assert.Equal(t, q.MatchLabels(ls), ms.Matches(ls), v)
	}
}
