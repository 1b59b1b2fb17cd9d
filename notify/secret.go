package notify

import (
	"fmt"
	"log/slog"
	"strconv"
	"strings"
)

// Secret is a token, a password, a routing key or a signing key: it reads
// from configuration as text, and prints, logs and marshals as "<secret>",
// so that it never reaches a log, an error or the delivery log.
//
// It hides itself under every verb of fmt (%v, %+v, %#v, %s, %q, %x, %d,
// …), with slog's handlers and with encoding/json, alone or inside a
// struct's exported field, a map or a slice. What it cannot decide:
//
//   - fmt prints a struct's unexported fields without asking them how, and
//     so does it a pointer to a struct inside a slice or a map under a verb
//     that is not a pointer's (%s, %q): a type that keeps secrets describes
//     itself with a [Redacted], or prints its fields with a Format of its
//     own, as the senders and their configurations do;
//   - fmt never asks a value about %p, which go vet refuses on a string;
//   - encoding/json writes a map's key of a string type as it is: a Secret
//     is a value, never a key.
type Secret string

const redacted = "<secret>"

// String returns "<secret>", or "" for an empty Secret.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return redacted
}

// GoString returns the same as String, for %#v.
func (s Secret) GoString() string { return `notify.Secret("` + s.String() + `")` }

// Format writes String under every verb but %#v, which writes GoString, so
// that no verb shows the secret: fmt would print the text itself for %d.
func (s Secret) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		fmt.Fprint(f, s.GoString())
		return
	}
	fmt.Fprintf(f, fmt.FormatString(f, verb), s.String())
}

// LogValue hides the secret from slog.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalText writes "<secret>": a configuration marshalled back hides it.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads the secret from configuration.
func (s *Secret) UnmarshalText(b []byte) error {
	*s = Secret(b)
	return nil
}

// Reveal returns the secret itself, for the request that needs it.
func (s Secret) Reveal() string { return string(s) }

// Redacted describes a value that holds secrets, in its place: what an
// operator needs to tell it from another (the kind of receiver, its URL
// cut by [RedactURL], its channel), and never a secret. fmt prints the
// unexported fields of a struct as they are, even a Secret's, so a type
// that keeps secrets in them makes its String, GoString, Format and
// LogValue of a Redacted:
//
//	func (s *Sender) redacted() notify.Redacted {
//		return notify.Redacted{Type: "slack.Sender", Attrs: []slog.Attr{slog.String("url", notify.RedactURL(s.url.Reveal()))}}
//	}
//	func (s *Sender) String() string                { return s.redacted().String() }
//	func (s *Sender) GoString() string              { return s.redacted().GoString() }
//	func (s *Sender) Format(f fmt.State, verb rune) { s.redacted().Format(f, verb) }
//	func (s *Sender) LogValue() slog.Value          { return s.redacted().LogValue() }
//
// The zero Redacted, the description of a nil pointer, prints as "<nil>".
type Redacted struct {
	// Type names the value's type: "slack.Sender".
	Type string
	// Attrs are what the value shows of itself, in this order.
	Attrs []slog.Attr
}

// String is "slack.Sender{url=https://hooks.slack.com/… channel=#ops}",
// values quoted when they hold a space, a quote or an equals sign.
func (r Redacted) String() string {
	if r.Type == "" && len(r.Attrs) == 0 {
		return "<nil>"
	}
	var b strings.Builder
	b.WriteString(r.Type)
	b.WriteByte('{')
	for i, a := range r.Attrs {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(a.Key)
		b.WriteByte('=')
		v := a.Value.Resolve().String()
		if v == "" || strings.ContainsAny(v, " =") || strconv.Quote(v) != `"`+v+`"` {
			v = strconv.Quote(v)
		}
		b.WriteString(v)
	}
	b.WriteByte('}')
	return b.String()
}

// GoString is `&slack.Sender{url:"https://hooks.slack.com/…"}`, for %#v.
func (r Redacted) GoString() string {
	if r.Type == "" && len(r.Attrs) == 0 {
		return "<nil>"
	}
	var b strings.Builder
	b.WriteString("&" + r.Type + "{")
	for i, a := range r.Attrs {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(a.Key + ":" + strconv.Quote(a.Value.Resolve().String()))
	}
	b.WriteByte('}')
	return b.String()
}

// Format writes String under every verb, as fmt writes a string (%q
// quotes it, %x writes it in hex), and GoString under %#v.
func (r Redacted) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		fmt.Fprint(f, r.GoString())
		return
	}
	fmt.Fprintf(f, fmt.FormatString(f, verb), r.String())
}

// LogValue is a group of the type, as "type", and the attributes.
func (r Redacted) LogValue() slog.Value {
	if r.Type == "" && len(r.Attrs) == 0 {
		return slog.StringValue("<nil>")
	}
	return slog.GroupValue(append([]slog.Attr{slog.String("type", r.Type)}, r.Attrs...)...)
}

// FormatFields prints fields, a configuration converted to a type of the
// same fields without methods, field by field under verb — so that each
// Secret among them prints as "<secret>" — and under %#v as GoStringFields
// does. A configuration's Format method calls it: without one, fmt would
// print a pointer to the configuration inside a slice or a map under %s
// or %q without asking its Secrets.
func FormatFields(f fmt.State, verb rune, fields any, typeName string) {
	if verb == 'v' && f.Flag('#') {
		fmt.Fprint(f, GoStringFields(fields, typeName))
		return
	}
	fmt.Fprintf(f, fmt.FormatString(f, verb), fields)
}

// GoStringFields is fields under %#v, named typeName ("slack.Config"):
// each Secret prints as notify.Secret("<secret>").
func GoStringFields(fields any, typeName string) string {
	s := fmt.Sprintf("%#v", fields)
	if i := strings.IndexByte(s, '{'); i >= 0 {
		s = typeName + s[i:]
	}
	return s
}
