package mql

import (
	"errors"
	"fmt"
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"unicode/utf8"
)

var validStates = []string{"none", "pending", "firing", "resolved", "unknown"}

var validStatuses = []string{"open", "acknowledged", "snoozed", "resolved", "closed"}

// compile turns a tree into a Query. positions, which may be nil, locate
// the predicates in the source for error messages.
func (p *Parser) compile(expr Expr, positions map[*Predicate]*predicate) (*Query, error) {
	c := compiler{parser: p, positions: positions}
	root, err := c.node(expr)
	if err != nil {
		return nil, err
	}
	return &Query{expr: expr, root: root, parser: p}, nil
}

type compiler struct {
	parser    *Parser
	positions map[*Predicate]*predicate
	budget    budget
}

func (c *compiler) node(e Expr) (*node, error) {
	switch e := e.(type) {
	case nil:
		return nil, nil
	case *And:
		return c.group(nodeAnd, e.Terms)
	case *Or:
		return c.group(nodeOr, e.Terms)
	case *Not:
		k, err := c.node(e.Term)
		if err != nil {
			return nil, err
		}
		return &node{op: nodeNot, kids: []*node{k}}, nil
	case *Predicate:
		p, err := c.pred(e)
		if err != nil {
			return nil, err
		}
		return &node{op: nodePred, pred: p}, nil
	}
	return nil, fmt.Errorf("mql: unknown expression %T", e)
}

// group compiles an And or an Or. Its predicates are tested first, in a
// flat list, and then its other terms, which leaves the result unchanged.
func (c *compiler) group(op nodeOp, terms []Expr) (*node, error) {
	n := &node{op: op}
	for _, t := range terms {
		k, err := c.node(t)
		if err != nil {
			return nil, err
		}
		if k.op == nodePred {
			n.preds = append(n.preds, k.pred)
		} else {
			n.kids = append(n.kids, k)
		}
	}
	return n, nil
}

// Places in a predicate for errAt, besides its values.
const (
	atOperator  = -1
	atPredicate = -2
)

// errAt returns an error at predicate e, at its operator or at its value
// number value.
func (c *compiler) errAt(e *Predicate, value int, format string, args ...any) error {
	g := c.positions[e]
	if g == nil {
		return &ParseError{Msg: e.String() + ": " + fmt.Sprintf(format, args...)}
	}
	pos := g.Pos
	switch {
	case value == atPredicate:
	case value < 0 && g.Cmp != nil:
		pos = g.Cmp.Pos
	case value < 0:
		pos = g.In.Pos
	case g.Cmp != nil:
		pos = g.Cmp.Value.Pos
	case value < len(g.In.Values):
		pos = g.In.Values[value].Pos
	}
	return errorAt(pos, format, args...)
}

func (c *compiler) pred(e *Predicate) (*pred, error) {
	p := &pred{op: e.Op.positive(), neg: e.Op.Negative(), perAlert: true}
	if e.Op < OpEqual || e.Op > OpNotIn {
		return nil, c.errAt(e, atOperator, "unknown operator %d", e.Op)
	}
	switch {
	case p.op == OpIn && len(e.Values) == 0:
		return nil, c.errAt(e, atOperator, "%s takes at least one value", e.Op)
	case p.op != OpIn && len(e.Values) != 1:
		return nil, c.errAt(e, atOperator, "%s takes one value", e.Op)
	}
	what := "~" + e.Name
	if e.Label {
		p.label = e.Name
	} else {
		f, ok := ParseField(e.Name)
		if !ok {
			return nil, c.errAt(e, atOperator, "unknown field %q", e.Name)
		}
		what = e.Name
		p.field, p.perAlert = f, f.perAlert()
		p.labels = defaultFieldLabels[f]
		if ls, ok := c.parser.FieldLabels[f]; ok {
			p.labels = ls
		}
		switch f {
		case FieldSeverity:
			p.kind = kindSeverity
		case FieldServiceLevel:
			p.kind = kindServiceLevel
		case FieldAge:
			p.kind = kindDuration
		}
	}

	switch {
	case p.op == OpRegexp && p.kind != kindText:
		return nil, c.errAt(e, atOperator, "%s cannot be matched by a regular expression; compare it with =, <, <=, >, >= or IN", what)
	case p.op.ordering() && p.kind == kindText && !e.Label:
		return nil, c.errAt(e, atOperator, "%s cannot be ordered: it is text; use =, !=, =~, !~ or IN", what)
	}

	if err := c.spend(e, predicateCost); err != nil {
		return nil, err
	}
	for i, v := range e.Values {
		if err := c.value(p, e, i, v, what); err != nil {
			return nil, err
		}
	}
	p.labelEqual = p.field == 0 && p.test == testEqual
	return p, nil
}

