package telegram

import (
	"fmt"
	"log/slog"
	"strconv"

	"github.com/alertkit/alertkit/notify"
)

// A Sender and a Config keep the bot's token, and print, log and marshal
// without it, under every verb of fmt; so does an error whose text had it.

// redacted describes a Sender without its token.
func (s *Sender) redacted() notify.Redacted {
	if s == nil {
		return notify.Redacted{}
	}
	api, _ := s.cfg.apiURL()
	attrs := []slog.Attr{slog.String("api", notify.RedactURL(api)), slog.String("chat", s.cfg.ChatID)}
	if s.cfg.MessageThreadID != 0 {
		attrs = append(attrs, slog.String("thread", strconv.Itoa(s.cfg.MessageThreadID)))
	}
	return notify.Redacted{Type: "telegram.Sender", Attrs: attrs}
}

// String describes the Sender for an operator, without its token:
// "telegram.Sender{api=https://api.telegram.org chat=-1001234567890}".
func (s *Sender) String() string { return s.redacted().String() }

// GoString is the Sender's %#v, without its token.
func (s *Sender) GoString() string { return s.redacted().GoString() }

// Format writes String under every verb but %#v, which writes GoString.
func (s *Sender) Format(f fmt.State, verb rune) { s.redacted().Format(f, verb) }

// LogValue is the Sender for slog, without its token: its type, its api,
// its chat, and its thread when set.
func (s *Sender) LogValue() slog.Value { return s.redacted().LogValue() }

// plain is a Config without its methods, for fmt to print field by field:
// the token prints as "<secret>".
type plain Config

// String is the Config's %v, with the token as "<secret>".
func (c Config) String() string { return fmt.Sprint(plain(c)) }

// GoString is the Config's %#v, with the token as
// notify.Secret("<secret>").
func (c Config) GoString() string { return notify.GoStringFields(plain(c), "telegram.Config") }

// Format prints the Config field by field under every verb, the token as
// "<secret>": without it, fmt would print a *Config inside a slice or a
// map under %s or %q without asking its Secret.
func (c Config) Format(f fmt.State, verb rune) {
	notify.FormatFields(f, verb, plain(c), "telegram.Config")
}

// LogValue is the Config for slog, with the token as "<secret>".
func (c Config) LogValue() slog.Value { return slog.AnyValue(plain(c)) }

// The text of a hidden error has no token, but the error it wraps may: it
// prints as its text under every verb, %#v and %+v included.

func (h *hidden) String() string   { return h.text }
func (h *hidden) GoString() string { return "&telegram.hidden{text:" + strconv.Quote(h.text) + "}" }
func (h *hidden) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		fmt.Fprint(f, h.GoString())
		return
	}
	fmt.Fprintf(f, fmt.FormatString(f, verb), h.text)
}
func (h *hidden) LogValue() slog.Value { return slog.StringValue(h.text) }
