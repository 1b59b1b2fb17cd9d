package route

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/prometheus/alertmanager/timeinterval"
	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v3"

	"github.com/alertkit/alertkit/mql"
)

// Position is where something was written: a file, a line and a column,
// from 1. The zero Position is "not from a file".
type Position struct {
	File         string
	Line, Column int
}

// prefix returns the position followed by ": ", or "" when it is unknown.
func (p Position) prefix() string {
	if s := p.String(); s != "" {
		return s + ": "
	}
	return ""
}

// String returns "file:line:column", or "" for the zero Position.
func (p Position) String() string {
	if p.Line == 0 {
		return p.File
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Column)
}

// Rule is a route: alerts that its MQL query matches go to its targets,
// grouped into incidents by its group labels. Rules nest as Alertmanager's
// routes do: an alert that matches a rule is offered to its child rules in
// order; the first that matches takes it unless it says continue; if none
// does, the rule itself takes it. Settings left unset are inherited from
// the parent rule.
type Rule struct {
	// Name identifies the rule in explanations and group keys; default its
	// place, as "routes[2].routes[0]".
	Name string
	// Match is the MQL query; empty matches every alert.
	Match string
	// To are the targets; empty inherits the parent's.
	To []Target
	// Continue lets the next sibling rules try the alert too.
	Continue bool
	// GroupBy are the labels that gather alerts into one incident; nil
	// inherits the parent's. ["..."] makes every alert an incident of its own.
	GroupBy []model.LabelName
	// GroupWait, GroupInterval and RepeatInterval time the notifications
	// of a group, as in Alertmanager; 0 inherits the parent's.
	GroupWait, GroupInterval, RepeatInterval time.Duration
	// ActiveTimeIntervals and MuteTimeIntervals name time intervals of the
	// Config: notifications go out only during an active interval (if any
	// is named), and never during a mute one. They are not inherited.
	ActiveTimeIntervals, MuteTimeIntervals []string
	// Routes are the child rules.
	Routes []*Rule
	// Source is where the rule was written, for errors.
	Source Position
	// matchAt is where Match starts, when known, to place MQL errors.
	matchAt Position
	// toAt is where each of To was written, when the rule was read from a
	// file: CheckTargets places its errors there.
	toAt []Position
}

// Config is a routing configuration: the default route, the rules, the
// time intervals they name, inhibition rules and triage rules.
type Config struct {
	// Default takes the alerts no rule takes, and gives its settings to the
	// rules that leave them unset. Its Match must be empty.
	Default Rule
	Routes  []*Rule
	// TimeIntervals are Alertmanager's time intervals, by name.
	TimeIntervals map[string][]timeinterval.TimeInterval
	Inhibit       []InhibitRule
	Triage        []TriageRule
}

// LoadFile reads a Config from a YAML file; see Parse.
func LoadFile(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(data, path)
}

