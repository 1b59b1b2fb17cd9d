package telegram_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/alertkit/alertkit/notify/notifytest"
)

// testToken is the bot token of the tests; testKey is its secret part.
const (
	testToken = "123456789:AAE-test_token-7f3c9b"
	testKey   = "AAE-test_token-7f3c9b"
)

// fake is a Bot API that checks every sendMessage request as Telegram
// would, and answers as its behaviour says.
type fake struct {
	t   *testing.T
	srv *httptest.Server
	// wantChat is the chat_id it expects: a json.Number or a string.
	wantChat any

	behaviour atomic.Int32
	accepted  atomic.Int32
	done      chan struct{}

	mu     sync.Mutex
	bodies [][]byte // of the accepted requests
}

func newFake(t *testing.T, wantChat any) *fake {
	t.Helper()
	f := &fake{t: t, wantChat: wantChat, done: make(chan struct{})}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	t.Cleanup(func() { close(f.done) }) // first: a hung handler returns
	return f
}

// behave is the harness's Behave.
func (f *fake) behave(b notifytest.Behaviour) bool {
	f.behaviour.Store(int32(b))
	return true
}

func (f *fake) received() int { return int(f.accepted.Load()) }

// last returns the body of the last accepted request.
func (f *fake) last() map[string]any {
	f.t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.bodies) == 0 {
		f.t.Fatal("the fake received no message")
	}
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(f.bodies[len(f.bodies)-1]))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		f.t.Fatal(err)
	}
	return m
}

func (f *fake) lastBody() []byte {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.bodies) == 0 {
		f.t.Fatal("the fake received no message")
	}
	return f.bodies[len(f.bodies)-1]
}

func (f *fake) serve(w http.ResponseWriter, r *http.Request) {
	t := f.t
	if r.Method != http.MethodPost {
		t.Errorf("method %s, want POST", r.Method)
	}
	if want := "/bot" + testToken + "/sendMessage"; r.URL.Path != want {
		t.Errorf("path %q, want %q", r.URL.Path, want)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q, want application/json", ct)
	}
	if ua := r.Header.Get("User-Agent"); ua != "alertkit" {
		t.Errorf("User-Agent %q, want alertkit", ua)
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		t.Errorf("reading the request: %v", err)
		return
	}
	text := checkRequest(t, body, f.wantChat)

	w.Header().Set("Content-Type", "application/json")
	switch notifytest.Behaviour(f.behaviour.Load()) {
	case notifytest.Accept:
		f.mu.Lock()
		f.bodies = append(f.bodies, body)
		n := len(f.bodies)
		f.mu.Unlock()
		f.accepted.Add(1)
		res, _ := json.Marshal(map[string]any{"ok": true, "result": map[string]any{
			"message_id": n, "date": notifytest.At.Unix(),
			"chat": map[string]any{"id": -1001234567890, "title": "ops", "type": "supergroup"},
			"text": visible(text),
		}})
		_, _ = w.Write(res)
	case notifytest.Fail:
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = io.WriteString(w, `{"ok":false,"error_code":503,"description":"Service Unavailable"}`)
	case notifytest.Throttle:
		w.Header().Set("Retry-After", "7")
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = io.WriteString(w, `{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 7","parameters":{"retry_after":7}}`)
	case notifytest.Refuse:
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, `{"ok":false,"error_code":400,"description":"Bad Request: chat not found"}`)
	case notifytest.Hang:
		select {
		case <-r.Context().Done():
		case <-f.done:
		}
	}
}

