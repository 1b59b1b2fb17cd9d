package pagerduty_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alertkit/alertkit/incident"
	goldenfile "github.com/alertkit/alertkit/internal/golden"
	"github.com/alertkit/alertkit/notify"
	"github.com/alertkit/alertkit/notify/notifytest"
	"github.com/alertkit/alertkit/notify/pagerduty"
)

// newSender returns a Sender of cfg, with the fake's URL and the test key
// unless cfg sets them.
func newSender(t *testing.T, f *fakePD, cfg *pagerduty.Config, opts *pagerduty.Options) *pagerduty.Sender {
	t.Helper()
	if cfg == nil {
		cfg = &pagerduty.Config{}
	}
	if cfg.RoutingKey == "" {
		cfg.RoutingKey = testKey
	}
	if cfg.URL == "" {
		cfg.URL = f.url()
	}
	s, err := pagerduty.New(cfg, opts)
	require.NoError(t, err)
	return s
}

// sent decodes the last event the fake received.
func sent(t *testing.T, f *fakePD) map[string]any {
	t.Helper()
	var ev map[string]any
	require.NoError(t, json.Unmarshal(f.last(), &ev))
	return ev
}

func TestConformance(t *testing.T) {
	notifytest.Run(t, func(t *testing.T) *notifytest.Harness {
		f := newFake(t)
		cfg := &pagerduty.Config{RoutingKey: testKey, URL: f.url()}
		return &notifytest.Harness{
			Notifier: newSender(t, f, cfg, nil), Behave: f.behave, Received: f.received,
			Secrets: []string{testKey}, Config: cfg,
			Refuses: []notify.Reason{notify.ReasonDigest}, // PagerDuty does not page with digests
		}
	})
}

// TestGolden compares the event of every sample notification with
// testdata/<reason>.golden; a digest's is the error that refuses it.
func TestGolden(t *testing.T) {
	for _, r := range notify.Reasons() {
		t.Run(string(r), func(t *testing.T) {
			f := newFake(t)
			n := notifytest.Sample(r)
			f.wantDedup = string(n.Incident.ID)
			s := newSender(t, f, nil, nil)
			var got []byte
			if err := s.Notify(context.Background(), n); err != nil {
				require.Zero(t, f.count(), "a refused notification reached PagerDuty")
				got = []byte(err.Error() + "\n")
			} else {
				var buf bytes.Buffer
				require.NoError(t, json.Indent(&buf, f.last(), "", "  "))
				buf.WriteByte('\n')
				got = buf.Bytes()
			}
			golden(t, filepath.Join("testdata", string(r)+".golden"), got)
		})
	}
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	goldenfile.Check(t, path, got)
}

func TestEventActions(t *testing.T) {
	tests := []struct {
		reason notify.Reason
		action string
	}{
		{notify.ReasonOpened, "trigger"},
		{notify.ReasonEscalation, "trigger"},
		{notify.ReasonHandover, "trigger"},
		{notify.ReasonAcknowledged, "acknowledge"},
		{notify.ReasonResolved, "resolve"},
	}
	for _, tt := range tests {
		t.Run(string(tt.reason), func(t *testing.T) {
			f := newFake(t)
			require.NoError(t, newSender(t, f, nil, nil).Notify(context.Background(), notifytest.Sample(tt.reason)))
			ev := sent(t, f)
			assert.Equal(t, tt.action, ev["event_action"])
			assert.Equal(t, "01KAV7Z1S4X7B2WQ5AR6KF", ev["dedup_key"])
			if tt.action == "trigger" {
				assert.Contains(t, ev, "payload")
			} else {
				assert.Len(t, ev, 3)
			}
		})
	}

	t.Run("digest", func(t *testing.T) {
		f := newFake(t)
		err := newSender(t, f, nil, nil).Notify(context.Background(), notifytest.Sample(notify.ReasonDigest))
		require.ErrorIs(t, err, pagerduty.ErrDigest)
		assert.EqualError(t, err, "pagerduty: a digest is not a page: route digests to a chat or email receiver")
		retry, _ := notify.Retryable(err)
		assert.False(t, retry)
		assert.Zero(t, f.count())
	})
}

