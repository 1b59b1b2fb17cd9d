package webhook_test

import (
	"bytes"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/alertkit/alertkit/notify"
	"github.com/alertkit/alertkit/notify/notifytest"
	"github.com/alertkit/alertkit/notify/webhook"
)

// The secrets of the test configurations.
const (
	urlToken    = "T0KEN-in-the-path-5f1c"
	bearerToken = "bearer-9a7b3c"
	signingKey  = "signing-key-4e2d"
	tenantKey   = "tenant-api-key-77aa"
)

// hookPath is the path of the fake end; its last segment is a token.
const hookPath = "/hooks/" + urlToken

// request is what the fake end received.
type request struct {
	Header http.Header
	Body   []byte
}

// fakeEnd is a webhook consumer that checks every request's shape and
// answers as told.
type fakeEnd struct {
	t      *testing.T
	srv    *httptest.Server
	format string
	// bearer and key are the expected bearer token and signing key; empty:
	// none expected.
	bearer, key string
	// extra are the expected extra headers.
	extra map[string]string
	// keys, if set, are the Idempotency-Keys the alertmanager format may
	// carry (its body does not say).
	keys map[string]bool

	mu sync.Mutex
	// now is the sender's clock, for the signature's timestamp.
	now       time.Time
	behaviour notifytest.Behaviour
	accepted  int
	requests  []request
	done      chan struct{}
}

// newFakeEnd starts a fake end for a format; cfg is completed with its URL
// and the expectations are taken from it. keys, if any, are the only
// Idempotency-Keys it accepts in the alertmanager format.
func newFakeEnd(t *testing.T, cfg *webhook.Config, keys ...string) *fakeEnd {
	t.Helper()
	f := &fakeEnd{
		t: t, format: cfg.Format, bearer: cfg.BearerToken.Reveal(), key: cfg.SigningKey.Reveal(),
		extra: map[string]string{}, now: notifytest.At, done: make(chan struct{}),
	}
	if f.format == "" {
		f.format = webhook.FormatAlertkit
	}
	for name, v := range cfg.Headers {
		f.extra[name] = v.Reveal()
	}
	if len(keys) > 0 {
		f.keys = map[string]bool{}
		for _, k := range keys {
			f.keys[k] = true
		}
	}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	t.Cleanup(func() { close(f.done) }) // runs first: releases hung handlers
	cfg.URL = notify.Secret(f.srv.URL + hookPath)
	return f
}

func (f *fakeEnd) behave(b notifytest.Behaviour) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.behaviour = b
	return true
}

func (f *fakeEnd) setNow(now time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = now
}

func (f *fakeEnd) received() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.accepted
}

func (f *fakeEnd) all() []request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.requests)
}

