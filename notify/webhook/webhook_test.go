package webhook_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/require"

	"github.com/alertkit/alertkit/notify"
	"github.com/alertkit/alertkit/notify/notifytest"
	"github.com/alertkit/alertkit/notify/webhook"
)

var formats = []string{webhook.FormatAlertkit, webhook.FormatAlertmanager}

// fullConfig is a configuration with every option that adds a header.
func fullConfig(format string) *webhook.Config {
	return &webhook.Config{
		Format:      format,
		BearerToken: bearerToken,
		SigningKey:  signingKey,
		Headers:     map[string]notify.Secret{"X-Tenant": "horns-and-hooves", "x-api-key": tenantKey},
	}
}

func fixedNow() time.Time { return notifytest.At }

func newSender(t *testing.T, cfg *webhook.Config) *webhook.Sender {
	t.Helper()
	s, err := webhook.New(cfg, &webhook.Options{Now: fixedNow})
	require.NoError(t, err)
	return s
}

func sampleKeys() []string {
	var keys []string
	for _, r := range notify.Reasons() {
		keys = append(keys, notifytest.Sample(r).Key)
	}
	return keys
}

func TestConformance(t *testing.T) {
	for _, format := range formats {
		t.Run(format, func(t *testing.T) {
			notifytest.Run(t, func(t *testing.T) *notifytest.Harness {
				cfg := fullConfig(format)
				f := newFakeEnd(t, cfg, sampleKeys()...)
				return &notifytest.Harness{
					Notifier: newSender(t, cfg),
					Behave:   f.behave,
					Received: f.received,
					Secrets:  []string{urlToken, bearerToken, signingKey, tenantKey},
					Config:   cfg,
				}
			})
		})
	}
}

func TestRequest(t *testing.T) {
	for _, format := range formats {
		for _, signed := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/signed=%v", format, signed), func(t *testing.T) {
				cfg := fullConfig(format)
				if !signed {
					cfg.SigningKey, cfg.BearerToken, cfg.Headers = "", "", nil
				}
				f := newFakeEnd(t, cfg)
				s := newSender(t, cfg)
				n := notifytest.Sample(notify.ReasonEscalation)
				require.NoError(t, s.Notify(context.Background(), n))

				reqs := f.all()
				require.Len(t, reqs, 1)
				got := reqs[0]
				want, err := s.Body(n)
				require.NoError(t, err)
				require.Equal(t, string(want), string(got.Body), "the body sent is Body's")
				require.Equal(t, n.Key, got.Header.Get("Idempotency-Key"))
				require.Equal(t, "application/json", got.Header.Get("Content-Type"))
				if !signed {
					require.Empty(t, got.Header.Get("Authorization"))
					require.Empty(t, got.Header.Get(webhook.HeaderSignature))
					require.Empty(t, got.Header.Get(webhook.HeaderTimestamp))
					return
				}
				require.Equal(t, "Bearer "+bearerToken, got.Header.Get("Authorization"))
				require.Equal(t, tenantKey, got.Header.Get("X-Api-Key"))
				require.Equal(t, "horns-and-hooves", got.Header.Get("X-Tenant"))
				ts := got.Header.Get(webhook.HeaderTimestamp)
				require.Equal(t, strconv.FormatInt(notifytest.At.Unix(), 10), ts)
				require.Equal(t, webhook.Signature([]byte(signingKey), ts, got.Body), got.Header.Get(webhook.HeaderSignature))
				require.NoError(t, webhook.Verify([]byte(signingKey), ts, got.Header.Get(webhook.HeaderSignature), got.Body, notifytest.At, 0))
			})
		}
	}
}

// TestRetrySignsAgain: a retry carries the same key and a new timestamp.
func TestRetrySignsAgain(t *testing.T) {
	cfg := fullConfig(webhook.FormatAlertkit)
	f := newFakeEnd(t, cfg)
	now := notifytest.At
	s, err := webhook.New(cfg, &webhook.Options{Now: func() time.Time { return now }})
	require.NoError(t, err)
	n := notifytest.Sample(notify.ReasonOpened)
	f.behave(notifytest.Fail)
	require.Error(t, s.Notify(context.Background(), n))
	now = now.Add(30 * time.Second)
	f.setNow(now)
	f.behave(notifytest.Accept)
	require.NoError(t, s.Notify(context.Background(), n))
	reqs := f.all()
	require.Len(t, reqs, 2)
	require.Equal(t, reqs[0].Header.Get("Idempotency-Key"), reqs[1].Header.Get("Idempotency-Key"))
	require.Equal(t, reqs[0].Body, reqs[1].Body)
	require.NotEqual(t, reqs[0].Header.Get(webhook.HeaderTimestamp), reqs[1].Header.Get(webhook.HeaderTimestamp))
}

