package severity_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/require"

	"github.com/alertkit/alertkit/severity"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// labels builds a label set from pairs.
func labels(kv ...string) model.LabelSet {
	out := model.LabelSet{}
	for i := 0; i+1 < len(kv); i += 2 {
		out[model.LabelName(kv[i])] = model.LabelValue(kv[i+1])
	}
	return out
}

func TestDefaultUnclassified(t *testing.T) {
	var got []string
	for _, r := range severity.DefaultUnclassified() {
		got = append(got, r.String())
	}
	require.Equal(t, "page 5m,page 10m,page 30m,batch 24h,batch 24h,retrospective,retrospective,retrospective,retrospective", strings.Join(got, ","))
}

// TestClassifyWithoutServiceLevel checks what a first receiver gets: alerts
// with no service_level label and no catalogue.
func TestClassifyWithoutServiceLevel(t *testing.T) {
	tests := []struct {
		name     string
		labels   model.LabelSet
		level    severity.Level
		response string
		hold     time.Duration
	}{
		{name: "severity critical pages", labels: labels("severity", "critical"), level: severity.S2, response: "page 10m", hold: 2 * time.Minute},
		{name: "severity error pages slowly", labels: labels("severity", "error"), level: severity.S3, response: "page 30m", hold: 5 * time.Minute},
		{name: "severity warning goes to the digest", labels: labels("severity", "warning"), level: severity.S4, response: "batch 24h", hold: 15 * time.Minute},
		{name: "severity info is recorded", labels: labels("severity", "info"), level: severity.S6, response: "retrospective"},
		{name: "no label goes to the digest", labels: labels("alertname", "X"), level: severity.S5, response: "batch 24h", hold: 15 * time.Minute},
		{name: "an invalid service level is no service level", labels: labels("severity", "critical", "service_level", "bronze"),
			level: severity.S2, response: "page 10m", hold: 2 * time.Minute},
		{name: "severity_level 1", labels: labels("severity_level", "1"), level: severity.S1, response: "page 5m", hold: time.Minute},
		{name: "severity_level 2", labels: labels("severity_level", "2"), level: severity.S2, response: "page 10m", hold: 2 * time.Minute},
		{name: "severity_level 3", labels: labels("severity_level", "S3"), level: severity.S3, response: "page 30m", hold: 5 * time.Minute},
		{name: "severity_level 4", labels: labels("severity_level", "4"), level: severity.S4, response: "batch 24h", hold: 15 * time.Minute},
		{name: "severity_level 5", labels: labels("severity_level", "5"), level: severity.S5, response: "batch 24h", hold: 15 * time.Minute},
		{name: "severity_level 6", labels: labels("severity_level", "6"), level: severity.S6, response: "retrospective"},
		{name: "severity_level 9", labels: labels("severity_level", "9"), level: severity.S9, response: "retrospective"},
		{name: "deadly and certain", labels: labels("impact", "deadly", "likelihood", "certain"), level: severity.S1, response: "page 5m", hold: time.Minute},
		{name: "catastrophic and certain", labels: labels("impact", "catastrophic", "likelihood", "certain"), level: severity.S2, response: "page 10m", hold: 2 * time.Minute},
		{name: "deadly and likely", labels: labels("impact", "deadly", "likehood", "likely"), level: severity.S2, response: "page 10m", hold: 2 * time.Minute},
		{name: "critical and certain", labels: labels("impact", "critical", "likelihood", "certain"), level: severity.S3, response: "page 30m", hold: 5 * time.Minute},
		{name: "marginal and likely", labels: labels("impact", "marginal", "likelihood", "likely"), level: severity.S5, response: "batch 24h", hold: 15 * time.Minute},
		{name: "negligible and rare", labels: labels("impact", "negligible", "likelihood", "rare"), level: severity.S9, response: "retrospective"},
	}
	p := severity.DefaultPolicy()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := p.Classify(tt.labels)
			require.Equal(t, tt.level, c.Level)
			require.True(t, c.Unclassified)
			require.Equal(t, severity.ServiceLevelNone, c.ServiceLevel)
			require.Empty(t, c.ServiceFrom)
			require.Equal(t, tt.response, c.Response.String())
			require.Equal(t, tt.hold, c.Hold)
			require.Equal(t, severity.Cell{Unclassified: true, Level: tt.level}, c.Cell())
			if c.Level <= severity.S2 {
				require.Equal(t, severity.ModePage, c.Response.Mode, "S1 and S2 page")
				require.LessOrEqual(t, c.Hold+c.Response.Within, 15*time.Minute, "a page goes out and is answered within minutes")
			}
		})
	}
}

