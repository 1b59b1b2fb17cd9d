package route

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// Names are the names a routing configuration's targets may refer to: the
// service's receivers, people, teams, escalation policies and on-call
// schedules, for CheckTargets.
//
// A nil field leaves its kind of target unchecked: the host does not list
// them (people reached through a fallback receiver, say, or receivers made
// after the configuration is read). A field that is set, even to an empty
// list, is the whole set: a target of its kind that it does not hold is an
// error. Note that slices.Collect and slices.Sorted return nil for no
// names; write []string{} for "there are none".
type Names struct {
	// Receivers are the names receiver: targets may use.
	Receivers []string
	// People are the names @user targets and the assignees of triage rules
	// may use.
	People []string
	// Teams are the names team: targets may use.
	Teams []string
	// Policies are the escalation policies policy: targets may name.
	Policies []string
	// Schedules are the on-call schedules, each with the names of its
	// layers in order. oncall:sre/L2 needs a schedule sre with a layer L2;
	// oncall:sre, a schedule sre with at least one layer (it means the
	// first).
	Schedules map[string][]string
}

// TargetError is a target that names nothing of the Names it was checked
// against. CheckTargets returns one for each such target; its message is
//
//	alertkit.yaml:14:9: routes[2] (payments): receiver:team-paymnts: no receiver "team-paymnts" (receivers: ops, team-payments); did you mean receiver:team-payments?
type TargetError struct {
	// Pos is where the target was written; where its rule was when that
	// is all that is known; zero for a rule made in code.
	Pos Position
	// Rule says whose target it is: "default", "routes[2] (payments)",
	// "routes[1].routes[0]", "triage[3] (backup-owner)"; empty for a
	// target checked on its own (Names.Check).
	Rule string
	// Target is the target. The assignee of a triage rule is a User.
	Target Target
	// Assign is set for the assignee of a triage rule, which is written
	// as a name, without "@".
	Assign bool
	// Problem says what the target names that does not exist, and what
	// does: `no receiver "team-paymnts" (receivers: ops, team-payments)`.
	Problem string
	// Suggestion is what was likely meant, written as the target would
	// be: a name of the same kind a typo away, or the same name of another
	// kind; "" when nothing is close.
	Suggestion string
}

// Error writes the position, the rule, the target and the problem.
func (e *TargetError) Error() string {
	var b strings.Builder
	b.WriteString(e.Pos.prefix())
	if e.Rule != "" {
		b.WriteString(e.Rule)
		b.WriteString(": ")
	}
	if e.Assign {
		b.WriteString("assign")
	} else {
		b.WriteString(e.Target.String())
	}
	b.WriteString(": ")
	b.WriteString(e.Problem)
	if e.Suggestion != "" {
		b.WriteString("; did you mean ")
		b.WriteString(e.Suggestion)
		b.WriteString("?")
	}
	return b.String()
}

// CheckTargets reports every target of the configuration that names
// nothing in names: those of the default route, of every rule at any depth,
// whether written as a mapping or in the line form, and the assignees of
// triage rules, which name people. Each is a *TargetError with the position
// where the target itself was written (exact inside a line-form rule on
// one line; see Parse), and they come in the order of the file, joined
// with errors.Join. A kind whose field of names is nil is not checked; a
// target of an unknown kind is always an error. CheckTargets returns nil
// when every target names something.
//
// Run it when the configuration is loaded: a route to a receiver that does
// not exist pages nobody, and would only be found when an alert takes it.
func (c *Config) CheckTargets(names Names) error {
	if c == nil {
		return nil
	}
	errs := c.targetErrors(names.checker(), "default", "routes")
	slices.SortStableFunc(errs, func(a, b *TargetError) int { return comparePos(a.Pos, b.Pos) })
	out := make([]error, len(errs))
	for i, e := range errs {
		out[i] = e
	}
	return errors.Join(out...)
}

// Check checks one target against the names, as CheckTargets checks those
// of a configuration: it returns a *TargetError, without a position or a
// rule, if the target names nothing. For targets written elsewhere, such as
// the levels of an escalation ladder.
func (n Names) Check(t Target) error {
	if e := n.checker().target(t); e != nil {
		return e
	}
	return nil
}

