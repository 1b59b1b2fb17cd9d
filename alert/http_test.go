package alert_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alertkit/alertkit/alert"
)

// sink records what an intake handler ingests.
type sink struct {
	mu      sync.Mutex
	batches [][]alert.Alert
	err     error
}

func (s *sink) ingest(_ context.Context, alerts []alert.Alert) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return s.err
	}
	s.batches = append(s.batches, alerts)
	return nil
}

func (s *sink) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, b := range s.batches {
		n += len(b)
	}
	return n
}

func TestHandlerResponses(t *testing.T) {
	const token = "s3cr3t-t0ken"
	good := `[{"labels":{"alertname":"TargetDown","instance":"10.244.37.14:9403"}}]`
	tests := []struct {
		name       string
		method     string
		body       string
		header     map[string]string
		opts       alert.HandlerOptions
		ingestErr  error
		wantCode   int
		wantBody   string
		wantHeader map[string]string
		wantAlerts int
	}{
		{name: "accepted", method: http.MethodPost, body: good, wantCode: http.StatusOK, wantAlerts: 1},
		{name: "wrong method", method: http.MethodGet, wantCode: http.StatusMethodNotAllowed, wantBody: "method GET not allowed; use POST", wantHeader: map[string]string{"Allow": "POST"}},
		{name: "malformed", method: http.MethodPost, body: `[{"labels":{"1x":"y"}}]`, wantCode: http.StatusBadRequest, wantBody: `1 of 1 alerts refused: [0].labels: invalid label name "1x"`},
		{name: "malformed, whole or nothing", method: http.MethodPost, body: `[{"labels":{"1x":"y"}}]`, opts: alert.HandlerOptions{Decode: alert.DecodeOptions{WholeOrNothing: true}}, wantCode: http.StatusBadRequest, wantBody: `[0].labels: invalid label name "1x"`},
		{name: "too many labels", method: http.MethodPost, body: `[{"labels":{"a":"1","b":"2"}},{"labels":{"a":"1"}}]`, opts: alert.HandlerOptions{Decode: alert.DecodeOptions{MaxLabels: 1}}, wantCode: http.StatusBadRequest, wantBody: "1 of 2 alerts refused: [0].labels: more than the limit of 1 labels", wantAlerts: 1},
		{name: "too many labels, whole or nothing", method: http.MethodPost, body: `[{"labels":{"a":"1","b":"2"}},{"labels":{"a":"1"}}]`, opts: alert.HandlerOptions{Decode: alert.DecodeOptions{MaxLabels: 1, WholeOrNothing: true}}, wantCode: http.StatusRequestEntityTooLarge, wantBody: "[0].labels: more than the limit of 1 labels"},
		{name: "label value too long", method: http.MethodPost, body: `[{"labels":{"alertname":"A","instance":"` + strings.Repeat("x", 1<<20) + `"}},{"labels":{"a":"1"}}]`, wantCode: http.StatusBadRequest, wantBody: "1 of 2 alerts refused: [0].labels.instance: value of 1048576 bytes is longer than the limit of 4096", wantAlerts: 1},
		{name: "label value too long, whole or nothing", method: http.MethodPost, body: `[{"labels":{"alertname":"A","instance":"` + strings.Repeat("x", 1<<20) + `"}},{"labels":{"a":"1"}}]`, opts: alert.HandlerOptions{Decode: alert.DecodeOptions{WholeOrNothing: true}}, wantCode: http.StatusRequestEntityTooLarge, wantBody: "[0].labels.instance: value of 1048576 bytes is longer than the limit of 4096"},
		{name: "not JSON", method: http.MethodPost, body: `<xml/>`, wantCode: http.StatusBadRequest, wantBody: "malformed JSON at line 1, column 1: invalid character '<' looking for beginning of value"},
		{name: "oversized body", method: http.MethodPost, body: good, opts: alert.HandlerOptions{Decode: alert.DecodeOptions{MaxBytes: 16}}, wantCode: http.StatusRequestEntityTooLarge, wantBody: "body: more than the limit of 16 bytes"},
		{name: "too many alerts", method: http.MethodPost, body: `[{"labels":{"a":"1"}},{"labels":{"a":"2"}}]`, opts: alert.HandlerOptions{Decode: alert.DecodeOptions{MaxAlerts: 1}}, wantCode: http.StatusRequestEntityTooLarge, wantBody: "body: more than the limit of 1 alerts"},
		{name: "compressed", method: http.MethodPost, body: good, header: map[string]string{"Content-Encoding": "gzip"}, wantCode: http.StatusUnsupportedMediaType, wantBody: "unsupported Content-Encoding gzip"},
		{name: "identity encoding", method: http.MethodPost, body: good, header: map[string]string{"Content-Encoding": "identity"}, wantCode: http.StatusOK, wantAlerts: 1},
		{name: "ingest fails", method: http.MethodPost, body: good, ingestErr: errors.New("store unavailable"), wantCode: http.StatusInternalServerError, wantBody: "ingest failed: 1 of 1 alerts not recorded: [0]; retry later"},
		{name: "token missing", method: http.MethodPost, body: good, opts: alert.HandlerOptions{BearerToken: token}, wantCode: http.StatusUnauthorized, wantBody: "missing or wrong bearer token", wantHeader: map[string]string{"WWW-Authenticate": `Bearer realm="alertkit"`}},
		{name: "token wrong", method: http.MethodPost, body: good, opts: alert.HandlerOptions{BearerToken: token}, header: map[string]string{"Authorization": "Bearer guess"}, wantCode: http.StatusUnauthorized},
		{name: "basic auth instead", method: http.MethodPost, body: good, opts: alert.HandlerOptions{BearerToken: token}, header: map[string]string{"Authorization": "Basic " + token}, wantCode: http.StatusUnauthorized},
		{name: "token right", method: http.MethodPost, body: good, opts: alert.HandlerOptions{BearerToken: token}, header: map[string]string{"Authorization": "Bearer " + token}, wantCode: http.StatusOK, wantAlerts: 1},
		{name: "token scheme in lower case", method: http.MethodPost, body: good, opts: alert.HandlerOptions{BearerToken: token}, header: map[string]string{"Authorization": "bearer " + token}, wantCode: http.StatusOK, wantAlerts: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &sink{err: tt.ingestErr}
			var logs bytes.Buffer
			tt.opts.Logger = slog.New(slog.NewTextHandler(&logs, nil))
			h := alert.PrometheusHandler(s.ingest, &tt.opts)
			req := httptest.NewRequest(tt.method, "/api/v2/alerts", strings.NewReader(tt.body))
			for k, v := range tt.header {
				req.Header.Set(k, v)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)

			assert.Equal(t, tt.wantCode, rec.Code)
			if tt.wantBody != "" {
				assert.Equal(t, tt.wantBody+"\n", rec.Body.String())
			}
			for k, v := range tt.wantHeader {
				assert.Equal(t, v, rec.Header().Get(k))
			}
			assert.Equal(t, tt.wantAlerts, s.count())
			if tt.wantCode != http.StatusOK {
				assert.Regexp(t, "(payload|alerts) refused", logs.String())
				assert.Contains(t, logs.String(), fmt.Sprintf("status=%d", tt.wantCode))
			} else {
				assert.Empty(t, logs.String())
			}
			assert.NotContains(t, logs.String(), token, "the token is never logged")
			assert.NotContains(t, rec.Body.String(), token)
		})
	}
}

