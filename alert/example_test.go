package alert_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/prometheus/common/model"

	"github.com/alertkit/alertkit/alert"
)

func ExampleDecodePrometheus() {
	body := `[
	  {"labels": {"alertname": "TargetDown", "instance": "10.244.37.14:9403", "job": "checkout"},
	   "startsAt": "2026-11-23T09:28:12Z", "endsAt": "2026-11-23T09:32:12Z"},
	  {"labels": {"alertname": "TargetDown", "instance": "10.244.37.15:9403", "job": "checkout"},
	   "startsAt": "2026-11-23T09:28:12Z", "endsAt": "2026-11-23T09:29:00Z"}
	]`
	received := time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC)
	alerts, err := alert.DecodePrometheus(strings.NewReader(body), &alert.DecodeOptions{
		Now: func() time.Time { return received },
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, a := range alerts {
		fmt.Println(a.Fingerprint(), a.Trigger(), a.Labels["instance"], a.StateAt(received))
	}
	// The first alert must be refreshed by 09:32:12, or it goes unknown.
	fmt.Println(alerts[0].StateAt(received.Add(3 * time.Minute)))
	// Output:
	// fc71313a968c9b09 TargetDown 10.244.37.14:9403 firing
	// d95fd032c649e4c4 TargetDown 10.244.37.15:9403 resolved
	// unknown
}

func ExampleDecodeEvents() {
	body := `[
	  {"labels": {"alertname": "BackupFailed", "db": "orders"}, "startsAt": "2026-11-23T03:00:12Z"},
	  {"status": "firing", "ttl": "10m", "labels": {"alertname": "QueueBacklog", "queue": "emails"}}
	]`
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	alerts, err := alert.DecodeEvents(strings.NewReader(body), &alert.DecodeOptions{Now: func() time.Time { return now }})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, a := range alerts {
		fmt.Println(a.Trigger(), a.Kind, a.StateAt(now), a.RefreshBy.Format(time.Kitchen))
	}

	_, err = alert.DecodeEvents(strings.NewReader(`{"status": "ok", "labels": {"alertname": "X"}}`), nil)
	fmt.Println(err)
	var fe *alert.FieldError
	fmt.Println(errors.As(err, &fe), fe.Path)
	// Output:
	// BackupFailed instant none 12:00AM
	// QueueBacklog lasting firing 9:10AM
	// status: got "ok", want pending, firing or resolved
	// true status
}

func ExampleAlert_StateAt() {
	start := time.Date(2026, 11, 23, 9, 28, 12, 0, time.UTC)
	a := alert.Alert{
		Labels:    model.LabelSet{"alertname": "IngressResponses5xx", "vhost": "static.example.com"},
		StartsAt:  start,
		RefreshBy: start.Add(5 * time.Minute), // the source re-sends within 5m
	}
	fmt.Println(a.StateAt(start.Add(time.Minute)))
	fmt.Println(a.StateAt(start.Add(5 * time.Minute))) // not refreshed in time

	a.RefreshBy = time.Time{}
	a.EndsAt = start.Add(10 * time.Minute) // the source says it ended
	fmt.Println(a.StateAt(start.Add(9 * time.Minute)))
	fmt.Println(a.StateAt(start.Add(10 * time.Minute)))

	a.Kind = alert.KindInstant
	fmt.Println(a.StateAt(start))
	// Output:
	// firing
	// unknown
	// firing
	// resolved
	// none
}

func ExamplePrometheusHandler() {
	ingest := func(ctx context.Context, alerts []alert.Alert) error {
		for _, a := range alerts {
			fmt.Println("ingested", a.Trigger(), a.Labels["instance"])
		}
		return nil
	}
	mux := http.NewServeMux()
	mux.Handle("POST /api/v2/alerts", alert.PrometheusHandler(ingest, nil))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	// What Prometheus sends, with this service listed as an Alertmanager.
	resp, err := http.Post(srv.URL+"/api/v2/alerts", "application/json",
		strings.NewReader(`[{"labels":{"alertname":"TargetDown","instance":"10.244.37.14:9403"}}]`))
	if err != nil {
		fmt.Println(err)
		return
	}
	resp.Body.Close()
	fmt.Println(resp.Status)

	// An invalid label name is refused with the reason.
	resp, err = http.Post(srv.URL+"/api/v2/alerts", "application/json",
		strings.NewReader(`[{"labels":{"alertname":"A"}},{"labels":{"1x":"y"}}]`))
	if err != nil {
		fmt.Println(err)
		return
	}
	reason, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Print(resp.Status, ": ", string(reason))
	// Output:
	// ingested TargetDown 10.244.37.14:9403
	// 200 OK
	// 400 Bad Request: [1].labels: invalid label name "1x"
}
