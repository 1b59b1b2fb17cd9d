// Package email sends alertkit's notifications by email, through an SMTP
// server (a "smarthost"): one message per notification, with a text part
// and an HTML part showing the incident card.
//
// A receiver's configuration, in YAML:
//
//	smarthost: smtp.example.com:587
//	from: Alertkit <alertkit@example.com>
//	to: [ops@example.com]
//	addresses:                      # People and Teams of a notification
//	  vasiliy.vasiliyev: vasiliy@example.com
//	  sre: sre-oncall@example.com
//	username: alertkit@example.com
//	password: hunter2               # a notify.Secret: prints as "<secret>"
//	headers:
//	  Reply-To: sre@example.com
//
// and in Go:
//
//	s, err := email.New(&email.Config{
//		Smarthost: "smtp.example.com:587",
//		From:      "Alertkit <alertkit@example.com>",
//		To:        []string{"ops@example.com"},
//		Username:  "alertkit@example.com",
//		Password:  notify.Secret(os.Getenv("SMTP_PASSWORD")),
//	}, nil)
//	err = s.Notify(ctx, n)
//
// # The session
//
// [Sender.Notify] dials the smarthost, says EHLO, starts TLS with STARTTLS
// (on port 465, TLS from the start instead), authenticates with AUTH PLAIN
// if a username is set, and sends the message with MAIL FROM, RCPT TO for
// each recipient, DATA and QUIT. A server that does not offer STARTTLS is
// refused unless [Config.RequireTLS] is false; even then the password is
// sent without TLS to localhost only. The context bounds the whole
// session: its deadline is the connection's, and its end closes the
// connection.
//
// The recipients are [Config.To] and the addresses that
// [Config.Addresses] gives the notification's People and Teams. A
// notification goes to all of them, or to none: a server that refuses one
// recipient fails the whole message, so that a retry does not send it
// twice to the others.
//
// # The message
//
// A message has a subject ([DefaultSubject]), and a multipart/alternative
// body of a text part ([DefaultText]) and an HTML part ([DefaultHTML]),
// both UTF-8 and quoted-printable. The templates are rendered at the
// notification's time, so a message sent again is the same, byte for
// byte. Every reason shows the incident card — status, severity, service
// level, alerts, duration, owner, the note, the labels, the alerts with
// their summary annotation, runbooks, the link to the incident — and the
// subject says its status: "[OPEN] S2 TargetDown in horns-and-hooves",
// "[ACKNOWLEDGED] …", "[RESOLVED] …". A digest lists its incidents under
// "[DIGEST] 3 incidents". The HTML part is rendered with html/template,
// which escapes labels and annotations; the subject is cut to 200
// characters, on one line.
//
// Its Message-ID stays the same when it is sent again: an incident's
// "opened" message is "<incident-ID@domain>", with the domain of From, and
// the other messages of the incident name it in In-Reply-To and
// References, so that mail clients thread them; other messages have the
// SHA-256 of the notification's Key. The Key itself is in the
// X-Alertkit-Key header ([HeaderKey]). Messages are marked
// "Auto-Submitted: auto-generated", so that automatic responders (out of
// office) do not answer them.
//
// # Errors
//
// A reply of the server is a [notify.StatusError] with its code: 4xx is
// retryable, 5xx is not. Network errors are retryable; a session that
// outlives its context's deadline wraps [notify.ErrTimeout]. A server
// without STARTTLS (when TLS is required), a notification whose People and
// Teams have no address and no To, and a template that fails are permanent
// errors. No error shows the password, nor does printing or logging a
// Sender, "email.Sender{smarthost=smtp.example.com:587 from=alertkit@example.com}",
// or its Config.
//
// # Concurrency
//
// A Sender may be used by many goroutines at once; each notification has
// its own SMTP session.
package email