// A trigger sent again after a crash or a retry carries the same
// dedup_key, and PagerDuty folds it, the escalation and the hand-over into
// the incident's one alert.
func TestDedupKey(t *testing.T) {
	ctx := context.Background()
	f := newFake(t)
	s := newSender(t, f, nil, nil)
	id := "01KAV7Z1S4X7B2WQ5AR6KF"
	f.wantDedup = id

	for _, r := range []notify.Reason{notify.ReasonOpened, notify.ReasonOpened, notify.ReasonEscalation, notify.ReasonHandover} {
		require.NoError(t, s.Notify(ctx, notifytest.Sample(r)))
	}
	require.NoError(t, s.Notify(ctx, notifytest.Sample(notify.ReasonAcknowledged)))
	f.mu.Lock()
	assert.Equal(t, 1, f.opened, "alerts opened")
	require.Contains(t, f.alerts, id)
	assert.Equal(t, 4, f.alerts[id].triggers)
	assert.Equal(t, "acknowledged", f.alerts[id].status)
	f.mu.Unlock()

	require.NoError(t, s.Notify(ctx, notifytest.Sample(notify.ReasonResolved)))
	require.NoError(t, s.Notify(ctx, notifytest.Sample(notify.ReasonResolved))) // sent again: dropped
	f.mu.Lock()
	assert.Empty(t, f.alerts, "open alerts after the resolve")
	assert.Equal(t, 1, f.dropped, "events dropped")
	f.mu.Unlock()

	// PagerDuty keeps a key only while its alert is open: the incident
	// reopening in alertkit opens a new PagerDuty alert.
	require.NoError(t, s.Notify(ctx, notifytest.Sample(notify.ReasonOpened)))
	f.mu.Lock()
	assert.Equal(t, 2, f.opened, "alerts opened")
	f.mu.Unlock()

	// Another incident is another alert.
	f.wantDedup = ""
	other := notifytest.Sample(notify.ReasonOpened)
	other.Incident.ID = "01KAV80M2N9D0C4EDZP7X3"
	require.NoError(t, s.Notify(ctx, other))
	assert.Equal(t, "01KAV80M2N9D0C4EDZP7X3", sent(t, f)["dedup_key"])
	f.mu.Lock()
	assert.Equal(t, 3, f.opened, "alerts opened")
	f.mu.Unlock()
}

func TestDedupKeyTooLong(t *testing.T) {
	f := newFake(t)
	n := notifytest.Sample(notify.ReasonOpened)
	n.Incident.ID = incident.ID(strings.Repeat("x", 256))
	err := newSender(t, f, nil, nil).Notify(context.Background(), n)
	assert.EqualError(t, err, "pagerduty: incident ID longer than 255 characters cannot be a dedup_key")
	retry, _ := notify.Retryable(err)
	assert.False(t, retry)
	assert.Zero(t, f.count())
}

