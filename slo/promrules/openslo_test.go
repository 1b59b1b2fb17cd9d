package promrules_test

import (
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alertkit/alertkit/slo"
	"github.com/alertkit/alertkit/slo/promrules"
)

func TestImportOpenSLO(t *testing.T) {
	specs, err := promrules.ImportOpenSLO(read(t, "openslo/techshop.yaml"), "techshop.yaml")
	require.NoError(t, err)
	require.Len(t, specs, 4)
	assert.Equal(t, promrules.Spec{
		Objective: slo.Objective{
			Name: "availability", Target: 0.995, Period: 28 * day,
			Description: "Requests answered without a server error",
			Labels:      model.LabelSet{"team": "shop-sre", "cost_centre": "retail", "tags": "web,checkout", "service": "techshop"},
		},
		SLI: promrules.SLI{
			ErrorQuery: `sum(rate(http_requests_total{job="techshop", code=~"5.."}[{{.window}}]))`,
			TotalQuery: `sum(rate(http_requests_total{job="techshop"}[{{.window}}]))`,
		},
	}, specs[0])

	latencySLI := promrules.SLI{
		GoodQuery:  `sum by (region) (rate(http_request_duration_seconds_bucket{job="techshop", le="0.3"}[{{.window}}]))`,
		TotalQuery: `sum by (region) (rate(http_request_duration_seconds_count{job="techshop"}[{{.window}}]))`,
	}
	assert.Equal(t, promrules.Spec{
		Objective: slo.Objective{Name: "latency-fast", Target: 0.95, Period: 28 * day, Labels: model.LabelSet{"service": "techshop"}},
		SLI:       latencySLI,
	}, specs[1])
	assert.Equal(t, "latency-mostly-fast", specs[2].Objective.Name)
	assert.Equal(t, 0.975, specs[2].Objective.Target)
	assert.Equal(t, latencySLI, specs[2].SLI)

	assert.Equal(t, promrules.Spec{
		Objective: slo.Objective{Name: "search-success", Target: 0.99, Period: 7 * day, Labels: model.LabelSet{"service": "search"}},
		SLI:       promrules.SLI{ErrorRatioQuery: "1 - (sum(rate(search_ok_total[{{.window}}])) / sum(rate(search_total[{{.window}}])))"},
	}, specs[3])

	for _, s := range specs {
		_, err := s.Generate()
		require.NoError(t, err, s.Objective.Name)
	}
}

// A list of documents, as OpenSLO's own examples are written, reads as a
// stream of them.
func TestImportOpenSLOList(t *testing.T) {
	specs, err := promrules.ImportOpenSLO([]byte(`
- apiVersion: openslo/v1
  kind: SLO
  metadata:
    name: web
  spec:
    indicatorRef: web-requests
    budgetingMethod: Occurrences
    objectives:
      - targetPercent: 99.9
- apiVersion: openslo/v1
  kind: SLI
  metadata:
    name: web-requests
  spec:
    ratioMetric:
      good:
        metricSource:
          type: Prometheus
          spec:
            query: nginx_requests_total{status!~"5.."}
      total:
        metricSource:
          type: Prometheus
          spec:
            query: 'sum without (status) (nginx_requests_total)'
`), "list.yaml")
	require.NoError(t, err)
	require.Len(t, specs, 1)
	assert.Equal(t, promrules.Spec{
		Objective: slo.Objective{Name: "web", Target: 0.999, Labels: model.LabelSet{}},
		SLI: promrules.SLI{
			GoodQuery:  `sum(rate(nginx_requests_total{status!~"5.."}[{{.window}}]))`,
			TotalQuery: `sum without (status) (rate(nginx_requests_total[{{.window}}]))`,
		},
	}, specs[0])
	assert.Equal(t, time.Duration(0), specs[0].Objective.Period, "no timeWindow: the default period")
}

