package notify

import "log/slog"

// Secret is a token, a password, a routing key or a signing key: it reads
// from configuration as text, and prints, logs and marshals as "<secret>",
// so that it never reaches a log, an error or the delivery log.
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