// targetErrors checks the targets of the default route (named top), of the
// rules under routes, and the triage assignees, in the order of the walk.
func (c *Config) targetErrors(k *checker, top, routes string) []*TargetError {
	var errs []*TargetError
	var walk func(rules []*Rule, path string)
	rule := func(r *Rule, path string) {
		for i, t := range r.To {
			if e := k.target(t); e != nil {
				e.Rule, e.Pos = ruleLabel(path, r.Name), r.targetPos(i)
				errs = append(errs, e)
			}
		}
		walk(r.Routes, path+".routes")
	}
	walk = func(rules []*Rule, path string) {
		for i, r := range rules {
			if r != nil {
				rule(r, fmt.Sprintf("%s[%d]", path, i))
			}
		}
	}
	rule(&c.Default, top)
	walk(c.Routes, routes)
	for i := range c.Triage {
		tr := &c.Triage[i]
		if tr.Assign == "" {
			continue
		}
		e := k.target(Target{Kind: TargetUser, Name: tr.Assign})
		if e == nil {
			continue
		}
		e.Rule, e.Pos, e.Assign = ruleLabel(fmt.Sprintf("triage[%d]", i), tr.Name), cmpOr(tr.assignAt, tr.Pos), true
		// An assignee is a person: suggest only another person, by name.
		if s, ok := strings.CutPrefix(e.Suggestion, "@"); ok {
			e.Suggestion = s
		} else {
			e.Suggestion = ""
		}
		errs = append(errs, e)
	}
	return errs
}

// targetPos is where the rule's i-th target was written, or the rule when
// that is not known.
func (r *Rule) targetPos(i int) Position {
	if len(r.toAt) == len(r.To) && r.toAt[i].Line != 0 {
		return r.toAt[i]
	}
	return r.Source
}

// ruleLabel names a rule by its place, and its name when it has one.
func ruleLabel(path, name string) string {
	if name == "" || name == path {
		return path
	}
	return path + " (" + name + ")"
}

// comparePos orders positions as in a file: by file, line and column, the
// unknown ones last.
func comparePos(a, b Position) int {
	if c := cmp.Compare(btoi(a.Line == 0), btoi(b.Line == 0)); c != 0 {
		return c
	}
	if c := strings.Compare(a.File, b.File); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Line, b.Line); c != 0 {
		return c
	}
	return cmp.Compare(a.Column, b.Column)
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// nameSet is a set of names, sorted for messages and suggestions.
type nameSet struct {
	sorted []string
	has    map[string]bool
}

func newNameSet(names []string) *nameSet {
	if names == nil {
		return nil
	}
	s := &nameSet{sorted: slices.Compact(slices.Sorted(slices.Values(names))), has: make(map[string]bool, len(names))}
	for _, n := range names {
		s.has[n] = true
	}
	return s
}

// list10 writes names for a message: the first ten of a long list.
func list10(names []string) string {
	const most = 10
	if len(names) > most {
		return fmt.Sprintf("%s, and %d more", strings.Join(names[:most], ", "), len(names)-most)
	}
	return list(names)
}

// checker holds Names ready for lookups.
type checker struct {
	kinds     [TargetOnCall]*nameSet // by TargetKind: User, Team, Receiver, Policy
	schedules *nameSet
	layers    map[string][]string
}

// kindNames are the words of messages, by TargetKind.
var kindNames = [TargetOnCall + 1][2]string{
	TargetUser: {"person", "people"}, TargetTeam: {"team", "teams"}, TargetReceiver: {"receiver", "receivers"},
	TargetPolicy: {"policy", "policies"}, TargetOnCall: {"schedule", "schedules"},
}

