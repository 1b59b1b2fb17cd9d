package severity_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/alertkit/alertkit/mql"
	"github.com/alertkit/alertkit/severity"
)

func TestParseLevel(t *testing.T) {
	for in, want := range map[string]severity.Level{"S1": severity.S1, "s3": severity.S3, "9": severity.S9, "4": severity.S4} {
		l, err := severity.ParseLevel(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, l)
	}
	for _, in := range []string{"", "S0", "S10", "10", "high", "S", "-1"} {
		_, err := severity.ParseLevel(in)
		assert.EqualError(t, err, `invalid level "`+in+`" (want S1 to S9)`)
	}
	assert.Equal(t, "S3", severity.S3.String())
	assert.Equal(t, "unknown", severity.Level(0).String())
	assert.Equal(t, severity.S9, severity.S8.Milder(3))
	assert.Equal(t, severity.S1, severity.S2.Milder(-4))
}

func TestDefaultMatrix(t *testing.T) {
	m := severity.DefaultMatrix()
	rows := map[severity.Likelihood]string{
		severity.LikelihoodCertain:  "S1 S2 S3 S4 S5",
		severity.LikelihoodLikely:   "S2 S3 S4 S5 S6",
		severity.LikelihoodPossible: "S3 S4 S5 S6 S7",
		severity.LikelihoodUnlikely: "S4 S5 S6 S7 S8",
		severity.LikelihoodRare:     "S5 S6 S7 S8 S9",
	}
	for l, want := range rows {
		var got []string
		for i := severity.ImpactDeadly; i <= severity.ImpactNegligible; i++ {
			got = append(got, m.Level(i, l).String())
		}
		assert.Equal(t, want, strings.Join(got, " "), l.String())
	}
	assert.Equal(t, severity.Level(0), m.Level(0, severity.LikelihoodRare))
}

func TestDefaultResponses(t *testing.T) {
	r := severity.DefaultResponses()
	rows := map[severity.ServiceLevel]string{
		severity.ServiceLevelPlatinum: "page 1m,page 5m,page 10m,page 30m,batch 24h,batch 24h,batch 24h,retrospective,retrospective",
		severity.ServiceLevelGold:     "page 5m,page 10m,page 30m,batch 24h,batch 24h,batch 24h,retrospective,retrospective,retrospective",
		severity.ServiceLevelSilver:   "page 10m,page 30m,batch 24h,batch 24h,batch 24h,retrospective,retrospective,retrospective,retrospective",
		severity.ServiceLevelNone:     "batch 24h,batch 24h,batch 24h,batch 24h,retrospective,retrospective,retrospective,retrospective,retrospective",
	}
	for sl, want := range rows {
		var got []string
		for l := severity.S1; l <= severity.S9; l++ {
			got = append(got, r.Response(sl, l).String())
		}
		assert.Equal(t, want, strings.Join(got, ","), sl.String())
	}
	assert.Equal(t, severity.ModeRetrospective, r.Response(severity.ServiceLevelGold, 0).Mode, "an invalid level")
}

func TestParseResponse(t *testing.T) {
	tests := []struct {
		in      string
		want    severity.Response
		wantErr string
	}{
		{in: "page 10m", want: severity.Response{Mode: severity.ModePage, Within: 10 * time.Minute}},
		{in: "Page 90s", want: severity.Response{Mode: severity.ModePage, Within: 90 * time.Second}},
		{in: "batch 24h", want: severity.Response{Mode: severity.ModeBatch, Within: 24 * time.Hour}},
		{in: "batch 1d", want: severity.Response{Mode: severity.ModeBatch, Within: 24 * time.Hour}},
		{in: "batch 24h", want: severity.Response{Mode: severity.ModeBatch, Within: 24 * time.Hour}},
		{in: "retrospective", want: severity.Response{}},
		{in: "—", want: severity.Response{}},
		{in: "page", wantErr: `"page": page needs a duration, as "page 10m"`},
		{in: "page soon", wantErr: `"page soon": invalid duration "soon" (want 90s, 10m, 24h, …)`},
		{in: "page 0s", wantErr: `"page 0s": invalid duration "0s" (want 90s, 10m, 24h, …)`},
		{in: "pager 5m", wantErr: `"pager 5m": unknown mode (want page <duration>, batch <duration> or retrospective)`},
		{in: "retrospective 1h", wantErr: `"retrospective 1h": retrospective takes no duration`},
	}
	for _, tt := range tests {
		r, err := severity.ParseResponse(tt.in)
		if tt.wantErr != "" {
			assert.EqualError(t, err, tt.wantErr)
			continue
		}
		require.NoError(t, err, tt.in)
		assert.Equal(t, tt.want, r, tt.in)
	}
}

func TestFormatDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0: "0s", 24 * time.Hour: "24h", 10 * time.Minute: "10m", 90 * time.Second: "1m30s",
		12 * time.Second: "12s", 36*time.Hour + 30*time.Minute: "36h30m", -time.Minute: "-1m", 1500 * time.Millisecond: "1s500ms",
	} {
		assert.Equal(t, want, severity.FormatDuration(d))
	}
}

func TestDefaultHold(t *testing.T) {
	r := severity.DefaultResponses()
	assert.Equal(t, 12*time.Second, severity.DefaultHold(r.Response(severity.ServiceLevelPlatinum, severity.S1)))
	assert.Equal(t, 2*time.Minute, severity.DefaultHold(r.Response(severity.ServiceLevelPlatinum, severity.S3)))
	assert.Equal(t, 5*time.Minute, severity.DefaultHold(r.Response(severity.ServiceLevelPlatinum, severity.S4)))
	assert.Equal(t, 15*time.Minute, severity.DefaultHold(r.Response(severity.ServiceLevelGold, severity.S5)))
	assert.Zero(t, severity.DefaultHold(r.Response(severity.ServiceLevelNone, severity.S9)))
}

func TestClassify(t *testing.T) {
	p := severity.DefaultPolicy()
	p.Environments = map[string]int{"dev": 2}
	p.Catalog = func(ls model.LabelSet) (severity.ServiceLevel, bool) {
		if ls["service"] == "checkout" {
			return severity.ServiceLevelPlatinum, true
		}
		return 0, false
	}
	ls := func(kv ...string) model.LabelSet {
		out := model.LabelSet{}
		for i := 0; i+1 < len(kv); i += 2 {
			out[model.LabelName(kv[i])] = model.LabelValue(kv[i+1])
		}
		return out
	}
	tests := []struct {
		name     string
		labels   model.LabelSet
		level    severity.Level
		from     string
		service  severity.ServiceLevel
		response string
		hold     time.Duration
		wantErr  string
	}{
		{name: "severity_level as Deckhouse writes it", labels: ls("severity_level", "4", "service_level", "gold"),
			level: severity.S4, from: "severity_level", service: severity.ServiceLevelGold, response: "batch 24h", hold: 15 * time.Minute},
		{name: "S form", labels: ls("severity_level", "S1", "service_level", "platinum"),
			level: severity.S1, from: "severity_level", service: severity.ServiceLevelPlatinum, response: "page 1m", hold: 12 * time.Second},
		{name: "impact and likelihood", labels: ls("impact", "deadly", "likelihood", "possible", "service_level", "silver"),
			level: severity.S3, from: "impact×likelihood", service: severity.ServiceLevelSilver, response: "batch 24h", hold: 15 * time.Minute},
		{name: "Deckhouse's likehood", labels: ls("impact", "Critical", "likehood", "certain"),
			level: severity.S3, from: "impact×likelihood", response: "page 30m", hold: 5 * time.Minute},
		{name: "severity_level wins", labels: ls("severity_level", "2", "impact", "negligible", "likelihood", "rare", "severity", "info"),
			level: severity.S2, from: "severity_level", response: "page 10m", hold: 2 * time.Minute},
		{name: "prometheus severity", labels: ls("severity", "critical", "service_level", "gold"),
			level: severity.S2, from: "severity", service: severity.ServiceLevelGold, response: "page 10m", hold: 2 * time.Minute},
		{name: "prometheus severity in capitals", labels: ls("severity", "WARNING"),
			level: severity.S4, from: "severity", response: "batch 24h", hold: 15 * time.Minute},
		{name: "nothing", labels: ls("alertname", "X"), level: severity.S5, from: "unknown", response: "batch 24h", hold: 15 * time.Minute},
		{name: "dev is two levels milder", labels: ls("severity_level", "1", "env", "dev", "service_level", "platinum"),
			level: severity.S3, from: "severity_level", service: severity.ServiceLevelPlatinum, response: "page 10m", hold: 2 * time.Minute},
		{name: "service from the catalogue", labels: ls("severity", "critical", "service", "checkout"),
			level: severity.S2, from: "severity", service: severity.ServiceLevelPlatinum, response: "page 5m", hold: time.Minute},
		{name: "service label wins over the catalogue", labels: ls("severity", "critical", "service", "checkout", "service_level", "silver"),
			level: severity.S2, from: "severity", service: severity.ServiceLevelSilver, response: "page 30m", hold: 5 * time.Minute},
		{name: "invalid severity_level falls back", labels: ls("severity_level", "S12", "severity", "warning"),
			level: severity.S4, from: "severity", response: "batch 24h", hold: 15 * time.Minute,
			wantErr: `label severity_level: invalid level "S12" (want S1 to S9)`},
		{name: "unknown impact", labels: ls("impact", "huge", "likelihood", "rare"), level: severity.S5, from: "unknown", response: "batch 24h", hold: 15 * time.Minute,
			wantErr: `label impact: unknown impact "huge" (want deadly, catastrophic, critical, marginal, negligible)`},
		{name: "impact alone", labels: ls("impact", "deadly"), level: severity.S5, from: "unknown", response: "batch 24h", hold: 15 * time.Minute,
			wantErr: "label impact: set without likelihood"},
		{name: "unknown prometheus severity", labels: ls("severity", "urgent"), level: severity.S5, from: "unknown", response: "batch 24h", hold: 15 * time.Minute,
			wantErr: `label severity: unknown severity "urgent" (the policy knows critical, error, info, warning)`},
		{name: "unknown service level, catalogue used", labels: ls("severity_level", "1", "service_level", "bronze", "service", "checkout"),
			level: severity.S1, from: "severity_level", service: severity.ServiceLevelPlatinum, response: "page 1m", hold: 12 * time.Second,
			wantErr: `label service_level: unknown service level "bronze" (want platinum, gold, silver or none)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := p.Classify(tt.labels)
			if tt.wantErr == "" {
				require.NoError(t, err)
			} else {
				require.EqualError(t, err, tt.wantErr)
			}
			assert.Equal(t, tt.level, c.Level)
			assert.Equal(t, tt.from, c.From)
			assert.Equal(t, tt.service, c.ServiceLevel)
			assert.Equal(t, tt.response, c.Response.String())
			assert.Equal(t, tt.hold, c.Hold)
		})
	}
}

func TestPolicyRoundTrips(t *testing.T) {
	p := severity.DefaultPolicy()
	p.Environments = map[string]int{"dev": 2, "staging": 1}
	p.Holds = map[severity.Cell]time.Duration{{ServiceLevel: severity.ServiceLevelPlatinum, Level: severity.S1}: 30 * time.Second}

	y, err := yaml.Marshal(p)
	require.NoError(t, err)
	back, err := severity.ParsePolicy(y)
	require.NoError(t, err, "%s", y)
	assert.Equal(t, p, back, "YAML:\n%s", y)

	j, err := json.Marshal(p)
	require.NoError(t, err)
	var fromJSON severity.Policy
	require.NoError(t, json.Unmarshal(j, &fromJSON))
	assert.Equal(t, p, &fromJSON, "JSON: %s", j)

	fromJSONasYAML, err := severity.ParsePolicy(j)
	require.NoError(t, err)
	assert.Equal(t, p, fromJSONasYAML)
}

func TestParsePolicyOverridesSections(t *testing.T) {
	p, err := severity.ParsePolicy([]byte(`
severities: {critical: S1, page: S1, warning: S5}
environments: {dev: 3}
unknown: S7
`))
	require.NoError(t, err)
	assert.Equal(t, severity.S1, p.Severities["page"])
	assert.Equal(t, severity.S6, p.Severities["info"], "a section changes only the keys it names")
	assert.Equal(t, severity.DefaultMatrix(), p.Matrix, "sections not given keep their defaults")
	assert.Equal(t, severity.DefaultResponses(), p.Responses)
	assert.Equal(t, severity.S7, p.Unknown)

	p, err = severity.ParsePolicy([]byte(`
replace: [severities]
severities: {critical: S1, page: S1, warning: S5}
`))
	require.NoError(t, err)
	_, known := p.Severities["info"]
	assert.False(t, known, "a section in replace replaces the default as a whole")
	assert.Equal(t, map[string]severity.Level{"critical": severity.S1, "page": severity.S1, "warning": severity.S5}, p.Severities)
}

func TestParsePolicyErrorsNameTheCell(t *testing.T) {
	row := func(cells ...string) string { return "[" + strings.Join(cells, ", ") + "]" }
	full := func(last string) string {
		return row("page 1m", "page 5m", "page 10m", "page 30m", "batch 24h", "batch 24h", "batch 24h", "retrospective", last)
	}
	tests := []struct {
		name, yaml, want string
	}{
		{"matrix cell", "matrix:\n  certain: {deadly: S1, catastrophic: S2, critical: S3, marginal: S4, negligible: S5}\n  likely: {deadly: S2, catastrophic: S3, critical: S0, marginal: S5, negligible: S6}\n",
			`severity policy: line 3:52: matrix.likely.critical: invalid level "S0" (want S1 to S9)`},
		{"replaced matrix row missing a cell", "replace: [matrix]\nmatrix:\n  certain: {deadly: S1, catastrophic: S2, critical: S3, marginal: S4}\n",
			"severity policy: line 3:12: matrix.certain: missing negligible (matrix is in replace: give every cell)"},
		{"replaced matrix missing a row", "replace: [matrix]\nmatrix:\n  certain: {deadly: S1, catastrophic: S2, critical: S3, marginal: S4, negligible: S5}\n",
			"severity policy: line 3:3: matrix: missing likely (matrix is in replace: give every row)"},
		{"matrix unknown likelihood", "matrix:\n  probable: {deadly: S1}\n",
			`severity policy: line 2:3: matrix.probable: unknown likelihood "probable" (want certain, likely, possible, unlikely, rare)`},
		{"response cell", "responses:\n  platinum: " + full("pager 1h") + "\n",
			`severity policy: line 2:100: responses.platinum.S9: "pager 1h": unknown mode (want page <duration>, batch <duration> or retrospective)`},
		{"response row length", "responses:\n  gold: [page 1m]\n",
			"severity policy: line 2:9: responses.gold: 1 cells, want 9 (S1 to S9), or a mapping of the cells to change, as {S2: page 10m}"},
		{"replaced responses missing a row", "replace: [responses]\nresponses:\n  platinum: " + full("retrospective") + "\n",
			"severity policy: line 3:3: responses: missing gold (responses is in replace: give every row)"},
		{"unknown service level", "responses:\n  bronze: []\n",
			`severity policy: line 2:3: responses.bronze: unknown service level "bronze" (want platinum, gold, silver, none or unclassified)`},
		{"severity value", "severities:\n  critical: high\n",
			`severity policy: line 2:13: severities.critical: invalid level "high" (want S1 to S9)`},
		{"environment too far", "environments: {dev: 12}\n",
			"severity policy: line 1:21: environments.dev: 12 levels is beyond S1..S9"},
		{"hold", "holds:\n  platinum: [1m, 1m, 1m, 1m, 1m, 1m, 1m, 1m, soon]\n",
			`severity policy: line 2:46: holds.platinum.S9: invalid duration "soon" (want 0s, 30s, 5m, …)`},
		{"unknown key", "matrx: {}\n", `severity policy: line 1:1: unknown key "matrx" (want matrix, severities, env_label, environments, unknown, responses, holds, replace)`},
		{"bad env label", "env_label: 1env\n", `severity policy: line 1:12: env_label: invalid label name "1env"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := severity.ParsePolicy([]byte(tt.yaml))
			require.Error(t, err)
			assert.Equal(t, tt.want, err.Error())
		})
	}
	var p severity.Policy
	err := json.Unmarshal([]byte(`{"unknown": "S10"}`), &p)
	assert.EqualError(t, err, `severity policy: unknown: invalid level "S10" (want S1 to S9)`)
	err = json.Unmarshal([]byte(`{"matrx": {}}`), &p)
	assert.EqualError(t, err, `severity policy: json: unknown field "matrx"`)
}

