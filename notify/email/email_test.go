package email_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alertkit/alertkit/internal/golden"
	"github.com/alertkit/alertkit/notify"
	"github.com/alertkit/alertkit/notify/email"
	"github.com/alertkit/alertkit/notify/notifytest"
)

// config is the configuration of a sender that talks to f.
func config(f *fakeServer) *email.Config {
	return &email.Config{
		Smarthost: f.Addr(),
		From:      "Alertkit <alertkit@example.com>",
		To:        []string{"ops@example.com"},
		Username:  fakeUser,
		Password:  fakePassword,
		Headers:   map[string]string{"Reply-To": "sre@example.com"},
	}
}

// newSender returns a Sender of cfg that trusts the fake's certificate.
func newSender(t *testing.T, cfg *email.Config, opts *email.Options) *email.Sender {
	t.Helper()
	c, err := testCert()
	require.NoError(t, err)
	if opts == nil {
		opts = &email.Options{}
	}
	opts.RootCAs = c.pool
	s, err := email.New(cfg, opts)
	require.NoError(t, err)
	return s
}

// redirect dials addr whatever address the sender asks for, so that a
// test can use a host name or port 465.
func redirect(addr string) func(ctx context.Context, network, _ string) (net.Conn, error) {
	return func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}
}

func boolp(b bool) *bool { return &b }

func TestConformance(t *testing.T) {
	notifytest.Run(t, func(t *testing.T) *notifytest.Harness {
		f := newFake(t, fakeOptions{})
		cfg := config(f)
		return &notifytest.Harness{
			Notifier: newSender(t, cfg, nil),
			Behave:   f.Behave,
			Received: f.Received,
			Secrets: []string{
				fakePassword,
				base64.StdEncoding.EncodeToString([]byte("\x00" + fakeUser + "\x00" + fakePassword)),
			},
			Config: cfg,
		}
	})
}

// parsed is a received message, decoded.
type parsed struct {
	header  mail.Header
	subject string
	text    string
	html    string
}

// parse reads a message as a mail client would, and checks its form:
// CRLF lines of at most 998 characters, the MIME structure, a text/plain
// and a text/html part, both quoted-printable UTF-8.
func parse(t *testing.T, data []byte) parsed {
	t.Helper()
	for i, line := range strings.Split(strings.TrimSuffix(string(data), "\r\n"), "\r\n") {
		if strings.Contains(line, "\n") || strings.Contains(line, "\r") {
			t.Errorf("line %d has a bare CR or LF: %q", i+1, line)
		}
		if len(line) > 998 {
			t.Errorf("line %d is %d characters long", i+1, len(line))
		}
	}
	msg, err := mail.ReadMessage(bytes.NewReader(data))
	require.NoError(t, err)
	p := parsed{header: msg.Header}
	p.subject, err = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	require.NoError(t, err)
	assert.Equal(t, "1.0", msg.Header.Get("MIME-Version"))
	mediaType, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	require.NoError(t, err)
	require.Equal(t, "multipart/alternative", mediaType)
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for _, want := range []struct {
		contentType string
		body        *string
	}{{"text/plain; charset=utf-8", &p.text}, {"text/html; charset=utf-8", &p.html}} {
		part, err := mr.NextRawPart()
		require.NoError(t, err)
		assert.Equal(t, want.contentType, part.Header.Get("Content-Type"))
		assert.Equal(t, "quoted-printable", part.Header.Get("Content-Transfer-Encoding"))
		b, err := io.ReadAll(quotedprintable.NewReader(part))
		require.NoError(t, err)
		*want.body = strings.ReplaceAll(string(b), "\r\n", "\n") // as a client shows it
	}
	_, err = mr.NextRawPart()
	require.ErrorIs(t, err, io.EOF, "more than two parts")
	return p
}

// deliver sends n through a fresh fake server with the default
// configuration changed by edit, and returns what the server received.
func deliver(t *testing.T, n *notify.Notification, edit func(*email.Config)) received {
	t.Helper()
	f := newFake(t, fakeOptions{})
	cfg := config(f)
	if edit != nil {
		edit(cfg)
	}
	require.NoError(t, newSender(t, cfg, nil).Notify(context.Background(), n))
	msgs := f.Messages()
	require.Len(t, msgs, 1)
	return msgs[0]
}

