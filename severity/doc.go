// Package severity decides how bad an alert is and how fast someone must
// respond: Impact × Likelihood → S1..S9, and service level × severity → a
// response, which pages a person within a deadline, batches into a digest,
// or only records for the retrospective.
//
//	policy := severity.DefaultPolicy()
//	policy.Environments = map[string]int{"dev": 2} // dev alerts two levels milder
//	c, err := policy.Classify(alert.Labels)
//	// c.Level: S3, c.ServiceLevel: gold, c.Response: page 30m, c.Hold: 5m
//	// c.Reason: severity_level=1 → S1; env=dev 2 levels milder → S3; service_level=gold → gold S3: page 30m, hold 5m
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
// [Responses] table gives each service level and level a [Response]: Page
// within a deadline, Batch into a digest, or Retrospective (see
// [DefaultResponses]). An alert that gets no service level from either is
// unclassified, and [Policy.Unclassified] gives its response (see
// [DefaultUnclassified]). [Policy.Holds] or [DefaultHold] give the pending
// hold: how long a pending alert waits before it may page.
//
// A [Classification] says what was decided and why: its Reason is one line
// for a log, and [Policy.Describe] summarises the whole policy, to log once
// when a service starts.
//
// # Defaults
//
// [DefaultPolicy] reads the severity label as critical S2, error S3,
// warning S4 and info S6, and an alert no label classifies is S5. Alerts
// whose service level is known answer by the response-time table:
//
//	service level  S1   S2   S3   S4   S5   S6   S7   S8  S9
//	platinum       1m   5m   10m  30m  24h  24h  24h  —   —
//	gold           5m   10m  30m  24h  24h  24h  —    —   —
//	silver         10m  30m  24h  24h  24h  —    —    —   —
//	none           24h  24h  24h  24h  —    —    —    —   —
//	unclassified   5m   10m  30m  24h  24h  —    —    —   —
//
// Minutes page, 24h goes to the daily digest, — is only recorded. The
// last row is for alerts that have no service level: no service_level
// label and no catalogue, as with a first Alertmanager receiver. Such a
// service is treated as a production one until someone classifies it: it
// pages as Gold does, and batches or records as Silver does. So, out of the
// box and whatever the alert carries — severity, severity_level 1..9 or
// impact × likelihood — S1 and S2 page, and severity=critical pages
// within ten minutes; warning goes to the digest; info is recorded. The
// none row is for a service someone has labelled service_level="none": one
// nobody is on call for, which never pages.
//
// The pending hold is DefaultHold of each cell: a fifth of a page's
// deadline, at most five minutes — for unclassified alerts, S1 is held 1m,
// S2 2m, S3 5m — a quarter of an hour before a digest, and nothing before a
// retrospective. A critical alert of an unclassified service therefore
// pages two minutes after it fires, and someone must respond within ten
// minutes of the page: twelve minutes in all.
//
// # Configuration
//
// Every table is a default that a host changes: in code, or in YAML or
// JSON ([ParsePolicy], [PolicyConfig]), where a file names only what it
// changes — one cell, one severity name, one hold — and the rest stays as
// it is; a section listed in replace is given whole. An invalid file is an
// error that names the key, its line and column ([PolicyError]).
//
//	responses:
//	  unclassified: {S2: page 5m, S3: batch 24h}
//	severities: {page: S1}
//
// # Concurrency
//
// Levels, responses and matrices are values. A Policy is read-only once in
// use, and may then be used by many goroutines at once.
package severity
