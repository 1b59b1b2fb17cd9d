package webhook_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/require"

	"github.com/alertkit/alertkit/alert"
	"github.com/alertkit/alertkit/internal/golden"
	"github.com/alertkit/alertkit/notify"
	"github.com/alertkit/alertkit/notify/notifytest"
	"github.com/alertkit/alertkit/notify/webhook"
)

func body(t *testing.T, cfg *webhook.Config, n *notify.Notification) []byte {
	t.Helper()
	if cfg.URL == "" {
		cfg.URL = "https://hooks.example.com/" + urlToken
	}
	s, err := webhook.New(cfg, nil)
	require.NoError(t, err)
	b, err := s.Body(n)
	require.NoError(t, err)
	return b
}

// TestGolden: the body of every sample notification in both formats, in
// testdata/<format>/<reason>.golden.
func TestGolden(t *testing.T) {
	for _, format := range formats {
		for _, r := range notify.Reasons() {
			t.Run(format+"/"+string(r), func(t *testing.T) {
				b := body(t, &webhook.Config{Format: format}, notifytest.Sample(r))
				switch format {
				case webhook.FormatAlertkit:
					checkAlertkit(t, b)
				case webhook.FormatAlertmanager:
					checkAlertmanager(t, b)
				}
				var pretty bytes.Buffer
				require.NoError(t, json.Indent(&pretty, b, "", "  "))
				pretty.WriteByte('\n')
				golden.Check(t, filepath.Join("testdata", format, string(r)+".golden"), pretty.Bytes())
			})
		}
	}
}

// TestAlertmanagerShapeMatchesCapture: the payload has the fields, and the
// JSON types, of what Alertmanager 0.25 really sent (alert/testdata).
func TestAlertmanagerShapeMatchesCapture(t *testing.T) {
	for _, capture := range []string{"alertmanager-firing.json", "alertmanager-resolved.json"} {
		t.Run(capture, func(t *testing.T) {
			real, err := os.ReadFile(filepath.Join("..", "..", "alert", "testdata", capture))
			require.NoError(t, err)
			var realAlerts struct{ Alerts []json.RawMessage }
			require.NoError(t, json.Unmarshal(real, &realAlerts))
			require.NotEmpty(t, realAlerts.Alerts)
			require.Equal(t, amTopKinds, kinds(t, real), "the fake end's expectation is the capture's shape")
			require.Equal(t, amAlertKinds, kinds(t, realAlerts.Alerts[0]))

			ours := body(t, &webhook.Config{Format: webhook.FormatAlertmanager}, notifytest.Sample(notify.ReasonOpened))
			var ourAlerts struct{ Alerts []json.RawMessage }
			require.NoError(t, json.Unmarshal(ours, &ourAlerts))
			require.Equal(t, kinds(t, real), kinds(t, ours))
			for _, a := range ourAlerts.Alerts {
				require.Equal(t, kinds(t, realAlerts.Alerts[0]), kinds(t, a))
			}
			// The capture passes the checks that the fake end applies to us.
			checkAlertmanager(t, real)
		})
	}
}