func TestGolden(t *testing.T) {
	for _, reason := range notify.Reasons() {
		t.Run(string(reason), func(t *testing.T) {
			m := deliver(t, notifytest.Sample(reason), nil)
			p := parse(t, m.data)
			got := fmt.Sprintf("Subject: %s\n\n-- text/plain --\n%s\n-- text/html --\n%s", p.subject, p.text, p.html)
			golden.Check(t, filepath.Join("testdata", string(reason)+".golden"), []byte(got))
		})
	}
}

func TestHeaders(t *testing.T) {
	f := newFake(t, fakeOptions{})
	s := newSender(t, config(f), nil)
	for _, reason := range notify.Reasons() {
		require.NoError(t, s.Notify(context.Background(), notifytest.Sample(reason)), reason)
	}
	msgs := f.Messages()
	require.Len(t, msgs, len(notify.Reasons()))
	opened := s.MessageID(notifytest.Sample(notify.ReasonOpened))
	assert.Equal(t, "<incident-01KAV7Z1S4X7B2WQ5AR6KF@example.com>", opened)

	ids := map[string]notify.Reason{}
	for i, reason := range notify.Reasons() {
		t.Run(string(reason), func(t *testing.T) {
			n := notifytest.Sample(reason)
			m := msgs[i]
			assert.True(t, m.tls, "sent without TLS")
			assert.Equal(t, "alertkit@example.com", m.from)
			assert.Equal(t, []string{"ops@example.com"}, m.to)
			h := parse(t, m.data).header

			assert.Equal(t, `"Alertkit" <alertkit@example.com>`, h.Get("From"))
			assert.Equal(t, "<ops@example.com>", h.Get("To"))
			assert.Equal(t, "Mon, 23 Nov 2026 16:52:10 +0000", h.Get("Date"))
			date, err := h.Date()
			require.NoError(t, err)
			assert.True(t, date.Equal(n.At), "Date %v, want %v", date, n.At)
			key, err := new(mime.WordDecoder).DecodeHeader(h.Get(email.HeaderKey))
			require.NoError(t, err)
			assert.Equal(t, n.Key, key)
			assert.Equal(t, "auto-generated", h.Get("Auto-Submitted"))
			assert.Equal(t, "sre@example.com", h.Get("Reply-To"))

			id := h.Get("Message-ID")
			assert.Equal(t, s.MessageID(n), id)
			assert.Regexp(t, `^<[A-Za-z0-9-]+@example\.com>$`, id)
			if other, ok := ids[id]; ok {
				t.Errorf("%s has the Message-ID of %s", reason, other)
			}
			ids[id] = reason

			switch reason {
			case notify.ReasonOpened, notify.ReasonDigest:
				assert.Empty(t, h.Get("In-Reply-To"))
				assert.Empty(t, h.Get("References"))
			default:
				assert.Equal(t, opened, h.Get("In-Reply-To"))
				assert.Equal(t, opened, h.Get("References"))
			}
		})
	}
}

func TestStableMessage(t *testing.T) {
	f := newFake(t, fakeOptions{})
	s := newSender(t, config(f), nil)
	for _, reason := range []notify.Reason{notify.ReasonOpened, notify.ReasonEscalation} {
		require.NoError(t, s.Notify(context.Background(), notifytest.Sample(reason)))
		require.NoError(t, s.Notify(context.Background(), notifytest.Sample(reason)))
	}
	msgs := f.Messages()
	require.Len(t, msgs, 4)
	// A message sent again, after a crash, is the same message, byte for
	// byte, Message-ID included.
	assert.Equal(t, string(msgs[0].data), string(msgs[1].data))
	assert.Equal(t, string(msgs[2].data), string(msgs[3].data))
	assert.Equal(t, "<incident-01KAV7Z1S4X7B2WQ5AR6KF@example.com>", parse(t, msgs[0].data).header.Get("Message-ID"))
	// The escalation's Message-ID is the hash of its key.
	assert.Equal(t, "<25afce9a31abd9dd1f8aaec713199d02670a64d6980e164ed07760224fb1f2f9@example.com>",
		parse(t, msgs[2].data).header.Get("Message-ID"))

	// A notification of another key has another Message-ID; an incident
	// ID that cannot stand in a Message-ID is hashed.
	n := notifytest.Sample(notify.ReasonEscalation)
	n.Key += "x"
	assert.NotEqual(t, s.MessageID(notifytest.Sample(notify.ReasonEscalation)), s.MessageID(n))
	n = notifytest.Sample(notify.ReasonOpened)
	n.Incident.ID = "a b>c@d"
	assert.Regexp(t, `^<incident-[0-9a-f]{32}@example\.com>$`, s.MessageID(n))
}

