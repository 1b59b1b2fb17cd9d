package severity

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v3"
)

// policyFile is a Policy as YAML and JSON:
//
//	matrix:        # likelihood → impact → level
//	  certain:  {deadly: S1, catastrophic: S2, critical: S3, marginal: S4, negligible: S5}
//	  likely:   {deadly: S2, …}
//	  …
//	severities: {critical: S2, error: S3, warning: S4, info: S6}
//	env_label: env
//	environments: {dev: 2}
//	unknown: S5
//	responses:     # service level → S1 … S9
//	  platinum: [page 1m, page 5m, page 10m, page 30m, batch 24h, batch 24h, batch 24h, retrospective, retrospective]
//	  gold: […]
//	  silver: […]
//	  none: […]
//	holds:         # optional, as responses: a duration per cell
//	  platinum: [12s, 1m, …]
//
// Every section is optional and replaces the default as a whole; a section
// given must be complete.
type policyFile struct {
	Matrix       map[string]map[string]string `yaml:"matrix,omitempty" json:"matrix,omitempty"`
	Severities   map[string]string            `yaml:"severities,omitempty" json:"severities,omitempty"`
	EnvLabel     string                       `yaml:"env_label,omitempty" json:"env_label,omitempty"`
	Environments map[string]int               `yaml:"environments,omitempty" json:"environments,omitempty"`
	Unknown      string                       `yaml:"unknown,omitempty" json:"unknown,omitempty"`
	Responses    map[string][]string          `yaml:"responses,omitempty" json:"responses,omitempty"`
	Holds        map[string][]string          `yaml:"holds,omitempty" json:"holds,omitempty"`
}

// ParsePolicy reads a Policy from YAML (or JSON, which is YAML too),
// starting from DefaultPolicy. Errors name the line and the cell:
// "line 4: matrix.likely.critical: invalid level "S0" (want S1 to S9)".
func ParsePolicy(data []byte) (*Policy, error) {
	p := DefaultPolicy()
	if err := yaml.Unmarshal(data, p); err != nil {
		return nil, err
	}
	return p, nil
}

// UnmarshalYAML reads a policy over the one p holds (a zero Policy reads
// over DefaultPolicy).
func (p *Policy) UnmarshalYAML(node *yaml.Node) error {
	var f policyFile
	if err := node.Decode(&f); err != nil {
		return fmt.Errorf("severity policy: %w", err)
	}
	if err := strictKeys(node); err != nil {
		return err
	}
	at := func(path ...string) string {
		if n := find(node, path...); n != nil {
			return fmt.Sprintf("line %d: ", n.Line)
		}
		return ""
	}
	return p.load(&f, at)
}

// UnmarshalJSON reads a policy over the one p holds, as UnmarshalYAML.
func (p *Policy) UnmarshalJSON(b []byte) error {
	var f policyFile
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return fmt.Errorf("severity policy: %w", err)
	}
	return p.load(&f, func(...string) string { return "" })
}

// MarshalYAML writes the whole policy; Catalog, being code, is left out.
func (p *Policy) MarshalYAML() (any, error) { return p.file(), nil }

// MarshalJSON writes the whole policy as MarshalYAML does.
func (p *Policy) MarshalJSON() ([]byte, error) { return json.Marshal(p.file()) }

var serviceOrder = []ServiceLevel{Platinum, Gold, Silver, None}

func (p *Policy) file() *policyFile {
	f := &policyFile{
		Matrix:       map[string]map[string]string{},
		Severities:   map[string]string{},
		EnvLabel:     p.EnvLabel,
		Environments: p.Environments,
		Unknown:      p.Unknown.String(),
		Responses:    map[string][]string{},
	}
	for l := Certain; l <= Rare; l++ {
		row := map[string]string{}
		for i := Deadly; i <= Negligible; i++ {
			row[i.String()] = p.Matrix.Level(i, l).String()
		}
		f.Matrix[l.String()] = row
	}
	for name, l := range p.Severities {
		f.Severities[name] = l.String()
	}
	for _, sl := range serviceOrder {
		for _, r := range p.Responses[sl] {
			f.Responses[sl.String()] = append(f.Responses[sl.String()], r.String())
		}
	}
	if p.Holds != nil {
		f.Holds = map[string][]string{}
		for _, sl := range serviceOrder {
			for _, d := range p.Holds[sl] {
				f.Holds[sl.String()] = append(f.Holds[sl.String()], FormatDuration(d))
			}
		}
	}
	return f
}

