package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"strconv"
	"time"

	"github.com/alertkit/alertkit/notify"
)

// Sender posts notifications to a webhook. It is safe for concurrent use.
type Sender struct {
	cfg    Config
	client *http.Client
	now    func() time.Time
}

var _ notify.Notifier = (*Sender)(nil)

// New returns a Sender of a validated copy of cfg.
func New(cfg *Config, opts *Options) (*Sender, error) {
	if cfg == nil {
		return nil, errors.New("webhook: no configuration")
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if opts == nil {
		opts = &Options{}
	}
	s := &Sender{cfg: *cfg, now: opts.Now}
	s.cfg.Headers = maps.Clone(cfg.Headers)
	if s.cfg.Format == "" {
		s.cfg.Format = FormatAlertkit
	}
	if s.now == nil {
		s.now = time.Now
	}
	client := http.Client{}
	if opts.Client != nil {
		client = *opts.Client
	}
	if client.CheckRedirect == nil {
		client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	}
	s.client = &client
	return s, nil
}

// Notify posts the notification in the configured format. It returns nil
// on any 2xx answer; 408, 429 and 5xx are retryable, with the answer's
// Retry-After; other answers, and notifications that cannot be sent, are
// permanent errors.
func (s *Sender) Notify(ctx context.Context, n *notify.Notification) error {
	if err := n.Validate(); err != nil {
		return notify.Permanent(fmt.Errorf("webhook: %w", err))
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("webhook: %w", err)
	}
	if !validHeaderValue(n.Key) {
		return notify.Permanent(fmt.Errorf("webhook: notification %q: the key cannot be sent as Idempotency-Key: it contains a control character", n.Key))
	}
	body, err := s.Body(n)
	if err != nil {
		return notify.Permanent(err)
	}
	req, err := http.NewRequest(http.MethodPost, s.cfg.URL.Reveal(), bytes.NewReader(body))
	if err != nil {
		// Validate parsed the URL; the error would quote it.
		return notify.Permanent(errors.New("webhook: the request cannot be made for the configured url"))
	}
	for name, value := range s.cfg.Headers {
		req.Header.Set(name, value.Reveal())
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", n.Key)
	if s.cfg.BearerToken != "" {
		req.Header.Set("Authorization", "Bearer "+s.cfg.BearerToken.Reveal())
	}
	if s.cfg.SigningKey != "" {
		ts := strconv.FormatInt(s.now().Unix(), 10)
		req.Header.Set(HeaderTimestamp, ts)
		req.Header.Set(HeaderSignature, Signature([]byte(s.cfg.SigningKey.Reveal()), ts, body))
	}
	if _, _, err := notify.Do(ctx, s.client, req, s.now); err != nil {
		return fmt.Errorf("webhook: %w", err) // a *notify.StatusError says whether to retry
	}
	return nil
}

// Body returns the request body of a notification in the configured
// format, as Notify sends it: for tests, and to show a consumer what it
// will receive.
func (s *Sender) Body(n *notify.Notification) ([]byte, error) {
	var v any
	switch s.cfg.Format {
	case FormatAlertmanager:
		v = alertmanagerMessage(n, s.cfg.MaxAlerts, s.cfg.ExternalURL)
	default:
		v = &Message{Version: Version, Notification: *n}
	}
	body, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("webhook: notification %s: encoding: %w", n.Key, err)
	}
	return body, nil
}
