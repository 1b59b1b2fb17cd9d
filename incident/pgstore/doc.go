// Package pgstore keeps alertkit's state in PostgreSQL, so that several
// replicas of a service share one: incidents, their alerts and history,
// the timers — escalation steps, snooze wake-ups, quiet periods, hand-offs,
// digests, heartbeat deadlines, follow-ups and the notification outbox —
// the delivery log with its dead letters, silences, and the overrides of
// on-call schedules. It is a package of its own so that a service that
// keeps its state in memory never compiles pgx.
//
//	store, err := pgstore.Open(ctx, "postgres://alertkit@db:5432/alertkit", nil)
//	if err != nil {
//		return err
//	}
//	defer store.Close()
//	svc, err := file.Build(pipeline.BuildOptions{
//		Store: store, Log: store.DeliveryLog(), Replica: hostname,
//	})
//	if err != nil {
//		return err
//	}
//	if _, err := svc.Pipeline.Restore(ctx); err != nil { // what the store knows of the active alerts
//		return err
//	}
//	// A silence set on one replica mutes on all; the file's own stay.
//	go store.Silences().Run(ctx, svc.Silences, &pgstore.SyncOptions{Base: svc.Silences.List()})
//	go svc.Pipeline.Run(ctx)
//
// # Replicas
//
// Every replica receives the same alerts — Prometheus and Alertmanager
// send to every one listed, as they do to the members of an Alertmanager
// cluster — and runs its own dedup stage over them. What they write meets
// in the database: an incident is created once per group (a unique index
// allows one active incident per group key; the loser of a race joins the
// winner's), an alert is one row per incident and fingerprint, every
// change of an incident is a versioned update (a stale one is refused and
// retried), and a change that another replica already applied is
// recognised and ignored. Timers are rows claimed with a lease by
// SELECT … FOR UPDATE SKIP LOCKED: replicas claiming at once take
// different timers, and the timers of a replica that died are taken over
// when its leases run out (pipeline.BuildOptions.Lease, a minute by
// default); an escalation step is taken once, under the incident's
// version. Pages and notifications are sent before they are marked done,
// with a stable idempotency key, so that a replica dying in between makes
// another send the same notification again, with the same key (which
// PagerDuty's dedup_key absorbs), never none.
//
// A resolution, an acknowledgement or a hand-over is written with the
// follow-up that tells the receivers of it, so that the news outlives a
// replica killed right after the change. Everything survives a restart of
// every replica: incidents and their history, timers, the outbox, the
// delivery log and dead letters, silences, and schedules' overrides. A
// replica that starts — after a crash, or with every other one down —
// calls Pipeline.Restore, which gives its dedup stage the active alerts
// the database holds.
//
// Changes of an alert are ordered by when they happened, as each
// replica's dedup stage stamps them, and leases by the claimers' clocks:
// keep the replicas' clocks in step (NTP) to well within the time between
// two changes of an alert and within a lease (a minute by default).
//
// Send every alert to every replica. Behind a load balancer that gives
// each report to one replica, a replica that stops hearing of an alert
// another still hears of would, at the refresh deadline, call it unknown.
//
// # Engines
//
// The schema and the queries keep to SQL that CockroachDB (22.2 or later,
// for SKIP LOCKED) and YugabyteDB also run: no advisory locks, no
// LISTEN/NOTIFY, no stored procedures or triggers, no JSON operators
// (bodies are JSON in TEXT columns), no sequences, times as BIGINT
// nanoseconds, one active incident per group by a unique index over a
// column that is NULL for finished incidents. An incident and what is
// written with it go as one batch that the database runs as one
// transaction; the statements after the incident's own are guarded by a
// token of the write, so that they write nothing if it was refused.
// Statements and batches that an engine refuses for a serialization
// failure (SQLSTATE 40001, as CockroachDB's serializable transactions do)
// or a deadlock are run again. What was checked: the tests, the
// conformance suite and the crash test, against PostgreSQL 15; the
// statements against the other engines' documentation, not against the
// engines themselves.
//
// # Schema
//
// Open applies the embedded migrations that the database lacks, each in a
// transaction recorded in alertkit_migrations; their statements are
// idempotent, so replicas may start at once. The tables are named
// alertkit_*, in the connection's search_path.
//
// A Store is safe for concurrent use by many goroutines and processes.
package pgstore
