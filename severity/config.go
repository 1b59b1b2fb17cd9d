package severity

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v3"
)

// PolicyConfig is a severity policy as YAML (or JSON): what [ParsePolicy]
// reads, and what a Policy writes. Every section is optional, and names
// only what it changes: the rest of the policy stays as it was —
// [DefaultPolicy] for ParsePolicy. A complete file:
//
//	# Sections named here are given whole: they replace the policy's
//	# instead of changing it (any of matrix, severities, environments,
//	# responses, holds).
//	replace: [severities]
//
//	# Impact × likelihood → level: likelihood → impact → S1..S9.
//	matrix:
//	  likely: {critical: S3}
//
//	# A Prometheus-style severity label → level. With severities in
//	# replace, these are all the names the policy knows.
//	severities: {critical: S2, error: S3, warning: S4, info: S6, page: S1}
//
//	# The label of the environment, and how many levels milder (or, below
//	# zero, worse) the alerts of an environment are.
//	env_label: env
//	environments: {dev: 2, staging: 1}
//
//	# The level of an alert no label classifies.
//	unknown: S5
//
//	# Service level → level → response: page <duration>, batch <duration>,
//	# or retrospective (also written — or -). The rows are platinum, gold,
//	# silver and none, and unclassified for the alerts that have no service
//	# level. A mapping changes the cells it names; a list of nine cells,
//	# S1 to S9, replaces the row.
//	responses:
//	  gold: {S3: page 15m}
//	  none: [page 30m, batch 24h, batch 24h, batch 24h, retrospective, retrospective, retrospective, retrospective, retrospective]
//	  unclassified: {S3: batch 24h}
//
//	# Row → level → pending hold, in place of DefaultHold, in the forms
//	# of responses.
//	holds:
//	  unclassified: {S1: 30s, S2: 1m}
//
// A section in replace that the file does not give is emptied (severities,
// environments, holds); matrix and responses in replace must give every
// cell. An error is a [*PolicyError] that names the key, with its line and
// column in the YAML:
//
//	severity policy: line 2:14: responses.none.S2: "pager 5m": unknown mode (want page <duration>, batch <duration> or retrospective)
type PolicyConfig struct {
	// Replace names the sections given whole: matrix, severities,
	// environments, responses, holds.
	Replace []string `yaml:"replace,omitempty" json:"replace,omitempty"`
	// Matrix is likelihood → impact → level.
	Matrix map[string]map[string]string `yaml:"matrix,omitempty" json:"matrix,omitempty"`
	// Severities is the value of a severity label → level.
	Severities map[string]string `yaml:"severities,omitempty" json:"severities,omitempty"`
	// EnvLabel names the label of the environment.
	EnvLabel string `yaml:"env_label,omitempty" json:"env_label,omitempty"`
	// Environments is environment → how many levels milder.
	Environments map[string]int `yaml:"environments,omitempty" json:"environments,omitempty"`
	// Unknown is the level of an alert no label classifies.
	Unknown string `yaml:"unknown,omitempty" json:"unknown,omitempty"`
	// Responses is row → cells of responses.
	Responses map[string]Cells `yaml:"responses,omitempty" json:"responses,omitempty"`
	// Holds is row → cells of pending holds.
	Holds map[string]Cells `yaml:"holds,omitempty" json:"holds,omitempty"`

	pos *positions // where the YAML wrote each key, for errors
}

// Cells is a row of responses or of holds in a PolicyConfig: a list of
// nine cells, S1 to S9, which replaces the row, or a mapping of levels to
// cells ({S2: page 10m}; levels as ParseLevel reads them), which changes
// only those.
type Cells struct {
	// List, when not nil, is the whole row.
	List []string
	// ByLevel are the cells to change, by level.
	ByLevel map[string]string
}

// PolicyError is a mistake in a severity policy.
type PolicyError struct {
	// Line and Column place it in the YAML, from 1; zero when unknown (in
	// JSON, or in a PolicyConfig built in code).
	Line, Column int
	// Path names the key, as "responses.none.S2"; empty for the document.
	Path string
	// Err says what is wrong.
	Err error
}

