package severity

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Describe summarises the policy in force in a few lines, for a service to
// log when it starts: how a level is read, the environments, where a
// service level comes from, the response and pending hold of every cell,
// row by row, and the holds set in the policy. Cells that answer alike are
// written as a range:
//
//	levels: severity_level, else impact × likelihood, else severity (critical S2, error S3, warning S4, info S6), else S5
//	…
//	responses (pending hold):
//	  gold          S1 page 5m (1m), S2 page 10m (2m), S3 page 30m (5m), S4–S6 batch 24h (15m), S7–S9 retrospective
//	  unclassified  S1 page 5m (1m), S2 page 10m (2m), S3 page 30m (5m), S4–S5 batch 24h (15m), S6–S9 retrospective
//	holds: a fifth of a page's deadline, at most 5m; 15m before a digest; none before a retrospective; none set
func (p *Policy) Describe() string {
	var b strings.Builder

	type named struct {
		name  string
		level Level
	}
	var sevs []named
	for name, l := range p.Severities {
		sevs = append(sevs, named{name, l})
	}
	slices.SortFunc(sevs, func(a, b named) int { return cmp.Or(cmp.Compare(a.level, b.level), strings.Compare(a.name, b.name)) })
	var known []string
	for _, s := range sevs {
		known = append(known, s.name+" "+s.level.String())
	}
	if len(known) == 0 {
		known = []string{"no names known"}
	}
	fmt.Fprintf(&b, "levels: %s, else impact × likelihood, else %s (%s), else %s\n", LabelLevel, LabelSeverity, strings.Join(known, ", "), p.Unknown)

	if p.Matrix == DefaultMatrix() {
		b.WriteString("matrix: the default, certain × deadly S1 to rare × negligible S9, a level milder a step\n")
	} else {
		var impacts, rows []string
		for i := ImpactDeadly; i <= ImpactNegligible; i++ {
			impacts = append(impacts, i.String())
		}
		for l := LikelihoodCertain; l <= LikelihoodRare; l++ {
			row := []string{l.String()}
			for i := ImpactDeadly; i <= ImpactNegligible; i++ {
				row = append(row, p.Matrix.Level(i, l).String())
			}
			rows = append(rows, strings.Join(row, " "))
		}
		fmt.Fprintf(&b, "matrix (%s): %s\n", strings.Join(impacts, ", "), strings.Join(rows, ", "))
	}

	var envs []string
	for _, env := range sortedKeys(p.Environments) {
		if k := p.Environments[env]; k != 0 {
			envs = append(envs, fmt.Sprintf("%s=%s %s", cmpOr(p.EnvLabel, DefaultEnvLabel), env, milder(k)))
		}
	}
	if len(envs) == 0 {
		envs = []string{"no environment made milder (label " + cmpOr(p.EnvLabel, DefaultEnvLabel) + ")"}
	}
	fmt.Fprintf(&b, "environments: %s\n", strings.Join(envs, ", "))

	catalog := "no service catalogue"
	if p.Catalog != nil {
		catalog = "the service catalogue"
	}
	fmt.Fprintf(&b, "service levels: the label %s, else %s; an alert with neither is unclassified\n", LabelServiceLevel, catalog)

	b.WriteString("responses (pending hold):\n")
	for _, row := range rowOrder {
		fmt.Fprintf(&b, "  %-12s  %s\n", rowName(row), p.describeRow(row))
	}

	var set []string
	for _, row := range rowOrder {
		for l := S1; l <= S9; l++ {
			row.Level = l
			if d, ok := p.Holds[row]; ok {
				set = append(set, row.String()+" "+FormatDuration(d))
			}
		}
	}
	if len(set) == 0 {
		set = []string{"none set"}
	} else {
		set[0] = "set: " + set[0]
	}
	fmt.Fprintf(&b, "holds: a fifth of a page's deadline, at most 5m; 15m before a digest; none before a retrospective; %s", strings.Join(set, ", "))
	return b.String()
}

// describeRow writes the cells of a row, a run of cells that answer alike
// as one.
func (p *Policy) describeRow(row Cell) string {
	cell := func(l Level) string {
		row.Level = l
		r, h := p.Response(row), p.Hold(row)
		if r.Mode == ModeRetrospective && h == 0 {
			return r.String()
		}
		return r.String() + " (" + FormatDuration(h) + ")"
	}
	var out []string
	for first := S1; first <= S9; {
		last := first
		for last < S9 && cell(last+1) == cell(first) {
			last++
		}
		levels := first.String()
		if last != first {
			levels += "–" + last.String()
		}
		out = append(out, levels+" "+cell(first))
		first = last + 1
	}
	return strings.Join(out, ", ")
}
