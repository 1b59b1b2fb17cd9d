package route

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/alertmanager/timeinterval"
	"github.com/prometheus/common/model"

	"github.com/alertkit/alertkit/incident"
	"github.com/alertkit/alertkit/mql"
)

// Alertmanager's defaults of the group timings, which the default route
// has unless it says otherwise.
const (
	DefaultGroupWait      = 30 * time.Second
	DefaultGroupInterval  = 5 * time.Minute
	DefaultRepeatInterval = 4 * time.Hour
)

// Options tune Compile. A nil *Options means the defaults.
type Options struct {
	// Parser reads the MQL of every rule; default the zero Parser.
	Parser *mql.Parser
}

// Timing is when the notifications of a group go out, as Alertmanager
// times them.
type Timing struct {
	Wait, Interval, Repeat time.Duration
}

// Route is where a routed alert goes: the rule that took it, with every
// setting resolved.
type Route struct {
	Rule *Rule
	// ID names the rule: its name, or its place ("routes[2]"); "default"
	// for the default route.
	ID      string
	Targets []Target
	// Grouping gathers the alert into an incident: its Key is the ID.
	Grouping incident.Grouping
	// GroupKey is the key of the alert's group, as Grouping.GroupKey.
	GroupKey string
	Timing   Timing
	// Muted is set when a time interval of the rule keeps notifications
	// from going out at the time of the subject; MutedBy says which ("not
	// in business-hours" for an active interval).
	Muted   bool
	MutedBy string
}

// Router routes alerts with a compiled Config. It may be used by many
// goroutines at once.
type Router struct {
	root       *node
	parser     *mql.Parser
	intervener *timeinterval.Intervener
	config     *Config
}

type node struct {
	rule     *Rule
	id       string
	depth    int
	query    *mql.Query
	targets  []Target
	groupBy  []model.LabelName
	keyBy    []model.LabelName // groupBy sorted, without repeats, for groupKey
	timing   Timing
	children []*node
	index    *index // over children, when there are many
}

// indexFrom is how many child rules make an index worth its lookups.
const indexFrom = 8

// Stages are what a Config compiles to: the Router of its routes, the
// Triage of its triage rules, the Inhibitor of its inhibition rules and an
// empty set of Silences, all reading MQL with the same parser.
type Stages struct {
	Router    *Router
	Triage    *Triage
	Inhibitor *Inhibitor
	Silences  *Silences
}

// Build compiles a whole Config in one call: see Compile, NewTriage,
// NewInhibitor and NewSilences, which it calls with the Router's parser.
// The error is the first of its parts, in that order, naming where the
// rule was written.
func Build(cfg *Config, opts *Options) (*Stages, error) {
	router, err := Compile(cfg, opts)
	if err != nil {
		return nil, err
	}
	s := &Stages{Router: router, Silences: NewSilences(router.parser)}
	if s.Triage, err = NewTriage(router.config.Triage, router.parser); err != nil {
		return nil, err
	}
	if s.Inhibitor, err = NewInhibitor(router.config.Inhibit, router.parser); err != nil {
		return nil, err
	}
	return s, nil
}

// Compile checks a Config and makes a Router of its routes and time
// intervals; Build compiles its triage and inhibition rules too. The
// Router keeps a copy of cfg: changing cfg afterwards changes nothing.
// Errors name the rule and where it was written: "routes.yaml:7:18: rule
// gitlab: mql: expected a value after "=", got end of query".
func Compile(cfg *Config, opts *Options) (*Router, error) {
	cfg = cfg.clone()
	r := &Router{parser: &mql.Parser{}, config: cfg}
	if opts != nil && opts.Parser != nil {
		r.parser = opts.Parser
	}
	if cfg.Default.Match != "" {
		return nil, fmt.Errorf("%sthe default route matches every alert; it takes no match", cfg.Default.Source.prefix())
	}
	if len(cfg.Default.Routes) > 0 {
		return nil, fmt.Errorf("%sthe default route's rules go in Config.Routes", cfg.Default.Source.prefix())
	}
	r.intervener = timeinterval.NewIntervener(cfg.TimeIntervals)
	root := cfg.Default
	root.Routes = cfg.Routes
	rootNode := &node{
		rule:    &root,
		id:      "default",
		targets: root.To,
		groupBy: root.GroupBy,
		timing: Timing{
			Wait:     cmpOr(root.GroupWait, DefaultGroupWait),
			Interval: cmpOr(root.GroupInterval, DefaultGroupInterval),
			Repeat:   cmpOr(root.RepeatInterval, DefaultRepeatInterval),
		},
	}
	rootNode.keyBy = keyLabels(rootNode.groupBy)
	if err := r.checkIntervals(&root, "default"); err != nil {
		return nil, err
	}
	names := map[string]Position{}
	var err error
	rootNode.children, err = r.compileRules(rootNode, root.Routes, "routes", names)
	if err != nil {
		return nil, err
	}
	r.root = rootNode
	return r, nil
}