func TestHandlersTakeCapturedPayloads(t *testing.T) {
	received := mustTime(t, "2026-11-23T16:44:16.706Z")
	opts := &alert.HandlerOptions{Decode: alert.DecodeOptions{Now: func() time.Time { return received }}}
	tests := []struct {
		name    string
		handler func(alert.IngestFunc, *alert.HandlerOptions) *alert.Handler
		file    string
		want    int
	}{
		{name: "prometheus", handler: alert.PrometheusHandler, file: "prometheus-firing.json", want: 4},
		{name: "alertmanager firing", handler: alert.WebhookHandler, file: "alertmanager-firing.json", want: 3},
		{name: "alertmanager resolved", handler: alert.WebhookHandler, file: "alertmanager-resolved.json", want: 3},
		{name: "events", handler: alert.EventHandler, file: "", want: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := []byte(`{"labels":{"alertname":"BackupFailed"}}`)
			if tt.file != "" {
				body = readTestdata(t, tt.file)
			}
			s := &sink{}
			srv := httptest.NewServer(tt.handler(s.ingest, opts))
			defer srv.Close()
			resp, err := http.Post(srv.URL, "application/json", bytes.NewReader(body))
			require.NoError(t, err)
			resp.Body.Close()
			assert.Equal(t, http.StatusOK, resp.StatusCode)
			require.Len(t, s.batches, 1, "one request, one batch")
			assert.Len(t, s.batches[0], tt.want)
		})
	}
}

