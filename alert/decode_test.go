package alert_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alertkit/alertkit/alert"
)

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339Nano, s)
	require.NoError(t, err)
	return v
}

func at(t time.Time) *alert.DecodeOptions {
	return &alert.DecodeOptions{Now: func() time.Time { return t }}
}

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return b
}

func TestDecodePrometheusCaptured(t *testing.T) {
	received := mustTime(t, "2026-11-23T16:44:16.706Z")
	alerts, err := alert.DecodePrometheus(bytes.NewReader(readTestdata(t, "prometheus-firing.json")), at(received))
	require.NoError(t, err)
	require.Len(t, alerts, 4)

	deadline := mustTime(t, "2026-11-23T16:44:24.704Z")
	var instances []string
	for _, a := range alerts {
		assert.Equal(t, alert.KindLasting, a.Kind)
		assert.Equal(t, mustTime(t, "2026-11-23T16:44:04.704Z"), a.StartsAt)
		assert.Equal(t, deadline, a.RefreshBy, "a future endsAt is the refresh deadline")
		assert.True(t, a.EndsAt.IsZero())
		assert.Equal(t, received, a.UpdatedAt)
		assert.Equal(t, "prometheus", a.Source)
		assert.Equal(t, model.LabelValue("capture"), a.Labels["cluster"], "external labels are kept")
		assert.True(t, strings.HasPrefix(a.GeneratorURL, "http://prometheus.example.com:9090/graph?g0.expr="))
		assert.Equal(t, alert.StateFiring, a.StateAt(received))
		assert.Equal(t, alert.StateUnknown, a.StateAt(deadline), "not refreshed by the deadline")
		instances = append(instances, string(a.Labels["instance"])+string(a.Labels["vhost"]))
	}
	assert.Equal(t, []string{"10.244.37.14:9403", "10.244.37.15:9403", "10.244.37.16:9403", "static.example.com"}, instances)
	assert.Equal(t, "IngressResponses5xx", alerts[3].Trigger())
	assert.Equal(t, model.LabelValue("static.example.com answers 5xx to 12% of requests"), alerts[3].Annotations["summary"])

	resolved, err := alert.DecodePrometheus(bytes.NewReader(readTestdata(t, "prometheus-resolved.json")),
		at(mustTime(t, "2026-11-23T16:44:30.707Z")))
	require.NoError(t, err)
	require.Len(t, resolved, 1)
	assert.Equal(t, mustTime(t, "2026-11-23T16:44:24.704Z"), resolved[0].EndsAt, "a past endsAt is the end")
	assert.True(t, resolved[0].RefreshBy.IsZero())
	assert.Equal(t, alert.StateResolved, resolved[0].StateAt(resolved[0].UpdatedAt))
	assert.Equal(t, alerts[2].Fingerprint(), resolved[0].Fingerprint(), "the resolved alert is the third TargetDown")
}

func TestDecodeWebhookCaptured(t *testing.T) {
	received := mustTime(t, "2026-11-23T16:44:10.709Z")
	msg, alerts, err := alert.DecodeWebhook(bytes.NewReader(readTestdata(t, "alertmanager-firing.json")), at(received))
	require.NoError(t, err)
	assert.Equal(t, "4", msg.Version)
	assert.Equal(t, "alertkit", msg.Receiver)
	assert.Equal(t, "firing", msg.Status)
	assert.Equal(t, `{}:{alertname="TargetDown", namespace="horns-and-hooves"}`, msg.GroupKey)
	assert.Equal(t, model.LabelSet{"alertname": "TargetDown", "namespace": "horns-and-hooves"}, msg.GroupLabels)
	assert.Equal(t, model.LabelValue("critical"), msg.CommonLabels["severity"])
	assert.Equal(t, model.LabelValue("https://runbooks.example.com/TargetDown"), msg.CommonAnnotations["runbook_url"])
	assert.Equal(t, "http://alertmanager.example.com:9093", msg.ExternalURL)
	assert.Zero(t, msg.TruncatedAlerts)
	require.Len(t, alerts, 3)
	require.Len(t, msg.Alerts, 3)
	for i, a := range alerts {
		assert.Equal(t, msg.Alerts[i].Fingerprint, a.Fingerprint().String(), "alertkit's fingerprint is Alertmanager's")
		assert.Equal(t, alert.StateFiring, a.StateAt(received.Add(24*time.Hour)), "a webhook alert fires until resolved")
		assert.True(t, a.RefreshBy.IsZero())
		assert.Equal(t, "alertmanager", a.Source)
		assert.Equal(t, "TargetDown", a.Trigger())
	}

	resolvedAt := mustTime(t, "2026-11-23T16:44:30.716Z")
	msg, resolved, err := alert.DecodeWebhook(bytes.NewReader(readTestdata(t, "alertmanager-resolved.json")), at(resolvedAt))
	require.NoError(t, err)
	assert.Equal(t, "resolved", msg.Status)
	require.Len(t, resolved, 3)
	for i, a := range resolved {
		assert.Equal(t, alerts[i].Fingerprint(), a.Fingerprint())
		assert.Equal(t, mustTime(t, "2026-11-23T16:44:30.704Z"), a.EndsAt)
		assert.Equal(t, alert.StateResolved, a.StateAt(resolvedAt))
		assert.Equal(t, alert.StateFiring, a.StateAt(a.EndsAt.Add(-time.Millisecond)))
	}
}

