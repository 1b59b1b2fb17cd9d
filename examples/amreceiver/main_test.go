package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alertkit/alertkit/internal/pgtest"
)

// sink is the receiving end of the webhook receivers: it keeps what they
// post, by path.
type sink struct {
	*httptest.Server
	mu  sync.Mutex
	got map[string][]map[string]any
}

func newSink(t *testing.T) *sink {
	s := &sink{got: map[string][]map[string]any{}}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var v map[string]any
		if err := json.NewDecoder(r.Body).Decode(&v); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		s.mu.Lock()
		s.got[r.URL.Path] = append(s.got[r.URL.Path], v)
		s.mu.Unlock()
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *sink) posts(path string) []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]map[string]any(nil), s.got[path]...)
}

// start runs amreceiver on a free port and returns its base URL.
func start(t *testing.T, args ...string) string {
	t.Helper()
	url, _ := startStoppable(t, args...)
	return url
}

// startStoppable runs amreceiver, and returns its base URL and a function
// that stops it, as a process that is shut down.
func startStoppable(t *testing.T, args ...string) (string, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	addr := make(chan string, 1)
	done := make(chan error, 1)
	var logs bytes.Buffer
	var logMu sync.Mutex
	go func() {
		done <- run(ctx, append([]string{"-config", "alertkit.yaml", "-listen", "127.0.0.1:0", "-tick", "100ms"}, args...), writerFunc(func(p []byte) (int, error) {
			logMu.Lock()
			defer logMu.Unlock()
			return logs.Write(p)
		}), func(a string) { addr <- a })
	}()
	select {
	case a := <-addr:
		var once sync.Once
		stop := func() {
			once.Do(func() {
				cancel()
				err := <-done
				assert.ErrorIs(t, err, context.Canceled)
				if t.Failed() {
					logMu.Lock()
					t.Logf("amreceiver's log:\n%s", logs.String())
					logMu.Unlock()
				}
			})
		}
		t.Cleanup(stop)
		return "http://" + a, stop
	case err := <-done:
		cancel()
		t.Fatalf("amreceiver did not start: %v\n%s", err, logs.String())
	}
	return "", nil
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

func request(t *testing.T, method, url, body string, header ...string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

// eventually retries check, in real time, for up to a deadline: the
// service runs its own timers.
func eventually(t *testing.T, within time.Duration, what string, check func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !check() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// The service takes Alertmanager's webhooks and Prometheus's posts, opens
// incidents, serves them through the incident API behind a token, and
// exposes its metrics.
func TestService(t *testing.T) {
	notified := newSink(t)
	t.Setenv("AMRECEIVER_NOTIFY_URL", notified.URL)
	t.Setenv("AMRECEIVER_TOKEN", "s3cret")
	t.Setenv("AMRECEIVER_COMMANDERS", "olga.ic, ops-lead")
	base := start(t)

	status, _ := request(t, http.MethodGet, base+"/-/healthy", "")
	assert.Equal(t, http.StatusOK, status)

	webhook, err := os.ReadFile("../../alert/testdata/alertmanager-firing.json")
	require.NoError(t, err)
	status, body := request(t, http.MethodPost, base+"/alerts/webhook", string(webhook))
	require.Equal(t, http.StatusOK, status, body)
	// Prometheus posts what fires now, with a refresh deadline.
	now := time.Now().UTC()
	prom := fmt.Sprintf(`[{"labels": {"alertname": "CheckoutDown", "service": "checkout", "namespace": "shop", "severity": "critical"},
		"startsAt": %q, "endsAt": %q}]`, now.Add(-time.Minute).Format(time.RFC3339), now.Add(5*time.Minute).Format(time.RFC3339))
	status, body = request(t, http.MethodPost, base+"/api/v2/alerts", prom)
	require.Equal(t, http.StatusOK, status, body)
	status, body = request(t, http.MethodPost, base+"/api/v2/alerts", `[{"labels": {"1x": "y"}}]`)
	assert.Equal(t, http.StatusBadRequest, status, "a payload of one bad alert is refused")
	assert.Contains(t, body, `[0].labels: invalid label name "1x"`)

	status, _ = request(t, http.MethodGet, base+"/api/incidents", "")
	assert.Equal(t, http.StatusUnauthorized, status, "the API needs the token")
	auth := []string{"Authorization", "Bearer s3cret", "X-Actor", "vasiliy.vasiliyev"}
	var list struct {
		Incidents []struct {
			ID       string   `json:"id"`
			Status   string   `json:"status"`
			Triggers []string `json:"triggers"`
		} `json:"incidents"`
	}
	status, body = request(t, http.MethodGet, base+"/api/incidents?q=trigger+%3D+CheckoutDown", "", auth...)
	require.Equal(t, http.StatusOK, status, body)
	require.NoError(t, json.Unmarshal([]byte(body), &list))
	require.Len(t, list.Incidents, 1, body)
	id := list.Incidents[0].ID

	status, body = request(t, http.MethodPost, base+"/api/incidents/"+id+"/acknowledge", `{"note": "on it"}`, auth...)
	require.Equal(t, http.StatusOK, status, body)
	assert.Contains(t, body, `"status":"acknowledged"`)

	// Acting on it further is for those who answer for it: not a
	// passer-by, but the lead its escalation pages; resolving it by force
	// is for an incident commander.
	as := func(actor string) []string { return []string{"Authorization", "Bearer s3cret", "X-Actor", actor} }
	status, body = request(t, http.MethodPost, base+"/api/incidents/"+id+"/unacknowledge", `{}`, auth...)
	assert.Equal(t, http.StatusForbidden, status, body)
	status, body = request(t, http.MethodPost, base+"/api/incidents/"+id+"/unacknowledge", `{}`, as("shop-lead")...)
	assert.Equal(t, http.StatusOK, status, body)
	status, body = request(t, http.MethodPost, base+"/api/incidents/"+id+"/resolve", `{"force": true}`, as("shop-lead")...)
	assert.Equal(t, http.StatusForbidden, status, body)
	status, body = request(t, http.MethodPost, base+"/api/incidents/"+id+"/acknowledge", `{}`, as("alertkit")...)
	assert.Equal(t, http.StatusForbidden, status, "no one acts as alertkit: %s", body)
	status, body = request(t, http.MethodPost, base+"/api/incidents/"+id+"/acknowledge", `{}`, "Authorization", "Bearer s3cret")
	assert.Equal(t, http.StatusUnauthorized, status, "an action names who acts: %s", body)
	status, body = request(t, http.MethodPost, base+"/api/incidents/"+id+"/acknowledge", `{}`, as("olga.ic")...)
	require.Equal(t, http.StatusOK, status, body)

	status, body = request(t, http.MethodGet, base+"/metrics", "")
	require.Equal(t, http.StatusOK, status)
	for _, want := range []string{
		`alertkit_alerts_received_total{outcome="new",source="alertmanager"} 3`,
		`alertkit_alerts_received_total{outcome="new",source="prometheus"} 1`,
		`alertkit_incidents{severity="S2",status="acknowledged"} 1`,
		`alertkit_heartbeat_age_seconds{heartbeat="prometheus"}`,
		"go_goroutines",
	} {
		assert.Contains(t, body, want)
	}
}

// Two replicas on one PostgreSQL database, each sent the same alert as
// Prometheus sends to every Alertmanager it knows: one incident, which an
// acknowledgement on one replica changes for both.
func TestReplicasOnPostgres(t *testing.T) {
	db := pgtest.Schema(t)
	notified := newSink(t)
	t.Setenv("AMRECEIVER_NOTIFY_URL", notified.URL)
	t.Setenv("AMRECEIVER_TOKEN", "s3cret")
	replicas := []string{start(t, "-postgres", db, "-replica", "a"), start(t, "-postgres", db, "-replica", "b")}

	now := time.Now().UTC()
	prom := fmt.Sprintf(`[{"labels": {"alertname": "CheckoutDown", "service": "checkout", "namespace": "shop", "severity": "critical"},
		"startsAt": %q, "endsAt": %q}]`, now.Add(-time.Minute).Format(time.RFC3339), now.Add(5*time.Minute).Format(time.RFC3339))
	for _, base := range replicas {
		status, body := request(t, http.MethodPost, base+"/api/v2/alerts", prom)
		require.Equal(t, http.StatusOK, status, body)
	}
	auth := []string{"Authorization", "Bearer s3cret", "X-Actor", "vasiliy.vasiliyev"}
	incidents := func(base string) []map[string]any {
		t.Helper()
		status, body := request(t, http.MethodGet, base+"/api/incidents?q=trigger+%3D+CheckoutDown", "", auth...)
		require.Equal(t, http.StatusOK, status, body)
		var list struct {
			Incidents []map[string]any `json:"incidents"`
		}
		require.NoError(t, json.Unmarshal([]byte(body), &list))
		return list.Incidents
	}
	fromA, fromB := incidents(replicas[0]), incidents(replicas[1])
	require.Len(t, fromA, 1, "one incident for the alert both replicas received")
	require.Len(t, fromB, 1)
	id := fromA[0]["id"].(string)
	assert.Equal(t, id, fromB[0]["id"])
	assert.EqualValues(t, 1, fromA[0]["counts"].(map[string]any)["alerts"], "one alert record")

	status, body := request(t, http.MethodPost, replicas[0]+"/api/incidents/"+id+"/acknowledge", `{"note": "on it"}`, auth...)
	require.Equal(t, http.StatusOK, status, body)
	assert.Equal(t, "acknowledged", incidents(replicas[1])[0]["status"], "the other replica sees it")
}
