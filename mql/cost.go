package mql

import (
	"fmt"
	"regexp/syntax"
	"strings"
)

// The cost of a query, which MaxQueryCost bounds. A predicate costs
// predicateCost. A regular expression costs in addition the size of the
// program it compiles to, one per instruction and one per rangesPerCost
// ranges of characters that its instructions test, and namedClassCost per
// Unicode class it names (\pL, \p{Greek}, \PN).
//
// Compiling a regular expression takes time in proportion to its
// instructions and, for a program of fewer than a thousand instructions,
// to the ranges of its classes (\pL, the letters, has 659), which the
// regexp package merges where the program branches. Before that, parsing a
// Unicode class reads up to a thousand ranges from the Unicode tables and
// merges them with the rest of its class: that work is counted from the
// text, before it is done. Matching takes time in proportion to the
// instructions.
const (
	predicateCost  = 1
	rangesPerCost  = 10
	namedClassCost = 1000 / rangesPerCost
	// progCost is what anchoring adds to the program of a regular
	// expression: ^ and $, and wrapperCost.
	progCost = 2 + wrapperCost
	// wrapperCost is what every program holds besides its expression:
	// the group around the whole, the first instruction and the last.
	wrapperCost = 4
)

// regexpSize is the size of a regular expression: how many Unicode classes
// its text names, and an estimate, from its syntax tree, of the program it
// compiles to, its instructions and the ranges of characters they test,
// with repeats multiplied out as the compiler expands them. The estimate is
// at least the size of the program compiled.
type regexpSize struct {
	named, insts, ranges int64
}

// cost returns the cost of a regular expression of that size.
func (s regexpSize) cost() int64 {
	return s.named*namedClassCost + s.insts + s.ranges/rangesPerCost
}

func (s regexpSize) plus(t regexpSize) regexpSize {
	return regexpSize{s.named + t.named, s.insts + t.insts, s.ranges + t.ranges}
}

func (s regexpSize) times(n int) regexpSize {
	return regexpSize{s.named * int64(n), s.insts * int64(n), s.ranges * int64(n)}
}

// String describes the size for an error message: "expands to 1006
// instructions, tests 659000 ranges of characters and names 1 Unicode
// class: a cost of 67006", or "expands to 28 instructions" when that is
// the whole cost.
func (s regexpSize) String() string {
	var parts []string
	if s.insts > 0 {
		parts = append(parts, fmt.Sprintf("expands to %d instructions", s.insts))
	}
	if s.ranges >= rangesPerCost {
		parts = append(parts, fmt.Sprintf("tests %d ranges of characters", s.ranges))
	}
	switch {
	case s.named == 1:
		parts = append(parts, "names 1 Unicode class")
	case s.named > 1:
		parts = append(parts, fmt.Sprintf("names %d Unicode classes", s.named))
	}
	text := strings.Join(parts, ", ")
	if i := strings.LastIndex(text, ", "); i >= 0 {
		text = text[:i] + " and " + text[i+2:]
	}
	if s.cost() == s.insts {
		return text
	}
	return fmt.Sprintf("%s: a cost of %d", text, s.cost())
}

// namedClasses counts the Unicode classes that the text of a regular
// expression names, \pL, \p{Greek}, \PN or \p{^Greek}, without parsing
// it. An escaped backslash followed by p is not one, but text quoted by
// \Q…\E is counted as if it were not quoted, which errs on the costly
// side.
func namedClasses(v string) int64 {
	var n int64
	for i := 0; i+1 < len(v); i++ {
		if v[i] != '\\' {
			continue
		}
		i++
		if v[i] == 'p' || v[i] == 'P' {
			n++
		}
	}
	return n
}