func TestServiceLevelAndImpactText(t *testing.T) {
	for _, s := range []string{"platinum", "Gold", "SILVER", "none"} {
		_, err := severity.ParseServiceLevel(s)
		assert.NoError(t, err)
	}
	var sl severity.ServiceLevel
	require.NoError(t, sl.UnmarshalText([]byte("gold")))
	assert.Equal(t, severity.ServiceLevelGold, sl)
	b, err := severity.ServiceLevelPlatinum.MarshalText()
	require.NoError(t, err)
	assert.Equal(t, "platinum", string(b))
	var l severity.Level
	require.NoError(t, l.UnmarshalText([]byte("S4")))
	assert.Equal(t, severity.S4, l)
	_, err = severity.Level(0).MarshalText()
	assert.Error(t, err)
	i, err := severity.ParseImpact("Marginal")
	require.NoError(t, err)
	assert.Equal(t, "marginal", i.String())
	lk, err := severity.ParseLikelihood("UNLIKELY")
	require.NoError(t, err)
	assert.Equal(t, "unlikely", lk.String())
}

// TestMQLReadsLevelsAlike checks that MQL's severity and service_level
// fields read labels as this package does.
func TestMQLReadsLevelsAlike(t *testing.T) {
	for l := severity.S1; l <= severity.S9; l++ {
		for _, written := range []string{l.String(), strings.ToLower(l.String()), l.String()[1:]} {
			ls := model.LabelSet{severity.LabelLevel: model.LabelValue(written)}
			parsed, err := severity.ParseLevel(written)
			require.NoError(t, err)
			q := mql.MustParse("severity = " + l.String())
			assert.True(t, q.MatchLabels(ls), "severity_level=%s", written)
			assert.Equal(t, l, parsed)
		}
	}
	for sl := severity.ServiceLevelNone; sl <= severity.ServiceLevelPlatinum; sl++ {
		ls := model.LabelSet{severity.LabelServiceLevel: model.LabelValue(sl.String())}
		for other := severity.ServiceLevelNone; other <= severity.ServiceLevelPlatinum; other++ {
			q := mql.MustParse("service_level >= " + other.String())
			assert.Equal(t, sl >= other, q.MatchLabels(ls), "%s >= %s", sl, other)
		}
	}
}
