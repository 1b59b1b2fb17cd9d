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
	var rej *alert.RejectedError
	var fe *alert.FieldError
	if errors.As(err, &rej) && errors.As(rej.Rejections[0].Err, &fe) {
		fmt.Println(rej.Rejections[0].Index, fe.Path)
	}
	// Output:
	// BackupFailed instant none 12:00AM
	// QueueBacklog lasting firing 9:10AM
	// 1 of 1 alerts refused: status: got "ok", want pending, firing or resolved
	// 0 status
}

// A payload with an invalid alert: the valid alerts beside it are taken,
// and the error names the one refused.
func ExampleRejectedError() {
	body := `[
	  {"labels": {"alertname": "TargetDown", "instance": "10.244.37.14:9403"}},
	  {"labels": {"alertname": "TargetDown", "instance": "10.244.37.15:9403", "1x": "y"}},
	  {"labels": {"alertname": "TargetDown", "instance": "10.244.37.16:9403"}}
	]`
	alerts, err := alert.DecodePrometheus(strings.NewReader(body), nil)
	var rej *alert.RejectedError
	if err != nil && !errors.As(err, &rej) {
		fmt.Println("payload refused:", err) // nothing was taken
		return
	}
	for _, a := range alerts {
		fmt.Println("taken", a.Labels["instance"])
	}
	if rej != nil {
		for _, r := range rej.Rejections {
			fmt.Println("refused", r.Index, r.Err)
		}
		fmt.Println(err)
	}
	// Output:
	// taken 10.244.37.14:9403
	// taken 10.244.37.16:9403
	// refused 1 [1].labels: invalid label name "1x"
	// 1 of 3 alerts refused: [1].labels: invalid label name "1x"
}

// An IngestFunc that records alerts one by one says which it could not.
func ExampleRejected() {
	errs := []error{nil, errors.New("disk full"), nil, nil}
	err := alert.Rejected(errs)
	fmt.Println(err)
	fmt.Println(alert.Rejected(make([]error, 4)) == nil)
	// Output:
	// 1 of 4 alerts refused: [1]: disk full
	// true
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

	// An alert with an invalid label name is refused with the reason; its
	// valid neighbour is taken.
	resp, err = http.Post(srv.URL+"/api/v2/alerts", "application/json",
		strings.NewReader(`[{"labels":{"alertname":"TargetDown","instance":"10.244.37.15:9403"}},{"labels":{"1x":"y"}}]`))
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
	// ingested TargetDown 10.244.37.15:9403
	// 400 Bad Request: 1 of 2 alerts refused: [1].labels: invalid label name "1x"
}

func ExampleNewServer() {
	mux := http.NewServeMux()
	mux.Handle("POST /api/v2/alerts", alert.PrometheusHandler(func(context.Context, []alert.Alert) error { return nil }, nil))
	srv := alert.NewServer(":8080", mux)
	// An IngestFunc that may wait longer on its store needs more time to
	// answer.
	srv.WriteTimeout = time.Minute
	fmt.Println(srv.ReadHeaderTimeout, srv.ReadTimeout, srv.WriteTimeout, srv.IdleTimeout, srv.MaxHeaderBytes)
	// Then go srv.ListenAndServe(), and srv.Shutdown(ctx) to stop.

	// Output:
	// 10s 30s 1m0s 2m0s 65536
}

func ExampleBodyBudget() {
	ingest := func(context.Context, []alert.Alert) error { return nil }
	// One budget for the bodies of the whole service: the intake's
	// handlers and another API.
	budget := alert.NewBodyBudget(alert.DefaultInFlightBytes)
	opts := &alert.HandlerOptions{Budget: budget}
	notes := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, "noted %s", body)
	})
	mux := http.NewServeMux()
	mux.Handle("POST /api/v2/alerts", alert.PrometheusHandler(ingest, opts))
	mux.Handle("POST /alerts/webhook", alert.WebhookHandler(ingest, opts))
	mux.Handle("POST /notes", budget.Limit(notes, 64<<10))

	send := func(path, body string) {
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, path, strings.NewReader(body)))
		fmt.Println(rec.Code, rec.Header().Get("Retry-After"), strings.TrimSpace(rec.Body.String()))
	}
	send("/notes", "failover done")

	// While other requests hold the whole budget, a body is refused unread.
	budget.TryReserve(budget.Size())
	send("/api/v2/alerts", `[{"labels":{"alertname":"TargetDown"}}]`)
	send("/notes", "failover done")
	budget.Release(budget.Size())
	send("/api/v2/alerts", `[{"labels":{"alertname":"TargetDown"}}]`)
	// Output:
	// 200  noted failover done
	// 503 1 intake busy: the request bodies in flight fill its budget; retry later
	// 503 1 busy: the request bodies in flight fill the server's budget; retry later
	// 200
}
