// Package slotest runs rule tests from a go test: objectives and threshold
// rules fed with input series in promtool's notation, and the alerts that
// must be pending or firing at given times — unit-tested rule evaluation
// for CI, with the in-process evaluator of package slo:
//
//	func TestRules(t *testing.T) {
//		slotest.RunFile(t, "testdata/rules_test.yaml")
//	}
//
// The file:
//
//	interval: 1m                 # the evaluation interval, and the step of every series
//	objectives:
//	  - name: availability
//	    target: 99.5%            # or 0.995
//	    period: 30d              # default 30d
//	    labels: {service: checkout}
//	    windows:                 # optional: default, the SRE Workbook's four
//	      - {severity: page, long: 1h, short: 5m, budget_share: 0.02}
//	    total: '0+1000x4320'     # cumulative counters, one value per interval
//	    errors: '0x4320 0+1000x30'  # or good: …
//	thresholds:
//	  - name: QueueTooLong
//	    series: '50 150x10 20x5' # the value at each interval
//	    aggregation: last        # or avg, min, max over `over`
//	    over: 1m
//	    op: '>'
//	    threshold: 100
//	    for: 3m
//	    keep_firing_for: 2m
//	    labels: {severity: warning}
//	tests:
//	  - at: 4325m                # a time since the start, a multiple of interval
//	    firing:                  # exactly the alerts firing then, by some of their labels
//	      - {alertname: AvailabilityBudgetBurn, severity: critical}
//	    pending: []              # optional: exactly the alerts pending then
//
// Values follow promtool's notation (see package slo/series): `a+bxn` is
// n+1 values from a by b, `_` a missing sample. For objectives, a missing
// sample adds nothing; a counter that goes down was reset.
//
// Parse and File.Evaluate give the timeline of alerts without a test, for
// tools and for comparing with another evaluator.
package slotest
