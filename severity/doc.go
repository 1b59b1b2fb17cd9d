// Package severity decides how bad an alert is and how fast someone must
// respond: Impact × Likelihood → S1..S9, and service level × severity → a
// response, which pages a person within a deadline, batches into a digest,
// or only records for the retrospective.
//
//	policy := severity.DefaultPolicy()
//	policy.Environments = map[string]int{"dev": 2} // dev alerts two levels milder
//	c, err := policy.Classify(alert.Labels)
//	// c.Level: S3, c.ServiceLevel: gold, c.Response: page 30m, c.Hold: 5m
//
// # Levels
//
// An alert's [Level] comes, in this order, from the label severity_level
// ("S3" or "3", as Deckhouse's rules carry it), from the labels impact and
// likelihood (or Deckhouse's likehood) through the [Matrix]:
//
//	likelihood \ impact  deadly  catastrophic  critical  marginal  negligible
//	certain              S1      S2            S3        S4        S5
//	likely               S2      S3            S4        S5        S6
//	possible             S3      S4            S5        S6        S7
//	unlikely             S4      S5            S6        S7        S8
//	rare                 S5      S6            S7        S8        S9
//
// from a Prometheus-style severity label (critical, warning, info, through
// [Policy.Severities]), or else it is [Policy.Unknown]. An environment may
// make its alerts milder ([Policy.Environments]).
//
// # Responses
//
// The [ServiceLevel] — Platinum, Gold, Silver or None — comes from the label
// service_level or from the host's service catalogue ([Policy.Catalog]). The
// [Responses] matrix gives each service level and level a [Response]: Page
// within a deadline, Batch into a digest, or Retrospective (see
// [DefaultResponses] for the talk's table). [Policy.Holds] or [DefaultHold]
// give the pending hold: how long a pending alert waits before it may page.
//
// Both tables are defaults that a host replaces: a Policy reads and writes
// YAML and JSON ([ParsePolicy]), and an invalid table is an error that names
// the cell.
//
// # Concurrency
//
// Levels, responses and matrices are values. A Policy is read-only once in
// use, and may then be used by many goroutines at once.
package severity
