package route

import (
	"slices"

	"github.com/alertkit/alertkit/mql"
)

// index finds, among many queries, those that may match a subject, by
// looking one equality of each up rather than testing them all: routing,
// silences, inhibition, triage and runbooks use it. A query is filed under
// one of its top-level equalities (name = value, or name IN (values)),
// the one on the field or label with the most distinct values across all
// queries; queries without one are always candidates.
type index struct {
	parser *mql.Parser
	keys   []*indexKey
	rest   []int32 // queries with no equality to file them under
}

type indexKey struct {
	name     string
	label    bool
	perAlert bool // read from each alert of the subject: any may match
	buckets  map[string][]int32
}

// equality is a top-level equality of a query.
type equality struct {
	name   string
	label  bool
	values []string
}

// textFields are the fields an index can look up: text read from labels or
// supplied by the subject.
var textFields = map[string]bool{"trigger": true, "project": true, "state": true, "status": true, "assignee": true, "team": true}

func equalities(q *mql.Query) []equality {
	if q == nil {
		return nil
	}
	var terms []mql.Expr
	switch e := q.Expr().(type) {
	case nil:
		return nil
	case *mql.And:
		terms = e.Terms
	default:
		terms = []mql.Expr{e}
	}
	var out []equality
	for _, t := range terms {
		p, ok := t.(*mql.Predicate)
		if !ok || (p.Op != mql.OpEqual && p.Op != mql.OpIn) || (!p.Label && !textFields[p.Name]) {
			continue
		}
		out = append(out, equality{name: p.Name, label: p.Label, values: p.Values})
	}
	return out
}

func newIndex(queries []*mql.Query, parser *mql.Parser) *index {
	ix := &index{parser: parser}
	type key struct {
		name  string
		label bool
	}
	distinct := map[key]map[string]bool{}
	eqs := make([][]equality, len(queries))
	for i, q := range queries {
		eqs[i] = equalities(q)
		for _, e := range eqs[i] {
			k := key{e.name, e.label}
			if distinct[k] == nil {
				distinct[k] = map[string]bool{}
			}
			for _, v := range e.values {
				distinct[k][v] = true
			}
		}
	}
	keys := map[key]*indexKey{}
	for i := range queries {
		best := -1
		for j, e := range eqs[i] {
			if best < 0 || len(distinct[key{e.name, e.label}]) > len(distinct[key{eqs[i][best].name, eqs[i][best].label}]) {
				best = j
			}
		}
		if best < 0 {
			ix.rest = append(ix.rest, int32(i))
			continue
		}
		e := eqs[i][best]
		k := keys[key{e.name, e.label}]
		if k == nil {
			f, _ := mql.ParseField(e.name)
			k = &indexKey{name: e.name, label: e.label, perAlert: e.label || f.PerAlert(), buckets: map[string][]int32{}}
			keys[key{e.name, e.label}] = k
			ix.keys = append(ix.keys, k)
		}
		for _, v := range e.values {
			if b := k.buckets[v]; len(b) == 0 || b[len(b)-1] != int32(i) {
				k.buckets[v] = append(b, int32(i))
			}
		}
	}
	return ix
}

// candidates returns the positions of the queries that may match s, in
// increasing order. The result may share memory with the index or with buf,
// and must not be modified.
func (ix *index) candidates(s mql.Subject, buf []int32) []int32 {
	lists := 0
	var only []int32
	if len(ix.rest) > 0 {
		lists, only = 1, ix.rest
	}
	buf = buf[:0]
	for _, k := range ix.keys {
		alerts := 1
		if k.perAlert {
			alerts = s.Alerts() // any alert of an incident may match
		}
		for i := range alerts {
			v, ok := ix.parser.Text(s, i, mql.Ref{Name: k.name, Label: k.label})
			if !ok {
				continue
			}
			b := k.buckets[v]
			if len(b) == 0 {
				continue
			}
			lists++
			if lists == 1 {
				only = b
				continue
			}
			if lists == 2 {
				buf = append(buf, only...)
			}
			buf = append(buf, b...)
		}
	}
	if lists <= 1 {
		return only
	}
	slices.Sort(buf)
	return slices.Compact(buf)
}
