package webhook

import (
	"errors"
	"fmt"
	"net/http"
	"net/textproto"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/alertkit/alertkit/notify"
)

// The payload formats.
const (
	// FormatAlertkit is the notification as alertkit keeps it, with a
	// version: see [Message]. It is the default.
	FormatAlertkit = "alertkit"
	// FormatAlertmanager is Alertmanager's webhook payload, version 4, for
	// consumers written for Alertmanager.
	FormatAlertmanager = "alertmanager"
)

// Config is the configuration of a webhook receiver.
type Config struct {
	// URL is where the payload is posted: an http or https URL. It is a
	// Secret because such URLs often carry a token in their path or query.
	// User info in it ("https://user:password@host/") is sent as basic
	// authentication.
	URL notify.Secret `yaml:"url" json:"url"`
	// Format is FormatAlertkit (the default, when empty) or
	// FormatAlertmanager.
	Format string `yaml:"format,omitempty" json:"format,omitempty"`
	// BearerToken, if set, is sent as "Authorization: Bearer <token>".
	BearerToken notify.Secret `yaml:"bearer_token,omitempty" json:"bearer_token,omitempty"`
	// Headers are extra request headers. Their values are Secrets, since an
	// API key is often one of them. They may not set a header the sender
	// writes itself (Content-Type, Authorization, Idempotency-Key,
	// X-Alertkit-Timestamp, X-Alertkit-Signature) or one the HTTP client
	// manages (Host, Content-Length, Transfer-Encoding, Connection), nor
	// contain a line break.
	Headers map[string]notify.Secret `yaml:"headers,omitempty" json:"headers,omitempty"`
	// SigningKey, if set, signs every request: see [Verify].
	SigningKey notify.Secret `yaml:"signing_key,omitempty" json:"signing_key,omitempty"`
	// MaxAlerts caps the alerts of an Alertmanager payload; those left out
	// are counted in its truncatedAlerts. 0 means all that the notification
	// carries. Only for FormatAlertmanager.
	MaxAlerts int `yaml:"max_alerts,omitempty" json:"max_alerts,omitempty"`
	// ExternalURL is the externalURL of an Alertmanager payload. Empty
	// means the scheme and host of the incident's URL, or nothing if it has
	// none. Only for FormatAlertmanager.
	ExternalURL string `yaml:"external_url,omitempty" json:"external_url,omitempty"`
}

// reserved are the headers that Headers may not set: those the sender
// writes, and those the HTTP client manages (setting them would be ignored).
var reserved = []string{
	"Content-Type", "Authorization", "Idempotency-Key", HeaderTimestamp, HeaderSignature,
	"Host", "Content-Length", "Transfer-Encoding", "Connection",
}

// Validate checks the configuration. Errors name the field and say what is
// wrong, without quoting a value, which may be a secret or read from the
// environment: "webhook: url: missing". A header is named by its name once
// the name is valid.
func (c *Config) Validate() error {
	if err := c.validate(); err != nil {
		return fmt.Errorf("webhook: %w", err)
	}
	return nil
}

func (c *Config) validate() error {
	if err := validateURL(c.URL.Reveal()); err != nil {
		return fmt.Errorf("url: %w", err)
	}
	switch c.Format {
	case "", FormatAlertkit:
		if c.MaxAlerts != 0 {
			return fmt.Errorf("max_alerts: only for the %s format", FormatAlertmanager)
		}
		if c.ExternalURL != "" {
			return fmt.Errorf("external_url: only for the %s format", FormatAlertmanager)
		}
	case FormatAlertmanager:
		if c.MaxAlerts < 0 {
			return errors.New("max_alerts: negative")
		}
		if c.ExternalURL != "" {
			u, err := url.Parse(c.ExternalURL)
			if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
				return errors.New("external_url: not an http or https URL")
			}
		}
	default:
		return fmt.Errorf("format: not %s or %s", FormatAlertkit, FormatAlertmanager)
	}
	if !validHeaderValue(c.BearerToken.Reveal()) {
		return errors.New("bearer_token: contains a line break or control character")
	}
	names := make([]string, 0, len(c.Headers))
	for name := range c.Headers {
		names = append(names, name)
	}
	slices.Sort(names) // the first error does not depend on map order
	for _, name := range names {
		if err := validateHeader(name, c.Headers[name].Reveal()); err != nil {
			return fmt.Errorf("headers: %w", err)
		}
	}
	return nil
}

// validateURL checks the receiver's URL without ever quoting it.
func validateURL(s string) error {
	if s == "" {
		return errors.New("missing")
	}
	u, err := url.Parse(s)
	if err != nil {
		// Its errors quote parts of the URL: an escape, a port.
		return errors.New("not a URL")
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return errors.New("the scheme is not http or https")
	}
	if u.Host == "" {
		return errors.New("no host")
	}
	return nil
}

// validateHeader checks an extra header, naming it but never showing its
// value.
func validateHeader(name, value string) error {
	if name == "" {
		return errors.New("empty header name")
	}
	if !validHeaderName(name) {
		return errors.New("a name is not a valid header name")
	}
	canonical := textproto.CanonicalMIMEHeaderKey(name)
	for _, r := range reserved {
		if canonical == r {
			return fmt.Errorf("%s: set by the sender, cannot be overridden", r)
		}
	}
	if !validHeaderValue(value) {
		return fmt.Errorf("%s: the value contains a line break or control character", canonical)
	}
	return nil
}

// validHeaderName reports whether name is an HTTP token.
func validHeaderName(name string) bool {
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case c < 0x80 && c > ' ' && c != 0x7f && !isSeparator(c):
		default:
			return false
		}
	}
	return name != ""
}

// isSeparator reports whether c is one of HTTP's separators, which a
// token may not contain.
func isSeparator(c byte) bool { return strings.IndexByte(`()<>@,;:\"/[]?={}`, c) >= 0 }

// validHeaderValue reports whether v may be sent as a header value: no
// control characters but the tab, so no CR or LF.
func validHeaderValue(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; (c < ' ' && c != '\t') || c == 0x7f {
			return false
		}
	}
	return true
}

// Options is what a Sender needs besides its configuration.
type Options struct {
	// Client sends the requests; nil means a client like
	// http.DefaultClient. Contexts bound the time of a request. If the
	// client has no CheckRedirect, the Sender does not follow redirects: a
	// redirected POST may come back as a GET without its body, so a 3xx
	// answer is a permanent error that asks for the URL to be fixed. A
	// client whose CheckRedirect follows them is obeyed on the same host
	// only, and never for a 307 or 308, which would send the body again
	// (see notify.Do).
	Client *http.Client
	// Now returns the time of a request, for the signature's timestamp and
	// reading Retry-After; nil means time.Now.
	Now func() time.Time
}