func TestHandlerPassesRequestContext(t *testing.T) {
	type key struct{}
	var got any
	h := alert.EventHandler(func(ctx context.Context, _ []alert.Alert) error {
		got = ctx.Value(key{})
		return nil
	}, nil)
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(`{"labels":{"a":"b"}}`))
	req = req.WithContext(context.WithValue(req.Context(), key{}, "request-scoped"))
	h.ServeHTTP(httptest.NewRecorder(), req)
	assert.Equal(t, "request-scoped", got)
}

// partialFormat is what TestHandlerTakesValidNeighbours needs of a format.
type partialFormat struct {
	name    string
	handler func(alert.IngestFunc, *alert.HandlerOptions) *alert.Handler
	payload func(alerts []string) string
	alert   func(n int, kind byte) string // kind as in partialCase.alerts
	path    string                        // of the alert at index %d
}

var partialFormats = []partialFormat{
	{
		name:    "prometheus",
		handler: alert.PrometheusHandler,
		payload: func(alerts []string) string { return "[" + strings.Join(alerts, ",") + "]" },
		alert: func(n int, kind byte) string {
			switch kind {
			case 'n':
				return `{"labels":{"1x":"y"}}`
			case 't':
				return `{"labels":{"alertname":"A","n":1}}`
			case 's':
				return `{"labels":{"alertname":"A","n":"x"},"startsAt":"yesterday"}`
			}
			return fmt.Sprintf(`{"labels":{"alertname":"A","n":"%d"}}`, n)
		},
		path: "[%d]",
	},
	{
		name:    "alertmanager webhook",
		handler: alert.WebhookHandler,
		payload: func(alerts []string) string {
			return `{"version":"4","status":"firing","receiver":"alertkit","alerts":[` + strings.Join(alerts, ",") + `]}`
		},
		alert: func(n int, kind byte) string {
			switch kind {
			case 'n':
				return `{"status":"firing","labels":{"1x":"y"},"startsAt":"2026-11-23T09:28:12Z"}`
			case 't':
				return `{"status":"firing","labels":{"alertname":"A","n":1},"startsAt":"2026-11-23T09:28:12Z"}`
			case 's':
				return `{"status":"firing","labels":{"alertname":"A","n":"x"},"startsAt":"yesterday"}`
			}
			return fmt.Sprintf(`{"status":"firing","labels":{"alertname":"A","n":"%d"},"startsAt":"2026-11-23T09:28:12Z"}`, n)
		},
		path: "alerts[%d]",
	},
	{
		name:    "events",
		handler: alert.EventHandler,
		payload: func(alerts []string) string { return "[" + strings.Join(alerts, ",") + "]" },
		alert: func(n int, kind byte) string {
			switch kind {
			case 'n':
				return `{"status":"firing","labels":{"1x":"y"}}`
			case 't':
				return `{"status":"firing","labels":{"alertname":"A","n":1}}`
			case 's':
				return `{"status":"firing","labels":{"alertname":"A","n":"x"},"startsAt":"yesterday"}`
			}
			return fmt.Sprintf(`{"status":"firing","labels":{"alertname":"A","n":"%d"}}`, n)
		},
		path: "[%d]",
	},
}