// Parse reads a Config from YAML; file names the source in errors:
//
//	default:
//	  to: [receiver:ops]
//	  group_by: [alertname, namespace]
//	  group_wait: 30s
//	routes:
//	  - 'project = "horns-and-hooves" AND ~server = "gitlab" -> @vasiliy.vasiliyev'
//	  - name: database
//	    match: ~team = db
//	    to: [policy:db-oncall]
//	    continue: true
//	    group_by: [alertname, cluster]
//	    mute_time_intervals: [maintenance]
//	    routes: [...]
//	time_intervals:
//	  - name: maintenance
//	    time_intervals: [{weekdays: [sunday], times: [{start_time: "02:00", end_time: "04:00"}]}]
//	inhibit_rules:
//	  - source: trigger = NodeDown
//	    target: trigger = TargetDown
//	    equal: [node]
//	triage:
//	  - match: trigger = Watchdog
//	    drop: true
//
// A rule is either a mapping or a string in the line form of ParseLines.
// Unknown keys are errors. Errors name the file, line and column, and the
// rule. Parse checks the form; Compile checks the meaning (the MQL, the
// names of time intervals); CheckTargets, what the targets name. Parse
// keeps where each target was written for CheckTargets: the column of a
// target inside a line-form rule is exact when the rule is on one line and
// is plain, single-quoted, or double-quoted without an escape before the
// target; otherwise it is where the rule's text starts.
func Parse(data []byte, file string) (*Config, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	cfg := &Config{}
	if len(doc.Content) == 0 {
		return cfg, nil
	}
	d := decoder{file: file, src: data}
	top := doc.Content[0]
	err := d.mapping(top, "config", map[string]func(*yaml.Node) error{
		"default": func(n *yaml.Node) error {
			r, err := d.rule(n, "default")
			if err == nil {
				cfg.Default = *r
			}
			return err
		},
		"routes": func(n *yaml.Node) error {
			var err error
			cfg.Routes, err = d.rules(n, "routes")
			return err
		},
		"time_intervals": func(n *yaml.Node) error {
			n = resolve(n)
			var list []struct {
				Name          string                      `yaml:"name"`
				TimeIntervals []timeinterval.TimeInterval `yaml:"time_intervals"`
			}
			if err := n.Decode(&list); err != nil {
				return d.errf(n, "time_intervals: %v", err)
			}
			cfg.TimeIntervals = map[string][]timeinterval.TimeInterval{}
			for i, ti := range list {
				if ti.Name == "" {
					return d.errf(n.Content[i], "time_intervals[%d]: missing name", i)
				}
				if _, dup := cfg.TimeIntervals[ti.Name]; dup {
					return d.errf(n.Content[i], "time_intervals[%d]: name %q used twice", i, ti.Name)
				}
				cfg.TimeIntervals[ti.Name] = ti.TimeIntervals
			}
			return nil
		},
		"inhibit_rules": func(n *yaml.Node) error {
			var err error
			cfg.Inhibit, err = d.inhibitRules(n)
			return err
		},
		"triage": func(n *yaml.Node) error {
			var err error
			cfg.Triage, err = d.triageRules(n)
			return err
		},
	})
	if err != nil {
		return nil, err
	}
	return cfg, nil
}

// decoder reads YAML nodes with positions for errors.
type decoder struct {
	file  string
	src   []byte   // the text, to place offsets inside scalars
	lines []string // src split into lines, on first use
}

// resolve returns the node an alias stands for: the list of an alias has
// its items in the anchor's node.
func resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n.Kind == yaml.AliasNode && n.Alias != nil && i < 100; i++ {
		n = n.Alias
	}
	return n
}

func (d *decoder) pos(n *yaml.Node) Position {
	return Position{File: d.file, Line: n.Line, Column: n.Column}
}

// scalarPos is where a scalar's text starts: past its opening quote, and
// unknown for a value spread over lines.
func (d *decoder) scalarPos(v *yaml.Node) Position {
	p := d.pos(v)
	switch {
	case strings.Contains(v.Value, "\n") || v.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0:
		return Position{File: d.file}
	case v.Style&(yaml.SingleQuotedStyle|yaml.DoubleQuotedStyle) != 0:
		p.Column++
	}
	return p
}

// offsetPos is where byte off of a scalar's value was written. It is exact
// for a scalar on one line: plain, single-quoted (a doubled quote counts
// twice) or double-quoted up to its first escape. Past an escape, and in a
// scalar spread over lines (a block scalar, or a plain or quoted one folded
// onto the next line), the offset cannot be told from the value alone:
// offsetPos points at the scalar then. Columns count characters, as the
// YAML parser's do.
func (d *decoder) offsetPos(v *yaml.Node, off int) Position {
	start := d.scalarPos(v)
	if start.Line == 0 {
		return d.pos(v)
	}
	if off <= 0 || off > len(v.Value) {
		return start
	}
	if d.lines == nil {
		d.lines = strings.Split(string(d.src), "\n")
	}
	if v.Line > len(d.lines) {
		return start
	}
	line := d.lines[v.Line-1]
	i := 0 // the byte of line at column v.Column
	for col := 1; col < v.Column; col++ {
		if i >= len(line) {
			return start
		}
		_, size := utf8.DecodeRuneInString(line[i:])
		i += size
	}
	var quote byte
	switch {
	case v.Style&yaml.SingleQuotedStyle != 0:
		quote = '\''
	case v.Style&yaml.DoubleQuotedStyle != 0:
		quote = '"'
	case v.Style != 0:
		return start // tagged, or another style that does not start with the text
	}
	if quote != 0 {
		if i >= len(line) || line[i] != quote {
			return start
		}
		i++
	}
	p := start
	for j := 0; j < off; {
		switch {
		case i >= len(line):
			return start
		case quote == '\'' && line[i] == '\'':
			if i+1 >= len(line) || line[i+1] != '\'' || v.Value[j] != '\'' {
				return start
			}
			i, j, p.Column = i+2, j+1, p.Column+2
			continue
		case quote == '"' && line[i] == '\\':
			return start
		}
		_, size := utf8.DecodeRuneInString(line[i:])
		if j+size > len(v.Value) || line[i:i+size] != v.Value[j:j+size] {
			return start
		}
		i, j, p.Column = i+size, j+size, p.Column+1
	}
	return p
}

