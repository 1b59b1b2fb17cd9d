package slack_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"unicode/utf16"

	"github.com/alertkit/alertkit/incident"
	"github.com/alertkit/alertkit/notify"
	"github.com/alertkit/alertkit/notify/notifytest"
	"github.com/alertkit/alertkit/notify/slack"
)

const (
	webhookSecret = "XXXXwebhookSECRETXXXX"
	webhookPath   = "/services/T0000/B0000/" + webhookSecret
	tokenSecret   = "TOKENsecret42"
	token         = "xoxb-0000-0000-" + tokenSecret
	channelID     = "C0ALERTS1"
	firstTS       = "1795452330.000100"
)

// mentions are the IDs of the sample's people and teams.
var mentions = map[string]string{"vasiliy.vasiliyev": "U024BE7LH", "sre": "S0614TZR7"}

type mode int

const (
	webhookMode mode = iota
	botMode
)

// request is a request the fake end received.
type request struct {
	Path string
	Body map[string]any
	Raw  []byte
}

// answer is what the fake end says instead of its behaviour.
type answer struct {
	status int
	header map[string]string
	body   string
}

// fakeSlack is Slack's receiving end: an incoming webhook, or the Web
// API's chat.postMessage and chat.update. It checks every request's shape
// as Slack documents it, and answers as its behaviour says.
type fakeSlack struct {
	t    *testing.T
	srv  *httptest.Server
	mode mode
	done chan struct{}

	mu        sync.Mutex
	behaviour notifytest.Behaviour
	// override, if set, answers a request instead of the behaviour; ok
	// false leaves it to the behaviour.
	override func(r request) (a answer, ok bool)
	// channel is the channel chat.postMessage answers with.
	channel  string
	accepted int // webhook posts or chat.postMessage calls that succeeded
	requests []request
	ts       int
}

func newFake(t *testing.T, m mode) *fakeSlack {
	t.Helper()
	f := &fakeSlack{t: t, mode: m, done: make(chan struct{}), channel: channelID}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	t.Cleanup(func() { close(f.done) }) // first: hung handlers return, then Close
	return f
}

// config is a configuration of the sender for the fake end.
func (f *fakeSlack) config() *slack.Config {
	if f.mode == webhookMode {
		return &slack.Config{WebhookURL: notify.Secret(f.srv.URL + webhookPath), Mentions: mentions}
	}
	return &slack.Config{Token: token, Channel: channelID, APIURL: f.srv.URL + "/api/", Mentions: mentions}
}

func (f *fakeSlack) behave(b notifytest.Behaviour) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.behaviour = b
	return true
}

func (f *fakeSlack) received() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.accepted
}

func (f *fakeSlack) setOverride(o func(r request) (answer, bool)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.override = o
}

func (f *fakeSlack) log() []request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]request(nil), f.requests...)
}