func (r *Router) compileRules(parent *node, rules []*Rule, path string, names map[string]Position) ([]*node, error) {
	var out []*node
	var queries []*mql.Query
	for i, rule := range rules {
		if rule == nil {
			return nil, fmt.Errorf("%s[%d]: nil rule", path, i)
		}
		id := rule.Name
		if id == "" {
			id = fmt.Sprintf("%s[%d]", path, i)
		} else if at, dup := names[id]; dup {
			also := ""
			if at.Line != 0 {
				also = " (also at " + at.String() + ")"
			}
			return nil, fmt.Errorf("%srule %s: the name is used twice%s", rule.Source.prefix(), id, also)
		}
		names[id] = rule.Source
		what := "rule " + id
		q, err := compileMatch(r.parser, rule.Match, rule.matchAt, what)
		if err != nil {
			return nil, err
		}
		if err := r.checkIntervals(rule, what); err != nil {
			return nil, err
		}
		n := &node{
			rule:    rule,
			id:      id,
			depth:   parent.depth + 1,
			query:   q,
			targets: parent.targets,
			groupBy: parent.groupBy,
			timing: Timing{
				Wait:     cmpOr(rule.GroupWait, parent.timing.Wait),
				Interval: cmpOr(rule.GroupInterval, parent.timing.Interval),
				Repeat:   cmpOr(rule.RepeatInterval, parent.timing.Repeat),
			},
		}
		if len(rule.To) > 0 {
			n.targets = rule.To
		}
		if rule.GroupBy != nil {
			n.groupBy = rule.GroupBy
		}
		n.keyBy = keyLabels(n.groupBy)
		if n.children, err = r.compileRules(n, rule.Routes, path+fmt.Sprintf("[%d].routes", i), names); err != nil {
			return nil, err
		}
		out = append(out, n)
		queries = append(queries, q)
	}
	if len(out) >= indexFrom {
		parent.index = newIndex(queries, r.parser)
	}
	return out, nil
}

func (r *Router) checkIntervals(rule *Rule, what string) error {
	for _, name := range slices.Concat(rule.ActiveTimeIntervals, rule.MuteTimeIntervals) {
		if _, ok := r.config.TimeIntervals[name]; !ok {
			known := slices.Sorted(maps.Keys(r.config.TimeIntervals))
			return fmt.Errorf("%s%s: no time interval %q (the config has %s)", rule.Source.prefix(), what, name, list(known))
		}
	}
	return nil
}