// value compiles value number i of a predicate into p.
func (c *compiler) value(p *pred, e *Predicate, i int, v, what string) error {
	if p.op == OpRegexp {
		return c.regexp(p, e, i, v)
	}
	if p.kind == kindText {
		if p.op.ordering() {
			n, ok := parseNumber(kindText, v)
			if !ok {
				return c.errAt(e, i, "ordering %s needs a number, got %q", what, v)
			}
			p.test, p.num = testNumber, n
			return nil
		}
		switch p.field {
		case FieldState:
			if !contains(validStates, v) {
				return c.errAt(e, i, "unknown state %q (want none, pending, firing, resolved or unknown)", v)
			}
		case FieldStatus:
			if !contains(validStatuses, v) {
				return c.errAt(e, i, "unknown status %q (want open, acknowledged, snoozed, resolved or closed)", v)
			}
		}
		if p.op == OpIn {
			if p.set == nil {
				p.set = make(map[string]struct{}, len(e.Values))
			}
			p.test = testSet
			p.set[v] = struct{}{}
		} else {
			p.test, p.str = testEqual, v
		}
		return nil
	}
	n, ok := parseNumber(p.kind, v)
	if !ok {
		switch p.kind {
		case kindSeverity:
			return c.errAt(e, i, "invalid severity %q (want S1 to S9)", v)
		case kindServiceLevel:
			return c.errAt(e, i, "unknown service level %q (want platinum, gold, silver or none)", v)
		default:
			return c.errAt(e, i, "invalid duration %q (want a number and a unit, like 90s, 30m, 2h or 1d)", v)
		}
	}
	if p.op == OpIn {
		p.nums = append(p.nums, n)
	} else {
		p.num = n
	}
	return nil
}

func contains(list []string, v string) bool {
	for _, s := range list {
		if s == v {
			return true
		}
	}
	return false
}

// reason returns what is wrong with a regular expression, without the
// expression itself, which the message quotes already.
func reason(err error) string {
	var se *syntax.Error
	if errors.As(err, &se) {
		return string(se.Code)
	}
	return err.Error()
}

// regexp compiles the regular expression v, value number i of predicate
// e, into p. It counts the cost of v in two steps, each before the work it
// saves: the Unicode classes that v names, before parsing v, and then the
// program that v expands to, before compiling it.
func (c *compiler) regexp(p *pred, e *Predicate, i int, v string) error {
	named := regexpSize{named: namedClasses(v)}
	c.noteRegexp(named, e, i)
	if err := c.spend(e, named.cost()); err != nil {
		return err
	}
	tree, err := parseRegexp(v)
	if err == nil {
		size := tree.size.plus(named)
		c.noteRegexp(size, e, i)
		if err := c.spend(e, size.cost()-named.cost()); err != nil {
			return err
		}
		err = p.setRegexp(v, tree.alone)
	}
	if err != nil {
		return c.errAt(e, i, "invalid regular expression %q: %s", v, reason(err))
	}
	return nil
}

// where names value number i of predicate e in an error message: "at 1:8",
// or, without positions, "on ~label".
func (c *compiler) where(e *Predicate, i int) string {
	g := c.positions[e]
	if g == nil {
		return "on ~" + quoteName(e.Name)
	}
	pos := g.Pos
	switch {
	case g.Cmp != nil:
		pos = g.Cmp.Value.Pos
	case i < len(g.In.Values):
		pos = g.In.Values[i].Pos
	}
	return "at " + posOf(pos).String()
}

// setRegexp compiles the regular expression v, anchored, into p, with the
// fastest test that decides as the regexp package does. tree is v parsed
// on its own, or nil if v parses only inside the anchoring group, as a)|(b
// does: the regexp package then decides it as a whole.
func (p *pred) setRegexp(v string, tree *syntax.Regexp) error {
	re, err := regexp.Compile(anchor(v))
	if err != nil {
		return err
	}
	p.re = re
	p.test, p.str, p.set = regexpTest(v)
	if p.test != testRegexp || tree == nil {
		return nil
	}
	tree = tree.Simplify()
	if prefix, class, atLeast, ok := classRun(tree); ok {
		p.test, p.str, p.class, p.atLeast = testPrefixClass, prefix, class, atLeast
	} else if prefix, rest, ok := splitLiteralPrefix(tree); ok {
		p.test, p.str, p.re = testPrefixRegexp, prefix, rest
	}
	return nil
}

// regexpTest recognises the common shapes of anchored regular expressions
// that a string comparison decides faster than the regexp package: a
// literal, literals separated by |, and a literal followed by .*. It returns
// the test, and the literal or the set of alternatives.
func regexpTest(v string) (textTest, string, map[string]struct{}) {
	if lit, ok := literal(v); ok {
		return testEqual, lit, nil
	}
	if prefix, ok := strings.CutSuffix(v, ".*"); ok {
		if lit, ok := literal(prefix); ok {
			return testPrefix, lit, nil
		}
	}
	if strings.Contains(v, "|") {
		set := map[string]struct{}{}
		for alt := range strings.SplitSeq(v, "|") {
			lit, ok := literal(alt)
			if !ok {
				return testRegexp, "", nil
			}
			set[lit] = struct{}{}
		}
		return testSet, "", set
	}
	return testRegexp, "", nil
}