func (n Names) checker() *checker {
	k := &checker{layers: n.Schedules}
	k.kinds[TargetUser] = newNameSet(n.People)
	k.kinds[TargetTeam] = newNameSet(n.Teams)
	k.kinds[TargetReceiver] = newNameSet(n.Receivers)
	k.kinds[TargetPolicy] = newNameSet(n.Policies)
	if n.Schedules != nil {
		names := make([]string, 0, len(n.Schedules))
		for name := range n.Schedules {
			names = append(names, name)
		}
		k.schedules = newNameSet(names)
	}
	return k
}

// target checks one target: nil if it names something, or if its kind is
// not checked.
func (k *checker) target(t Target) *TargetError {
	e := &TargetError{Target: t}
	switch t.Kind {
	case TargetUser, TargetTeam, TargetReceiver, TargetPolicy:
		set := k.kinds[t.Kind]
		if set == nil || set.has[t.Name] {
			return nil
		}
		e.Problem = fmt.Sprintf("no %s %q (%s: %s)", kindNames[t.Kind][0], t.Name, kindNames[t.Kind][1], list10(set.sorted))
		if s, ok := closest(t.Name, set.sorted); ok {
			e.Suggestion = Target{Kind: t.Kind, Name: s}.String()
		} else {
			e.Suggestion = k.elsewhere(t)
		}
	case TargetOnCall:
		if k.schedules == nil {
			return nil
		}
		sched, layer, _ := strings.Cut(t.Name, "/")
		if !k.schedules.has[sched] {
			e.Problem = fmt.Sprintf("no schedule %q (schedules: %s)", sched, list10(k.schedules.sorted))
			if s, ok := closest(sched, k.schedules.sorted); ok {
				e.Suggestion = Target{Kind: TargetOnCall, Name: s}.String()
				if layer != "" && slices.Contains(k.layers[s], layer) {
					e.Suggestion += "/" + layer
				}
			} else {
				e.Suggestion = k.elsewhere(Target{Kind: TargetOnCall, Name: sched})
			}
			break
		}
		layers := k.layers[sched]
		switch {
		case layer == "" && len(layers) == 0:
			e.Problem = fmt.Sprintf("schedule %s has no layers", sched)
		case layer == "" || slices.Contains(layers, layer):
			return nil
		default:
			e.Problem = fmt.Sprintf("schedule %s has no layer %q (layers: %s)", sched, layer, list10(layers))
			if s, ok := closest(layer, layers); ok {
				e.Suggestion = Target{Kind: TargetOnCall, Name: sched + "/" + s}.String()
			}
		}
	default:
		e.Problem = fmt.Sprintf("unknown kind of target %d (want a person, a team, a receiver, a policy or an on-call layer)", t.Kind)
	}
	return e
}

// elsewhere returns a target of another kind with the very name of t —
// receiver:sre when sre is a team — or "".
func (k *checker) elsewhere(t Target) string {
	for _, kind := range []TargetKind{TargetUser, TargetTeam, TargetReceiver, TargetPolicy} {
		if set := k.kinds[kind]; kind != t.Kind && set != nil && set.has[t.Name] {
			return Target{Kind: kind, Name: t.Name}.String()
		}
	}
	if t.Kind != TargetOnCall && k.schedules != nil && k.schedules.has[t.Name] {
		return Target{Kind: TargetOnCall, Name: t.Name}.String()
	}
	return ""
}

// closest returns the name of names nearest to name by edit distance, if
// one is near enough to be a typo: a change for every three letters (none
// for a name shorter than three: "L3" is not a typo of "L1"), or a change
// of case.
func closest(name string, names []string) (string, bool) {
	const longest = 128 // longer names are compared for equality only
	n := utf8.RuneCountInString(name)
	if n == 0 || n > longest {
		return "", false
	}
	limit := n / 3
	best, bestD := "", limit+1
	for _, c := range names {
		if strings.EqualFold(c, name) {
			return c, true
		}
		m := utf8.RuneCountInString(c)
		if m > longest || m-n > limit || n-m > limit {
			continue
		}
		if d := levenshtein(name, c); d < bestD {
			best, bestD = c, d
		}
	}
	return best, best != ""
}

// levenshtein is the edit distance of a and b in characters: insertions,
// deletions and substitutions.
func levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