func TestAnswers(t *testing.T) {
	tests := []struct {
		name       string
		status     int
		retryAfter string
		ok         bool
		retry      bool
		after      time.Duration
		text       string
	}{
		{name: "200", status: 200, ok: true},
		{name: "201", status: 201, ok: true},
		{name: "202", status: 202, ok: true},
		{name: "204", status: 204, ok: true},
		{name: "301 is not followed", status: 301, text: "webhook: 301 Moved Permanently"},
		{name: "302 is not followed", status: 302, text: "webhook: 302 Found"},
		{name: "307 is not followed", status: 307, text: "webhook: 307 Temporary Redirect"},
		{name: "400", status: 400, text: "webhook: 400 Bad Request: nope"},
		{name: "401", status: 401, text: "webhook: 401 Unauthorized: nope"},
		{name: "403", status: 403, text: "webhook: 403 Forbidden: nope"},
		{name: "404", status: 404, text: "webhook: 404 Not Found: nope"},
		{name: "410", status: 410, text: "webhook: 410 Gone: nope"},
		{name: "413", status: 413, text: "webhook: 413 Request Entity Too Large: nope"},
		{name: "408", status: 408, retry: true, text: "webhook: 408 Request Timeout: nope"},
		{name: "429 with seconds", status: 429, retryAfter: "30", retry: true, after: 30 * time.Second},
		{name: "429 with a date", status: 429, retryAfter: notifytest.At.Add(2 * time.Minute).Format(http.TimeFormat), retry: true, after: 2 * time.Minute},
		{name: "429 without Retry-After", status: 429, retry: true},
		{name: "500", status: 500, retry: true, text: "webhook: 500 Internal Server Error: nope"},
		{name: "502", status: 502, retry: true},
		{name: "503 with Retry-After", status: 503, retryAfter: "120", retry: true, after: 2 * time.Minute},
		{name: "504", status: 504, retry: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var redirected atomic.Bool
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/elsewhere" {
					redirected.Store(true)
					return
				}
				if tt.retryAfter != "" {
					w.Header().Set("Retry-After", tt.retryAfter)
				}
				if tt.status >= 300 && tt.status < 400 {
					w.Header().Set("Location", "/elsewhere")
					w.WriteHeader(tt.status)
					return
				}
				w.WriteHeader(tt.status)
				if tt.status >= 400 {
					_, _ = io.WriteString(w, "nope")
				}
			}))
			defer srv.Close()
			cfg := fullConfig(webhook.FormatAlertkit)
			cfg.URL = notify.Secret(srv.URL + hookPath)
			err := newSender(t, cfg).Notify(context.Background(), notifytest.Sample(notify.ReasonOpened))
			if redirected.Load() {
				t.Error("the redirect was followed")
			}
			if tt.ok {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			retry, after := notify.Retryable(err)
			require.Equal(t, tt.retry, retry, "retry of %v", err)
			require.Equal(t, tt.after, after, "retry after of %v", err)
			require.Equal(t, tt.status, notify.StatusCode(err))
			if tt.text != "" {
				require.Equal(t, tt.text, err.Error())
			}
			require.True(t, strings.HasPrefix(err.Error(), "webhook: "), err.Error())
			for _, secret := range []string{urlToken, bearerToken, signingKey, tenantKey} {
				require.NotContains(t, err.Error(), secret)
			}
		})
	}
}