// TestAlertmanagerRoundTrip: alertkit's own decoder of Alertmanager's
// webhooks reads the payload back, with the alerts' labels, states and
// times.
func TestAlertmanagerRoundTrip(t *testing.T) {
	for _, r := range notify.Reasons() {
		t.Run(string(r), func(t *testing.T) {
			n := notifytest.Sample(r)
			b := body(t, &webhook.Config{Format: webhook.FormatAlertmanager}, n)
			msg, alerts, err := alert.DecodeWebhook(bytes.NewReader(b), &alert.DecodeOptions{Now: fixedNow})
			require.NoError(t, err)

			require.Equal(t, alert.WebhookVersion, msg.Version)
			require.Equal(t, "ops", msg.Receiver)
			require.Equal(t, "https://alerts.example.com", msg.ExternalURL)
			wantStatus, wantKey := "firing", string(n.Incident.ID)
			switch r {
			case notify.ReasonResolved:
				wantStatus = "resolved"
			case notify.ReasonDigest:
				wantKey = n.Key
			}
			require.Equal(t, wantStatus, msg.Status)
			require.Equal(t, wantKey, msg.GroupKey)
			require.Equal(t, n.Incident.Group, msg.GroupLabels)

			members := n.Incident.Members // a digest: only its first item keeps members
			require.Len(t, alerts, len(members))
			for i, m := range members {
				a := alerts[i]
				require.Equal(t, m.Labels, a.Labels, "alerts[%d]", i)
				require.Equal(t, nonNilSet(m.Annotations), a.Annotations, "alerts[%d]", i)
				require.True(t, m.StartsAt.Equal(a.StartsAt), "alerts[%d] starts at %s, want %s", i, a.StartsAt, m.StartsAt)
				require.Equal(t, m.GeneratorURL, a.GeneratorURL)
				require.Equal(t, m.Fingerprint, msg.Alerts[i].Fingerprint)
				require.Equal(t, m.State, a.StateAt(notifytest.At).String(), "alerts[%d]", i)
				require.Equal(t, m.State, msg.Alerts[i].Status)
				if m.State == "resolved" {
					require.True(t, m.EndsAt.Equal(a.EndsAt), "alerts[%d] ends at %s, want %s", i, a.EndsAt, m.EndsAt)
				} else {
					require.True(t, a.EndsAt.IsZero())
					require.True(t, msg.Alerts[i].EndsAt.IsZero())
				}
			}
			wantTruncated := uint64(0)
			if r == notify.ReasonDigest {
				wantTruncated = 2 // the other two items keep no members
			}
			require.Equal(t, wantTruncated, msg.TruncatedAlerts)
		})
	}
}

func nonNilSet(ls model.LabelSet) model.LabelSet {
	if ls == nil {
		return model.LabelSet{}
	}
	return ls
}

// amPayload is the alertmanager format as a test reads it.
type amPayload struct {
	Status            string
	GroupKey          string
	GroupLabels       model.LabelSet
	CommonLabels      model.LabelSet
	CommonAnnotations model.LabelSet
	ExternalURL       string
	TruncatedAlerts   uint64
	Alerts            []struct {
		Status           string
		Labels           model.LabelSet
		Annotations      model.LabelSet
		StartsAt, EndsAt time.Time
		Fingerprint      string
	}
}

func decodeAM(t *testing.T, cfg *webhook.Config, n *notify.Notification) amPayload {
	t.Helper()
	cfg.Format = webhook.FormatAlertmanager
	b := body(t, cfg, n)
	checkAlertmanager(t, b)
	var p amPayload
	require.NoError(t, json.Unmarshal(b, &p))
	return p
}

func TestAlertmanagerStatus(t *testing.T) {
	tests := []struct {
		status, want string
	}{
		{"open", "firing"},
		{"acknowledged", "firing"},
		{"snoozed", "firing"},
		{"resolved", "resolved"},
		{"closed", "resolved"},
	}
	for _, tt := range tests {
		t.Run(tt.status, func(t *testing.T) {
			n := notifytest.Sample(notify.ReasonOpened)
			n.Incident.Status = tt.status
			p := decodeAM(t, &webhook.Config{}, n)
			require.Equal(t, tt.want, p.Status)
			// The alerts keep their own states.
			require.Equal(t, []string{"firing", "firing", "resolved"}, []string{p.Alerts[0].Status, p.Alerts[1].Status, p.Alerts[2].Status})
		})
	}
}

