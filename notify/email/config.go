package email

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/textproto"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/alertkit/alertkit/notify"
)

// Config is the configuration of an email receiver.
type Config struct {
	// Smarthost is the SMTP server, "host:port". Port 465 is spoken with
	// TLS from the start (implicit TLS); any other port with STARTTLS.
	Smarthost string `yaml:"smarthost" json:"smarthost"`
	// From is the sender's address, as net/mail parses it:
	// "alertkit@example.com" or "Alertkit <alertkit@example.com>".
	From string `yaml:"from" json:"from"`
	// To are the addresses every message goes to.
	To []string `yaml:"to,omitempty" json:"to,omitempty"`
	// Addresses maps the names of people and teams to addresses: a
	// notification's People and Teams found here are added to To. Names
	// without an address are left out; a notification that then has no
	// recipient at all is refused, naming them.
	Addresses map[string]string `yaml:"addresses,omitempty" json:"addresses,omitempty"`
	// Hello is the name the sender gives in EHLO; empty means "localhost".
	Hello string `yaml:"hello,omitempty" json:"hello,omitempty"`
	// Username and Password, if set, authenticate with AUTH PLAIN, which is
	// only ever sent over TLS, or to localhost.
	Username string        `yaml:"username,omitempty" json:"username,omitempty"`
	Password notify.Secret `yaml:"password,omitempty" json:"password,omitempty"`
	// RequireTLS refuses to send anything, the password included, to a
	// server that does not offer STARTTLS. Nil means true. It does not
	// matter on port 465, which is always TLS.
	RequireTLS *bool `yaml:"require_tls,omitempty" json:"require_tls,omitempty"`
	// TLS configures the TLS connection.
	TLS TLSConfig `yaml:"tls,omitempty" json:"tls,omitzero"`
	// Headers are extra header fields of every message ("Reply-To",
	// "X-Priority"). They may not set a field the sender writes itself, and
	// may not contain a line break.
	Headers map[string]string `yaml:"headers,omitempty" json:"headers,omitempty"`
	// Subject, Text and HTML override the default templates of the subject
	// line (text/template), the text part (text/template) and the HTML part
	// (html/template, which escapes what it inserts). Empty means
	// DefaultSubject, DefaultText, DefaultHTML.
	Subject string `yaml:"subject,omitempty" json:"subject,omitempty"`
	Text    string `yaml:"text,omitempty" json:"text,omitempty"`
	HTML    string `yaml:"html,omitempty" json:"html,omitempty"`
}

// TLSConfig is the TLS part of a Config.
type TLSConfig struct {
	// InsecureSkipVerify accepts any certificate of the server. It is for
	// tests; a receiver that uses it can be read by anyone on the path.
	InsecureSkipVerify bool `yaml:"insecure_skip_verify,omitempty" json:"insecure_skip_verify,omitempty"`
	// ServerName is the name the server's certificate must carry; empty
	// means the host of Smarthost.
	ServerName string `yaml:"server_name,omitempty" json:"server_name,omitempty"`
}

// reserved are the header fields that Headers may not set: those the
// sender writes itself, and Cc and Bcc, which would name recipients the
// message is not sent to.
var reserved = []string{
	"From", "To", "Cc", "Bcc", "Subject", "Date", "Message-Id", "In-Reply-To", "References",
	"Mime-Version", "Content-Type", "Content-Transfer-Encoding", "Auto-Submitted", HeaderKey,
}

// Validate checks the configuration. Errors name the field and say what is
// wrong, without quoting a value, which may be a secret or read from the
// environment: "email: from: missing". An entry of Addresses or Headers is
// named by its key once the key is valid.
func (c *Config) Validate() error {
	if err := c.validate(); err != nil {
		return fmt.Errorf("email: %w", err)
	}
	return nil
}

func (c *Config) validate() error {
	if _, _, err := splitHostPort(c.Smarthost); err != nil {
		return fmt.Errorf("smarthost: %w", err)
	}
	if c.From == "" {
		return errors.New("from: missing")
	}
	if _, err := parseAddress(c.From); err != nil {
		return fmt.Errorf("from: %w", err)
	}
	if len(c.To) == 0 && len(c.Addresses) == 0 {
		return errors.New("to: missing, and no addresses")
	}
	for i, to := range c.To {
		if _, err := parseAddress(to); err != nil {
			return fmt.Errorf("to[%d]: %w", i, err)
		}
	}
	for _, name := range sortedKeys(c.Addresses) {
		if name == "" {
			return errors.New("addresses: an empty name")
		}
		if _, err := parseAddress(c.Addresses[name]); err != nil {
			return fmt.Errorf("addresses: %s: %w", name, err)
		}
	}
	if c.Hello != "" && !validHello(c.Hello) {
		return errors.New("hello: not a host name (printable ASCII without spaces)")
	}
	switch {
	case c.Username != "" && c.Password == "":
		return errors.New("password: missing, and username is set")
	case c.Username == "" && c.Password != "":
		return errors.New("username: missing, and password is set")
	case strings.ContainsAny(c.Username, "\x00\r\n"):
		return errors.New("username: contains a line break or NUL")
	case strings.ContainsAny(c.Password.Reveal(), "\x00\r\n"):
		return errors.New("password: contains a line break or NUL")
	}
	for _, name := range sortedKeys(c.Headers) {
		if err := validateHeader(name, c.Headers[name]); err != nil {
			return fmt.Errorf("headers: %w", err)
		}
	}
	if _, err := c.templates(); err != nil {
		return err
	}
	return nil
}