// load replaces the sections of p that f gives, after checking them all.
func (p *Policy) load(f *policyFile, at func(path ...string) string) error {
	if p.Responses == (Responses{}) && p.Severities == nil {
		*p = *DefaultPolicy()
	}
	q := *p
	cellErr := func(path []string, err error) error {
		return fmt.Errorf("severity policy: %s%s: %w", at(path...), strings.Join(path, "."), err)
	}
	if f.Matrix != nil {
		m, err := loadMatrix(f.Matrix)
		if err != nil {
			return cellErr(err.path, err.err)
		}
		q.Matrix = m
	}
	if f.Severities != nil {
		q.Severities = map[string]Level{}
		for _, name := range sortedKeys(f.Severities) {
			l, err := ParseLevel(f.Severities[name])
			if err != nil {
				return cellErr([]string{"severities", name}, err)
			}
			q.Severities[strings.ToLower(name)] = l
		}
	}
	if f.EnvLabel != "" {
		if !model.LegacyValidation.IsValidLabelName(f.EnvLabel) {
			return cellErr([]string{"env_label"}, fmt.Errorf("invalid label name %q", f.EnvLabel))
		}
		q.EnvLabel = f.EnvLabel
	}
	if f.Environments != nil {
		for _, env := range sortedKeys(f.Environments) {
			if k := f.Environments[env]; k < -8 || k > 8 {
				return cellErr([]string{"environments", env}, fmt.Errorf("%d levels is beyond S1..S9", k))
			}
		}
		q.Environments = f.Environments
	}
	if f.Unknown != "" {
		l, err := ParseLevel(f.Unknown)
		if err != nil {
			return cellErr([]string{"unknown"}, err)
		}
		q.Unknown = l
	}
	if f.Responses != nil {
		var r Responses
		if err := loadTable(f.Responses, "responses", func(sl ServiceLevel, i int, s string) error {
			v, err := ParseResponse(s)
			r[sl][i] = v
			return err
		}); err != nil {
			return cellErr(err.path, err.err)
		}
		q.Responses = r
	}
	if f.Holds != nil {
		var h [4][9]time.Duration
		if err := loadTable(f.Holds, "holds", func(sl ServiceLevel, i int, s string) error {
			d, err := model.ParseDuration(s)
			if err != nil {
				return fmt.Errorf("invalid duration %q (want 0s, 30s, 5m, …)", s)
			}
			h[sl][i] = time.Duration(d)
			return nil
		}); err != nil {
			return cellErr(err.path, err.err)
		}
		q.Holds = &h
	}
	*p = q
	return nil
}

type pathError struct {
	path []string
	err  error
}

func loadMatrix(in map[string]map[string]string) (Matrix, *pathError) {
	var m Matrix
	for _, lname := range sortedKeys(in) {
		l, err := ParseLikelihood(lname)
		if err != nil {
			return m, &pathError{[]string{"matrix", lname}, err}
		}
		row := in[lname]
		for _, iname := range sortedKeys(row) {
			i, err := ParseImpact(iname)
			if err != nil {
				return m, &pathError{[]string{"matrix", lname, iname}, err}
			}
			lv, err := ParseLevel(row[iname])
			if err != nil {
				return m, &pathError{[]string{"matrix", lname, iname}, err}
			}
			m[l-1][i-1] = lv
		}
		for i := Deadly; i <= Negligible; i++ {
			if m[l-1][i-1] == 0 {
				return m, &pathError{[]string{"matrix", lname}, fmt.Errorf("missing %s", i)}
			}
		}
	}
	for l := Certain; l <= Rare; l++ {
		if m[l-1][0] == 0 {
			return m, &pathError{[]string{"matrix"}, fmt.Errorf("missing %s", l)}
		}
	}
	return m, nil
}

// loadTable reads a table of service level → nine cells.
func loadTable(in map[string][]string, section string, cell func(ServiceLevel, int, string) error) *pathError {
	for _, name := range sortedKeys(in) {
		sl, err := ParseServiceLevel(name)
		if err != nil {
			return &pathError{[]string{section, name}, err}
		}
		row := in[name]
		if len(row) != 9 {
			return &pathError{[]string{section, name}, fmt.Errorf("%d cells, want 9 (S1 to S9)", len(row))}
		}
		for i, s := range row {
			if err := cell(sl, i, s); err != nil {
				return &pathError{[]string{section, name, "S" + strconv.Itoa(i+1)}, err}
			}
		}
	}
	for _, sl := range serviceOrder {
		if _, ok := in[sl.String()]; !ok {
			return &pathError{[]string{section}, fmt.Errorf("missing %s", sl)}
		}
	}
	return nil
}

var policyKeys = []string{"matrix", "severities", "env_label", "environments", "unknown", "responses", "holds"}

// strictKeys refuses unknown top-level keys, which would otherwise be lost.
func strictKeys(node *yaml.Node) error {
	if node.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(node.Content); i += 2 {
		k := node.Content[i]
		if !slices.Contains(policyKeys, k.Value) {
			return fmt.Errorf("severity policy: line %d: unknown key %q (want %s)", k.Line, k.Value, strings.Join(policyKeys, ", "))
		}
	}
	return nil
}

// find returns the node at a path of mapping keys; "S3" indexes a sequence.
func find(node *yaml.Node, path ...string) *yaml.Node {
	for _, key := range path {
		switch node.Kind {
		case yaml.DocumentNode:
			if len(node.Content) == 0 {
				return nil
			}
			return find(node.Content[0], path...)
		case yaml.MappingNode:
			var next *yaml.Node
			for i := 0; i+1 < len(node.Content); i += 2 {
				if node.Content[i].Value == key {
					next = node.Content[i+1]
				}
			}
			if next == nil {
				return node
			}
			node = next
		case yaml.SequenceNode:
			i, err := strconv.Atoi(strings.TrimPrefix(key, "S"))
			if err != nil || i < 1 || i > len(node.Content) {
				return node
			}
			node = node.Content[i-1]
		}
	}
	return node
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
