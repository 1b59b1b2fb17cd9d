package series_test

import (
	"errors"
	"testing"

	"github.com/alertkit/alertkit/slo/series"
)

// FuzzParse: any string expands to values or fails with a *SyntaxError
// that points into it, never a panic; values come back the same from
// Format, and Format is stable.
func FuzzParse(f *testing.F) {
	for _, tc := range append(parseCases(), parseCasesV3()...) {
		f.Add(tc.values)
	}
	for _, s := range []string{"1+2x", "Infx3", "stalex3", "_3", "010", "1e400", "1x99999999999999999999", "1+-2x3", "0.1+0.1x9"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		vs, err := series.Parse(s)
		if err != nil {
			var se *series.SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("%q: %T %v", s, err, err)
			}
			if vs != nil || se.Input != s || se.Term < 1 || se.Offset < 0 || se.Offset >= len(s) {
				t.Fatalf("%q: %#v", s, se)
			}
			return
		}
		if len(vs) > series.MaxSamples {
			t.Fatalf("%q: %d values", s, len(vs))
		}
		text := series.Format(vs)
		back, err := series.Parse(text)
		if err != nil {
			t.Fatalf("%q formats as %q: %v", s, text, err)
		}
		if !sameValues(back, vs) {
			t.Fatalf("%q formats as %q, which reads differently", s, text)
		}
		if again := series.Format(back); again != text {
			t.Fatalf("%q formats as %q, then %q", s, text, again)
		}
	})
}

// FuzzParseMetric: any string is a label set or a *SyntaxError that points
// into it; a label set is valid, holds no empty value, and reads back the
// same from FormatMetric.
func FuzzParseMetric(f *testing.F) {
	for _, tc := range append(metricCases(), metricCasesV3()...) {
		f.Add(tc.metric)
	}
	for _, s := range []string{"{}", `up{job=}`, `on{}`, `up{job="\uD800"}`, `up{job="\777"}`, "up{job=`a", `{"a", "b"}`, `up{job!="a"}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ls, err := series.ParseMetric(s)
		if err != nil {
			var se *series.SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("%q: %T %v", s, err, err)
			}
			if ls != nil || se.Input != s || se.Term != 0 || se.Offset < 0 || se.Offset > len(s) {
				t.Fatalf("%q: %#v", s, se)
			}
			return
		}
		if err := ls.Validate(); err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		for n, v := range ls {
			if v == "" {
				t.Fatalf("%q: empty value of %s", s, n)
			}
		}
		text := series.FormatMetric(ls)
		back, err := series.ParseMetric(text)
		if err != nil {
			t.Fatalf("%q formats as %q: %v", s, text, err)
		}
		if !back.Equal(ls) || len(back) != len(ls) {
			t.Fatalf("%q formats as %q, which reads as %v", s, text, back)
		}
	})
}
