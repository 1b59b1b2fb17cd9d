package mql

import (
	"errors"
	"reflect"
	"regexp"
	"strconv"
	"testing"

	"github.com/prometheus/common/model"
)

// FuzzParse checks, on any input, that Parse does not panic; that an error
// is a *ParseError with a position; that a query that parses prints as
// canonical text that parses back to the same tree; and that the grammar
// and the error diagnosis agree on what parses. The seed corpus is in
// testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	subject := model.LabelSet{"alertname": "IngressResponses5xx", "namespace": "horns-and-hooves", "severity_level": "3"}
	f.Fuzz(func(t *testing.T, query string) {
		q, err := Parse(query)
		_, grammarErr := grammar.ParseString("", query)
		if (grammarErr == nil) != (diagnose(query) == nil) {
			t.Fatalf("grammar error %v, diagnosis %v", grammarErr, diagnose(query))
		}
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Pos.Line < 1 || pe.Pos.Column < 1 {
				t.Fatalf("error without a position: %#v", err)
			}
			return
		}
		q.MatchLabels(subject)
		text := q.String()
		back, err := Parse(text)
		if err != nil {
			t.Fatalf("canonical text %q of %q does not parse: %v", text, query, err)
		}
		if !reflect.DeepEqual(q.Expr(), back.Expr()) {
			t.Fatalf("%q printed as %q parses to a different tree", query, text)
		}
		if back.String() != text {
			t.Fatalf("canonical text is not stable: %q then %q", text, back.String())
		}
	})
}

// FuzzRegexpAgreesWithGo checks that =~ and !~ decide, on any pattern and
// any label value, as the regexp package does with the pattern fully
// anchored, whichever shortcut the compiler takes, and that a pattern the
// regexp package compiles is refused only if it costs more than
// MaxQueryCost. More of the corpus is in
// testdata/fuzz/FuzzRegexpAgreesWithGo.
func FuzzRegexpAgreesWithGo(f *testing.F) {
	for _, in := range []struct{ re, input string }{
		{`checkout`, "checkout"},                       // a literal
		{`static\.example\.com`, "static.example.com"}, // a literal with escapes
		{``, ""},                            // the empty literal
		{`prod|stage|dev`, "stage"},         // literal alternatives
		{`prod|`, ""},                       // an empty alternative
		{`static.*`, "static\nline"},        // a prefix and .*
		{`.*`, "\xff"},                      // .* alone
		{`value-[0-9]+`, "value-12"},        // a prefix and a class run
		{`[a-z0-9-]*`, "web-1"},             // a class run alone
		{`prod-(eu|us)-[0-9]`, "prod-eu-1"}, // a prefix and a regexp
		{`(?i)prod-[0-9]`, "PROD-1"},        // a regexp
		{`web\b.*`, "web-1"},                // assertions after a prefix
		{`web\B.*`, "web1"},
		{`web^.*`, "web"},
		{`(?m)web$\n^1`, "web\n1"},
		{"\uFFFD.*", "\xff"}, // U+FFFD against invalid UTF-8
		{`a)|(b`, "ab"},      // a pattern that needs the anchoring group
	} {
		f.Add(in.re, in.input)
	}
	f.Fuzz(func(t *testing.T, re, input string) {
		want, err := regexp.Compile("^(?:" + re + ")$")
		if err != nil {
			return
		}
		query := "~a =~ " + strconv.Quote(re)
		if len(query) > MaxQueryBytes {
			return
		}
		q, err := Parse(query)
		if err != nil {
			if predicateCost+regexpCost(t, re) > MaxQueryCost {
				return // refused for its cost, before it was compiled
			}
			t.Fatalf("%s does not parse, but the regexp package compiles %q: %v", query, re, err)
		}
		not := MustParse("~a !~ " + strconv.Quote(re))
		ls := model.LabelSet{"a": model.LabelValue(input)}
		match := want.MatchString(input)
		if got := q.MatchLabels(ls); got != match {
			t.Fatalf("%s on %q: MatchLabels says %v, the regexp package %v", query, input, got, match)
		}
		if got := q.Match(single{ls: ls}); got != match {
			t.Fatalf("%s on %q: Match says %v, the regexp package %v", query, input, got, match)
		}
		if got := not.MatchLabels(ls); got == match {
			t.Fatalf("%s on %q: MatchLabels says %v, the regexp package %v for =~", not, input, got, match)
		}
		if got := not.Match(single{ls: ls}); got == match {
			t.Fatalf("%s on %q: Match says %v, the regexp package %v for =~", not, input, got, match)
		}
	})
}
