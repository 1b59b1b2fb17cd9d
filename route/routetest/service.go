package routetest

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/alertkit/alertkit/route"
)

// service is what routetest reads of a service's one-file configuration,
// the file pipeline.File reads: its routing, severity policy, runbooks and
// silences, and the names its targets may use.
type service struct {
	routing  *route.Config
	severity []byte // the severity section on the file's lines; nil without one
	runbooks string
	silences []route.Silence
	names    route.Names
	// targetErrs are the targets of the ladder and of the escalation
	// policies that name nothing.
	targetErrs []*route.TargetError
}

// serviceKeys are top-level keys of a service's configuration that a
// routing configuration does not have.
var serviceKeys = []string{"routing", "severity", "oncall", "ladder", "receivers", "contacts"}

// serviceDoc returns the top-level mapping of a service's configuration,
// or nil if data is not one: a routing configuration, or not YAML at all
// (which route.Parse then reports).
func serviceDoc(data []byte) *yaml.Node {
	var doc yaml.Node
	if yaml.Unmarshal(data, &doc) != nil || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil
	}
	top := doc.Content[0]
	for i := 0; i+1 < len(top.Content); i += 2 {
		if slices.Contains(serviceKeys, top.Content[i].Value) {
			return top
		}
	}
	return nil
}

// readService reads a service's configuration, whose top-level mapping is
// top; name names the file in errors.
//
// The names its targets may use: the receivers' names; the people of
// contacts.people and the members of the on-call layers, unchecked when
// there is no contacts.people (then everyone is reached through
// contacts.fallback); the teams of contacts.teams, unchecked without it;
// the schedules of oncall, with their layers, and its policies, none when
// there is no oncall. Receivers are unchecked when the file has no
// receivers section: the host makes them in code.
func readService(top *yaml.Node, src []byte, name string) (*service, error) {
	sections := map[string]*yaml.Node{}
	for i := 0; i+1 < len(top.Content); i += 2 {
		if v := resolve(top.Content[i+1]); v.Tag != "!!null" {
			sections[top.Content[i].Value] = v
		}
	}
	svc := &service{routing: &route.Config{}}
	if n := sections["routing"]; n != nil {
		cfg, err := route.Parse(section(src, n), name)
		if err != nil {
			return nil, err
		}
		svc.routing = cfg
	}
	if n := sections["severity"]; n != nil {
		svc.severity = section(src, n)
	}
	if n := sections["runbooks"]; n != nil {
		svc.runbooks = n.Value
	}
	if n := sections["silences"]; n != nil {
		var list []struct {
			Match          string    `yaml:"match"`
			StartsAt       time.Time `yaml:"starts_at"`
			EndsAt         time.Time `yaml:"ends_at"`
			CreatedBy      string    `yaml:"created_by"`
			Comment        string    `yaml:"comment"`
			NotifyResolved bool      `yaml:"notify_resolved"`
		}
		if err := n.Decode(&list); err != nil {
			return nil, fmt.Errorf("%s: silences: %v", name, err)
		}
		for _, s := range list {
			svc.silences = append(svc.silences, route.Silence{Match: s.Match, StartsAt: s.StartsAt, EndsAt: s.EndsAt,
				CreatedBy: s.CreatedBy, Comment: s.Comment, NotifyResolved: s.NotifyResolved})
		}
	}

	names := &svc.names
	names.Schedules, names.Policies = map[string][]string{}, []string{}
	if n := sections["receivers"]; n != nil {
		var list []struct {
			Name string `yaml:"name"`
		}
		if err := n.Decode(&list); err != nil {
			return nil, fmt.Errorf("%s: receivers: %v", name, err)
		}
		names.Receivers = []string{}
		for _, r := range list {
			names.Receivers = append(names.Receivers, r.Name)
		}
	}
	if n := sections["contacts"]; n != nil {
		names.People = keys(value(n, "people"))
		names.Teams = keys(value(n, "teams"))
	}
	if n := sections["oncall"]; n != nil {
		var oncall struct {
			Schedules []struct {
				Name   string `yaml:"name"`
				Layers []struct {
					Name    string   `yaml:"name"`
					Members []string `yaml:"members"`
				} `yaml:"layers"`
				Overrides []struct {
					Person string `yaml:"person"`
				} `yaml:"overrides"`
			} `yaml:"schedules"`
			Policies []struct {
				Name string `yaml:"name"`
			} `yaml:"policies"`
		}
		if err := n.Decode(&oncall); err != nil {
			return nil, fmt.Errorf("%s: oncall: %v", name, err)
		}
		for _, s := range oncall.Schedules {
			layers := []string{}
			for _, l := range s.Layers {
				layers = append(layers, l.Name)
				if names.People != nil {
					names.People = append(names.People, l.Members...)
				}
			}
			for _, o := range s.Overrides {
				if names.People != nil && o.Person != "" {
					names.People = append(names.People, o.Person)
				}
			}
			names.Schedules[s.Name] = layers
		}
		for _, p := range oncall.Policies {
			names.Policies = append(names.Policies, p.Name)
		}
	}

	// The targets of the ladder, and of the escalation policies and
	// ladders of oncall.
	var errs []error
	check := func(list *yaml.Node, rule string) {
		list = resolve(list)
		if list.Kind != yaml.SequenceNode {
			return // not a list of targets: the service refuses it itself
		}
		for _, item := range list.Content {
			item = resolve(item)
			if item.Kind != yaml.ScalarNode {
				continue
			}
			at := scalarPos(name, item)
			t, err := route.ParseTarget(item.Value)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %s: %v", at, rule, err))
				continue
			}
			var te *route.TargetError
			if errors.As(names.Check(t), &te) {
				te.Pos, te.Rule = at, rule
				svc.targetErrs = append(svc.targetErrs, te)
			}
		}
	}
	for i, level := range items(sections["ladder"]) {
		check(level, fmt.Sprintf("ladder[%d]", i))
	}
	if n := sections["oncall"]; n != nil {
		for i, p := range items(value(n, "policies")) {
			rule := fmt.Sprintf("oncall.policies[%d]", i)
			if v := value(p, "name"); v != nil && v.Kind == yaml.ScalarNode && v.Value != "" {
				rule += " (" + v.Value + ")"
			}
			for j, step := range items(value(p, "steps")) {
				if notify := value(step, "notify"); notify != nil {
					check(notify, fmt.Sprintf("%s step %d", rule, j+1))
				}
			}
		}
		if ladders := value(n, "ladders"); ladders != nil && ladders.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(ladders.Content); i += 2 {
				for j, level := range items(ladders.Content[i+1]) {
					check(level, fmt.Sprintf("oncall.ladders.%s[%d]", ladders.Content[i].Value, j))
				}
			}
		}
	}
	return svc, errors.Join(errs...)
}

