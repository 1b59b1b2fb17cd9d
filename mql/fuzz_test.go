package mql

import (
	"errors"
	"reflect"
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