func TestImportOpenSLOErrors(t *testing.T) {
	// doc writes an SLO document whose spec has the given lines (indented
	// by two spaces), from line 5.
	doc := func(spec ...string) string {
		return "apiVersion: openslo/v1\nkind: SLO\nmetadata:\n  name: shop\nspec:\n  " + strings.Join(spec, "\n  ") + "\n"
	}
	indicator := []string{
		"indicator:",
		"  metadata: {name: shop-requests}",
		"  spec:",
		"    ratioMetric:",
		"      counter: true",
		"      bad:",
		"        metricSource: {type: Prometheus, spec: {query: 'requests_total{code=~\"5..\"}'}}",
		"      total:",
		"        metricSource: {type: Prometheus, spec: {query: requests_total}}",
	}
	// ratio writes an SLO whose indicator's ratioMetric has the given lines, from line 9.
	ratio := func(lines ...string) string {
		return doc(append([]string{"budgetingMethod: Occurrences", "objectives: [{target: 0.99}]", "indicator:", "  spec:", "    ratioMetric:"},
			func() []string {
				var out []string
				for _, l := range lines {
					out = append(out, "      "+l)
				}
				return out
			}()...)...)
	}
	good := "good: {metricSource: {type: Prometheus, spec: {query: ok_total}}}"
	total := "total: {metricSource: {type: Prometheus, spec: {query: all_total}}}"
	ok := append([]string{"budgetingMethod: Occurrences"}, indicator...)
	for _, tt := range []struct {
		name, yaml, want string
	}{
		{"syntax", "apiVersion: openslo/v1\nkind: [SLO\n", "slo.yaml:1: did not find expected ',' or ']'"},
		{"no SLO", "apiVersion: openslo/v1\nkind: Service\nmetadata: {name: shop}\n", "slo.yaml: no SLO document"},
		{"version", "apiVersion: openslo/v1alpha\nkind: SLO\n", `slo.yaml:1: apiVersion: "openslo/v1alpha": want openslo/v1`},
		{"no version", "kind: SLO\n", "slo.yaml:1: apiVersion: missing (want openslo/v1)"},
		{"kind", "apiVersion: openslo/v1\nkind: Budget\n", `slo.yaml:2: kind: "Budget": want one of SLO, SLI, DataSource, Service, AlertPolicy, AlertCondition, AlertNotificationTarget`},
		{"no name", "apiVersion: openslo/v1\nkind: SLO\nmetadata: {}\n", "slo.yaml:3: metadata.name: missing"},
		{"same name", doc(append(ok, "objectives: [{target: 0.99}]")...) + "---\n" + doc(append(ok, "objectives: [{target: 0.9}]")...),
			`slo.yaml:21: metadata.name: SLO "shop" is defined on line 1 already`},
		{"unknown field", doc("owner: me"), "slo.yaml:6: SLO shop: spec.owner: unknown field (want description, service, indicator, indicatorRef, timeWindow, budgetingMethod, objectives, alertPolicies)"},
		{"timeslices", doc(append([]string{"budgetingMethod: Timeslices"}, indicator...)...),
			"slo.yaml:6: SLO shop: spec.budgetingMethod: Timeslices: not imported: alertkit's rules budget events (Occurrences), not good time slices"},
		{"ratio timeslices", doc("budgetingMethod: RatioTimeslices"),
			"slo.yaml:6: SLO shop: spec.budgetingMethod: RatioTimeslices: not imported: alertkit's rules budget events (Occurrences), not good time slices"},
		{"no budgeting method", doc(indicator...), "slo.yaml:5: SLO shop: spec.budgetingMethod: missing (want Occurrences)"},
		{"calendar", doc(append(ok, "timeWindow:", "  - duration: 1M", "    calendar: {startTime: 2026-01-01 00:00:00, timeZone: UTC}")...),
			"slo.yaml:18: SLO shop: spec.timeWindow[0]: calendar-aligned windows are not imported: alertkit's rules compute rolling windows (isRolling: true)"},
		{"not rolling", doc(append(ok, "timeWindow: [{duration: 28d, isRolling: false}]")...),
			"slo.yaml:16: SLO shop: spec.timeWindow[0]: calendar-aligned windows are not imported: alertkit's rules compute rolling windows (isRolling: true)"},
		{"month", doc(append(ok, "timeWindow: [{duration: 1M, isRolling: true}]")...),
			`slo.yaml:16: SLO shop: spec.timeWindow[0].duration: "1M": months, quarters and years have no fixed length: give days or weeks, such as 30d or 4w`},
		{"duration", doc(append(ok, "timeWindow: [{duration: 30 days, isRolling: true}]")...),
			`slo.yaml:16: SLO shop: spec.timeWindow[0].duration: "30 days": want a number and a unit, such as 28d or 4w`},
		{"two windows", doc(append(ok, "timeWindow: [{duration: 28d}, {duration: 7d}]")...),
			"slo.yaml:16: SLO shop: spec.timeWindow: 2 windows: want exactly one"},
		{"no indicator", doc("budgetingMethod: Occurrences"), "slo.yaml:5: SLO shop: spec: want indicator or indicatorRef"},
		{"missing ref", doc("budgetingMethod: Occurrences", "indicatorRef: shop-requests"),
			`slo.yaml:7: SLO shop: spec.indicatorRef: no SLI document named "shop-requests" in slo.yaml`},
		{"no objectives", doc(ok...), "slo.yaml:5: SLO shop: spec.objectives: missing"},
		{"target and percent", doc(append(ok, "objectives:", "  - target: 0.99", "    targetPercent: 99")...),
			"slo.yaml:18: SLO shop: spec.objectives[0]: target and targetPercent: give one of them"},
		{"target as percent", doc(append(ok, "objectives: [{target: 99.5}]")...),
			"slo.yaml:16: SLO shop: spec.objectives[0].target: 99.5: want a share in (0, 1), such as 0.999"},
		{"no target", doc(append(ok, "objectives: [{displayName: Good}]")...),
			"slo.yaml:16: SLO shop: spec.objectives[0]: want target or targetPercent"},
		{"threshold objective", doc(append(ok, "objectives: [{op: lte, value: 200, target: 0.99}]")...),
			"slo.yaml:16: SLO shop: spec.objectives[0].op: not imported: thresholds of a thresholdMetric are not events; alertkit imports ratioMetric SLIs"},
		{"time slices objective", doc(append(ok, "objectives: [{target: 0.99, timeSliceTarget: 0.9}]")...),
			"slo.yaml:16: SLO shop: spec.objectives[0].timeSliceTarget: not imported: alertkit's rules budget events (Occurrences), not time slices"},
		{"same objective names", doc(append(ok, "objectives: [{displayName: Good, target: 0.99}, {displayName: good, target: 0.9}]")...),
			`slo.yaml:16: SLO shop: spec.objectives[1]: its name "shop-good" is that of the objective on line 16 too`},
		{"label collision", "apiVersion: openslo/v1\nkind: SLO\nmetadata:\n  name: shop\n  labels:\n    cost-centre: a\n    cost.centre: b\nspec: {}\n",
			"slo.yaml:7: SLO shop: metadata.labels.cost.centre: is label cost_centre, as cost-centre is"},
		{"label list", "apiVersion: openslo/v1\nkind: SLO\nmetadata:\n  name: shop\n  labels:\n    team: [a, {b: c}]\nspec: {}\n",
			"slo.yaml:6: SLO shop: metadata.labels.team[1]: want a string"},
		{"threshold metric", doc("budgetingMethod: Occurrences", "indicator:", "  spec:", "    thresholdMetric:", "      metricSource: {type: Prometheus, spec: {query: up}}"),
			"slo.yaml:9: SLO shop: spec.indicator.spec.thresholdMetric: not imported: alertkit's rules need a ratio of events (ratioMetric)"},
		{"gauge", ratio("counter: false", good, total),
			"slo.yaml:11: SLO shop: spec.indicator.spec.ratioMetric.counter: false: not imported: alertkit takes rates of counters over its windows; a gauge's samples cannot be summed into events"},
		{"good and bad", ratio(good, "bad: {metricSource: {type: Prometheus, spec: {query: bad_total}}}", total),
			"slo.yaml:12: SLO shop: spec.indicator.spec.ratioMetric: good and bad: give one of them"},
		{"no total", ratio(good), "slo.yaml:11: SLO shop: spec.indicator.spec.ratioMetric.total: missing"},
		{"datadog", ratio("good: {metricSource: {type: Datadog, spec: {query: 'sum:requests{ok}.as_count()'}}}", total),
			`slo.yaml:11: SLO shop: spec.indicator.spec.ratioMetric.good.metricSource.type: "Datadog": not imported: alertkit writes Prometheus rules, from Prometheus queries`},
		{"no type", ratio("good: {metricSource: {spec: {query: ok_total}}}", total),
			"slo.yaml:11: SLO shop: spec.indicator.spec.ratioMetric.good.metricSource.type: missing, and no metricSourceRef to a DataSource (want Prometheus)"},
		{"unknown data source", ratio("good: {metricSource: {metricSourceRef: prom, spec: {query: ok_total}}}", total),
			`slo.yaml:11: SLO shop: spec.indicator.spec.ratioMetric.good.metricSource.metricSourceRef: no DataSource document named "prom" in slo.yaml, and no type (want Prometheus)`},
		{"data source type", ratio("good: {metricSource: {metricSourceRef: prom, spec: {query: ok_total}}}", total) +
			"---\napiVersion: openslo/v1\nkind: DataSource\nmetadata: {name: prom}\nspec:\n  type: CloudWatch\n",
			`slo.yaml:18: SLO shop: spec.indicator.spec.ratioMetric.good.metricSource.type: "CloudWatch": not imported: alertkit writes Prometheus rules, from Prometheus queries`},
		{"spec field", ratio("good: {metricSource: {type: Prometheus, spec: {promql: ok_total}}}", total),
			"slo.yaml:11: SLO shop: spec.indicator.spec.ratioMetric.good.metricSource.spec.promql: unknown field (want query)"},
		{"own range", ratio("good: {metricSource: {type: Prometheus, spec: {query: 'sum(rate(ok_total[5m]))'}}}", total),
			"slo.yaml:11: SLO shop: spec.indicator.spec.ratioMetric.good.metricSource.spec.query: offset 17: the query has its own range; alertkit needs one per alerting window: write it as [{{.window}}], as in sum(rate(x[{{.window}}]))"},
		{"not a counter selector", ratio("good: {metricSource: {type: Prometheus, spec: {query: 'ok_total / 2'}}}", total),
			"slo.yaml:11: SLO shop: spec.indicator.spec.ratioMetric.good.metricSource.spec.query: alertkit can make a rate over each window only of a counter's selector, such as http_requests_total{code!~\"5..\"}, or the sum of one; for other queries write the range as [{{.window}}]"},
		{"unbalanced", ratio("good: {metricSource: {type: Prometheus, spec: {query: 'sum(ok_total'}}}", total),
			"slo.yaml:11: SLO shop: spec.indicator.spec.ratioMetric.good.metricSource.spec.query: offset 3: \"(\" is never closed"},
		{"raw without window", ratio("rawType: failure", "raw: {metricSource: {type: Prometheus, spec: {query: error_ratio}}}"),
			"slo.yaml:12: SLO shop: spec.indicator.spec.ratioMetric.raw.metricSource.spec.query: a precomputed ratio cannot be summed over alertkit's windows: write it with [{{.window}}] where the range goes, as a ratio of rates"},
		{"raw type", ratio("rawType: ratio", "raw: {metricSource: {type: Prometheus, spec: {query: 'avg_over_time(error_ratio[{{.window}}])'}}}"),
			`slo.yaml:11: SLO shop: spec.indicator.spec.ratioMetric.rawType: "ratio": want success or failure`},
		{"SLI document", doc("budgetingMethod: Occurrences", "indicatorRef: shop-requests", "objectives: [{target: 0.99}]") +
			"---\napiVersion: openslo/v1\nkind: SLI\nmetadata: {name: shop-requests}\nspec:\n  ratioMetric:\n    " + good + "\n    total: {metricSource: {type: Prometheus, spec: {query: 'rate(all_total[1m])'}}}\n",
			"slo.yaml:16: SLI shop-requests: spec.ratioMetric.total.metricSource.spec.query: offset 14: the query has its own range; alertkit needs one per alerting window: write it as [{{.window}}], as in sum(rate(x[{{.window}}]))"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			specs, err := promrules.ImportOpenSLO([]byte(tt.yaml), "slo.yaml")
			assert.EqualError(t, err, tt.want)
			assert.Nil(t, specs)
		})
	}
}