// checkTargets checks the targets of a routing configuration against
// names, and adds the errors of the service's other targets (more): all of
// them, in the order of the file.
func checkTargets(cfg *route.Config, names route.Names, more []*route.TargetError) error {
	var errs []error
	switch err := cfg.CheckTargets(names).(type) {
	case nil:
	case interface{ Unwrap() []error }:
		errs = err.Unwrap()
	default:
		errs = []error{err}
	}
	for _, e := range more {
		errs = append(errs, e)
	}
	slices.SortStableFunc(errs, func(a, b error) int {
		var ta, tb *route.TargetError
		if !errors.As(a, &ta) || !errors.As(b, &tb) {
			return 0
		}
		return cmp.Or(strings.Compare(ta.Pos.File, tb.Pos.File), cmp.Compare(ta.Pos.Line, tb.Pos.Line), cmp.Compare(ta.Pos.Column, tb.Pos.Column))
	})
	return errors.Join(errs...)
}

// section returns the text of a top-level section as a document of its
// own, on the lines and columns it has in the file, so that its parser
// reports the file's positions: blank lines before it, the text before it
// on its first line blanked, and the lines after it up to the next
// top-level key.
func section(src []byte, n *yaml.Node) []byte {
	lines := strings.Split(string(src), "\n")
	first := n.Line - 1
	if first < 0 || first >= len(lines) {
		data, _ := yaml.Marshal(n) // not from this text: without its lines
		return data
	}
	var b strings.Builder
	for range first {
		b.WriteByte('\n')
	}
	for i := first; i < len(lines); i++ {
		line := lines[i]
		if i == first {
			// Blank the key ("routing: ") before a section that starts
			// on its line, as a flow mapping does, keeping the columns.
			cut := 0
			for col := 1; col < n.Column && cut < len(line); col++ {
				_, size := utf8.DecodeRuneInString(line[cut:])
				cut += size
			}
			line = strings.Repeat(" ", max(n.Column-1, 0)) + line[cut:]
		} else if len(line) > 0 && line[0] != ' ' && line[0] != '#' && line[0] != '\t' {
			break // the next top-level key
		}
		b.WriteString(line)
		b.WriteByte('\n')
	}
	return []byte(b.String())
}

// scalarPos is where a scalar's text starts: past its opening quote.
func scalarPos(file string, n *yaml.Node) route.Position {
	p := route.Position{File: file, Line: n.Line, Column: n.Column}
	if n.Style&(yaml.SingleQuotedStyle|yaml.DoubleQuotedStyle) != 0 {
		p.Column++
	}
	return p
}

// resolve returns the node an alias stands for.
func resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && n.Alias != nil && i < 100; i++ {
		n = n.Alias
	}
	return n
}

// value returns the value of a key of a mapping, or nil.
func value(m *yaml.Node, key string) *yaml.Node {
	m = resolve(m)
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return resolve(m.Content[i+1])
		}
	}
	return nil
}

// keys returns the keys of a mapping (not nil, if it is one), or nil.
func keys(m *yaml.Node) []string {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	out := []string{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		out = append(out, m.Content[i].Value)
	}
	return out
}

// items returns the items of a sequence, or none.
func items(n *yaml.Node) []*yaml.Node {
	n = resolve(n)
	if n == nil || n.Kind != yaml.SequenceNode {
		return nil
	}
	out := make([]*yaml.Node, len(n.Content))
	for i, c := range n.Content {
		out[i] = resolve(c)
	}
	return out
}