func TestDecodeWebhookOptions(t *testing.T) {
	body := `{"version":"4","status":"firing","alerts":[{"status":"firing","labels":{"alertname":"A"},"startsAt":"2026-11-23T09:28:12Z"}]}`
	tests := []struct {
		name        string
		opts        alert.DecodeOptions
		wantRefresh time.Time
		wantSource  string
	}{
		{name: "defaults", wantSource: "alertmanager"},
		{name: "refresh ttl", opts: alert.DecodeOptions{RefreshTTL: 5 * time.Hour}, wantRefresh: t0.Add(5 * time.Hour), wantSource: "alertmanager"},
		{name: "negative ttl means none", opts: alert.DecodeOptions{RefreshTTL: -1}, wantSource: "alertmanager"},
		{name: "source", opts: alert.DecodeOptions{Source: "am-eu-1"}, wantSource: "am-eu-1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.Now = func() time.Time { return t0 }
			_, alerts, err := alert.DecodeWebhook(strings.NewReader(body), &tt.opts)
			require.NoError(t, err)
			assert.Equal(t, tt.wantRefresh, alerts[0].RefreshBy)
			assert.Equal(t, tt.wantSource, alerts[0].Source)
		})
	}
}

func TestDecodePrometheusDefaults(t *testing.T) {
	tests := []struct {
		name      string
		body      string
		opts      alert.DecodeOptions
		wantStart time.Time
		wantEnd   time.Time
		wantBy    time.Time
		wantState alert.State
	}{
		{
			name: "no times", body: `[{"labels":{"alertname":"A"}}]`,
			wantStart: t0, wantBy: t0.Add(alert.DefaultPrometheusTTL), wantState: alert.StateFiring,
		},
		{
			name: "no endsAt with ttl option", body: `[{"labels":{"alertname":"A"}}]`, opts: alert.DecodeOptions{RefreshTTL: time.Minute},
			wantStart: t0, wantBy: t0.Add(time.Minute), wantState: alert.StateFiring,
		},
		{
			name: "no endsAt and no ttl", body: `[{"labels":{"alertname":"A"}}]`, opts: alert.DecodeOptions{RefreshTTL: -1},
			wantStart: t0, wantState: alert.StateFiring,
		},
		{
			name: "resolved without startsAt", body: `[{"labels":{"alertname":"A"},"endsAt":"2026-11-23T09:20:00Z"}]`,
			wantStart: t0.Add(-8*time.Minute - 12*time.Second), wantEnd: t0.Add(-8*time.Minute - 12*time.Second), wantState: alert.StateResolved,
		},
		{
			name: "endsAt equal to receipt is an end", body: `[{"labels":{"alertname":"A"},"startsAt":"2026-11-23T09:00:00Z","endsAt":"2026-11-23T09:28:12Z"}]`,
			wantStart: t0.Add(-28*time.Minute - 12*time.Second), wantEnd: t0, wantState: alert.StateResolved,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.Now = func() time.Time { return t0 }
			alerts, err := alert.DecodePrometheus(strings.NewReader(tt.body), &tt.opts)
			require.NoError(t, err)
			require.Len(t, alerts, 1)
			a := alerts[0]
			assert.Equal(t, tt.wantStart, a.StartsAt)
			assert.Equal(t, tt.wantEnd, a.EndsAt)
			assert.Equal(t, tt.wantBy, a.RefreshBy)
			assert.Equal(t, tt.wantState, a.StateAt(t0))
		})
	}
}

