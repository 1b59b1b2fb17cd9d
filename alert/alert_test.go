package alert_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alertkit/alertkit/alert"
	"github.com/alertkit/alertkit/internal/clock"
)

// t0 is 09:28:12, when IngressResponses5xx first fired in the examples.
var t0 = time.Date(2026, 11, 23, 9, 28, 12, 0, time.UTC)

func labels(kv ...string) model.LabelSet {
	ls := model.LabelSet{}
	for i := 0; i+1 < len(kv); i += 2 {
		ls[model.LabelName(kv[i])] = model.LabelValue(kv[i+1])
	}
	return ls
}

func TestStateAt(t *testing.T) {
	base := alert.Alert{Labels: labels("alertname", "TargetDown"), StartsAt: t0}
	with := func(f func(a *alert.Alert)) alert.Alert {
		a := base
		f(&a)
		return a
	}
	tests := []struct {
		name  string
		alert alert.Alert
		at    time.Time
		want  alert.State
	}{
		{name: "instant is none", alert: with(func(a *alert.Alert) { a.Kind = alert.KindInstant }), at: t0, want: alert.StateNone},
		{name: "instant stays none later", alert: with(func(a *alert.Alert) { a.Kind = alert.KindInstant }), at: t0.Add(24 * time.Hour), want: alert.StateNone},
		{name: "lasting without end fires", alert: base, at: t0.Add(time.Hour), want: alert.StateFiring},
		{name: "pending", alert: with(func(a *alert.Alert) { a.Pending = true }), at: t0, want: alert.StatePending},
		{name: "before refresh deadline fires", alert: with(func(a *alert.Alert) { a.RefreshBy = t0.Add(time.Minute) }), at: t0.Add(59 * time.Second), want: alert.StateFiring},
		{name: "at refresh deadline unknown", alert: with(func(a *alert.Alert) { a.RefreshBy = t0.Add(time.Minute) }), at: t0.Add(time.Minute), want: alert.StateUnknown},
		{name: "pending past deadline unknown", alert: with(func(a *alert.Alert) { a.Pending = true; a.RefreshBy = t0.Add(time.Minute) }), at: t0.Add(2 * time.Minute), want: alert.StateUnknown},
		{name: "before end fires", alert: with(func(a *alert.Alert) { a.EndsAt = t0.Add(10 * time.Minute) }), at: t0.Add(9 * time.Minute), want: alert.StateFiring},
		{name: "at end resolved", alert: with(func(a *alert.Alert) { a.EndsAt = t0.Add(10 * time.Minute) }), at: t0.Add(10 * time.Minute), want: alert.StateResolved},
		{name: "end beats missed deadline", alert: with(func(a *alert.Alert) { a.EndsAt = t0.Add(time.Minute); a.RefreshBy = t0.Add(30 * time.Second) }), at: t0.Add(time.Hour), want: alert.StateResolved},
		{name: "deadline missed before end", alert: with(func(a *alert.Alert) { a.EndsAt = t0.Add(time.Hour); a.RefreshBy = t0.Add(time.Minute) }), at: t0.Add(2 * time.Minute), want: alert.StateUnknown},
		{name: "pending that resolved", alert: with(func(a *alert.Alert) { a.Pending = true; a.EndsAt = t0.Add(time.Minute) }), at: t0.Add(time.Minute), want: alert.StateResolved},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.alert.StateAt(tt.at))
		})
	}
}

// TestStateProtocolWithPrometheus follows one alert through the protocol of
// a source that re-sends: Prometheus posts it with a refresh deadline, posts
// it again before the deadline, stops (the alert goes unknown), comes back
// (firing again), and finally posts it resolved.
func TestStateProtocolWithPrometheus(t *testing.T) {
	c := clock.NewFake(t0)
	opts := &alert.DecodeOptions{Now: c.Now}
	post := func(endsAt time.Time) alert.Alert {
		t.Helper()
		body := fmt.Sprintf(`[{"labels":{"alertname":"TargetDown","instance":"10.244.37.14:9403"},"startsAt":%q,"endsAt":%q}]`,
			t0.Format(time.RFC3339), endsAt.Format(time.RFC3339))
		alerts, err := alert.DecodePrometheus(strings.NewReader(body), opts)
		require.NoError(t, err)
		require.Len(t, alerts, 1)
		return alerts[0]
	}
	steps := []struct {
		name    string
		advance time.Duration
		post    bool
		endsIn  time.Duration // endsAt relative to the clock when posting
		want    alert.State
	}{
		{name: "first post", post: true, endsIn: 4 * time.Minute, want: alert.StateFiring},
		{name: "one minute later", advance: time.Minute, want: alert.StateFiring},
		{name: "re-sent before the deadline", advance: time.Minute, post: true, endsIn: 4 * time.Minute, want: alert.StateFiring},
		{name: "first deadline passes, refreshed", advance: 3 * time.Minute, want: alert.StateFiring},
		{name: "source goes silent past the deadline", advance: time.Minute, want: alert.StateUnknown},
		{name: "source comes back", advance: 10 * time.Minute, post: true, endsIn: 4 * time.Minute, want: alert.StateFiring},
		{name: "resolved post", advance: time.Minute, post: true, endsIn: 0, want: alert.StateResolved},
		{name: "stays resolved", advance: time.Hour, want: alert.StateResolved},
	}
	var current alert.Alert
	for _, s := range steps {
		c.Advance(s.advance)
		if s.post {
			current = post(c.Now().Add(s.endsIn))
			assert.Equal(t, c.Now(), current.UpdatedAt, s.name)
		}
		assert.Equal(t, s.want, current.StateAt(c.Now()), s.name)
	}
}