// checkRequest checks a sendMessage body field by field, and its text as
// Telegram would parse it; it returns the text.
func checkRequest(t *testing.T, body []byte, wantChat any) string {
	t.Helper()
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		t.Errorf("the body is not a JSON object: %v", err)
		return ""
	}
	for k := range m {
		if !slices.Contains([]string{"chat_id", "text", "parse_mode", "link_preview_options", "message_thread_id", "disable_notification"}, k) {
			t.Errorf("unexpected field %q", k)
		}
	}
	switch want := wantChat.(type) {
	case json.Number:
		if got, ok := m["chat_id"].(json.Number); !ok || got != want {
			t.Errorf("chat_id %#v, want the integer %s", m["chat_id"], want)
		}
	case string:
		if got, ok := m["chat_id"].(string); !ok || got != want {
			t.Errorf("chat_id %#v, want the string %q", m["chat_id"], want)
		}
	}
	if m["parse_mode"] != "HTML" {
		t.Errorf("parse_mode %#v, want HTML", m["parse_mode"])
	}
	if lp, ok := m["link_preview_options"].(map[string]any); !ok || lp["is_disabled"] != true || len(lp) != 1 {
		t.Errorf("link_preview_options %#v, want {is_disabled: true}", m["link_preview_options"])
	}
	if v, ok := m["message_thread_id"]; ok {
		if n, isNum := v.(json.Number); !isNum || !isPositiveInt(n) {
			t.Errorf("message_thread_id %#v, want a positive integer", v)
		}
	}
	if v, ok := m["disable_notification"]; ok && v != true {
		t.Errorf("disable_notification %#v, want true or nothing", v)
	}
	text, ok := m["text"].(string)
	if !ok {
		t.Errorf("text %#v is not a string", m["text"])
		return ""
	}
	if err := checkHTML(text, 4096); err != nil {
		t.Errorf("Telegram would refuse the text: %v\n%s", err, text)
	}
	return text
}

func isPositiveInt(n json.Number) bool {
	i, err := strconv.ParseInt(string(n), 10, 64)
	return err == nil && i > 0
}

// Telegram's HTML, as the Bot API documents it.
var (
	tagPattern    = regexp.MustCompile(`^<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-z-]+(?:="[^"<]*"|='[^'<]*')?)*)\s*>`)
	attrPattern   = regexp.MustCompile(`\s+([a-z-]+)(?:="([^"]*)"|='([^']*)')?`)
	entityPattern = regexp.MustCompile(`^&(?:(lt|gt|amp|quot)|#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6}));`)

	// The tags, and the attributes each must or may have.
	tags = map[string]struct{ must, may []string }{
		"b": {}, "strong": {}, "i": {}, "em": {}, "u": {}, "ins": {}, "s": {}, "strike": {}, "del": {},
		"tg-spoiler": {}, "span": {must: []string{"class"}}, "a": {must: []string{"href"}},
		"tg-emoji": {must: []string{"emoji-id"}}, "code": {may: []string{"class"}}, "pre": {},
		"blockquote": {may: []string{"expandable"}},
	}
)

// checkHTML checks a message as Telegram's HTML parse mode reads it: only
// its tags, with their attributes, nested as it allows and balanced; <, >
// and & only in tags and entities; and at most limit characters, in
// UTF-16 code units, once tags are removed and entities decoded.
func checkHTML(s string, limit int) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("not UTF-8")
	}
	var stack []string
	var shown strings.Builder
	for i := 0; i < len(s); {
		switch s[i] {
		case '<':
			m := tagPattern.FindStringSubmatch(s[i:])
			if m == nil {
				return fmt.Errorf("byte %d: a < that is no tag: %q", i, s[i:min(len(s), i+20)])
			}
			name := strings.ToLower(m[2])
			if m[1] == "/" {
				if m[3] != "" {
					return fmt.Errorf("byte %d: attributes in </%s>", i, name)
				}
				if len(stack) == 0 || stack[len(stack)-1] != name {
					return fmt.Errorf("byte %d: </%s> does not close the open tag (open: %v)", i, name, stack)
				}
				stack = stack[:len(stack)-1]
			} else {
				if err := checkTag(name, m[3], stack); err != nil {
					return fmt.Errorf("byte %d: %w", i, err)
				}
				stack = append(stack, name)
			}
			i += len(m[0])
		case '&':
			m := entityPattern.FindStringSubmatch(s[i:])
			if m == nil {
				return fmt.Errorf("byte %d: an & that is no entity Telegram knows: %q", i, s[i:min(len(s), i+10)])
			}
			shown.WriteRune(decodeEntity(m))
			i += len(m[0])
		case '>':
			return fmt.Errorf("byte %d: a > outside a tag", i)
		default:
			r, n := utf8.DecodeRuneInString(s[i:])
			shown.WriteRune(r)
			i += n
		}
	}
	if len(stack) > 0 {
		return fmt.Errorf("tags not closed: %v", stack)
	}
	text := shown.String()
	if strings.TrimFunc(text, unicode.IsSpace) == "" {
		return fmt.Errorf("the message is empty")
	}
	if n := len(utf16.Encode([]rune(text))); n > limit {
		return fmt.Errorf("%d characters, more than %d", n, limit)
	}
	return nil
}

