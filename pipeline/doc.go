// Package pipeline wires alertkit's stages into the usual pipeline, in the
// order of the data flow:
//
//	intake → enrich (severity, service level) → dedup → triage → silences and
//	inhibition → route → incident (grouped by the route's labels) →
//	escalate → notify
//
// Each stage stays a plain value of its own package, and is replaceable:
// the Pipeline takes them through small interfaces (Classifier, Deduper,
// Triager, Silencer, Inhibitor, Router) and calls them in order, acting on
// what they say — a dropped alert goes no further, a silenced or
// inhibited one is recorded in its incident but pages nobody, and a new
// incident engages its escalation: the route's escalation policy if it
// names one, else its targets as the first level of a ladder, with the
// response matrix deciding whether to page, batch into a digest, or only
// record.
//
//	p, err := pipeline.New(pipeline.Config{
//		Router: router, Triage: triage, Silences: silences, Inhibitor: inhibitor,
//		Incidents: incidents, Escalator: escalator, Dispatcher: dispatcher,
//		Ladder: escalate.Ladder{{oncallL2}, {teamSRE}},
//	})
//	mux.Handle("POST /api/v2/alerts", alert.PrometheusHandler(p.Ingest, nil))
//	go p.Run(ctx) // every Config.Interval: sweeps, snoozes, escalation steps, retries, digests
//
// # Metrics
//
// NewMetrics registers alertkit's own Prometheus metrics on a registerer
// the host passes (never the global one by itself): alerts received,
// changes by outcome, stage latencies, escalation pages, notification
// attempts, incidents by status and severity, heartbeat ages.
//
// # Concurrency
//
// A Pipeline may be used by many goroutines at once.
package pipeline
