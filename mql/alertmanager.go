package mql

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/prometheus/alertmanager/matcher/parse"
	"github.com/prometheus/alertmanager/pkg/labels"
)

// ErrEmptyMatchers is returned, wrapped, for a matcher list without a
// matcher, such as {} or the empty string. Alertmanager reads one as
// matching every alert; a silence or an inhibition written that way by
// mistake would mute everything, so it is refused.
var ErrEmptyMatchers = errors.New("empty matcher list")

// ParseMatchers reads an Alertmanager matcher list, as in a silence, a
// route's matchers or amtool: {alertname="TargetDown", env=~"prod|stage"}.
// It accepts the UTF-8 syntax of Alertmanager 0.27 and later and, failing
// that, the classic syntax, as Alertmanager's fallback mode does, but not a
// list that opens a brace without closing it or closes one it did not open.
// Every matcher becomes a label predicate, so {severity="critical"}
// compares the label severity, not the built-in field.
//
// A list without a matcher ({}, { } or only white space) is an error that
// wraps ErrEmptyMatchers. An error in the syntax says where the list goes
// wrong, as Alertmanager's parser does: "0:6: end of input: expected close
// brace".
func ParseMatchers(s string) (*Query, error) {
	if len(s) > MaxQueryBytes {
		// Before Alertmanager's parser, which compiles every regular
		// expression it reads.
		return nil, fmt.Errorf("mql: alertmanager matchers: %d bytes is longer than the limit of %d", len(s), MaxQueryBytes)
	}
	ms, err := parse.Matchers(s)
	if err != nil {
		if ms, err = classicMatchers(s, err); err != nil {
			return nil, fmt.Errorf("mql: alertmanager matchers: %q: %w", s, err)
		}
	}
	if len(ms) == 0 {
		return nil, fmt.Errorf("mql: alertmanager matchers: %q: %w: it would match every alert", s, ErrEmptyMatchers)
	}
	return FromMatchers(ms)
}

// classicMatchers reads s in the classic syntax, after the UTF-8 syntax
// failed with utf8Err, which is the error returned if s is not classic
// either. The classic parser drops a leading { and a trailing } each on its
// own, which would take {a="b" for a list; a list whose braces do not pair
// is left to the UTF-8 parser's error, which gives the place.
func classicMatchers(s string, utf8Err error) (labels.Matchers, error) {
	trimmed := strings.TrimSpace(s)
	if strings.HasPrefix(trimmed, "{") != strings.HasSuffix(trimmed, "}") {
		return nil, utf8Err
	}
	ms, err := labels.ParseMatchers(s)
	if err != nil {
		return nil, utf8Err
	}
	return ms, nil
}

// FromMatchers converts Alertmanager matchers into a query that is their
// conjunction. An empty list is an error that wraps ErrEmptyMatchers rather
// than the query that matches everything, and so is a nil matcher. A list
// that costs more than MaxQueryCost is an error that wraps a *ParseError
// without a position.
func FromMatchers(ms labels.Matchers) (*Query, error) {
	if len(ms) == 0 {
		return nil, fmt.Errorf("mql: alertmanager matchers: %w: it would match every alert", ErrEmptyMatchers)
	}
	terms := make([]Expr, 0, len(ms))
	for i, m := range ms {
		if m == nil {
			return nil, fmt.Errorf("mql: alertmanager matchers: matcher %d of %d is nil", i+1, len(ms))
		}
		p := &Predicate{Name: m.Name, Label: true, Values: []string{m.Value}}
		switch m.Type {
		case labels.MatchEqual:
			p.Op = OpEqual
		case labels.MatchNotEqual:
			p.Op = OpNotEqual
		case labels.MatchRegexp:
			p.Op = OpRegexp
		case labels.MatchNotRegexp:
			p.Op = OpNotRegexp
		default:
			return nil, fmt.Errorf("mql: alertmanager matcher %s: unknown match type %d", m.Name, m.Type)
		}
		terms = append(terms, p)
	}
	var expr Expr = &And{Terms: terms}
	if len(terms) == 1 {
		expr = terms[0]
	}
	q, err := (&Parser{}).compile(expr, nil)
	if err != nil {
		return nil, fmt.Errorf("mql: alertmanager matchers: %w", err)
	}
	return q, nil
}

// ErrNotMatchers is returned by Query.Matchers for a query that Alertmanager
// matchers cannot express.
var ErrNotMatchers = errors.New("not expressible as Alertmanager matchers")

// Matchers converts the query back to Alertmanager matchers, which are a
// conjunction of label comparisons. The query must be a predicate on a
// label, the NOT of one, or an AND of those; IN becomes =~ with the values
// as alternatives, NOT IN becomes !~. Fields, ordering and OR have no
// matcher form: the error, which wraps ErrNotMatchers, says which part
// stands in the way.
func (q *Query) Matchers() (labels.Matchers, error) {
	var terms []Expr
	switch e := q.expr.(type) {
	case nil:
		return labels.Matchers{}, nil
	case *And:
		terms = e.Terms
	default:
		terms = []Expr{e}
	}
	ms := make(labels.Matchers, 0, len(terms))
	for _, t := range terms {
		m, err := toMatcher(t)
		if err != nil {
			return nil, err
		}
		ms = append(ms, m)
	}
	return ms, nil
}

func toMatcher(e Expr) (*labels.Matcher, error) {
	negate := false
	if n, ok := e.(*Not); ok {
		negate, e = true, n.Term
	}
	p, ok := e.(*Predicate)
	if !ok {
		return nil, fmt.Errorf("mql: %s: %w: matchers are a conjunction of comparisons, without OR or NOT around groups", e, ErrNotMatchers)
	}
	if !p.Label {
		return nil, fmt.Errorf("mql: %s: %w: %s is a built-in field, and matchers compare labels only (write ~%s for the label)",
			p, ErrNotMatchers, p.Name, p.Name)
	}
	var t labels.MatchType
	value := ""
	if len(p.Values) > 0 {
		value = p.Values[0]
	}
	switch p.Op.positive() {
	case OpEqual:
		t = labels.MatchEqual
	case OpRegexp:
		t = labels.MatchRegexp
	case OpIn:
		t = labels.MatchRegexp
		alts := make([]string, len(p.Values))
		for i, v := range p.Values {
			alts[i] = regexp.QuoteMeta(v)
		}
		value = strings.Join(alts, "|")
	default:
		return nil, fmt.Errorf("mql: %s: %w: matchers have no %s", p, ErrNotMatchers, p.Op)
	}
	if p.Op.Negative() != negate {
		if t == labels.MatchEqual {
			t = labels.MatchNotEqual
		} else {
			t = labels.MatchNotRegexp
		}
	}
	return labels.NewMatcher(t, p.Name, value)
}