func list(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

func cmpOr[T comparable](a, b T) T {
	var zero T
	if a != zero {
		return a
	}
	return b
}

// Route returns where an alert goes: the routes that take it, in order —
// more than one when rules continue. The first decides the alert's
// incident; every one's targets are notified. It never returns none: the
// default route takes what nothing else does.
func (r *Router) Route(s *Subject) []Route {
	out, _ := r.match(r.root, s, make([]Route, 0, 1))
	return out
}

func (r *Router) match(n *node, s *Subject, out []Route) ([]Route, bool) {
	if n.query != nil && !n.query.Match(s) {
		return out, false
	}
	before := len(out)
	if n.index != nil {
		var buf [16]int32
		for _, i := range n.index.candidates(s, buf[:0]) {
			child := n.children[i]
			var matched bool
			if out, matched = r.match(child, s, out); matched && !child.rule.Continue {
				break
			}
		}
	} else {
		for _, child := range n.children {
			var matched bool
			if out, matched = r.match(child, s, out); matched && !child.rule.Continue {
				break
			}
		}
	}
	if len(out) == before {
		out = append(out, r.result(n, s))
	}
	return out, true
}

func (r *Router) result(n *node, s *Subject) Route {
	rt := Route{
		Rule:     n.rule,
		ID:       n.id,
		Targets:  n.targets,
		Grouping: incident.Grouping{Key: n.id, By: n.groupBy},
		Timing:   n.timing,
	}
	if n.keyBy != nil {
		rt.GroupKey = groupKey(n.id, n.keyBy, s.Alert.Labels)
	} else {
		rt.GroupKey = rt.Grouping.GroupKey(s.Alert.Labels)
	}
	rt.Muted, rt.MutedBy = r.muted(n.rule, s.At)
	return rt
}

// keyLabels returns the group labels sorted and without repeats, for
// groupKey; nil for "...", which groupKey leaves to Grouping.GroupKey.
func keyLabels(by []model.LabelName) []model.LabelName {
	if len(by) == 1 && by[0] == "..." {
		return nil
	}
	sorted := append([]model.LabelName{}, by...) // not nil, even for no labels
	slices.Sort(sorted)
	return slices.Compact(sorted)
}

// groupKey is incident.Grouping.GroupKey, `key{alertname="TargetDown",
// namespace="shop"}`, with the group labels sorted beforehand and the key
// built in one allocation: every routed alert needs one.
func groupKey(key string, sorted []model.LabelName, ls model.LabelSet) string {
	n := len(key) + 2
	for _, name := range sorted {
		if v, ok := ls[name]; ok {
			n += len(name) + len(v) + 5 // =, quotes, ", "
		}
	}
	var b strings.Builder
	b.Grow(n)
	b.WriteString(key)
	b.WriteByte('{')
	first := true
	for _, name := range sorted {
		v, ok := ls[name]
		if !ok {
			continue
		}
		if !first {
			b.WriteString(", ")
		}
		first = false
		b.WriteString(string(name))
		b.WriteByte('=')
		if plain(string(v)) {
			b.WriteByte('"')
			b.WriteString(string(v))
			b.WriteByte('"')
		} else {
			b.WriteString(strconv.Quote(string(v)))
		}
	}
	b.WriteByte('}')
	return b.String()
}

// plain reports whether strconv.Quote would only put s in quotes: printable
// ASCII without quotes or backslashes.
func plain(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// muted reports whether the time intervals of a rule keep notifications
// back at time t.
func (r *Router) muted(rule *Rule, t time.Time) (bool, string) {
	if len(rule.MuteTimeIntervals) > 0 {
		if muted, names, err := r.intervener.Mutes(rule.MuteTimeIntervals, t); err == nil && muted {
			return true, "in " + strings.Join(names, ", ")
		}
	}
	if len(rule.ActiveTimeIntervals) > 0 {
		if active, _, err := r.intervener.Mutes(rule.ActiveTimeIntervals, t); err == nil && !active {
			return true, "not in " + strings.Join(rule.ActiveTimeIntervals, ", ")
		}
	}
	return false, ""
}

// Step is what one rule made of an alert, in Explain.
type Step struct {
	Rule  *Rule
	ID    string
	Depth int
	// Matched: the rule's query holds. Taken: the alert goes to this rule's
	// targets (it matched, and no child took it).
	Matched, Taken bool
	// Reached is false when the rule was never tried: its parent did not
	// match, or an earlier sibling took the alert without continue.
	Reached bool
	// Failed is the first term of the query that does not hold, and Saw
	// what the alert has for it ("project is \"shop\"").
	Failed, Saw string
}

// Explain tells, rule by rule in the order of the configuration, what
// happened to an alert: taken, matched, the first term of the query that
// failed, or not reached — for people, and for failing route tests.
func (r *Router) Explain(s *Subject) []Step {
	var steps []Step
	r.explain(r.root, s, true, &steps)
	return steps
}

func (r *Router) explain(n *node, s *Subject, reached bool, steps *[]Step) bool {
	i := len(*steps)
	*steps = append(*steps, Step{Rule: n.rule, ID: n.id, Depth: n.depth, Reached: reached})
	if !reached {
		for _, c := range n.children {
			r.explain(c, s, false, steps)
		}
		return false
	}
	if n.query != nil && !n.query.Match(s) {
		st := &(*steps)[i]
		for _, term := range n.query.Terms() {
			if !term.Match(s) {
				st.Failed = term.String()
				st.Saw = r.saw(term, s)
				break
			}
		}
		for _, c := range n.children {
			r.explain(c, s, false, steps)
		}
		return false
	}
	(*steps)[i].Matched = true
	taken, stop := false, false
	for _, c := range n.children {
		matched := r.explain(c, s, !stop, steps)
		if matched {
			taken = true
			stop = stop || !c.rule.Continue
		}
	}
	(*steps)[i].Taken = !taken
	return true
}

// saw describes what the subject has for a failed predicate.
func (r *Router) saw(term *mql.Query, s *Subject) string {
	p, ok := term.Expr().(*mql.Predicate)
	if !ok {
		return ""
	}
	v, ok := r.parser.Text(s, 0, mql.Ref{Name: p.Name, Label: p.Label})
	if !ok {
		if vv, has := s.Field(0, mustField(p.Name)); has {
			return fmt.Sprintf("%s is %v", p.Name, describeValue(p.Name, vv))
		}
		return p.Name + " is not set"
	}
	name := p.Name
	if p.Label {
		name = "~" + name
		if _, set := s.Label(0, p.Name); !set {
			return name + " is not set"
		}
	}
	return fmt.Sprintf("%s is %q", name, v)
}

func mustField(name string) mql.Field {
	f, _ := mql.ParseField(name)
	return f
}

func describeValue(name string, v mql.Value) string {
	if name == "severity" {
		return fmt.Sprintf("S%d", int(v.Num))
	}
	return fmt.Sprint(v.Num)
}

// FormatSteps writes an explanation, a line per rule, indented by depth:
//
//	default: matched
//	  gitlab: no: project = "horns-and-hooves" does not hold: project is "shop"
//	  routes[1]: taken
//	  routes[2]: not reached
func FormatSteps(steps []Step) string {
	var b strings.Builder
	for _, st := range steps {
		b.WriteString(strings.Repeat("  ", st.Depth))
		b.WriteString(st.ID)
		b.WriteString(": ")
		switch {
		case !st.Reached:
			b.WriteString("not reached")
		case st.Taken:
			b.WriteString("taken")
		case st.Matched:
			b.WriteString("matched, passed to a child rule")
		default:
			b.WriteString("no: " + st.Failed + " does not hold")
			if st.Saw != "" {
				b.WriteString(": " + st.Saw)
			}
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// Config returns a copy of the configuration the Router was compiled
// from.
func (r *Router) Config() *Config { return r.config.clone() }

// clone copies a Config deep enough that its rules, lists and maps are
// its own.
func (c *Config) clone() *Config {
	if c == nil {
		return &Config{}
	}
	out := *c
	out.Default = *c.Default.clone()
	out.Routes = cloneRules(c.Routes)
	out.TimeIntervals = maps.Clone(c.TimeIntervals)
	out.Inhibit = slices.Clone(c.Inhibit)
	out.Triage = slices.Clone(c.Triage)
	return &out
}

func cloneRules(rules []*Rule) []*Rule {
	if rules == nil {
		return nil
	}
	out := make([]*Rule, len(rules))
	for i, r := range rules {
		out[i] = r.clone()
	}
	return out
}

func (r *Rule) clone() *Rule {
	if r == nil {
		return nil
	}
	c := *r
	c.To = slices.Clone(r.To)
	c.GroupBy = slices.Clone(r.GroupBy)
	c.ActiveTimeIntervals = slices.Clone(r.ActiveTimeIntervals)
	c.MuteTimeIntervals = slices.Clone(r.MuteTimeIntervals)
	c.toAt = slices.Clone(r.toAt)
	c.Routes = cloneRules(r.Routes)
	return &c
}

// Parser returns the MQL parser of the Router's rules.
func (r *Router) Parser() *mql.Parser { return r.parser }
