package pagerduty

import (
	"fmt"
	"log/slog"

	"github.com/alertkit/alertkit/notify"
)

// A Sender, a Config and an event keep the routing key, and print, log and
// marshal without it, under every verb of fmt (an event's JSON is its
// request's body, and carries it).

// redacted describes a Sender without its routing key.
func (s *Sender) redacted() notify.Redacted {
	if s == nil {
		return notify.Redacted{}
	}
	attrs := []slog.Attr{slog.String("url", notify.RedactURL(s.c.url))}
	if s.cfg.Source != "" {
		attrs = append(attrs, slog.String("source", s.cfg.Source))
	}
	if s.cfg.Component != "" {
		attrs = append(attrs, slog.String("component", s.cfg.Component))
	}
	return notify.Redacted{Type: "pagerduty.Sender", Attrs: attrs}
}

// String describes the Sender for an operator, without its routing key:
// "pagerduty.Sender{url=https://events.pagerduty.com/… component=checkout}".
func (s *Sender) String() string { return s.redacted().String() }

// GoString is the Sender's %#v, without its routing key.
func (s *Sender) GoString() string { return s.redacted().GoString() }

// Format writes String under every verb but %#v, which writes GoString.
func (s *Sender) Format(f fmt.State, verb rune) { s.redacted().Format(f, verb) }

// LogValue is the Sender for slog, without its routing key: its type, its
// url, and its source and component when set.
func (s *Sender) LogValue() slog.Value { return s.redacted().LogValue() }

// plain is a Config without its methods, for fmt to print field by field:
// the routing key prints as "<secret>".
type plain Config

// String is the Config's %v, with the routing key as "<secret>".
func (c Config) String() string { return fmt.Sprint(plain(c)) }

// GoString is the Config's %#v, with the routing key as
// notify.Secret("<secret>").
func (c Config) GoString() string { return notify.GoStringFields(plain(c), "pagerduty.Config") }

// Format prints the Config field by field under every verb, the routing
// key as "<secret>": without it, fmt would print a *Config inside a slice
// or a map under %s or %q without asking its Secret.
func (c Config) Format(f fmt.State, verb rune) {
	notify.FormatFields(f, verb, plain(c), "pagerduty.Config")
}

// LogValue is the Config for slog, with the routing key as "<secret>".
func (c Config) LogValue() slog.Value { return slog.AnyValue(plain(c)) }

// redacted describes an event without its routing key.
func (e *event) redacted() notify.Redacted {
	if e == nil {
		return notify.Redacted{}
	}
	return notify.Redacted{Type: "pagerduty.event", Attrs: []slog.Attr{
		slog.String("event_action", e.EventAction), slog.String("dedup_key", e.DedupKey),
	}}
}

func (e *event) String() string                { return e.redacted().String() }
func (e *event) GoString() string              { return e.redacted().GoString() }
func (e *event) Format(f fmt.State, verb rune) { e.redacted().Format(f, verb) }
func (e *event) LogValue() slog.Value          { return e.redacted().LogValue() }