func TestDecodeEvents(t *testing.T) {
	tests := []struct {
		name string
		body string
		want []alert.Alert
	}{
		{
			name: "single instant event",
			body: `{"labels":{"alertname":"BackupFailed","db":"orders"},"annotations":{"summary":"pg_dump exited with status 1"},"startsAt":"2026-11-23T03:00:12Z","source":"backup-cron"}`,
			want: []alert.Alert{{
				Labels: labels("alertname", "BackupFailed", "db", "orders"), Annotations: labels("summary", "pg_dump exited with status 1"),
				Kind: alert.KindInstant, StartsAt: mustTime(t, "2026-11-23T03:00:12Z"), UpdatedAt: t0, Source: "backup-cron",
			}},
		},
		{
			name: "instant event at receipt",
			body: ` {"labels":{"alertname":"DeployRolledBack"}}`,
			want: []alert.Alert{{Labels: labels("alertname", "DeployRolledBack"), Kind: alert.KindInstant, StartsAt: t0, UpdatedAt: t0}},
		},
		{
			name: "lasting firing with ttl",
			body: `[{"status":"firing","ttl":"5m","labels":{"alertname":"QueueBacklog","queue":"emails"}}]`,
			want: []alert.Alert{{Labels: labels("alertname", "QueueBacklog", "queue", "emails"), StartsAt: t0, RefreshBy: t0.Add(5 * time.Minute), UpdatedAt: t0}},
		},
		{
			name: "pending and resolved in one batch",
			body: `[{"status":"pending","labels":{"alertname":"A"},"startsAt":"2026-11-23T09:00:00Z"},
			        {"kind":"lasting","status":"resolved","labels":{"alertname":"B"},"endsAt":"2026-11-23T09:10:00Z"}]`,
			want: []alert.Alert{
				{Labels: labels("alertname", "A"), Pending: true, StartsAt: mustTime(t, "2026-11-23T09:00:00Z"), UpdatedAt: t0},
				{Labels: labels("alertname", "B"), StartsAt: mustTime(t, "2026-11-23T09:10:00Z"), EndsAt: mustTime(t, "2026-11-23T09:10:00Z"), UpdatedAt: t0},
			},
		},
		{
			name: "resolved now",
			body: `[{"status":"resolved","labels":{"alertname":"A"},"startsAt":"2026-11-23T09:00:00Z"}]`,
			want: []alert.Alert{{Labels: labels("alertname", "A"), StartsAt: mustTime(t, "2026-11-23T09:00:00Z"), EndsAt: t0, UpdatedAt: t0}},
		},
		{
			name: "explicit instant kind, day ttl on another",
			body: `[{"kind":"instant","labels":{"alertname":"A"}},{"status":"firing","ttl":"1d","labels":{"alertname":"B"}}]`,
			want: []alert.Alert{
				{Labels: labels("alertname", "A"), Kind: alert.KindInstant, StartsAt: t0, UpdatedAt: t0},
				{Labels: labels("alertname", "B"), StartsAt: t0, RefreshBy: t0.Add(24 * time.Hour), UpdatedAt: t0},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := alert.DecodeEvents(strings.NewReader(tt.body), at(t0))
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestDecodeEventsDefaultSource(t *testing.T) {
	opts := &alert.DecodeOptions{Source: "cron", Now: func() time.Time { return t0 }}
	got, err := alert.DecodeEvents(strings.NewReader(`[{"labels":{"a":"1"}},{"labels":{"a":"2"},"source":"ci"}]`), opts)
	require.NoError(t, err)
	assert.Equal(t, "cron", got[0].Source)
	assert.Equal(t, "ci", got[1].Source)
}

// badInput is a payload with something wrong: with WholeOrNothing it is
// refused with exactly wantErr, as an error of the type that wantType points
// to. By default, unless whole is set, only its alert at index is refused,
// with that error, and the others are taken.
type badInput struct {
	name     string
	body     string
	opts     alert.DecodeOptions
	whole    bool // the payload as a whole is wrong: refused whole by default too
	index    int  // the refused alert, unless whole
	wantErr  string
	wantType any // *alert.FieldError, *alert.SyntaxError or *alert.LimitError
}

var (
	fieldError  = new(*alert.FieldError)
	syntaxError = new(*alert.SyntaxError)
	limitError  = new(*alert.LimitError)
)

// checkRefusals decodes each case with decode, which returns the alerts it
// took, in each mode.
func checkRefusals(t *testing.T, cases []badInput, decode func(t *testing.T, body string, opts *alert.DecodeOptions) ([]alert.Alert, error)) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.Now = func() time.Time { return t0 }
			t.Run("whole or nothing", func(t *testing.T) {
				opts := tt.opts
				opts.WholeOrNothing = true
				alerts, err := decode(t, tt.body, &opts)
				require.Error(t, err)
				assert.Nil(t, alerts, "nothing is half-accepted")
				assert.Equal(t, tt.wantErr, err.Error())
				assert.True(t, errors.As(err, tt.wantType), "error is %T", err)
			})
			t.Run("alert by alert", func(t *testing.T) {
				alerts, err := decode(t, tt.body, &tt.opts)
				require.Error(t, err)
				if tt.whole {
					assert.Nil(t, alerts, "a payload refused whole gives no alerts")
					assert.Equal(t, tt.wantErr, err.Error())
					assert.True(t, errors.As(err, tt.wantType), "error is %T", err)
					return
				}
				var rej *alert.RejectedError
				require.ErrorAs(t, err, &rej)
				require.Len(t, rej.Rejections, 1)
				assert.Equal(t, tt.index, rej.Rejections[0].Index)
				assert.Equal(t, tt.wantErr, rej.Rejections[0].Err.Error())
				assert.True(t, errors.As(rej.Rejections[0].Err, tt.wantType), "error is %T", rej.Rejections[0].Err)
				assert.Len(t, alerts, rej.Total-1, "the other alerts are taken")
				for _, a := range alerts {
					assert.NoError(t, a.Validate())
				}
			})
		})
	}
}

const goodWebhookAlert = `{"status":"firing","labels":{"alertname":"A"},"startsAt":"2026-11-23T09:28:12Z"}`