func TestAlertmanagerAlerts(t *testing.T) {
	start := notifytest.At.Add(-time.Hour)
	resolvedAt := notifytest.At.Add(-time.Minute)
	tests := []struct {
		name        string
		member      notify.Alert
		resolvedAt  time.Time
		status      string
		endsAt      time.Time
		fingerprint string
	}{
		{name: "firing", member: notify.Alert{State: "firing"}, status: "firing"},
		{name: "pending is firing", member: notify.Alert{State: "pending"}, status: "firing"},
		{name: "unknown is firing", member: notify.Alert{State: "unknown"}, status: "firing"},
		{name: "an event is firing", member: notify.Alert{State: "none"}, status: "firing"},
		{name: "firing with an end is still firing", member: notify.Alert{State: "firing", EndsAt: notifytest.At}, status: "firing"},
		{name: "resolved at its end", member: notify.Alert{State: "resolved", EndsAt: start.Add(time.Minute)}, resolvedAt: resolvedAt, status: "resolved", endsAt: start.Add(time.Minute)},
		{name: "resolved without an end: the incident's", member: notify.Alert{State: "resolved"}, resolvedAt: resolvedAt, status: "resolved", endsAt: resolvedAt},
		{name: "resolved without any end: the notification's time", member: notify.Alert{State: "resolved"}, status: "resolved", endsAt: notifytest.At},
		{name: "fingerprint given", member: notify.Alert{State: "firing", Fingerprint: "0123456789abcdef"}, status: "firing", fingerprint: "0123456789abcdef"},
	}
	labels := model.LabelSet{"alertname": "DiskFull", "instance": "db-1"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := tt.member
			m.Labels, m.StartsAt = labels, start.In(time.FixedZone("CET", 3600))
			n := &notify.Notification{Key: "k", Reason: notify.ReasonOpened, At: notifytest.At,
				Incident: notify.Snapshot{ID: "I", Status: "open", ResolvedAt: tt.resolvedAt, Members: []notify.Alert{m}, Alerts: 1}}
			p := decodeAM(t, &webhook.Config{}, n)
			require.Len(t, p.Alerts, 1)
			a := p.Alerts[0]
			require.Equal(t, tt.status, a.Status)
			require.True(t, tt.endsAt.Equal(a.EndsAt), "endsAt %s, want %s", a.EndsAt, tt.endsAt)
			require.True(t, start.Equal(a.StartsAt))
			require.Equal(t, time.UTC, a.StartsAt.Location(), "times are written in UTC")
			want := tt.fingerprint
			if want == "" {
				want = alert.Fingerprint(labels).String()
			}
			require.Equal(t, want, a.Fingerprint)
			require.Equal(t, model.LabelSet{}, a.Annotations)
		})
	}
}

func TestAlertmanagerCommonAndExternalURL(t *testing.T) {
	n := notifytest.Sample(notify.ReasonOpened)
	p := decodeAM(t, &webhook.Config{}, n)
	require.Equal(t, model.LabelSet{"alertname": "TargetDown", "job": `checkout <b>&amp;</b> "payments"`, "namespace": "horns-and-hooves"}, p.CommonLabels)
	require.Equal(t, model.LabelSet{}, p.CommonAnnotations, "only the first alert has annotations")
	require.Equal(t, "https://alerts.example.com", p.ExternalURL)

	p = decodeAM(t, &webhook.Config{ExternalURL: "https://am.example.com:9093/prefix"}, n)
	require.Equal(t, "https://am.example.com:9093/prefix", p.ExternalURL)

	n.Incident.URL = ""
	p = decodeAM(t, &webhook.Config{}, n)
	require.Empty(t, p.ExternalURL)

	one := notifytest.Sample(notify.ReasonOpened)
	one.Incident.Members = one.Incident.Members[:1]
	p = decodeAM(t, &webhook.Config{}, one)
	require.Equal(t, one.Incident.Members[0].Labels, p.CommonLabels)
	require.Equal(t, one.Incident.Members[0].Annotations, p.CommonAnnotations)

	none := notifytest.Sample(notify.ReasonOpened)
	none.Incident.Members, none.Incident.Alerts = nil, 0
	p = decodeAM(t, &webhook.Config{}, none)
	require.Empty(t, p.Alerts)
	require.Equal(t, model.LabelSet{}, p.CommonLabels)
	require.Equal(t, model.LabelSet{}, p.CommonAnnotations)
}

func TestAlertmanagerDigest(t *testing.T) {
	n := notifytest.Sample(notify.ReasonDigest)
	n.Items[1].Group = model.LabelSet{"alertname": "DiskWillFillIn24h", "namespace": "horns-and-hooves"}
	n.Items[1].Members = []notify.Alert{{State: "firing", StartsAt: notifytest.At, Labels: model.LabelSet{"alertname": "DiskWillFillIn24h", "namespace": "horns-and-hooves"}}}
	p := decodeAM(t, &webhook.Config{}, n)
	require.Equal(t, n.Key, p.GroupKey)
	require.Equal(t, "firing", p.Status)
	require.Equal(t, model.LabelSet{"namespace": "horns-and-hooves"}, p.GroupLabels, "the group labels every item shares")
	require.Len(t, p.Alerts, 4, "the alerts of every item, in order")
	require.Equal(t, model.LabelValue("DiskWillFillIn24h"), p.Alerts[3].Labels["alertname"])
	require.Equal(t, uint64(1), p.TruncatedAlerts, "the backup item's alert")
	require.Equal(t, model.LabelSet{"namespace": "horns-and-hooves"}, p.CommonLabels)

	for i := range n.Items {
		n.Items[i].Status = "resolved"
	}
	n.Items[2].Status = "closed"
	require.Equal(t, "resolved", decodeAM(t, &webhook.Config{}, n).Status, "every item is over")
}