// TestClassifyWithServiceLevel checks the response-time table, row by row,
// for the Prometheus severities.
func TestClassifyWithServiceLevel(t *testing.T) {
	tests := []struct {
		name                    string
		service                 string
		critical, warning, info string
	}{
		{name: "platinum", service: "platinum", critical: "page 5m", warning: "page 30m", info: "batch 24h"},
		{name: "gold", service: "gold", critical: "page 10m", warning: "batch 24h", info: "batch 24h"},
		{name: "silver", service: "Silver", critical: "page 30m", warning: "batch 24h", info: "retrospective"},
		{name: "none, said on purpose", service: "none", critical: "batch 24h", warning: "batch 24h", info: "retrospective"},
	}
	p := severity.DefaultPolicy()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for sev, want := range map[string]string{"critical": tt.critical, "warning": tt.warning, "info": tt.info} {
				c, err := p.Classify(labels("severity", sev, "service_level", tt.service))
				require.NoError(t, err)
				require.False(t, c.Unclassified, sev)
				require.Equal(t, severity.ServiceFromLabel, c.ServiceFrom)
				require.Equal(t, want, c.Response.String(), sev)
				require.Equal(t, severity.DefaultHold(c.Response), c.Hold, sev)
			}
		})
	}
}

func TestClassifyServiceFromCatalog(t *testing.T) {
	p := severity.DefaultPolicy()
	p.Catalog = func(ls model.LabelSet) (severity.ServiceLevel, bool) {
		return severity.ServiceLevelNone, ls["service"] == "sandbox"
	}
	c, err := p.Classify(labels("severity", "critical", "service", "sandbox"))
	require.NoError(t, err)
	require.False(t, c.Unclassified, "the catalogue said none")
	require.Equal(t, severity.ServiceFromCatalog, c.ServiceFrom)
	require.Equal(t, "batch 24h", c.Response.String())

	c, err = p.Classify(labels("severity", "critical", "service", "checkout"))
	require.NoError(t, err)
	require.True(t, c.Unclassified, "the catalogue does not know it")
	require.Equal(t, "page 10m", c.Response.String())
}

func TestClassifyReason(t *testing.T) {
	p := severity.DefaultPolicy()
	p.Environments = map[string]int{"dev": 2, "prod": -1}
	p.Catalog = func(ls model.LabelSet) (severity.ServiceLevel, bool) {
		return severity.ServiceLevelPlatinum, ls["service"] == "checkout"
	}
	p.Holds = map[severity.Cell]time.Duration{{Unclassified: true, Level: severity.S1}: 30 * time.Second}
	tests := []struct {
		name   string
		labels model.LabelSet
		want   string
	}{
		{name: "critical without a service level", labels: labels("severity", "critical"),
			want: "severity=critical → S2; no service level → unclassified S2: page 10m, hold 2m"},
		{name: "a hold set in the policy", labels: labels("severity_level", "1"),
			want: "severity_level=1 → S1; no service level → unclassified S1: page 5m, hold 30s (set in holds)"},
		{name: "service level label", labels: labels("severity", "Warning", "service_level", "gold"),
			want: "severity=Warning → S4; service_level=gold → gold S4: batch 24h, hold 15m"},
		{name: "impact and likelihood", labels: labels("impact", "deadly", "likehood", "possible", "service_level", "silver"),
			want: "impact=deadly × likehood=possible → S3; service_level=silver → silver S3: batch 24h, hold 15m"},
		{name: "environment milder", labels: labels("severity_level", "1", "env", "dev", "service_level", "gold"),
			want: "severity_level=1 → S1; env=dev 2 levels milder → S3; service_level=gold → gold S3: page 30m, hold 5m"},
		{name: "environment worse", labels: labels("severity", "warning", "env", "prod", "service", "checkout"),
			want: "severity=warning → S4; env=prod 1 level worse → S3; service catalogue → platinum S3: page 10m, hold 2m"},
		{name: "nothing", labels: labels("alertname", "X"),
			want: "no level from the labels → S5 (unknown); no service level → unclassified S5: batch 24h, hold 15m"},
		{name: "retrospective has no hold", labels: labels("severity", "info", "service_level", "none"),
			want: "severity=info → S6; service_level=none → none S6: retrospective"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := p.Classify(tt.labels)
			require.NoError(t, err)
			require.Equal(t, tt.want, c.Reason)
		})
	}
}