func TestDecodeWebhookRefusals(t *testing.T) {
	wrap := func(alerts ...string) string {
		return `{"version":"4","status":"firing","receiver":"r","alerts":[` + strings.Join(alerts, ",") + `]}`
	}
	cases := []badInput{
		{name: "empty body", whole: true, body: "  \n", wantErr: "body: empty", wantType: fieldError},
		{name: "truncated", whole: true, body: `{"version":"4",`, wantErr: "malformed JSON at line 1, column 16: unexpected end of input", wantType: syntaxError},
		{name: "not JSON", whole: true, body: `version=4`, wantErr: "malformed JSON at line 1, column 1: invalid character 'v' looking for beginning of value", wantType: syntaxError},
		{name: "syntax error on line 3", whole: true, body: "{\n  \"version\": \"4\",\n  \"status\" \"firing\"\n}", wantErr: "malformed JSON at line 3, column 12: invalid character '\"' after object key", wantType: syntaxError},
		{name: "trailing data", whole: true, body: wrap(goodWebhookAlert) + ` {}`, wantErr: "malformed JSON at line 1, column 142: invalid character '{' after top-level value", wantType: syntaxError},
		{name: "array instead of object", whole: true, body: `[]`, wantErr: "body: expected an object, got array", wantType: fieldError},
		{name: "wrong version", whole: true, body: `{"version":"3","status":"firing","alerts":[]}`, wantErr: `version: got "3", want "4"`, wantType: fieldError},
		{name: "missing version", whole: true, body: `{"status":"firing","alerts":[]}`, wantErr: `version: got "", want "4"`, wantType: fieldError},
		{name: "version as number", whole: true, body: `{"version":4,"status":"firing","alerts":[]}`, wantErr: `version: expected a string, got number`, wantType: fieldError},
		{name: "bad message status", whole: true, body: `{"version":"4","status":"ok","alerts":[]}`, wantErr: `status: got "ok", want firing or resolved`, wantType: fieldError},
		{name: "alerts not an array", whole: true, body: `{"version":"4","status":"firing","alerts":{}}`, wantErr: "alerts: expected an array, got object", wantType: fieldError},
		{name: "invalid label name", index: 3, body: wrap(goodWebhookAlert, goodWebhookAlert, goodWebhookAlert, `{"status":"firing","labels":{"1x":"y"},"startsAt":"2026-11-23T09:28:12Z"}`), wantErr: `alerts[3].labels: invalid label name "1x"`, wantType: fieldError},
		{name: "label value not a string", index: 1, body: wrap(goodWebhookAlert, `{"status":"firing","labels":{"alertname":"A","severity":1}}`), wantErr: "alerts[1].labels.severity: expected a string, got number", wantType: fieldError},
		{name: "labels null", body: wrap(`{"status":"firing","labels":null,"startsAt":"2026-11-23T09:28:12Z"}`), wantErr: "alerts[0].labels: empty: an alert needs at least one label", wantType: fieldError},
		{name: "bad time", index: 1, body: wrap(goodWebhookAlert, `{"status":"firing","labels":{"alertname":"A"},"startsAt":"yesterday"}`), wantErr: `alerts[1].startsAt: invalid time "yesterday" (want RFC 3339, like 2026-11-23T09:28:12Z)`, wantType: fieldError},
		{name: "time as number", body: wrap(`{"status":"firing","labels":{"alertname":"A"},"endsAt":0}`), wantErr: "alerts[0].endsAt: expected an RFC 3339 time string, got number", wantType: fieldError},
		{name: "missing startsAt", body: wrap(`{"status":"firing","labels":{"alertname":"A"}}`), wantErr: "alerts[0].startsAt: missing", wantType: fieldError},
		{name: "bad alert status", body: wrap(`{"status":"ok","labels":{"alertname":"A"},"startsAt":"2026-11-23T09:28:12Z"}`), wantErr: `alerts[0].status: got "ok", want firing or resolved`, wantType: fieldError},
		{name: "end before start", body: wrap(`{"status":"resolved","labels":{"alertname":"A"},"startsAt":"2026-11-23T09:28:12Z","endsAt":"2026-11-23T09:00:00Z"}`), wantErr: "alerts[0].endsAt: 2026-11-23T09:00:00Z is before startsAt 2026-11-23T09:28:12Z", wantType: fieldError},
		{name: "deadline before start", body: wrap(`{"status":"firing","labels":{"alertname":"A"},"startsAt":"2026-11-23T09:28:12Z","endsAt":"2026-11-23T09:00:00Z"}`), wantErr: "alerts[0].endsAt: 2026-11-23T09:00:00Z is before startsAt 2026-11-23T09:28:12Z", wantType: fieldError},
		{name: "too many alerts", whole: true, body: wrap(goodWebhookAlert, goodWebhookAlert, goodWebhookAlert), opts: alert.DecodeOptions{MaxAlerts: 2}, wantErr: "alerts: more than the limit of 2 alerts", wantType: limitError},
		{name: "too many labels", body: wrap(`{"status":"firing","labels":{"a":"1","b":"2","c":"3"},"startsAt":"2026-11-23T09:28:12Z"}`), opts: alert.DecodeOptions{MaxLabels: 2}, wantErr: "alerts[0].labels: more than the limit of 2 labels", wantType: limitError},
		{name: "too many annotations", body: wrap(`{"status":"firing","labels":{"a":"1"},"annotations":{"a":"1","b":"2","c":"3"},"startsAt":"2026-11-23T09:28:12Z"}`), opts: alert.DecodeOptions{MaxLabels: 2}, wantErr: "alerts[0].annotations: more than the limit of 2 labels", wantType: limitError},
		{
			name: "label value too long", index: 1, body: wrap(goodWebhookAlert, `{"status":"firing","labels":{"alertname":"A","instance":"`+strings.Repeat("x", 4097)+`"},"startsAt":"2026-11-23T09:28:12Z"}`),
			wantErr: "alerts[1].labels.instance: value of 4097 bytes is longer than the limit of 4096", wantType: limitError,
		},
		{
			name: "annotation too long", body: wrap(`{"status":"firing","labels":{"alertname":"A"},"annotations":{"summary":"` + strings.Repeat("x", 65) + `"},"startsAt":"2026-11-23T09:28:12Z"}`),
			opts: alert.DecodeOptions{MaxAnnotationBytes: 64}, wantErr: "alerts[0].annotations.summary: value of 65 bytes is longer than the limit of 64", wantType: limitError,
		},
		{
			name: "label name too long", body: wrap(`{"status":"firing","labels":{"alertname":"A","instance_address":"x"},"startsAt":"2026-11-23T09:28:12Z"}`),
			opts: alert.DecodeOptions{MaxLabelNameBytes: 10}, wantErr: `alerts[0].labels: name "instance_address" of 16 bytes is longer than the limit of 10`, wantType: limitError,
		},
		{name: "wrong version and an alert of the wrong type", whole: true, body: `{"version":"3","status":"firing","alerts":[{"labels":{"a":1}}]}`, wantErr: `version: got "3", want "4"`, wantType: fieldError},
		{name: "too many alerts, one of the wrong type", whole: true, body: wrap(goodWebhookAlert, `{"labels":{"a":1}}`), opts: alert.DecodeOptions{MaxAlerts: 1}, wantErr: "alerts: more than the limit of 1 alerts", wantType: limitError},
		{name: "alerts given twice", whole: true, body: `{"version":"4","status":"firing","alerts":[{"labels":{"a":1}}],"alerts":[]}`, wantErr: "alerts[0].labels.a: expected a string, got number", wantType: fieldError},
		{name: "body too large", whole: true, body: wrap(goodWebhookAlert), opts: alert.DecodeOptions{MaxBytes: 64}, wantErr: "body: more than the limit of 64 bytes", wantType: limitError},
	}
	checkRefusals(t, cases, func(t *testing.T, body string, opts *alert.DecodeOptions) ([]alert.Alert, error) {
		msg, alerts, err := alert.DecodeWebhook(strings.NewReader(body), opts)
		if _, ok := errors.AsType[*alert.RejectedError](err); ok {
			require.NotNil(t, msg, "the message of the alerts taken")
			assert.Len(t, msg.Alerts, len(alerts), "the message holds the alerts taken")
		} else {
			assert.Nil(t, msg)
		}
		return alerts, err
	})
}

