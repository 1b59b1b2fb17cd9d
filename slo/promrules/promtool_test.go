package promrules_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alertkit/alertkit/internal/testenv"
	"github.com/alertkit/alertkit/slo"
	"github.com/alertkit/alertkit/slo/promrules"
)

// promtool finds the real promtool (Debian's prometheus package has it;
// ALERTKIT_PROMTOOL may name another). The rules use only what Prometheus
// 2.42 knows.
func promtool(t *testing.T) string {
	t.Helper()
	return testenv.Command(t, "ALERTKIT_PROMTOOL", "apt-get install prometheus", "promtool")
}

func runPromtool(t *testing.T, bin, dir string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// The rules of several objectives, and of every imported spec, are rules
// promtool accepts.
func TestPromtoolCheckRules(t *testing.T) {
	bin := promtool(t)
	dir := t.TempDir()
	type objective struct {
		name string
		o    *slo.Objective
		sli  promrules.SLI
		opts *promrules.Options
	}
	avail, availSLI := promrules.TechShopAvailability()
	latency, latencySLI := techShopLatency()
	objectives := []objective{
		{"techshop-availability", avail, availSLI, nil},
		{"techshop-latency", latency, latencySLI, &promrules.Options{
			Interval: 30 * time.Second, RunbookURL: "https://runbooks.example.com/latency",
			Page:   promrules.AlertOptions{KeepFiringFor: 5 * time.Minute},
			Ticket: promrules.AlertOptions{For: 15 * time.Minute, KeepFiringFor: time.Hour},
		}},
		{"checkout-7d", &slo.Objective{Name: "checkout", Target: 0.999, Period: 7 * day, Labels: model.LabelSet{"service": "checkout", "team": "payments"}},
			promrules.SLI{ErrorRatioQuery: `sum(rate(checkout_failures_total[{{.window}}])) / sum(rate(checkout_attempts_total[{{.window}}]))`}, nil},
		{"batch-90", &slo.Objective{Name: "batch-jobs", Target: 0.9},
			promrules.SLI{GoodQuery: `sum by (queue) (rate(jobs_succeeded_total[{{.window}}]))`, TotalQuery: `sum by (queue) (rate(jobs_total[{{.window}}]))`},
			&promrules.Options{Windows: []slo.Window{
				{Severity: slo.SeverityPage, Long: 2 * time.Hour, BudgetShare: 0.02},
				{Severity: slo.SeverityPage, Long: 6 * time.Hour, BudgetShare: 0.05},
				{Severity: slo.SeverityTicket, Long: day, BudgetShare: 0.1},
				{Severity: slo.SeverityTicket, Long: 3 * day, BudgetShare: 0.1},
			}}},
	}
	for _, file := range []string{"sloth/techshop.yml"} {
		specs, err := promrules.ImportSloth(read(t, file), file)
		require.NoError(t, err)
		for _, s := range specs {
			objectives = append(objectives, objective{"sloth-" + string(s.Objective.Labels["service"]) + "-" + s.Objective.Name, &s.Objective, s.SLI, &s.Options})
		}
	}
	specs, err := promrules.ImportOpenSLO(read(t, "openslo/techshop.yaml"), "openslo/techshop.yaml")
	require.NoError(t, err)
	for _, s := range specs {
		objectives = append(objectives, objective{"openslo-" + s.Objective.Name, &s.Objective, s.SLI, &s.Options})
	}
	var files []string
	for _, o := range objectives {
		path := filepath.Join(dir, o.name+".rules.yml")
		require.NoError(t, os.WriteFile(path, generate(t, o.o, o.sli, o.opts), 0o644), o.name)
		files = append(files, path)
	}
	out, err := runPromtool(t, bin, dir, append([]string{"check", "rules"}, files...)...)
	require.NoError(t, err, out)
	assert.Contains(t, out, "SUCCESS: 15 rules found")
	t.Logf("promtool check rules: %d files", len(files))
}

// promtool runs the TechShop scenarios against the rules, and a
// per-region one: an outage of one region pages for that region only.
func TestPromtoolScenarios(t *testing.T) {
	bin := promtool(t)
	o, sli := promrules.TechShopAvailability()
	odd := *o
	odd.Description = `counts {{ $value }} and "quotes" }}`
	regional := &slo.Objective{Name: "api", Target: 0.999, Period: 7 * day}
	regionalSLI := promrules.SLI{
		ErrorQuery: `sum by (region) (rate(api_requests_total{code=~"5.."}[{{.window}}]))`,
		TotalQuery: `sum by (region) (rate(api_requests_total[{{.window}}]))`,
	}
	regionalScenario := promrules.Scenario{
		Name: "one region down",
		Series: []promrules.Series{
			{Metric: `api_requests_total{region="eu", code="200"}`, Values: "0+50x60 3000x30"},
			{Metric: `api_requests_total{region="eu", code="503"}`, Values: "0x60 50+50x29"},
			{Metric: `api_requests_total{region="us", code="200"}`, Values: "0+50x90"},
			{Metric: `api_requests_total{region="us", code="503"}`, Values: "0x90"},
		},
		Expect: []promrules.Expectation{
			{At: time.Hour},
			{At: 80 * time.Minute, Alerts: []promrules.ExpectedAlert{
				{Severity: slo.SeverityPage, Labels: model.LabelSet{"region": "eu"}},
				{Severity: slo.SeverityTicket, Labels: model.LabelSet{"region": "eu"}},
			}},
		},
	}
	for _, tt := range []struct {
		name      string
		o         *slo.Objective
		sli       promrules.SLI
		opts      *promrules.Options
		scenarios []promrules.Scenario
	}{
		{"techshop", o, sli, nil, promrules.TechShopScenarios()},
		{"template-like description", &odd, sli, &promrules.Options{Annotations: model.LabelSet{"team": "shop-sre"}}, promrules.TechShopScenarios()[1:2]},
		{"regional", regional, regionalSLI, &promrules.Options{Interval: time.Minute, RuleFile: "api.yml"}, []promrules.Scenario{regionalScenario}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			test, err := promrules.GenerateTest(tt.o, tt.sli, tt.opts, tt.scenarios...)
			require.NoError(t, err)
			rule := tt.o.Name + ".rules.yml"
			if tt.opts != nil && tt.opts.RuleFile != "" {
				rule = tt.opts.RuleFile
			}
			require.NoError(t, os.WriteFile(filepath.Join(dir, rule), generate(t, tt.o, tt.sli, tt.opts), 0o644))
			require.NoError(t, os.WriteFile(filepath.Join(dir, "test.yml"), test, 0o644))
			out, err := runPromtool(t, bin, dir, "test", "rules", "test.yml")
			require.NoError(t, err, out)
			assert.Contains(t, out, "SUCCESS")
		})
	}
}

