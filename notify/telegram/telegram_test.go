package telegram_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"testing/synctest"
	"time"
	"unicode/utf16"

	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alertkit/alertkit/incident"
	"github.com/alertkit/alertkit/internal/golden"
	"github.com/alertkit/alertkit/notify"
	"github.com/alertkit/alertkit/notify/notifytest"
	"github.com/alertkit/alertkit/notify/telegram"
)

// newSender returns a Sender posting to the fake; cfg's Token, ChatID and
// APIURL are filled in when empty.
func newSender(t *testing.T, f *fake, cfg telegram.Config) *telegram.Sender {
	t.Helper()
	if cfg.Token == "" {
		cfg.Token = testToken
	}
	if cfg.ChatID == "" {
		cfg.ChatID = "-1001234567890"
	}
	if cfg.APIURL == "" {
		cfg.APIURL = f.srv.URL
	}
	s, err := telegram.New(&cfg, &telegram.Options{Client: f.srv.Client()})
	require.NoError(t, err)
	return s
}

func TestConformance(t *testing.T) {
	notifytest.Run(t, func(t *testing.T) *notifytest.Harness {
		f := newFake(t, json.Number("-1001234567890"))
		cfg := &telegram.Config{Token: testToken, ChatID: "-1001234567890", APIURL: f.srv.URL}
		s, err := telegram.New(cfg, &telegram.Options{Client: f.srv.Client()})
		require.NoError(t, err)
		return &notifytest.Harness{
			Notifier: s, Behave: f.behave, Received: f.received,
			Secrets: []string{testToken, testKey}, Config: cfg,
		}
	})
}

// TestGolden keeps the request of every reason's sample in
// testdata/<reason>.golden; -update rewrites them.
func TestGolden(t *testing.T) {
	for _, r := range notify.Reasons() {
		t.Run(string(r), func(t *testing.T) {
			f := newFake(t, json.Number("-1001234567890"))
			s := newSender(t, f, telegram.Config{})
			require.NoError(t, s.Notify(context.Background(), notifytest.Sample(r)))
			var got bytes.Buffer
			require.NoError(t, json.Indent(&got, f.lastBody(), "", "  "))
			got.WriteByte('\n')
			golden.Check(t, filepath.Join("testdata", string(r)+".golden"), got.Bytes())
		})
	}
}