func TestKindAndStateText(t *testing.T) {
	for _, k := range []alert.Kind{alert.KindLasting, alert.KindInstant} {
		b, err := k.MarshalText()
		require.NoError(t, err)
		var back alert.Kind
		require.NoError(t, back.UnmarshalText(b))
		assert.Equal(t, k, back)
	}
	for _, s := range []alert.State{alert.StateNone, alert.StatePending, alert.StateFiring, alert.StateResolved, alert.StateUnknown} {
		b, err := s.MarshalText()
		require.NoError(t, err)
		var back alert.State
		require.NoError(t, back.UnmarshalText(b))
		assert.Equal(t, s, back)
	}
	_, err := alert.ParseState("ok")
	assert.EqualError(t, err, `unknown state "ok" (want none, pending, firing, resolved or unknown)`)
	_, err = alert.ParseKind("event")
	assert.EqualError(t, err, `unknown kind "event" (want lasting or instant)`)
	_, err = alert.Kind(9).MarshalText()
	assert.Error(t, err)
	assert.Equal(t, "State(9)", alert.State(9).String())
}

func TestAlertJSONRoundTrip(t *testing.T) {
	a := alert.Alert{
		Labels:       labels("alertname", "IngressResponses5xx", "vhost", "static.example.com"),
		Annotations:  labels("summary", "5xx above 5%"),
		StartsAt:     t0,
		RefreshBy:    t0.Add(4 * time.Minute),
		UpdatedAt:    t0,
		GeneratorURL: "http://prometheus.example.com:9090/graph",
		Source:       "prometheus",
	}
	b, err := json.Marshal(a)
	require.NoError(t, err)
	assert.JSONEq(t, `{"labels":{"alertname":"IngressResponses5xx","vhost":"static.example.com"},
		"annotations":{"summary":"5xx above 5%"},"kind":"lasting","startsAt":"2026-11-23T09:28:12Z",
		"refreshBy":"2026-11-23T09:32:12Z","updatedAt":"2026-11-23T09:28:12Z",
		"generatorURL":"http://prometheus.example.com:9090/graph","source":"prometheus"}`, string(b))
	var back alert.Alert
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, a, back)
}

func TestTrigger(t *testing.T) {
	tests := []struct {
		name   string
		labels model.LabelSet
		want   string
	}{
		{name: "alertname", labels: labels("alertname", "TargetDown"), want: "TargetDown"},
		{name: "trigger wins", labels: labels("alertname", "Generic", "trigger", "NodePressureConditions"), want: "NodePressureConditions"},
		{name: "empty trigger falls back", labels: labels("alertname", "TargetDown", "trigger", ""), want: "TargetDown"},
		{name: "neither", labels: labels("job", "checkout"), want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := alert.Alert{Labels: tt.labels}
			assert.Equal(t, tt.want, a.Trigger())
		})
	}
}

func TestFingerprintMatchesPrometheus(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	word := func() string {
		const chars = "abcdefghijklmnopqrstuvwxyz_0123456789äß/:.-"
		n := rng.IntN(12)
		var b strings.Builder
		for range n {
			b.WriteRune([]rune(chars)[rng.IntN(len([]rune(chars)))])
		}
		return b.String()
	}
	sizes := []int{0, 1, 2, 10, 31, 32, 33, 100}
	for _, n := range sizes {
		for range 50 {
			ls := model.LabelSet{}
			for len(ls) < n {
				ls[model.LabelName("l"+word())] = model.LabelValue(word())
			}
			require.Equal(t, ls.Fingerprint(), alert.Fingerprint(ls), "labels %v", ls)
		}
	}
	a := alert.Alert{Labels: labels("alertname", "x"), Annotations: labels("summary", "one")}
	b := alert.Alert{Labels: labels("alertname", "x"), Annotations: labels("summary", "two")}
	assert.Equal(t, a.Fingerprint(), b.Fingerprint(), "annotations are not identity")
}

