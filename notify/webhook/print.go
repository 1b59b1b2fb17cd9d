package webhook

import (
	"fmt"
	"log/slog"

	"github.com/alertkit/alertkit/notify"
)

// A Sender and a Config keep secrets — the URL, the bearer token, the
// values of the extra headers, the signing key — and print, log and
// marshal without them, under every verb of fmt.

// redacted describes a Sender without its secrets.
func (s *Sender) redacted() notify.Redacted {
	if s == nil {
		return notify.Redacted{}
	}
	return notify.Redacted{Type: "webhook.Sender", Attrs: []slog.Attr{
		slog.String("url", notify.RedactURL(s.cfg.URL.Reveal())),
		slog.String("format", s.cfg.Format),
	}}
}

// String describes the Sender for an operator, without its secrets:
// "webhook.Sender{url=https://hooks.example.com/… format=alertkit}".
func (s *Sender) String() string { return s.redacted().String() }

// GoString is the Sender's %#v, without its secrets.
func (s *Sender) GoString() string { return s.redacted().GoString() }

// Format writes String under every verb but %#v, which writes GoString.
func (s *Sender) Format(f fmt.State, verb rune) { s.redacted().Format(f, verb) }

// LogValue is the Sender for slog, without its secrets: its type, its url
// cut to its scheme and host, and its format.
func (s *Sender) LogValue() slog.Value { return s.redacted().LogValue() }

// plain is a Config without its methods, for fmt to print field by field:
// each Secret prints as "<secret>".
type plain Config

// String is the Config field by field, with its secrets as "<secret>":
// "{URL:<secret> Format:alertkit BearerToken:<secret> …}". fmt calls it
// for %v, %+v, %s, %q, %x and %X (the Config has a field named Format, and
// so cannot have the method).
func (c Config) String() string { return fmt.Sprintf("%+v", plain(c)) }

// GoString is the Config's %#v, with its secrets as
// notify.Secret("<secret>").
func (c Config) GoString() string { return notify.GoStringFields(plain(c), "webhook.Config") }

// LogValue is the Config for slog, with its secrets as "<secret>".
func (c Config) LogValue() slog.Value { return slog.AnyValue(plain(c)) }