// TestClientRedirectPolicy: a client that says how to redirect is obeyed,
// on the same host, unless the body would have to be sent again.
func TestClientRedirectPolicy(t *testing.T) {
	tests := []struct {
		name     string
		status   int
		wantCode int // the answer's status in the error; 0 for success
		want     []string
	}{
		{name: "303 is followed as a GET", status: http.StatusSeeOther, want: []string{"POST " + hookPath, "GET /moved"}},
		{name: "308 would send the body again", status: http.StatusPermanentRedirect, wantCode: http.StatusPermanentRedirect, want: []string{"POST " + hookPath}},
		{name: "307 would send the body again", status: http.StatusTemporaryRedirect, wantCode: http.StatusTemporaryRedirect, want: []string{"POST " + hookPath}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var (
				mu      sync.Mutex
				methods []string
			)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				defer mu.Unlock()
				methods = append(methods, r.Method+" "+r.URL.Path)
				if r.URL.Path == hookPath {
					http.Redirect(w, r, "/moved", tt.status)
				}
			}))
			defer srv.Close()
			client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return nil }}
			s, err := webhook.New(&webhook.Config{URL: notify.Secret(srv.URL + hookPath)}, &webhook.Options{Client: client})
			require.NoError(t, err)
			err = s.Notify(context.Background(), notifytest.Sample(notify.ReasonOpened))
			if tt.wantCode == 0 {
				require.NoError(t, err)
			} else {
				require.Error(t, err)
				require.Equal(t, tt.wantCode, notify.StatusCode(err))
			}
			mu.Lock()
			defer mu.Unlock()
			require.Equal(t, tt.want, methods)
		})
	}
}

// TestRedirectElsewhere: a redirect to another host is refused, whatever
// the client says, and the other host hears nothing of the request.
func TestRedirectElsewhere(t *testing.T) {
	var elsewhere atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { elsewhere.Add(1) }))
	defer other.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+r.URL.Path, http.StatusFound)
	}))
	defer srv.Close()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return nil }}
	cfg := fullConfig(webhook.FormatAlertkit)
	cfg.URL = notify.Secret(srv.URL + hookPath)
	s, err := webhook.New(cfg, &webhook.Options{Client: client, Now: fixedNow})
	require.NoError(t, err)
	err = s.Notify(context.Background(), notifytest.Sample(notify.ReasonOpened))
	require.ErrorIs(t, err, notify.ErrRedirectElsewhere)
	retry, _ := notify.Retryable(err)
	require.False(t, retry)
	require.Zero(t, elsewhere.Load())
	for _, secret := range []string{urlToken, bearerToken, signingKey, tenantKey} {
		require.NotContains(t, err.Error(), secret)
	}
}

func TestTransportErrorHidesURL(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL + hookPath
	srv.Close() // nothing listens any more
	s, err := webhook.New(&webhook.Config{URL: notify.Secret(url)}, nil)
	require.NoError(t, err)
	err = s.Notify(context.Background(), notifytest.Sample(notify.ReasonOpened))
	require.Error(t, err)
	retry, _ := notify.Retryable(err)
	require.True(t, retry, "a refused connection is retryable: %v", err)
	require.NotContains(t, err.Error(), urlToken)
	require.True(t, strings.HasPrefix(err.Error(), "webhook: "), err.Error())
}

func TestValidate(t *testing.T) {
	const u = "https://hooks.example.com/x/" + urlToken
	tests := []struct {
		name string
		cfg  webhook.Config
		err  string
	}{
		{name: "minimal", cfg: webhook.Config{URL: u}},
		{name: "everything, alertkit", cfg: *fullConfigURL(webhook.FormatAlertkit, u)},
		{name: "everything, alertmanager", cfg: func() webhook.Config {
			c := fullConfigURL(webhook.FormatAlertmanager, u)
			c.MaxAlerts, c.ExternalURL = 10, "https://alerts.example.com"
			return *c
		}()},
		{name: "http", cfg: webhook.Config{URL: "http://10.0.0.1:8080/hook"}},
		{name: "missing url", cfg: webhook.Config{}, err: "webhook: url: missing"},
		{name: "not a url", cfg: webhook.Config{URL: "https://ho st/" + urlToken}, err: `webhook: url: not a URL`},
		{name: "control character in url", cfg: webhook.Config{URL: "https://host/\n" + urlToken}, err: "webhook: url: not a URL"},
		{name: "relative url", cfg: webhook.Config{URL: "/hooks/" + urlToken}, err: `webhook: url: the scheme is not http or https`},
		{name: "ftp", cfg: webhook.Config{URL: "ftp://example.com/" + urlToken}, err: `webhook: url: the scheme is not http or https`},
		{name: "no host", cfg: webhook.Config{URL: "https:///" + urlToken}, err: "webhook: url: no host"},
		{name: "unknown format", cfg: webhook.Config{URL: u, Format: "slack"}, err: `webhook: format: not alertkit or alertmanager`},
		{name: "max_alerts in alertkit format", cfg: webhook.Config{URL: u, MaxAlerts: 5}, err: "webhook: max_alerts: only for the alertmanager format"},
		{name: "external_url in alertkit format", cfg: webhook.Config{URL: u, Format: "alertkit", ExternalURL: "https://a.example.com"}, err: "webhook: external_url: only for the alertmanager format"},
		{name: "negative max_alerts", cfg: webhook.Config{URL: u, Format: "alertmanager", MaxAlerts: -1}, err: "webhook: max_alerts: negative"},
		{name: "relative external_url", cfg: webhook.Config{URL: u, Format: "alertmanager", ExternalURL: "alerts.example.com"}, err: `webhook: external_url: not an http or https URL`},
		{name: "bearer token with a line break", cfg: webhook.Config{URL: u, BearerToken: bearerToken + "\r\nX-Evil: 1"}, err: "webhook: bearer_token: contains a line break or control character"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if tt.err == "" {
				require.NoError(t, err)
				return
			}
			require.EqualError(t, err, tt.err)
			_, err = webhook.New(&tt.cfg, nil)
			require.EqualError(t, err, tt.err)
			require.NotContains(t, err.Error(), urlToken)
			require.NotContains(t, err.Error(), bearerToken)
		})
	}
}

