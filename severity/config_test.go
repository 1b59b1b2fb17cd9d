package severity_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/alertkit/alertkit/severity"
)

func page(d time.Duration) severity.Response {
	return severity.Response{Mode: severity.ModePage, Within: d}
}

var day = severity.Response{Mode: severity.ModeBatch, Within: 24 * time.Hour}

// TestParsePolicyPartial checks that a file changes only what it names.
func TestParsePolicyPartial(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want func(p *severity.Policy)
	}{
		{name: "empty", yaml: "", want: func(*severity.Policy) {}},
		{name: "a comment", yaml: "# nothing to change\n", want: func(*severity.Policy) {}},
		{name: "one cell of the none row", yaml: "responses: {none: {S2: page 10m}}\n", want: func(p *severity.Policy) {
			p.Responses[severity.ServiceLevelNone][1] = page(10 * time.Minute)
		}},
		{name: "one cell of the unclassified row", yaml: "responses:\n  unclassified: {S3: batch 24h}\n", want: func(p *severity.Policy) {
			p.Unclassified[2] = day
		}},
		{name: "cells by level in any form", yaml: "responses:\n  Gold: {2: page 5m, s4: '—'}\n", want: func(p *severity.Policy) {
			p.Responses[severity.ServiceLevelGold][1] = page(5 * time.Minute)
			p.Responses[severity.ServiceLevelGold][3] = severity.Response{}
		}},
		{name: "a list replaces the row", yaml: "responses:\n  none: [page 30m, batch 24h, batch 24h, batch 24h, —, —, —, —, —]\n", want: func(p *severity.Policy) {
			p.Responses[severity.ServiceLevelNone] = [9]severity.Response{page(30 * time.Minute), day, day, day}
		}},
		{name: "one severity", yaml: "severities: {critical: S1}\n", want: func(p *severity.Policy) {
			p.Severities["critical"] = severity.S1
		}},
		{name: "a severity in capitals", yaml: "severities: {Page: S1}\n", want: func(p *severity.Policy) {
			p.Severities["page"] = severity.S1
		}},
		{name: "one hold", yaml: "holds:\n  unclassified: {S2: 1m}\n", want: func(p *severity.Policy) {
			p.Holds = map[severity.Cell]time.Duration{{Unclassified: true, Level: severity.S2}: time.Minute}
		}},
		{name: "a row of holds", yaml: "holds:\n  gold: [0s, 1m, 2m, 3m, 4m, 5m, 6m, 7m, 8m]\n", want: func(p *severity.Policy) {
			p.Holds = map[severity.Cell]time.Duration{}
			for l := severity.S1; l <= severity.S9; l++ {
				p.Holds[severity.Cell{ServiceLevel: severity.ServiceLevelGold, Level: l}] = time.Duration(l-1) * time.Minute
			}
		}},
		{name: "one matrix cell", yaml: "matrix: {likely: {critical: S3}}\n", want: func(p *severity.Policy) {
			p.Matrix[severity.LikelihoodLikely-1][severity.ImpactCritical-1] = severity.S3
		}},
		{name: "environments", yaml: "environments: {dev: 2}\n", want: func(p *severity.Policy) {
			p.Environments = map[string]int{"dev": 2}
		}},
		{name: "unknown", yaml: "unknown: S7\n", want: func(p *severity.Policy) { p.Unknown = severity.S7 }},
		{name: "env label", yaml: "env_label: stage\n", want: func(p *severity.Policy) { p.EnvLabel = "stage" }},
		{name: "replace severities", yaml: "replace: severities\nseverities: {page: S1}\n", want: func(p *severity.Policy) {
			p.Severities = map[string]severity.Level{"page": severity.S1}
		}},
		{name: "replace severities with none", yaml: "replace: [severities]\n", want: func(p *severity.Policy) {
			p.Severities = nil
		}},
		{name: "replace responses", yaml: `
replace: [responses]
responses:
  platinum: [page 1m, page 1m, page 1m, page 1m, page 1m, page 1m, page 1m, page 1m, page 1m]
  gold: {S1: page 2m, S2: page 2m, S3: page 2m, S4: page 2m, S5: page 2m, S6: page 2m, S7: page 2m, S8: page 2m, S9: page 2m}
  silver: &none [—, —, —, —, —, —, —, —, —]
  none: *none
  unclassified: *none
`, want: func(p *severity.Policy) {
			p.Responses, p.Unclassified = severity.Responses{}, [9]severity.Response{}
			for i := range 9 {
				p.Responses[severity.ServiceLevelPlatinum][i] = page(time.Minute)
				p.Responses[severity.ServiceLevelGold][i] = page(2 * time.Minute)
			}
		}},
		{name: "JSON", yaml: `{"responses": {"none": {"S2": "page 10m"}}, "severities": {"page": "S1"}}`, want: func(p *severity.Policy) {
			p.Responses[severity.ServiceLevelNone][1] = page(10 * time.Minute)
			p.Severities["page"] = severity.S1
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := severity.ParsePolicy([]byte(tt.yaml))
			require.NoError(t, err)
			want := severity.DefaultPolicy()
			tt.want(want)
			require.Equal(t, want, got)
		})
	}
}

