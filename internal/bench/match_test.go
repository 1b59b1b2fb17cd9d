package bench

import (
	"fmt"
	"strings"
	"testing"

	"github.com/prometheus/alertmanager/pkg/labels"
	"github.com/prometheus/common/model"

	"github.com/alertkit/alertkit/mql"
)

// matchLabels is an alert with 25 labels, l0..l19 among them.
func matchLabels() model.LabelSet {
	ls := model.LabelSet{
		"alertname": "KubePodCrashLooping", "namespace": "horns-and-hooves", "cluster": "prod-eu-1",
		"pod": "checkout-7d9f8b6c5-x2x4z", "container": "checkout",
	}
	for i := range 20 {
		ls[model.LabelName(fmt.Sprintf("l%d", i))] = model.LabelValue(fmt.Sprintf("value-%d", i))
	}
	return ls
}

// matchCase is n predicates of one kind, as MQL and as Alertmanager
// matchers; every predicate holds, so both sides evaluate all of them.
func matchCase(kind string, n int) (query, matchers string) {
	var q, m []string
	for i := range n {
		switch kind {
		case "equal":
			q = append(q, fmt.Sprintf(`~l%d = "value-%d"`, i, i))
			m = append(m, fmt.Sprintf(`l%d="value-%d"`, i, i))
		case "regex":
			q = append(q, fmt.Sprintf(`~l%d =~ "value-[0-9]+"`, i))
			m = append(m, fmt.Sprintf(`l%d=~"value-[0-9]+"`, i))
		case "in":
			q = append(q, fmt.Sprintf(`~l%d IN ("none", "other", "value-%d")`, i, i))
			m = append(m, fmt.Sprintf(`l%d=~"none|other|value-%d"`, i, i))
		}
	}
	return strings.Join(q, " AND "), "{" + strings.Join(m, ", ") + "}"
}

var matched bool

func BenchmarkMatch(b *testing.B) {
	ls := matchLabels()
	for _, kind := range []string{"equal", "regex", "in"} {
		for _, n := range []int{1, 5, 20} {
			query, matchers := matchCase(kind, n)
			q, err := mql.Parse(query)
			if err != nil {
				b.Fatal(err)
			}
			parsed, err := labels.ParseMatchers(matchers)
			ms := labels.Matchers(parsed)
			if err != nil {
				b.Fatal(err)
			}
			if !q.MatchLabels(ls) || !ms.Matches(ls) {
				b.Fatalf("%s: both sides must match", query)
			}
			name := fmt.Sprintf("%s-%d", kind, n)
			b.Run(name+"/alertkit", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					matched = q.MatchLabels(ls)
				}
			})
			b.Run(name+"/alertmanager", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					matched = ms.Matches(ls)
				}
			})
		}
	}
}