func fullConfigURL(format, url string) *webhook.Config {
	c := fullConfig(format)
	c.URL = notify.Secret(url)
	return c
}

// TestHeaderRefusals: extra headers may neither inject lines nor override
// what the sender writes.
func TestHeaderRefusals(t *testing.T) {
	tests := []struct {
		name, header, value, err string
	}{
		{"Content-Type", "Content-Type", "text/plain", "webhook: headers: Content-Type: set by the sender, cannot be overridden"},
		{"content-type in lower case", "content-type", "text/plain", "webhook: headers: Content-Type: set by the sender, cannot be overridden"},
		{"Authorization", "Authorization", "Basic " + tenantKey, "webhook: headers: Authorization: set by the sender, cannot be overridden"},
		{"Idempotency-Key", "IDEMPOTENCY-KEY", "1", "webhook: headers: Idempotency-Key: set by the sender, cannot be overridden"},
		{"timestamp", "x-alertkit-timestamp", "1", "webhook: headers: X-Alertkit-Timestamp: set by the sender, cannot be overridden"},
		{"signature", "X-Alertkit-Signature", "sha256=00", "webhook: headers: X-Alertkit-Signature: set by the sender, cannot be overridden"},
		{"Host", "Host", "evil.example.com", "webhook: headers: Host: set by the sender, cannot be overridden"},
		{"Content-Length", "content-length", "0", "webhook: headers: Content-Length: set by the sender, cannot be overridden"},
		{"Transfer-Encoding", "Transfer-Encoding", "chunked", "webhook: headers: Transfer-Encoding: set by the sender, cannot be overridden"},
		{"CRLF in a value", "X-Api-Key", tenantKey + "\r\nX-Injected: 1", "webhook: headers: X-Api-Key: the value contains a line break or control character"},
		{"LF in a value", "X-Api-Key", tenantKey + "\nX-Injected: 1", "webhook: headers: X-Api-Key: the value contains a line break or control character"},
		{"CR in a value", "X-Api-Key", tenantKey + "\r", "webhook: headers: X-Api-Key: the value contains a line break or control character"},
		{"NUL in a value", "X-Api-Key", tenantKey + "\x00", "webhook: headers: X-Api-Key: the value contains a line break or control character"},
		{"CRLF in a name", "X-Api-Key\r\nX-Injected", "1", `webhook: headers: a name is not a valid header name`},
		{"colon in a name", "X-Api-Key: 1\r\n", "1", `webhook: headers: a name is not a valid header name`},
		{"space in a name", "X Api Key", "1", `webhook: headers: a name is not a valid header name`},
		{"non-ASCII name", "X-Ключ", "1", `webhook: headers: a name is not a valid header name`},
		{"empty name", "", "1", "webhook: headers: empty header name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := webhook.Config{URL: "https://hooks.example.com/x", Headers: map[string]notify.Secret{tt.header: notify.Secret(tt.value)}}
			err := cfg.Validate()
			require.EqualError(t, err, tt.err)
			require.NotContains(t, err.Error(), tenantKey, "the header's value shows")
		})
	}
	t.Run("allowed", func(t *testing.T) {
		cfg := webhook.Config{URL: "https://hooks.example.com/x", Headers: map[string]notify.Secret{
			"User-Agent": "ops-bridge/1.0", "X-Tenant": "horns-and-hooves", "X-Tab": "a\tb", "X-Unicode": "Цель",
		}}
		require.NoError(t, cfg.Validate())
	})
	t.Run("the first error does not depend on map order", func(t *testing.T) {
		for range 20 {
			cfg := webhook.Config{URL: "https://hooks.example.com/x", Headers: map[string]notify.Secret{
				"b-bad\n": "1", "a-bad\n": "1", "Host": "x", "Content-Type": "x",
			}}
			require.EqualError(t, cfg.Validate(), "webhook: headers: Content-Type: set by the sender, cannot be overridden")
		}
	})
}

