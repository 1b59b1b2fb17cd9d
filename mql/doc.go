// Package mql is MQL, the query language with which people search alerts
// and incidents, and with which routes, runbooks, triage rules and silences
// select them.
//
//	trigger = "IngressResponses5xx" AND project = "horns-and-hooves"
//	project = "horns-and-hooves" AND ~server = "gitlab"
//	project=~horns and trigger=~no-data-for
//	severity <= S3 AND ~env NOT IN (dev, staging)
//
// A query compares fields and labels with values, and combines comparisons
// with AND, OR, NOT and parentheses (NOT binds tightest, then AND, then OR).
// Keywords may be written in any case. Values are quoted ("…" or '…', with
// Go's escapes) or bare words, which run up to whitespace, a quote, a
// parenthesis, a comma or an operator character: no-data-for,
// static.example.com and 10.244.37.14:9403 need no quotes, but a value that
// spells a keyword does ("in").
//
// # Fields and labels
//
// A name is a built-in field ([Field]) if it is one of trigger, project,
// state, severity, service_level, status, assignee, team and age; any other
// name is a label, and ~name is always the label name, even ~trigger. A
// subject may supply a field itself (an alert's state, an incident's
// status); otherwise the field is read from labels, by default trigger from
// trigger or alertname, project from project or namespace, severity from
// severity_level, and service_level, assignee and team from the labels of
// the same name. [Parser.FieldLabels] changes that.
//
// # Operators
//
//	=  !=            equal, not equal; a missing label equals ""
//	=~ !~            RE2 regular expression, fully anchored, as in Alertmanager
//	IN (…) NOT IN (…) one of a list
//	<  <=  >  >=     order: severities (severity <= S3 is S1, S2 or S3),
//	                 service levels (none < silver < gold < platinum),
//	                 ages (age > 30m), and labels holding numbers
//
// Ordering a text field, or matching a severity with a regular expression,
// is an error when the query is parsed, as are an invalid regular expression,
// an unknown state and an invalid severity. Errors are [*ParseError] with a
// line and column: 1:29: expected a value after "=~", got end of query.
//
// # Subjects with many alerts
//
// A [Subject] may hold many alerts, as an incident does. A label predicate
// (and one on trigger, project or state) then holds when any alert satisfies
// it, and a negative one (!=, !~, NOT IN) when none does: on an incident,
// trigger = TargetDown means "has a TargetDown alert", and
// trigger != TargetDown "has no TargetDown alert".
//
// # Alertmanager matchers
//
// [ParseMatchers] reads Alertmanager's matcher lists, UTF-8 and classic
// ({alertname="X", env=~"prod|stage"}), into a query of label predicates,
// and [Query.Matchers] turns a conjunction of label predicates back into
// matchers. A list without a matcher, such as {}, is an error
// ([ErrEmptyMatchers]), not a query that matches every alert: a silence
// written that way would mute everything.
//
// # Grammar
//
// In EBNF, as [Grammar] prints it; <word>, <string> and <op> are the tokens
// described above:
//
//	Query = Disjunction? .
//	Disjunction = Conjunction ("OR" Conjunction)* .
//	Conjunction = Negation ("AND" Negation)* .
//	Negation = ("NOT" Negation) | Primary .
//	Primary = ("(" Disjunction ")") | Predicate .
//	Predicate = "~"? (<word> | <string>) (Comparison | InList) .
//	Comparison = <op> Value .
//	Value = (<word> | <string>) .
//	InList = "NOT"? "IN" "(" Value ("," Value)* ")" .
//
// The empty query matches everything.
//
// # Limits
//
// Queries may come from outside, from a search box or an API, so Parse
// refuses, with a [*ParseError] that says which limit and where, a query
// longer than [MaxQueryBytes], one nested deeper than [MaxDepth], and one
// that costs more than [MaxQueryCost] to compile and to match. Every
// predicate costs 1, and a regular expression in addition the size of the
// program it expands to, with repeat counts multiplied out, its character
// classes and the Unicode classes it names; the cost is counted before the
// work it stands for is done, so that a costly query is refused quickly:
//
//	1:24: query too costly: the regular expression at 1:8 expands to 1006
//	instructions, tests 659000 ranges of characters and names 1 Unicode
//	class: a cost of 67006; the whole query may cost at most 131072, and
//	costs 134014 up to here
//
// Typical queries cost a few dozen: checkout|payments|cart costs 28, and
// \pL{1,64}, up to 64 letters, 4450.
//
// # Concurrency
//
// A [Query] is immutable once parsed and may be matched by many goroutines at
// once; matching allocates nothing. A [Parser] may be shared likewise.
package mql
