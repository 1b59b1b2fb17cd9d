package alert_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
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
		{name: "malformed", method: http.MethodPost, body: `[{"labels":{"1x":"y"}}]`, wantCode: http.StatusBadRequest, wantBody: `[0].labels: invalid label name "1x"`},
		{name: "not JSON", method: http.MethodPost, body: `<xml/>`, wantCode: http.StatusBadRequest, wantBody: "malformed JSON at line 1, column 1: invalid character '<' looking for beginning of value"},
		{name: "oversized body", method: http.MethodPost, body: good, opts: alert.HandlerOptions{Decode: alert.DecodeOptions{MaxBytes: 16}}, wantCode: http.StatusRequestEntityTooLarge, wantBody: "body: more than the limit of 16 bytes"},
		{name: "too many alerts", method: http.MethodPost, body: `[{"labels":{"a":"1"}},{"labels":{"a":"2"}}]`, opts: alert.HandlerOptions{Decode: alert.DecodeOptions{MaxAlerts: 1}}, wantCode: http.StatusRequestEntityTooLarge, wantBody: "body: more than the limit of 1 alerts"},
		{name: "compressed", method: http.MethodPost, body: good, header: map[string]string{"Content-Encoding": "gzip"}, wantCode: http.StatusUnsupportedMediaType, wantBody: "unsupported Content-Encoding gzip"},
		{name: "identity encoding", method: http.MethodPost, body: good, header: map[string]string{"Content-Encoding": "identity"}, wantCode: http.StatusOK, wantAlerts: 1},
		{name: "ingest fails", method: http.MethodPost, body: good, ingestErr: errors.New("store unavailable"), wantCode: http.StatusInternalServerError, wantBody: "ingest failed: store unavailable"},
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
				assert.Contains(t, logs.String(), "payload refused")
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
