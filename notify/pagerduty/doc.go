// Package pagerduty sends alertkit's notifications to PagerDuty through
// the Events API v2: each incident becomes one PagerDuty alert, triggered
// when it opens, acknowledged and resolved as it is.
//
// A receiver needs the integration key of an Events API v2 integration on
// a PagerDuty service. A [Config] in YAML:
//
//	routing_key: 0123456789abcdef0123456789abcdef
//	component: checkout         # optional: payload.component
//	severities: {S3: critical}  # optional: overrides of the table below
//	summary: "{{ .Incident.Title }}"  # optional: the summary template
//
// or in Go:
//
//	s, err := pagerduty.New(&pagerduty.Config{RoutingKey: notify.Secret(key)}, nil)
//	err = s.Notify(ctx, n)
//
// # Events
//
// Every event is a JSON POST to https://events.pagerduty.com/v2/enqueue
// (Config.URL) whose dedup_key is the incident's ID, so that all the
// events of one incident land on one PagerDuty alert, and a trigger sent
// again after a crash or a retry is folded into it by PagerDuty rather
// than paging twice. The reasons become:
//
//	opened        trigger
//	escalation    trigger
//	handover      trigger
//	acknowledged  acknowledge
//	resolved      resolve
//	digest        refused: ErrDigest, marked notify.Permanent
//
// A trigger carries payload.summary — [DefaultSummary] or the Summary
// template, on one line and cut to [MaxSummary] characters — source,
// severity, timestamp (the notification's time, RFC 3339), the configured
// component, group and class, and custom_details: the reason, note,
// status, severity name, service level, team, owner, the people and teams
// addressed, the alert counts, the label summary as an object of label →
// values, and the first five alerts (labels, state, start, end, summary
// annotation). Its links are the incident's page, its runbooks and the
// first alerts' sources; client and client_url name alertkit and the
// incident's page. An acknowledge or a resolve carries only routing_key,
// event_action and dedup_key, as PagerDuty documents.
//
// PagerDuty keeps a dedup_key only while its alert is open: once the alert
// is resolved — by alertkit or by someone in PagerDuty — a trigger with the
// same key opens a new alert, and an acknowledge or a resolve is dropped.
// A trigger for an open alert adds a trigger log entry to it rather than
// opening another, and an acknowledged alert notifies nobody again: an
// alertkit escalation step or hand-over sent to PagerDuty leaves a trace on
// the alert, while PagerDuty's own escalation policy decides whom it pages.
// Events apply only through the routing key of the first trigger: changing
// a receiver's key strands the alerts opened with the old one.
//
// A digest is a summary to read, not a page, and PagerDuty has no event
// for it: route digests to a chat or email receiver.
//
// # Severities
//
// The incident's level maps to payload.severity, which PagerDuty allows
// to be critical, error, warning or info:
//
//	S1, S2    critical
//	S3, S4    error
//	S5, S6    warning
//	S7 to S9  info
//	unknown   error
//
// Config.Severities overrides entries of it, keyed "S1" to "S9" and
// "unknown".
//
// # Answers
//
// PagerDuty accepts an event with 202 and {"status":"success",...}. Any
// 2xx counts as accepted only if its body says status success: another is
// an error worth retrying, since the event may not have reached PagerDuty
// and its dedup_key makes a repeat harmless. 400 (an invalid event) is a
// refusal, not retried, with PagerDuty's message in the error; 429
// (PagerDuty's throttling, about 120 events a minute per integration key)
// and 5xx are retried, after Retry-After when the answer has one — else
// as the dispatcher's backoff says. Errors start with "pagerduty:" and
// never show the routing key; nor does printing or logging a Sender,
// "pagerduty.Sender{url=https://events.pagerduty.com/…}", or its Config.
// A redirect to another host is not followed: the event, key and all,
// goes to the configured URL only.
//
// # Limits
//
// payload.summary is at most [MaxSummary] characters and a dedup_key
// [MaxDedupKey]; an incident ID longer than that is refused for good.
// Strings of custom_details are cut to 1024 characters and label values to
// ten per label. An event is at most 512 KB ([MaxEvent]): a larger one is
// sent without the label summary and the alerts, and one still too large
// is refused. Links that are not http(s) URLs are left out, because
// PagerDuty would refuse the whole event for one of them.
//
// # Concurrency
//
// A Sender may be used by many goroutines at once.
package pagerduty
