package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/alertkit/alertkit/notify"
)

// Sender posts notifications to a Telegram chat through the Bot API. A
// Sender may be used by many goroutines at once.
type Sender struct {
	cfg      Config
	chat     any    // int64 or "@username"
	endpoint string // carries the token: never in an error
	message  *notify.Template
	client   *http.Client
	now      func() time.Time
}

var _ notify.Notifier = (*Sender)(nil)

// New returns a Sender of a validated copy of cfg, with its message
// template parsed.
func New(cfg *Config, opts *Options) (*Sender, error) {
	if cfg == nil {
		return nil, errors.New("telegram: no configuration")
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if opts == nil {
		opts = &Options{}
	}
	s := &Sender{cfg: *cfg, message: defaultMessage, now: opts.Now}
	s.chat, _ = s.cfg.chat()
	api, _ := s.cfg.apiURL()
	s.endpoint = api + "/bot" + s.cfg.Token.Reveal() + "/sendMessage"
	if cfg.Message != "" {
		t, err := notify.ParseHTML("message", cfg.Message)
		if err != nil {
			return nil, fmt.Errorf("telegram: message: %w", err)
		}
		s.message = t
	}
	if s.now == nil {
		s.now = time.Now
	}
	client := http.Client{}
	if opts.Client != nil {
		client = *opts.Client
	}
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	s.client = &client
	return s, nil
}

// request is the body of sendMessage.
type request struct {
	ChatID              any          `json:"chat_id"`
	MessageThreadID     int          `json:"message_thread_id,omitempty"`
	Text                string       `json:"text"`
	ParseMode           string       `json:"parse_mode"`
	LinkPreviewOptions  *linkPreview `json:"link_preview_options,omitempty"`
	DisableNotification bool         `json:"disable_notification,omitempty"`
}

type linkPreview struct {
	IsDisabled bool `json:"is_disabled"`
}

// answer is what the Bot API answers to every request.
type answer struct {
	OK          *bool  `json:"ok"`
	ErrorCode   int    `json:"error_code"`
	Description string `json:"description"`
	Parameters  struct {
		RetryAfter      int   `json:"retry_after"`
		MigrateToChatID int64 `json:"migrate_to_chat_id"`
	} `json:"parameters"`
}

// Notify sends the notification as a message to the chat. It returns nil
// once the Bot API answers "ok": true. Flood control (429) and server
// errors (5xx) are retryable, after the answer's retry_after or
// Retry-After; other refusals, and a message that cannot be made, are
// permanent errors, with Telegram's description.
func (s *Sender) Notify(ctx context.Context, n *notify.Notification) error {
	if err := n.Validate(); err != nil {
		return notify.Permanent(fmt.Errorf("telegram: %w", err))
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("telegram: %w", err)
	}
	body, err := s.Body(n)
	if err != nil {
		return notify.Permanent(err)
	}
	req, err := http.NewRequest(http.MethodPost, s.endpoint, bytes.NewReader(body))
	if err != nil {
		// New checked the URL; the error would quote it, token and all.
		return notify.Permanent(errors.New("telegram: the request cannot be made for the configured api_url"))
	}
	req.Header.Set("Content-Type", "application/json")
	status, got, err := notify.Do(ctx, s.client, req, s.now)
	return s.hide(s.check(status, got, err))
}

// Body returns the JSON body of the sendMessage request for a
// notification, as Notify sends it: for tests, and for previews.
func (s *Sender) Body(n *notify.Notification) ([]byte, error) {
	text, err := s.Text(n)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	err = enc.Encode(request{
		ChatID: s.chat, MessageThreadID: s.cfg.MessageThreadID, Text: text, ParseMode: "HTML",
		LinkPreviewOptions: &linkPreview{IsDisabled: true}, DisableNotification: s.cfg.DisableNotification,
	})
	if err != nil {
		return nil, fmt.Errorf("telegram: notification %s: encoding: %w", n.Key, err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// Text returns the message of a notification in Telegram's HTML, rendered
// at n.At and cut to MaxLength characters.
func (s *Sender) Text(n *notify.Notification) (string, error) {
	var out string
	var lossy bool
	var err error
	for _, l := range levels {
		// Outside input can make the output too long: try with less.
		var c *notify.Notification
		c, lossy = clip(n, l)
		if out, err = s.message.Render(c, n.At); !errors.Is(err, notify.ErrTooLong) {
			break // rendered, or a broken template: trying with less will not help
		}
	}
	if err != nil {
		return "", fmt.Errorf("telegram: notification %s: %w", n.Key, err)
	}
	out = strings.ToValidUTF8(out, "\uFFFD")
	toks, err := tokenize(out)
	if err != nil {
		return "", fmt.Errorf("telegram: notification %s: template %s made invalid HTML: %w", n.Key, s.message.Name(), err)
	}
	if blank(toks) {
		return "", fmt.Errorf("telegram: notification %s: template %s made an empty message", n.Key, s.message.Name())
	}
	return fit(out, toks, MaxLength, lossy), nil
}

// check turns the Bot API's answer into an error, or nil for "ok": true.
func (s *Sender) check(status int, body []byte, err error) error {
	var a answer
	parsed := json.Unmarshal(body, &a) == nil && a.OK != nil
	var se *notify.StatusError
	if err != nil && !errors.As(err, &se) {
		return fmt.Errorf("telegram: %w", err) // no answer
	}
	if se == nil { // 2xx
		switch {
		case !parsed:
			// Sent, perhaps, but not confirmed: a retry may duplicate
			// the message rather than lose it.
			return fmt.Errorf("telegram: %d: the answer is not the Bot API's: %s", status, s.redact(snippet(body)))
		case *a.OK:
			return nil
		}
		code := a.ErrorCode
		if code == 0 {
			code = status
		}
		return notify.Permanent(fmt.Errorf("telegram: %w", &notify.StatusError{
			StatusCode: code, Status: strconv.Itoa(code) + " " + http.StatusText(code), Body: s.redact(describe(&a)),
		}))
	}
	se.Status, se.Body = s.redact(se.Status), s.redact(se.Body)
	if parsed {
		se.Body = s.redact(describe(&a))
		if se.Retry {
			se.RetryAfter = max(se.RetryAfter, time.Duration(a.Parameters.RetryAfter)*time.Second)
		}
	}
	return fmt.Errorf("telegram: %w", se)
}

// describe is the Bot API's description of a refusal, with what to do
// about a group that became a supergroup.
func describe(a *answer) string {
	d := a.Description
	if d == "" {
		d = "no description"
	}
	if id := a.Parameters.MigrateToChatID; id != 0 {
		d += fmt.Sprintf(" (the group is now the supergroup %d: set chat_id to it)", id)
	}
	return d
}

// snippet is the start of an answer, for an error.
func snippet(b []byte) string {
	s := strings.Join(strings.Fields(string(b)), " ")
	return notify.Truncate(strings.ToValidUTF8(s, "\uFFFD"), 200)
}

// redact replaces the token in a text with "<secret>".
func (s *Sender) redact(text string) string {
	return strings.ReplaceAll(text, s.cfg.Token.Reveal(), s.cfg.Token.String())
}

// hide keeps the token out of an error's text, wherever it came from.
func (s *Sender) hide(err error) error {
	if err == nil || !strings.Contains(err.Error(), s.cfg.Token.Reveal()) {
		return err
	}
	return &hidden{text: s.redact(err.Error()), err: err}
}

// hidden is an error with the token cut from its text; errors.As and
// Retryable still see what it wraps.
type hidden struct {
	text string
	err  error
}

func (h *hidden) Error() string { return h.text }
func (h *hidden) Unwrap() error { return h.err }