func TestParsePolicyPartialClassifies(t *testing.T) {
	p, err := severity.ParsePolicy([]byte("responses: {unclassified: {S2: page 5m}}\nseverities: {page: S1}\n"))
	require.NoError(t, err)
	c, err := p.Classify(labels("severity", "critical"))
	require.NoError(t, err)
	require.Equal(t, "page 5m", c.Response.String())
	require.Equal(t, time.Minute, c.Hold)
	c, err = p.Classify(labels("severity", "page", "service_level", "gold"))
	require.NoError(t, err)
	require.Equal(t, "page 5m", c.Response.String(), "gold S1")
	c, err = p.Classify(labels("severity", "warning"))
	require.NoError(t, err)
	require.Equal(t, "batch 24h", c.Response.String(), "the default")
}

func TestParsePolicyErrors(t *testing.T) {
	full := strings.Repeat("page 1m, ", 8) + "page 1m"
	tests := []struct {
		name, yaml, want string
	}{
		{"yaml syntax", "responses: {none: [page 1m\n", "severity policy: yaml: line 1: did not find expected ',' or ']'"},
		{"not a mapping", "- responses\n", "severity policy: line 1:1: want a mapping of sections (matrix, severities, env_label, environments, unknown, responses, holds, replace)"},
		{"a scalar", "responses\n", "severity policy: line 1:1: want a mapping of sections (matrix, severities, env_label, environments, unknown, responses, holds, replace)"},
		{"unknown key", "\nresponse: {}\n", `severity policy: line 2:1: unknown key "response" (want matrix, severities, env_label, environments, unknown, responses, holds, replace)`},
		{"key given twice", "unknown: S5\nunknown: S6\n", "severity policy: line 2:1: unknown: given twice (first on line 1:1)"},
		{"merge key", "severities:\n  <<: {page: S1}\n", "severity policy: line 2:3: severities: merge keys (<<) are not supported"},
		{"unknown level key", "responses:\n  gold: {S10: page 1m}\n", `severity policy: line 2:10: responses.gold.S10: invalid level "S10" (want S1 to S9)`},
		{"unknown row", "holds:\n  bronze: {S1: 1m}\n", `severity policy: line 2:3: holds.bronze: unknown service level "bronze" (want platinum, gold, silver, none or unclassified)`},
		{"row given twice", "responses:\n  gold: {S1: page 1m}\n  Gold: {S2: page 1m}\n", "severity policy: line 3:3: responses.Gold: gold given twice"},
		{"level given twice", "responses:\n  gold: {S2: page 1m, 2: page 2m}\n", `severity policy: line 2:23: responses.gold.2: S2 given twice, as "S2" too`},
		{"page without a duration", "responses: {none: {S2: page}}\n", `severity policy: line 1:24: responses.none.S2: "page": page needs a duration, as "page 10m"`},
		{"batch of nothing", "responses: {none: {S2: batch 0s}}\n", `severity policy: line 1:24: responses.none.S2: "batch 0s": invalid duration "0s" (want 90s, 10m, 24h, …)`},
		{"unknown mode", "responses:\n  unclassified:\n    S2: pager 5m\n", `severity policy: line 3:9: responses.unclassified.S2: "pager 5m": unknown mode (want page <duration>, batch <duration> or retrospective)`},
		{"retrospective with a duration", "responses: {none: {S9: retrospective 1h}}\n", `severity policy: line 1:24: responses.none.S9: "retrospective 1h": retrospective takes no duration`},
		{"a row that is a cell", "responses: {gold: page 1m}\n", "severity policy: line 1:19: responses.gold: want a list of nine cells, S1 to S9, or a mapping of the cells to change, as {S2: page 10m}"},
		{"a cell that is a list", "responses: {gold: {S1: [page 1m]}}\n", "severity policy: line 1:24: responses.gold.S1: want a cell, as page 10m"},
		{"a cell left empty", "responses:\n  gold:\n    S1:\n", "severity policy: line 3:8: responses.gold.S1: missing: want a cell, as page 10m"},
		{"a list of holds too short", "holds: {gold: [1m]}\n", "severity policy: line 1:15: holds.gold: 1 cells, want 9 (S1 to S9), or a mapping of the cells to change, as {S2: 1m}"},
		{"a hold that is no duration", "holds: {gold: {S3: soon}}\n", `severity policy: line 1:20: holds.gold.S3: invalid duration "soon" (want 0s, 30s, 5m, …)`},
		{"severities as a list", "severities: [critical]\n", "severity policy: line 1:13: severities: want a mapping of severities to levels, as {critical: S2}"},
		{"a severity given twice", "severities: {critical: S1, Critical: S2}\n", `severity policy: line 1:28: severities.Critical: given twice, as "critical" too`},
		{"an empty severity name", "severities: {'': S1}\n", "severity policy: line 1:14: severities.: an empty severity name"},
		{"a matrix row that is a level", "matrix: {likely: S3}\n", "severity policy: line 1:18: matrix.likely: want a mapping of impacts to levels, as {critical: S4}"},
		{"unknown impact", "matrix: {likely: {huge: S3}}\n", `severity policy: line 1:19: matrix.likely.huge: unknown impact "huge" (want deadly, catastrophic, critical, marginal, negligible)`},
		{"a matrix row given twice", "matrix: {likely: {critical: S3}, Likely: {deadly: S1}}\n", "severity policy: line 1:34: matrix.Likely: likely given twice"},
		{"environment not a number", "environments: {dev: two}\n", `severity policy: line 1:21: environments.dev: "two": want a number of levels, as 2`},
		{"unknown left empty", "unknown:\n", "severity policy: line 1:9: unknown: missing: want a level, as S5"},
		{"unknown empty", "unknown: ''\n", "severity policy: line 1:10: unknown: missing: want a level, as S5"},
		{"env label empty", "env_label: ''\n", "severity policy: line 1:12: env_label: missing: want a label name, as env"},
		{"replace something else", "replace: [severities, unknown]\n", `severity policy: line 1:23: replace: "unknown" cannot be replaced (want matrix, severities, environments, responses, holds)`},
		{"replace matrix without one", "replace: [matrix]\n", "severity policy: line 1:11: matrix: missing certain (matrix is in replace: give every row)"},
		{"replace responses with a row short", "replace: [responses]\nresponses:\n  platinum: [" + full + "]\n  gold: {S1: page 1m}\n",
			"severity policy: line 4:9: responses.gold: missing S2 (responses is in replace: give every cell)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := severity.ParsePolicy([]byte(tt.yaml))
			require.Error(t, err)
			require.Equal(t, tt.want, err.Error())
		})
	}
}

