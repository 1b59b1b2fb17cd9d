// Package dedup is the deduplication stage: one record per alert, however
// often its source repeats it.
//
// Sources re-send their alerts: Prometheus every evaluation, Alertmanager
// every repeat_interval, a cron job every run. A [Deduper] keeps one
// [Record] per fingerprint and turns that stream into the few [Change]s that
// matter downstream: an alert appeared, fired, fired again after it
// resolved, resolved, went unknown, or an instant alert happened again.
// Repeats only refresh the record.
//
//	d := dedup.New(nil)
//	changes := d.Ingest(alerts)      // from the intake
//	changes = append(changes, d.Sweep(time.Now())...) // every few seconds
//	for _, c := range changes {
//		log.Print(c.String())    // "firing → resolved {alertname="TargetDown", …}"
//	}
//
// # Firing intervals
//
// A record keeps the alert's firing intervals — 09:28:12 → 09:38:12,
// 09:48:42 → 10:09:42 — in bounded memory: the first, the most recent few,
// and a count of those in between ([Intervals]).
//
// # Unknown, and the sweep
//
// A lasting alert whose source promised to refresh it by a deadline and did
// not is unknown: [Deduper.Sweep] finds them, resolves alerts whose
// scheduled end passed, and drops records no longer active after
// [Options.Retention]. Instant alerts never need resolving.
//
// # Flapping
//
// An alert that changes state [Options.FlapThreshold] times within
// [Options.FlapWindow] is flapping, and the flag clears after a window
// without changes. Downstream still hears of every change of its state,
// marked [Record.Flapping]: what is recorded always follows the source, and
// it is for the notification side to hold a flapping alert's pages.
//
// # When downstream fails
//
// A change is news once: its repeats change nothing. So a stage that fails
// to record a change (the store is down, the request was cancelled) gives it
// back with [Deduper.Unpublish], and the alert's next report — a source's
// retry of the same payload — or the next sweep publishes it again. The
// pipeline does so for every change it could not write.
//
// # Heartbeats
//
// A [Heartbeat] is an expected check-in — a Prometheus's Watchdog alert, a
// cron job — and a missing one produces an alert (trigger HeartbeatMissing)
// that the next check-in resolves.
//
// # Concurrency
//
// A Deduper may be used by many goroutines at once; records are sharded by
// label set. Changes of one alert carry increasing [Record.Seq] numbers,
// so a stage that receives them out of order (from concurrent Ingest calls)
// can drop the stale ones. A zero Deduper is ready to use with the default
// options; [New] takes [Options]. The Deduper calls no function of the
// caller's — [Options.Now], the yield of [Deduper.Records] — while it holds
// a lock, so those may call the Deduper in turn.
package dedup