func TestRequestFields(t *testing.T) {
	tests := []struct {
		name     string
		cfg      telegram.Config
		wantChat any
		want     map[string]any // fields beyond chat_id, text, parse_mode, link_preview_options
	}{
		{"an integer chat", telegram.Config{ChatID: "-1001234567890"}, json.Number("-1001234567890"), map[string]any{}},
		{"a private chat", telegram.Config{ChatID: "279635941"}, json.Number("279635941"), map[string]any{}},
		{"a channel by name", telegram.Config{ChatID: "@sre_alerts"}, "@sre_alerts", map[string]any{}},
		{"a forum topic", telegram.Config{ChatID: "-1001234567890", MessageThreadID: 42}, json.Number("-1001234567890"),
			map[string]any{"message_thread_id": json.Number("42")}},
		{"silent", telegram.Config{ChatID: "-1001234567890", DisableNotification: true}, json.Number("-1001234567890"),
			map[string]any{"disable_notification": true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, tt.wantChat)
			s := newSender(t, f, tt.cfg)
			require.NoError(t, s.Notify(context.Background(), notifytest.Sample(notify.ReasonOpened)))
			got := f.last()
			for _, k := range []string{"chat_id", "text", "parse_mode", "link_preview_options"} {
				delete(got, k)
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

// TestEscaping: the sample's labels and annotations carry markup, which
// shows as text.
func TestEscaping(t *testing.T) {
	f := newFake(t, json.Number("-1001234567890"))
	s := newSender(t, f, telegram.Config{})
	n := notifytest.Sample(notify.ReasonOpened)
	n.Incident.Title = `Disk </b><a href="javascript:alert(1)">full</a> & <tg-spoiler>`
	n.Incident.Runbooks = append(n.Incident.Runbooks,
		notify.Link{Title: "not a web link", URL: "javascript:alert(1)"},
		notify.Link{Title: `a "quoted" link`, URL: `https://runbooks.example.com/q?a=1&b="2"<3>`})
	n.Note = "\x00nul and invalid \xff UTF-8"
	require.NoError(t, s.Notify(context.Background(), n))
	text := f.last()["text"].(string)
	shown := visible(text)
	for _, want := range []string{
		`Disk </b><a href="javascript:alert(1)">full</a> & <tg-spoiler>`,
		`checkout <b>&amp;</b> "payments"`,
		"Target 10.244.37.14:9403 is down — <script>alert(1)</script> @channel",
		"📖 not a web link", `📖 a "quoted" link`,
	} {
		assert.Contains(t, shown, want)
	}
	assert.NotContains(t, text, `href="javascript`)
	assert.NotContains(t, text, "ZgotmplZ")
	assert.Contains(t, text, `<a href="https://runbooks.example.com/q?a=1&amp;b=%222%22%3c3%3e">`)
}

func TestTemplate(t *testing.T) {
	tests := []struct {
		name     string
		message  string
		want     string // the text sent
		wantErr  string // Notify's error, permanent, with nothing sent
		wantNew  string // New's error
		reason   notify.Reason
		modified func(*notify.Notification)
	}{
		{name: "an override", message: `<b>{{ .Incident.Title }}</b> {{ .Note }} <a href="{{ .Incident.URL }}">open</a>`,
			want: `<b>TargetDown in horns-and-hooves</b> a new incident <a href="https://alerts.example.com/incidents/01KAV7Z1S4X7B2WQ5AR6KF">open</a>`},
		{name: "labels are escaped", message: `{{ range .Incident.Summary }}{{ if eq .Name "job" }}<code>{{ index .Values 0 }}</code>{{ end }}{{ end }}`,
			want: `<code>checkout &lt;b&gt;&amp;amp;&lt;/b&gt; &#34;payments&#34;</code>`},
		{name: "rendered at the notification's time", message: `{{ .Now.Format "15:04" }} {{ duration .Duration }}`,
			want: `16:52 8m`},
		{name: "a syntax error", message: "<b>{{ .Incident.Title </b>",
			wantNew: `telegram: message: template message: template: message:1: unexpected "<" in operand`},
		{name: "a missing field", message: "{{ .Incident.Nope }}",
			wantErr: `telegram: notification 01KAV7Z1S4X7B2WQ5AR6KF/opened: template message: template: message:1:12: executing "message" at <.Incident.Nope>: can't evaluate field Nope in type notify.Snapshot`},
		{name: "a tag not closed", message: "<b>{{ .Note }}",
			wantErr: `telegram: notification 01KAV7Z1S4X7B2WQ5AR6KF/opened: template message made invalid HTML: <b> is not closed`},
		{name: "tags crossed", message: "<b><i>{{ .Note }}</b></i>",
			wantErr: `telegram: notification 01KAV7Z1S4X7B2WQ5AR6KF/opened: template message made invalid HTML: byte 20: </b> closes <i>`},
		{name: "an empty message", message: "{{ if false }}x{{ end }}  \n",
			wantErr: `telegram: notification 01KAV7Z1S4X7B2WQ5AR6KF/opened: template message made an empty message`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, json.Number("-1001234567890"))
			cfg := telegram.Config{Token: testToken, ChatID: "-1001234567890", APIURL: f.srv.URL, Message: tt.message}
			s, err := telegram.New(&cfg, nil)
			if tt.wantNew != "" {
				require.EqualError(t, err, tt.wantNew)
				return
			}
			require.NoError(t, err)
			err = s.Notify(context.Background(), notifytest.Sample(notify.ReasonOpened))
			if tt.wantErr != "" {
				require.EqualError(t, err, tt.wantErr)
				retry, _ := notify.Retryable(err)
				assert.False(t, retry, "retryable")
				assert.Zero(t, f.received())
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, f.last()["text"])
		})
	}
}

// TestAnswers maps the Bot API's answers to errors.
func TestAnswers(t *testing.T) {
	tests := []struct {
		name    string
		status  int
		header  string // Retry-After
		body    string
		ok      bool
		retry   bool
		after   time.Duration
		code    int    // notify.StatusCode of the error
		wantErr string // the error's text
	}{
		{name: "ok", status: 200, body: `{"ok":true,"result":{"message_id":1}}`, ok: true},
		{name: "ok false in a 200", status: 200, body: `{"ok":false,"error_code":400,"description":"Bad Request: message text is empty"}`,
			code: 400, wantErr: "telegram: 400 Bad Request: Bad Request: message text is empty"},
		{name: "not the Bot API's answer", status: 200, body: "<html>captive portal</html>", retry: true,
			wantErr: "telegram: 200: the answer is not the Bot API's: <html>captive portal</html>"},
		{name: "an empty 200", status: 200, body: "", retry: true,
			wantErr: "telegram: 200: the answer is not the Bot API's: "},
		{name: "flood control", status: 429, body: `{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 7","parameters":{"retry_after":7}}`,
			retry: true, after: 7 * time.Second, code: 429, wantErr: "telegram: 429 Too Many Requests: Too Many Requests: retry after 7"},
		{name: "flood control, a longer Retry-After", status: 429, header: "10", body: `{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 3","parameters":{"retry_after":3}}`,
			retry: true, after: 10 * time.Second, code: 429},
		{name: "flood control, a shorter Retry-After", status: 429, header: "5", body: `{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 12","parameters":{"retry_after":12}}`,
			retry: true, after: 12 * time.Second, code: 429},
		{name: "flood control, Retry-After only", status: 429, header: "4", body: `Too Many Requests`,
			retry: true, after: 4 * time.Second, code: 429, wantErr: "telegram: 429 Too Many Requests: Too Many Requests"},
		{name: "a server error", status: 500, body: `{"ok":false,"error_code":500,"description":"Internal Server Error"}`,
			retry: true, code: 500, wantErr: "telegram: 500 Internal Server Error: Internal Server Error"},
		{name: "a gateway's page", status: 502, body: "<html><body>502 Bad Gateway</body></html>",
			retry: true, code: 502, wantErr: "telegram: 502 Bad Gateway: <html><body>502 Bad Gateway</body></html>"},
		{name: "a chat not found", status: 400, body: `{"ok":false,"error_code":400,"description":"Bad Request: chat not found"}`,
			code: 400, wantErr: "telegram: 400 Bad Request: Bad Request: chat not found"},
		{name: "a topic not found", status: 400, body: `{"ok":false,"error_code":400,"description":"Bad Request: message thread not found"}`,
			code: 400, wantErr: "telegram: 400 Bad Request: Bad Request: message thread not found"},
		{name: "a revoked token", status: 401, body: `{"ok":false,"error_code":401,"description":"Unauthorized"}`,
			code: 401, wantErr: "telegram: 401 Unauthorized: Unauthorized"},
		{name: "a bot removed", status: 403, body: `{"ok":false,"error_code":403,"description":"Forbidden: bot was kicked from the supergroup chat"}`,
			code: 403, wantErr: "telegram: 403 Forbidden: Forbidden: bot was kicked from the supergroup chat"},
		{name: "no such method", status: 404, body: `{"ok":false,"error_code":404,"description":"Not Found"}`,
			code: 404, wantErr: "telegram: 404 Not Found: Not Found"},
		{name: "a group become a supergroup", status: 400,
			body: `{"ok":false,"error_code":400,"description":"Bad Request: group chat was upgraded to a supergroup chat","parameters":{"migrate_to_chat_id":-1009876543210}}`,
			code: 400, wantErr: "telegram: 400 Bad Request: Bad Request: group chat was upgraded to a supergroup chat (the group is now the supergroup -1009876543210: set chat_id to it)"},
		{name: "an answer that quotes the token", status: 404, body: `{"ok":false,"error_code":404,"description":"Not Found: /bot` + testToken + `/sendMessage"}`,
			code: 404, wantErr: "telegram: 404 Not Found: Not Found: /bot<secret>/sendMessage"},
		{name: "a redirect", status: 302, body: "", code: 302, wantErr: "telegram: 302 Found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			elsewhere := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
				t.Error("the redirect was followed")
			}))
			defer elsewhere.Close()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body, _ := io.ReadAll(r.Body)
				checkRequest(t, body, json.Number("-1001234567890"))
				if tt.header != "" {
					w.Header().Set("Retry-After", tt.header)
				}
				if tt.status == 302 {
					w.Header().Set("Location", elsewhere.URL+r.URL.Path)
				}
				w.WriteHeader(tt.status)
				_, _ = io.WriteString(w, tt.body)
			}))
			defer srv.Close()
			s, err := telegram.New(&telegram.Config{Token: testToken, ChatID: "-1001234567890", APIURL: srv.URL}, nil)
			require.NoError(t, err)
			err = s.Notify(context.Background(), notifytest.Sample(notify.ReasonOpened))
			if tt.ok {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			retry, after := notify.Retryable(err)
			assert.Equal(t, tt.retry, retry, "retry")
			assert.Equal(t, tt.after, after, "after")
			assert.Equal(t, tt.code, notify.StatusCode(err), "status code")
			if tt.wantErr != "" {
				assert.Equal(t, tt.wantErr, err.Error())
			}
			assert.NotContains(t, err.Error(), testKey)
		})
	}
}

