package pipeline_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alertkit/alertkit/alert"
	"github.com/alertkit/alertkit/internal/clock"
	"github.com/alertkit/alertkit/pipeline"
)

func TestBuildFromFile(t *testing.T) {
	var mu sync.Mutex
	got := map[string][]map[string]any{}
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var v map[string]any
		require.NoError(t, json.Unmarshal(body, &v))
		mu.Lock()
		got[r.URL.Path] = append(got[r.URL.Path], v)
		mu.Unlock()
	}))
	defer hook.Close()
	t.Setenv("ALERTKIT_TEST_HOOK", hook.URL)

	f, err := pipeline.LoadFile("testdata/service.yaml")
	require.NoError(t, err)
	clk := clock.NewFake(time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC))
	reg := prometheus.NewRegistry()
	s, err := f.Build(pipeline.BuildOptions{Now: clk.Now, Registerer: reg})
	require.NoError(t, err)

	pg := model.LabelSet{"alertname": "PostgresDown", "cluster": "main", "namespace": "db", "severity_level": "2", "service_level": "gold"}
	ctx := t.Context()
	require.NoError(t, s.Pipeline.Ingest(ctx, []alert.Alert{{Labels: pg, StartsAt: clk.Now()}}))
	for range 5 {
		clk.Advance(time.Minute)
		require.NoError(t, s.Pipeline.Tick(ctx))
	}
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, got["/pager"], 1, "alfa, on call for L1 (11:00 in Berlin), through the pager receiver")
	am := got["/pager"][0]
	assert.Equal(t, "4", am["version"], "the Alertmanager format")
	alerts := am["alerts"].([]any)
	assert.Equal(t, "PostgresDown", alerts[0].(map[string]any)["labels"].(map[string]any)["alertname"])

	incs, err := s.Incidents.Search(ctx, "trigger = PostgresDown", 10)
	require.NoError(t, err)
	require.Len(t, incs, 1)
	assert.Equal(t, "alfa", incs[0].Owner)
	view, err := s.Incidents.View(ctx, incs[0].ID)
	require.NoError(t, err)
	rbs := s.Runbooks.For(view)
	require.Len(t, rbs, 1)
	assert.Equal(t, "Postgres is down", rbs[0].Title)
	assert.Equal(t, "https://alerts.example.com/incidents/"+string(incs[0].ID), s.URL(incs[0].ID))
	assert.Len(t, s.Silences.List(), 1)

	mfs, err := reg.Gather()
	require.NoError(t, err)
	var names []string
	for _, mf := range mfs {
		names = append(names, mf.GetName())
	}
	assert.Subset(t, names, []string{"alertkit_alerts_received_total", "alertkit_incidents", "alertkit_heartbeat_age_seconds", "alertkit_escalation_pages_total", "alertkit_notification_attempts_total"})
}

func TestFileErrors(t *testing.T) {
	data, err := os.ReadFile("testdata/service.yaml")
	require.NoError(t, err)
	base := string(data)
	t.Setenv("ALERTKIT_TEST_HOOK", "http://127.0.0.1:1")
	for _, tt := range []struct{ name, from, to, want string }{
		{"a routing error at its line", `      match: trigger =~ "Postgres.*"`, `      match: trigger =~`,
			`service.yaml:8:24: rule database: mql: expected a value after "=~", got end of query`},
		{"an unknown receiver in the contacts", "digest: [ops]", "digest: [sms]", `service.yaml:35:12: contacts.digest: no receiver "sms"`},
		// The first in the file, whatever the order of a map.
		{"unknown receivers of two people", "people: {alfa: [pager], bravo: [pager]}", "people: {bravo: [pager, sms-bravo], alfa: [sms-alfa]}",
			`service.yaml:33:27: contacts.people.bravo: no receiver "sms-bravo"`},
		{"a receiver with two channels", `    webhook: {url: "${ALERTKIT_TEST_HOOK}/ops"}`, `    webhook: {url: "${ALERTKIT_TEST_HOOK}/ops"}` + "\n    telegram: {token: x, chat_id: '1'}",
			"service.yaml: receivers[0] ops: want exactly one of slack, pagerduty, email, webhook, telegram; got 2"},
		{"an unset variable", "${ALERTKIT_TEST_HOOK}/ops", "${NOT_SET_ANYWHERE}/ops", "service.yaml: line 28: receivers: the environment variable NOT_SET_ANYWHERE is not set"},
		{"an unknown key", "runbooks: runbooks", "runbook: runbooks", "service.yaml: yaml: unmarshal errors:\n  line 43: field runbook not found in type pipeline.File"},
		{"an on-call target of no schedule", `      to: ["oncall:sre/L1"]`, `      to: ["oncall:ops/L1"]`,
			`service.yaml:9:13: routes[0] (database): oncall:ops/L1: no schedule "ops" (schedules: sre); did you mean receiver:ops?`},
		{"a route to a receiver that does not exist", `    to: [receiver:ops]`, `    to: [receiver:opps]`,
			`service.yaml:4:10: default: receiver:opps: no receiver "opps" (receivers: ops, pager); did you mean receiver:ops?`},
		{"a ladder level of nobody known", `  - [team:sre]`, `  - [team:sre, "@nobody"]`,
			`service.yaml:24:16: ladder[0]: @nobody: no person "nobody" (people: alfa, bravo)`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			require.Contains(t, base, tt.from)
			f, err := pipeline.ParseFile([]byte(strings.Replace(base, tt.from, tt.to, 1)), "service.yaml", "testdata")
			if err == nil {
				_, err = f.Build(pipeline.BuildOptions{})
			}
			assert.EqualError(t, err, tt.want)
		})
	}
}
