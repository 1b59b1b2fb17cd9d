package email

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strings"
	"time"

	"github.com/alertkit/alertkit/notify"
)

// HeaderKey is the header field that carries the notification's Key.
const HeaderKey = "X-Alertkit-Key"

// maxSubject caps the subject line, in characters.
const maxSubject = 200

// maxHeaderLine is where header fields are folded, as RFC 5322 recommends.
const maxHeaderLine = 78

type header struct{ name, value string }

// compose renders a notification into a message, with CRLF line ends.
func (s *Sender) compose(n *notify.Notification, rcpts []*mail.Address) ([]byte, error) {
	at := n.At
	if at.IsZero() {
		at = s.now()
	}
	subject, err := s.tmpl.subject.Render(n, at)
	if err != nil {
		return nil, err
	}
	text, err := s.tmpl.text.Render(n, at)
	if err != nil {
		return nil, err
	}
	html, err := s.tmpl.html.Render(n, at)
	if err != nil {
		return nil, err
	}
	subject = notify.Truncate(strings.Join(strings.Fields(strings.ToValidUTF8(subject, "\uFFFD")), " "), maxSubject)
	text, html = body(text), body(html)

	var b bytes.Buffer
	writeHeader(&b, "From", s.from.String())
	to := make([]string, len(rcpts))
	for i, a := range rcpts {
		to[i] = a.String()
	}
	writeHeader(&b, "To", strings.Join(to, ", "))
	writeHeader(&b, "Subject", mime.QEncoding.Encode("utf-8", subject))
	writeHeader(&b, "Date", at.Format(time.RFC1123Z))
	writeHeader(&b, "Message-ID", s.MessageID(n))
	if thread := s.threadID(n); thread != "" {
		writeHeader(&b, "In-Reply-To", thread)
		writeHeader(&b, "References", thread)
	}
	writeHeader(&b, HeaderKey, mime.QEncoding.Encode("utf-8", n.Key))
	writeHeader(&b, "Auto-Submitted", "auto-generated")
	for _, h := range s.headers {
		writeHeader(&b, h.name, mime.QEncoding.Encode("utf-8", h.value))
	}
	writeHeader(&b, "MIME-Version", "1.0")
	boundary := boundaryOf(n.Key, text, html)
	writeHeader(&b, "Content-Type", mime.FormatMediaType("multipart/alternative", map[string]string{"boundary": boundary}))
	b.WriteString("\r\n")

	mw := multipart.NewWriter(&b)
	if err := mw.SetBoundary(boundary); err != nil {
		return nil, fmt.Errorf("boundary: %w", err)
	}
	for _, p := range []struct{ contentType, body string }{
		{"text/plain; charset=utf-8", text},
		{"text/html; charset=utf-8", html},
	} {
		w, err := mw.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {p.contentType},
			"Content-Transfer-Encoding": {"quoted-printable"},
		})
		if err != nil {
			return nil, err
		}
		qp := quotedprintable.NewWriter(w)
		if _, err := qp.Write([]byte(p.body)); err != nil {
			return nil, err
		}
		if err := qp.Close(); err != nil {
			return nil, err
		}
	}
	if err := mw.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// body makes a rendered part valid UTF-8 with LF line ends, which the
// quoted-printable writer turns into CRLF.
func body(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.ReplaceAll(s, "\r", "\n")
}

// boundaryOf derives the multipart boundary from the message, so that a
// message sent again is the same, byte for byte, and no part can contain
// its boundary: it would have to contain a hash of itself.
func boundaryOf(key, text, html string) string {
	h := sha256.New()
	for _, s := range []string{key, text, html} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return "alertkit-" + hex.EncodeToString(h.Sum(nil))[:40]
}

// writeHeader writes a header field, folded at spaces to lines of at most
// maxHeaderLine characters where it can be. The value must not contain a
// line break: values from outside are encoded with mime.QEncoding, which
// encodes them, or checked by Config.Validate.
func writeHeader(b *bytes.Buffer, name, value string) {
	b.WriteString(name)
	b.WriteString(":")
	line := len(name) + 1
	for i, word := range strings.Split(value, " ") {
		if i > 0 && word != "" && line+1+len(word) > maxHeaderLine && line > len(name)+1 {
			b.WriteString("\r\n")
			line = 0
		}
		b.WriteByte(' ')
		b.WriteString(word)
		line += 1 + len(word)
	}
	b.WriteString("\r\n")
}

// MessageID returns the Message-ID of a notification's message, the same
// every time it is sent: for an incident's "opened" notification,
// "<incident-ID@domain>", which the incident's later messages name in
// In-Reply-To and References so that mail clients thread them; for the
// others, "<sha256-of-key@domain>". The domain is the From address's.
func (s *Sender) MessageID(n *notify.Notification) string {
	if n.Reason == notify.ReasonOpened {
		return s.incidentMessageID(string(n.Incident.ID))
	}
	sum := sha256.Sum256([]byte(n.Key))
	return "<" + hex.EncodeToString(sum[:]) + "@" + s.domain() + ">"
}

// threadID is the Message-ID a notification replies to: its incident's
// opened message; none for that message itself, or for a digest.
func (s *Sender) threadID(n *notify.Notification) string {
	if n.Reason == notify.ReasonOpened || n.Reason == notify.ReasonDigest {
		return ""
	}
	return s.incidentMessageID(string(n.Incident.ID))
}

// incidentMessageID is "<incident-ID@domain>", with an ID that is not
// letters, digits, '-' and '_' replaced by its hash.
func (s *Sender) incidentMessageID(id string) string {
	if !isToken(id) {
		sum := sha256.Sum256([]byte(id))
		id = hex.EncodeToString(sum[:16])
	}
	return "<incident-" + id + "@" + s.domain() + ">"
}

// domain is the From address's domain if it may stand in a Message-ID,
// else "alertkit".
func (s *Sender) domain() string {
	_, d, _ := strings.Cut(s.from.Address, "@")
	for part := range strings.SplitSeq(d, ".") {
		if !isToken(part) {
			return "alertkit"
		}
	}
	return strings.ToLower(d)
}

// isToken reports whether s is ASCII letters, digits, '-' and '_'.
func isToken(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return s != ""
}
