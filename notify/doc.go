// Package notify delivers notifications about incidents to people's
// channels — Slack, PagerDuty, email, webhooks, Telegram — at least once,
// each with an idempotency key, and logs every attempt.
//
//	slackOps, err := slack.New(&slack.Config{Token: token, Channel: "#ops"}, nil)
//	pd, err := pagerduty.New(&pagerduty.Config{RoutingKey: key}, nil)
//	d, err := notify.NewDispatcher(store, map[string]notify.Notifier{"slack-ops": slackOps, "pd-sre": pd},
//		&notify.Options{Rates: map[string]notify.Rate{"slack-ops": {PerMinute: 20, Burst: 5}}})
//	go d.Run(ctx)
//
//	// The escalator's pages become notifications, one per receiver.
//	pages := &notify.Pages{Dispatcher: d, Incidents: incidents, Contacts: notify.Contacts{
//		Teams: map[string][]string{"sre": {"slack-ops", "pd-sre"}}, Digest: []string{"slack-ops"},
//	}}
//	escalator := escalate.New(incidents, pages, nil)
//
//	// After an acknowledgement or a resolution, the receivers that were
//	// told of the incident hear of it: PagerDuty resolves its incident.
//	d.Follow(ctx, view, notify.ReasonResolved, "all alerts resolved", nil)
//
// A [Notification] is an event of an incident (opened, an escalation step,
// acknowledged, resolved, handed over, a digest) for one receiver, with a
// [Snapshot] of the incident: the incident card. A [Notifier] sends
// it; the senders live in sub-packages, one per channel, and
// notify/notifytest is the conformance suite of any Notifier.
//
// # Concurrency
//
// A Dispatcher, a MemoryLog, a Template and the senders may be used by many
// goroutines at once.
//
// # Messages
//
// Messages are rendered by [Template]s: text/template, or html/template
// for HTML, with Alertmanager's template functions. Every sender has
// default templates showing the incident card, which a configuration
// overrides.
//
// # Errors and retries
//
// A Notifier returns nil once the receiver accepted the message. Otherwise
// [Retryable] says whether to try again, and after how long the receiver
// asked: HTTP 408, 429 and 5xx, timeouts and network errors are retried,
// honouring Retry-After; other refusals, and errors marked [Permanent], are
// not. [Do] sends an HTTP request the way every sender should: bounded
// reads, status errors, and URLs — which carry tokens — cut to their host
// in errors. Configuration keeps tokens in [Secret]s, which print as
// "<secret>".
//
// # The dispatcher
//
// A [Dispatcher] puts every notification in an outbox — the incident
// Store's timers, which replicas share — before [Dispatcher.Send] returns,
// and takes it out only once the receiver accepted it: a crash between the
// two sends it again, with the same Key. Workers send what is due, each
// attempt bounded by a timeout; a failure waits an exponential, jittered
// backoff (or the receiver's Retry-After) and is tried again, up to
// Options.MaxAttempts, then dead-lettered: kept in the [Log], in the
// incident's history, and sent again by [Dispatcher.Redeliver]. A receiver
// may be rate limited; waiting for the limit is not an attempt. Every
// attempt — time, receiver, outcome, status, error, latency — is in the
// delivery log, read per incident with Log.Attempts.
//
// # Digests
//
// Batch responses are not sent one by one: [Dispatcher.AddToDigest] puts
// an incident in a receiver's next digest, which goes out as one
// notification (Reason digest, its incidents in Items) when its period ends,
// daily at 09:00 by default. Retrospective responses are recorded by the
// escalator and never sent.
package notify