// partialCase is a payload of len(alerts) alerts, one per byte: '.' valid,
// 'n' with an invalid label name, 't' with a label value of the wrong JSON
// type, 's' with a startsAt that is no time.
type partialCase struct {
	name      string
	alerts    string
	whole     bool                      // DecodeOptions.WholeOrNothing
	ingest    func([]alert.Alert) error // the IngestFunc's answer; nil: it records them
	wantCode  int
	wantBody  string // with {i} for the path of the alert at index i
	wantTaken []int  // the payload indices of the alerts given to the IngestFunc
	wantLog   string // the counts logged, as "refused=1 alerts=5"
	// wantError is the "error" attribute logged, when it says more than
	// the answer, with {i} as in wantBody.
	wantError string
}

// TestHandlerTakesValidNeighbours checks that an invalid alert costs only
// itself: the valid alerts of its payload are ingested, and the answer
// names each refused alert by its index and reason.
func TestHandlerTakesValidNeighbours(t *testing.T) {
	const (
		name    = `{i}.labels: invalid label name "1x"`
		typ     = "{i}.labels.n: expected a string, got number"
		badTime = `{i}.startsAt: invalid time "yesterday" (want RFC 3339, like 2026-11-23T09:28:12Z)`
	)
	reason := func(format string, i int) string { return strings.ReplaceAll(format, "{i}", fmt.Sprintf("{%d}", i)) }
	duplicate := errors.New("duplicate key")
	refuse := func(indices ...int) func([]alert.Alert) error {
		return func(alerts []alert.Alert) error {
			errs := make([]error, len(alerts))
			for _, i := range indices {
				errs[i] = duplicate
			}
			return alert.Rejected(errs)
		}
	}
	cases := []partialCase{
		{name: "all valid", alerts: ".....", wantCode: http.StatusOK, wantTaken: []int{0, 1, 2, 3, 4}},
		{
			name: "one invalid label name", alerts: "...n.",
			wantCode: http.StatusBadRequest, wantBody: "1 of 5 alerts refused: " + reason(name, 3),
			wantTaken: []int{0, 1, 2, 4}, wantLog: "refused=1 alerts=5",
		},
		{
			name: "one of the wrong JSON type", alerts: ".t...",
			wantCode: http.StatusBadRequest, wantBody: "1 of 5 alerts refused: " + reason(typ, 1),
			wantTaken: []int{0, 2, 3, 4}, wantLog: "refused=1 alerts=5",
		},
		{
			name: "one with a bad time", alerts: "....s",
			wantCode: http.StatusBadRequest, wantBody: "1 of 5 alerts refused: " + reason(badTime, 4),
			wantTaken: []int{0, 1, 2, 3}, wantLog: "refused=1 alerts=5",
		},
		{
			name: "two invalid", alerts: ".n.t.",
			wantCode: http.StatusBadRequest, wantBody: "2 of 5 alerts refused: " + reason(name, 1) + "; " + reason(typ, 3),
			wantTaken: []int{0, 2, 4}, wantLog: "refused=2 alerts=5",
		},
		{
			name: "all invalid: nothing to ingest", alerts: "nts",
			wantCode: http.StatusBadRequest, wantBody: "3 of 3 alerts refused: " + reason(name, 0) + "; " + reason(typ, 1) + "; " + reason(badTime, 2),
			wantLog: "refused=3 alerts=3",
		},
		{
			name: "whole or nothing", alerts: "...n.", whole: true,
			wantCode: http.StatusBadRequest, wantBody: reason(name, 3),
		},
		{
			name: "whole or nothing, wrong JSON type", alerts: "...nt", whole: true,
			wantCode: http.StatusBadRequest, wantBody: reason(typ, 4),
		},
		{
			name: "whole or nothing, all valid", alerts: "...", whole: true,
			wantCode: http.StatusOK, wantTaken: []int{0, 1, 2},
		},
		{
			name: "ingest refuses some", alerts: ".....", ingest: refuse(1, 3),
			wantCode: http.StatusInternalServerError, wantBody: "ingest failed: 2 of 5 alerts not recorded: {1}, {3}; retry later",
			wantTaken: []int{0, 1, 2, 3, 4}, wantLog: "refused=2 alerts=5",
			wantError: "ingest failed: 2 of 5 alerts refused: {1}: duplicate key; {3}: duplicate key",
		},
		{
			name: "ingest refuses some of the valid ones", alerts: ".n...", ingest: refuse(1, 3),
			wantCode: http.StatusInternalServerError,
			wantBody: "ingest failed: 2 of 5 alerts not recorded: {2}, {4}; retry later\n" +
				"1 of 5 alerts refused: " + reason(name, 1),
			wantTaken: []int{0, 2, 3, 4}, wantLog: "refused=3 alerts=5",
			wantError: "ingest failed: 2 of 5 alerts refused: {2}: duplicate key; {4}: duplicate key\n" +
				"1 of 5 alerts refused: " + reason(name, 1),
		},
		{
			name: "ingest refuses some, wrapped", alerts: "t..", ingest: func(a []alert.Alert) error { return fmt.Errorf("store: %w", refuse(0)(a)) },
			wantCode: http.StatusInternalServerError,
			wantBody: "ingest failed: 1 of 3 alerts not recorded: {1}; retry later\n" +
				"1 of 3 alerts refused: " + reason(typ, 0),
			wantTaken: []int{1, 2}, wantLog: "refused=2 alerts=3",
			wantError: "ingest failed: 1 of 3 alerts refused: {1}: duplicate key\n" +
				"1 of 3 alerts refused: " + reason(typ, 0),
		},
		{
			name: "ingest refuses an alert it was not given", alerts: "..",
			ingest: func([]alert.Alert) error {
				return &alert.RejectedError{Rejections: []alert.Rejection{{Index: 2, Err: duplicate}}, Total: 2}
			},
			wantCode: http.StatusInternalServerError, wantBody: "ingest failed: 2 of 2 alerts not recorded: {0}, {1}; retry later",
			wantTaken: []int{0, 1}, wantLog: "refused=2 alerts=2",
			wantError: "ingest failed: 1 of 2 alerts refused: [2]: duplicate key",
		},
		{
			name: "ingest fails", alerts: "n..", ingest: func([]alert.Alert) error { return errors.New("store unavailable") },
			wantCode:  http.StatusInternalServerError,
			wantBody:  "ingest failed: 2 of 3 alerts not recorded: {1}, {2}; retry later\n1 of 3 alerts refused: " + reason(name, 0),
			wantTaken: []int{1, 2}, wantLog: "refused=3 alerts=3",
			wantError: "ingest failed: store unavailable\n1 of 3 alerts refused: " + reason(name, 0),
		},
	}
	for _, f := range partialFormats {
		for _, tt := range cases {
			t.Run(f.name+"/"+tt.name, func(t *testing.T) {
				items := make([]string, len(tt.alerts))
				for i := range items {
					items[i] = f.alert(i, tt.alerts[i])
				}
				var got [][]alert.Alert
				ingest := func(_ context.Context, alerts []alert.Alert) error {
					got = append(got, alerts)
					if tt.ingest != nil {
						return tt.ingest(alerts)
					}
					return nil
				}
				var logs bytes.Buffer
				opts := &alert.HandlerOptions{
					Decode: alert.DecodeOptions{WholeOrNothing: tt.whole, Now: func() time.Time { return t0 }},
					Logger: slog.New(slog.NewTextHandler(&logs, nil)),
				}
				rec := httptest.NewRecorder()
				f.handler(ingest, opts).ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/", strings.NewReader(f.payload(items))))

				require.Equal(t, tt.wantCode, rec.Code, rec.Body.String())
				at := func(text string) string {
					for i := range tt.alerts {
						text = strings.ReplaceAll(text, fmt.Sprintf("{%d}", i), fmt.Sprintf(f.path, i))
					}
					return text
				}
				if tt.wantBody != "" {
					assert.Equal(t, at(tt.wantBody)+"\n", rec.Body.String())
				}
				wantError := tt.wantBody
				if tt.wantError != "" {
					wantError = tt.wantError
				}
				if wantError != "" {
					assert.Contains(t, logs.String(), "error="+strconv.Quote(at(wantError)))
				}
				if tt.wantTaken == nil {
					assert.Empty(t, got, "the IngestFunc is not called without alerts to take")
				} else {
					require.Len(t, got, 1, "one request, one batch")
					var taken []int
					for _, a := range got[0] {
						require.NoError(t, a.Validate())
						var n int
						_, err := fmt.Sscan(string(a.Labels["n"]), &n)
						require.NoError(t, err)
						taken = append(taken, n)
					}
					assert.Equal(t, tt.wantTaken, taken)
				}
				switch {
				case tt.wantCode == http.StatusOK:
					assert.Empty(t, logs.String())
				case tt.wantLog != "":
					assert.Contains(t, logs.String(), tt.wantLog)
					what := "alerts refused"
					if len(tt.wantTaken) == 0 || strings.HasPrefix(tt.wantLog, fmt.Sprintf("refused=%d ", len(tt.alerts))) {
						what = "payload refused"
					}
					assert.Contains(t, logs.String(), what)
				default:
					assert.Contains(t, logs.String(), "payload refused")
					assert.NotContains(t, logs.String(), "refused=")
				}
			})
		}
	}
}