func TestDecodePrometheusRefusals(t *testing.T) {
	cases := []badInput{
		{name: "object instead of array", whole: true, body: `{"labels":{"alertname":"A"}}`, wantErr: "body: expected an array, got object", wantType: fieldError},
		{name: "invalid label name", index: 1, body: `[{"labels":{"alertname":"A"}},{"labels":{"1x":"y"}}]`, wantErr: `[1].labels: invalid label name "1x"`, wantType: fieldError},
		{name: "utf-8 name refused by default", body: `[{"labels":{"service.name":"checkout"}}]`, wantErr: `[0].labels: invalid label name "service.name"`, wantType: fieldError},
		{name: "empty labels", body: `[{"labels":{}}]`, wantErr: "[0].labels: empty: an alert needs at least one label", wantType: fieldError},
		{name: "missing labels", body: `[{"annotations":{"summary":"x"}}]`, wantErr: "[0].labels: empty: an alert needs at least one label", wantType: fieldError},
		{name: "annotation value not a string", body: `[{"labels":{"a":"b"},"annotations":{"value":0.5}}]`, wantErr: "[0].annotations.value: expected a string, got number", wantType: fieldError},
		{name: "month 13", body: `[{"labels":{"a":"b"},"startsAt":"2026-13-01T00:00:00Z"}]`, wantErr: `[0].startsAt: invalid time "2026-13-01T00:00:00Z" (want RFC 3339, like 2026-11-23T09:28:12Z)`, wantType: fieldError},
		{name: "end before start", body: `[{"labels":{"a":"b"},"startsAt":"2026-11-23T09:00:00Z","endsAt":"2026-11-23T08:00:00Z"}]`, wantErr: "[0].endsAt: 2026-11-23T08:00:00Z is before startsAt 2026-11-23T09:00:00Z", wantType: fieldError},
		{name: "alert not an object", index: 1, body: `[{"labels":{"a":"b"}}, "TargetDown"]`, wantErr: "[1]: expected an object, got string", wantType: fieldError},
		{name: "too many alerts", whole: true, body: `[{"labels":{"a":"1"}},{"labels":{"a":"2"}}]`, opts: alert.DecodeOptions{MaxAlerts: 1}, wantErr: "body: more than the limit of 1 alerts", wantType: limitError},
		{name: "too many alerts, one of the wrong type", whole: true, body: `[{"labels":{"a":1}},{"labels":{"a":"2"}}]`, opts: alert.DecodeOptions{MaxAlerts: 1}, wantErr: "body: more than the limit of 1 alerts", wantType: limitError},
		{name: "object of the wrong type", whole: true, body: `{"labels":{"a":1}}`, wantErr: "body: expected an array, got object", wantType: fieldError},
		{name: "too many labels", index: 1, body: `[{"labels":{"a":"1"}},{"labels":{"a":"1","b":"2"}}]`, opts: alert.DecodeOptions{MaxLabels: 1}, wantErr: "[1].labels: more than the limit of 1 labels", wantType: limitError},
		{
			name: "label value of 1 MiB", index: 3, body: `[{"labels":{"a":"0"}},{"labels":{"a":"1"}},{"labels":{"a":"2"}},{"labels":{"alertname":"A","instance":"` + strings.Repeat("x", 1<<20) + `"}}]`,
			wantErr: "[3].labels.instance: value of 1048576 bytes is longer than the limit of 4096", wantType: limitError,
		},
		{
			name: "label name too long", body: `[{"labels":{"alertname":"A","` + strings.Repeat("n", 257) + `":"x"}}]`,
			wantErr: `[0].labels: name "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn"... of 257 bytes is longer than the limit of 256`, wantType: limitError,
		},
		{
			name: "invalid label name too long", body: `[{"labels":{"alertname":"A","` + strings.Repeat("é", 129) + `":"x"}}]`,
			wantErr: `[0].labels: name "éééééééééééééééé"... of 258 bytes is longer than the limit of 256`, wantType: limitError,
		},
		{
			name: "annotation too long", index: 1, body: `[{"labels":{"a":"1"}},{"labels":{"a":"2"},"annotations":{"description":"` + strings.Repeat("x", 32<<10+1) + `"}}]`,
			wantErr: "[1].annotations.description: value of 32769 bytes is longer than the limit of 32768", wantType: limitError,
		},
		{
			name: "annotation name too long", body: `[{"labels":{"a":"1"},"annotations":{"` + strings.Repeat("n", 300) + `":"x"}}]`,
			wantErr: `[0].annotations: name "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn"... of 300 bytes is longer than the limit of 256`, wantType: limitError,
		},
		{
			name: "first too long in name order", body: `[{"labels":{"b":"` + strings.Repeat("x", 9) + `","a":"` + strings.Repeat("x", 10) + `"}}]`,
			opts: alert.DecodeOptions{MaxLabelValueBytes: 8}, wantErr: "[0].labels.a: value of 10 bytes is longer than the limit of 8", wantType: limitError,
		},
	}
	checkRefusals(t, cases, func(_ *testing.T, body string, opts *alert.DecodeOptions) ([]alert.Alert, error) {
		return alert.DecodePrometheus(strings.NewReader(body), opts)
	})
}

