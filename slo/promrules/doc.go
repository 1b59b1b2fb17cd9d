// Package promrules writes an SLO's Prometheus rules — recording rules of
// its error ratio, its metadata, and multiwindow multi-burn-rate alerts —
// and promtool unit tests of them, and imports SLOs written for Sloth and
// OpenSLO.
//
//	o := &slo.Objective{Name: "availability", Target: 0.995, Labels: model.LabelSet{"service": "techshop"}}
//	sli := promrules.SLI{
//		ErrorQuery: `sum(rate(http_requests_total{code=~"5.."}[{{.window}}]))`,
//		TotalQuery: `sum(rate(http_requests_total[{{.window}}]))`,
//	}
//	f, err := promrules.Generate(o, sli, nil) // the default windows, scaled to 30 days
//	rules, err := f.YAML()                    // for rule_files in prometheus.yml
//
// # SLIs
//
// An [SLI] is PromQL with the placeholder {{.window}} where the range
// goes, as Sloth writes it: the rates of bad (or good) events and of all
// events, or an error ratio. [SLI.Validate] checks its form and balances
// its brackets and quotes; Prometheus, or promtool check rules, has the
// last word on its PromQL.
//
// # Rules
//
// [Generate] writes one rule group, evaluated in order:
//
//   - slo:error_ratio:rate<window> for every window of the alerts
//     (slo.Objective.Windows: the defaults scale with the period) and for
//     the period: rate5m, rate30m, rate1h, rate2h, rate6h, rate1d, rate3d
//     and rate30d for a 30-day objective;
//   - slo:objective:ratio, slo:error_budget:ratio and slo:period:seconds,
//     constants for dashboards;
//   - slo:burn_rate:rate<period>, the error ratio over the period over the
//     budget, and slo:error_budget_remaining:ratio, one minus it: the
//     budget's state now;
//   - an alert per severity, named Options.AlertName, that fires when the
//     error ratio over both windows of any of its windows passes the burn
//     rate times the budget.
//
// The page of a 99.5% objective over 30 days:
//
//	(slo:error_ratio:rate1h{slo="availability"} > (14.4 * 0.005) and slo:error_ratio:rate5m{slo="availability"} > (14.4 * 0.005))
//	or
//	(slo:error_ratio:rate6h{slo="availability"} > (6 * 0.005) and slo:error_ratio:rate30m{slo="availability"} > (6 * 0.005))
//
// Every recorded series carries slo="<name>" and the objective's labels,
// and the alerts select by all of them, so two services' SLOs of the same
// name do not mix. The page alert has severity="critical" and the ticket
// severity="warning", which the severity package's DefaultPolicy reads as
// S2 and S4. The windows and burn rates are annotations (long_window,
// burn), not labels, which would split one alert into several; summary
// and description say what burns, how fast, and what share of the budget
// is gone when the alert fires. Neither alert has a "for" unless
// AlertOptions give one: the short window already asks that the burn go
// on, and alertkit's severity package holds a new alert before it
// notifies.
//
// The error ratio over the period reads every sample of the period, at
// every evaluation: a 30-day rate is fine for Prometheus over a few
// hundred series, but it is the costliest rule of the group. Nothing else
// depends on it: the alerts read only the windows' ratios, so it may be
// dropped from the file, or moved to a group with a longer interval.
//
// # Testing with promtool
//
// [GenerateTest] writes a promtool unit-test file for [Scenario]s:
// input series in promtool's notation, and the alerts that must be firing
// at given times. [TechShopScenarios] are clear-cut ones for
// [TechShopAvailability]. Scenarios are data: [Series.Labels] and
// [Series.Samples] read them for an evaluator in Go. The rules use only
// what Prometheus 2.42 has (keep_firing_for is its newest field).
//
// # Importing Sloth and OpenSLO
//
// [ImportSloth] reads Sloth's prometheus/v1 specs: service becomes the
// service label, the spec's and each SLO's labels the objective's,
// objective (a percentage) the target, sli.events and sli.raw the SLI,
// alerting's name, labels and annotations the options, page_alert and
// ticket_alert each alert's (disable included), and interval.all the
// group's interval. Sloth's periods are its CLI's, so the objective keeps
// the default 30 days. SLI plugins, infoLabels and per-group intervals
// are refused, saying why.
//
// [ImportOpenSLO] reads openslo/v1 documents: each objective of an SLO
// document becomes a Spec (named <slo>-<objective's display name> when
// there are several), with the rolling timeWindow as the period (m, h, d
// and w; 30 days when there is none), target or targetPercent as the
// target, metadata.labels as labels (their names' dots and dashes become
// underscores, lists of values are joined by commas) and spec.service as
// the service label. Its indicator is inline or an SLI document named by
// indicatorRef; its ratioMetric's good or bad, and total, must be
// Prometheus queries — the type given, or that of the DataSource
// document metricSourceRef names. OpenSLO's queries have no window, so
// they are made into rates:
//
//   - a query with {{.window}} is used as written;
//   - a counter's selector, http_requests_total{code!~"5.."}, becomes
//     sum(rate(http_requests_total{code!~"5.."}[{{.window}}]));
//   - the sum of one, sum by (region) (x{…}), becomes the sum of its rate,
//     sum by (region) (rate(x{…}[{{.window}}])).
//
// Any other query is refused, saying why: a range of its own ([5m]) would
// be every window's, and a function of the counter cannot be rated. A raw
// ratio must have {{.window}} (rawType success is one minus it).
// Timeslices and RatioTimeslices budgets, calendar windows, months,
// thresholdMetric, gauges (counter: false; left out, counter means true)
// and sources other than Prometheus are refused. Other kinds of document,
// alertPolicies and metadata.annotations are not read: alertkit alerts
// with its own windows.
//
// Errors of both name the file, the line and the field:
//
//	slos.yml:14: slos[0].objective: 100: want a percentage in (0, 100), such as 99.9
//
// # Concurrency
//
// The functions are pure: they may be called from many goroutines at
// once. A File, an SLI and a Scenario are plain values.
package promrules