func TestEscaping(t *testing.T) {
	p := parse(t, deliver(t, notifytest.Sample(notify.ReasonOpened), nil).data)
	assert.NotContains(t, p.html, "<script")
	assert.NotContains(t, p.html, "<b>")
	assert.Contains(t, p.html, "Target 10.244.37.14:9403 is down — &lt;script&gt;alert(1)&lt;/script&gt; @channel")
	assert.Contains(t, p.html, "checkout &lt;b&gt;&amp;amp;&lt;/b&gt; &#34;payments&#34;")
	// The text part is text: it shows the labels as they are.
	assert.Contains(t, p.text, "<script>alert(1)</script> @channel")
	assert.Contains(t, p.text, `checkout <b>&amp;</b> "payments"`)
}

func TestNonASCIISubject(t *testing.T) {
	m := deliver(t, notifytest.Sample(notify.ReasonOpened), func(c *email.Config) {
		c.Subject = `Инцидент {{ .Incident.Title }}: {{ range .Incident.Members }}{{ range $k, $v := .Annotations }}{{ $v }} {{ end }}{{ end }}`
	})
	raw, err := mail.ReadMessage(bytes.NewReader(m.data))
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(raw.Header.Get("Subject"), "=?utf-8?q?"), raw.Header.Get("Subject"))
	p := parse(t, m.data)
	assert.Equal(t, "Инцидент TargetDown in horns-and-hooves: Цель недоступна 5 минут; 目标不可用 Target 10.244.37.14:9403 is down — <script>alert(1)</script> @channel",
		p.subject)
}

func TestLongSubject(t *testing.T) {
	n := notifytest.Sample(notify.ReasonOpened)
	n.Incident.Title = strings.Repeat("Цель недоступна\r\nBcc: evil@example.com ", 40)
	p := parse(t, deliver(t, n, nil).data)
	assert.Equal(t, 200, len([]rune(p.subject)))
	assert.True(t, strings.HasSuffix(p.subject, "…"), p.subject)
	assert.Empty(t, p.header.Get("Bcc"))
	assert.True(t, strings.HasPrefix(p.subject, "[OPEN] S2 Цель недоступна Bcc: evil@example.com Цель"), p.subject)
}

func TestKeyInjection(t *testing.T) {
	n := notifytest.Sample(notify.ReasonEscalation)
	n.Key = "k\r\nBcc: evil@example.com\r\n\r\n<html>"
	m := deliver(t, n, nil)
	p := parse(t, m.data)
	assert.Empty(t, p.header.Get("Bcc"))
	key, err := new(mime.WordDecoder).DecodeHeader(p.header.Get(email.HeaderKey))
	require.NoError(t, err)
	assert.Equal(t, n.Key, key)
	assert.Equal(t, []string{"ops@example.com"}, m.to)
}

func TestImplicitTLS(t *testing.T) {
	f := newFake(t, fakeOptions{implicitTLS: true})
	cfg := config(f)
	cfg.Smarthost = "127.0.0.1:465"
	s := newSender(t, cfg, &email.Options{DialContext: redirect(f.Addr())})
	require.NoError(t, s.Notify(context.Background(), notifytest.Sample(notify.ReasonOpened)))
	msgs := f.Messages()
	require.Len(t, msgs, 1)
	assert.True(t, msgs[0].tls)
	assert.NotContains(t, f.Commands(), "STARTTLS")
	assert.Equal(t, []string{"EHLO", "AUTH", "MAIL", "RCPT", "DATA", "QUIT"}, f.Commands())
}