func TestPolicyErrorIsTyped(t *testing.T) {
	_, err := severity.ParsePolicy([]byte("responses:\n  none: {S2: page soon}\n"))
	var pe *severity.PolicyError
	require.True(t, errors.As(err, &pe), "%T", err)
	require.Equal(t, 2, pe.Line)
	require.Equal(t, 14, pe.Column)
	require.Equal(t, "responses.none.S2", pe.Path)
	require.Equal(t, `"page soon": invalid duration "soon" (want 90s, 10m, 24h, …)`, pe.Unwrap().Error())
}

func TestParsePolicyBoundsAliases(t *testing.T) {
	var b strings.Builder
	b.WriteString("holds:\n  gold: &cells {")
	for i := range 1000 {
		fmt.Fprintf(&b, "k%d: 1m, ", i)
	}
	b.WriteString("}\nresponses:\n")
	for i := range 200 {
		fmt.Fprintf(&b, "  row%d: *cells\n", i)
	}
	_, err := severity.ParsePolicy([]byte(b.String()))
	require.ErrorContains(t, err, "more than 100000 values, aliases expanded")
}

func TestApplyLeavesThePolicyOnError(t *testing.T) {
	p := severity.DefaultPolicy()
	var c severity.PolicyConfig
	require.NoError(t, yaml.Unmarshal([]byte("severities: {critical: S1}\nholds: {gold: {S1: 1m}}\nresponses: {gold: {S2: pager}}\n"), &c))
	require.Error(t, c.Apply(p))
	require.Equal(t, severity.DefaultPolicy(), p)

	c = severity.PolicyConfig{Responses: map[string]severity.Cells{"gold": {ByLevel: map[string]string{"S2": "page 1m"}}}}
	require.NoError(t, c.Apply(p))
	require.Equal(t, "page 1m", p.Responses.Response(severity.ServiceLevelGold, severity.S2).String())

	c = severity.PolicyConfig{Responses: map[string]severity.Cells{"gold": {List: []string{"page 1m"}, ByLevel: map[string]string{"S2": "page 1m"}}}}
	require.EqualError(t, c.Apply(p), "severity policy: responses.gold: both a list and a mapping of cells")
}