func TestWithLevel(t *testing.T) {
	p := severity.DefaultPolicy()
	tests := []struct {
		name     string
		labels   model.LabelSet
		level    severity.Level
		response string
		hold     time.Duration
		reason   string
	}{
		{name: "unclassified stays unclassified", labels: labels("severity", "warning"), level: severity.S2,
			response: "page 10m", hold: 2 * time.Minute,
			reason: "set to S2 (was S4); no service level → unclassified S2: page 10m, hold 2m"},
		{name: "a service level stays", labels: labels("severity", "critical", "service_level", "none"), level: severity.S6,
			response: "retrospective",
			reason:   "set to S6 (was S2); service_level=none → none S6: retrospective"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := p.Classify(tt.labels)
			require.NoError(t, err)
			c = p.WithLevel(c, tt.level)
			require.Equal(t, tt.level, c.Level)
			require.Equal(t, tt.response, c.Response.String())
			require.Equal(t, tt.hold, c.Hold)
			require.Equal(t, tt.reason, c.Reason)
		})
	}
}

func TestPolicyResponseAndHold(t *testing.T) {
	p := severity.DefaultPolicy()
	p.Holds = map[severity.Cell]time.Duration{{ServiceLevel: severity.ServiceLevelGold, Level: severity.S4}: 0}
	tests := []struct {
		name     string
		cell     severity.Cell
		response string
		hold     time.Duration
	}{
		{name: "unclassified", cell: severity.Cell{Unclassified: true, Level: severity.S2}, response: "page 10m", hold: 2 * time.Minute},
		{name: "none", cell: severity.Cell{ServiceLevel: severity.ServiceLevelNone, Level: severity.S2}, response: "batch 24h", hold: 15 * time.Minute},
		{name: "a hold of zero set", cell: severity.Cell{ServiceLevel: severity.ServiceLevelGold, Level: severity.S4}, response: "batch 24h"},
		{name: "unclassified, no level", cell: severity.Cell{Unclassified: true}, response: "retrospective"},
		{name: "no such service level", cell: severity.Cell{ServiceLevel: 9, Level: severity.S1}, response: "retrospective"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.response, p.Response(tt.cell).String())
			require.Equal(t, tt.hold, p.Hold(tt.cell))
		})
	}
	require.Equal(t, "unclassified S2", severity.Cell{Unclassified: true, Level: severity.S2}.String())
	require.Equal(t, "gold S3", severity.Cell{ServiceLevel: severity.ServiceLevelGold, Level: severity.S3}.String())
}

func TestDescribe(t *testing.T) {
	tests := []struct {
		name   string
		policy func() *severity.Policy
	}{
		{name: "default", policy: severity.DefaultPolicy},
		{name: "custom", policy: func() *severity.Policy {
			p, err := severity.ParsePolicy([]byte(`
replace: [severities]
severities: {page: S1, critical: S2, ticket: S4}
matrix: {likely: {critical: S3}}
env_label: stage
environments: {dev: 2, canary: -1}
unknown: S7
responses:
  none: {S1: page 30m}
  unclassified: {S3: batch 24h}
holds:
  unclassified: {S1: 30s, S2: 1m}
  platinum: {S9: 1m}
`))
			require.NoError(t, err)
			p.Catalog = func(model.LabelSet) (severity.ServiceLevel, bool) { return 0, false }
			return p
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.policy().Describe() + "\n"
			golden := filepath.Join("testdata", "describe_"+tt.name+".golden")
			if *update {
				require.NoError(t, os.WriteFile(golden, []byte(got), 0o644))
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err)
			require.Equal(t, string(want), got)
		})
	}
}