func TestStartTLS(t *testing.T) {
	f := newFake(t, fakeOptions{})
	cfg := config(f)
	cfg.Hello = "alerts.example.com"
	require.NoError(t, newSender(t, cfg, nil).Notify(context.Background(), notifytest.Sample(notify.ReasonOpened)))
	assert.Equal(t, []string{"EHLO", "STARTTLS", "EHLO", "AUTH", "MAIL", "RCPT", "DATA", "QUIT"}, f.Commands())
}

func TestRequireTLS(t *testing.T) {
	t.Run("a server without STARTTLS is refused", func(t *testing.T) {
		f := newFake(t, fakeOptions{noSTARTTLS: true})
		err := newSender(t, config(f), nil).Notify(context.Background(), notifytest.Sample(notify.ReasonOpened))
		require.Error(t, err)
		assert.Equal(t, "email: "+f.Addr()+" offers no STARTTLS, and require_tls is set", err.Error())
		retry, _ := notify.Retryable(err)
		assert.False(t, retry)
		assert.Equal(t, []string{"EHLO", "QUIT"}, f.Commands())
		assert.Zero(t, f.Received())
	})
	t.Run("unless TLS is not required", func(t *testing.T) {
		f := newFake(t, fakeOptions{noSTARTTLS: true, noAuth: true})
		cfg := config(f)
		cfg.RequireTLS = boolp(false)
		cfg.Username, cfg.Password = "", ""
		require.NoError(t, newSender(t, cfg, nil).Notify(context.Background(), notifytest.Sample(notify.ReasonOpened)))
		msgs := f.Messages()
		require.Len(t, msgs, 1)
		assert.False(t, msgs[0].tls)
	})
	t.Run("STARTTLS is used when offered, even if not required", func(t *testing.T) {
		f := newFake(t, fakeOptions{})
		cfg := config(f)
		cfg.RequireTLS = boolp(false)
		require.NoError(t, newSender(t, cfg, nil).Notify(context.Background(), notifytest.Sample(notify.ReasonOpened)))
		msgs := f.Messages()
		require.Len(t, msgs, 1)
		assert.True(t, msgs[0].tls)
	})
	t.Run("the password goes without TLS to localhost only", func(t *testing.T) {
		f := newFake(t, fakeOptions{noSTARTTLS: true})
		cfg := config(f)
		cfg.RequireTLS = boolp(false)
		require.NoError(t, newSender(t, cfg, nil).Notify(context.Background(), notifytest.Sample(notify.ReasonOpened)))
		assert.Equal(t, 1, f.Received())

		cfg.Smarthost = "mail.example.com:25"
		s := newSender(t, cfg, &email.Options{DialContext: redirect(f.Addr())})
		err := s.Notify(context.Background(), notifytest.Sample(notify.ReasonOpened))
		require.Error(t, err)
		assert.Equal(t, "email: AUTH: refusing to send the password over a connection without TLS", err.Error())
		retry, _ := notify.Retryable(err)
		assert.False(t, retry)
		assert.Equal(t, []string{"EHLO", "AUTH", "MAIL", "RCPT", "DATA", "QUIT", "EHLO", "QUIT"}, f.Commands())
	})
}

func TestTLSConfig(t *testing.T) {
	tests := []struct {
		name string
		tls  email.TLSConfig
		pool bool
		err  string
	}{
		{name: "the certificate's IP address", pool: true},
		{name: "a server name the certificate has", tls: email.TLSConfig{ServerName: "localhost"}, pool: true},
		{name: "a server name it has not", tls: email.TLSConfig{ServerName: "smtp.example.com"}, pool: true,
			err: "email: STARTTLS: tls: failed to verify certificate: x509: certificate is valid for localhost, not smtp.example.com"},
		{name: "an unknown authority", err: "email: STARTTLS: tls: failed to verify certificate: "}, // the rest depends on the system
		{name: "skipping verification", tls: email.TLSConfig{InsecureSkipVerify: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, fakeOptions{})
			cfg := config(f)
			cfg.TLS = tt.tls
			opts := &email.Options{}
			if tt.pool {
				c, err := testCert()
				require.NoError(t, err)
				opts.RootCAs = c.pool
			}
			s, err := email.New(cfg, opts)
			require.NoError(t, err)
			err = s.Notify(context.Background(), notifytest.Sample(notify.ReasonOpened))
			if tt.err == "" {
				require.NoError(t, err)
				assert.Equal(t, 1, f.Received())
				return
			}
			require.Error(t, err)
			assert.True(t, strings.HasPrefix(err.Error(), tt.err), err.Error())
			assert.Zero(t, f.Received())
			assert.Equal(t, []string{"EHLO", "STARTTLS"}, f.Commands(), "the sender went on without TLS")
		})
	}
}