// literal returns the text a regular expression matches if it matches only
// that: characters without special meaning, and escaped punctuation. The
// text must be one that comparing bytes finds as the regexp package does,
// so U+FFFD, which the regexp package also matches against each byte of
// invalid UTF-8, is left to it.
func literal(re string) (string, bool) {
	if strings.ContainsRune(re, utf8.RuneError) {
		return "", false
	}
	var b strings.Builder
	for i := 0; i < len(re); i++ {
		c := re[i]
		switch {
		case c == '\\':
			if i+1 >= len(re) || !strings.ContainsRune(`\.+*?()|[]{}^$`, rune(re[i+1])) {
				return "", false
			}
			i++
			b.WriteByte(re[i])
		case strings.IndexByte(`.+*?()|[]{}^$`, c) >= 0:
			return "", false
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), true
}

// byteLiteral returns the text of a literal node of a parsed regular
// expression when comparing bytes finds it as the regexp package does: the
// literal does not ignore case, and holds neither U+FFFD, which the regexp
// package also matches against each byte of invalid UTF-8, nor a surrogate,
// which it takes for U+FFFD.
func byteLiteral(re *syntax.Regexp) (string, bool) {
	if re.Op != syntax.OpLiteral || re.Flags&syntax.FoldCase != 0 {
		return "", false
	}
	for _, r := range re.Rune {
		if r == utf8.RuneError || !utf8.ValidRune(r) {
			return "", false
		}
	}
	return string(re.Rune), true
}

// splitLiteralPrefix splits a parsed and simplified regular expression that
// starts with a literal, such as checkout-[0-9]+, into the literal and the
// anchored rest, so that matching compares the prefix and runs the regexp
// machine on the rest only. The rest, matched on its own, does not see the
// prefix before it, so a rest that holds an assertion about what comes
// before a position (^, \A, \b, \B) is not split off: web\b.* must tell
// web-1 from web1.
func splitLiteralPrefix(re *syntax.Regexp) (string, *regexp.Regexp, bool) {
	if re.Op != syntax.OpConcat || len(re.Sub) < 2 {
		return "", nil, false
	}
	prefix, ok := byteLiteral(re.Sub[0])
	if !ok {
		return "", nil, false
	}
	rest := &syntax.Regexp{Op: syntax.OpConcat, Sub: re.Sub[1:], Flags: re.Flags}
	if looksBehind(rest) {
		return "", nil, false
	}
	compiled, err := regexp.Compile(anchor(rest.String()))
	if err != nil {
		return "", nil, false
	}
	return prefix, compiled, true
}

// looksBehind reports whether a regular expression holds an assertion whose
// answer depends on the text before its position: ^ and \A (the beginning of
// a line or of the text), \b and \B (a word boundary or none). $ and \z
// look only ahead, which a rest sees as the whole does.
func looksBehind(re *syntax.Regexp) bool {
	switch re.Op {
	case syntax.OpBeginLine, syntax.OpBeginText, syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return true
	}
	return slices.ContainsFunc(re.Sub, looksBehind)
}

// asciiSet is a set of ASCII bytes.
type asciiSet [2]uint64

func (s *asciiSet) has(c byte) bool { return c < 0x80 && s[c>>6]&(1<<(c&63)) != 0 }

// run reports whether v is at least atLeast bytes, all in the set.
func (s *asciiSet) run(v string, atLeast int) bool {
	if len(v) < atLeast {
		return false
	}
	for i := 0; i < len(v); i++ {
		if !s.has(v[i]) {
			return false
		}
	}
	return true
}

// classRun recognises a regular expression that is an optional literal and
// then a run of one class of ASCII characters, such as value-[0-9]+ or
// [a-z0-9-]*: a byte loop decides it. A class that holds any other
// character, such as [^a-z], and a literal that bytes cannot compare (see
// byteLiteral) are left to the regexp package.
func classRun(re *syntax.Regexp) (prefix string, class asciiSet, atLeast int, ok bool) {
	run := re
	if re.Op == syntax.OpConcat {
		if len(re.Sub) != 2 {
			return "", class, 0, false
		}
		if prefix, ok = byteLiteral(re.Sub[0]); !ok {
			return "", class, 0, false
		}
		run = re.Sub[1]
	}
	switch run.Op {
	case syntax.OpPlus:
		atLeast = 1
	case syntax.OpStar:
	default:
		return "", class, 0, false
	}
	cc := run.Sub[0]
	if cc.Op != syntax.OpCharClass {
		return "", class, 0, false
	}
	for i := 0; i+1 < len(cc.Rune); i += 2 {
		lo, hi := cc.Rune[i], cc.Rune[i+1]
		if hi >= 0x80 {
			return "", class, 0, false
		}
		for c := lo; c <= hi; c++ {
			class[c>>6] |= 1 << (c & 63)
		}
	}
	return prefix, class, atLeast, true
}
