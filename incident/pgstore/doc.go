// Package pgstore keeps alertkit's state in PostgreSQL, so that several
// replicas of a service share one: incidents, their alerts and history,
// the timers — escalation steps, snooze wake-ups, quiet periods, hand-offs,
// digests and the notification outbox — the delivery log with its dead
// letters, and silences. It is a package of its own so that a service that
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
// when its leases run out. Pages and notifications are sent before they
// are marked done, with a stable idempotency key, so that a replica dying
// in between makes another send the same notification again, never none.
//
// Leases compare the claimers' clocks: keep the replicas' clocks in step
// (NTP) to well within a lease (a minute by default).
//
// # Engines
//
// The schema and the queries are standard SQL that CockroachDB and
// YugabyteDB also run: no advisory locks, no LISTEN/NOTIFY, no stored
// procedures, no JSON operators (bodies are JSON in TEXT columns), times
// as BIGINT nanoseconds. Transactions that an engine refuses for a
// serialization failure (SQLSTATE 40001, as CockroachDB reports under its
// serializable isolation) or a deadlock are run again. The tests run
// against PostgreSQL 15.
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
