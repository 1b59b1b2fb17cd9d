package mql_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alertkit/alertkit/mql"
)

func TestParseErrors(t *testing.T) {
	tests := []struct {
		query string
		want  string
	}{
		{`project=~horns and trigger=~`, `1:29: expected a value after "=~", got end of query`},
		{`trigger =`, `1:10: expected a value after "=", got end of query`},
		{`= 1`, `1:1: expected a field or label, got "="`},
		{`AND x = 1`, `1:1: expected a field or label, got AND`},
		{`x = 1 AND`, `1:10: expected a field or label after AND, got end of query`},
		{`x = 1 OR OR y = 2`, `1:10: expected a field or label after OR, got OR`},
		{`NOT`, `1:4: expected a field or label after NOT, got end of query`},
		{`()`, `1:2: expected a field or label after "(", got ")"`},
		{`~ = 1`, `1:3: expected a label name after "~", got "="`},
		{`x y`, `1:3: expected an operator after "x" (=, !=, =~, !~, <, <=, >, >=, IN or NOT IN), got "y"`},
		{`~"a b"`, `1:7: expected an operator after "a b" (=, !=, =~, !~, <, <=, >, >=, IN or NOT IN), got end of query`},
		{`x NOT = 1`, `1:7: expected IN after NOT, got "="`},
		{`x IN a`, `1:6: expected "(" after IN, got "a"`},
		{`x IN ()`, `1:7: expected a value in the IN list, got ")"`},
		{`x IN (a b)`, `1:9: expected "," or ")" in the IN list, got "b"`},
		{`x IN (a,)`, `1:9: expected a value in the IN list, got ")"`},
		{`x IN (a, or)`, `1:10: expected a value in the IN list, got OR (to compare with the word, quote it: "or")`},
		{`x = and`, `1:5: expected a value after "=", got AND (to compare with the word, quote it: "and")`},
		{`x = 1 y`, `1:7: expected AND, OR or end of query, got "y"`},
		{`x = 1)`, `1:6: expected AND, OR or end of query, got ")"`},
		{`(x = 1`, `1:7: expected ")", got end of query`},
		{`(x = 1 y`, `1:8: expected AND, OR or ")", got "y"`},
		{"x = 1 AND\n  y =", `2:6: expected a value after "=", got end of query`},
		{`x = "abc`, `1:5: unterminated string: no closing "`},
		{`x = 'abc`, `1:5: unterminated string: no closing '`},
		{`x ! y`, `1:3: unexpected "!": the operators are != and !~, and negation is NOT`},
		{`x = "bad \q escape"`, `1:5: invalid escape in string "bad \q escape"`},
		{`~"" = 1`, `1:1: empty label name`},
		{`x =~ "["`, `1:6: invalid regular expression "[": missing closing ]`},
		{`x = 1 AND y =~ "a(b"`, `1:16: invalid regular expression "a(b": missing closing )`},
		{`x =~ "(?<name"`, `1:6: invalid regular expression "(?<name": invalid named capture`},
		{`severity =~ S3`, `1:10: severity cannot be matched by a regular expression; compare it with =, <, <=, >, >= or IN`},
		{`severity <= S10`, `1:13: invalid severity "S10" (want S1 to S9)`},
		{`severity IN (S1, high)`, `1:18: invalid severity "high" (want S1 to S9)`},
		{`service_level >= bronze`, `1:18: unknown service level "bronze" (want platinum, gold, silver or none)`},
		{`age > 30 minutes`, `1:10: expected AND, OR or end of query, got "minutes"`},
		{`age > "30 minutes"`, `1:7: invalid duration "30 minutes" (want a number and a unit, like 90s, 30m, 2h or 1d)`},
		{`trigger < 5`, `1:9: trigger cannot be ordered: it is text; use =, !=, =~, !~ or IN`},
		{`project >= horns`, `1:9: project cannot be ordered: it is text; use =, !=, =~, !~ or IN`},
		{`~priority < high`, `1:13: ordering ~priority needs a number, got "high"`},
		{`state = firng`, `1:9: unknown state "firng" (want none, pending, firing, resolved or unknown)`},
		{`state IN (firing, ok)`, `1:19: unknown state "ok" (want none, pending, firing, resolved or unknown)`},
		{`status = acked`, `1:10: unknown status "acked" (want open, acknowledged, snoozed, resolved or closed)`},
		{strings.Repeat("(", 101) + "x = 1" + strings.Repeat(")", 101), `1:101: nested deeper than the limit of 100`},
		{strings.Repeat("NOT ", 101) + "x = 1", `1:401: nested deeper than the limit of 100`},
		{"x = " + strings.Repeat("a", mql.MaxQueryBytes), `1:1: query of 65540 bytes is longer than the limit of 65536`},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			q, err := mql.Parse(tt.query)
			require.Error(t, err, "parsed as %s", q)
			assert.Equal(t, tt.want, err.Error())
			var pe *mql.ParseError
			require.True(t, errors.As(err, &pe))
			assert.Equal(t, tt.want, fmt.Sprintf("%d:%d: %s", pe.Pos.Line, pe.Pos.Column, pe.Msg))
		})
	}
}