func TestAddresses(t *testing.T) {
	addresses := map[string]string{
		"vasiliy.vasiliyev": "Василий Васильев <vasiliy@example.com>",
		"sre":               "sre@example.com",
	}
	tests := []struct {
		name      string
		to        []string
		addresses map[string]string
		edit      func(*notify.Notification)
		rcpt      []string
		header    string
		err       string
	}{
		{
			name: "people and teams", addresses: addresses,
			rcpt:   []string{"vasiliy@example.com", "sre@example.com"},
			header: "=?utf-8?q?=D0=92=D0=B0=D1=81=D0=B8=D0=BB=D0=B8=D0=B9_=D0=92=D0=B0=D1=81?= =?utf-8?q?=D0=B8=D0=BB=D1=8C=D0=B5=D0=B2?= <vasiliy@example.com>, <sre@example.com>",
		},
		{
			name: "to comes first, each address once", to: []string{"SRE@example.com", "ops@example.com"}, addresses: addresses,
			rcpt:   []string{"SRE@example.com", "ops@example.com", "vasiliy@example.com"},
			header: "<SRE@example.com>, <ops@example.com>, =?utf-8?q?=D0=92=D0=B0=D1=81=D0=B8=D0=BB=D0=B8=D0=B9_=D0=92=D0=B0=D1=81?= =?utf-8?q?=D0=B8=D0=BB=D1=8C=D0=B5=D0=B2?= <vasiliy@example.com>",
		},
		{
			name: "names without an address are left out", addresses: addresses,
			edit:   func(n *notify.Notification) { n.People = []string{"anna.petrova"} },
			rcpt:   []string{"sre@example.com"},
			header: "<sre@example.com>",
		},
		{
			name: "nobody with an address", addresses: map[string]string{"db": "db@example.com"},
			err: "email: no recipient: no address for vasiliy.vasiliyev, sre",
		},
		{
			name: "nobody at all", addresses: addresses,
			edit: func(n *notify.Notification) { n.People, n.Teams = nil, nil },
			err:  "email: no recipient: to is empty and the notification names nobody",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, fakeOptions{})
			cfg := config(f)
			cfg.To, cfg.Addresses = tt.to, tt.addresses
			n := notifytest.Sample(notify.ReasonOpened)
			if tt.edit != nil {
				tt.edit(n)
			}
			err := newSender(t, cfg, nil).Notify(context.Background(), n)
			if tt.err != "" {
				require.Error(t, err)
				assert.Equal(t, tt.err, err.Error())
				retry, _ := notify.Retryable(err)
				assert.False(t, retry)
				assert.Empty(t, f.Commands(), "the sender connected")
				return
			}
			require.NoError(t, err)
			msgs := f.Messages()
			require.Len(t, msgs, 1)
			assert.Equal(t, tt.rcpt, msgs[0].to)
			msg, err := mail.ReadMessage(bytes.NewReader(msgs[0].data))
			require.NoError(t, err)
			assert.Equal(t, tt.header, msg.Header.Get("To"))
			list, err := msg.Header.AddressList("To")
			require.NoError(t, err)
			assert.Len(t, list, len(tt.rcpt))
		})
	}
}