func TestFingerprintAllocatesNothing(t *testing.T) {
	ls := labels("alertname", "TargetDown", "instance", "10.244.37.14:9403", "job", "checkout", "namespace", "horns-and-hooves")
	allocs := testing.AllocsPerRun(100, func() { alert.Fingerprint(ls) })
	assert.Zero(t, allocs)
}

func TestValidate(t *testing.T) {
	valid := func() alert.Alert {
		return alert.Alert{
			Labels:       labels("alertname", "TargetDown", "instance", "10.244.37.14:9403"),
			Annotations:  labels("summary", "down"),
			StartsAt:     t0,
			GeneratorURL: "http://prometheus.example.com:9090/graph?g0.expr=up",
		}
	}
	tests := []struct {
		name    string
		change  func(a *alert.Alert)
		utf8    bool
		wantErr string
	}{
		{name: "valid lasting", change: func(*alert.Alert) {}},
		{name: "valid instant", change: func(a *alert.Alert) { a.Kind = alert.KindInstant }},
		{name: "valid resolved", change: func(a *alert.Alert) { a.EndsAt = t0.Add(time.Minute) }},
		{name: "valid with deadline", change: func(a *alert.Alert) { a.RefreshBy = t0.Add(time.Minute) }},
		{name: "no labels", change: func(a *alert.Alert) { a.Labels = nil }, wantErr: "labels: empty: an alert needs at least one label"},
		{name: "label name starts with digit", change: func(a *alert.Alert) { a.Labels["1x"] = "y" }, wantErr: `labels: invalid label name "1x"`},
		{name: "utf-8 label name refused by default", change: func(a *alert.Alert) { a.Labels["service.name"] = "y" }, wantErr: `labels: invalid label name "service.name"`},
		{name: "utf-8 label name with utf8 scheme", utf8: true, change: func(a *alert.Alert) { a.Labels["service.name"] = "y" }},
		{name: "empty label name", utf8: true, change: func(a *alert.Alert) { a.Labels[""] = "y" }, wantErr: `labels: invalid label name ""`},
		{name: "first bad name reported in order", change: func(a *alert.Alert) { a.Labels["9b"] = "y"; a.Labels["8a"] = "y" }, wantErr: `labels: invalid label name "8a"`},
		{name: "label value not utf-8", change: func(a *alert.Alert) { a.Labels["job"] = "\xff" }, wantErr: "labels.job: value is not valid UTF-8"},
		{name: "annotation name", change: func(a *alert.Alert) { a.Annotations["runbook-url"] = "x" }, wantErr: `annotations: invalid label name "runbook-url"`},
		{name: "annotation value", change: func(a *alert.Alert) { a.Annotations["summary"] = "\xc3\x28" }, wantErr: "annotations.summary: value is not valid UTF-8"},
		{name: "no start", change: func(a *alert.Alert) { a.StartsAt = time.Time{} }, wantErr: "startsAt: missing"},
		{name: "end before start", change: func(a *alert.Alert) { a.EndsAt = t0.Add(-time.Second) }, wantErr: "endsAt: 2026-11-23T09:28:11Z is before startsAt 2026-11-23T09:28:12Z"},
		{name: "deadline before start", change: func(a *alert.Alert) { a.RefreshBy = t0.Add(-time.Minute) }, wantErr: "refreshBy: 2026-11-23T09:27:12Z is before startsAt 2026-11-23T09:28:12Z"},
		{name: "unknown kind", change: func(a *alert.Alert) { a.Kind = 7 }, wantErr: "kind: unknown kind 7"},
		{name: "instant with end", change: func(a *alert.Alert) { a.Kind = alert.KindInstant; a.EndsAt = t0.Add(time.Minute) }, wantErr: "endsAt: set on an instant alert, which never ends"},
		{name: "instant with deadline", change: func(a *alert.Alert) { a.Kind = alert.KindInstant; a.RefreshBy = t0.Add(time.Minute) }, wantErr: "refreshBy: set on an instant alert, which is never refreshed"},
		{name: "instant pending", change: func(a *alert.Alert) { a.Kind = alert.KindInstant; a.Pending = true }, wantErr: "pending: set on an instant alert, which has no state"},
		{name: "bad generator URL", change: func(a *alert.Alert) { a.GeneratorURL = "http://[::1" }, wantErr: `generatorURL: invalid URL "http://[::1"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := valid()
			tt.change(&a)
			var err error
			if tt.utf8 {
				err = a.ValidateNames(model.UTF8Validation)
			} else {
				err = a.Validate()
			}
			if tt.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.EqualError(t, err, tt.wantErr)
			var fe *alert.FieldError
			assert.ErrorAs(t, err, &fe)
		})
	}
}