func TestStringIsCanonical(t *testing.T) {
	tests := []struct {
		query string
		want  string
	}{
		{`trigger = "IngressResponses5xx"`, `trigger = "IngressResponses5xx"`},
		{`project=~horns and trigger=~no-data-for`, `project =~ "horns" AND trigger =~ "no-data-for"`},
		{`kubernetes = msm-prod`, `~kubernetes = "msm-prod"`},
		{`"service.name" = checkout`, `~service.name = "checkout"`},
		{`~"a b" = 'it''s'`, ``},
		{`x = 1 or y = 2 and z = 3`, `~x = "1" OR ~y = "2" AND ~z = "3"`},
		{`(x = 1 or y = 2) and z = 3`, `(~x = "1" OR ~y = "2") AND ~z = "3"`},
		{`(x = 1 and y = 2) and (z = 3)`, `~x = "1" AND ~y = "2" AND ~z = "3"`},
		{`not (x = 1 or y = 2)`, `NOT (~x = "1" OR ~y = "2")`},
		{`not not x = 1`, `NOT NOT ~x = "1"`},
		{`x not in (a, 'b')`, `~x NOT IN ("a", "b")`},
		{`~"and" = "in"`, `~"and" = "in"`},
		{`x = "tab\there"`, `~x = "tab\there"`},
		{``, ``},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			q, err := mql.Parse(tt.query)
			if tt.want == "" && tt.query != "" {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, q.String())
		})
	}
}

// TestStringRoundTrips generates random queries, prints them, and parses
// the text back: the trees must be equal.
func TestStringRoundTrips(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	for i := range 5000 {
		expr := randomExpr(rng, 3)
		text := expr.String()
		q, err := mql.Parse(text)
		require.NoError(t, err, "query %d: %s", i, text)
		require.Equal(t, expr, q.Expr(), "query %d: %s\nprinted back: %s", i, text, q)
		require.Equal(t, text, q.String())
	}
}

var (
	randomWords = []string{"a", "x1", "horns-and-hooves", "static.example.com", "10.244.37.14:9403", "Москва", "and", "IN",
		"", " ", `"`, `'`, `\`, "a b", "tab\t", "new\nline", "~", "(", ")", ",", "=~", "!", "1.5", "-3", "😀", "\x00"}
	randomLabels = []string{"x", "kubernetes", "vhost", "service.name", "a b", "and", "trigger", "~x", "ключ", "_"}
	randomRegexp = []string{".*", "a|b", "static\\..*", "(?i)abc", "[0-9]+", "", "Моск.*"}
)

func randomExpr(rng *rand.Rand, depth int) mql.Expr {
	if depth == 0 || rng.IntN(3) == 0 {
		return randomPredicate(rng)
	}
	switch rng.IntN(3) {
	case 0:
		return &mql.Not{Term: randomExpr(rng, depth-1)}
	case 1:
		and := &mql.And{}
		for range 2 + rng.IntN(3) {
			term := randomExpr(rng, depth-1)
			if inner, ok := term.(*mql.And); ok {
				and.Terms = append(and.Terms, inner.Terms...)
			} else {
				and.Terms = append(and.Terms, term)
			}
		}
		return and
	}
	or := &mql.Or{}
	for range 2 + rng.IntN(3) {
		term := randomExpr(rng, depth-1)
		if inner, ok := term.(*mql.Or); ok {
			or.Terms = append(or.Terms, inner.Terms...)
		} else {
			or.Terms = append(or.Terms, term)
		}
	}
	return or
}

func randomPredicate(rng *rand.Rand) *mql.Predicate {
	pick := func(list []string) string { return list[rng.IntN(len(list))] }
	switch rng.IntN(6) {
	case 0:
		return &mql.Predicate{Name: "severity", Op: []mql.Op{mql.OpEqual, mql.OpLess, mql.OpGreaterEqual}[rng.IntN(3)],
			Values: []string{pick([]string{"S1", "s4", "9"})}}
	case 1:
		return &mql.Predicate{Name: "trigger", Op: mql.OpIn, Values: []string{pick(randomWords), pick(randomWords)}}
	case 2:
		return &mql.Predicate{Name: pick(randomLabels), Label: true, Op: mql.OpLessEqual, Values: []string{pick([]string{"1", "-2.5", "1e3"})}}
	case 3:
		return &mql.Predicate{Name: pick(randomLabels), Label: true, Op: []mql.Op{mql.OpRegexp, mql.OpNotRegexp}[rng.IntN(2)],
			Values: []string{pick(randomRegexp)}}
	case 4:
		return &mql.Predicate{Name: pick(randomLabels), Label: true, Op: mql.OpNotIn, Values: []string{pick(randomWords)}}
	}
	return &mql.Predicate{Name: pick(randomLabels), Label: true, Op: []mql.Op{mql.OpEqual, mql.OpNotEqual}[rng.IntN(2)],
		Values: []string{pick(randomWords)}}
}

func TestGrammarIsDocumented(t *testing.T) {
	doc := readFile(t, "doc.go")
	for line := range strings.SplitSeq(strings.TrimSpace(mql.Grammar()), "\n") {
		assert.Contains(t, doc, "//\t"+line, "doc.go shows the grammar that Grammar prints")
	}
}

func readFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	require.NoError(t, err)
	return string(b)
}
