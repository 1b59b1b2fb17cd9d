package pagerduty_test

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/alertkit/alertkit/notify/notifytest"
)

// testKey is the routing key of the tests: 32 characters, as PagerDuty's
// integration keys are.
const testKey = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"

// fakePD is a fake Events API v2 endpoint. It checks every request against
// the documented shape of an alert event, fails the test on any deviation,
// and answers as its behaviour says. When it accepts, it keeps alerts by
// dedup_key as PagerDuty does: a trigger for an open alert adds to it, one
// for no open alert opens one; acknowledge and resolve apply to an open
// alert and are dropped otherwise.
type fakePD struct {
	t    *testing.T
	srv  *httptest.Server
	done chan struct{}

	mu        sync.Mutex
	behaviour notifytest.Behaviour
	reply     func(w http.ResponseWriter) // overrides behaviour when set
	wantDedup string                      // the dedup_key every event must carry, if set
	accepted  int
	bodies    [][]byte
	alerts    map[string]*pdAlert // the open alerts, by dedup_key
	opened    int                 // alerts ever opened
	dropped   int                 // acknowledges and resolves of no open alert
}

// pdAlert is an open alert of the fake.
type pdAlert struct {
	status   string // triggered, acknowledged
	triggers int
}

func newFake(t *testing.T) *fakePD {
	t.Helper()
	f := &fakePD{t: t, done: make(chan struct{}), alerts: map[string]*pdAlert{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	// Cleanups run last first: release hung handlers, then close.
	t.Cleanup(f.srv.Close)
	t.Cleanup(func() { close(f.done) })
	return f
}

// url is the fake's Events API endpoint.
func (f *fakePD) url() string { return f.srv.URL + "/v2/enqueue" }

func (f *fakePD) behave(b notifytest.Behaviour) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.behaviour = b
	return true
}

func (f *fakePD) received() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.accepted
}

// last returns the last request body.
func (f *fakePD) last() []byte {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.bodies) == 0 {
		f.t.Fatal("the fake received nothing")
	}
	return f.bodies[len(f.bodies)-1]
}

func (f *fakePD) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.bodies)
}

func (f *fakePD) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		f.t.Errorf("reading the request: %v", err)
		return
	}
	f.mu.Lock()
	f.bodies = append(f.bodies, body)
	b, reply, wantDedup := f.behaviour, f.reply, f.wantDedup
	f.mu.Unlock()

	ev := f.check(r, body, wantDedup)
	if reply != nil {
		reply(w)
		return
	}
	switch b {
	case notifytest.Accept:
		f.apply(ev)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusAccepted)
		key, _ := ev["dedup_key"].(string)
		json.NewEncoder(w).Encode(map[string]string{"status": "success", "message": "Event processed", "dedup_key": key})
	case notifytest.Fail:
		http.Error(w, "Service Unavailable", http.StatusServiceUnavailable)
	case notifytest.Throttle:
		w.Header().Set("Retry-After", "7")
		w.WriteHeader(http.StatusTooManyRequests)
	case notifytest.Refuse:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, `{"status":"invalid event","message":"Event object is invalid","errors":["Length of 'routing_key' is incorrect (should be 32 characters)"]}`)
	case notifytest.Hang:
		select {
		case <-r.Context().Done():
		case <-f.done:
		}
	}
}

// apply does what PagerDuty does with an accepted event.
func (f *fakePD) apply(ev map[string]any) {
	key, _ := ev["dedup_key"].(string)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.accepted++
	a := f.alerts[key]
	switch ev["event_action"] {
	case "trigger":
		if a == nil {
			a = &pdAlert{status: "triggered"}
			f.alerts[key] = a
			f.opened++
		}
		a.triggers++
	case "acknowledge":
		if a == nil {
			f.dropped++
			return
		}
		a.status = "acknowledged"
	case "resolve":
		if a == nil {
			f.dropped++
			return
		}
		delete(f.alerts, key)
	}
}

var (
	eventKeys   = []string{"routing_key", "event_action", "dedup_key", "payload", "links", "images", "client", "client_url"}
	payloadKeys = []string{"summary", "source", "severity", "timestamp", "component", "group", "class", "custom_details"}
	actions     = []string{"trigger", "acknowledge", "resolve"}
	severities  = []string{"critical", "error", "warning", "info"}
)

