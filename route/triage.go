package route

import (
	"fmt"
	"maps"
	"time"

	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v3"

	"github.com/alertkit/alertkit/mql"
	"github.com/alertkit/alertkit/severity"
)

// TriageRule is a robot: alerts its query selects get its actions. A rule
// has at least one action; Drop excludes the others.
type TriageRule struct {
	Name  string
	Match string
	// Drop discards the alert: it is neither routed nor recorded in an
	// incident (the dedup stage still knows it).
	Drop bool
	// Severity replaces the alert's level.
	Severity severity.Level
	// AddLabels are added to the alert before silences and routes see it,
	// replacing labels of the same names.
	AddLabels model.LabelSet
	// Assign makes someone the owner of the alert's incident.
	Assign string
	// Acknowledge acknowledges the alert's incident at once.
	Acknowledge bool
	// ResolveAfter resolves the alert's incident when its alerts have been
	// resolved for this long.
	ResolveAfter time.Duration
	// Pos is where the rule was written, for errors.
	Pos      Position
	matchAt  Position
	assignAt Position // where Assign was written, for CheckTargets
}

// Verdict is what the triage rules decide for an alert.
type Verdict struct {
	// Rules names the rules that matched, in order.
	Rules        []string
	Drop         bool
	Severity     severity.Level
	AddLabels    model.LabelSet
	Assign       string
	Acknowledge  bool
	ResolveAfter time.Duration
}

// Triage applies triage rules. Every rule that matches applies, in the
// order written, a later one overriding an earlier one's severity, assignee
// and quiet period, and adding to its labels; a rule that drops stops the
// rest. The pipeline acts on a Verdict in this order: drop; set the
// severity and add the labels (before silences, inhibition and routes see
// the alert); then, on the alert's incident, assign, acknowledge, and
// resolve after the quiet period. A Triage may be used by many goroutines
// at once.
type Triage struct {
	rules []triageRule
	index *index
}

type triageRule struct {
	TriageRule
	id    string
	query *mql.Query
}

// NewTriage compiles triage rules; parser reads their MQL (nil for the
// default Parser).
func NewTriage(rules []TriageRule, parser *mql.Parser) (*Triage, error) {
	if parser == nil {
		parser = &mql.Parser{}
	}
	t := &Triage{}
	var queries []*mql.Query
	for i, r := range rules {
		id := r.Name
		if id == "" {
			id = fmt.Sprintf("triage[%d]", i)
		}
		what := "triage rule " + id
		actions := 0
		for _, set := range []bool{r.Drop, r.Severity != 0, len(r.AddLabels) > 0, r.Assign != "", r.Acknowledge, r.ResolveAfter != 0} {
			if set {
				actions++
			}
		}
		switch {
		case actions == 0:
			return nil, fmt.Errorf("%s%s: no action (drop, severity, add_labels, assign, acknowledge or resolve_after)", r.Pos.prefix(), what)
		case r.Drop && actions > 1:
			return nil, fmt.Errorf("%s%s: drop excludes every other action", r.Pos.prefix(), what)
		case r.Severity != 0 && !r.Severity.Valid():
			return nil, fmt.Errorf("%s%s: invalid severity %d", r.Pos.prefix(), what, r.Severity)
		case r.ResolveAfter < 0:
			return nil, fmt.Errorf("%s%s: negative resolve_after", r.Pos.prefix(), what)
		}
		for name, value := range r.AddLabels {
			if !model.LegacyValidation.IsValidLabelName(string(name)) || !value.IsValid() {
				return nil, fmt.Errorf("%s%s: add_labels: invalid label %s=%q", r.Pos.prefix(), what, name, value)
			}
		}
		q, err := compileMatch(parser, r.Match, r.matchAt, what)
		if err != nil {
			return nil, err
		}
		t.rules = append(t.rules, triageRule{TriageRule: r, id: id, query: q})
		queries = append(queries, q)
	}
	t.index = newIndex(queries, parser)
	return t, nil
}

// Apply returns the verdict of the rules on an alert.
func (t *Triage) Apply(s mql.Subject) Verdict {
	var v Verdict
	var buf [16]int32
	for _, i := range t.index.candidates(s, buf[:0]) {
		r := &t.rules[i]
		if !r.query.Match(s) {
			continue
		}
		v.Rules = append(v.Rules, r.id)
		if r.Drop {
			return Verdict{Rules: v.Rules, Drop: true}
		}
		if r.Severity != 0 {
			v.Severity = r.Severity
		}
		if len(r.AddLabels) > 0 {
			if v.AddLabels == nil {
				v.AddLabels = model.LabelSet{}
			}
			maps.Copy(v.AddLabels, r.AddLabels)
		}
		if r.Assign != "" {
			v.Assign = r.Assign
		}
		v.Acknowledge = v.Acknowledge || r.Acknowledge
		if r.ResolveAfter != 0 {
			v.ResolveAfter = r.ResolveAfter
		}
	}
	return v
}

func (d *decoder) triageRules(n *yaml.Node) ([]TriageRule, error) {
	if n.Kind != yaml.SequenceNode {
		return nil, d.errf(n, "triage: expected a list")
	}
	var out []TriageRule
	for i, c := range n.Content {
		path := fmt.Sprintf("triage[%d]", i)
		r := TriageRule{Pos: d.pos(c)}
		boolean := func(dst *bool, key string) func(*yaml.Node) error {
			return func(v *yaml.Node) error {
				if err := v.Decode(dst); err != nil {
					return d.errf(v, "%s.%s: expected true or false", path, key)
				}
				return nil
			}
		}
		err := d.mapping(c, path, map[string]func(*yaml.Node) error{
			"name": func(v *yaml.Node) error { r.Name = v.Value; return nil },
			"match": func(v *yaml.Node) error {
				r.Match, r.matchAt = v.Value, d.scalarPos(v)
				return nil
			},
			"drop":        boolean(&r.Drop, "drop"),
			"acknowledge": boolean(&r.Acknowledge, "acknowledge"),
			"severity": func(v *yaml.Node) error {
				l, err := severity.ParseLevel(v.Value)
				if err != nil {
					return d.errf(v, "%s.severity: %v", path, err)
				}
				r.Severity = l
				return nil
			},
			"add_labels": func(v *yaml.Node) error {
				if err := v.Decode(&r.AddLabels); err != nil {
					return d.errf(v, "%s.add_labels: %v", path, err)
				}
				return nil
			},
			"assign": func(v *yaml.Node) error {
				v = resolve(v)
				if v.Kind != yaml.ScalarNode {
					return d.errf(v, "%s.assign: expected a person's name", path)
				}
				r.Assign, r.assignAt = v.Value, d.offsetPos(v, 0)
				return nil
			},
			"resolve_after": func(v *yaml.Node) error {
				md, err := model.ParseDuration(v.Value)
				if err != nil {
					return d.errf(v, "%s.resolve_after: invalid duration %q (want 30m, 1h, …)", path, v.Value)
				}
				r.ResolveAfter = time.Duration(md)
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