// sizeOf estimates the program of a parsed, not simplified, regular
// expression without expanding it: x{2,5} is xx(x(x(x)?)?)?, five copies
// of x and three branches. The parser refuses repeats nested beyond a
// thousand copies and trees deeper than a thousand levels, so the sizes
// stay far below overflow and the recursion shallow.
func sizeOf(re *syntax.Regexp) regexpSize {
	var s regexpSize
	switch re.Op {
	case syntax.OpLiteral: // an instruction per character, without ranges
		s = regexpSize{insts: int64(len(re.Rune))}
	case syntax.OpCharClass:
		s = regexpSize{insts: 1, ranges: int64(len(re.Rune) / 2)}
	case syntax.OpAnyCharNotNL, syntax.OpAnyChar:
		s = regexpSize{insts: 1, ranges: 2}
	case syntax.OpCapture, syntax.OpStar:
		// x* compiles to (x+)? when x may match the empty string.
		s = sizeOf(re.Sub[0]).plus(regexpSize{insts: 2})
	case syntax.OpPlus, syntax.OpQuest:
		s = sizeOf(re.Sub[0]).plus(regexpSize{insts: 1})
	case syntax.OpConcat:
		for _, sub := range re.Sub {
			s = s.plus(sizeOf(sub))
		}
	case syntax.OpAlternate:
		for _, sub := range re.Sub {
			s = s.plus(sizeOf(sub))
		}
		s.insts += int64(len(re.Sub) - 1)
	case syntax.OpRepeat:
		sub := sizeOf(re.Sub[0])
		switch {
		case re.Max == -1 && re.Min == 0: // x*
			s = sub.plus(regexpSize{insts: 2})
		case re.Max == -1: // x{n,} is n-1 copies of x, then x+
			s = sub.times(re.Min).plus(regexpSize{insts: 1})
		default: // x{n,m} is m copies of x, the last m-n optional
			s = sub.times(re.Max).plus(regexpSize{insts: int64(re.Max - re.Min)})
		}
	}
	// Empty matches, assertions, an empty concatenation or an impossible
	// class compile to one instruction.
	s.insts = max(s.insts, 1)
	return s
}

// regexpTree is a regular expression parsed to estimate its cost: alone is
// v parsed on its own, the tree that the matching shortcuts read, or nil
// when v parses only inside the group that anchors it, as a)|(b does.
type regexpTree struct {
	alone *syntax.Regexp
	size  regexpSize
}

// parseRegexp parses the regular expression v, cheaply next to compiling
// it, for its size. An error is the one compiling v anchored returns.
func parseRegexp(v string) (regexpTree, error) {
	if tree, err := syntax.Parse(v, syntax.Perl); err == nil {
		return regexpTree{alone: tree, size: sizeOf(tree).plus(regexpSize{insts: progCost})}, nil
	}
	tree, err := syntax.Parse(anchor(v), syntax.Perl)
	if err != nil {
		return regexpTree{}, err
	}
	return regexpTree{size: sizeOf(tree).plus(regexpSize{insts: wrapperCost})}, nil
}

// anchor returns v anchored at both ends, as =~ matches it.
func anchor(v string) string { return "^(?:" + v + ")$" }

// budget adds up the cost of a query as it compiles.
type budget struct {
	spent int64
	// costliest is the costliest regular expression so far, value number
	// value of predicate pred.
	costliest regexpSize
	pred      *Predicate
	value     int
}

// spend adds cost, of predicate e, and returns the error that refuses the
// query if the total crosses MaxQueryCost: at predicate e, which crossed
// the limit, naming the costliest regular expression.
func (c *compiler) spend(e *Predicate, cost int64) error {
	b := &c.budget
	b.spent += cost
	if b.spent <= MaxQueryCost {
		return nil
	}
	if b.costliest == (regexpSize{}) {
		return c.errAt(e, atPredicate, "query too costly: it costs %d up to here, and the whole query may cost at most %d; every predicate costs %d",
			b.spent, MaxQueryCost, predicateCost)
	}
	return c.errAt(e, atPredicate, "query too costly: the regular expression %s %s; the whole query may cost at most %d, and costs %d up to here",
		c.where(b.pred, b.value), b.costliest, MaxQueryCost, b.spent)
}

// noteRegexp records the size of a regular expression, value number i of
// predicate e, for the error that spend returns.
func (c *compiler) noteRegexp(s regexpSize, e *Predicate, i int) {
	if b := &c.budget; s.cost() > b.costliest.cost() {
		b.costliest, b.pred, b.value = s, e, i
	}
}
