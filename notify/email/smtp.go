package email

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"strings"
	"time"

	"github.com/alertkit/alertkit/notify"
)

// quitTimeout bounds the QUIT that ends a refused exchange politely.
const quitTimeout = 5 * time.Second

// maxReply is how much of a server's reply an error keeps.
const maxReply = 512

// send delivers a message in one SMTP session: EHLO, STARTTLS, AUTH,
// MAIL, RCPT for each recipient, DATA, QUIT.
func (s *Sender) send(ctx context.Context, rcpts []*mail.Address, msg []byte) error {
	raw, err := s.dial(ctx, "tcp", s.smarthost)
	if err != nil {
		return s.fail(ctx, "connecting", err)
	}
	defer raw.Close()
	// The context bounds the whole session: its deadline is the
	// connection's, and its end closes the connection, so that a server
	// that stops answering is abandoned.
	if d, ok := ctx.Deadline(); ok {
		raw.SetDeadline(d)
	}
	stop := context.AfterFunc(ctx, func() {
		raw.SetDeadline(time.Unix(1, 0))
		raw.Close()
	})
	defer stop()

	conn := raw
	if s.implicitTLS {
		tc := tls.Client(raw, s.tlsConfig)
		if err := tc.HandshakeContext(ctx); err != nil {
			return s.fail(ctx, "TLS handshake", err)
		}
		conn = tc
	}
	c, err := smtp.NewClient(conn, s.host)
	if err != nil {
		return s.fail(ctx, "greeting", err)
	}
	defer c.Close()
	// refused ends a session the server refused, or the sender gave up on,
	// with QUIT, as RFC 5321 asks.
	refused := func(err error) error {
		if ctx.Err() == nil {
			raw.SetDeadline(time.Now().Add(quitTimeout))
			if d, ok := ctx.Deadline(); ok && d.Before(time.Now().Add(quitTimeout)) {
				raw.SetDeadline(d)
			}
			c.Quit()
		}
		return err
	}

	if err := c.Hello(s.hello); err != nil {
		return refused(s.fail(ctx, "EHLO", err))
	}
	if !s.implicitTLS {
		if ok, _ := c.Extension("STARTTLS"); ok {
			if err := c.StartTLS(s.tlsConfig); err != nil {
				return refused(s.fail(ctx, "STARTTLS", err))
			}
		} else if s.requireTLS {
			return refused(notify.Permanent(fmt.Errorf("email: %s offers no STARTTLS, and require_tls is set", s.smarthost)))
		}
	}
	if s.username != "" {
		if err := s.auth(c); err != nil {
			return refused(s.fail(ctx, "AUTH", err))
		}
	}
	if err := c.Mail(s.from.Address); err != nil {
		return refused(s.fail(ctx, "MAIL FROM", err))
	}
	for _, a := range rcpts {
		if err := c.Rcpt(a.Address); err != nil {
			return refused(s.fail(ctx, "RCPT TO <"+a.Address+">", err))
		}
	}
	w, err := c.Data()
	if err != nil {
		return refused(s.fail(ctx, "DATA", err))
	}
	if _, err := w.Write(msg); err != nil {
		return s.fail(ctx, "DATA", err)
	}
	if err := w.Close(); err != nil {
		return refused(s.fail(ctx, "DATA", err))
	}
	// The server has taken the message: a failed QUIT changes nothing.
	c.Quit()
	return nil
}

// auth authenticates with AUTH PLAIN, which sends the password only over
// TLS or to localhost.
func (s *Sender) auth(c *smtp.Client) error {
	ok, mechs := c.Extension("AUTH")
	if !ok {
		return notify.Permanent(errors.New("the server offers no AUTH, and username is set"))
	}
	if !hasWord(mechs, "PLAIN") {
		return notify.Permanent(fmt.Errorf("the server offers AUTH %s, not PLAIN", mechs))
	}
	if _, tls := c.TLSConnectionState(); !tls && !isLocalhost(s.host) {
		return notify.Permanent(errors.New("refusing to send the password over a connection without TLS"))
	}
	return c.Auth(smtp.PlainAuth("", s.username, s.password.Reveal(), s.host))
}

// isLocalhost is where smtp.PlainAuth sends a password without TLS.
func isLocalhost(host string) bool {
	return host == "localhost" || host == "127.0.0.1" || host == "::1"
}

func hasWord(s, w string) bool {
	for f := range strings.FieldsSeq(s) {
		if strings.EqualFold(f, w) {
			return true
		}
	}
	return false
}

// fail words the error of a step of the session: a server's reply is a
// *notify.StatusError, retryable when it is 4xx; a timeout wraps
// notify.ErrTimeout; a network error is retryable as it is. The reply of a
// server never contains the password, and the password is never in an
// error otherwise.
func (s *Sender) fail(ctx context.Context, step string, err error) error {
	if retry, _ := notify.Retryable(err); !retry { // the sender's own refusal
		return fmt.Errorf("email: %s: %w", step, err)
	}
	if te, ok := errors.AsType[*textproto.Error](err); ok {
		return fmt.Errorf("email: %s: %w", step, replyError(te))
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		if errors.Is(ctxErr, context.DeadlineExceeded) {
			return fmt.Errorf("email: %s: %w: %w", step, notify.ErrTimeout, ctxErr)
		}
		return fmt.Errorf("email: %s: %w", step, ctxErr)
	}
	if ne, ok := errors.AsType[net.Error](err); ok && ne.Timeout() {
		return fmt.Errorf("email: %s: %w: %w", step, notify.ErrTimeout, err)
	}
	return fmt.Errorf("email: %s: %w", step, err)
}

// replyError is the StatusError of an SMTP reply: 4xx is temporary, 5xx
// permanent; a reply the client did not expect (a 2xx or 3xx out of place)
// is a confused server, worth another try.
func replyError(te *textproto.Error) *notify.StatusError {
	msg := strings.Join(strings.Fields(te.Msg), " ")
	msg = notify.Truncate(msg, maxReply)
	return &notify.StatusError{
		StatusCode: te.Code,
		Status:     fmt.Sprintf("%03d %s", te.Code, msg),
		Retry:      te.Code < 500 || te.Code > 599,
	}
}
