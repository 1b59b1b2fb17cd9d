package promrules_test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	goldenfile "github.com/alertkit/alertkit/internal/golden"
	"github.com/alertkit/alertkit/slo"
	"github.com/alertkit/alertkit/slo/promrules"
)

const day = 24 * time.Hour

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	goldenfile.Check(t, filepath.Join("testdata", name), got)
}

// techShopLatency is TechShop's latency objective: 95% of requests served
// within 300 ms over 30 days.
func techShopLatency() (*slo.Objective, promrules.SLI) {
	return &slo.Objective{Name: "latency", Target: 0.95, Description: "requests served within 300 ms", Labels: model.LabelSet{"service": "techshop"}},
		promrules.SLI{
			GoodQuery:  `sum(rate(http_request_duration_seconds_bucket{le="0.3"}[{{.window}}]))`,
			TotalQuery: `sum(rate(http_request_duration_seconds_count[{{.window}}]))`,
		}
}

func generate(t *testing.T, o *slo.Objective, sli promrules.SLI, opts *promrules.Options) []byte {
	t.Helper()
	f, err := promrules.Generate(o, sli, opts)
	require.NoError(t, err)
	b, err := f.YAML()
	require.NoError(t, err)
	return b
}

func TestGenerateGolden(t *testing.T) {
	o, sli := promrules.TechShopAvailability()
	golden(t, "availability.rules.yml", generate(t, o, sli, nil))
	o, sli = techShopLatency()
	golden(t, "latency.rules.yml", generate(t, o, sli, &promrules.Options{
		Interval:   30 * time.Second,
		RunbookURL: "https://runbooks.example.com/techshop/latency",
		Ticket:     promrules.AlertOptions{For: 15 * time.Minute, KeepFiringFor: 10 * time.Minute},
	}))
}

func TestGenerateRules(t *testing.T) {
	o, sli := promrules.TechShopAvailability()
	f, err := promrules.Generate(o, sli, nil)
	require.NoError(t, err)
	require.Len(t, f.Groups, 1)
	g := f.Groups[0]
	assert.Equal(t, "slo-availability", g.Name)
	var records, alerts []string
	for _, r := range g.Rules {
		if r.Record != "" {
			records = append(records, r.Record)
			assert.Equal(t, map[string]string{"slo": "availability", "service": "techshop"}, r.Labels, r.Record)
			continue
		}
		alerts = append(alerts, r.Labels["severity"])
		assert.Equal(t, "AvailabilityBudgetBurn", r.Alert)
		assert.NotContains(t, r.Labels, "long_window")
		assert.NotContains(t, r.Labels, "burn")
	}
	assert.Equal(t, []string{
		"slo:error_ratio:rate5m", "slo:error_ratio:rate30m", "slo:error_ratio:rate1h", "slo:error_ratio:rate2h",
		"slo:error_ratio:rate6h", "slo:error_ratio:rate1d", "slo:error_ratio:rate3d", "slo:error_ratio:rate30d",
		"slo:objective:ratio", "slo:error_budget:ratio", "slo:period:seconds", "slo:burn_rate:rate30d", "slo:error_budget_remaining:ratio",
	}, records)
	assert.Equal(t, []string{"critical", "warning"}, alerts)
}

// The windows scale with the period: 7 days keeps the budget shares, so
// the burn rates fall.
func TestGenerateSevenDays(t *testing.T) {
	o := &slo.Objective{Name: "checkout", Target: 0.999, Period: 7 * day}
	f, err := promrules.Generate(o, promrules.SLI{ErrorQuery: errors5xx, TotalQuery: requests}, nil)
	require.NoError(t, err)
	rules := f.Groups[0].Rules
	page := rules[len(rules)-2]
	assert.Equal(t, `(slo:error_ratio:rate1h{slo="checkout"} > (3.36 * 0.001) and slo:error_ratio:rate5m{slo="checkout"} > (3.36 * 0.001))`+"\nor\n"+
		`(slo:error_ratio:rate6h{slo="checkout"} > (1.4 * 0.001) and slo:error_ratio:rate30m{slo="checkout"} > (1.4 * 0.001))`, page.Expr)
	assert.Equal(t, "3.36, 1.4", page.Annotations["burn"])
	assert.Equal(t, "SLO checkout is burning its error budget fast: 1.4× or more, so that it lasts 5d or less", page.Annotations["summary"])
	assert.Contains(t, page.Annotations["description"], "at 3.36× or more over 1h and 5m (2% of it gone in 1h)")
	ticket := rules[len(rules)-1]
	assert.Contains(t, ticket.Expr, `slo:error_ratio:rate3d{slo="checkout"} > (0.233333333333 * 0.001)`)
	assert.Equal(t, "slo:burn_rate:rate7d", rules[len(rules)-4].Record)
	assert.Equal(t, "vector(604800)", rules[len(rules)-5].Expr)
}