func TestSeverities(t *testing.T) {
	f := newFake(t)
	def := newSender(t, f, nil, nil)
	over := newSender(t, f, &pagerduty.Config{Severities: map[string]string{"S3": "critical", "s9": "warning", "Unknown": "info"}}, nil)
	tests := []struct {
		level     int
		def, over string
	}{
		{0, "error", "info"},
		{1, "critical", "critical"},
		{2, "critical", "critical"},
		{3, "error", "critical"},
		{4, "error", "error"},
		{5, "warning", "warning"},
		{6, "warning", "warning"},
		{7, "info", "info"},
		{8, "info", "info"},
		{9, "info", "warning"},
		{10, "error", "info"},
		{-1, "error", "info"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint("level=", tt.level), func(t *testing.T) {
			assert.Equal(t, tt.def, def.Severity(tt.level), "default table")
			assert.Equal(t, tt.over, over.Severity(tt.level), "overridden table")

			n := notifytest.Sample(notify.ReasonOpened)
			n.Incident.Severity = tt.level
			require.NoError(t, over.Notify(context.Background(), n))
			p := sent(t, f)["payload"].(map[string]any)
			assert.Equal(t, tt.over, p["severity"])
		})
	}

	t.Run("the default table", func(t *testing.T) {
		m := pagerduty.DefaultSeverities()
		assert.Len(t, m, 10)
		m["S1"] = "info" // a fresh map: changing it changes nothing else
		assert.Equal(t, "critical", pagerduty.DefaultSeverities()["S1"])
		assert.Equal(t, "critical", def.Severity(1))
	})
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  pagerduty.Config
		err  string
	}{
		{"a routing key is enough", pagerduty.Config{RoutingKey: testKey}, ""},
		{"a key of another length", pagerduty.Config{RoutingKey: "R0123"}, ""},
		{"everything", pagerduty.Config{
			RoutingKey: testKey, URL: "http://localhost:8080/v2/enqueue", Source: "shop", Component: "checkout",
			Group: "web", Class: "availability", Severities: map[string]string{"S3": "critical", "unknown": "warning"},
			Client: "ops", ClientURL: "https://ops.example.com", Summary: "{{ .Incident.Title }}",
		}, ""},
		{"no routing key", pagerduty.Config{}, "pagerduty: routing_key: missing"},
		{"a space in the key", pagerduty.Config{RoutingKey: "0a1b2c3d 4e5f"}, "pagerduty: routing_key: contains whitespace"},
		{"a newline after the key", pagerduty.Config{RoutingKey: testKey + "\n"}, "pagerduty: routing_key: contains whitespace"},
		{"a URL without a scheme", pagerduty.Config{RoutingKey: testKey, URL: "events.pagerduty.com/v2/enqueue"}, "pagerduty: url: not an absolute http or https URL"},
		{"an ftp URL", pagerduty.Config{RoutingKey: testKey, URL: "ftp://events.pagerduty.com/v2/enqueue"}, "pagerduty: url: not an absolute http or https URL"},
		{"a URL that does not parse", pagerduty.Config{RoutingKey: testKey, URL: "http://[::1"}, "pagerduty: url: not an absolute http or https URL"},
		{"a relative client URL", pagerduty.Config{RoutingKey: testKey, ClientURL: "/incidents"}, "pagerduty: client_url: not an absolute http or https URL"},
		{"a level out of range", pagerduty.Config{RoutingKey: testKey, Severities: map[string]string{"S10": "info"}}, `pagerduty: severities: a key is not a level (S1 to S9, or unknown)`},
		{"a level without S", pagerduty.Config{RoutingKey: testKey, Severities: map[string]string{"3": "info"}}, `pagerduty: severities: a key is not a level (S1 to S9, or unknown)`},
		{"a severity PagerDuty lacks", pagerduty.Config{RoutingKey: testKey, Severities: map[string]string{"S3": "high"}}, `pagerduty: severities: S3: not critical, error, warning or info`},
		{"an empty severity", pagerduty.Config{RoutingKey: testKey, Severities: map[string]string{"unknown": ""}}, `pagerduty: severities: unknown: not critical, error, warning or info`},
		{"a broken template", pagerduty.Config{RoutingKey: testKey, Summary: "{{ .Incident.Title "}, "pagerduty: template summary: template: summary:1: unclosed action"},
		{"an unknown function", pagerduty.Config{RoutingKey: testKey, Summary: "x\n{{ shout .Note }}"}, `pagerduty: template summary: template: summary:2: function "shout" not defined`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			_, newErr := pagerduty.New(&tt.cfg, nil)
			if tt.err == "" {
				assert.NoError(t, err)
				assert.NoError(t, newErr)
				return
			}
			assert.EqualError(t, err, tt.err)
			assert.EqualError(t, newErr, tt.err)
		})
	}

	t.Run("no configuration", func(t *testing.T) {
		_, err := pagerduty.New(nil, nil)
		assert.EqualError(t, err, "pagerduty: no configuration")
	})
}

