// Package pipelinetest simulates a service built from its one-file
// configuration, step by random step, and checks after every step that it
// keeps the promises an alerting service is judged by: what the intake
// accepted is in the store, the state of every alert follows its sources,
// every incident that should page does — in time, and again when it
// reopens — and nothing is paged twice or lost. A host runs it in its own
// tests, over its own configuration:
//
//	func TestPipeline(t *testing.T) {
//		config, err := os.ReadFile("alertkit.yaml")
//		if err != nil {
//			t.Fatal(err)
//		}
//		report := pipelinetest.Run(t, pipelinetest.Options{
//			Config: config,
//			Alerts: []model.LabelSet{
//				{"alertname": "PostgresDown", "cluster": "main", "severity": "critical"},
//				{"alertname": "DiskWillFill", "namespace": "shop", "severity": "warning"},
//			},
//			Seed: 1,
//		})
//		t.Log(report)
//	}
//
// # What a step is
//
// The steps are drawn from a seed: a Prometheus that re-sends its alerts
// every minute with a refresh deadline, and an Alertmanager's webhook that
// sends changes only, fire, resolve, go quiet, flap and disagree; people
// acknowledge, unacknowledge, snooze (with and without resolve-if-OK), hand
// over, resolve and reopen; the clock moves, by seconds or by hours, across
// shift changes and the end of summer time (the default start is the
// evening before it in Berlin); replicas restart, die and start again, all
// with a reloaded configuration now and then; the store goes down, fails
// writes, or makes them and loses the replies; and, on a backend that can,
// the database restarts under the replicas. Every replica runs
// Pipeline.Tick every Options.Tick of simulated time. The receivers of the
// configuration are replaced by recorders, which deduplicate by key as
// PagerDuty does.
//
// # What it checks
//
//   - Every alert a replica answered nil for is in the store, as its source
//     said: a firing alert fires, a resolved one is resolved.
//   - Once no source has a report that no replica took, each alert's member
//     is in the state its sources last said — unknown within a refresh
//     period of a missed deadline — after any restart or takeover.
//   - An incident's members are alerts as their sources sent them, once
//     each (no label a triage rule added in their identity); its counters
//     agree with them; a finished incident has no active alert; an incident
//     whose alerts all resolved does not stay open; a group has one active
//     incident.
//   - Every incident that opens or reopens firing, with a page response, and
//     is not muted, pages someone within its pending hold and response time
//     (after a flapping alert's hold; later by the outages and restarts in
//     between), unless a person acknowledges, snoozes or resolves it first.
//   - No escalation step pages while an incident is acknowledged.
//   - A notification key names one notification at every receiver; at the
//     end, with every replica up and the store healthy, the outbox is empty,
//     no notification is a dead letter, and every page the history records
//     reached a receiver.
//
// # When a check fails
//
// Run fails the test with the seed and the shortest sequence of steps it
// found that still breaks an invariant, each step in words, and the
// history of the incident concerned. -pipelinetest.seed=N replays a run;
// -pipelinetest.steps=N runs longer ones (a million, say) than the test
// asks for.
//
// # Backends
//
// The replicas share a memory store by default. MemoryBackend is that
// default; a Backend on PostgreSQL gives each replica a connection pool of
// its own and a Blink that drops them all, as a database restart does
// (this package's own tests have one). Faults makes any store fail as a
// database does, for tests of a host's own.
//
// # Concurrency
//
// Run runs one simulation at a time, on the test's goroutine; tests may
// run several in parallel.
package pipelinetest
