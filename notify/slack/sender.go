package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/alertkit/alertkit/notify"
)

// Sender posts notifications to Slack, through an incoming webhook or
// with a bot token. A Sender may be used by many goroutines at once.
type Sender struct {
	cfg    Config
	title  *notify.Template
	text   *notify.Template // nil: the built card
	client *http.Client
	now    func() time.Time
	refs   Refs
	log    *slog.Logger
	api    string // the Web API's base, ending in "/"
	// channelID is the ID of cfg.Channel once known: from the
	// configuration, or from Slack's answers.
	channelID atomic.Pointer[string]
}

var _ notify.Notifier = (*Sender)(nil)

// New returns a Sender of a configuration, which it validates and copies.
// A nil opts means the defaults.
func New(cfg *Config, opts *Options) (*Sender, error) {
	if cfg == nil {
		return nil, errors.New("slack: no configuration")
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if opts == nil {
		opts = &Options{}
	}
	title, text, err := cfg.templates()
	if err != nil {
		return nil, err
	}
	s := &Sender{cfg: *cfg, title: title, text: text, client: opts.Client, now: opts.Now, log: opts.Logger}
	s.cfg.Mentions = maps.Clone(cfg.Mentions)
	if s.now == nil {
		s.now = time.Now
	}
	if s.cfg.Token != "" {
		s.api = s.cfg.APIURL
		if s.api == "" {
			s.api = DefaultAPIURL
		}
		s.api = strings.TrimSuffix(s.api, "/") + "/"
		if s.refs = opts.Refs; s.refs == nil {
			s.refs = NewMemoryRefs(0)
		}
		if channelID.MatchString(s.cfg.Channel) {
			id := s.cfg.Channel
			s.channelID.Store(&id)
		}
	}
	return s, nil
}

// Notify posts a notification. Through a webhook, every notification is
// a new message. With a bot token, the first message of an incident is
// remembered in Refs, and what follows goes to it:
//
//   - acknowledged, resolved, handover: the first message is updated to
//     the new card (chat.update), and the note is replied in its thread;
//   - opened, escalation: a reply in its thread, so that a notification
//     sent again after a crash, or the next escalation step, does not
//     post a second card;
//   - digest: always a new message.
//
// Without a remembered message, or when it can no longer be updated
// (deleted, or past the workspace's edit window), the card is posted as a
// new message, which is remembered instead.
func (s *Sender) Notify(ctx context.Context, n *notify.Notification) error {
	if err := n.Validate(); err != nil {
		return notify.Permanent(fmt.Errorf("slack: %w", err))
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	r, err := s.render(n)
	if err != nil {
		return notify.Permanent(err)
	}
	if s.cfg.WebhookURL != "" {
		return s.webhook(ctx, s.card(n, r))
	}
	return s.bot(ctx, n, r)
}

// render runs the templates at the notification's time.
func (s *Sender) render(n *notify.Notification) (rendered, error) {
	var r rendered
	var err error
	if r.title, err = s.title.Render(n, n.At); err != nil {
		return r, fmt.Errorf("slack: %w", err)
	}
	if s.text != nil {
		r.custom = true
		if r.text, err = s.text.Render(n, n.At); err != nil {
			return r, fmt.Errorf("slack: %w", err)
		}
	}
	return r, nil
}

func (s *Sender) card(n *notify.Notification, r rendered) card {
	if n.Reason == notify.ReasonDigest {
		return s.digestCard(n, r)
	}
	return s.incidentCard(n, r)
}

// webhook posts a card to the incoming webhook, which answers 200 "ok",
// or an HTTP error with a word (400 invalid_payload, 404
// channel_not_found, 410 channel_is_archived, 429, 500 rollup_error).
func (s *Sender) webhook(ctx context.Context, c card) error {
	no := false
	body, err := encode(message{Text: c.text, Blocks: c.blocks, UnfurlLinks: &no, UnfurlMedia: &no})
	if err != nil {
		return notify.Permanent(fmt.Errorf("slack: %w", err))
	}
	req, err := http.NewRequest(http.MethodPost, s.cfg.WebhookURL.Reveal(), bytes.NewReader(body))
	if err != nil {
		// The error would quote the URL, and its token.
		return notify.Permanent(errors.New("slack: webhook_url: not a usable URL"))
	}
	req.Header.Set("Content-Type", "application/json")
	_, answer, err := notify.Do(ctx, s.client, req, s.now)
	if err != nil {
		return fmt.Errorf("slack: %w", err)
	}
	if strings.TrimSpace(string(answer)) != "ok" {
		return notify.Permanent(fmt.Errorf("slack: unexpected answer %q", snippet(answer)))
	}
	return nil
}

// bot posts, updates or replies with the Web API.
func (s *Sender) bot(ctx context.Context, n *notify.Notification, r rendered) error {
	if n.Reason == notify.ReasonDigest {
		_, err := s.post(ctx, s.digestCard(n, r), "")
		return err
	}
	ts, ok, err := s.refs.Get(ctx, n.Incident.ID, s.cfg.Channel)
	if err != nil {
		return fmt.Errorf("slack: refs: %w", err)
	}
	if !ok {
		return s.postCard(ctx, n, r)
	}
	switch n.Reason {
	case notify.ReasonOpened, notify.ReasonEscalation:
		_, err := s.post(ctx, s.reply(n, r), ts)
		return err
	}
	return s.updateCard(ctx, n, r, ts)
}

// postCard posts the incident card as a new message and remembers it.
func (s *Sender) postCard(ctx context.Context, n *notify.Notification, r rendered) error {
	a, err := s.post(ctx, s.incidentCard(n, r), "")
	if err != nil {
		return err
	}
	if a.TS == "" {
		return nil
	}
	// The message is posted: failing now would post it again.
	if err := s.refs.Set(ctx, n.Incident.ID, s.cfg.Channel, a.TS); err != nil && s.log != nil {
		s.log.LogAttrs(ctx, slog.LevelWarn, "slack: the message is posted but not remembered; the next notification of the incident will post a new one",
			slog.String("incident", string(n.Incident.ID)), slog.String("error", err.Error()))
	}
	return nil
}

// updateCard updates the incident's first message and replies the note
// in its thread. The update comes first, so that a retry after a failed
// reply updates again, which is harmless, rather than replying twice —
// unless the channel's ID is not known yet (a channel configured by name,
// after a restart): chat.update needs it, and the reply's answer has it.
func (s *Sender) updateCard(ctx context.Context, n *notify.Notification, r rendered, ts string) error {
	c, reply := s.incidentCard(n, r), s.reply(n, r)
	channel, known := s.knownChannel()
	if !known {
		a, err := s.post(ctx, reply, ts)
		if gone(err) {
			return s.postCard(ctx, n, r)
		}
		if err != nil {
			return err
		}
		if channel = a.Channel; channel == "" {
			channel = s.cfg.Channel
		}
	}
	err := s.update(ctx, channel, ts, c)
	switch {
	case gone(err):
		return s.postCard(ctx, n, r)
	case err != nil:
		return err
	case known:
		_, err = s.post(ctx, reply, ts)
	}
	return err
}

// post calls chat.postMessage, in the thread of threadTS if it is set.
func (s *Sender) post(ctx context.Context, c card, threadTS string) (*answer, error) {
	no := false
	return s.call(ctx, "chat.postMessage", message{
		Channel: s.cfg.Channel, ThreadTS: threadTS, Text: c.text, Blocks: c.blocks,
		Parse: "none", UnfurlLinks: &no, UnfurlMedia: &no,
	})
}

// update calls chat.update, which replaces the message's text and blocks.
func (s *Sender) update(ctx context.Context, channel, ts string, c card) error {
	_, err := s.call(ctx, "chat.update", message{Channel: channel, TS: ts, Text: c.text, Blocks: c.blocks, Parse: "none"})
	return err
}

// answer is a Web API method's answer.
type answer struct {
	OK      bool   `json:"ok"`
	Error   string `json:"error"`
	Channel string `json:"channel"`
	TS      string `json:"ts"`
}

// call calls a Web API method. Slack answers HTTP 200 with ok true or
// false and an error code, or HTTP 429 with Retry-After when rate
// limited.
func (s *Sender) call(ctx context.Context, method string, m message) (*answer, error) {
	body, err := encode(m)
	if err != nil {
		return nil, notify.Permanent(fmt.Errorf("slack: %s: %w", method, err))
	}
	req, err := http.NewRequest(http.MethodPost, s.api+method, bytes.NewReader(body))
	if err != nil {
		return nil, notify.Permanent(fmt.Errorf("slack: %s: %w", method, err))
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("Authorization", "Bearer "+s.cfg.Token.Reveal())
	_, raw, err := notify.Do(ctx, s.client, req, s.now)
	if err != nil {
		return nil, fmt.Errorf("slack: %s: %w", method, err)
	}
	var a answer
	if err := json.Unmarshal(raw, &a); err != nil {
		return nil, notify.Permanent(fmt.Errorf("slack: %s: an answer that is not the Web API's: %q", method, snippet(raw)))
	}
	if !a.OK {
		e := &APIError{Method: method, Code: a.Error}
		if e.Temporary() {
			return nil, fmt.Errorf("slack: %w", e)
		}
		return nil, notify.Permanent(fmt.Errorf("slack: %w", e))
	}
	if id := a.Channel; channelID.MatchString(id) {
		s.channelID.Store(&id)
	}
	return &a, nil
}

func (s *Sender) knownChannel() (string, bool) {
	if id := s.channelID.Load(); id != nil {
		return *id, true
	}
	return "", false
}

// APIError is a Web API method's refusal: HTTP 200 with
// {"ok": false, "error": "channel_not_found"}. Notify returns it wrapped,
// and marked permanent unless it is Temporary.
type APIError struct {
	// Method is the method called: "chat.postMessage", "chat.update".
	Method string
	// Code is Slack's error code: "channel_not_found", "invalid_auth".
	Code string
}

// Error is "chat.postMessage: channel_not_found".
func (e *APIError) Error() string {
	code := e.Code
	if code == "" {
		code = "an error without a code"
	}
	return e.Method + ": " + code
}

// temporary are the error codes that trying again may cure: rate limits,
// Slack's own failures, a truncated request, and a workspace in
// migration.
var temporary = map[string]bool{
	"ratelimited":         true,
	"rate_limited":        true,
	"internal_error":      true,
	"fatal_error":         true,
	"service_unavailable": true,
	"request_timeout":     true,
	"team_added_to_org":   true,
}

// Temporary reports whether trying again may succeed; every code but
// those of rate limits and Slack's own failures is permanent
// (channel_not_found, not_in_channel, invalid_auth, msg_too_long, …).
func (e *APIError) Temporary() bool { return temporary[e.Code] }

// gone reports whether a chat.update failed because the message can no
// longer be updated.
func gone(err error) bool {
	var e *APIError
	if !errors.As(err, &e) {
		return false
	}
	switch e.Code {
	case "message_not_found", "cant_update_message", "edit_window_closed":
		return true
	}
	return false
}

// encode writes JSON without escaping <, > and & as \u003c…: Slack reads
// both, and the entities of escaped text stay legible.
func encode(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// snippet is the start of an answer, on one line, for an error.
func snippet(b []byte) string { return cut(flat(string(b)), 200) }
