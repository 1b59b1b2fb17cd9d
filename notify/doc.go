// Package notify delivers notifications about incidents to people's
// channels — Slack, PagerDuty, email, webhooks, Telegram — at least once,
// each with an idempotency key, and logs every attempt.
//
// A [Notification] is an event of an incident (opened, an escalation step,
// acknowledged, resolved, handed over, a digest) for one receiver, with a
// [Snapshot] of the incident: the talk's incident card. A [Notifier] sends
// it; the senders live in sub-packages, one per channel, and
// notify/notifytest is the conformance suite of any Notifier.
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
package notify