// The configuration is copied: changing it after New changes nothing.
func TestNewCopies(t *testing.T) {
	f := newFake(t)
	cfg := &pagerduty.Config{Severities: map[string]string{"S2": "warning"}, Source: "shop"}
	s := newSender(t, f, cfg, nil)
	cfg.Severities["S2"] = "info"
	cfg.Source = "changed"
	require.NoError(t, s.Notify(context.Background(), notifytest.Sample(notify.ReasonOpened)))
	p := sent(t, f)["payload"].(map[string]any)
	assert.Equal(t, "warning", p["severity"])
	assert.Equal(t, "shop", p["source"])
}

func TestPayloadFields(t *testing.T) {
	ctx := context.Background()
	t.Run("defaults", func(t *testing.T) {
		f := newFake(t)
		require.NoError(t, newSender(t, f, nil, nil).Notify(ctx, notifytest.Sample(notify.ReasonOpened)))
		ev := sent(t, f)
		p := ev["payload"].(map[string]any)
		assert.Equal(t, "horns-and-hooves", p["source"])
		assert.Equal(t, "2026-11-23T16:52:10Z", p["timestamp"])
		assert.NotContains(t, p, "component")
		assert.Equal(t, "alertkit", ev["client"])
		assert.Equal(t, "https://alerts.example.com/incidents/01KAV7Z1S4X7B2WQ5AR6KF", ev["client_url"])
	})
	t.Run("configured", func(t *testing.T) {
		f := newFake(t)
		s := newSender(t, f, &pagerduty.Config{Source: "shop-eu", Component: "checkout", Group: "web", Class: "availability",
			Client: "ops console", ClientURL: "https://ops.example.com"}, nil)
		require.NoError(t, s.Notify(ctx, notifytest.Sample(notify.ReasonEscalation)))
		ev := sent(t, f)
		p := ev["payload"].(map[string]any)
		assert.Equal(t, "shop-eu", p["source"])
		assert.Equal(t, "checkout", p["component"])
		assert.Equal(t, "web", p["group"])
		assert.Equal(t, "availability", p["class"])
		assert.Equal(t, "ops console", ev["client"])
		assert.Equal(t, "https://ops.example.com", ev["client_url"])
	})
	t.Run("no project, no URL, no time", func(t *testing.T) {
		f := newFake(t)
		n := notifytest.Sample(notify.ReasonOpened)
		n.Incident.Project, n.Incident.URL, n.At = "", "", time.Time{}
		n.Incident.Runbooks = []notify.Link{{Title: "no link"}, {Title: "a path", URL: "/runbooks/x"}}
		require.NoError(t, newSender(t, f, nil, nil).Notify(ctx, n))
		ev := sent(t, f)
		p := ev["payload"].(map[string]any)
		assert.Equal(t, "alertkit", p["source"])
		assert.NotContains(t, p, "timestamp")
		assert.NotContains(t, ev, "client_url")
		assert.Equal(t, []any{map[string]any{
			"href": "http://prometheus.example.com/graph?g0.expr=up+%3D%3D+0", "text": "Source: TargetDown on 10.244.37.14:9403",
		}}, ev["links"])
	})
}