func (f *fakeSlack) serve(w http.ResponseWriter, r *http.Request) {
	raw, err := io.ReadAll(r.Body)
	if err != nil {
		f.t.Errorf("reading the request: %v", err)
		return
	}
	req := request{Path: r.URL.Path, Raw: raw}
	if f.mode == webhookMode {
		req.Body = f.checkWebhook(r, raw)
	} else {
		req.Body = f.checkAPI(r, raw)
	}

	f.mu.Lock()
	f.requests = append(f.requests, req)
	b, override := f.behaviour, f.override
	f.mu.Unlock()

	if override != nil {
		if a, ok := override(req); ok {
			for k, v := range a.header {
				w.Header().Set(k, v)
			}
			w.WriteHeader(a.status)
			io.WriteString(w, a.body)
			return
		}
	}
	switch b {
	case notifytest.Hang:
		select {
		case <-r.Context().Done():
		case <-f.done:
		}
	case notifytest.Fail:
		http.Error(w, "upstream connect error", http.StatusServiceUnavailable)
	case notifytest.Throttle:
		w.Header().Set("Retry-After", "7")
		if f.mode == webhookMode {
			http.Error(w, "rate_limited", http.StatusTooManyRequests)
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusTooManyRequests)
		io.WriteString(w, `{"ok":false,"error":"ratelimited"}`)
	case notifytest.Refuse:
		if f.mode == webhookMode {
			http.Error(w, "invalid_payload", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		io.WriteString(w, `{"ok":false,"error":"channel_not_found"}`)
	case notifytest.Accept:
		if f.mode == webhookMode {
			f.mu.Lock()
			f.accepted++
			f.mu.Unlock()
			io.WriteString(w, "ok")
			return
		}
		f.mu.Lock()
		ts := firstTS
		if r.URL.Path == "/api/chat.postMessage" {
			f.accepted++
			ts = fmt.Sprintf("1795452330.%06d", 100+f.ts)
			f.ts++
		} else if s, ok := req.Body["ts"].(string); ok {
			ts = s
		}
		channel := f.channel
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		json.NewEncoder(w).Encode(map[string]any{"ok": true, "channel": channel, "ts": ts})
	}
}

// checkWebhook checks an incoming webhook's request: a POST of JSON to
// the webhook's path, with text and blocks and no channel.
func (f *fakeSlack) checkWebhook(r *http.Request, raw []byte) map[string]any {
	t := f.t
	if r.Method != http.MethodPost {
		t.Errorf("method %s, want POST", r.Method)
	}
	if r.URL.Path != webhookPath {
		t.Errorf("path %q, want the webhook's", r.URL.Path)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q, want application/json", ct)
	}
	if a := r.Header.Get("Authorization"); a != "" {
		t.Errorf("an Authorization header to a webhook: %q", a)
	}
	body := f.decode(raw, "text", "blocks", "unfurl_links", "unfurl_media")
	f.checkMessage(body, true)
	return body
}

var tsPattern = regexp.MustCompile(`^\d+\.\d{6}$`)

// checkAPI checks a Web API call: a POST of JSON with the bot token, to
// chat.postMessage (channel, text, blocks, thread_ts for a reply) or
// chat.update (a channel ID, ts, text, blocks).
func (f *fakeSlack) checkAPI(r *http.Request, raw []byte) map[string]any {
	t := f.t
	if r.Method != http.MethodPost {
		t.Errorf("method %s, want POST", r.Method)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("Content-Type %q, want application/json; charset=utf-8", ct)
	}
	if a := r.Header.Get("Authorization"); a != "Bearer "+token {
		t.Errorf("Authorization %q, want the bearer token", a)
	}
	var body map[string]any
	switch r.URL.Path {
	case "/api/chat.postMessage":
		body = f.decode(raw, "channel", "text", "blocks", "thread_ts", "parse", "unfurl_links", "unfurl_media")
		if ts, ok := body["thread_ts"]; ok {
			if s, _ := ts.(string); !tsPattern.MatchString(s) {
				t.Errorf("thread_ts %v is not a message's ts", ts)
			}
		}
	case "/api/chat.update":
		body = f.decode(raw, "channel", "ts", "text", "blocks", "parse")
		if s, _ := body["ts"].(string); !tsPattern.MatchString(s) {
			t.Errorf("chat.update: ts %v is not a message's ts", body["ts"])
		}
		if s, _ := body["channel"].(string); !regexp.MustCompile(`^C[A-Z0-9]+$`).MatchString(s) {
			t.Errorf("chat.update: channel %v is not a channel ID", body["channel"])
		}
	default:
		t.Errorf("path %q, want /api/chat.postMessage or /api/chat.update", r.URL.Path)
		return nil
	}
	if s, _ := body["channel"].(string); s == "" {
		t.Errorf("%s: no channel", r.URL.Path)
	}
	if body["parse"] != "none" {
		t.Errorf("%s: parse %v, want none", r.URL.Path, body["parse"])
	}
	f.checkMessage(body, true)
	return body
}

// decode decodes a JSON object and checks that it has no field but
// those allowed: never link_names, never a field Slack does not know.
func (f *fakeSlack) decode(raw []byte, allowed ...string) map[string]any {
	var body map[string]any
	if err := json.Unmarshal(raw, &body); err != nil {
		f.t.Errorf("the body is not a JSON object: %v: %s", err, raw)
		return nil
	}
	for k := range body {
		if !contains(allowed, k) {
			f.t.Errorf("unexpected field %q", k)
		}
	}
	for _, k := range []string{"unfurl_links", "unfurl_media"} {
		if v, ok := body[k]; ok && v != false {
			f.t.Errorf("%s: %v, want false", k, v)
		}
	}
	return body
}

// checkMessage checks a message's text and blocks against Slack's
// limits and the sender's escaping.
func (f *fakeSlack) checkMessage(body map[string]any, needBlocks bool) {
	t := f.t
	text, ok := body["text"].(string)
	if !ok || text == "" {
		t.Errorf("text: %v, want a non-empty string", body["text"])
	}
	checkMrkdwn(t, "text", text, 40000)
	blocks, ok := body["blocks"].([]any)
	if !ok || len(blocks) == 0 {
		if needBlocks {
			t.Errorf("blocks: %v, want an array of blocks", body["blocks"])
		}
		return
	}
	if len(blocks) > 50 {
		t.Errorf("%d blocks, more than 50", len(blocks))
	}
	for i, b := range blocks {
		checkBlock(t, fmt.Sprintf("block %d", i), b)
	}
}

func checkBlock(t *testing.T, where string, v any) {
	b, ok := v.(map[string]any)
	if !ok {
		t.Errorf("%s: %v is not an object", where, v)
		return
	}
	switch b["type"] {
	case "header":
		onlyKeys(t, where, b, "type", "text")
		obj := textObject(t, where+" text", b["text"])
		if obj["type"] != "plain_text" {
			t.Errorf("%s: header text is %v, want plain_text", where, obj["type"])
		}
		if s, _ := obj["text"].(string); s == "" || length(s) > 150 {
			t.Errorf("%s: header text of %d characters, want 1 to 150", where, length(s))
		}
	case "section":
		onlyKeys(t, where, b, "type", "text", "fields")
		_, hasText := b["text"]
		fields, hasFields := b["fields"].([]any)
		if !hasText && !hasFields {
			t.Errorf("%s: a section without text or fields", where)
		}
		if hasText {
			checkMrkdwnObject(t, where+" text", b["text"], 3000)
		}
		if hasFields && (len(fields) == 0 || len(fields) > 10) {
			t.Errorf("%s: %d fields, want 1 to 10", where, len(fields))
		}
		for i, fl := range fields {
			checkMrkdwnObject(t, fmt.Sprintf("%s field %d", where, i), fl, 2000)
		}
	case "context":
		onlyKeys(t, where, b, "type", "elements")
		elements, _ := b["elements"].([]any)
		if len(elements) == 0 || len(elements) > 10 {
			t.Errorf("%s: %d context elements, want 1 to 10", where, len(elements))
		}
		for i, e := range elements {
			checkMrkdwnObject(t, fmt.Sprintf("%s element %d", where, i), e, 3000)
		}
	default:
		t.Errorf("%s: unexpected block type %v", where, b["type"])
	}
}

func textObject(t *testing.T, where string, v any) map[string]any {
	obj, ok := v.(map[string]any)
	if !ok {
		t.Errorf("%s: %v is not a text object", where, v)
	}
	return obj
}

func checkMrkdwnObject(t *testing.T, where string, v any, limit int) {
	obj := textObject(t, where, v)
	onlyKeys(t, where, obj, "type", "text", "verbatim")
	if obj["type"] != "mrkdwn" || obj["verbatim"] != true {
		t.Errorf("%s: %v, want verbatim mrkdwn", where, obj)
	}
	s, _ := obj["text"].(string)
	if s == "" {
		t.Errorf("%s: empty text", where)
	}
	checkMrkdwn(t, where, s, limit)
}

// allowedMarkup is the markup the sender writes itself: mentions of
// configured IDs, dates, and links to http(s) URLs. Anything else in <…>
// came from outside and was not escaped.
var allowedMarkup = regexp.MustCompile(`<@[UW][A-Z0-9]+>|<!subteam\^S[A-Z0-9]+>|<!date\^\d+\^[^|<>]*\|[^|<>]*>|<https?://[^|<>\s]+\|[^|<>]*>`)

var entities = regexp.MustCompile(`&(amp|lt|gt);`)

// checkMrkdwn checks a mrkdwn text's length, that its only markup is the
// sender's, and that every & starts a whole entity.
func checkMrkdwn(t *testing.T, where, s string, limit int) {
	if length(s) > limit {
		t.Errorf("%s: %d characters, more than %d", where, length(s), limit)
	}
	rest := allowedMarkup.ReplaceAllString(s, "")
	if strings.ContainsAny(rest, "<>") {
		t.Errorf("%s: markup that is not the sender's in %q", where, s)
	}
	if strings.Contains(entities.ReplaceAllString(s, ""), "&") {
		t.Errorf("%s: an & that starts no entity in %q", where, s)
	}
}

func onlyKeys(t *testing.T, where string, m map[string]any, keys ...string) {
	for k := range m {
		if !contains(keys, k) {
			t.Errorf("%s: unexpected field %q", where, k)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// length counts as Slack's clients do, in UTF-16 code units.
func length(s string) int { return len(utf16.Encode([]rune(s))) }

// texts are all the mrkdwn and plain texts of a request's blocks, in
// order, and its text first.
func texts(body map[string]any) []string {
	out := []string{fmt.Sprint(body["text"])}
	blocks, _ := body["blocks"].([]any)
	for _, b := range blocks {
		m := b.(map[string]any)
		if obj, ok := m["text"].(map[string]any); ok {
			out = append(out, fmt.Sprint(obj["text"]))
		}
		for _, key := range []string{"fields", "elements"} {
			list, _ := m[key].([]any)
			for _, e := range list {
				out = append(out, fmt.Sprint(e.(map[string]any)["text"]))
			}
		}
	}
	return out
}

// blockTexts are the texts of the blocks of a type.
func blockTexts(body map[string]any, typ string) []string {
	var out []string
	blocks, _ := body["blocks"].([]any)
	for _, b := range blocks {
		m := b.(map[string]any)
		if m["type"] != typ {
			continue
		}
		if obj, ok := m["text"].(map[string]any); ok {
			out = append(out, fmt.Sprint(obj["text"]))
		}
		list, _ := m["elements"].([]any)
		for _, e := range list {
			out = append(out, fmt.Sprint(e.(map[string]any)["text"]))
		}
	}
	return out
}

func newSender(t *testing.T, cfg *slack.Config, opts *slack.Options) *slack.Sender {
	t.Helper()
	s, err := slack.New(cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestConformance(t *testing.T) {
	for _, m := range []struct {
		name    string
		mode    mode
		secrets []string
	}{
		{"webhook", webhookMode, []string{webhookSecret}},
		{"bot", botMode, []string{token, tokenSecret}},
	} {
		t.Run(m.name, func(t *testing.T) {
			notifytest.Run(t, func(t *testing.T) *notifytest.Harness {
				f := newFake(t, m.mode)
				cfg := f.config()
				return &notifytest.Harness{
					Notifier: newSender(t, cfg, nil),
					Behave:   f.behave,
					Received: f.received,
					Secrets:  m.secrets,
					Config:   cfg,
				}
			})
		})
	}
}

func TestMemoryRefs(t *testing.T) {
	ctx := t.Context()
	r := slack.NewMemoryRefs(2)
	set := func(id, ts string) {
		t.Helper()
		if err := r.Set(ctx, incident.ID(id), channelID, ts); err != nil {
			t.Fatal(err)
		}
	}
	get := func(id string) string {
		t.Helper()
		ts, ok, err := r.Get(ctx, incident.ID(id), channelID)
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			return "-"
		}
		return ts
	}
	set("a", "1.000001")
	set("b", "2.000002")
	set("c", "3.000003") // a is the oldest: forgotten
	if got := get("a") + " " + get("b") + " " + get("c"); got != "- 2.000002 3.000003" {
		t.Errorf("after a, b, c: %s", got)
	}
	set("b", "4.000004") // b is the newest now
	set("d", "5.000005") // c is the oldest: forgotten
	if got := get("b") + " " + get("c") + " " + get("d"); got != "4.000004 - 5.000005" {
		t.Errorf("after b again and d: %s", got)
	}
	if ts, ok, _ := r.Get(ctx, incident.ID("b"), "C0OTHER01"); ok {
		t.Errorf("another channel has b's message: %s", ts)
	}
	if r.Len() != 2 {
		t.Errorf("Len %d, want 2", r.Len())
	}
	if d := slack.NewMemoryRefs(0); d == nil {
		t.Error("no default")
	}
}