func checkTag(name, attrs string, stack []string) error {
	spec, ok := tags[name]
	if !ok {
		return fmt.Errorf("<%s> is not a tag of Telegram's HTML", name)
	}
	got := map[string]string{}
	for _, a := range attrPattern.FindAllStringSubmatch(attrs, -1) {
		got[a[1]] = a[2] + a[3]
	}
	for _, k := range spec.must {
		if _, ok := got[k]; !ok {
			return fmt.Errorf("<%s> without %s", name, k)
		}
	}
	for k, v := range got {
		if !slices.Contains(spec.must, k) && !slices.Contains(spec.may, k) {
			return fmt.Errorf("<%s> with the attribute %s", name, k)
		}
		if strings.ContainsAny(v, "<>") || strings.Contains(entityRun.ReplaceAllString(v, ""), "&") {
			return fmt.Errorf("<%s %s=%q>: unescaped markup", name, k, v)
		}
	}
	switch name {
	case "span":
		if got["class"] != "tg-spoiler" {
			return fmt.Errorf(`<span> without class="tg-spoiler"`)
		}
	case "a":
		href := html(got["href"])
		u, err := url.Parse(href)
		if err != nil || u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "tg" {
			return fmt.Errorf("<a href=%q>: not a link", href)
		}
	case "code":
		if _, ok := got["class"]; ok && (len(stack) == 0 || stack[len(stack)-1] != "pre") {
			return fmt.Errorf("<code class> outside <pre>")
		}
	}
	// Nesting: nothing inside code; only code inside pre; no link in a
	// link; no quote in a quote.
	for j, p := range stack {
		switch {
		case p == "code":
			return fmt.Errorf("<%s> inside <code>", name)
		case p == "pre" && !(name == "code" && j == len(stack)-1):
			return fmt.Errorf("<%s> inside <pre>", name)
		case p == name && (name == "a" || name == "blockquote"):
			return fmt.Errorf("<%s> inside <%s>", name, p)
		}
	}
	return nil
}

func decodeEntity(m []string) rune {
	switch {
	case m[1] != "":
		return map[string]rune{"lt": '<', "gt": '>', "amp": '&', "quot": '"'}[m[1]]
	case m[2] != "":
		v, _ := strconv.ParseInt(m[2], 10, 32)
		return rune(v)
	default:
		v, _ := strconv.ParseInt(m[3], 16, 32)
		return rune(v)
	}
}

// html decodes the entities of an attribute value.
func html(s string) string {
	return entityRun.ReplaceAllStringFunc(s, func(e string) string {
		return string(decodeEntity(entityPattern.FindStringSubmatch(e)))
	})
}

var entityRun = regexp.MustCompile(`&(?:lt|gt|amp|quot|#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6});`)

// visible is what Telegram shows of a message: its text without tags, its
// entities decoded.
func visible(s string) string {
	s = regexp.MustCompile(`<[^>]*>`).ReplaceAllString(s, "")
	return html(s)
}
