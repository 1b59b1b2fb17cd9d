// Package incident is where alerts become incidents: incident ≠ alert.
//
// An [Incident] gathers the alerts of a group — alerts with the same values
// of the group labels, as Alertmanager's group_by — and has a lifecycle of
// its own: open → acknowledged → resolved → closed, and snoozed. Every change
// is an [Event] of its append-only history, with who did it and when. A
// store keeps [DefaultMaxHistory] entries of one incident at most, folding
// the oldest into one [EventFolded] entry that counts them; Store.HistoryPage
// reads a history a page at a time.
//
//	store := incident.NewMemoryStore()
//	m := incident.NewManager(store, &incident.Options{
//		Grouping: &incident.Grouping{By: []model.LabelName{"alertname", "namespace"}},
//	})
//	for _, ch := range deduper.Ingest(alerts) {
//		inc, err := m.Observe(ctx, &ch, nil) // joins or opens the group's incident
//		...
//	}
//	m.Acknowledge(ctx, inc.ID, "vasiliy.vasiliyev", "looking")
//	m.Snooze(ctx, inc.ID, "vasiliy.vasiliyev", incident.SnoozeOptions{For: time.Hour, ResolveIfOK: true})
//
// # The workflow
//
// [Manager.Observe] takes the changes of the dedup stage: a new alert joins
// its group's active incident or opens one; an incident resolves when all its
// alerts have resolved (after [Grouping.ResolveAfter], if set); an alert
// firing again within [Grouping.ReopenWithin] reopens a resolved incident
// (counted in [Incident.Reopened]: each reopening is a new firing, which the
// escalation stage pages for again), and later opens a new one. Incidents
// of instant alerts only (events) are resolved by people.
//
// # An alert's identity
//
// A [Member] is identified by the fingerprint of the labels its source
// sent, everywhere. What the pipeline learned of it besides — labels that
// triage rules added, its severity and service level — is kept beside them
// ([Enrichment], [Manager.ObserveEnriched]): queries and grouping see the
// added labels, a restart restores the alert as its source sent it. An
// incident's severity and service level are its alerts' most demanding, and
// service_level in MQL reads the incident's.
//
// People [Manager.Acknowledge], [Manager.Assign], [Manager.Comment],
// [Manager.Resolve] (refused while alerts still fire, unless forced),
// [Manager.Close] and [Manager.Reopen]. An operation that does not apply in
// the incident's status fails with a [*TransitionError] naming from → to.
//
// # Snooze
//
// [Manager.Snooze] puts an incident aside for a while (the dialog's presets
// are 30 minutes, 1, 3 and 6 hours), until a time, or forever, with a
// comment. The option ResolveIfOK closes it if all its alerts resolve while
// it sleeps; otherwise it wakes when its time runs out. It also wakes when it
// gets worse: a new alert joins, or its severity rises.
//
// # The baton
//
// Every incident has one owner. [Manager.Handover] passes it to the next
// person with a note; the new owner holds it at once and accepts it with
// [Manager.AcceptHandover]; until then [Incident.Handover] shows the baton in
// flight, for the escalation to act on.
//
// # Search and analytics
//
// An incident with its members is an MQL subject ([View]): a label predicate
// holds when any of its alerts satisfies it. [Manager.Search] searches by
// MQL, newest first. [Manager.Similar] finds incidents of the same project
// and triggers, and [Manager.Analytics] computes MTTA and MTTR over a time
// range, by project and by trigger.
//
// # Stores and timers
//
// A [Store] keeps incidents, members, history, and [Timer]s: work due later
// (a snooze's end, a quiet period's end, and for other packages escalation
// steps and digests), which workers claim with a lease. Updates are
// versioned and refused when stale ([ErrConflict]); the Manager retries
// them. So several replicas can share one store. [MemoryStore] keeps it all
// in memory; incident/storetest is the conformance suite of any Store.
//
// # Concurrency
//
// A Manager and a MemoryStore may be used by many goroutines at once.
package incident