func TestReplies(t *testing.T) {
	tests := []struct {
		name      string
		opts      fakeOptions
		behaviour notifytest.Behaviour
		password  string
		err       string
		code      int
		retry     bool
	}{
		{
			name: "451 at MAIL", behaviour: notifytest.Fail,
			err: "email: MAIL FROM: 451 4.3.0 temporary failure, try again later", code: 451, retry: true,
		},
		{
			name: "451 at the end of DATA", opts: fakeOptions{failAtData: true}, behaviour: notifytest.Fail,
			err: "email: DATA: 451 4.3.0 temporary failure, try again later", code: 451, retry: true,
		},
		{
			name: "550 at RCPT", behaviour: notifytest.Refuse,
			err: "email: RCPT TO <ops@example.com>: 550 5.1.1 <ops@example.com>: mailbox unavailable", code: 550,
		},
		{
			name: "wrong password", password: "wrong-horse",
			err: "email: AUTH: 535 5.7.8 authentication credentials invalid", code: 535,
		},
		{
			name: "no AUTH offered", opts: fakeOptions{noAuth: true},
			err: "email: AUTH: the server offers no AUTH, and username is set",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, tt.opts)
			f.Behave(tt.behaviour)
			cfg := config(f)
			if tt.password != "" {
				cfg.Password = notify.Secret(tt.password)
			}
			err := newSender(t, cfg, nil).Notify(context.Background(), notifytest.Sample(notify.ReasonOpened))
			require.Error(t, err)
			assert.Equal(t, tt.err, err.Error())
			assert.Equal(t, tt.code, notify.StatusCode(err))
			retry, after := notify.Retryable(err)
			assert.Equal(t, tt.retry, retry)
			assert.Zero(t, after)
			assert.NotContains(t, err.Error(), fakePassword)
			assert.NotContains(t, err.Error(), "wrong-horse")
			assert.Zero(t, f.Received())
		})
	}
}

func TestNetworkErrors(t *testing.T) {
	t.Run("no server", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		addr := ln.Addr().String()
		ln.Close()
		s := newSender(t, &email.Config{Smarthost: addr, From: "a@example.com", To: []string{"b@example.com"}}, nil)
		err = s.Notify(context.Background(), notifytest.Sample(notify.ReasonOpened))
		require.Error(t, err)
		assert.True(t, strings.HasPrefix(err.Error(), "email: connecting: dial tcp "+addr), err.Error())
		retry, _ := notify.Retryable(err)
		assert.True(t, retry)
	})
	t.Run("a cancelled session", func(t *testing.T) {
		f := newFake(t, fakeOptions{})
		f.Behave(notifytest.Hang)
		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			<-f.hung // the server has stopped answering
			cancel()
		}()
		err := newSender(t, config(f), nil).Notify(ctx, notifytest.Sample(notify.ReasonOpened))
		require.ErrorIs(t, err, context.Canceled)
		assert.Equal(t, "email: MAIL FROM: context canceled", err.Error())
		retry, _ := notify.Retryable(err)
		assert.True(t, retry)
	})
	t.Run("a session past its deadline", func(t *testing.T) {
		f := newFake(t, fakeOptions{})
		f.Behave(notifytest.Hang)
		ctx := &expiring{Context: context.Background(), done: make(chan struct{})}
		go func() {
			<-f.hung
			close(ctx.done) // the deadline passes, without waiting for it
		}()
		err := newSender(t, config(f), nil).Notify(ctx, notifytest.Sample(notify.ReasonOpened))
		require.ErrorIs(t, err, notify.ErrTimeout)
		require.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Equal(t, "email: MAIL FROM: timed out: context deadline exceeded", err.Error())
		retry, _ := notify.Retryable(err)
		assert.True(t, retry)
	})
}

// expiring is a context whose deadline passes when done is closed.
type expiring struct {
	context.Context
	done chan struct{}
}

func (c *expiring) Deadline() (time.Time, bool) { return time.Now().Add(time.Hour), true }
func (c *expiring) Done() <-chan struct{}       { return c.done }
func (c *expiring) Err() error {
	select {
	case <-c.done:
		return context.DeadlineExceeded
	default:
		return nil
	}
}