func TestSummaryTemplate(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name     string
		template string
		reason   notify.Reason
		want     string
	}{
		{"default, opened", "", notify.ReasonOpened, "[OPEN] S2 TargetDown in horns-and-hooves"},
		{"default, escalation", "", notify.ReasonEscalation, "[OPEN] S2 TargetDown in horns-and-hooves — step 2 of sre/page 10m: nobody acknowledged within 10m"},
		{"override", "{{ .Incident.Project }}: {{ .Reason }} of {{ .Incident.Title }} for {{ duration .Duration }}", notify.ReasonOpened,
			"horns-and-hooves: opened of TargetDown in horns-and-hooves for 8m"},
		{"lines become one", "{{ .Incident.Title }}\n\n  owner:\t{{ .Incident.Owner }}\n", notify.ReasonOpened,
			"TargetDown in horns-and-hooves owner: vasiliy.vasiliyev"},
		{"nothing rendered: the title", "{{ if false }}x{{ end }}  \n", notify.ReasonOpened, "TargetDown in horns-and-hooves"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			require.NoError(t, newSender(t, f, &pagerduty.Config{Summary: tt.template}, nil).Notify(ctx, notifytest.Sample(tt.reason)))
			assert.Equal(t, tt.want, sent(t, f)["payload"].(map[string]any)["summary"])
		})
	}

	t.Run("an error at rendering is permanent", func(t *testing.T) {
		f := newFake(t)
		err := newSender(t, f, &pagerduty.Config{Summary: "{{ .Incident.Nope }}"}, nil).Notify(ctx, notifytest.Sample(notify.ReasonOpened))
		require.Error(t, err)
		assert.True(t, strings.HasPrefix(err.Error(), "pagerduty: template summary: "), err.Error())
		retry, _ := notify.Retryable(err)
		assert.False(t, retry)
		assert.Zero(t, f.count())
	})

	t.Run("acknowledge and resolve render nothing", func(t *testing.T) {
		f := newFake(t)
		s := newSender(t, f, &pagerduty.Config{Summary: "{{ .Incident.Nope }}"}, nil)
		require.NoError(t, s.Notify(ctx, notifytest.Sample(notify.ReasonResolved)))
	})
}

func TestTruncation(t *testing.T) {
	ctx := context.Background()
	t.Run("summary", func(t *testing.T) {
		f := newFake(t)
		n := notifytest.Sample(notify.ReasonOpened)
		n.Incident.Title = strings.Repeat("Ж", 3000)
		require.NoError(t, newSender(t, f, nil, nil).Notify(ctx, n))
		s := sent(t, f)["payload"].(map[string]any)["summary"].(string)
		assert.Equal(t, pagerduty.MaxSummary, utf8.RuneCountInString(s))
		assert.True(t, utf8.ValidString(s))
		assert.True(t, strings.HasSuffix(s, "ЖЖ…"), s[len(s)-10:])
	})

	t.Run("details", func(t *testing.T) {
		f := newFake(t)
		n := notifytest.Sample(notify.ReasonOpened)
		long := strings.Repeat("é", 5000)
		n.Note = long
		n.Incident.Members[0].Labels["job"] = model.LabelValue(long)
		n.Incident.Members[0].Annotations["summary"] = model.LabelValue(long)
		values := make([]string, 25)
		for i := range values {
			values[i] = fmt.Sprintf("10.0.0.%d:9100", i)
		}
		n.Incident.Summary = append(n.Incident.Summary, incident.LabelValues{Name: "host", Values: values})
		for range 10 {
			n.Incident.Members = append(n.Incident.Members, n.Incident.Members[2])
		}
		require.NoError(t, newSender(t, f, nil, nil).Notify(ctx, n))
		d := sent(t, f)["payload"].(map[string]any)["custom_details"].(map[string]any)
		assert.Equal(t, 1024, utf8.RuneCountInString(d["note"].(string)))
		first := d["first_alerts"].([]any)
		assert.Len(t, first, 5)
		assert.Equal(t, 1024, utf8.RuneCountInString(first[0].(map[string]any)["summary"].(string)))
		assert.Equal(t, 1024, utf8.RuneCountInString(first[0].(map[string]any)["labels"].(map[string]any)["job"].(string)))
		host := d["labels"].(map[string]any)["host"].([]any)
		assert.Len(t, host, 11)
		assert.Equal(t, "… 15 more", host[10])
	})

	t.Run("an event too large loses its lists", func(t *testing.T) {
		f := newFake(t)
		n := notifytest.Sample(notify.ReasonOpened)
		value := strings.Repeat("v", 1000)
		for i := range 100 {
			vals := make([]string, 10)
			for j := range vals {
				vals[j] = fmt.Sprint(j, value)
			}
			n.Incident.Summary = append(n.Incident.Summary, incident.LabelValues{Name: fmt.Sprint("label", i), Values: vals})
		}
		require.NoError(t, newSender(t, f, nil, nil).Notify(ctx, n))
		body := f.last()
		assert.LessOrEqual(t, len(body), pagerduty.MaxEvent)
		d := sent(t, f)["payload"].(map[string]any)["custom_details"].(map[string]any)
		assert.NotContains(t, d, "labels")
		assert.NotContains(t, d, "first_alerts")
		assert.Contains(t, d["omitted"], "size limit")
		assert.EqualValues(t, 3, d["alerts"])
	})
}