// TestTokenNeverShows: no failure of a request shows the token.
func TestTokenNeverShows(t *testing.T) {
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close() // connection refused
	hijacked := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := w.(http.Hijacker).Hijack() // the connection drops
		if err == nil {
			_ = conn.Close()
		}
	}))
	defer hijacked.Close()
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadGateway)
		_, _ = io.WriteString(w, "upstream failed for "+r.URL.String())
	}))
	defer echo.Close()

	notifyAt := func(t *testing.T, ctx context.Context, url string, client *http.Client) error {
		t.Helper()
		s, err := telegram.New(&telegram.Config{Token: testToken, ChatID: "-1001234567890", APIURL: url}, &telegram.Options{Client: client})
		require.NoError(t, err)
		return s.Notify(ctx, notifytest.Sample(notify.ReasonOpened))
	}
	tests := []struct {
		name string
		send func(t *testing.T) error
	}{
		{"connection refused", func(t *testing.T) error { return notifyAt(t, context.Background(), closed.URL, nil) }},
		{"connection dropped", func(t *testing.T) error { return notifyAt(t, context.Background(), hijacked.URL, nil) }},
		{"timed out", func(t *testing.T) error {
			// In a bubble, the deadline passes on the bubble's clock, always
			// while the request waits for an answer that does not come.
			var err error
			synctest.Test(t, func(t *testing.T) {
				ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
				defer cancel()
				err = notifyAt(t, ctx, "", &http.Client{Transport: unanswered{}})
			})
			return err
		}},
		{"an answer quoting the URL", func(t *testing.T) error { return notifyAt(t, context.Background(), echo.URL, nil) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.send(t)
			require.Error(t, err)
			assert.NotContains(t, err.Error(), testKey)
			assert.NotContains(t, fmt.Sprintf("%+v %#v", err, err), testKey)
			notifytest.SecretsHidden(t, err, testKey)
			assert.True(t, strings.HasPrefix(err.Error(), "telegram: "), err.Error())
			retry, _ := notify.Retryable(err)
			assert.True(t, retry, "retryable: %v", err)
		})
	}
}

