package route

import (
	"fmt"
	"strings"
	"sync"

	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v3"

	"github.com/alertkit/alertkit/alert"
	"github.com/alertkit/alertkit/mql"
)

// InhibitRule mutes the alerts Target selects while an alert Source
// selects is firing with the same values of the Equal labels — as
// Alertmanager's inhibit_rules: a NodeDown mutes the TargetDown alerts of
// the same node. An empty query selects every alert, as Alertmanager's
// empty matchers do.
type InhibitRule struct {
	Name           string
	Source, Target string // MQL
	Equal          []model.LabelName
	// Pos is where the rule was written, for errors.
	Pos                Position
	sourceAt, targetAt Position
}

// Inhibitor keeps the firing source alerts of its rules and tells whether
// they inhibit an alert. It is safe for concurrent use.
type Inhibitor struct {
	parser  *mql.Parser
	rules   []*inhibitRule
	sources *index // over the rules' source queries
	targets *index // over the rules' target queries

	mu     sync.RWMutex
	firing map[model.Fingerprint][]slot // where each firing source alert is filed
}

type inhibitRule struct {
	InhibitRule
	id             string
	source, target *mql.Query
	// by holds, for each value of the equal labels, the firing alerts of
	// the source with those values.
	by map[string]map[model.Fingerprint]struct{}
}

type slot struct {
	rule int
	key  string
}

// NewInhibitor compiles inhibition rules; parser reads their MQL (nil for
// the default Parser).
func NewInhibitor(rules []InhibitRule, parser *mql.Parser) (*Inhibitor, error) {
	if parser == nil {
		parser = &mql.Parser{}
	}
	in := &Inhibitor{parser: parser, firing: map[model.Fingerprint][]slot{}}
	var sources, targets []*mql.Query
	for i, r := range rules {
		id := r.Name
		if id == "" {
			id = fmt.Sprintf("inhibit_rules[%d]", i)
		}
		what := "inhibit rule " + id
		src, err := compileMatch(parser, r.Source, r.sourceAt, what+": source")
		if err != nil {
			return nil, err
		}
		dst, err := compileMatch(parser, r.Target, r.targetAt, what+": target")
		if err != nil {
			return nil, err
		}
		in.rules = append(in.rules, &inhibitRule{InhibitRule: r, id: id, source: src, target: dst, by: map[string]map[model.Fingerprint]struct{}{}})
		sources = append(sources, src)
		targets = append(targets, dst)
	}
	in.sources = newIndex(sources, parser)
	in.targets = newIndex(targets, parser)
	return in, nil
}

// equalKey joins the values of the equal labels; a missing label is "".
func equalKey(ls model.LabelSet, equal []model.LabelName) string {
	var b strings.Builder
	for _, name := range equal {
		b.WriteString(string(ls[name]))
		b.WriteByte(0xff)
	}
	return b.String()
}

// inhibiting reports whether an alert can inhibit: a condition that fires,
// or whose state is unknown. Events and pending or resolved alerts do not.
func inhibiting(s *Subject) bool {
	if s.Alert.Kind != alert.KindLasting {
		return false
	}
	st := s.Alert.StateAt(s.At)
	return st == alert.StateFiring || st == alert.StateUnknown
}

// Observe records the latest state of an alert: a firing alert that a rule's
// source selects starts inhibiting; a resolved one stops.
func (in *Inhibitor) Observe(s *Subject) {
	fp := alert.Fingerprint(s.Alert.Labels)
	var slots []slot
	if inhibiting(s) {
		var buf [16]int32
		for _, i := range in.sources.candidates(s, buf[:0]) {
			r := in.rules[i]
			if r.source.Match(s) {
				slots = append(slots, slot{rule: int(i), key: equalKey(s.Alert.Labels, r.Equal)})
			}
		}
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	for _, sl := range in.firing[fp] {
		set := in.rules[sl.rule].by[sl.key]
		delete(set, fp)
		if len(set) == 0 {
			delete(in.rules[sl.rule].by, sl.key)
		}
	}
	if len(slots) == 0 {
		delete(in.firing, fp)
		return
	}
	in.firing[fp] = slots
	for _, sl := range slots {
		r := in.rules[sl.rule]
		if r.by[sl.key] == nil {
			r.by[sl.key] = map[model.Fingerprint]struct{}{}
		}
		r.by[sl.key][fp] = struct{}{}
	}
}

// Inhibited reports whether an alert is inhibited, and by which rule and
// source alert. An alert does not inhibit itself.
func (in *Inhibitor) Inhibited(s *Subject) (rule string, source model.Fingerprint, ok bool) {
	var buf [16]int32
	cands := in.targets.candidates(s, buf[:0])
	if len(cands) == 0 {
		return "", 0, false
	}
	fp := alert.Fingerprint(s.Alert.Labels)
	in.mu.RLock()
	defer in.mu.RUnlock()
	for _, i := range cands {
		r := in.rules[i]
		if len(r.by) == 0 || !r.target.Match(s) {
			continue
		}
		for src := range r.by[equalKey(s.Alert.Labels, r.Equal)] {
			if src != fp {
				return r.id, src, true
			}
		}
	}
	return "", 0, false
}

// Sources returns how many alerts are inhibiting now.
func (in *Inhibitor) Sources() int {
	in.mu.RLock()
	defer in.mu.RUnlock()
	return len(in.firing)
}

func (d *decoder) inhibitRules(n *yaml.Node) ([]InhibitRule, error) {
	if n.Kind != yaml.SequenceNode {
		return nil, d.errf(n, "inhibit_rules: expected a list")
	}
	var out []InhibitRule
	for i, c := range n.Content {
		path := fmt.Sprintf("inhibit_rules[%d]", i)
		r := InhibitRule{Pos: d.pos(c)}
		query := func(dst *string, at *Position) func(*yaml.Node) error {
			return func(v *yaml.Node) error {
				if v.Kind != yaml.ScalarNode {
					return d.errf(v, "%s: expected an MQL query", path)
				}
				*dst, *at = v.Value, d.scalarPos(v)
				return nil
			}
		}
		err := d.mapping(c, path, map[string]func(*yaml.Node) error{
			"name":   func(v *yaml.Node) error { r.Name = v.Value; return nil },
			"source": query(&r.Source, &r.sourceAt),
			"target": query(&r.Target, &r.targetAt),
			"equal": func(v *yaml.Node) error {
				var names []string
				if err := v.Decode(&names); err != nil {
					return d.errf(v, "%s.equal: expected a list of label names", path)
				}
				for j, name := range names {
					if !model.UTF8Validation.IsValidLabelName(name) {
						return d.errf(v.Content[j], "%s.equal[%d]: invalid label name %q", path, j, name)
					}
					r.Equal = append(r.Equal, model.LabelName(name))
				}
				return nil
			},
		})
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}
