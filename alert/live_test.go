package alert_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alertkit/alertkit/alert"
	"github.com/alertkit/alertkit/internal/testenv"
)

// TestRealSources runs a real Prometheus and a real Alertmanager on loopback
// and points both at alertkit's intake: Prometheus posts its alerts to
// PrometheusHandler (as if it were an Alertmanager) and to the Alertmanager,
// which sends webhooks to WebhookHandler. Prometheus scrapes a gauge from
// the test; while the gauge is 0 an alert fires, and when it turns 1 the
// alert resolves. Both paths must deliver the firing and the resolved alert
// with the same fingerprint.
func TestRealSources(t *testing.T) {
	const install = "install Debian's prometheus and prometheus-alertmanager packages to run this test"
	promBin := testenv.Command(t, "ALERTKIT_PROMETHEUS", install, "prometheus")
	amBin := testenv.Command(t, "ALERTKIT_ALERTMANAGER", install, "prometheus-alertmanager", "alertmanager")

	var up atomic.Int32 // the scraped gauge: 0 means down, which fires the alert
	fromProm := make(chan []alert.Alert, 100)
	fromAM := make(chan []alert.Alert, 100)
	var webhooks atomic.Pointer[[]alert.WebhookAlert]
	mux := http.NewServeMux()
	mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintf(w, "# TYPE checkout_up gauge\ncheckout_up{service=\"checkout\"} %d\n", up.Load())
	})
	mux.Handle("POST /api/v2/alerts", alert.PrometheusHandler(func(_ context.Context, a []alert.Alert) error {
		fromProm <- a
		return nil
	}, nil))
	mux.HandleFunc("POST /webhook", func(w http.ResponseWriter, r *http.Request) {
		// Decode once here to keep Alertmanager's own fingerprints, then
		// check that the handler accepts the same body.
		body, err := readAllString(r)
		require.NoError(t, err)
		msg, alerts, err := alert.DecodeWebhook(strings.NewReader(body), nil)
		if !assert.NoError(t, err, "webhook body: %s", body) {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		webhooks.Store(&msg.Alerts)
		rec := httptest.NewRecorder()
		alert.WebhookHandler(func(context.Context, []alert.Alert) error { return nil }, nil).
			ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/webhook", strings.NewReader(body)))
		assert.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		fromAM <- alerts
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	self := strings.TrimPrefix(srv.URL, "http://")

	dir := t.TempDir()
	amAddr, promAddr := testenv.FreeAddr(t), testenv.FreeAddr(t)
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
		return p
	}
	amConfig := write("alertmanager.yml", fmt.Sprintf(`
route:
  receiver: alertkit
  group_by: [alertname]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
- name: alertkit
  webhook_configs:
  - url: %s/webhook
    send_resolved: true
`, srv.URL))
	write("rules.yml", `
groups:
- name: checkout
  interval: 1s
  rules:
  - alert: CheckoutDown
    expr: checkout_up == 0
    labels:
      severity: critical
      namespace: horns-and-hooves
    annotations:
      summary: "checkout is down"
`)
	promConfig := write("prometheus.yml", fmt.Sprintf(`
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files: [rules.yml]
scrape_configs:
- job_name: checkout
  static_configs:
  - targets: [%q]
alerting:
  alertmanagers:
  - static_configs:
    - targets: [%q, %q]
`, self, self, amAddr))

	testenv.Start(t, amBin, "--config.file="+amConfig, "--storage.path="+filepath.Join(dir, "am"),
		"--web.listen-address="+amAddr, "--cluster.listen-address=")
	testenv.Start(t, promBin, "--config.file="+promConfig, "--storage.tsdb.path="+filepath.Join(dir, "prom"),
		"--web.listen-address="+promAddr, "--rules.alert.resend-delay=1s")

	isDown := func(state alert.State) func(alert.Alert) bool {
		return func(a alert.Alert) bool {
			return a.Trigger() == "CheckoutDown" && a.StateAt(time.Now()) == state
		}
	}
	firing := await(t, fromProm, "Prometheus to post CheckoutDown firing", isDown(alert.StateFiring))
	assert.Equal(t, "prometheus", firing.Source)
	assert.Equal(t, "checkout", string(firing.Labels["job"]))
	assert.False(t, firing.RefreshBy.IsZero(), "Prometheus gives a refresh deadline")
	assert.True(t, strings.Contains(firing.GeneratorURL, "checkout_up"), firing.GeneratorURL)

	viaAM := await(t, fromAM, "Alertmanager to send CheckoutDown firing", isDown(alert.StateFiring))
	assert.Equal(t, firing.Fingerprint(), viaAM.Fingerprint(), "both paths identify the alert alike")
	for _, w := range *webhooks.Load() {
		assert.Equal(t, w.Fingerprint, alert.Fingerprint(w.Labels).String(), "Alertmanager's fingerprint is alertkit's")
	}

	up.Store(1)
	resolved := await(t, fromProm, "Prometheus to post CheckoutDown resolved", isDown(alert.StateResolved))
	assert.Equal(t, firing.Fingerprint(), resolved.Fingerprint())
	resolvedAM := await(t, fromAM, "Alertmanager to send CheckoutDown resolved", isDown(alert.StateResolved))
	assert.Equal(t, firing.Fingerprint(), resolvedAM.Fingerprint())
	assert.Equal(t, firing.StartsAt, resolvedAM.StartsAt)
}

// await reads batches from ch until one holds an alert that satisfies ok.
// It waits for real processes, so it waits in real time, up to a minute.
func await(t *testing.T, ch <-chan []alert.Alert, what string, ok func(alert.Alert) bool) alert.Alert {
	t.Helper()
	timeout := time.After(time.Minute)
	for {
		select {
		case batch := <-ch:
			for _, a := range batch {
				if ok(a) {
					return a
				}
			}
		case <-timeout:
			t.Fatalf("gave up waiting for %s", what)
		}
	}
}

func readAllString(r *http.Request) (string, error) {
	b, err := io.ReadAll(r.Body)
	return string(b), err
}
