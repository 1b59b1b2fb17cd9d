package route

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/prometheus/alertmanager/timeinterval"
	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v3"

	"github.com/alertkit/alertkit/mql"
)

// The parts of Alertmanager's configuration that routing reads, as local
// types: importing alertmanager/config would pull 84 modules.
type amConfig struct {
	Route             *amRoute         `yaml:"route"`
	InhibitRules      []amInhibitRule  `yaml:"inhibit_rules"`
	TimeIntervals     []amTimeInterval `yaml:"time_intervals"`
	MuteTimeIntervals []amTimeInterval `yaml:"mute_time_intervals"` // the older name
	Receivers         []struct {
		Name string `yaml:"name"`
	} `yaml:"receivers"`
}

type amRoute struct {
	Receiver            string            `yaml:"receiver"`
	GroupBy             []string          `yaml:"group_by"`
	Match               map[string]string `yaml:"match"`
	MatchRE             map[string]string `yaml:"match_re"`
	Matchers            []string          `yaml:"matchers"`
	Continue            bool              `yaml:"continue"`
	Routes              []*amRoute        `yaml:"routes"`
	GroupWait           string            `yaml:"group_wait"`
	GroupInterval       string            `yaml:"group_interval"`
	RepeatInterval      string            `yaml:"repeat_interval"`
	MuteTimeIntervals   []string          `yaml:"mute_time_intervals"`
	ActiveTimeIntervals []string          `yaml:"active_time_intervals"`

	at, receiverAt Position // where the route and its receiver were written, without the file
}

// UnmarshalYAML reads a route, and where it and its receiver were written.
func (r *amRoute) UnmarshalYAML(n *yaml.Node) error {
	type plain amRoute // without this method
	if err := n.Decode((*plain)(r)); err != nil {
		return err
	}
	r.at = Position{Line: n.Line, Column: n.Column}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if v := n.Content[i+1]; n.Content[i].Value == "receiver" && v.Kind == yaml.ScalarNode {
			r.receiverAt = Position{Line: v.Line, Column: v.Column}
			if v.Style&(yaml.SingleQuotedStyle|yaml.DoubleQuotedStyle) != 0 {
				r.receiverAt.Column++
			}
		}
	}
	return nil
}

type amInhibitRule struct {
	SourceMatch    map[string]string `yaml:"source_match"`
	SourceMatchRE  map[string]string `yaml:"source_match_re"`
	SourceMatchers []string          `yaml:"source_matchers"`
	TargetMatch    map[string]string `yaml:"target_match"`
	TargetMatchRE  map[string]string `yaml:"target_match_re"`
	TargetMatchers []string          `yaml:"target_matchers"`
	Equal          []string          `yaml:"equal"`
}

type amTimeInterval struct {
	Name          string                      `yaml:"name"`
	TimeIntervals []timeinterval.TimeInterval `yaml:"time_intervals"`
}

// FromAlertmanager converts the route tree, inhibit_rules and time
// intervals of an Alertmanager configuration (alertmanager.yml) into a
// Config: receivers become receiver: targets, matchers, match and match_re
// become MQL label predicates, group_by, the group timings, continue, nested
// routes and the time intervals carry over with Alertmanager's meaning. The
// rest of the file (receivers' settings, templates, global) is ignored.
// file names the source in errors.
//
// As Alertmanager does, FromAlertmanager refuses a route to a receiver the
// file's receivers do not define: every one at once, with its position, as
// CheckTargets reports them.
func FromAlertmanager(data []byte, file string) (*Config, error) {
	var am amConfig
	if err := yaml.Unmarshal(data, &am); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	if am.Route == nil {
		return nil, fmt.Errorf("%s: no route", file)
	}
	if am.Route.Receiver == "" {
		return nil, fmt.Errorf("%s: route: the root route needs a receiver", file)
	}
	if len(am.Route.Match)+len(am.Route.MatchRE)+len(am.Route.Matchers) > 0 {
		return nil, fmt.Errorf("%s: route: the root route must not have matchers", file)
	}
	c := converter{file: file}
	root, err := c.route(am.Route, "route")
	if err != nil {
		return nil, err
	}
	cfg := &Config{Routes: root.Routes}
	root.Routes = nil
	cfg.Default = *root

	cfg.TimeIntervals = map[string][]timeinterval.TimeInterval{}
	for _, ti := range slices.Concat(am.TimeIntervals, am.MuteTimeIntervals) {
		if _, dup := cfg.TimeIntervals[ti.Name]; dup {
			return nil, fmt.Errorf("%s: time interval %q is defined twice", file, ti.Name)
		}
		cfg.TimeIntervals[ti.Name] = ti.TimeIntervals
	}
	for i, ir := range am.InhibitRules {
		path := fmt.Sprintf("inhibit_rules[%d]", i)
		src, err := c.query(ir.SourceMatch, ir.SourceMatchRE, ir.SourceMatchers, path+".source")
		if err != nil {
			return nil, err
		}
		dst, err := c.query(ir.TargetMatch, ir.TargetMatchRE, ir.TargetMatchers, path+".target")
		if err != nil {
			return nil, err
		}
		rule := InhibitRule{Name: path, Source: src, Target: dst}
		for _, e := range ir.Equal {
			rule.Equal = append(rule.Equal, model.LabelName(e))
		}
		cfg.Inhibit = append(cfg.Inhibit, rule)
	}
	names := Names{Receivers: []string{}} // none defined is none known
	for _, r := range am.Receivers {
		names.Receivers = append(names.Receivers, r.Name)
	}
	if errs := cfg.targetErrors(names.checker(), "route", "route.routes"); len(errs) > 0 {
		slices.SortStableFunc(errs, func(a, b *TargetError) int { return comparePos(a.Pos, b.Pos) })
		out := make([]error, len(errs))
		for i, e := range errs {
			out[i] = e
		}
		return nil, errors.Join(out...)
	}
	return cfg, nil
}