func TestValidate(t *testing.T) {
	valid := func() *email.Config {
		return &email.Config{Smarthost: "smtp.example.com:587", From: "alertkit@example.com", To: []string{"ops@example.com"}}
	}
	tests := []struct {
		name string
		edit func(*email.Config)
		err  string
	}{
		{"valid", func(*email.Config) {}, ""},
		{"addresses instead of to", func(c *email.Config) { c.To, c.Addresses = nil, map[string]string{"sre": "sre@example.com"} }, ""},
		{"no smarthost", func(c *email.Config) { c.Smarthost = "" }, "email: smarthost: missing"},
		{"no port", func(c *email.Config) { c.Smarthost = "smtp.example.com" }, `email: smarthost: not host:port`},
		{"bad port", func(c *email.Config) { c.Smarthost = "smtp.example.com:smtp" }, `email: smarthost: the port is not a number from 1 to 65535`},
		{"no host", func(c *email.Config) { c.Smarthost = ":25" }, `email: smarthost: no host`},
		{"no from", func(c *email.Config) { c.From = "" }, "email: from: missing"},
		{"bad from", func(c *email.Config) { c.From = "alertkit" }, `email: from: not an address: missing '@' or angle-addr`},
		{"no to", func(c *email.Config) { c.To = nil }, "email: to: missing, and no addresses"},
		{"bad to", func(c *email.Config) { c.To = append(c.To, "a@b, c@d") }, `email: to[1]: not an address: expected single address`},
		{"bad address", func(c *email.Config) { c.Addresses = map[string]string{"sre": "sre"} }, `email: addresses: sre: not an address: missing '@' or angle-addr`},
		{"empty name", func(c *email.Config) { c.Addresses = map[string]string{"": "sre@example.com"} }, "email: addresses: an empty name"},
		{"bad hello", func(c *email.Config) { c.Hello = "alerts\r\nRSET" }, `email: hello: not a host name (printable ASCII without spaces)`},
		{"username without password", func(c *email.Config) { c.Username = "alertkit" }, "email: password: missing, and username is set"},
		{"password without username", func(c *email.Config) { c.Password = "hunter2" }, "email: username: missing, and password is set"},
		{"password with a line break", func(c *email.Config) { c.Username, c.Password = "a", "hunter2\r\n" }, "email: password: contains a line break or NUL"},
		{"header injection in a value", func(c *email.Config) { c.Headers = map[string]string{"X-Team": "sre\r\nBcc: evil@example.com"} }, "email: headers: X-Team: the value contains a line break"},
		{"a bare LF", func(c *email.Config) { c.Headers = map[string]string{"X-Team": "sre\nBcc: evil@example.com"} }, "email: headers: X-Team: the value contains a line break"},
		{"header injection in a name", func(c *email.Config) { c.Headers = map[string]string{"X-Team\r\nBcc": "evil@example.com"} }, `email: headers: a name is not a header field name (printable ASCII without a colon)`},
		{"a name with a colon", func(c *email.Config) { c.Headers = map[string]string{"X-Team:": "sre"} }, `email: headers: a name is not a header field name (printable ASCII without a colon)`},
		{"a control character", func(c *email.Config) { c.Headers = map[string]string{"X-Team": "sre\x00"} }, "email: headers: X-Team: the value contains a control character"},
		{"a header the sender writes", func(c *email.Config) { c.Headers = map[string]string{"message-id": "<x@y>"} }, "email: headers: message-id: written by the sender, cannot be set"},
		{"bcc", func(c *email.Config) { c.Headers = map[string]string{"Bcc": "evil@example.com"} }, "email: headers: Bcc: written by the sender, cannot be set"},
		{"a broken subject", func(c *email.Config) { c.Subject = "{{ .Incident.Title" }, `email: template subject: template: subject:1: unclosed action`},
		{"a broken text", func(c *email.Config) { c.Text = "{{ nope }}" }, `email: template text: template: text:1: function "nope" not defined`},
		{"a broken html", func(c *email.Config) { c.HTML = "<p>\n{{ end }}" }, `email: template html: template: html:2: unexpected {{end}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := valid()
			tt.edit(cfg)
			err := cfg.Validate()
			if tt.err == "" {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Equal(t, tt.err, err.Error())
			_, err = email.New(cfg, nil)
			require.Error(t, err)
			assert.Equal(t, tt.err, err.Error())
		})
	}
	_, err := email.New(nil, nil)
	assert.EqualError(t, err, "email: no configuration")
}

func TestTemplates(t *testing.T) {
	t.Run("overrides", func(t *testing.T) {
		m := deliver(t, notifytest.Sample(notify.ReasonAcknowledged), func(c *email.Config) {
			c.Subject = "{{ .Incident.Status }}: {{ .Incident.Title }}\n\n(S{{ .Incident.Severity }})"
			c.Text = "{{ .Note }}\r\nby {{ .Incident.Owner }}"
			c.HTML = `<p title="{{ .Note }}">{{ .Incident.Title }} <a href="{{ .Incident.URL }}">open</a> <a href="{{ "javascript:alert(1)" }}">x</a></p>`
		})
		p := parse(t, m.data)
		assert.Equal(t, "acknowledged: TargetDown in horns-and-hooves (S2)", p.subject)
		assert.Equal(t, "acknowledged by vasiliy.vasiliyev: looking\nby vasiliy.vasiliyev", p.text)
		assert.Equal(t, `<p title="acknowledged by vasiliy.vasiliyev: looking">TargetDown in horns-and-hooves <a href="https://alerts.example.com/incidents/01KAV7Z1S4X7B2WQ5AR6KF">open</a> <a href="#ZgotmplZ">x</a></p>`, p.html)
	})
	t.Run("a template that fails is a permanent error", func(t *testing.T) {
		f := newFake(t, fakeOptions{})
		cfg := config(f)
		cfg.Text = "{{ .Incident.Nope }}"
		err := newSender(t, cfg, nil).Notify(context.Background(), notifytest.Sample(notify.ReasonOpened))
		require.Error(t, err)
		assert.Contains(t, err.Error(), "email: template text: template: text:1:12: executing \"text\" at <.Incident.Nope>: can't evaluate field Nope")
		retry, _ := notify.Retryable(err)
		assert.False(t, retry)
		assert.Empty(t, f.Commands())
	})
	t.Run("a notification without a time is stamped with Now", func(t *testing.T) {
		f := newFake(t, fakeOptions{})
		now := time.Date(2026, 12, 1, 8, 0, 0, 0, time.FixedZone("CET", 3600))
		s := newSender(t, config(f), &email.Options{Now: func() time.Time { return now }})
		n := notifytest.Sample(notify.ReasonOpened)
		n.At = time.Time{}
		require.NoError(t, s.Notify(context.Background(), n))
		p := parse(t, f.Messages()[0].data)
		assert.Equal(t, "Tue, 01 Dec 2026 08:00:00 +0100", p.header.Get("Date"))
		assert.Contains(t, p.text, "Duration:      182h15m50s") // from CreatedAt to Now
	})
	t.Run("defaults parse", func(t *testing.T) {
		for _, tmpl := range []string{email.DefaultSubject, email.DefaultText} {
			_, err := notify.ParseText("t", tmpl)
			assert.NoError(t, err)
		}
		_, err := notify.ParseHTML("h", email.DefaultHTML)
		assert.NoError(t, err)
	})
}

func TestConfigHidesPassword(t *testing.T) {
	cfg := &email.Config{Smarthost: "smtp.example.com:587", From: "a@example.com", To: []string{"b@example.com"}, Username: "u", Password: fakePassword}
	for _, s := range []string{fmt.Sprint(cfg), fmt.Sprintf("%+v", cfg), fmt.Sprintf("%#v", cfg)} {
		assert.NotContains(t, s, fakePassword)
	}
}

func TestDotStuffing(t *testing.T) {
	n := notifytest.Sample(notify.ReasonOpened)
	n.Note = "first\n.\n..two dots\n.end"
	p := parse(t, deliver(t, n, nil).data)
	assert.True(t, strings.HasPrefix(p.text, n.Note+"\n\n"), p.text)
}

// The fake server catches a client that authenticates before STARTTLS,
// or sends mail without authenticating.
func TestFakeServer(t *testing.T) {
	var mu sync.Mutex
	var complaints []string
	f, err := startFake(func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		complaints = append(complaints, fmt.Sprintf(format, args...))
	}, fakeOptions{})
	require.NoError(t, err)
	defer f.Close()

	c, err := smtp.Dial(f.Addr())
	require.NoError(t, err)
	require.NoError(t, c.Hello("client.test"))
	err = c.Auth(smtp.PlainAuth("", fakeUser, fakePassword, "127.0.0.1")) // localhost: net/smtp allows it
	assert.EqualError(t, err, `538 "5.7.11 encryption required"`)

	c, err = smtp.Dial(f.Addr())
	require.NoError(t, err)
	require.NoError(t, c.Hello("client.test"))
	assert.EqualError(t, c.Mail("alertkit@example.com"), `530 "5.7.0 authentication required"`)
	require.NoError(t, c.Quit())

	f.Close()
	assert.Equal(t, []string{"AUTH before STARTTLS", "MAIL before AUTH"}, complaints)
}
