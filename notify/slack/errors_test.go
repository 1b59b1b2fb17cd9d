package slack_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/alertkit/alertkit/incident"
	"github.com/alertkit/alertkit/notify"
	"github.com/alertkit/alertkit/notify/notifytest"
	"github.com/alertkit/alertkit/notify/slack"
)

// Slack's answers, and the errors they become.
func TestErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mode   mode
		answer answer
		retry  bool
		after  time.Duration
		err    string // the error's text
		code   string // the APIError's code, if any
	}{
		{"webhook invalid_payload", webhookMode, answer{status: 400, body: "invalid_payload"}, false, 0, "slack: 400 Bad Request: invalid_payload", ""},
		{"webhook action_prohibited", webhookMode, answer{status: 403, body: "action_prohibited"}, false, 0, "slack: 403 Forbidden: action_prohibited", ""},
		{"webhook channel_not_found", webhookMode, answer{status: 404, body: "channel_not_found"}, false, 0, "slack: 404 Not Found: channel_not_found", ""},
		{"webhook channel_is_archived", webhookMode, answer{status: 410, body: "channel_is_archived"}, false, 0, "slack: 410 Gone: channel_is_archived", ""},
		{"webhook rate limited", webhookMode, answer{status: 429, header: map[string]string{"Retry-After": "30"}, body: "rate_limited"}, true, 30 * time.Second, "slack: 429 Too Many Requests: rate_limited", ""},
		{"webhook rollup_error", webhookMode, answer{status: 500, body: "rollup_error"}, true, 0, "slack: 500 Internal Server Error: rollup_error", ""},
		{"webhook unavailable", webhookMode, answer{status: 503, header: map[string]string{"Retry-After": "120"}}, true, 2 * time.Minute, "slack: 503 Service Unavailable", ""},
		{"webhook 200 but not ok", webhookMode, answer{status: 200, body: "<html>login</html>"}, false, 0, `slack: unexpected answer "<html>login</html>"`, ""},

		{"api ratelimited", botMode, answer{status: 200, body: `{"ok":false,"error":"ratelimited"}`}, true, 0, "slack: chat.postMessage: ratelimited", "ratelimited"},
		{"api internal_error", botMode, answer{status: 200, body: `{"ok":false,"error":"internal_error"}`}, true, 0, "slack: chat.postMessage: internal_error", "internal_error"},
		{"api fatal_error", botMode, answer{status: 200, body: `{"ok":false,"error":"fatal_error"}`}, true, 0, "slack: chat.postMessage: fatal_error", "fatal_error"},
		{"api service_unavailable", botMode, answer{status: 200, body: `{"ok":false,"error":"service_unavailable"}`}, true, 0, "slack: chat.postMessage: service_unavailable", "service_unavailable"},
		{"api request_timeout", botMode, answer{status: 200, body: `{"ok":false,"error":"request_timeout"}`}, true, 0, "slack: chat.postMessage: request_timeout", "request_timeout"},
		{"api channel_not_found", botMode, answer{status: 200, body: `{"ok":false,"error":"channel_not_found"}`}, false, 0, "slack: chat.postMessage: channel_not_found", "channel_not_found"},
		{"api not_in_channel", botMode, answer{status: 200, body: `{"ok":false,"error":"not_in_channel"}`}, false, 0, "slack: chat.postMessage: not_in_channel", "not_in_channel"},
		{"api invalid_auth", botMode, answer{status: 200, body: `{"ok":false,"error":"invalid_auth"}`}, false, 0, "slack: chat.postMessage: invalid_auth", "invalid_auth"},
		{"api account_inactive", botMode, answer{status: 200, body: `{"ok":false,"error":"account_inactive"}`}, false, 0, "slack: chat.postMessage: account_inactive", "account_inactive"},
		{"api token_revoked", botMode, answer{status: 200, body: `{"ok":false,"error":"token_revoked"}`}, false, 0, "slack: chat.postMessage: token_revoked", "token_revoked"},
		{"api msg_too_long", botMode, answer{status: 200, body: `{"ok":false,"error":"msg_too_long"}`}, false, 0, "slack: chat.postMessage: msg_too_long", "msg_too_long"},
		{"api invalid_blocks", botMode, answer{status: 200, body: `{"ok":false,"error":"invalid_blocks"}`}, false, 0, "slack: chat.postMessage: invalid_blocks", "invalid_blocks"},
		{"api an unknown code", botMode, answer{status: 200, body: `{"ok":false,"error":"something_new"}`}, false, 0, "slack: chat.postMessage: something_new", "something_new"},
		{"api no code", botMode, answer{status: 200, body: `{"ok":false}`}, false, 0, "slack: chat.postMessage: an error without a code", ""},
		{"api 429", botMode, answer{status: 429, header: map[string]string{"Retry-After": "3"}, body: `{"ok":false,"error":"ratelimited"}`}, true, 3 * time.Second, `slack: chat.postMessage: 429 Too Many Requests: {"ok":false,"error":"ratelimited"}`, ""},
		{"api 502", botMode, answer{status: 502, body: "bad gateway"}, true, 0, "slack: chat.postMessage: 502 Bad Gateway: bad gateway", ""},
		{"api 404", botMode, answer{status: 404, body: "not found"}, false, 0, "slack: chat.postMessage: 404 Not Found: not found", ""},
		{"api not JSON", botMode, answer{status: 200, body: "<html>proxy</html>"}, false, 0, `slack: chat.postMessage: an answer that is not the Web API's: "<html>proxy</html>"`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, tc.mode)
			f.setOverride(func(request) (answer, bool) { return tc.answer, true })
			s := newSender(t, f.config(), nil)
			err := s.Notify(t.Context(), notifytest.Sample(notify.ReasonOpened))
			if err == nil {
				t.Fatal("no error")
			}
			if err.Error() != tc.err {
				t.Errorf("error %q, want %q", err, tc.err)
			}
			if retry, after := notify.Retryable(err); retry != tc.retry || after != tc.after {
				t.Errorf("Retryable = %v, %v; want %v, %v", retry, after, tc.retry, tc.after)
			}
			var apiErr *slack.APIError
			if errors.As(err, &apiErr) != (tc.code != "" || strings.Contains(tc.err, "without a code")) || apiErr != nil && apiErr.Code != tc.code {
				t.Errorf("APIError %+v, want code %q", apiErr, tc.code)
			}
			for _, secret := range []string{webhookSecret, tokenSecret} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("the error shows a secret: %v", err)
				}
			}
		})
	}
}

