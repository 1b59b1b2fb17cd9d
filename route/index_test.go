package route

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/prometheus/common/model"

	"github.com/alertkit/alertkit/incident"
	"github.com/alertkit/alertkit/mql"
)

// TestIndexFindsEveryMatch checks that the index never leaves out a query
// that matches, for random queries and random subjects of one to three
// alerts, such as incidents.
func TestIndexFindsEveryMatch(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 21))
	values := []string{"a", "b", "c", ""}
	pick := func() string { return values[rng.IntN(len(values))] }
	forms := []func() string{
		func() string { return fmt.Sprintf("~service = %q", pick()) },
		func() string { return fmt.Sprintf("trigger IN (%q, %q)", pick(), pick()) },
		func() string { return fmt.Sprintf("project = %q AND ~service = %q", pick(), pick()) },
		func() string { return fmt.Sprintf("team = %q", pick()) },
		func() string { return fmt.Sprintf("~service != %q", pick()) },
		func() string { return fmt.Sprintf("~service = %q OR trigger = %q", pick(), pick()) },
	}
	parser := &mql.Parser{}
	var queries []*mql.Query
	for range 200 {
		queries = append(queries, mql.MustParse(forms[rng.IntN(len(forms))]()))
	}
	ix := newIndex(queries, parser)
	for range 3000 {
		view := incident.View{Incident: &incident.Incident{Team: pick()}}
		for range 1 + rng.IntN(3) {
			ls := model.LabelSet{}
			for _, name := range []string{"alertname", "namespace", "service"} {
				if v := pick(); v != "" {
					ls[model.LabelName(name)] = model.LabelValue(v)
				}
			}
			view.Members = append(view.Members, incident.Member{Labels: ls})
		}
		cands := ix.candidates(view, nil)
		for i, q := range queries {
			if q.Match(view) && !slices.Contains(cands, int32(i)) {
				t.Fatalf("query %s matches %v but is not a candidate", q, view.Members)
			}
		}
		if !slices.IsSorted(cands) {
			t.Fatalf("candidates out of order: %v", cands)
		}
	}
}