func TestMaxAlerts(t *testing.T) {
	members := make([]notify.Alert, 5)
	for i := range members {
		members[i] = notify.Alert{
			State: "firing", StartsAt: notifytest.At,
			Labels: model.LabelSet{"alertname": "TargetDown", "instance": model.LabelValue(fmt.Sprintf("10.0.0.%d:9100", i))},
		}
	}
	// The last two differ in job: common labels are those of the alerts sent.
	for i := range members {
		members[i].Labels["job"] = "node"
	}
	members[3].Labels["job"], members[4].Labels["job"] = "other", "other"
	n := &notify.Notification{Key: "k", Reason: notify.ReasonOpened, At: notifytest.At,
		Incident: notify.Snapshot{ID: "I", Status: "open", Alerts: 7, Active: 7, Members: members, Truncated: 2}}
	tests := []struct {
		max, alerts int
		truncated   uint64
		common      model.LabelSet
	}{
		{max: 0, alerts: 5, truncated: 2, common: model.LabelSet{"alertname": "TargetDown"}},
		{max: 3, alerts: 3, truncated: 4, common: model.LabelSet{"alertname": "TargetDown", "job": "node"}},
		{max: 1, alerts: 1, truncated: 6, common: members[0].Labels},
		{max: 5, alerts: 5, truncated: 2, common: model.LabelSet{"alertname": "TargetDown"}},
		{max: 50, alerts: 5, truncated: 2, common: model.LabelSet{"alertname": "TargetDown"}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("max_alerts=%d", tt.max), func(t *testing.T) {
			p := decodeAM(t, &webhook.Config{MaxAlerts: tt.max}, n)
			require.Len(t, p.Alerts, tt.alerts)
			require.Equal(t, tt.truncated, p.TruncatedAlerts)
			require.Equal(t, tt.common, p.CommonLabels)
			for i, a := range p.Alerts {
				require.Equal(t, members[i].Labels, a.Labels, "the first alerts are kept, in order")
			}
		})
	}
	t.Run("members without labels are counted, not sent", func(t *testing.T) {
		n := *n
		n.Incident.Members = append([]notify.Alert{{State: "firing"}}, members...)
		p := decodeAM(t, &webhook.Config{}, &n)
		require.Len(t, p.Alerts, 5)
		require.Equal(t, uint64(3), p.TruncatedAlerts)
	})
}

// TestAlertkitFormat: the body is the notification's own JSON with a
// version, and decodes back to the same notification.
func TestAlertkitFormat(t *testing.T) {
	for _, r := range notify.Reasons() {
		t.Run(string(r), func(t *testing.T) {
			n := notifytest.Sample(r)
			b := body(t, &webhook.Config{}, n)
			own, err := json.Marshal(n)
			require.NoError(t, err)
			require.Equal(t, `{"version":"1",`+string(own[1:]), string(b))

			var msg webhook.Message
			require.NoError(t, json.Unmarshal(b, &msg))
			require.Equal(t, webhook.Version, msg.Version)
			again, err := json.Marshal(&msg.Notification)
			require.NoError(t, err)
			require.JSONEq(t, string(own), string(again))
		})
	}
}

// TestMarkupIsData: labels with markup travel as JSON strings, escaped
// only as JSON requires.
func TestMarkupIsData(t *testing.T) {
	n := notifytest.Sample(notify.ReasonOpened)
	for _, format := range formats {
		var v any
		require.NoError(t, json.Unmarshal(body(t, &webhook.Config{Format: format}, n), &v))
		found := map[string]bool{}
		walk(v, func(s string) { found[s] = true })
		for _, want := range []string{
			`checkout <b>&amp;</b> "payments"`,
			"Target 10.244.37.14:9403 is down — <script>alert(1)</script> @channel",
			"Цель недоступна 5 минут; 目标不可用",
		} {
			require.True(t, found[want], "%s: %q is not in the body as it was", format, want)
		}
	}
}

func walk(v any, f func(string)) {
	switch v := v.(type) {
	case string:
		f(v)
	case []any:
		for _, e := range v {
			walk(e, f)
		}
	case map[string]any:
		for k, e := range v {
			f(k)
			walk(e, f)
		}
	}
}