// TestDecodeLengthsAtTheLimits: names and values as long as their limits
// are taken, by every decoder.
func TestDecodeLengthsAtTheLimits(t *testing.T) {
	labels := `{"alertname":"A","` + strings.Repeat("n", alert.DefaultMaxLabelNameBytes) + `":"` + strings.Repeat("v", alert.DefaultMaxLabelValueBytes) + `"}`
	annotations := `{"description":"` + strings.Repeat("d", alert.DefaultMaxAnnotationBytes) + `"}`
	tests := []struct {
		name   string
		decode func(body string) ([]alert.Alert, error)
		body   string
	}{
		{
			name: "prometheus",
			decode: func(body string) ([]alert.Alert, error) {
				return alert.DecodePrometheus(strings.NewReader(body), at(t0))
			},
			body: `[{"labels":` + labels + `,"annotations":` + annotations + `}]`,
		},
		{
			name: "alertmanager webhook",
			decode: func(body string) ([]alert.Alert, error) {
				_, alerts, err := alert.DecodeWebhook(strings.NewReader(body), at(t0))
				return alerts, err
			},
			body: `{"version":"4","status":"firing","alerts":[{"status":"firing","labels":` + labels + `,"annotations":` + annotations + `,"startsAt":"2026-11-23T09:28:12Z"}]}`,
		},
		{
			name:   "events",
			decode: func(body string) ([]alert.Alert, error) { return alert.DecodeEvents(strings.NewReader(body), at(t0)) },
			body:   `{"labels":` + labels + `,"annotations":` + annotations + `}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			alerts, err := tt.decode(tt.body)
			require.NoError(t, err)
			require.Len(t, alerts, 1)
			assert.Len(t, alerts[0].Labels, 2)
			assert.Len(t, alerts[0].Annotations["description"], alert.DefaultMaxAnnotationBytes)
		})
	}
}

func TestDecodePrometheusUTF8Names(t *testing.T) {
	alerts, err := alert.DecodePrometheus(strings.NewReader(`[{"labels":{"service.name":"checkout"}}]`),
		&alert.DecodeOptions{UTF8Names: true})
	require.NoError(t, err)
	assert.Equal(t, model.LabelValue("checkout"), alerts[0].Labels["service.name"])
}

func TestDecodeEventsRefusals(t *testing.T) {
	cases := []badInput{
		{name: "misspelt field", body: `{"lables":{"alertname":"A"}}`, wantErr: "lables: unknown field", wantType: fieldError},
		{name: "misspelt field in array", index: 1, body: `[{"labels":{"alertname":"A"}},{"labels":{"alertname":"B"},"satus":"firing"}]`, wantErr: "[1].satus: unknown field", wantType: fieldError},
		{name: "neither object nor array", whole: true, body: `"BackupFailed"`, wantErr: "body: expected an array, got string", wantType: fieldError},
		{name: "trailing data", whole: true, body: `{"labels":{"a":"b"}} {"labels":{"a":"c"}}`, wantErr: "malformed JSON at line 1, column 22: unexpected data after the JSON value", wantType: syntaxError},
		{name: "unknown kind", body: `{"kind":"event","labels":{"a":"b"}}`, wantErr: `kind: got "event", want instant or lasting`, wantType: fieldError},
		{name: "instant with status", body: `{"kind":"instant","status":"firing","labels":{"a":"b"}}`, wantErr: "status: set on an instant event, which has no state", wantType: fieldError},
		{name: "instant with endsAt", body: `{"labels":{"a":"b"},"endsAt":"2026-11-23T09:00:00Z"}`, wantErr: "endsAt: set on an instant event, which never ends", wantType: fieldError},
		{name: "instant with ttl", body: `{"labels":{"a":"b"},"ttl":"5m"}`, wantErr: "ttl: set on an instant event, which is never refreshed", wantType: fieldError},
		{name: "lasting without status", body: `{"kind":"lasting","labels":{"a":"b"}}`, wantErr: "status: missing: a lasting alert is pending, firing or resolved", wantType: fieldError},
		{name: "unknown status", index: 2, body: `[{"labels":{"a":"b"}},{"labels":{"a":"b"}},{"status":"ok","labels":{"a":"b"}}]`, wantErr: `[2].status: got "ok", want pending, firing or resolved`, wantType: fieldError},
		{name: "firing with endsAt", body: `{"status":"firing","labels":{"a":"b"},"endsAt":"2026-11-23T10:00:00Z"}`, wantErr: `endsAt: set on a firing alert; send status "resolved" to end it`, wantType: fieldError},
		{name: "resolved with ttl", body: `{"status":"resolved","labels":{"a":"b"},"ttl":"1m"}`, wantErr: "ttl: set on a resolved alert, which is not refreshed", wantType: fieldError},
		{name: "bad ttl", body: `{"status":"firing","labels":{"a":"b"},"ttl":"5 minutes"}`, wantErr: `ttl: invalid duration "5 minutes" (want a number and a unit, like 90s, 5m, 1h30m or 1d)`, wantType: fieldError},
		{name: "negative ttl", body: `{"status":"firing","labels":{"a":"b"},"ttl":"-5m"}`, wantErr: `ttl: invalid duration "-5m" (want a number and a unit, like 90s, 5m, 1h30m or 1d)`, wantType: fieldError},
		{name: "ttl before a future start", body: `{"status":"firing","labels":{"a":"b"},"ttl":"1m","startsAt":"2026-11-23T10:00:00Z"}`, wantErr: "ttl: 2026-11-23T09:29:12Z is before startsAt 2026-11-23T10:00:00Z", wantType: fieldError},
		{name: "invalid label name", body: `{"labels":{"alert-name":"A"}}`, wantErr: `labels: invalid label name "alert-name"`, wantType: fieldError},
		{name: "nested label value", body: `{"labels":{"a":{"b":"c"}}}`, wantErr: "labels.a: expected a string, got object", wantType: fieldError},
		{name: "truncated", whole: true, body: `{"labels":`, wantErr: "malformed JSON at line 1, column 11: unexpected end of input", wantType: syntaxError},
		{name: "truncated array", whole: true, body: `[{"labels":{"a":"b"}},`, wantErr: "malformed JSON at line 1, column 23: unexpected end of input", wantType: syntaxError},
		{name: "trailing data after a bad event", whole: true, body: `[{"labels":{"a":1}}] x`, wantErr: "malformed JSON at line 1, column 22: unexpected data after the JSON value", wantType: syntaxError},
		{name: "event not an object", index: 1, body: `[{"labels":{"a":"b"}},3]`, wantErr: "[1]: expected an object, got number", wantType: fieldError},
		{name: "nested label value in array", index: 1, body: `[{"labels":{"a":"b"}},{"labels":{"a":{"b":"c"}}},{"labels":{"a":"c"}}]`, wantErr: "[1].labels.a: expected a string, got object", wantType: fieldError},
		{name: "too many events", whole: true, body: `[{"labels":{"a":"1"}},{"labels":{"a":"2"}},{"labels":{"a":"3"}}]`, opts: alert.DecodeOptions{MaxAlerts: 2}, wantErr: "body: more than the limit of 2 alerts", wantType: limitError},
		{
			name: "label value too long", body: `{"labels":{"alertname":"A","instance":"` + strings.Repeat("x", 4097) + `"}}`,
			wantErr: "labels.instance: value of 4097 bytes is longer than the limit of 4096", wantType: limitError,
		},
		{
			name: "label value too long in array", index: 1, body: `[{"labels":{"a":"b"}},{"status":"firing","labels":{"alertname":"A","instance":"` + strings.Repeat("x", 4097) + `"}}]`,
			wantErr: "[1].labels.instance: value of 4097 bytes is longer than the limit of 4096", wantType: limitError,
		},
		{
			name: "annotation too long", body: `{"labels":{"alertname":"A"},"annotations":{"summary":"` + strings.Repeat("x", 32<<10+1) + `"}}`,
			wantErr: "annotations.summary: value of 32769 bytes is longer than the limit of 32768", wantType: limitError,
		},
	}
	checkRefusals(t, cases, func(_ *testing.T, body string, opts *alert.DecodeOptions) ([]alert.Alert, error) {
		return alert.DecodeEvents(strings.NewReader(body), opts)
	})
}

// TestDecodersTakeValidNeighbours: in each format, a payload of five alerts
// of which two are invalid gives the three others, and names the two.
func TestDecodersTakeValidNeighbours(t *testing.T) {
	type decoded struct {
		alerts []alert.Alert
		msg    *alert.WebhookMessage
		err    error
	}
	tests := []struct {
		name    string
		body    string
		decode  func(body string) decoded
		wantErr []string // of the rejections of [1] and [3]
	}{
		{
			name: "prometheus",
			body: `[{"labels":{"n":"0"}},{"labels":{"n":"1","1x":"y"}},{"labels":{"n":"2"}},{"labels":{"n":3}},{"labels":{"n":"4"}}]`,
			decode: func(body string) decoded {
				alerts, err := alert.DecodePrometheus(strings.NewReader(body), at(t0))
				return decoded{alerts: alerts, err: err}
			},
			wantErr: []string{`[1].labels: invalid label name "1x"`, "[3].labels.n: expected a string, got number"},
		},
		{
			name: "alertmanager webhook",
			body: `{"version":"4","status":"firing","alerts":[` +
				`{"status":"firing","labels":{"n":"0"},"startsAt":"2026-11-23T09:28:12Z","fingerprint":"f0"},` +
				`{"status":"ok","labels":{"n":"1"},"startsAt":"2026-11-23T09:28:12Z","fingerprint":"f1"},` +
				`{"status":"firing","labels":{"n":"2"},"startsAt":"2026-11-23T09:28:12Z","fingerprint":"f2"},` +
				`{"status":"firing","labels":{"n":"3"},"startsAt":"2026-11-23T09:28:12Z","fingerprint":3},` +
				`{"status":"resolved","labels":{"n":"4"},"startsAt":"2026-11-23T09:28:12Z","fingerprint":"f4"}]}`,
			decode: func(body string) decoded {
				msg, alerts, err := alert.DecodeWebhook(strings.NewReader(body), at(t0))
				return decoded{alerts: alerts, msg: msg, err: err}
			},
			wantErr: []string{`alerts[1].status: got "ok", want firing or resolved`, "alerts[3].fingerprint: expected a string, got number"},
		},
		{
			name: "events",
			body: `[{"labels":{"n":"0"}},{"labels":{"n":"1"},"ttl":"5m"},{"labels":{"n":"2"}},{"labels":{"n":"3"},"startsAt":"yesterday"},{"labels":{"n":"4"}}]`,
			decode: func(body string) decoded {
				alerts, err := alert.DecodeEvents(strings.NewReader(body), at(t0))
				return decoded{alerts: alerts, err: err}
			},
			wantErr: []string{"[1].ttl: set on an instant event, which is never refreshed",
				`[3].startsAt: invalid time "yesterday" (want RFC 3339, like 2026-11-23T09:28:12Z)`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.decode(tt.body)
			var rej *alert.RejectedError
			require.ErrorAs(t, got.err, &rej)
			assert.Equal(t, 5, rej.Total)
			require.Len(t, rej.Rejections, 2)
			for i, r := range rej.Rejections {
				assert.Equal(t, 2*i+1, r.Index)
				assert.EqualError(t, r.Err, tt.wantErr[i])
			}
			assert.Equal(t, "2 of 5 alerts refused: "+strings.Join(tt.wantErr, "; "), got.err.Error())

			require.Len(t, got.alerts, 3, "the valid alerts are returned")
			for i, a := range got.alerts {
				assert.Equal(t, model.LabelValue(fmt.Sprint(2*i)), a.Labels["n"], "in payload order")
				assert.NoError(t, a.Validate())
				assert.Equal(t, t0, a.UpdatedAt)
			}
			if got.msg != nil {
				require.Len(t, got.msg.Alerts, 3, "the message holds the alerts taken")
				for i, w := range got.msg.Alerts {
					assert.Equal(t, got.alerts[i].Labels, w.Labels)
					assert.Equal(t, fmt.Sprintf("f%d", 2*i), w.Fingerprint)
				}
				assert.Equal(t, "firing", got.msg.Status)
			}
		})
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("connection reset") }

func TestDecodeReadError(t *testing.T) {
	_, err := alert.DecodeEvents(failingReader{}, nil)
	assert.EqualError(t, err, "reading body: connection reset")
}