// TestHandlerRefusalsAreBounded: the answer to a payload of many bad alerts
// names the first few and counts the rest.
func TestHandlerRefusalsAreBounded(t *testing.T) {
	items := make([]string, 1000)
	for i := range items {
		items[i] = `{"labels":{"` + strings.Repeat("x-", 125) + `":"y"}}` // invalid, under the length limit, and long enough that each reason is cut
	}
	s := &sink{}
	rec := httptest.NewRecorder()
	alert.PrometheusHandler(s.ingest, nil).ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/",
		strings.NewReader("["+strings.Join(items, ",")+"]")))
	assert.Equal(t, http.StatusBadRequest, rec.Code)
	assert.Less(t, rec.Body.Len(), 4<<10)
	assert.True(t, strings.HasPrefix(rec.Body.String(), `1000 of 1000 alerts refused: [0].labels: invalid label name "x-x-`), rec.Body.String())
	assert.True(t, strings.HasSuffix(rec.Body.String(), "...; and 990 more\n"), rec.Body.String())
	assert.Zero(t, s.count())
}

// brokenBody is a request body whose connection fails after the first
// bytes, as a read that times out.
type brokenBody struct{ sent bool }

func (b *brokenBody) Read(p []byte) (int, error) {
	if !b.sent {
		b.sent = true
		return copy(p, `[{"labels":`), nil
	}
	return 0, &net.OpError{
		Op: "read", Net: "tcp",
		Source: &net.TCPAddr{IP: net.IPv4(10, 244, 37, 14), Port: 9095},
		Addr:   &net.TCPAddr{IP: net.IPv4(10, 244, 2, 9), Port: 53422},
		Err:    os.ErrDeadlineExceeded,
	}
}

