package mql

import (
	"strconv"
	"strings"
)

// Expr is a node of a parsed query: *And, *Or, *Not or *Predicate. Parse
// returns the tree through [Query.Expr]; it holds what was written, and
// nothing about positions, so two queries that say the same thing in the same
// way have equal trees.
type Expr interface {
	// String returns the node as canonical MQL.
	String() string
	expr()
}

// And holds when every term holds. It has at least two terms, none of them
// an And.
type And struct{ Terms []Expr }

// Or holds when any term holds. It has at least two terms, none of them an
// Or.
type Or struct{ Terms []Expr }

// Not holds when its term does not.
type Not struct{ Term Expr }

// Op is the operator of a Predicate.
type Op uint8

// The operators.
const (
	OpEqual        Op = iota + 1 // =
	OpNotEqual                   // !=
	OpRegexp                     // =~, a fully anchored RE2 expression
	OpNotRegexp                  // !~
	OpLess                       // <
	OpLessEqual                  // <=
	OpGreater                    // >
	OpGreaterEqual               // >=
	OpIn                         // IN (…)
	OpNotIn                      // NOT IN (…)
)

var opText = [...]string{
	OpEqual: "=", OpNotEqual: "!=", OpRegexp: "=~", OpNotRegexp: "!~",
	OpLess: "<", OpLessEqual: "<=", OpGreater: ">", OpGreaterEqual: ">=",
	OpIn: "IN", OpNotIn: "NOT IN",
}

// String returns the operator as written in MQL.
func (o Op) String() string {
	if int(o) < len(opText) && opText[o] != "" {
		return opText[o]
	}
	return "Op(" + strconv.Itoa(int(o)) + ")"
}

// Negative reports whether the operator is a negation (!=, !~, NOT IN). On a
// subject with many alerts, a negative predicate holds when no alert
// satisfies its positive form.
func (o Op) Negative() bool { return o == OpNotEqual || o == OpNotRegexp || o == OpNotIn }

// positive returns the operator a negative one negates.
func (o Op) positive() Op {
	switch o {
	case OpNotEqual:
		return OpEqual
	case OpNotRegexp:
		return OpRegexp
	case OpNotIn:
		return OpIn
	}
	return o
}

// ordering reports whether the operator compares order.
func (o Op) ordering() bool { return o >= OpLess && o <= OpGreaterEqual }

// Predicate compares a field or a label with values.
type Predicate struct {
	// Name is the built-in field or the label compared.
	Name string
	// Label is true when Name is a label: it was written ~name, or quoted, or
	// it is not the name of a built-in field.
	Label bool
	Op    Op
	// Values holds one value, or the list of IN and NOT IN.
	Values []string
}

func (*And) expr()       {}
func (*Or) expr()        {}
func (*Not) expr()       {}
func (*Predicate) expr() {}

// String returns the terms joined by AND, each in parentheses if it is an Or.
func (e *And) String() string { return join(e.Terms, " AND ", precAnd) }

// String returns the terms joined by OR.
func (e *Or) String() string { return join(e.Terms, " OR ", precOr) }

// String returns NOT and the term, in parentheses if it is an And or an Or.
func (e *Not) String() string { return "NOT " + wrap(e.Term, precNot) }

// String returns the predicate with its values quoted, and labels written
// ~name, so that nothing depends on which fields exist.
func (p *Predicate) String() string {
	var b strings.Builder
	if p.Label {
		b.WriteByte('~')
		b.WriteString(quoteName(p.Name))
	} else {
		b.WriteString(p.Name)
	}
	b.WriteByte(' ')
	b.WriteString(p.Op.String())
	b.WriteByte(' ')
	if p.Op == OpIn || p.Op == OpNotIn {
		b.WriteByte('(')
		for i, v := range p.Values {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(strconv.Quote(v))
		}
		b.WriteByte(')')
	} else if len(p.Values) > 0 {
		b.WriteString(strconv.Quote(p.Values[0]))
	}
	return b.String()
}

// Precedence, loosest first.
const (
	precOr = iota
	precAnd
	precNot
)

func precedence(e Expr) int {
	switch e.(type) {
	case *Or:
		return precOr
	case *And:
		return precAnd
	}
	return precNot
}

func wrap(e Expr, outer int) string {
	if precedence(e) < outer || (outer == precNot && precedence(e) != precNot) {
		return "(" + e.String() + ")"
	}
	return e.String()
}

func join(terms []Expr, sep string, outer int) string {
	parts := make([]string, len(terms))
	for i, t := range terms {
		parts[i] = wrap(t, outer)
	}
	return strings.Join(parts, sep)
}

// quoteName writes a label name bare when it lexes back as one word, else
// quoted.
func quoteName(name string) string {
	if isBareWord(name) && !isKeyword(name) {
		return name
	}
	return strconv.Quote(name)
}
