package mql

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/common/model"

	"github.com/alertkit/alertkit/alert"
)

// Query is a parsed and compiled MQL query. Its regular expressions are
// compiled once and its IN lists are hash sets; matching allocates nothing.
// A Query is immutable and may be used by many goroutines at once.
type Query struct {
	expr   Expr
	root   *node // nil matches everything
	parser *Parser
}

// Expr returns the query's syntax tree, nil for the empty query.
func (q *Query) Expr() Expr { return q.expr }

// String returns the query as canonical MQL: keywords in upper case, values
// quoted, labels written ~name, and parentheses only where needed. It parses
// back to an equal tree.
func (q *Query) String() string {
	if q.expr == nil {
		return ""
	}
	return q.expr.String()
}

// Terms returns the query's top-level AND terms as queries of their own, in
// the order written: for a query that is not an AND, the query itself. An
// explanation of a failed match names the first term that does not hold.
func (q *Query) Terms() []*Query {
	and, ok := q.expr.(*And)
	if !ok {
		return []*Query{q}
	}
	terms := make([]*Query, len(and.Terms))
	for i, t := range and.Terms {
		term, err := q.parser.compile(t, nil)
		if err != nil {
			panic("mql: a term of a compiled query does not compile: " + err.Error())
		}
		terms[i] = term
	}
	return terms
}

// Match reports whether the query matches a subject.
func (q *Query) Match(s Subject) bool { return eval(q.root, s) }

// MatchLabels reports whether the query matches a label set; every field is
// read from labels.
func (q *Query) MatchLabels(ls model.LabelSet) bool { return evalSingle(q.root, &single{ls: ls}) }

// MatchAlert reports whether the query matches an alert, with its state as at
// time t.
func (q *Query) MatchAlert(a *alert.Alert, t time.Time) bool {
	return evalSingle(q.root, &single{ls: a.Labels, alert: a, at: t})
}

// single is a subject of one alert, or of a label set when alert is nil.
// Matching one takes a path of its own, evalSingle, which reads labels
// without calling through the Subject interface: that is what keeps
// MatchLabels as fast as Alertmanager's matchers.
type single struct {
	ls    model.LabelSet
	alert *alert.Alert
	at    time.Time
}

func (single) Alerts() int { return 1 }

func (s single) Label(_ int, name string) (string, bool) {
	v, ok := s.ls[model.LabelName(name)]
	return string(v), ok
}

func (s single) Field(_ int, f Field) (Value, bool) {
	if f == FieldState && s.alert != nil {
		return Value{Str: s.alert.StateAt(s.at).String()}, true
	}
	return Value{}, false
}

type nodeOp uint8

const (
	nodeAnd nodeOp = iota
	nodeOr
	nodeNot
	nodePred
)

type node struct {
	op   nodeOp
	kids []*node
	pred *pred
	// preds holds the predicates of an And or an Or whose terms are all
	// predicates, the common case, which is evaluated without recursion.
	preds []*pred
}

// valueKind is how the values of a target compare.
type valueKind uint8

const (
	kindText         valueKind = iota // strings; ordered as numbers, for labels only
	kindSeverity                      // S1..S9, by level
	kindServiceLevel                  // none < silver < gold < platinum
	kindDuration                      // ages
)

// pred is a compiled predicate. The fields that matching a label reads come
// first, to share a cache line.
type pred struct {
	labelEqual bool  // a label compared by equality, the commonest predicate
	field      Field // 0 for a label
	test       textTest
	neg        bool // negates the positive form, after "any"
	label      string
	str        string
	re         *regexp.Regexp
	set        map[string]struct{} // IN on text, or =~ on alternatives
	class      asciiSet            // =~ str, then a run of these bytes
	atLeast    int                 // the shortest run of class

	op       Op   // the positive form of the operator
	perAlert bool // holds when any alert satisfies it
	kind     valueKind
	labels   []string // the labels a field is read from
	num      float64
	nums     []float64 // IN on ordered kinds
}

// textTest is how a text value is tested.
type textTest uint8

const (
	testEqual        textTest = iota // = str; also =~ on a literal
	testSet                          // IN, or =~ on literal alternatives
	testPrefix                       // =~ str.*, where . matches anything but a newline
	testRegexp                       // =~ anything else
	testPrefixRegexp                 // =~ a literal str, then re
	testPrefixClass                  // =~ a literal str, then a run of class
	testNumber                       // ordering, on a number
)

func eval(n *node, s Subject) bool {
	if n == nil {
		return true
	}
	switch n.op {
	case nodeAnd:
		for _, p := range n.preds {
			if !matchPred(p, s) {
				return false
			}
		}
		for _, k := range n.kids {
			if !eval(k, s) {
				return false
			}
		}
		return true
	case nodeOr:
		for _, p := range n.preds {
			if matchPred(p, s) {
				return true
			}
		}
		for _, k := range n.kids {
			if eval(k, s) {
				return true
			}
		}
		return false
	case nodeNot:
		return !eval(n.kids[0], s)
	}
	return matchPred(n.pred, s)
}