// TestHandlerKeepsInternalsFromAnswers: what the service behind the intake
// says when it fails (hosts, ports, databases) is logged, and never in the
// answer to a client, which may not be authenticated; the answer names the
// alerts not recorded and asks to retry.
func TestHandlerKeepsInternalsFromAnswers(t *testing.T) {
	const internal = "127.0.0.1:25432 database=amr"
	storeDown := errors.New("failed to connect to user=postgres " + internal + ": dial error: connect: connection refused")
	tests := []struct {
		name     string
		alerts   string // as in partialCase
		ingest   func([]alert.Alert) error
		wantBody string // with {i} for the path of the alert at index i
	}{
		{
			name: "ingest fails", alerts: "...", ingest: func([]alert.Alert) error { return storeDown },
			wantBody: "ingest failed: 3 of 3 alerts not recorded: {0}, {1}, {2}; retry later",
		},
		{
			name: "ingest fails, wrapped", alerts: "n..", ingest: func([]alert.Alert) error { return fmt.Errorf("recording alerts: %w", storeDown) },
			wantBody: "ingest failed: 2 of 3 alerts not recorded: {1}, {2}; retry later\n" +
				`1 of 3 alerts refused: {0}.labels: invalid label name "1x"`,
		},
		{
			name: "ingest refuses some", alerts: "...",
			ingest: func(a []alert.Alert) error {
				errs := make([]error, len(a))
				errs[1] = storeDown
				return alert.Rejected(errs)
			},
			wantBody: "ingest failed: 1 of 3 alerts not recorded: {1}; retry later",
		},
		{
			name: "ingest fails, many alerts", alerts: "............", ingest: func([]alert.Alert) error { return storeDown },
			wantBody: "ingest failed: 12 of 12 alerts not recorded: {0}, {1}, {2}, {3}, {4}, {5}, {6}, {7}, {8}, {9} and 2 more; retry later",
		},
	}
	for _, f := range partialFormats {
		for _, tt := range tests {
			t.Run(f.name+"/"+tt.name, func(t *testing.T) {
				items := make([]string, len(tt.alerts))
				for i := range items {
					items[i] = f.alert(i, tt.alerts[i])
				}
				var logs bytes.Buffer
				h := f.handler(func(_ context.Context, a []alert.Alert) error { return tt.ingest(a) }, &alert.HandlerOptions{
					Decode: alert.DecodeOptions{Now: func() time.Time { return t0 }},
					Logger: slog.New(slog.NewTextHandler(&logs, nil)),
				})
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/", strings.NewReader(f.payload(items))))

				require.Equal(t, http.StatusInternalServerError, rec.Code)
				want := tt.wantBody
				for i := range tt.alerts {
					want = strings.ReplaceAll(want, fmt.Sprintf("{%d}", i), fmt.Sprintf(f.path, i))
				}
				assert.Equal(t, want+"\n", rec.Body.String())
				for _, part := range []string{"127.0.0.1", "25432", "database=amr", "postgres", "connection refused"} {
					assert.NotContains(t, rec.Body.String(), part)
				}
				assert.Contains(t, logs.String(), internal, "the log has the whole reason")
			})
		}
	}

	t.Run("connection fails", func(t *testing.T) {
		var logs bytes.Buffer
		h := alert.PrometheusHandler(func(context.Context, []alert.Alert) error { return nil }, &alert.HandlerOptions{
			Logger: slog.New(slog.NewTextHandler(&logs, nil)),
		})
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/", &brokenBody{}))
		assert.Equal(t, http.StatusBadRequest, rec.Code)
		assert.Equal(t, "reading body: the connection failed or timed out\n", rec.Body.String())
		assert.Contains(t, logs.String(), "read tcp 10.244.37.14:9095->10.244.2.9:53422: i/o timeout")
	})
}