// Labels and annotations reach PagerDuty as the text they are: JSON needs
// no HTML escaping, and PagerDuty shows the text.
func TestEscaping(t *testing.T) {
	f := newFake(t)
	require.NoError(t, newSender(t, f, nil, nil).Notify(context.Background(), notifytest.Sample(notify.ReasonOpened)))
	body := f.last()
	assert.Contains(t, string(body), `<script>alert(1)</script> @channel`)
	assert.NotContains(t, string(body), `\u003c`)
	d := sent(t, f)["payload"].(map[string]any)["custom_details"].(map[string]any)
	first := d["first_alerts"].([]any)[0].(map[string]any)
	assert.Equal(t, "Target 10.244.37.14:9403 is down — <script>alert(1)</script> @channel", first["summary"])
	assert.Equal(t, `checkout <b>&amp;</b> "payments"`, first["labels"].(map[string]any)["job"])
	assert.Equal(t, []any{`checkout <b>&amp;</b> "payments"`}, d["labels"].(map[string]any)["job"])
}

// TestAnswers maps PagerDuty's answers to errors.
func TestAnswers(t *testing.T) {
	now := time.Date(2026, 11, 23, 17, 0, 0, 0, time.UTC)
	reply := func(status int, header, body string) func(w http.ResponseWriter) {
		return func(w http.ResponseWriter) {
			if k, v, ok := strings.Cut(header, ": "); ok {
				w.Header().Set(k, v)
			}
			w.WriteHeader(status)
			io.WriteString(w, body)
		}
	}
	success := `{"status":"success","message":"Event processed","dedup_key":"01KAV7Z1S4X7B2WQ5AR6KF"}`
	invalid := `{"status":"invalid event","message":"Event object is invalid","errors":["Length of 'routing_key' is incorrect (should be 32 characters)"]}`
	tests := []struct {
		name   string
		reply  func(w http.ResponseWriter)
		err    string // "" for success
		retry  bool
		after  time.Duration
		status int
	}{
		{"202 success", reply(202, "", success), "", false, 0, 0},
		{"200 success", reply(200, "", success), "", false, 0, 0},
		{"201 success", reply(201, "", `{"status":"success"}`), "", false, 0, 0},
		{"202 without success", reply(202, "", `{"status":"queued","message":"later"}`),
			"pagerduty: 202 Accepted: the answer does not say success: queued: later", true, 0, 202},
		{"200 from a portal", reply(200, "Content-Type: text/html", "<html>\n<body>Sign in</body></html>"),
			"pagerduty: 200 OK: the answer does not say success: <html> <body>Sign in</body></html>", true, 0, 200},
		{"204", reply(204, "", ""), "pagerduty: 204 No Content: the answer does not say success: empty", true, 0, 204},
		{"400 invalid event", reply(400, "Content-Type: application/json", invalid),
			"pagerduty: 400 Bad Request: invalid event: Event object is invalid: Length of 'routing_key' is incorrect (should be 32 characters)", false, 0, 400},
		{"400 that echoes the key", reply(400, "", `{"status":"invalid event","message":"unknown routing_key `+testKey+`"}`),
			"pagerduty: 400 Bad Request: invalid event: unknown routing_key <secret>", false, 0, 400},
		{"400 in plain text", reply(400, "", "Bad Request\n"), "pagerduty: 400 Bad Request: Bad Request", false, 0, 400},
		{"404", reply(404, "", "404 page not found"), "pagerduty: 404 Not Found: 404 page not found", false, 0, 404},
		{"413", reply(413, "", ""), "pagerduty: 413 Request Entity Too Large", false, 0, 413},
		{"429 with Retry-After", reply(429, "Retry-After: 7", ""), "pagerduty: 429 Too Many Requests", true, 7 * time.Second, 429},
		{"429 with a date", reply(429, "Retry-After: "+now.Add(30*time.Second).Format(http.TimeFormat), ""), "pagerduty: 429 Too Many Requests", true, 30 * time.Second, 429},
		{"429 without Retry-After", reply(429, "", "Request Limit Exceeded"), "pagerduty: 429 Too Many Requests: Request Limit Exceeded", true, 0, 429},
		{"500", reply(500, "", `{"status":"Unrecognized object","message":"Event object format is unrecognized","errors":["JSON parse error"]}`),
			"pagerduty: 500 Internal Server Error: Unrecognized object: Event object format is unrecognized: JSON parse error", true, 0, 500},
		{"503 with Retry-After", reply(503, "Retry-After: 120", "down for maintenance"), "pagerduty: 503 Service Unavailable: down for maintenance", true, 2 * time.Minute, 503},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			f.reply = tt.reply
			s := newSender(t, f, nil, &pagerduty.Options{Now: func() time.Time { return now }})
			err := s.Notify(context.Background(), notifytest.Sample(notify.ReasonOpened))
			if tt.err == "" {
				assert.NoError(t, err)
				return
			}
			require.EqualError(t, err, tt.err)
			retry, after := notify.Retryable(err)
			assert.Equal(t, tt.retry, retry, "retry")
			assert.Equal(t, tt.after, after, "after")
			assert.Equal(t, tt.status, notify.StatusCode(err))
			assert.NotContains(t, err.Error(), testKey)
			assert.NotContains(t, err.Error(), f.srv.URL)
		})
	}

	t.Run("a network error", func(t *testing.T) {
		f := newFake(t)
		s := newSender(t, f, nil, nil)
		f.srv.Close()
		err := s.Notify(context.Background(), notifytest.Sample(notify.ReasonOpened))
		require.Error(t, err)
		assert.True(t, strings.HasPrefix(err.Error(), "pagerduty: "), err.Error())
		assert.NotContains(t, err.Error(), "/v2/enqueue")
		retry, _ := notify.Retryable(err)
		assert.True(t, retry)
	})
}