func (f *fakeEnd) serve(w http.ResponseWriter, r *http.Request) {
	t := f.t
	body, err := io.ReadAll(r.Body)
	if err != nil {
		t.Errorf("reading the body: %v", err)
		return
	}
	f.check(r, body)
	f.mu.Lock()
	b := f.behaviour
	f.requests = append(f.requests, request{Header: r.Header.Clone(), Body: body})
	if b == notifytest.Accept {
		f.accepted++
	}
	f.mu.Unlock()
	switch b {
	case notifytest.Accept:
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"ok":true}`)
	case notifytest.Fail:
		http.Error(w, "upstream unavailable", http.StatusServiceUnavailable)
	case notifytest.Throttle:
		w.Header().Set("Retry-After", "7")
		http.Error(w, "slow down", http.StatusTooManyRequests)
	case notifytest.Refuse:
		http.Error(w, "unknown receiver", http.StatusBadRequest)
	case notifytest.Hang:
		select {
		case <-r.Context().Done():
		case <-f.done:
		}
	}
}

// check fails the test on any deviation from the request shape.
func (f *fakeEnd) check(r *http.Request, body []byte) {
	t := f.t
	t.Helper()
	if r.Method != http.MethodPost {
		t.Errorf("method %s, want POST", r.Method)
	}
	if r.URL.Path != hookPath {
		t.Errorf("path %q, want %q", r.URL.Path, hookPath)
	}
	if got := r.Header.Get("Content-Type"); got != "application/json" {
		t.Errorf("Content-Type %q, want application/json", got)
	}
	if got := r.Header.Get("User-Agent"); got != notify.UserAgent {
		t.Errorf("User-Agent %q, want %q", got, notify.UserAgent)
	}
	wantAuth := ""
	if f.bearer != "" {
		wantAuth = "Bearer " + f.bearer
	}
	if got := r.Header.Get("Authorization"); got != wantAuth {
		t.Errorf("Authorization %q, want %q", got, wantAuth)
	}
	for name, want := range f.extra {
		if got := r.Header.Get(name); got != want {
			t.Errorf("%s %q, want %q", name, got, want)
		}
	}
	ts, sig := r.Header.Get(webhook.HeaderTimestamp), r.Header.Get(webhook.HeaderSignature)
	f.mu.Lock()
	now := f.now
	f.mu.Unlock()
	if f.key == "" {
		if ts != "" || sig != "" {
			t.Errorf("unsigned sender sent %s %q, %s %q", webhook.HeaderTimestamp, ts, webhook.HeaderSignature, sig)
		}
	} else {
		if want := strconv.FormatInt(now.Unix(), 10); ts != want {
			t.Errorf("%s %q, want %q", webhook.HeaderTimestamp, ts, want)
		}
		if err := webhook.Verify([]byte(f.key), ts, sig, body, now, time.Minute); err != nil {
			t.Errorf("the signature does not verify: %v", err)
		}
	}
	key := r.Header.Get("Idempotency-Key")
	if key == "" {
		t.Error("no Idempotency-Key")
	}
	switch f.format {
	case webhook.FormatAlertkit:
		if msg := checkAlertkit(t, body); msg != nil && msg.Key != key {
			t.Errorf("Idempotency-Key %q, but the notification's key is %q", key, msg.Key)
		}
	case webhook.FormatAlertmanager:
		checkAlertmanager(t, body)
		if f.keys != nil && !f.keys[key] {
			t.Errorf("Idempotency-Key %q is no notification's key", key)
		}
	}
}

// kinds maps each key of a JSON object to the kind of its value.
func kinds(t *testing.T, raw []byte) map[string]string {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Errorf("not a JSON object: %v", err)
		return nil
	}
	out := map[string]string{}
	for k, v := range m {
		out[k] = kindOf(v)
	}
	return out
}

func kindOf(v json.RawMessage) string {
	v = bytes.TrimSpace(v)
	if len(v) == 0 {
		return "none"
	}
	switch v[0] {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "bool"
	case 'n':
		return "null"
	}
	return "number"
}

// The shape of Alertmanager's webhook payload, version 4, as the captures
// in alert/testdata show it (TestAlertmanagerShapeMatchesCapture).
var (
	amTopKinds = map[string]string{
		"receiver": "string", "status": "string", "alerts": "array", "groupLabels": "object",
		"commonLabels": "object", "commonAnnotations": "object", "externalURL": "string",
		"version": "string", "groupKey": "string", "truncatedAlerts": "number",
	}
	amAlertKinds = map[string]string{
		"status": "string", "labels": "object", "annotations": "object", "startsAt": "string",
		"endsAt": "string", "generatorURL": "string", "fingerprint": "string",
	}
)

var hex16 = regexp.MustCompile(`^[0-9a-f]{16}$`)

// checkAlertmanager checks a body of the alertmanager format.
func checkAlertmanager(t *testing.T, body []byte) {
	t.Helper()
	if got := kinds(t, body); !maps.Equal(got, amTopKinds) {
		t.Errorf("alertmanager payload fields %v, want %v", got, amTopKinds)
		return
	}
	var m struct {
		Version, Status, GroupKey                    string
		GroupLabels, CommonLabels, CommonAnnotations map[string]string
		Alerts                                       []json.RawMessage
		TruncatedAlerts                              uint64
	}
	if err := json.Unmarshal(body, &m); err != nil {
		t.Errorf("alertmanager payload: %v", err)
		return
	}
	if m.Version != "4" {
		t.Errorf("version %q, want 4", m.Version)
	}
	if m.Status != "firing" && m.Status != "resolved" {
		t.Errorf("status %q", m.Status)
	}
	if m.GroupKey == "" {
		t.Error("empty groupKey")
	}
	for i, raw := range m.Alerts {
		if got := kinds(t, raw); !maps.Equal(got, amAlertKinds) {
			t.Errorf("alerts[%d] fields %v, want %v", i, got, amAlertKinds)
			continue
		}
		var a struct {
			Status              string
			Labels, Annotations map[string]string
			StartsAt, EndsAt    string
			GeneratorURL        string
			Fingerprint         string
		}
		if err := json.Unmarshal(raw, &a); err != nil {
			t.Errorf("alerts[%d]: %v", i, err)
			continue
		}
		if len(a.Labels) == 0 {
			t.Errorf("alerts[%d]: no labels", i)
		}
		if _, err := time.Parse(time.RFC3339Nano, a.StartsAt); err != nil {
			t.Errorf("alerts[%d].startsAt: %v", i, err)
		}
		switch a.Status {
		case "firing":
			if a.EndsAt != "0001-01-01T00:00:00Z" {
				t.Errorf("alerts[%d]: firing with endsAt %q", i, a.EndsAt)
			}
		case "resolved":
			if e, err := time.Parse(time.RFC3339Nano, a.EndsAt); err != nil || e.IsZero() {
				t.Errorf("alerts[%d]: resolved with endsAt %q", i, a.EndsAt)
			}
		default:
			t.Errorf("alerts[%d].status %q", i, a.Status)
		}
		if !hex16.MatchString(a.Fingerprint) {
			t.Errorf("alerts[%d].fingerprint %q", i, a.Fingerprint)
		}
	}
}

// checkAlertkit checks a body of the alertkit format and returns it.
func checkAlertkit(t *testing.T, body []byte) *webhook.Message {
	t.Helper()
	got := kinds(t, body)
	want := map[string]string{
		"version": "string", "key": "string", "reason": "string", "at": "string",
		"receiver": "string", "incident": "object",
	}
	for k, kind := range map[string]string{"people": "array", "teams": "array", "note": "string", "items": "array"} {
		if _, ok := got[k]; ok {
			want[k] = kind
		}
	}
	if !maps.Equal(got, want) {
		t.Errorf("alertkit payload fields %v, want %v", got, want)
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	var msg webhook.Message
	if err := dec.Decode(&msg); err != nil {
		t.Errorf("alertkit payload: %v", err)
		return nil
	}
	if msg.Version != webhook.Version {
		t.Errorf("version %q, want %q", msg.Version, webhook.Version)
	}
	if err := msg.Validate(); err != nil {
		t.Errorf("alertkit payload: %v", err)
	}
	if (msg.Reason == notify.ReasonDigest) != (len(msg.Items) > 0) {
		t.Errorf("reason %s with %d items", msg.Reason, len(msg.Items))
	}
	return &msg
}
