package email_test

import (
	"bytes"
	"context"
	"fmt"
	"mime"
	"net/mail"

	"github.com/alertkit/alertkit/notify"
	"github.com/alertkit/alertkit/notify/email"
	"github.com/alertkit/alertkit/notify/notifytest"
)

// A sender that talks to an SMTP server with STARTTLS and AUTH PLAIN: here
// a fake one, whose certificate the sender is told to trust.
func Example() {
	srv, err := startFake(func(format string, args ...any) { fmt.Printf("server: "+format+"\n", args...) }, fakeOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()
	cert, _ := testCert()

	s, err := email.New(&email.Config{
		Smarthost: srv.Addr(),
		From:      "Alertkit <alertkit@example.com>",
		To:        []string{"ops@example.com"},
		Addresses: map[string]string{"sre": "SRE on call <sre-oncall@example.com>"},
		Username:  "alertkit",
		Password:  notify.Secret("hunter2-c0rrect-h0rse"),
	}, &email.Options{RootCAs: cert.pool})
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := s.Notify(context.Background(), notifytest.Sample(notify.ReasonEscalation)); err != nil {
		fmt.Println(err)
		return
	}

	m := srv.Messages()[0]
	fmt.Println("commands:", srv.Commands())
	fmt.Println("envelope:", m.from, "→", m.to)
	msg, _ := mail.ReadMessage(bytes.NewReader(m.data))
	for _, name := range []string{"From", "To", "Subject", "Message-ID", "In-Reply-To"} {
		v, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get(name))
		fmt.Printf("%s: %s\n", name, v)
	}
	// Output:
	// commands: [EHLO STARTTLS EHLO AUTH MAIL RCPT RCPT DATA QUIT]
	// envelope: alertkit@example.com → [ops@example.com sre-oncall@example.com]
	// From: "Alertkit" <alertkit@example.com>
	// To: <ops@example.com>, "SRE on call" <sre-oncall@example.com>
	// Subject: [OPEN] S2 TargetDown in horns-and-hooves
	// Message-ID: <25afce9a31abd9dd1f8aaec713199d02670a64d6980e164ed07760224fb1f2f9@example.com>
	// In-Reply-To: <incident-01KAV7Z1S4X7B2WQ5AR6KF@example.com>
}
