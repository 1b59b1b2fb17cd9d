// Package webhook posts notifications as JSON to any HTTP endpoint: in
// alertkit's own format, which carries the whole notification, or in
// Alertmanager's webhook format, so that consumers written for Alertmanager
// keep working. Requests carry an idempotency key and, with a signing key,
// an HMAC signature that consumers check with [Verify].
//
// A receiver in YAML:
//
//	url: https://hooks.example.com/alertkit/3f9a…   # a secret: it may carry a token
//	format: alertmanager        # or alertkit, the default
//	bearer_token: s3cr3t        # Authorization: Bearer s3cr3t
//	signing_key: 9c1e…          # X-Alertkit-Timestamp and X-Alertkit-Signature
//	headers:
//	  X-Tenant: horns-and-hooves
//	max_alerts: 50              # alertmanager format only
//
// and in Go:
//
//	s, err := webhook.New(&webhook.Config{
//		URL:        notify.Secret(os.Getenv("WEBHOOK_URL")),
//		SigningKey: notify.Secret(os.Getenv("WEBHOOK_SIGNING_KEY")),
//	}, nil)
//	err = s.Notify(ctx, n)
//
// # The alertkit format
//
// The body is a [Message]: the notification as notify.Notification encodes
// to JSON, with "version" first. It is a stable contract: within version
// "1" fields may be added, never removed or given another meaning.
//
//	version   "1"
//	key       the notification's idempotency key, also sent as Idempotency-Key
//	reason    opened, escalation, acknowledged, resolved, handover or digest
//	at        when the notification was made (RFC 3339)
//	receiver  the configured receiver's name
//	people    whom it addresses (user names); omitted when none
//	teams     the teams it addresses; omitted when none
//	note      why, in words; omitted when empty
//	incident  the incident as it was then: id, status, severity (1–9,
//	          omitted when unknown), service_level, title, group (the group
//	          labels), project, team, owner, summary (each label with its
//	          values), alerts and active (counts), members (up to 20 alerts:
//	          fingerprint, labels, annotations, state, starts_at, ends_at,
//	          firings, generator_url), truncated (members left out),
//	          created_at, acked_at, resolved_at, runbooks (title, url), url
//	items     a digest's incidents, oldest first, in the same form; omitted
//	          otherwise
//
// Every reason is sent as it is: a consumer tells them apart by "reason".
//
// # The alertmanager format
//
// The body is Alertmanager's webhook payload, version "4": receiver,
// status, alerts, groupLabels, commonLabels, commonAnnotations,
// externalURL, version, groupKey and truncatedAlerts, each alert with
// status, labels, annotations, startsAt, endsAt, generatorURL and
// fingerprint. alert.DecodeWebhook, and any consumer of Alertmanager's
// webhooks, reads it. The notification becomes:
//
//   - groupKey: the incident's ID. An incident is alertkit's group, and
//     its ID tells apart two incidents of the same group labels, one after
//     the other, which Alertmanager's rendering of the group labels
//     ({}:{alertname="…"}) would not. A digest's groupKey is the
//     notification's key.
//   - status: "resolved" once the incident is resolved or closed,
//     "firing" otherwise — acknowledged, snoozed and handed-over incidents
//     are still firing.
//   - groupLabels: the incident's group labels.
//   - alerts: the snapshot's members, firing ones first. A resolved alert
//     is resolved and ends at its endsAt (else the incident's resolution);
//     any other state — firing, pending, unknown, an event — is firing, with
//     the zero time "0001-01-01T00:00:00Z" as endsAt. Each alert keeps its
//     own state: an incident resolved by a person while an alert still
//     fires says "resolved" with that alert firing.
//   - commonLabels and commonAnnotations: those that every alert sent has,
//     with the same value.
//   - truncatedAlerts: the incident's alerts not in the payload: those the
//     snapshot left out (it keeps 20), those beyond MaxAlerts, and members
//     without labels, which Alertmanager's consumers refuse.
//   - externalURL: Config.ExternalURL, else the scheme and host of the
//     incident's URL, else empty.
//   - receiver: the notification's receiver.
//
// The reason itself is not in the payload; opened, escalation,
// acknowledged and handover are all "firing" messages about the group, as
// Alertmanager repeats them.
//
// A digest is one request: the alerts of all its items, in order, in one
// payload whose status is "resolved" only if every item is, whose
// groupLabels are those shared by every item, and whose truncatedAlerts
// count the items' alerts that their snapshots did not keep.
//
// # Requests
//
// Each notification is a POST of the body with
//
//	Content-Type: application/json
//	User-Agent: alertkit
//	Idempotency-Key: the notification's key, the same on every retry
//	Authorization: Bearer <bearer_token>          with a bearer token
//	X-Alertkit-Timestamp: 1795452730              with a signing key
//	X-Alertkit-Signature: sha256=<64 hex digits>  with a signing key
//
// and the configured extra headers. The signature is the HMAC-SHA256 under
// the signing key of the timestamp, a dot and the body, as sent; the
// timestamp is the time of the request in Unix seconds, new on every
// retry. A consumer checks both:
//
//	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 8<<20))
//	err = webhook.Verify(key, r.Header.Get(webhook.HeaderTimestamp),
//		r.Header.Get(webhook.HeaderSignature), body, time.Now(), 5*time.Minute)
//	if err != nil { // errors.Is: ErrMalformed, ErrWrongSignature, ErrTooOld, ErrInFuture
//		http.Error(w, "bad signature", http.StatusUnauthorized)
//		return
//	}
//
// and deduplicates on Idempotency-Key, since a notification is delivered at
// least once.
//
// # Answers and retries
//
// Any 2xx answer is success. 408, 429 and 5xx are retryable, after the
// answer's Retry-After; other answers are permanent, redirects included: a
// redirected POST may be replayed as a GET without its body, so the Sender
// does not follow them unless Options.Client says how — and then only on
// the same host, and never a 307 or 308. Errors start with
// "webhook:" and never show the URL, the token, the signing key or a
// header's value; nor does printing or logging a Sender,
// "webhook.Sender{url=https://hooks.example.com/… format=alertkit}", or its
// Config.
//
// # Concurrency
//
// A Sender may be used by many goroutines at once.
package webhook
