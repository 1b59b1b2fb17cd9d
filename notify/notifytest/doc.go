// Package notifytest is the conformance suite of a notify.Notifier: what
// the dispatcher relies on from every sender — success only when the
// receiver accepted, failures classified for retries, Retry-After read,
// contexts honoured, secrets kept out of errors and out of every printing
// of the sender and its configuration, concurrency — checked against a
// fake receiving end that the sender's test provides.
//
//	func TestConformance(t *testing.T) {
//		notifytest.Run(t, func(t *testing.T) *notifytest.Harness {
//			srv := newFakeSlack(t) // an httptest.Server that behaves as told
//			return &notifytest.Harness{
//				Notifier: newSender(t, &slack.Config{WebhookURL: notify.Secret(srv.URL + "/services/T0/B0/XXXX")}),
//				Behave:   srv.behave, Received: srv.count, Secrets: []string{"XXXX"},
//			}
//		})
//	}
//
// SecretsHidden is the check of secrets on its own, for any value: it
// prints the value under every verb of fmt, logs it with slog's handlers
// and marshals it, and fails if a secret shows.
//
//	notifytest.SecretsHidden(t, sender, "xoxb-123")
//
// Sample gives realistic notifications, with markup and non-ASCII text in
// their labels, for a sender's golden tests.
package notifytest