// unanswered is a transport to a server that takes requests and never
// answers: a request ends when its context does, with the context's error.
type unanswered struct{}

func (unanswered) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_ = r.Body.Close()
	}
	<-r.Context().Done()
	return nil, r.Context().Err()
}

func TestValidate(t *testing.T) {
	valid := func(mod func(*telegram.Config)) *telegram.Config {
		c := &telegram.Config{Token: testToken, ChatID: "-1001234567890"}
		mod(c)
		return c
	}
	tests := []struct {
		name string
		cfg  *telegram.Config
		want string
	}{
		{"valid", valid(func(*telegram.Config) {}), ""},
		{"a channel", valid(func(c *telegram.Config) { c.ChatID = "@sre_alerts" }), ""},
		{"a topic and an API URL", valid(func(c *telegram.Config) {
			c.MessageThreadID, c.APIURL = 42, "http://telegram-bot-api.internal:8081/"
		}), ""},
		{"no token", valid(func(c *telegram.Config) { c.Token = "" }), "telegram: token: missing"},
		{"not a token", valid(func(c *telegram.Config) { c.Token = "bot" + testToken }),
			"telegram: token: not a bot token (digits, a colon and letters, as @BotFather gives it)"},
		{"a token with a path", valid(func(c *telegram.Config) { c.Token = testToken + "/x" }),
			"telegram: token: not a bot token (digits, a colon and letters, as @BotFather gives it)"},
		{"no chat", valid(func(c *telegram.Config) { c.ChatID = "" }), "telegram: chat_id: missing"},
		{"a chat that is no number", valid(func(c *telegram.Config) { c.ChatID = "ops" }),
			`telegram: chat_id: neither an integer chat ID nor @channelusername`},
		{"a chat 0", valid(func(c *telegram.Config) { c.ChatID = "0" }),
			`telegram: chat_id: neither an integer chat ID nor @channelusername`},
		{"a chat too large", valid(func(c *telegram.Config) { c.ChatID = "-100123456789012345678" }),
			`telegram: chat_id: neither an integer chat ID nor @channelusername`},
		{"a username too short", valid(func(c *telegram.Config) { c.ChatID = "@sre" }),
			`telegram: chat_id: not a username (@ and 4 to 32 letters, digits or underscores, the first a letter)`},
		{"a username with a dash", valid(func(c *telegram.Config) { c.ChatID = "@sre-alerts" }),
			`telegram: chat_id: not a username (@ and 4 to 32 letters, digits or underscores, the first a letter)`},
		{"a negative topic", valid(func(c *telegram.Config) { c.MessageThreadID = -1 }),
			"telegram: message_thread_id: negative"},
		{"an API URL without a scheme", valid(func(c *telegram.Config) { c.APIURL = "api.telegram.org" }),
			`telegram: api_url: not an http or https URL`},
		{"an API URL with a query", valid(func(c *telegram.Config) { c.APIURL = "https://proxy.example.com/?key=1" }),
			`telegram: api_url: has a user, a query or a fragment`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if tt.want == "" {
				require.NoError(t, err)
				_, err = telegram.New(tt.cfg, nil)
				require.NoError(t, err)
				return
			}
			require.EqualError(t, err, tt.want)
			_, err = telegram.New(tt.cfg, nil)
			require.EqualError(t, err, tt.want)
		})
	}
	_, err := telegram.New(nil, nil)
	require.EqualError(t, err, "telegram: no configuration")
}

