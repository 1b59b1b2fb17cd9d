package notify_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/alertkit/alertkit/incident"
	"github.com/alertkit/alertkit/notify"
	"github.com/alertkit/alertkit/notify/notifytest"
	"github.com/alertkit/alertkit/notify/pagerduty"
	"github.com/alertkit/alertkit/notify/slack"
	"github.com/alertkit/alertkit/notify/telegram"
	"github.com/alertkit/alertkit/notify/webhook"
)

// BenchmarkDispatch is the dispatcher's throughput: notifications through
// the outbox (a memory store) and the webhook sender to a local HTTP
// receiver that accepts everything, 8 workers.
func BenchmarkDispatch(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	hook, err := webhook.New(&webhook.Config{URL: notify.Secret(srv.URL + "/hook")}, &webhook.Options{Client: client})
	if err != nil {
		b.Fatal(err)
	}
	store := incident.NewMemoryStore()
	d, err := notify.NewDispatcher(store, map[string]notify.Notifier{"hook": hook}, &notify.Options{Workers: 8})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	const batch = 1000
	n := notifytest.Sample(notify.ReasonEscalation)
	n.Receiver = "hook"
	b.ReportAllocs()
	sent := 0
	for b.Loop() {
		for i := range batch {
			n.Key = fmt.Sprintf("k%d-%d", sent, i)
			if err := d.Send(ctx, n); err != nil {
				b.Fatal(err)
			}
		}
		done, err := d.ProcessTimers(ctx)
		if err != nil || done != batch {
			b.Fatal(done, err)
		}
		sent++
	}
	b.ReportMetric(float64(sent*batch)/b.Elapsed().Seconds(), "notifications/s")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(sent*batch), "ns/notification")
}

// stub answers every request as a vendor answers success, without a
// network: what is left is the cost of making the message.
type stub string

func (s stub) RoundTrip(r *http.Request) (*http.Response, error) {
	_, _ = io.Copy(io.Discard, r.Body)
	status := http.StatusOK
	if strings.Contains(string(s), `"status":"success"`) {
		status = http.StatusAccepted
	}
	return &http.Response{StatusCode: status, Status: http.StatusText(status), Body: io.NopCloser(strings.NewReader(string(s))),
		Header: http.Header{"Content-Type": {"application/json"}}, Request: r}, nil
}

// BenchmarkRender is the cost of a message per channel: rendering the
// templates and encoding the request of the sample escalation, sent to a
// stub transport.
func BenchmarkRender(b *testing.B) {
	n := notifytest.Sample(notify.ReasonEscalation)
	ctx := context.Background()
	must := func(s notify.Notifier, err error) notify.Notifier {
		if err != nil {
			b.Fatal(err)
		}
		return s
	}
	senders := []struct {
		name string
		s    notify.Notifier
	}{
		{"slack", must(slack.New(&slack.Config{WebhookURL: "https://hooks.slack.com/services/T0/B0/X"},
			&slack.Options{Client: &http.Client{Transport: stub("ok")}}))},
		{"pagerduty", must(pagerduty.New(&pagerduty.Config{RoutingKey: "0a1b2c3d4e5f60718293a4b5c6d7e8f9"},
			&pagerduty.Options{Client: &http.Client{Transport: stub(`{"status":"success","message":"Event processed","dedup_key":"x"}`)}}))},
		{"telegram", must(telegram.New(&telegram.Config{Token: "123456:ABCdefGhIJKlmNoPQRsTUVwxyZ", ChatID: "-1001234567890"},
			&telegram.Options{Client: &http.Client{Transport: stub(`{"ok":true,"result":{"message_id":1}}`)}}))},
		{"webhook", must(webhook.New(&webhook.Config{URL: "https://example.com/hook"},
			&webhook.Options{Client: &http.Client{Transport: stub("")}}))},
		{"webhook-alertmanager", must(webhook.New(&webhook.Config{URL: "https://example.com/hook", Format: webhook.FormatAlertmanager},
			&webhook.Options{Client: &http.Client{Transport: stub("")}}))},
	}
	b.Run("text-template", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := notify.DefaultTextTemplate.Render(n, time.Time{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, s := range senders {
		b.Run(s.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := s.s.Notify(ctx, n); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