// TestConfigIsCopied: New keeps its own copy of the configuration.
func TestConfigIsCopied(t *testing.T) {
	cfg := fullConfig(webhook.FormatAlertkit)
	f := newFakeEnd(t, cfg)
	s := newSender(t, cfg)
	cfg.Headers["X-Tenant"] = "changed"
	cfg.BearerToken = "changed"
	require.NoError(t, s.Notify(context.Background(), notifytest.Sample(notify.ReasonOpened)))
	require.Equal(t, "horns-and-hooves", f.all()[0].Header.Get("X-Tenant"))
	require.Equal(t, "Bearer "+bearerToken, f.all()[0].Header.Get("Authorization"))
}

func TestNewNil(t *testing.T) {
	_, err := webhook.New(nil, nil)
	require.EqualError(t, err, "webhook: no configuration")
}

// TestKeyWithControlCharacter: a key that cannot be a header is refused for
// good, and nothing is sent.
func TestKeyWithControlCharacter(t *testing.T) {
	cfg := fullConfig(webhook.FormatAlertkit)
	f := newFakeEnd(t, cfg)
	n := notifytest.Sample(notify.ReasonOpened)
	n.Key = "01KAV7Z1S4X7B2WQ5AR6KF/opened\r\nX-Injected: 1"
	err := newSender(t, cfg).Notify(context.Background(), n)
	require.Error(t, err)
	retry, _ := notify.Retryable(err)
	require.False(t, retry, "retryable: %v", err)
	require.Empty(t, f.all())
}

// TestOddNotifications: content the snapshot does not promise is sent
// without a panic, and in the shape the formats promise.
func TestOddNotifications(t *testing.T) {
	bare := func() *notify.Notification {
		return &notify.Notification{Key: "k", Reason: notify.ReasonOpened, At: notifytest.At, Incident: notify.Snapshot{ID: "I"}}
	}
	tests := map[string]func() *notify.Notification{
		"bare":                  bare,
		"member without labels": func() *notify.Notification { n := bare(); n.Incident.Members = []notify.Alert{{}}; return n },
		"member with empty label set": func() *notify.Notification {
			n := bare()
			n.Incident.Members = []notify.Alert{{Labels: model.LabelSet{}, Annotations: model.LabelSet{}, State: "resolved"}}
			return n
		},
		"digest of bare items": func() *notify.Notification {
			n := bare()
			n.Reason, n.Items = notify.ReasonDigest, []notify.Snapshot{{}, {ID: "J", Status: "closed"}}
			return n
		},
		"odd strings": func() *notify.Notification {
			n := bare()
			n.Note, n.Incident.URL = "\x00\xff\xfe invalid UTF-8", "::not a url::"
			n.Incident.Members = []notify.Alert{{Labels: model.LabelSet{"a": "\xff"}, State: "exploded", GeneratorURL: "\x7f"}}
			return n
		},
	}
	for _, format := range formats {
		for name, mk := range tests {
			t.Run(format+"/"+name, func(t *testing.T) {
				cfg := fullConfig(format)
				f := newFakeEnd(t, cfg)
				require.NoError(t, newSender(t, cfg).Notify(context.Background(), mk()))
				require.Equal(t, 1, f.received())
			})
		}
	}
}

func TestSecretsHidden(t *testing.T) {
	cfg := fullConfigURL(webhook.FormatAlertmanager, "https://hooks.example.com/"+urlToken)
	for _, s := range []string{fmt.Sprint(cfg), fmt.Sprintf("%+v", cfg), fmt.Sprintf("%#v", cfg)} {
		for _, secret := range []string{urlToken, bearerToken, signingKey, tenantKey} {
			if strings.Contains(s, secret) {
				t.Errorf("%q shows a secret", s)
			}
		}
	}
}