// TestNewCopiesConfig: changing the configuration after New changes
// nothing.
func TestNewCopiesConfig(t *testing.T) {
	f := newFake(t, json.Number("-1001234567890"))
	cfg := telegram.Config{Token: testToken, ChatID: "-1001234567890", APIURL: f.srv.URL, Message: "<b>{{ .Note }}</b>"}
	s, err := telegram.New(&cfg, nil)
	require.NoError(t, err)
	cfg.ChatID, cfg.Message, cfg.DisableNotification = "@elsewhere", "changed", true
	require.NoError(t, s.Notify(context.Background(), notifytest.Sample(notify.ReasonOpened)))
	got := f.last()
	assert.Equal(t, "<b>a new incident</b>", got["text"])
	assert.NotContains(t, got, "disable_notification")
}

// huge returns a sample whose labels, annotations, note and digest are
// far longer than a message, with markup and characters outside the BMP
// all along: values values of length characters for each of 30 labels.
func huge(reason notify.Reason, values, length int) *notify.Notification {
	n := notifytest.Sample(reason)
	chunk := `<b>&amp;"🔥" é `
	long := func(i int) string {
		return fmt.Sprintf("v%d ", i) + strings.Repeat(chunk, length/len([]rune(chunk))+1)
	}
	for i := range 30 {
		lv := incident.LabelValues{Name: fmt.Sprintf("label_%02d", i)}
		for j := range values {
			lv.Values = append(lv.Values, long(j))
		}
		n.Incident.Summary = append(n.Incident.Summary, lv)
	}
	n.Incident.Members[0].Annotations["summary"] = model.LabelValue("huge " + strings.Repeat("<script>&", length))
	n.Note = long(0)
	if reason == notify.ReasonDigest {
		for i := range 2000 {
			item := n.Incident
			item.Title = fmt.Sprintf("incident %d: %s", i, long(i))
			item.Summary = item.Summary[:4]
			n.Items = append(n.Items, item)
		}
	}
	return n
}