type converter struct {
	file string
}

// pos places a position of the file.
func (c *converter) pos(p Position) Position {
	if p.Line == 0 {
		return Position{File: c.file}
	}
	p.File = c.file
	return p
}

func (c *converter) route(r *amRoute, path string) (*Rule, error) {
	q, err := c.query(r.Match, r.MatchRE, r.Matchers, path)
	if err != nil {
		return nil, err
	}
	rule := &Rule{
		Match:               q,
		Continue:            r.Continue,
		MuteTimeIntervals:   r.MuteTimeIntervals,
		ActiveTimeIntervals: r.ActiveTimeIntervals,
		Source:              c.pos(r.at),
	}
	if path != "route" {
		rule.Name = path
	}
	if r.Receiver != "" {
		rule.To = []Target{{Kind: TargetReceiver, Name: r.Receiver}}
		rule.toAt = []Position{c.pos(r.receiverAt)}
	}
	if r.GroupBy != nil {
		rule.GroupBy = []model.LabelName{}
		for _, name := range r.GroupBy {
			rule.GroupBy = append(rule.GroupBy, model.LabelName(name))
		}
	}
	for _, d := range []struct {
		text string
		dst  *time.Duration
		key  string
	}{{r.GroupWait, &rule.GroupWait, "group_wait"}, {r.GroupInterval, &rule.GroupInterval, "group_interval"}, {r.RepeatInterval, &rule.RepeatInterval, "repeat_interval"}} {
		if d.text == "" {
			continue
		}
		md, err := model.ParseDuration(d.text)
		if err != nil {
			return nil, fmt.Errorf("%s: %s.%s: %w", c.file, path, d.key, err)
		}
		*d.dst = time.Duration(md)
	}
	for i, child := range r.Routes {
		if child == nil {
			return nil, fmt.Errorf("%s: %s.routes[%d]: an empty route", c.pos(r.at), path, i)
		}
		cr, err := c.route(child, fmt.Sprintf("%s.routes[%d]", path, i))
		if err != nil {
			return nil, err
		}
		rule.Routes = append(rule.Routes, cr)
	}
	return rule, nil
}

// query writes Alertmanager's three ways of matching as one MQL query of
// label predicates.
func (c *converter) query(match, matchRE map[string]string, matchers []string, path string) (string, error) {
	var terms []mql.Expr
	for _, name := range slices.Sorted(maps.Keys(match)) {
		terms = append(terms, &mql.Predicate{Name: name, Label: true, Op: mql.OpEqual, Values: []string{match[name]}})
	}
	for _, name := range slices.Sorted(maps.Keys(matchRE)) {
		terms = append(terms, &mql.Predicate{Name: name, Label: true, Op: mql.OpRegexp, Values: []string{matchRE[name]}})
	}
	for i, m := range matchers {
		q, err := mql.ParseMatchers(m)
		if errors.Is(err, mql.ErrEmptyMatchers) {
			// A route's matchers narrow what it takes: an empty one adds
			// nothing, as in Alertmanager. (A silence's may not be empty.)
			continue
		}
		if err != nil {
			return "", fmt.Errorf("%s: %s.matchers[%d]: %w", c.file, path, i, err)
		}
		switch e := q.Expr().(type) {
		case *mql.And:
			terms = append(terms, e.Terms...)
		default:
			terms = append(terms, e)
		}
	}
	switch len(terms) {
	case 0:
		return "", nil
	case 1:
		return terms[0].String(), nil
	}
	return (&mql.And{Terms: terms}).String(), nil
}