// A chat.update that fails after the reply could not tell the channel:
// the error is the update's.
func TestUpdateErrors(t *testing.T) {
	f := newFake(t, botMode)
	f.setOverride(func(r request) (answer, bool) {
		if r.Path == "/api/chat.update" {
			return answer{status: 200, body: `{"ok":false,"error":"internal_error"}`}, true
		}
		return answer{}, false
	})
	refs := slack.NewMemoryRefs(0)
	refs.Set(t.Context(), notifytest.Sample(notify.ReasonOpened).Incident.ID, channelID, firstTS)
	s := newSender(t, f.config(), &slack.Options{Refs: refs})
	err := s.Notify(t.Context(), notifytest.Sample(notify.ReasonAcknowledged))
	if err == nil || err.Error() != "slack: chat.update: internal_error" {
		t.Fatalf("error %v, want chat.update's internal_error", err)
	}
	if retry, _ := notify.Retryable(err); !retry {
		t.Error("not retryable")
	}
	if got := calls(f.log()); len(got) != 1 {
		t.Errorf("calls %q: the reply was sent though the update failed", got)
	}
}

type brokenRefs struct{ get, set error }

func (b brokenRefs) Get(context.Context, incident.ID, string) (string, bool, error) {
	return "", false, b.get
}
func (b brokenRefs) Set(context.Context, incident.ID, string, string) error { return b.set }

func TestRefsErrors(t *testing.T) {
	t.Run("get", func(t *testing.T) {
		f := newFake(t, botMode)
		s := newSender(t, f.config(), &slack.Options{Refs: brokenRefs{get: errors.New("store down")}})
		err := s.Notify(t.Context(), notifytest.Sample(notify.ReasonOpened))
		if err == nil || err.Error() != "slack: refs: store down" {
			t.Fatalf("error %v", err)
		}
		if retry, _ := notify.Retryable(err); !retry {
			t.Error("a store's failure is not retryable")
		}
		if n := len(f.log()); n != 0 {
			t.Errorf("%d requests sent", n)
		}
	})
	t.Run("set", func(t *testing.T) {
		// The message is posted: failing would post it again. The failure
		// is logged.
		f := newFake(t, botMode)
		var buf bytes.Buffer
		logger := slog.New(slog.NewTextHandler(&buf, nil))
		s := newSender(t, f.config(), &slack.Options{Refs: brokenRefs{set: errors.New("store full")}, Logger: logger})
		if err := s.Notify(t.Context(), notifytest.Sample(notify.ReasonOpened)); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(buf.String(), "level=WARN") || !strings.Contains(buf.String(), "store full") {
			t.Errorf("log: %s", buf.String())
		}
	})
}