// TestTruncation: a notification of any size is sent as valid HTML of at
// most 4096 characters (the fake checks both), cut with a count.
func TestTruncation(t *testing.T) {
	tests := []struct {
		name           string
		values, length int
	}{
		{"a few long values", 3, 2000},
		{"many short values", 200, 20},
		{"more than a template may write", 200, 2000}, // rendered again with less
	}
	for _, tt := range tests {
		for _, r := range notify.Reasons() {
			t.Run(tt.name+"/"+string(r), func(t *testing.T) {
				f := newFake(t, json.Number("-1001234567890"))
				s := newSender(t, f, telegram.Config{})
				require.NoError(t, s.Notify(context.Background(), huge(r, tt.values, tt.length)))
				text := f.last()["text"].(string)
				// Cut before rendering, and after: the count is a lower bound.
				assert.Regexp(t, `…(</[a-z]+>)*\n<i>\(at least \d+ more characters\)</i>$`, text)
				shown := utf16.Encode([]rune(visible(text)))
				assert.Greater(t, len(shown), 3500, "the message was cut too short")
				assert.True(t, strings.HasPrefix(visible(text), "🔥") || r != notify.ReasonOpened)
			})
		}
	}
}

// TestNoTruncation: a message that fits is not cut.
func TestNoTruncation(t *testing.T) {
	f := newFake(t, json.Number("-1001234567890"))
	s := newSender(t, f, telegram.Config{Message: "{{ .Note }}"})
	n := notifytest.Sample(notify.ReasonOpened)
	n.Note = strings.Repeat("🔥", 2048) // 4096 UTF-16 code units
	require.NoError(t, s.Notify(context.Background(), n))
	assert.Equal(t, n.Note, f.last()["text"])

	n.Note += "x"
	require.NoError(t, s.Notify(context.Background(), n))
	text := f.last()["text"].(string)
	m := regexp.MustCompile(`^((?:🔥)+)…\n<i>\((\d+) more characters\)</i>$`).FindStringSubmatch(text)
	require.NotNil(t, m, text[len(text)-60:])
	assert.Equal(t, strconv.Itoa(2049-len([]rune(m[1]))), m[2])
}