func TestGenerateOptions(t *testing.T) {
	o, sli := promrules.TechShopAvailability()
	f, err := promrules.Generate(o, sli, &promrules.Options{
		Windows:     []slo.Window{{Severity: slo.SeverityPage, Long: 2 * time.Hour, BudgetShare: 0.04}, {Severity: slo.SeverityTicket, Long: 2 * day, Short: 4 * time.Hour, Burn: 1.5}},
		GroupName:   "techshop-slos",
		Interval:    time.Minute,
		AlertName:   "TechShopAvailability",
		Labels:      model.LabelSet{"team": "shop-sre"},
		Annotations: model.LabelSet{"dashboard": "https://grafana.example.com/d/slo"},
		RunbookURL:  "https://runbooks.example.com/availability",
		Page:        promrules.AlertOptions{Labels: model.LabelSet{"severity": "page", "route": "oncall"}, Annotations: model.LabelSet{"summary": "TechShop is failing"}},
		Ticket:      promrules.AlertOptions{Disable: true},
	})
	require.NoError(t, err)
	g := f.Groups[0]
	assert.Equal(t, "techshop-slos", g.Name)
	assert.Equal(t, model.Duration(time.Minute), g.Interval)
	var records []string
	for _, r := range g.Rules[:5] {
		records = append(records, r.Record)
	}
	assert.Equal(t, []string{"slo:error_ratio:rate10m", "slo:error_ratio:rate2h", "slo:error_ratio:rate4h", "slo:error_ratio:rate2d", "slo:error_ratio:rate30d"}, records)
	last := g.Rules[len(g.Rules)-1]
	assert.Equal(t, "TechShopAvailability", last.Alert, "the ticket is disabled: the page is last")
	assert.Equal(t, map[string]string{"severity": "page", "route": "oncall", "team": "shop-sre", "slo": "availability", "service": "techshop"}, last.Labels)
	assert.Equal(t, "TechShop is failing", last.Annotations["summary"])
	assert.Equal(t, "https://runbooks.example.com/availability", last.Annotations["runbook_url"])
	assert.Equal(t, "https://grafana.example.com/d/slo", last.Annotations["dashboard"])
	assert.Equal(t, "14.4", last.Annotations["burn"])
	assert.Equal(t, "2h", last.Annotations["long_window"])
}

func TestGenerateErrors(t *testing.T) {
	o, sli := promrules.TechShopAvailability()
	for _, tt := range []struct {
		name string
		o    *slo.Objective
		sli  promrules.SLI
		opts *promrules.Options
		want string
	}{
		{name: "no objective", sli: sli, want: "promrules: no objective"},
		{name: "bad objective and sli", o: &slo.Objective{Name: "x", Target: 99.5}, sli: promrules.SLI{TotalQuery: requests},
			want: "slo x: target 99.5: want a share in (0, 1), such as 0.995 for 99.5%\nslo x: sli: total_query needs error_query or good_query"},
		{name: "objective labels", o: &slo.Objective{Name: "x", Target: 0.99, Labels: model.LabelSet{"slo": "y", "cost.centre": "z", "severity": "page"}}, sli: sli,
			want: "slo x: labels: invalid name \"cost.centre\": want letters, digits and underscores, not starting with a digit or __\n" +
				"slo x: labels: severity: set by alertkit\nslo x: labels: slo: set by alertkit"},
		{name: "options", o: o, sli: sli, opts: &promrules.Options{
			AlertName: "Availability Burn", Interval: -time.Second,
			Labels:      model.LabelSet{"severity": "critical"},
			Annotations: model.LabelSet{"runbook-url": "x"},
			Page:        promrules.AlertOptions{For: time.Nanosecond, Labels: model.LabelSet{"slo": "other"}},
		}, want: "slo availability: options: alert name \"Availability Burn\": want a metric name such as AvailabilityBudgetBurn\n" +
			"slo availability: options: interval -1s: want a positive whole number of milliseconds\n" +
			"slo availability: options: labels: severity: set by alertkit\n" +
			"slo availability: options: annotations: invalid name \"runbook-url\": want letters, digits and underscores, not starting with a digit or __\n" +
			"slo availability: options: page: labels: slo: set by alertkit\n" +
			"slo availability: options: page: for 1ns: want 0 or a positive whole number of milliseconds"},
		{name: "impossible window", o: &slo.Objective{Name: "batch", Target: 0.9}, sli: sli,
			want: "slo batch: window 1: page at 14.4× over 1h and 5m can never fire: a 90% objective burns at most 10× (when every event fails), so its burn rate never reaches 14.4×; lower the budget share, or lengthen the window"},
		{name: "window not in PromQL", o: o, sli: sli, opts: &promrules.Options{Windows: []slo.Window{{Severity: slo.SeverityPage, Long: time.Hour + time.Microsecond, Burn: 10}}},
			want: "slo availability: window 1: long window 1h0m0.000001s: PromQL writes only whole milliseconds"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := promrules.Generate(tt.o, tt.sli, tt.opts)
			assert.EqualError(t, err, tt.want)
		})
	}
}

func TestDefaultAlertName(t *testing.T) {
	for in, want := range map[string]string{
		"availability":          "AvailabilityBudgetBurn",
		"checkout-availability": "CheckoutAvailabilityBudgetBurn",
		"api.p99_latency":       "ApiP99LatencyBudgetBurn",
		"99th-latency":          "SLO99thLatencyBudgetBurn",
		"доступность":           "SLOBudgetBurn",
		"":                      "SLOBudgetBurn",
	} {
		got := promrules.DefaultAlertName(in)
		assert.Equal(t, want, got, in)
		assert.True(t, model.LegacyValidation.IsValidMetricName(got), got)
	}
}

func TestYAMLIsPlain(t *testing.T) {
	o, sli := promrules.TechShopAvailability()
	b := generate(t, o, sli, nil)
	assert.True(t, strings.HasPrefix(string(b), "groups:\n  - name: slo-availability\n    rules:\n"), string(b[:80]))
	assert.NotContains(t, string(b), "for:", "no for by default")
}
