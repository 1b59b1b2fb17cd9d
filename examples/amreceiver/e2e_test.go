package main

import (
	"encoding/json"
	"fmt"
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

	"github.com/alertkit/alertkit/internal/pgtest"
	"github.com/alertkit/alertkit/internal/testenv"
)

// TestEndToEnd runs amreceiver between real components, on loopback: two
// checkout targets expose a gauge; a real Prometheus scrapes them and
// evaluates an alerting rule, and sends its alerts to a real Alertmanager,
// which groups them and sends webhooks to amreceiver; a second Prometheus,
// with the same rule, posts straight to amreceiver's /api/v2/alerts. The
// test breaks the targets, then heals them, and checks what amreceiver made
// of it: one incident for both targets (grouped by the route's labels, the
// same alert from both paths counted once), its severity, its route, the
// page a local receiver gets, and the resolution that follows. On
// PostgreSQL, amreceiver restarts between two steps of the escalation,
// which goes on. Then the targets break again: the same incident reopens
// and pages again. Last, a payload with one bad alert keeps its
// neighbours.
func TestEndToEnd(t *testing.T) {
	const install = "install Debian's prometheus and prometheus-alertmanager packages to run this test"
	promBin := testenv.Command(t, "ALERTKIT_PROMETHEUS", install, "prometheus")
	amBin := testenv.Command(t, "ALERTKIT_ALERTMANAGER", install, "prometheus-alertmanager", "alertmanager")

	var up atomic.Int32
	up.Store(1)
	target := func() string {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			fmt.Fprintf(w, "# TYPE checkout_up gauge\ncheckout_up{service=\"checkout\"} %d\n", up.Load())
		}))
		t.Cleanup(srv.Close)
		return strings.TrimPrefix(srv.URL, "http://")
	}
	targets := []string{target(), target()}

	notified := newSink(t)
	t.Setenv("AMRECEIVER_NOTIFY_URL", notified.URL)
	t.Setenv("AMRECEIVER_TOKEN", "s3cret")
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
		return p
	}
	// The example's configuration, with no pending hold on Gold pages, and
	// 20 seconds between steps for S2 on Gold, so that the escalation goes
	// on within the test's time.
	base, err := os.ReadFile("alertkit.yaml")
	require.NoError(t, err)
	config := write("alertkit.yaml", string(base)+`
severity:
  responses:
    gold: {S2: page 20s}
  holds:
    platinum: [0s, 0s, 0s, 0s, 15m, 15m, 15m, 0s, 0s]
    gold: [0s, 0s, 0s, 15m, 15m, 15m, 0s, 0s, 0s]
    silver: [0s, 0s, 15m, 15m, 15m, 0s, 0s, 0s, 0s]
    none: [15m, 15m, 15m, 15m, 0s, 0s, 0s, 0s, 0s]
`)
	// The state in PostgreSQL where there is one (always in CI), so that
	// the service can restart mid-escalation; in memory otherwise. The
	// service listens on an address of its own, which it keeps when it
	// restarts.
	receiver := testenv.FreeAddr(t)
	args := []string{"-config", config, "-listen", receiver}
	onPostgres := os.Getenv(testenv.PostgresEnv) != "" || testenv.InCI()
	if onPostgres {
		args = append(args, "-postgres", pgtest.Schema(t), "-replica", "e2e")
	}
	_, stop := startStoppable(t, args...)

	amAddr := testenv.FreeAddr(t)
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
  - url: http://%s/alerts/webhook
    send_resolved: true
`, receiver))
	write("rules.yml", `
groups:
- name: checkout
  interval: 1s
  rules:
  - alert: CheckoutDown
    expr: checkout_up == 0
    labels:
      severity: critical
      namespace: shop
    annotations:
      summary: "checkout on {{ $labels.instance }} is down"
`)
	prom := func(name, alertmanager string) string {
		return write(name, fmt.Sprintf(`
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files: [rules.yml]
scrape_configs:
- job_name: checkout
  static_configs:
  - targets: [%q, %q]
alerting:
  alertmanagers:
  - static_configs:
    - targets: [%q]