// Error returns "severity policy: line 2:14: responses.none.S2: …".
func (e *PolicyError) Error() string {
	var b strings.Builder
	b.WriteString("severity policy: ")
	if e.Line > 0 {
		fmt.Fprintf(&b, "line %d:%d: ", e.Line, e.Column)
	}
	if e.Path != "" {
		b.WriteString(e.Path + ": ")
	}
	b.WriteString(e.Err.Error())
	return b.String()
}

// Unwrap returns Err.
func (e *PolicyError) Unwrap() error { return e.Err }

// ParsePolicy reads a Policy from YAML (or JSON, which is YAML too): a
// [PolicyConfig] applied to DefaultPolicy, so that a file names only what
// it changes. An error is a [*PolicyError] that names the key, its line
// and column: "severity policy: line 2:22: matrix.likely.critical: invalid
// level "S0" (want S1 to S9)".
func ParsePolicy(data []byte) (*Policy, error) {
	var c PolicyConfig
	if err := yaml.Unmarshal(data, &c); err != nil {
		if pe := (*PolicyError)(nil); errors.As(err, &pe) {
			return nil, pe
		}
		return nil, fmt.Errorf("severity policy: %w", err)
	}
	p := DefaultPolicy()
	if err := c.Apply(p); err != nil {
		return nil, err
	}
	return p, nil
}

// UnmarshalYAML reads a policy over the one p holds (a zero Policy reads
// over DefaultPolicy), as PolicyConfig.Apply does.
func (p *Policy) UnmarshalYAML(node *yaml.Node) error {
	var c PolicyConfig
	if err := c.UnmarshalYAML(node); err != nil {
		return err
	}
	return c.Apply(p)
}

// UnmarshalJSON reads a policy over the one p holds, as UnmarshalYAML.
func (p *Policy) UnmarshalJSON(b []byte) error {
	var c PolicyConfig
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return fmt.Errorf("severity policy: %w", err)
	}
	return c.Apply(p)
}

// MarshalYAML writes the whole policy, as Config; Catalog, being code, is
// left out.
func (p *Policy) MarshalYAML() (any, error) { return p.Config(), nil }

// MarshalJSON writes the whole policy as MarshalYAML does.
func (p *Policy) MarshalJSON() ([]byte, error) { return json.Marshal(p.Config()) }

// replaceable are the sections that Replace may name.
var replaceable = []string{"matrix", "severities", "environments", "responses", "holds"}

// rowOrder is the order of the rows of the response tables.
var rowOrder = []Cell{{ServiceLevel: ServiceLevelPlatinum}, {ServiceLevel: ServiceLevelGold}, {ServiceLevel: ServiceLevelSilver}, {ServiceLevel: ServiceLevelNone}, {Unclassified: true}}

func rowName(c Cell) string {
	if c.Unclassified {
		return unclassifiedRow
	}
	return c.ServiceLevel.String()
}

// Config returns the whole policy as a PolicyConfig, every section in
// Replace: read back, it gives the same policy over any other. Catalog,
// being code, is left out.
func (p *Policy) Config() *PolicyConfig {
	c := &PolicyConfig{
		Replace:      slices.Clone(replaceable),
		Matrix:       map[string]map[string]string{},
		EnvLabel:     p.EnvLabel,
		Environments: maps.Clone(p.Environments),
		Responses:    map[string]Cells{},
	}
	if p.Unknown.Valid() {
		c.Unknown = p.Unknown.String()
	}
	for l := LikelihoodCertain; l <= LikelihoodRare; l++ {
		row := map[string]string{}
		for i := ImpactDeadly; i <= ImpactNegligible; i++ {
			row[i.String()] = p.Matrix.Level(i, l).String()
		}
		c.Matrix[l.String()] = row
	}
	if len(p.Severities) > 0 {
		c.Severities = map[string]string{}
		for name, l := range p.Severities {
			c.Severities[name] = l.String()
		}
	}
	for _, row := range rowOrder {
		var cells []string
		for l := S1; l <= S9; l++ {
			row.Level = l
			cells = append(cells, p.Response(row).String())
		}
		c.Responses[rowName(row)] = Cells{List: cells}
	}
	for cell, d := range p.Holds {
		if !cell.Level.Valid() || cell.ServiceLevel > ServiceLevelPlatinum || (cell.Unclassified && cell.ServiceLevel != ServiceLevelNone) {
			continue // a cell no policy has
		}
		if c.Holds == nil {
			c.Holds = map[string]Cells{}
		}
		row := c.Holds[rowName(cell)]
		if row.ByLevel == nil {
			row.ByLevel = map[string]string{}
		}
		row.ByLevel[cell.Level.String()] = FormatDuration(d)
		c.Holds[rowName(cell)] = row
	}
	return c
}