func TestInvalidNotification(t *testing.T) {
	f := newFake(t)
	n := notifytest.Sample(notify.ReasonOpened)
	n.Incident.ID = ""
	err := newSender(t, f, nil, nil).Notify(context.Background(), n)
	assert.EqualError(t, err, "pagerduty: notification 01KAV7Z1S4X7B2WQ5AR6KF/opened: missing incident")
	retry, _ := notify.Retryable(err)
	assert.False(t, retry)
	assert.Zero(t, f.count())
}

// A Config reads from JSON by its snake_case names, and hides its routing
// key when written back.
func TestConfigJSON(t *testing.T) {
	var cfg pagerduty.Config
	require.NoError(t, json.Unmarshal([]byte(`{"routing_key":"`+testKey+`","component":"checkout",
		"severities":{"S3":"critical"},"client_url":"https://ops.example.com","summary":"{{ .Incident.Title }}"}`), &cfg))
	assert.Equal(t, pagerduty.Config{RoutingKey: testKey, Component: "checkout", Severities: map[string]string{"S3": "critical"},
		ClientURL: "https://ops.example.com", Summary: "{{ .Incident.Title }}"}, cfg)
	require.NoError(t, cfg.Validate())
	out, err := json.Marshal(&cfg)
	require.NoError(t, err)
	assert.JSONEq(t, `{"routing_key":"<secret>","component":"checkout","severities":{"S3":"critical"},
		"client_url":"https://ops.example.com","summary":"{{ .Incident.Title }}"}`, string(out))
}