`, targets[0], targets[1], alertmanager))
	}
	testenv.Start(t, amBin, "--config.file="+amConfig, "--storage.path="+filepath.Join(dir, "am"),
		"--web.listen-address="+amAddr, "--cluster.listen-address=")
	for i, to := range []string{amAddr, receiver} { // through Alertmanager, and straight to amreceiver
		cfg := prom(fmt.Sprintf("prometheus-%d.yml", i), to)
		testenv.Start(t, promBin, "--config.file="+cfg, "--storage.tsdb.path="+filepath.Join(dir, fmt.Sprintf("prom-%d", i)),
			"--web.listen-address="+testenv.FreeAddr(t), "--rules.alert.resend-delay=1s")
	}

	api := "http://" + receiver + "/api/incidents"
	auth := []string{"Authorization", "Bearer s3cret"}
	type incidentJSON struct {
		ID       string `json:"id"`
		Status   string `json:"status"`
		Severity string `json:"severity"`
		GroupKey string `json:"group_key"`
		Counts   struct {
			Alerts int `json:"alerts"`
		} `json:"counts"`
		Owner string `json:"owner"`
	}
	search := func(q string) []incidentJSON {
		status, body := request(t, http.MethodGet, api+"?q="+strings.ReplaceAll(q, " ", "+"), "", auth...)
		require.Equal(t, http.StatusOK, status, body)
		var res struct {
			Incidents []incidentJSON `json:"incidents"`
		}
		require.NoError(t, json.Unmarshal([]byte(body), &res))
		return res.Incidents
	}
	// Let Prometheus scrape the healthy targets first: nothing opens.
	time.Sleep(3 * time.Second)
	assert.Empty(t, search("trigger = CheckoutDown"))

	up.Store(0) // break both targets
	var inc incidentJSON
	t.Cleanup(func() {
		if t.Failed() {
			_, body := request(t, http.MethodGet, api, "", auth...)
			t.Logf("incidents: %s", body)
		}
	})
	eventually(t, time.Minute, "an incident of both targets from both paths", func() bool {
		incs := search("trigger = CheckoutDown")
		if len(incs) == 1 && incs[0].Counts.Alerts == 2 {
			inc = incs[0]
			return true
		}
		return false
	})
	assert.Equal(t, "open", inc.Status)
	assert.Equal(t, "S2", inc.Severity, "severity=critical")
	assert.Equal(t, `checkout{alertname="CheckoutDown", service="checkout"}`, inc.GroupKey, "grouped by the checkout route's labels")

	eventually(t, time.Minute, "the page of the on-call", func() bool { return len(notified.posts("/pager")) > 0 })
	page := notified.posts("/pager")[0]
	assert.Equal(t, "escalation", page["reason"])
	assert.Contains(t, page["note"], "step 1 of route:checkout/page 20s")
	people, _ := page["people"].([]any)
	require.Len(t, people, 1)
	assert.Contains(t, []any{"anna.petrova", "li.wei"}, people[0], "the shop's L1 on-call")
	assert.Equal(t, inc.ID, page["incident"].(map[string]any)["id"])

	// Both paths delivered the same two alerts: dedup kept two.
	status, body := request(t, http.MethodGet, api+"/"+inc.ID+"/members", "", auth...)
	require.Equal(t, http.StatusOK, status, body)
	assert.Equal(t, 2, strings.Count(body, `"fingerprint"`), body)

	if onPostgres {
		// The service stops between the first step and the second, and
		// another process takes over the database: the escalation goes on.
		stop()
		start(t, args...) // stopped when the test ends
		eventually(t, time.Minute, "the second step, after the restart", func() bool {
			return posted(notified, "/pager", "escalation", "step 2 of route:checkout/page 20s")
		})
	} else {
		t.Logf("the restart mid-escalation needs PostgreSQL: set %s to run it", testenv.PostgresEnv)
	}

	up.Store(1) // heal them
	eventually(t, time.Minute, "the incident to resolve", func() bool {
		incs := search("trigger = CheckoutDown AND status = resolved")
		return len(incs) == 1
	})
	eventually(t, 30*time.Second, "the resolution to follow the page", func() bool {
		return posted(notified, "/pager", "resolved", "")
	})

	// They break again: the incident reopens, a new firing, which pages
	// again from the first step.
	up.Store(0)
	eventually(t, time.Minute, "the page of the recurrence", func() bool {
		return posted(notified, "/pager", "escalation", "step 1 of route:checkout/page 20s: it fired again")
	})
	incs := search("trigger = CheckoutDown")
	require.Len(t, incs, 1, "the same incident")
	assert.Equal(t, inc.ID, incs[0].ID)
	for _, p := range notified.posts("/pager") {
		if n, _ := p["note"].(string); strings.Contains(n, "it fired again") {
			assert.Equal(t, inc.ID, p["incident"].(map[string]any)["id"], "the page of the reopened incident")
		}
	}
	// (Its status now depends on which source spoke last: the two paths
	// may disagree for a moment as the targets change.)
	up.Store(1)

	// A payload with one bad alert: its neighbours are taken, the bad one
	// refused by its index and reason.
	now := time.Now().UTC().Format(time.RFC3339)
	status, body = request(t, http.MethodPost, "http://"+receiver+"/api/v2/alerts", fmt.Sprintf(`[
		{"labels": {"alertname": "DiskFull", "namespace": "shop", "instance": "a"}, "startsAt": %q},
		{"labels": {"alertname": "DiskFull", "1x": "y"}, "startsAt": %q},
		{"labels": {"alertname": "DiskFull", "namespace": "shop", "instance": "b"}, "startsAt": %q}]`, now, now, now))
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Contains(t, body, `1 of 3 alerts refused: [1].labels: invalid label name "1x"`)
	disk := search("trigger = DiskFull")
	require.Len(t, disk, 1)
	assert.Equal(t, 2, disk[0].Counts.Alerts, "both neighbours taken")
}

// posted reports whether a receiver's path got a notification of a reason
// whose note contains note.
func posted(s *sink, path, reason, note string) bool {
	for _, p := range s.posts(path) {
		if n, _ := p["note"].(string); p["reason"] == reason && strings.Contains(n, note) {
			return true
		}
	}
	return false
}