// splitHostPort reads Smarthost.
func splitHostPort(hostport string) (host, port string, err error) {
	if hostport == "" {
		return "", "", errors.New("missing")
	}
	host, port, err = net.SplitHostPort(hostport)
	if err != nil {
		return "", "", errors.New("not host:port")
	}
	if host == "" {
		return "", "", errors.New("no host")
	}
	if p, err := strconv.Atoi(port); err != nil || p < 1 || p > 65535 {
		return "", "", errors.New("the port is not a number from 1 to 65535")
	}
	return host, port, nil
}

// parseAddress reads one address: "a@example.com", "A <a@example.com>".
// Its error says why net/mail refused the address, without the part of it
// that net/mail quotes.
func parseAddress(s string) (*mail.Address, error) {
	if s == "" {
		return nil, errors.New("empty address")
	}
	a, err := mail.ParseAddress(s)
	if err != nil {
		why := strings.TrimPrefix(err.Error(), "mail: ")
		if i := strings.Index(why, ", got "); i >= 0 {
			why = why[:i]
		}
		if i := strings.Index(why, ": "); i >= 0 {
			why = why[:i]
		}
		return nil, fmt.Errorf("not an address: %s", why)
	}
	return a, nil
}

// validHello reports whether s may follow EHLO: a domain or an address
// literal, so printable ASCII without spaces.
func validHello(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] >= 0x7f {
			return false
		}
	}
	return true
}

// validateHeader checks an extra header field.
func validateHeader(name, value string) error {
	if !validHeaderName(name) {
		return errors.New("a name is not a header field name (printable ASCII without a colon)")
	}
	canonical := textproto.CanonicalMIMEHeaderKey(name)
	if slices.Contains(reserved, canonical) {
		return fmt.Errorf("%s: written by the sender, cannot be set", name)
	}
	if strings.ContainsAny(value, "\r\n") {
		return fmt.Errorf("%s: the value contains a line break", name)
	}
	for _, r := range value {
		if (r < ' ' && r != '\t') || r == 0x7f {
			return fmt.Errorf("%s: the value contains a control character", name)
		}
	}
	return nil
}

// validHeaderName reports whether name is a header field name: printable
// ASCII but the colon.
func validHeaderName(name string) bool {
	for i := 0; i < len(name); i++ {
		if c := name[i]; c <= ' ' || c >= 0x7f || c == ':' {
			return false
		}
	}
	return name != ""
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys) // the first error does not depend on map order
	return keys
}

// templates parses the configured templates, or takes the defaults.
func (c *Config) templates() (*templates, error) {
	var t templates
	var err error
	if t.subject, err = parse(notify.ParseText, "subject", c.Subject, DefaultSubject); err != nil {
		return nil, err
	}
	if t.text, err = parse(notify.ParseText, "text", c.Text, DefaultText); err != nil {
		return nil, err
	}
	if t.html, err = parse(notify.ParseHTML, "html", c.HTML, DefaultHTML); err != nil {
		return nil, err
	}
	return &t, nil
}

type templates struct{ subject, text, html *notify.Template }

func parse(f func(name, text string) (*notify.Template, error), name, text, def string) (*notify.Template, error) {
	if text == "" {
		text = def
	}
	return f(name, text) // "template subject: template: subject:1: ..."
}

// Options is what a Sender needs besides its configuration.
type Options struct {
	// Now is the time of a notification that has none (a zero At), for
	// its Date and its templates; nil means time.Now.
	Now func() time.Time
	// DialContext opens the connection to the smarthost, e.g. a
	// net.Dialer's DialContext, or a proxy's; nil means a zero net.Dialer.
	// The context bounds the whole exchange in any case.
	DialContext func(ctx context.Context, network, address string) (net.Conn, error)
	// RootCAs are the certificate authorities the server's certificate
	// must come from; nil means the system's. Tests set it to trust their
	// server's certificate.
	RootCAs *x509.CertPool
}