func TestValidate(t *testing.T) {
	const hook = notify.Secret("https://hooks.slack.com/services/T0/B0/" + webhookSecret)
	for _, tc := range []struct {
		name string
		cfg  slack.Config
		err  string
	}{
		{"webhook", slack.Config{WebhookURL: hook}, ""},
		{"bot", slack.Config{Token: token, Channel: "#ops", Mentions: mentions, Title: "{{ .Incident.Title }}", Text: "{{ .Note }}"}, ""},
		{"nothing", slack.Config{}, "slack: webhook_url or token: missing"},
		{"both", slack.Config{WebhookURL: hook, Token: token, Channel: channelID}, "slack: webhook_url and token: both set; configure one"},
		{"webhook not a URL", slack.Config{WebhookURL: "hooks.slack.com/" + webhookSecret}, "slack: webhook_url: not an absolute http(s) URL"},
		{"webhook with a channel", slack.Config{WebhookURL: hook, Channel: "#ops"}, "slack: channel: not used with webhook_url (an incoming webhook posts to its own channel)"},
		{"webhook with an API URL", slack.Config{WebhookURL: hook, APIURL: "https://slack.example.com/api/"}, "slack: api_url: not used with webhook_url"},
		{"no channel", slack.Config{Token: token}, "slack: channel: missing"},
		{"bad API URL", slack.Config{Token: token, Channel: channelID, APIURL: "ftp://slack.example.com"}, `slack: api_url: not an absolute http(s) URL`},
		{"bad mention", slack.Config{WebhookURL: hook, Mentions: map[string]string{"alice": "@alice"}}, `slack: mentions: "alice": not a user ID (U…, W…) or a user group ID (S…)`},
		{"empty name", slack.Config{WebhookURL: hook, Mentions: map[string]string{" ": "U024BE7LH"}}, "slack: mentions: an empty name"},
		{"bad title", slack.Config{WebhookURL: hook, Title: "{{ nope }}"}, `slack: title: template: title:1: function "nope" not defined`},
		{"bad text", slack.Config{WebhookURL: hook, Text: "{{ .Note "}, "slack: text: template: text:1: unclosed action"},
		{"several", slack.Config{Token: token, Mentions: map[string]string{"bob": "B1"}}, "slack: channel: missing\n" + `slack: mentions: "bob": not a user ID (U…, W…) or a user group ID (S…)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.cfg.Validate()
			if got := errText(err); got != tc.err {
				t.Errorf("Validate() = %q, want %q", got, tc.err)
			}
			_, err = slack.New(&tc.cfg, nil)
			if got := errText(err); got != tc.err {
				t.Errorf("New: %q, want %q", got, tc.err)
			}
			if err != nil && strings.Contains(err.Error(), webhookSecret) {
				t.Errorf("the error shows the webhook's URL: %v", err)
			}
		})
	}
	if _, err := slack.New(nil, nil); err == nil {
		t.Error("New(nil): no error")
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// New copies the configuration: changing it afterwards changes nothing.
func TestNewCopies(t *testing.T) {
	f := newFake(t, webhookMode)
	cfg := f.config()
	cfg.Mentions = map[string]string{"vasiliy.vasiliyev": "U024BE7LH"}
	s := newSender(t, cfg, nil)
	cfg.Mentions["vasiliy.vasiliyev"] = "U0CHANGED"
	cfg.WebhookURL = "http://127.0.0.1:1/elsewhere"
	if err := s.Notify(t.Context(), notifytest.Sample(notify.ReasonOpened)); err != nil {
		t.Fatal(err)
	}
	if body := string(f.log()[0].Raw); !strings.Contains(body, "<@U024BE7LH>") {
		t.Errorf("the mention changed: %s", body)
	}
}
