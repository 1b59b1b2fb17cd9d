package slack

import (
	"fmt"
	"log/slog"

	"github.com/alertkit/alertkit/notify"
)

// A Sender and a Config keep secrets — the webhook's URL, the bot's token —
// and print, log and marshal without them, under every verb of fmt.

// redacted describes a Sender without its secrets.
func (s *Sender) redacted() notify.Redacted {
	if s == nil {
		return notify.Redacted{}
	}
	if s.cfg.WebhookURL != "" {
		return notify.Redacted{Type: "slack.Sender", Attrs: []slog.Attr{
			slog.String("url", notify.RedactURL(s.cfg.WebhookURL.Reveal())),
		}}
	}
	return notify.Redacted{Type: "slack.Sender", Attrs: []slog.Attr{
		slog.String("api", notify.RedactURL(s.api)),
		slog.String("channel", s.cfg.Channel),
	}}
}

// String describes the Sender for an operator, without its secrets:
// "slack.Sender{url=https://hooks.slack.com/…}" with a webhook,
// "slack.Sender{api=https://slack.com/… channel=#ops}" with a bot token.
func (s *Sender) String() string { return s.redacted().String() }

// GoString is the Sender's %#v, without its secrets.
func (s *Sender) GoString() string { return s.redacted().GoString() }

// Format writes String under every verb but %#v, which writes GoString.
func (s *Sender) Format(f fmt.State, verb rune) { s.redacted().Format(f, verb) }

// LogValue is the Sender for slog, without its secrets: its type, and its
// url, or its api and channel.
func (s *Sender) LogValue() slog.Value { return s.redacted().LogValue() }

// plain is a Config without its methods, for fmt to print field by field:
// each Secret prints as "<secret>".
type plain Config

// String is the Config's %v, with its secrets as "<secret>".
func (c Config) String() string { return fmt.Sprint(plain(c)) }

// GoString is the Config's %#v, with its secrets as
// notify.Secret("<secret>").
func (c Config) GoString() string { return notify.GoStringFields(plain(c), "slack.Config") }

// Format prints the Config field by field under every verb, its secrets
// as "<secret>": without it, fmt would print a *Config inside a slice or a
// map under %s or %q without asking its Secrets.
func (c Config) Format(f fmt.State, verb rune) {
	notify.FormatFields(f, verb, plain(c), "slack.Config")
}

// LogValue is the Config for slog, with its secrets as "<secret>".
func (c Config) LogValue() slog.Value { return slog.AnyValue(plain(c)) }
