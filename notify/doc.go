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
//	// The escalator's pages become notifications, one per receiver:
//	// pipeline.Pages joins the two stages.
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
// in errors.
//
// Every send is an attempt the delivery log shows: Do turns off the HTTP
// transport's own re-sending of a request after a reset connection, which
// it would otherwise do unseen for a request with an Idempotency-Key
// header, so that the dispatcher's count of attempts is the receiver's.
//
// # Secrets
//
// Configuration keeps tokens, passwords, routing keys and signing keys in
// [Secret]s, which print, log and marshal as "<secret>". The senders and
// their configurations print without them under every verb of fmt and
// with slog, describing themselves with a [Redacted]: the kind of
// receiver, its URL cut to its host, its channel or addresses. Do follows
// no redirect to another host, which would take the request's secrets
// there, and sends no Referer on a redirect it follows.
// notify/notifytest.SecretsHidden checks any sender for all this.
//
// # The dispatcher
//
// A [Dispatcher] puts every notification in an outbox — the incident
// Store's timers, which replicas share — before [Dispatcher.Send] returns,
// and takes it out only once the receiver accepted it: a crash between the
// two sends it again, with the same Key. What is due is sent by
// [Dispatcher.Run], or a host's loop calling [Dispatcher.ProcessTimers],
// each attempt bounded by Options.Timeout (10s by default); a failure
// waits an exponential, jittered backoff (or longer, if the receiver asks
// with Retry-After) and is tried again, up to Options.MaxAttempts (12),
// then dead-lettered: kept in the [Log], in the incident's history, and
// sent again by [Dispatcher.Redeliver]. A receiver may be rate limited;
// waiting for the limit is not an attempt. Every attempt — time, receiver,
// outcome, status, error, latency, when it is tried again — is in the
// delivery log, read per incident with Log.Attempts.
//
// Each receiver has attempts of its own: up to Options.Workers (4 by
// default) under way at once, and the digests as many. A receiver that
// hangs until the timeout holds up only its own notifications; the others
// are sent meanwhile, and so are digests. The Dispatcher claims no more of
// a receiver's notifications than it has room for: the rest stay in the
// outbox, free for another replica. A host raises Workers for receivers
// that take many notifications at once; Options.Timeout bounds how long a
// hanging one holds its own.
//
// A receiver's Retry-After is honoured up to Options.MaxRetryAfter (5m by
// default), and never shortens the backoff: a receiver that asks for a
// day, a year, or longer than a time.Duration holds, is tried again within
// MaxRetryAfter, each time counting an attempt, so that its notification
// is dead-lettered after MaxAttempts — with the default backoff, within
// MaxAttempts × MaxRetryAfter — rather than held for days. The delivery
// log shows the capped time. A host that must honour longer waits raises
// MaxRetryAfter.
//
// # Digests
//
// Batch responses are not sent one by one: [Dispatcher.AddToDigest] puts
// an incident in a receiver's next digest, which goes out as one
// notification (Reason digest, its incidents in Items) when its period ends,
// daily at 09:00 by default. Retrospective responses are recorded by the
// escalator and never sent.
package notify