// check fails the test on any deviation of a request from an Events API v2
// alert event, and returns the decoded event.
func (f *fakePD) check(r *http.Request, body []byte, wantDedup string) map[string]any {
	t := f.t
	if r.Method != http.MethodPost {
		t.Errorf("method %s, want POST", r.Method)
	}
	if r.URL.Path != "/v2/enqueue" {
		t.Errorf("path %s, want /v2/enqueue", r.URL.Path)
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		t.Errorf("Content-Type %q, want application/json", r.Header.Get("Content-Type"))
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var ev map[string]any
	if err := dec.Decode(&ev); err != nil {
		t.Errorf("the body is not a JSON object: %v: %s", err, body)
		return nil
	}
	if dec.More() {
		t.Errorf("more than one JSON value in the body")
	}
	for k := range ev {
		if !slices.Contains(eventKeys, k) {
			t.Errorf("unknown field %q", k)
		}
	}
	if v, ok := ev["routing_key"].(string); !ok || v != testKey {
		t.Errorf("routing_key = %#v, want the configured key", ev["routing_key"])
	}
	act, ok := ev["event_action"].(string)
	if !ok || !slices.Contains(actions, act) {
		t.Errorf("event_action = %#v, want one of %v", ev["event_action"], actions)
	}
	key, ok := ev["dedup_key"].(string)
	switch {
	case !ok || key == "":
		t.Errorf("dedup_key = %#v, want a string", ev["dedup_key"])
	case utf8.RuneCountInString(key) > 255:
		t.Errorf("dedup_key of %d characters, more than 255", utf8.RuneCountInString(key))
	case wantDedup != "" && key != wantDedup:
		t.Errorf("dedup_key = %q, want the incident ID %q", key, wantDedup)
	}
	if act != "trigger" {
		// An acknowledge or a resolve is these three fields, nothing else.
		if len(ev) != 3 {
			t.Errorf("%s event with fields %v, want routing_key, event_action and dedup_key only", act, sortedKeys(ev))
		}
		return ev
	}
	p, ok := ev["payload"].(map[string]any)
	if !ok {
		t.Errorf("trigger without a payload object: %#v", ev["payload"])
		return ev
	}
	for k := range p {
		if !slices.Contains(payloadKeys, k) {
			t.Errorf("unknown payload field %q", k)
		}
	}
	if s, ok := p["summary"].(string); !ok || s == "" {
		t.Errorf("payload.summary = %#v, want a string", p["summary"])
	} else if n := utf8.RuneCountInString(s); n > 1024 {
		t.Errorf("payload.summary of %d characters, more than 1024", n)
	}
	if s, ok := p["source"].(string); !ok || s == "" {
		t.Errorf("payload.source = %#v, want a string", p["source"])
	}
	if s, ok := p["severity"].(string); !ok || !slices.Contains(severities, s) {
		t.Errorf("payload.severity = %#v, want one of %v", p["severity"], severities)
	}
	if v, ok := p["timestamp"]; ok {
		if s, ok := v.(string); !ok {
			t.Errorf("payload.timestamp = %#v, want a string", v)
		} else if _, err := time.Parse(time.RFC3339, s); err != nil {
			t.Errorf("payload.timestamp: %v", err)
		}
	}
	for _, k := range []string{"component", "group", "class"} {
		if v, ok := p[k]; ok {
			if s, ok := v.(string); !ok || s == "" {
				t.Errorf("payload.%s = %#v, want a string", k, v)
			}
		}
	}
	if v, ok := p["custom_details"]; ok {
		if _, ok := v.(map[string]any); !ok {
			t.Errorf("payload.custom_details = %#v, want an object", v)
		}
	}
	if v, ok := ev["links"]; ok {
		links, ok := v.([]any)
		if !ok {
			t.Errorf("links = %#v, want an array", v)
		}
		for i, l := range links {
			obj, ok := l.(map[string]any)
			if !ok {
				t.Errorf("links[%d] = %#v, want an object", i, l)
				continue
			}
			for k := range obj {
				if k != "href" && k != "text" {
					t.Errorf("links[%d]: unknown field %q", i, k)
				}
			}
			if href, ok := obj["href"].(string); !ok || !isHTTP(href) {
				t.Errorf("links[%d].href = %#v, want an http(s) URL", i, obj["href"])
			}
			if text, ok := obj["text"]; ok {
				if _, ok := text.(string); !ok {
					t.Errorf("links[%d].text = %#v, want a string", i, text)
				}
			}
		}
	}
	if v, ok := ev["images"]; ok {
		t.Errorf("images = %#v: the sender has none to send", v)
	}
	if v, ok := ev["client"]; ok {
		if s, ok := v.(string); !ok || s == "" {
			t.Errorf("client = %#v, want a string", v)
		}
	}
	if v, ok := ev["client_url"]; ok {
		if s, ok := v.(string); !ok || !isHTTP(s) {
			t.Errorf("client_url = %#v, want an http(s) URL", v)
		}
	}
	return ev
}

func isHTTP(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

func sortedKeys(m map[string]any) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}