func TestUnmarshalOverAPolicy(t *testing.T) {
	p := severity.DefaultPolicy()
	p.Holds = map[severity.Cell]time.Duration{{ServiceLevel: severity.ServiceLevelGold, Level: severity.S1}: time.Minute}
	p.Environments = map[string]int{"dev": 2}

	require.NoError(t, yaml.Unmarshal([]byte("holds: {gold: {S2: 1m}}\nenvironments: {staging: 1}\n"), p))
	require.Len(t, p.Holds, 2, "holds are changed cell by cell")
	require.Equal(t, map[string]int{"dev": 2, "staging": 1}, p.Environments)

	require.NoError(t, yaml.Unmarshal([]byte("replace: [holds, environments]\n"), p))
	require.Nil(t, p.Holds)
	require.Nil(t, p.Environments)

	require.NoError(t, json.Unmarshal([]byte(`{"holds": {"unclassified": {"S1": "10s"}}}`), p))
	require.Equal(t, map[severity.Cell]time.Duration{{Unclassified: true, Level: severity.S1}: 10 * time.Second}, p.Holds)

	err := json.Unmarshal([]byte(`{"holds": {"gold": "1m"}}`), p)
	require.ErrorContains(t, err, "want a list of nine cells, S1 to S9, or an object of the cells to change")
}

func TestCellsYAML(t *testing.T) {
	tests := []struct {
		name, yaml string
		want       severity.Cells
		out        string
	}{
		{name: "a list", yaml: "[page 1m, batch 24h]", want: severity.Cells{List: []string{"page 1m", "batch 24h"}}, out: "[page 1m, batch 24h]\n"},
		{name: "by level", yaml: "{S9: —, 2: page 1m, S1: page 1m}", want: severity.Cells{ByLevel: map[string]string{"S9": "—", "2": "page 1m", "S1": "page 1m"}},
			out: "{S1: page 1m, \"2\": page 1m, S9: —}\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c severity.Cells
			require.NoError(t, yaml.Unmarshal([]byte(tt.yaml), &c))
			require.Equal(t, tt.want, c)
			out, err := yaml.Marshal(c)
			require.NoError(t, err)
			require.Equal(t, tt.out, string(out))
		})
	}
	var c severity.Cells
	require.EqualError(t, yaml.Unmarshal([]byte("page 1m"), &c),
		"severity policy: line 1:1: want a list of nine cells, S1 to S9, or a mapping of the cells to change, as {S2: page 10m}")
}

// TestConfigRoundTrips checks that a policy written out reads back the
// same over any other policy.
func TestConfigRoundTrips(t *testing.T) {
	p := severity.DefaultPolicy()
	p.Unclassified[1] = page(5 * time.Minute)
	p.Holds = map[severity.Cell]time.Duration{{Unclassified: true, Level: severity.S2}: 30 * time.Second}
	delete(p.Severities, "info")
	out, err := yaml.Marshal(p)
	require.NoError(t, err)

	other, err := severity.ParsePolicy([]byte("severities: {page: S1}\nenvironments: {dev: 2}\nholds: {gold: {S1: 1m}}\nmatrix: {likely: {critical: S3}}\n"))
	require.NoError(t, err)
	require.NoError(t, yaml.Unmarshal(out, other), "%s", out)
	require.Equal(t, p, other, "%s", out)
}
