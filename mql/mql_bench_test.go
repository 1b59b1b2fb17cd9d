package mql_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/prometheus/common/model"

	"github.com/alertkit/alertkit/mql"
)

// The side-by-side benchmarks of matching against Alertmanager's matchers
// are in internal/bench.

func benchQuery(n int) string {
	kinds := []string{`~l%d = "value-%d"`, `~l%d =~ "value-[0-9]+"`, `~l%d IN ("none", "value-%d")`, `severity <= S%d`}
	var preds []string
	for i := range n {
		k := kinds[i%len(kinds)]
		switch strings.Count(k, "%d") {
		case 2:
			preds = append(preds, fmt.Sprintf(k, i, i))
		default:
			preds = append(preds, fmt.Sprintf(k, 1+i%9))
		}
	}
	return strings.Join(preds, " AND ")
}

var parsed *mql.Query

func BenchmarkParse(b *testing.B) {
	for _, n := range []int{1, 5, 20} {
		query := benchQuery(n)
		b.Run(fmt.Sprintf("predicates=%d", n), func(b *testing.B) {
			b.SetBytes(int64(len(query)))
			b.ReportAllocs()
			for b.Loop() {
				q, err := mql.Parse(query)
				if err != nil {
					b.Fatal(err)
				}
				parsed = q
			}
		})
	}
}

var matchedIncident bool

// BenchmarkMatchIncident matches queries against the three-alert incident
// of the tests, through the Subject interface.
func BenchmarkMatchIncident(b *testing.B) {
	for _, query := range []string{
		`trigger = NodePressureConditions`,
		`trigger != TargetDown AND ~node IN (n1, n2) AND status = acknowledged AND severity <= S2`,
	} {
		q := mql.MustParse(query)
		b.Run(fmt.Sprintf("predicates=%d", strings.Count(query, " AND ")+1), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				matchedIncident = q.Match(nodeIncident)
			}
		})
	}
}

var matchedLabels bool

// BenchmarkMatchRegexp matches one label against each shape of regular
// expression that matching decides in its own way, on a value that matches.
func BenchmarkMatchRegexp(b *testing.B) {
	for _, bc := range []struct {
		name, re, value string
	}{
		{"literal", `checkout`, "checkout"},
		{"alternatives", `prod|stage|dev`, "stage"},
		{"prefix-any", `checkout-.*`, "checkout-7d9f8b6c5-x2x4z"},
		{"prefix-class", `value-[0-9]+`, "value-12"},
		{"prefix-regexp", `prod-(eu|us)-[0-9]`, "prod-eu-1"},
		{"regexp", `(?i)prod-[0-9]`, "PROD-1"},
	} {
		q := mql.MustParse(fmt.Sprintf(`~l =~ %q`, bc.re))
		ls := model.LabelSet{"l": model.LabelValue(bc.value)}
		if !q.MatchLabels(ls) {
			b.Fatalf("%s does not match %q", q, bc.value)
		}
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				matchedLabels = q.MatchLabels(ls)
			}
		})
	}
}

// hostileQuery fills MaxQueryBytes with OR'ed predicates on one regular
// expression, as a query sent to be expensive would.
func hostileQuery(re string) string {
	pred := "label=~" + strconv.Quote(re)
	n := (mql.MaxQueryBytes + len(" OR ")) / (len(pred) + len(" OR "))
	return strings.Repeat(pred+" OR ", n-1) + pred
}

var parseErr error

// BenchmarkParseHostile parses the longest queries of costly regular
// expressions: a class of 659 ranges repeated a thousand times, and the same
// class repeated up to 64 times, which compiles slower still. Each is
// refused; the time is how long the refusal takes.
func BenchmarkParseHostile(b *testing.B) {
	for _, bc := range []struct{ name, re string }{
		{"class-repeat", `\pL{1000}`},
		{"class-range", `\pL{1,64}`},
	} {
		query := hostileQuery(bc.re)
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(query)))
			b.ReportAllocs()
			for b.Loop() {
				_, parseErr = mql.Parse(query)
			}
		})
	}
}
