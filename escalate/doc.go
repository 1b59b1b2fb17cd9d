// Package escalate pages people about incidents until someone takes them:
// escalation policies, on-call schedules, and the baton at shift changes —
// what Alertmanager declined to do (prometheus/alertmanager#686, #2150,
// #1860).
//
//	cfg, err := escalate.ParseConfig(oncallYAML, "oncall.yaml") // schedules, policies, ladders
//	e := escalate.New(incidents, notifier, &escalate.Options{OnError: logError})
//	err = e.Load(cfg)
//	err = e.StartBaton(ctx) // the hand-off timers
//	go e.Run(ctx)           // due steps, every Options.Interval
//
//	// For every new incident: S3 on Platinum pages within 10m, so L1,
//	// then L2, then the team, each with 10 minutes to acknowledge.
//	plan, err := e.PlanFor(classification, "sre")
//	err = e.Engage(ctx, inc.ID, plan)
//
// # Policies
//
// A [Policy] is ordered steps — notify targets, then wait for an
// acknowledgement — repeated a number of times. Acknowledging or resolving
// the incident stops it; snoozing pauses it until the snooze ends. A policy
// is written by hand (Go, or YAML with [ParseConfig]) or derived from the
// response matrix ([Derive], [Escalator.PlanFor]): a page cell's deadline is
// the time each level of a [Ladder] — L1, L2, the owning team — has to
// acknowledge before the next is paged; a batch cell goes to the digest; a
// retrospective cell is recorded only. A step whose targets resolve to
// nobody — L2 off duty at night — is recorded and skipped at once. The
// policy is exhausted, and says so in the history, once its last step's
// wait has passed without an acknowledgement. An incident that wakes early
// or is unacknowledged is given back to the escalation with
// [Escalator.Resume]; one batched or recorded that a more urgent alert
// joins is escalated afresh by [Escalator.Engage].
//
// # Firing again
//
// An incident that reopens — an alert fired again after it resolved — is a
// new firing: [Escalator.Restart] pages it from the first step of its
// policy, after the pending hold, with page keys of its own, however far
// the escalation had gone; with [Options.ContinueWithin], a recurrence that
// soon after the incident went quiet goes on from the step it had reached
// instead (the last step again, if the policy was exhausted). A flapping
// incident pages at most once per [Options.FlapHold], and its page says it
// flaps: what is recorded follows the alerts, what is paged is damped.
//
// # A policy the configuration lost
//
// An escalation stored by another replica, or before a restart, names its
// policy. If the configuration no longer has it, the escalation waits: the
// history and the log say so once, with the policies there are, and it goes
// on when the policy is back. A pipeline's Restore reports such incidents
// when the service starts.
//
// # Schedules
//
// A [Schedule] is layers of rotations (L1, L2, …), each handing over on a
// cron expression in the schedule's time zone, which may be active only at
// some times (L2 on weekdays), and overrides, when someone covers a time
// range. [Schedule.OnCallAt] and [Schedule.Handoffs] read it.
// Daylight-saving changes neither skip nor double a hand-off.
//
// # The baton
//
// At every hand-off, the outgoing person's active incidents are handed over
// to the incoming on-call with a note, through the incident package's
// hand-over. One not accepted within the incident's response time (its
// policy's first wait, else [Options.AcceptWithin]) is escalated: to the
// on-call of the schedule's next layer, else to the top of the incident's
// policy — unless the escalation is still paging it, which is enough.
//
// # The escalator
//
// An [Escalator] works from the store's timers, which replicas share: it
// claims the due ones with a lease, takes the step, and records it in the
// incident with a versioned update. A step is taken once per incident even
// if an escalator stops in between; a page it sent just before stopping is
// sent again with the same [Page.Key], which the notification stage uses as
// its idempotency key. Pages go to a [Pager], which the notification
// stage implements. The pending hold of the severity package delays the
// first page, or the digest, of a new incident, and none is sent if its
// alerts resolve meanwhile: thresholds live in one place, not in every
// alerting rule's "for:".
//
// # Concurrency
//
// An Escalator and a compiled Schedule may be used by many goroutines at
// once.
package escalate
