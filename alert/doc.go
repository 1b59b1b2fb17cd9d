// Package alert is alertkit's alert model and its intake: the Alert type and
// its state protocol, fingerprints, decoders for the formats sources already
// speak, and HTTP handlers that take those formats in.
//
// # Alerts
//
// An [Alert] is structured: labels that identify it, annotations that describe
// it, and times that give its state. Its identity is the fingerprint of its
// labels ([Alert.Fingerprint]), the same number Prometheus and Alertmanager
// compute. Its [Kind] says what it is:
//
//   - an instant alert is an event: it happened at StartsAt, has no state and
//     never resolves;
//   - a lasting alert is a condition, and has a state at every moment
//     ([Alert.StateAt]): pending, firing, resolved once EndsAt has passed, or
//     unknown once its refresh deadline RefreshBy has passed without news.
//
// The refresh deadline is how a source that re-sends its alerts says "if you
// do not hear from me by then, I am gone": Prometheus sets it as endsAt on
// every alert it posts. A missed deadline makes the alert unknown, not
// resolved, because nobody knows.
//
// # Intake
//
// Three formats are decoded, each into batches of validated alerts:
//
//   - [DecodeWebhook]: the message Alertmanager's webhook receiver posts
//     ("version": "4"), for a service that is an Alertmanager receiver;
//   - [DecodePrometheus]: what Prometheus posts to an Alertmanager's
//     POST /api/v2/alerts, so that Prometheus can send to a service directly;
//   - [DecodeEvents]: alertkit's generic format for any other source ([Event]).
//
// Each alert of a payload is taken or refused on its own, as Alertmanager
// does: one bad alert must not cost its valid neighbours, which its sender
// would otherwise re-send, refused again, for as long as they fire. A
// decoder returns the valid alerts of a payload and, if some were invalid, a
// [*RejectedError] that names each of the others by its index and the bad
// field, as "alerts[3].labels: invalid label name \"1x\"" ([FieldError]), or
// the limit it exceeds ([LimitError]). The alerts are usable when the error
// is a *RejectedError:
//
//	alerts, err := alert.DecodePrometheus(r.Body, nil)
//	var rej *alert.RejectedError
//	if err != nil && !errors.As(err, &rej) {
//		return err // nothing was taken
//	}
//	take(alerts) // the valid ones, also when rej names others
//	if rej != nil {
//		log.Printf("%d of %d alerts refused: %v", len(rej.Rejections), rej.Total, rej)
//	}
//
// A payload that cannot be read as a whole is refused whole, with no
// alerts: malformed JSON gets its line and column ([SyntaxError]); an empty
// body, or one of the wrong shape, a [FieldError]; a body over a limit of
// [DecodeOptions], or with too many alerts, a [LimitError].
// [DecodeOptions.WholeOrNothing] refuses the payload whole for any invalid
// alert too, with the first error found.
//
// [WebhookHandler], [PrometheusHandler] and [EventHandler] serve the three
// formats over HTTP and hand the valid alerts of each payload to an
// [IngestFunc]. They answer 200 when every alert was taken, and 400 naming
// the refused ones when some were not; if the IngestFunc fails, 500, so that
// the sender retries:
//
//	ingest := func(ctx context.Context, alerts []alert.Alert) error {
//		for _, a := range alerts {
//			log.Printf("%s %s %s", a.Fingerprint(), a.Trigger(), a.StateAt(time.Now()))
//		}
//		return nil
//	}
//	mux := http.NewServeMux()
//	mux.Handle("POST /api/v2/alerts", alert.PrometheusHandler(ingest, nil))
//	mux.Handle("POST /alerts/webhook", alert.WebhookHandler(ingest, nil))
//	mux.Handle("POST /alerts/events", alert.EventHandler(ingest, nil))
//
// An intake faces a network, where clients may be slow or hostile. Serve it
// with [NewServer], whose timeouts close the connections of clients that
// send a byte now and then, and give its handlers one [BodyBudget], which
// bounds the request bodies read at once (a request it cannot hold is
// answered 503 with Retry-After, unread). [DecodeOptions] bound the body,
// its alerts, and the names and values of their labels and annotations.
// An answer never carries the IngestFunc's error, which may name the
// hosts and databases behind the intake: it names the alerts not recorded,
// and the log has the rest.
//
//	opts := &alert.HandlerOptions{Budget: alert.NewBodyBudget(alert.DefaultInFlightBytes)}
//	mux.Handle("POST /api/v2/alerts", alert.PrometheusHandler(ingest, opts))
//	mux.Handle("POST /alerts/webhook", alert.WebhookHandler(ingest, opts))
//	srv := alert.NewServer(":8080", mux)
//	err := srv.ListenAndServe()
//
// # Concurrency
//
// Decoders, Handlers and BodyBudgets may be used by many goroutines at once. An Alert is a
// plain value with no locking; the label maps of copies are shared, so treat
// an Alert as read-only once it is handed on.
package alert