// A wrong expectation fails promtool: the scenarios test something.
func TestPromtoolCatchesWrongExpectations(t *testing.T) {
	bin := promtool(t)
	o, sli := promrules.TechShopAvailability()
	for _, tt := range []struct {
		name string
		sc   promrules.Scenario
	}{
		{"a page where all is good", promrules.Scenario{Name: "wrong",
			Series: []promrules.Series{{Metric: `http_requests_total{code="200"}`, Values: "0+100x60"}},
			Expect: []promrules.Expectation{{At: time.Hour, Alerts: []promrules.ExpectedAlert{{Severity: slo.SeverityPage}}}}}},
		{"no page in an outage", promrules.Scenario{Name: "wrong",
			Series: []promrules.Series{{Metric: `http_requests_total{code="200"}`, Values: "0+100x60 6000x30"}, {Metric: `http_requests_total{code="500"}`, Values: "0x60 100+100x30"}},
			Expect: []promrules.Expectation{{At: 80 * time.Minute, Alerts: []promrules.ExpectedAlert{{Severity: slo.SeverityTicket}}}}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			test, err := promrules.GenerateTest(o, sli, nil, tt.sc)
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(filepath.Join(dir, "availability.rules.yml"), generate(t, o, sli, nil), 0o644))
			require.NoError(t, os.WriteFile(filepath.Join(dir, "test.yml"), test, 0o644))
			out, err := runPromtool(t, bin, dir, "test", "rules", "test.yml")
			require.Error(t, err, out)
			assert.Contains(t, out, "FAILED")
		})
	}
}

func read(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return b
}