// Apply changes p as c says: a section in Replace replaces p's, any other
// section changes only the keys and cells it names. A zero Policy is
// DefaultPolicy. Everything is checked first: on error p is unchanged, and
// the error is a *PolicyError.
func (c *PolicyConfig) Apply(p *Policy) error {
	q := *p
	if p.Responses == (Responses{}) && p.Unclassified == ([9]Response{}) && p.Severities == nil {
		q = *DefaultPolicy()
	}
	whole := map[string]bool{}
	for i, s := range c.Replace {
		if !slices.Contains(replaceable, s) {
			return c.errAt(fmt.Sprintf("replace.%d", i), "replace", false,
				fmt.Errorf("%q cannot be replaced (want %s)", s, strings.Join(replaceable, ", ")))
		}
		whole[s] = true
	}
	if err := c.applyMatrix(&q.Matrix, whole["matrix"]); err != nil {
		return err
	}
	if c.Severities != nil || whole["severities"] {
		out := map[string]Level{}
		if !whole["severities"] {
			maps.Copy(out, q.Severities)
		}
		seen := map[string]string{}
		for _, name := range keys(c, "severities", c.Severities) {
			path := "severities." + name
			if name == "" {
				return c.keyErr(path, errors.New("an empty severity name"))
			}
			l, err := ParseLevel(c.Severities[name])
			if err != nil {
				return c.valErr(path, err)
			}
			low := strings.ToLower(name)
			if other, dup := seen[low]; dup {
				return c.keyErr(path, fmt.Errorf("given twice, as %q too", other))
			}
			seen[low] = name
			out[low] = l
		}
		q.Severities = nilIfEmpty(out)
	}
	if c.EnvLabel != "" {
		if !model.LegacyValidation.IsValidLabelName(c.EnvLabel) {
			return c.valErr("env_label", fmt.Errorf("invalid label name %q", c.EnvLabel))
		}
		q.EnvLabel = c.EnvLabel
	}
	if c.Environments != nil || whole["environments"] {
		out := map[string]int{}
		if !whole["environments"] {
			maps.Copy(out, q.Environments)
		}
		for _, env := range keys(c, "environments", c.Environments) {
			if k := c.Environments[env]; k < -8 || k > 8 {
				return c.valErr("environments."+env, fmt.Errorf("%d levels is beyond S1..S9", k))
			}
			out[env] = c.Environments[env]
		}
		q.Environments = nilIfEmpty(out)
	}
	if c.Unknown != "" {
		l, err := ParseLevel(c.Unknown)
		if err != nil {
			return c.valErr("unknown", err)
		}
		q.Unknown = l
	}
	if c.Responses != nil || whole["responses"] {
		if whole["responses"] {
			q.Responses, q.Unclassified = Responses{}, [9]Response{}
		}
		err := c.applyRows("responses", c.Responses, whole["responses"], "page 10m", func(cell Cell, s string) error {
			r, err := ParseResponse(s)
			if err != nil {
				return err
			}
			if cell.Unclassified {
				q.Unclassified[cell.Level-1] = r
			} else {
				q.Responses[cell.ServiceLevel][cell.Level-1] = r
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	if c.Holds != nil || whole["holds"] {
		out := map[Cell]time.Duration{}
		if !whole["holds"] {
			maps.Copy(out, q.Holds)
		}
		err := c.applyRows("holds", c.Holds, false, "1m", func(cell Cell, s string) error {
			d, err := model.ParseDuration(s)
			if err != nil {
				return fmt.Errorf("invalid duration %q (want 0s, 30s, 5m, …)", s)
			}
			out[cell] = time.Duration(d)
			return nil
		})
		if err != nil {
			return err
		}
		q.Holds = nilIfEmpty(out)
	}
	*p = q
	return nil
}

func (c *PolicyConfig) applyMatrix(m *Matrix, whole bool) error {
	if c.Matrix == nil && !whole {
		return nil
	}
	out := *m
	if whole {
		out = Matrix{}
	}
	rows := map[Likelihood]bool{}
	for _, lname := range keys(c, "matrix", c.Matrix) {
		path := "matrix." + lname
		l, err := ParseLikelihood(lname)
		if err != nil {
			return c.keyErr(path, err)
		}
		if rows[l] {
			return c.keyErr(path, fmt.Errorf("%s given twice", l))
		}
		rows[l] = true
		cells := map[Impact]bool{}
		for _, iname := range keys(c, path, c.Matrix[lname]) {
			cpath := path + "." + iname
			i, err := ParseImpact(iname)
			if err != nil {
				return c.keyErr(cpath, err)
			}
			if cells[i] {
				return c.keyErr(cpath, fmt.Errorf("%s given twice", i))
			}
			cells[i] = true
			lv, err := ParseLevel(c.Matrix[lname][iname])
			if err != nil {
				return c.valErr(cpath, err)
			}
			out[l-1][i-1] = lv
		}
		for i := ImpactDeadly; whole && i <= ImpactNegligible; i++ {
			if !cells[i] {
				return c.valErr(path, fmt.Errorf("missing %s (matrix is in replace: give every cell)", i))
			}
		}
	}
	for l := LikelihoodCertain; whole && l <= LikelihoodRare; l++ {
		if !rows[l] {
			return c.valErr("matrix", fmt.Errorf("missing %s (matrix is in replace: give every row)", l))
		}
	}
	*m = out
	return nil
}

// applyRows reads rows of cells; complete asks for every row and cell.
func (c *PolicyConfig) applyRows(section string, in map[string]Cells, complete bool, example string, set func(Cell, string) error) error {
	rows := map[Cell]bool{}
	for _, name := range keys(c, section, in) {
		path := section + "." + name
		row := Cell{Unclassified: true}
		if !strings.EqualFold(name, unclassifiedRow) {
			sl, err := ParseServiceLevel(name)
			if err != nil {
				return c.keyErr(path, fmt.Errorf("unknown service level %q (want platinum, gold, silver, none or unclassified)", name))
			}
			row = Cell{ServiceLevel: sl}
		}
		if rows[row] {
			return c.keyErr(path, fmt.Errorf("%s given twice", rowName(row)))
		}
		rows[row] = true
		cells := in[name]
		switch {
		case cells.List != nil && cells.ByLevel != nil:
			return c.valErr(path, errors.New("both a list and a mapping of cells"))
		case cells.List != nil:
			if len(cells.List) != 9 {
				return c.valErr(path, fmt.Errorf("%d cells, want 9 (S1 to S9), or a mapping of the cells to change, as {S2: %s}", len(cells.List), example))
			}
			for i, s := range cells.List {
				row.Level = Level(i + 1)
				if err := set(row, s); err != nil {
					return c.valErr(path+"."+row.Level.String(), err)
				}
			}
		default:
			given := map[Level]string{}
			for _, k := range keys(c, path, cells.ByLevel) {
				l, err := ParseLevel(k)
				if err != nil {
					return c.keyErr(path+"."+k, err)
				}
				if other, dup := given[l]; dup {
					return c.keyErr(path+"."+k, fmt.Errorf("%s given twice, as %q too", l, other))
				}
				given[l] = k
				row.Level = l
				if err := set(row, cells.ByLevel[k]); err != nil {
					return c.valErr(path+"."+k, err)
				}
			}
			for l := S1; complete && l <= S9; l++ {
				if _, ok := given[l]; !ok {
					return c.valErr(path, fmt.Errorf("missing %s (%s is in replace: give every cell)", l, section))
				}
			}
		}
	}
	for _, row := range rowOrder {
		if complete && !rows[row] {
			return c.valErr(section, fmt.Errorf("missing %s (%s is in replace: give every row)", rowName(row), section))
		}
	}
	return nil
}

func nilIfEmpty[K comparable, V any](m map[K]V) map[K]V {
	if len(m) == 0 {
		return nil
	}
	return m
}

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }

// keys returns the keys of a section in the order the YAML wrote them, so
// that an error is about the first mistake; in order of name otherwise.
func keys[V any](c *PolicyConfig, path string, m map[string]V) []string {
	out := sortedKeys(m)
	if c.pos == nil {
		return out
	}
	at := func(k string) position { return c.pos.keys[join(path, k)] }
	slices.SortStableFunc(out, func(a, b string) int {
		pa, pb := at(a), at(b)
		return cmp.Or(cmp.Compare(pa.line, pb.line), cmp.Compare(pa.column, pb.column))
	})
	return out
}

// Errors, and where they are.

type position struct{ line, column int }

// positions are where the YAML wrote each key and its value, by path.
type positions struct {
	keys, values map[string]position
}

func (c *PolicyConfig) keyErr(path string, err error) error { return c.errAt(path, path, true, err) }

func (c *PolicyConfig) valErr(path string, err error) error { return c.errAt(path, path, false, err) }

// errAt returns an error about path, placed at the key or the value of at,
// else of its nearest parent that the YAML has, else of the replace entry
// of its section.
func (c *PolicyConfig) errAt(at, path string, key bool, err error) error {
	e := &PolicyError{Path: path, Err: err}
	if c.pos == nil {
		return e
	}
	where := c.pos.values
	if key {
		where = c.pos.keys
	}
	for p := at; ; {
		if pos, ok := where[p]; ok {
			e.Line, e.Column = pos.line, pos.column
			return e
		}
		where = c.pos.values
		i := strings.LastIndexByte(p, '.')
		if i < 0 {
			break
		}
		p = p[:i]
	}
	section, _, _ := strings.Cut(path, ".")
	if pos, ok := c.pos.values["replace:"+section]; ok {
		e.Line, e.Column = pos.line, pos.column
	}
	return e
}

// Reading YAML.

// maxNodes bounds the nodes read, aliases expanded.
const maxNodes = 100_000

var configKeys = []string{"matrix", "severities", "env_label", "environments", "unknown", "responses", "holds", "replace"}

// UnmarshalYAML reads a PolicyConfig, and remembers where each key is, so
// that Apply's errors give the line and column.
func (c *PolicyConfig) UnmarshalYAML(node *yaml.Node) error {
	d := &decoder{pos: &positions{keys: map[string]position{}, values: map[string]position{}}, budget: maxNodes}
	out := PolicyConfig{pos: d.pos}
	if node.Kind == yaml.DocumentNode {
		if len(node.Content) == 0 {
			*c = out
			return nil
		}
		node = node.Content[0]
	}
	if node.Kind == yaml.ScalarNode && node.ShortTag() == "!!null" {
		*c = out
		return nil
	}
	sections := map[string]func(v *yaml.Node, path string) error{
		"replace": func(v *yaml.Node, path string) error {
			v, err := d.resolve(v)
			if err != nil {
				return err
			}
			items := []*yaml.Node{v}
			if v.Kind == yaml.SequenceNode {
				items = v.Content
			}
			for i, item := range items {
				s, err := d.scalar(item, path, "a section name, or a list of them")
				if err != nil {
					return err
				}
				d.pos.values[fmt.Sprintf("replace.%d", i)] = position{item.Line, item.Column}
				if _, dup := d.pos.values["replace:"+s]; !dup {
					d.pos.values["replace:"+s] = position{item.Line, item.Column}
				}
				out.Replace = append(out.Replace, s)
			}
			return nil
		},
		"matrix": func(v *yaml.Node, path string) error {
			out.Matrix = map[string]map[string]string{}
			return d.mapping(v, path, "a mapping of likelihoods to rows, as {likely: {critical: S4}}", func(k, row *yaml.Node, path string) error {
				cells := map[string]string{}
				out.Matrix[k.Value] = cells
				return d.mapping(row, path, "a mapping of impacts to levels, as {critical: S4}", func(k, cell *yaml.Node, path string) error {
					s, err := d.scalar(cell, path, "a level, as S4")
					cells[k.Value] = s
					return err
				})
			})
		},
		"severities": func(v *yaml.Node, path string) error {
			out.Severities = map[string]string{}
			return d.mapping(v, path, "a mapping of severities to levels, as {critical: S2}", func(k, v *yaml.Node, path string) error {
				s, err := d.scalar(v, path, "a level, as S2")
				out.Severities[k.Value] = s
				return err
			})
		},
		"env_label": func(v *yaml.Node, path string) error {
			s, err := d.nonEmpty(v, path, "a label name, as env")
			out.EnvLabel = s
			return err
		},
		"environments": func(v *yaml.Node, path string) error {
			out.Environments = map[string]int{}
			return d.mapping(v, path, "a mapping of environments to levels milder, as {dev: 2}", func(k, v *yaml.Node, path string) error {
				s, err := d.scalar(v, path, "a number of levels, as 2")
				if err != nil {
					return err
				}
				n, err := strconv.Atoi(s)
				if err != nil {
					return d.errf(v, path, "%q: want a number of levels, as 2", s)
				}
				out.Environments[k.Value] = n
				return nil
			})
		},
		"unknown": func(v *yaml.Node, path string) error {
			s, err := d.nonEmpty(v, path, "a level, as S5")
			out.Unknown = s
			return err
		},
		"responses": func(v *yaml.Node, path string) error {
			out.Responses = map[string]Cells{}
			return d.rows(v, path, out.Responses, "page 10m")
		},
		"holds": func(v *yaml.Node, path string) error {
			out.Holds = map[string]Cells{}
			return d.rows(v, path, out.Holds, "1m")
		},
	}
	err := d.mapping(node, "", "a mapping of sections ("+strings.Join(configKeys, ", ")+")", func(k, v *yaml.Node, path string) error {
		section, ok := sections[k.Value]
		if !ok {
			return d.errf(k, "", "unknown key %q (want %s)", k.Value, strings.Join(configKeys, ", "))
		}
		return section(v, path)
	})
	if err != nil {
		return err
	}
	*c = out
	return nil
}

type decoder struct {
	pos    *positions
	budget int
}

func (d *decoder) errf(n *yaml.Node, path, format string, args ...any) error {
	return &PolicyError{Line: n.Line, Column: n.Column, Path: path, Err: fmt.Errorf(format, args...)}
}

// resolve follows an alias, and counts the node against the budget.
func (d *decoder) resolve(n *yaml.Node) (*yaml.Node, error) {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if d.budget--; d.budget < 0 {
		return nil, d.errf(n, "", "more than %d values, aliases expanded", maxNodes)
	}
	return n, nil
}

// mapping calls each for the entries of a mapping, and records where each
// key and value is; it refuses keys given twice and merge keys.
func (d *decoder) mapping(n *yaml.Node, path, want string, each func(k, v *yaml.Node, path string) error) error {
	n, err := d.resolve(n)
	if err != nil {
		return err
	}
	if n.Kind != yaml.MappingNode {
		return d.errf(n, path, "want %s", want)
	}
	seen := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, err := d.resolve(n.Content[i])
		if err != nil {
			return err
		}
		v := n.Content[i+1]
		switch {
		case k.Kind != yaml.ScalarNode:
			return d.errf(k, path, "a key must be a plain value")
		case k.ShortTag() == "!!merge":
			return d.errf(k, path, "merge keys (<<) are not supported")
		}
		if first, dup := seen[k.Value]; dup {
			return d.errf(k, join(path, k.Value), "given twice (first on line %d:%d)", first.Line, first.Column)
		}
		seen[k.Value] = k
		p := join(path, k.Value)
		d.pos.keys[p] = position{k.Line, k.Column}
		d.pos.values[p] = position{v.Line, v.Column}
		if err := each(k, v, p); err != nil {
			return err
		}
	}
	return nil
}

// scalar returns the text of a scalar.
func (d *decoder) scalar(n *yaml.Node, path, want string) (string, error) {
	n, err := d.resolve(n)
	if err != nil {
		return "", err
	}
	switch {
	case n.Kind != yaml.ScalarNode:
		return "", d.errf(n, path, "want %s", want)
	case n.ShortTag() == "!!null":
		return "", d.errf(n, path, "missing: want %s", want)
	}
	return n.Value, nil
}

// nonEmpty returns the text of a scalar that must not be empty: a section
// whose text is empty would be no change at all.
func (d *decoder) nonEmpty(n *yaml.Node, path, want string) (string, error) {
	s, err := d.scalar(n, path, want)
	if err == nil && s == "" {
		return "", d.errf(n, path, "missing: want %s", want)
	}
	return s, err
}

// rows reads service level → Cells.
func (d *decoder) rows(n *yaml.Node, path string, out map[string]Cells, example string) error {
	return d.mapping(n, path, "a mapping of service levels to rows, as {gold: {S2: "+example+"}}", func(k, v *yaml.Node, path string) error {
		cells, err := d.cells(v, path, example)
		out[k.Value] = cells
		return err
	})
}

// cells reads a list of nine cells or a mapping of levels to cells.
func (d *decoder) cells(n *yaml.Node, path, example string) (Cells, error) {
	want := "a cell, as " + example
	n, err := d.resolve(n)
	if err != nil {
		return Cells{}, err
	}
	var cells Cells
	switch n.Kind {
	case yaml.SequenceNode:
		cells.List = make([]string, 0, len(n.Content))
		for i, item := range n.Content {
			p := join(path, "S"+strconv.Itoa(i+1))
			d.pos.values[p] = position{item.Line, item.Column}
			s, err := d.scalar(item, p, want)
			if err != nil {
				return Cells{}, err
			}
			cells.List = append(cells.List, s)
		}
	case yaml.MappingNode:
		cells.ByLevel = map[string]string{}
		err := d.mapping(n, path, "", func(k, v *yaml.Node, path string) error {
			s, err := d.scalar(v, path, want)
			cells.ByLevel[k.Value] = s
			return err
		})
		if err != nil {
			return Cells{}, err
		}
	default:
		return Cells{}, d.errf(n, path, "want a list of nine cells, S1 to S9, or a mapping of the cells to change, as {S2: %s}", example)
	}
	return cells, nil
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// Cells in YAML and JSON.

// MarshalYAML writes a list, or a mapping by level, in flow style.
func (c Cells) MarshalYAML() (any, error) {
	n := &yaml.Node{Style: yaml.FlowStyle}
	if c.List != nil {
		n.Kind = yaml.SequenceNode
		for _, s := range c.List {
			n.Content = append(n.Content, str(s))
		}
		return n, nil
	}
	n.Kind = yaml.MappingNode
	for _, k := range sortedLevels(c.ByLevel) {
		n.Content = append(n.Content, str(k), str(c.ByLevel[k]))
	}
	return n, nil
}

func str(s string) *yaml.Node {
	n := &yaml.Node{}
	n.SetString(s)
	return n
}

// sortedLevels orders the keys of cells by level, S1 first, then the
// keys that are no level.
func sortedLevels(m map[string]string) []string {
	keys := sortedKeys(m)
	slices.SortStableFunc(keys, func(a, b string) int {
		la, erra := ParseLevel(a)
		lb, errb := ParseLevel(b)
		if erra != nil || errb != nil {
			return boolCmp(erra != nil, errb != nil)
		}
		return int(la) - int(lb)
	})
	return keys
}

func boolCmp(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// UnmarshalYAML reads a list of nine cells or a mapping of levels to cells.
func (c *Cells) UnmarshalYAML(n *yaml.Node) error {
	d := &decoder{pos: &positions{keys: map[string]position{}, values: map[string]position{}}, budget: maxNodes}
	cells, err := d.cells(n, "", "page 10m")
	if err == nil {
		*c = cells
	}
	return err
}

// MarshalJSON writes a list, or an object by level.
func (c Cells) MarshalJSON() ([]byte, error) {
	if c.List != nil {
		return json.Marshal(c.List)
	}
	return json.Marshal(c.ByLevel)
}

// UnmarshalJSON reads a list of nine cells or an object of levels to cells.
func (c *Cells) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.HasPrefix(b, []byte("[")):
		var list []string
		if err := json.Unmarshal(b, &list); err != nil {
			return err
		}
		*c = Cells{List: list}
	case bytes.HasPrefix(b, []byte("{")):
		var by map[string]string
		if err := json.Unmarshal(b, &by); err != nil {
			return err
		}
		*c = Cells{ByLevel: by}
	case bytes.Equal(b, []byte("null")):
		*c = Cells{}
	default:
		return errors.New("want a list of nine cells, S1 to S9, or an object of the cells to change, as {\"S2\": \"page 10m\"}")
	}
	return nil
}