func (d *decoder) errf(n *yaml.Node, format string, args ...any) error {
	return fmt.Errorf("%s: %s", d.pos(n), fmt.Sprintf(format, args...))
}

// mapping calls the handler of each key of a mapping node, refusing keys
// without one.
func (d *decoder) mapping(n *yaml.Node, what string, handlers map[string]func(*yaml.Node) error) error {
	if n.Kind != yaml.MappingNode {
		return d.errf(n, "%s: expected a mapping", what)
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		h, ok := handlers[k.Value]
		if !ok {
			keys := make([]string, 0, len(handlers))
			for key := range handlers {
				keys = append(keys, key)
			}
			slices.Sort(keys)
			return d.errf(k, "%s: unknown key %q (want %s)", what, k.Value, strings.Join(keys, ", "))
		}
		if err := h(v); err != nil {
			return err
		}
	}
	return nil
}

func (d *decoder) rules(n *yaml.Node, path string) ([]*Rule, error) {
	if n.Kind != yaml.SequenceNode {
		return nil, d.errf(n, "%s: expected a list of rules", path)
	}
	var out []*Rule
	for i, c := range n.Content {
		r, err := d.rule(c, fmt.Sprintf("%s[%d]", path, i))
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// rule reads a rule in the mapping form, or in the line form from a string.
func (d *decoder) rule(n *yaml.Node, path string) (*Rule, error) {
	if n.Kind == yaml.ScalarNode {
		r, err := parseLine(n.Value, d.scalarPos(n), func(off int) Position { return d.offsetPos(n, off) })
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		r.Source = d.pos(n)
		return r, nil
	}
	r := &Rule{Source: d.pos(n)}
	str := func(dst *string) func(*yaml.Node) error {
		return func(v *yaml.Node) error {
			if v.Kind != yaml.ScalarNode {
				return d.errf(v, "%s: expected a string", path)
			}
			*dst = v.Value
			return nil
		}
	}
	dur := func(key string, dst *time.Duration) func(*yaml.Node) error {
		return func(v *yaml.Node) error {
			md, err := model.ParseDuration(v.Value)
			if err != nil || md < 0 {
				return d.errf(v, "%s.%s: invalid duration %q (want 30s, 5m, 4h, …)", path, key, v.Value)
			}
			*dst = time.Duration(md)
			return nil
		}
	}
	names := func(key string, dst *[]string) func(*yaml.Node) error {
		return func(v *yaml.Node) error {
			if err := v.Decode(dst); err != nil {
				return d.errf(v, "%s.%s: expected a list of names", path, key)
			}
			return nil
		}
	}
	err := d.mapping(n, path, map[string]func(*yaml.Node) error{
		"name": str(&r.Name),
		"match": func(v *yaml.Node) error {
			if err := str(&r.Match)(v); err != nil {
				return err
			}
			r.matchAt = d.scalarPos(v)
			return nil
		},
		"to": func(v *yaml.Node) error {
			v = resolve(v)
			var list []string
			if err := v.Decode(&list); err != nil || len(v.Content) != len(list) {
				return d.errf(v, "%s.to: expected a list of targets", path)
			}
			r.To, r.toAt = nil, nil
			for i, s := range list {
				item := resolve(v.Content[i])
				t, err := ParseTarget(s)
				if err != nil {
					return d.errf(item, "%s.to[%d]: %v", path, i, err)
				}
				r.To = append(r.To, t)
				r.toAt = append(r.toAt, d.offsetPos(item, leadingSpace(s)))
			}
			return nil
		},
		"continue": func(v *yaml.Node) error {
			if err := v.Decode(&r.Continue); err != nil {
				return d.errf(v, "%s.continue: expected true or false", path)
			}
			return nil
		},
		"group_by": func(v *yaml.Node) error {
			v = resolve(v)
			var list []string
			if err := v.Decode(&list); err != nil || len(v.Content) != len(list) {
				return d.errf(v, "%s.group_by: expected a list of label names", path)
			}
			r.GroupBy = []model.LabelName{}
			for i, s := range list {
				if s != "..." && !model.UTF8Validation.IsValidLabelName(s) {
					return d.errf(v.Content[i], "%s.group_by[%d]: invalid label name %q", path, i, s)
				}
				r.GroupBy = append(r.GroupBy, model.LabelName(s))
			}
			return nil
		},
		"group_wait":            dur("group_wait", &r.GroupWait),
		"group_interval":        dur("group_interval", &r.GroupInterval),
		"repeat_interval":       dur("repeat_interval", &r.RepeatInterval),
		"active_time_intervals": names("active_time_intervals", &r.ActiveTimeIntervals),
		"mute_time_intervals":   names("mute_time_intervals", &r.MuteTimeIntervals),
		"routes": func(v *yaml.Node) error {
			var err error
			r.Routes, err = d.rules(v, path+".routes")
			return err
		},
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// ParseLines reads rules in the line form, one a line, as people write them
// them:
//
//	# project rules
//	project = "horns-and-hooves" AND ~server = "gitlab" -> @vasiliy.vasiliyev
//	trigger = TargetDown -> team:sre, receiver:slack-ops continue
//
// An MQL query, "->", the targets separated by commas, and optionally the
// word continue. Blank lines and lines starting with # are skipped. file
// names the source in errors.
func ParseLines(text, file string) ([]*Rule, error) {
	var out []*Rule
	var errs []error
	for i, line := range strings.Split(text, "\n") {
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		indent := utf8.RuneCountInString(line[:leadingSpace(line)])
		at := Position{File: file, Line: i + 1, Column: indent + 1}
		r, err := parseLine(trimmed, at, func(off int) Position {
			p := at
			p.Column += utf8.RuneCountInString(trimmed[:min(max(off, 0), len(trimmed))])
			return p
		})
		if err != nil {
			errs = append(errs, err)
			continue
		}
		r.Source = at
		out = append(out, r)
	}
	return out, errors.Join(errs...)
}

// parseLine reads one rule of the line form, written at pos; col says
// where a byte offset of line was written, to place each target.
func parseLine(line string, at Position, col func(off int) Position) (*Rule, error) {
	arrow := findArrow(line)
	if arrow < 0 {
		return nil, fmt.Errorf("%s: expected \"<query> -> <targets>\", found no \"->\" outside quotes", at)
	}
	r := &Rule{Match: strings.TrimSpace(line[:arrow]), matchAt: at}
	rest := line[arrow+2:]
	if words := strings.Fields(rest); len(words) > 0 && words[len(words)-1] == "continue" {
		r.Continue = true
		rest = rest[:strings.LastIndex(rest, "continue")]
	}
	off := arrow + 2
	for part := range strings.SplitSeq(rest, ",") {
		lead := leadingSpace(part)
		if name := strings.TrimSpace(part); name != "" {
			t, err := ParseTarget(name)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", col(off+lead), err)
			}
			r.To = append(r.To, t)
			r.toAt = append(r.toAt, col(off+lead))
		}
		off += len(part) + 1
	}
	if len(r.To) == 0 {
		return nil, fmt.Errorf("%s: no target after \"->\"", col(arrow))
	}
	return r, nil
}

// leadingSpace is the length in bytes of the white space s starts with, as
// strings.TrimSpace sees it.
func leadingSpace(s string) int {
	return len(s) - len(strings.TrimLeftFunc(s, unicode.IsSpace))
}

// findArrow returns the offset of the first "->" outside quotes, or -1.
func findArrow(s string) int {
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0 && c == '\\':
			i++
		case quote != 0 && c == quote:
			quote = 0
		case quote == 0 && (c == '"' || c == '\''):
			quote = c
		case quote == 0 && c == '-' && i+1 < len(s) && s[i+1] == '>':
			return i
		}
	}
	return -1
}

// compileMatch compiles a rule's query, placing an MQL error in the file.
func compileMatch(p *mql.Parser, src string, at Position, what string) (*mql.Query, error) {
	q, err := p.Parse(src)
	if err == nil {
		return q, nil
	}
	var pe *mql.ParseError
	if errors.As(err, &pe) && at.Line != 0 && pe.Pos.Line == 1 {
		at.Column += pe.Pos.Column - 1
		return nil, fmt.Errorf("%s: %s: mql: %s", at, what, pe.Msg)
	}
	if at.Line != 0 {
		return nil, fmt.Errorf("%s: %s: mql: %w", at, what, err)
	}
	return nil, fmt.Errorf("%s: mql: %w", what, err)
}
