package email

import (
	"fmt"
	"log/slog"
	"strings"

	"github.com/alertkit/alertkit/notify"
)

// A Sender and a Config keep the SMTP password, and print, log and marshal
// without it, under every verb of fmt.

// redacted describes a Sender without its password.
func (s *Sender) redacted() notify.Redacted {
	if s == nil {
		return notify.Redacted{}
	}
	to := make([]string, len(s.to))
	for i, a := range s.to {
		to[i] = a.Address
	}
	attrs := []slog.Attr{slog.String("smarthost", s.smarthost), slog.String("from", s.from.Address)}
	if len(to) > 0 {
		attrs = append(attrs, slog.String("to", strings.Join(to, ",")))
	}
	return notify.Redacted{Type: "email.Sender", Attrs: attrs}
}

// String describes the Sender for an operator, without its password:
// "email.Sender{smarthost=smtp.example.com:587 from=alertkit@example.com to=ops@example.com}".
func (s *Sender) String() string { return s.redacted().String() }

// GoString is the Sender's %#v, without its password.
func (s *Sender) GoString() string { return s.redacted().GoString() }

// Format writes String under every verb but %#v, which writes GoString.
func (s *Sender) Format(f fmt.State, verb rune) { s.redacted().Format(f, verb) }

// LogValue is the Sender for slog, without its password: its type, its
// smarthost, its from, and its to when set.
func (s *Sender) LogValue() slog.Value { return s.redacted().LogValue() }

// plain is a Config without its methods, for fmt to print field by field:
// the password prints as "<secret>".
type plain Config

// String is the Config's %v, with the password as "<secret>".
func (c Config) String() string { return fmt.Sprint(plain(c)) }

// GoString is the Config's %#v, with the password as
// notify.Secret("<secret>").
func (c Config) GoString() string { return notify.GoStringFields(plain(c), "email.Config") }

// Format prints the Config field by field under every verb, the password
// as "<secret>": without it, fmt would print a *Config inside a slice or a
// map under %s or %q without asking its Secret.
func (c Config) Format(f fmt.State, verb rune) {
	notify.FormatFields(f, verb, plain(c), "email.Config")
}

// LogValue is the Config for slog, with the password as "<secret>".
func (c Config) LogValue() slog.Value { return slog.AnyValue(plain(c)) }