// evalSingle is eval for a single alert, with label predicates inline.
func evalSingle(n *node, s *single) bool {
	if n == nil {
		return true
	}
	if n.op == nodePred {
		return n.pred.matchSingle(s)
	}
	switch n.op {
	case nodeAnd:
		for _, p := range n.preds {
			if !p.matchSingle(s) {
				return false
			}
		}
		for _, k := range n.kids {
			if !evalSingle(k, s) {
				return false
			}
		}
		return true
	case nodeOr:
		for _, p := range n.preds {
			if p.matchSingle(s) {
				return true
			}
		}
		for _, k := range n.kids {
			if evalSingle(k, s) {
				return true
			}
		}
		return false
	}
	return !evalSingle(n.kids[0], s) // nodeNot
}

// matchSingle is small enough to be inlined for the commonest predicate,
// a label equal to a value.
func (p *pred) matchSingle(s *single) bool {
	if !p.labelEqual {
		return p.matchSingleSlow(s)
	}
	return (string(s.ls[model.LabelName(p.label)]) == p.str) != p.neg
}

func (p *pred) matchSingleSlow(s *single) bool {
	if p.field != 0 {
		return matchPred(p, *s)
	}
	v := string(s.ls[model.LabelName(p.label)])
	switch p.test { // the regular expressions here, saving a call
	case testRegexp:
		return p.re.MatchString(v) != p.neg
	case testPrefixRegexp:
		return (strings.HasPrefix(v, p.str) && p.re.MatchString(v[len(p.str):])) != p.neg
	case testPrefixClass:
		return (strings.HasPrefix(v, p.str) && p.class.run(v[len(p.str):], p.atLeast)) != p.neg
	}
	return p.text(v) != p.neg
}

func matchPred[S Subject](p *pred, s S) bool {
	hit := false
	if p.field == 0 { // a label: the common case, kept short
		for i, n := 0, s.Alerts(); i < n && !hit; i++ {
			v, _ := s.Label(i, p.label)
			hit = p.text(v)
		}
		return hit != p.neg
	}
	if p.perAlert {
		for i, n := 0, s.Alerts(); i < n && !hit; i++ {
			hit = testAt(p, s, i)
		}
	} else {
		hit = testAt(p, s, -1)
	}
	return hit != p.neg
}

// testAt tests the positive form of field predicate p on alert i, or on the
// whole subject for i = -1.
func testAt[S Subject](p *pred, s S, i int) bool {
	if v, ok := s.Field(i, p.field); ok {
		if p.kind == kindText {
			return p.text(v.Str)
		}
		return p.number(v.Num)
	}
	if i < 0 {
		if s.Alerts() != 1 {
			return p.fromText("")
		}
		i = 0
	}
	for _, l := range p.labels {
		if v, ok := s.Label(i, l); ok && v != "" {
			return p.fromText(v)
		}
	}
	return p.fromText("")
}

// fromText tests a field value read from a label.
func (p *pred) fromText(v string) bool {
	if p.kind == kindText {
		return p.text(v)
	}
	n, ok := parseNumber(p.kind, v)
	return ok && p.number(n)
}

func (p *pred) text(v string) bool {
	switch p.test {
	case testEqual:
		return v == p.str
	case testSet:
		_, ok := p.set[v]
		return ok
	case testPrefix:
		return strings.HasPrefix(v, p.str) && strings.IndexByte(v[len(p.str):], '\n') < 0
	case testRegexp:
		return p.re.MatchString(v)
	case testPrefixRegexp:
		return strings.HasPrefix(v, p.str) && p.re.MatchString(v[len(p.str):])
	case testPrefixClass:
		return strings.HasPrefix(v, p.str) && p.class.run(v[len(p.str):], p.atLeast)
	}
	n, err := strconv.ParseFloat(v, 64)
	return err == nil && p.number(n)
}

func (p *pred) number(n float64) bool {
	switch p.op {
	case OpEqual:
		return n == p.num
	case OpIn:
		for _, x := range p.nums {
			if n == x {
				return true
			}
		}
		return false
	case OpLess:
		return n < p.num
	case OpLessEqual:
		return n <= p.num
	case OpGreater:
		return n > p.num
	case OpGreaterEqual:
		return n >= p.num
	}
	return false
}

// parseNumber reads a value of an ordered kind: a severity (S3, s3, 3), a
// service level (gold) or a duration (90s, 30m, 1d).
func parseNumber(kind valueKind, v string) (float64, bool) {
	switch kind {
	case kindSeverity:
		return parseSeverity(v)
	case kindServiceLevel:
		return serviceLevelRank(v)
	case kindDuration:
		d, err := model.ParseDuration(v)
		if err != nil {
			return 0, false
		}
		return time.Duration(d).Seconds(), true
	}
	n, err := strconv.ParseFloat(v, 64)
	return n, err == nil && !math.IsNaN(n)
}

func parseSeverity(v string) (float64, bool) {
	if len(v) == 2 && (v[0] == 'S' || v[0] == 's') {
		v = v[1:]
	}
	if len(v) != 1 || v[0] < '1' || v[0] > '9' {
		return 0, false
	}
	return float64(v[0] - '0'), true
}

var serviceLevels = [...]string{"none", "silver", "gold", "platinum"}

func serviceLevelRank(v string) (float64, bool) {
	for rank, name := range serviceLevels {
		if strings.EqualFold(v, name) {
			return float64(rank), true
		}
	}
	return 0, false
}
