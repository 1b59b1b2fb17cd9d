// Package slo is service level objectives as code: the error budget and
// burn-rate math, multiwindow multi-burn-rate alerting scaled to the
// objective's period, and an in-process evaluator of burn-rate and
// threshold rules that produces alerts, for Go services that have no
// Prometheus.
//
//	o := &slo.Objective{Name: "availability", Target: 0.995} // 30 days
//	o.BurnRate(0.02)           // 4: a 2% error ratio spends the budget 4× too fast
//	o.TimeToExhaustion(4)      // 7.5 days
//	windows, err := o.Windows(nil) // page at 14.4× over 1h/5m, 6× over 6h/30m, …
//
// # Windows
//
// [DefaultWindows] are the SRE Workbook's conditions, defined by the share
// of the budget an alert stands for, so that over any period they mean the
// same: over 30 days they are its burn rates 14.4, 6, 3 and 1. A window
// whose burn rate the objective can never reach — a 90% objective burns at
// most 10× — is refused, with why.
//
// # Evaluation in process
//
// For a service without Prometheus: [Events] counts good and total events
// over rolling windows, and [Gauge] keeps samples of any value, both in
// bounded memory (60 slots a window by default, so a 3-day window costs no
// more than a 5-minute one). An [Evaluator] evaluates [BurnRateRule]s and
// [ThresholdRule]s at each tick and returns alerts with the pending →
// firing → resolved protocol, with for and keep_firing_for as in
// Prometheus, ready for the dedup stage:
//
//	rule := slo.BurnRateRule{Objective: o}
//	windows, _ := rule.EventWindows()
//	rule.Events = slo.NewEvents(windows...)
//	e := slo.NewEvaluator(&slo.Options{Refresh: 3 * time.Minute})
//	e.AddBurnRate(rule)
//	// on every request: rule.Events.Add(now, good, 1); every minute:
//	alerts, err := e.Eval(now)
//	changes := deduper.Ingest(alerts)
//
// Burn-rate alerts carry severity="critical" (a page) or
// severity="warning" (a ticket), which the severity package reads as S2 and
// S4, and slo="<name>".
//
// # Sub-packages
//
//   - slo/slotest runs rule tests from go test: objectives and threshold
//     rules fed input series in promtool's notation (slo/series), and the
//     alerts that must fire when;
//   - slo/promrules generates Prometheus recording and alerting rules for an
//     objective, and imports Sloth and OpenSLO definitions;
//   - slo/gate says whether a canary is healthy over an observation window:
//     error rate, latency quantile, resources;
//   - slo/chart draws an objective's error budget and burn rate over its
//     period as an SVG.
//
// # Concurrency
//
// An Objective is a plain value. Events, Gauge and Evaluator may be used
// by many goroutines at once.
package slo
