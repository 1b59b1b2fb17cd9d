package email

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/mail"
	"slices"
	"strings"
	"time"

	"github.com/alertkit/alertkit/notify"
)

// Sender sends notifications by email, through an SMTP server.
type Sender struct {
	smarthost   string
	host        string
	implicitTLS bool
	requireTLS  bool
	hello       string
	username    string
	password    notify.Secret
	from        *mail.Address
	to          []*mail.Address
	addresses   map[string]*mail.Address
	headers     []header
	tmpl        *templates
	tlsConfig   *tls.Config
	dial        func(ctx context.Context, network, address string) (net.Conn, error)
	now         func() time.Time
}

var _ notify.Notifier = (*Sender)(nil)

// New returns a Sender of a configuration, which it validates and copies.
// A nil opts means the defaults.
func New(cfg *Config, opts *Options) (*Sender, error) {
	if cfg == nil {
		return nil, errors.New("email: no configuration")
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if opts == nil {
		opts = &Options{}
	}
	host, port, _ := splitHostPort(cfg.Smarthost)
	s := &Sender{
		smarthost:   cfg.Smarthost,
		host:        host,
		implicitTLS: port == "465",
		requireTLS:  cfg.RequireTLS == nil || *cfg.RequireTLS,
		hello:       cfg.Hello,
		username:    cfg.Username,
		password:    cfg.Password,
		addresses:   map[string]*mail.Address{},
		dial:        opts.DialContext,
		now:         opts.Now,
	}
	if s.hello == "" {
		s.hello = "localhost"
	}
	if s.dial == nil {
		s.dial = (&net.Dialer{}).DialContext
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.from, _ = parseAddress(cfg.From)
	for _, to := range cfg.To {
		a, _ := parseAddress(to)
		s.to = append(s.to, a)
	}
	for name, addr := range cfg.Addresses {
		s.addresses[name], _ = parseAddress(addr)
	}
	for _, name := range slices.Sorted(maps.Keys(cfg.Headers)) {
		s.headers = append(s.headers, header{name, cfg.Headers[name]})
	}
	var err error
	if s.tmpl, err = cfg.templates(); err != nil {
		return nil, fmt.Errorf("email: %w", err)
	}
	serverName := cfg.TLS.ServerName
	if serverName == "" {
		serverName = host
	}
	s.tlsConfig = &tls.Config{
		ServerName:         serverName,
		RootCAs:            opts.RootCAs,
		InsecureSkipVerify: cfg.TLS.InsecureSkipVerify,
		MinVersion:         tls.VersionTLS12,
	}
	return s, nil
}

// Notify sends the notification as one message to its recipients: To and
// the addresses of its People and Teams. It returns nil once the server
// accepted the message for all of them.
func (s *Sender) Notify(ctx context.Context, n *notify.Notification) error {
	if err := n.Validate(); err != nil {
		return notify.Permanent(fmt.Errorf("email: %w", err))
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("email: %w", err)
	}
	rcpts, err := s.recipients(n)
	if err != nil {
		return notify.Permanent(fmt.Errorf("email: %w", err))
	}
	msg, err := s.compose(n, rcpts)
	if err != nil {
		return notify.Permanent(fmt.Errorf("email: %w", err))
	}
	return s.send(ctx, rcpts, msg)
}

// recipients are To and the addresses of the notification's people and
// teams, each once.
func (s *Sender) recipients(n *notify.Notification) ([]*mail.Address, error) {
	var out []*mail.Address
	seen := map[string]bool{}
	add := func(a *mail.Address) {
		if k := strings.ToLower(a.Address); !seen[k] {
			seen[k] = true
			out = append(out, a)
		}
	}
	for _, a := range s.to {
		add(a)
	}
	var unknown []string
	for _, name := range slices.Concat(n.People, n.Teams) {
		if a, ok := s.addresses[name]; ok {
			add(a)
		} else {
			unknown = append(unknown, name)
		}
	}
	switch {
	case len(out) > 0:
		return out, nil
	case len(unknown) > 0:
		return nil, fmt.Errorf("no recipient: no address for %s", strings.Join(unknown, ", "))
	default:
		return nil, errors.New("no recipient: to is empty and the notification names nobody")
	}
}
