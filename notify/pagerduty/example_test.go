package pagerduty_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/alertkit/alertkit/notify"
	"github.com/alertkit/alertkit/notify/notifytest"
	"github.com/alertkit/alertkit/notify/pagerduty"
)

// An incident's life in PagerDuty: one alert, keyed by the incident's ID,
// triggered, acknowledged and resolved. A digest is refused.
func Example() {
	// A stand-in for events.pagerduty.com that prints what it receives.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var ev struct {
			Action  string `json:"event_action"`
			Key     string `json:"dedup_key"`
			Payload *struct {
				Summary, Source, Severity string
			} `json:"payload"`
		}
		if err := json.NewDecoder(r.Body).Decode(&ev); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		fmt.Println(r.URL.Path, ev.Action, ev.Key)
		if p := ev.Payload; p != nil {
			fmt.Printf("  %s (%s, source %s)\n", p.Summary, p.Severity, p.Source)
		}
		w.WriteHeader(http.StatusAccepted)
		io.WriteString(w, `{"status":"success","message":"Event processed","dedup_key":"`+ev.Key+`"}`)
	}))
	defer srv.Close()

	s, err := pagerduty.New(&pagerduty.Config{
		RoutingKey: notify.Secret("0123456789abcdef0123456789abcdef"),
		URL:        srv.URL + "/v2/enqueue",
	}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range []notify.Reason{notify.ReasonOpened, notify.ReasonAcknowledged, notify.ReasonResolved, notify.ReasonDigest} {
		if err := s.Notify(context.Background(), notifytest.Sample(r)); err != nil {
			fmt.Println(err)
		}
	}
	// Output:
	// /v2/enqueue trigger 01KAV7Z1S4X7B2WQ5AR6KF
	//   [OPEN] S2 TargetDown in horns-and-hooves (critical, source horns-and-hooves)
	// /v2/enqueue acknowledge 01KAV7Z1S4X7B2WQ5AR6KF
	// /v2/enqueue resolve 01KAV7Z1S4X7B2WQ5AR6KF
	// pagerduty: a digest is not a page: route digests to a chat or email receiver
}

// The severity table with an override: S3 pages as critical.
func ExampleSender_Severity() {
	s, err := pagerduty.New(&pagerduty.Config{
		RoutingKey: "0123456789abcdef0123456789abcdef",
		Severities: map[string]string{"S3": "critical"},
	}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("unknown", s.Severity(0))
	for level := 1; level <= 9; level++ {
		fmt.Printf("S%d %s\n", level, s.Severity(level))
	}
	// Output:
	// unknown error
	// S1 critical
	// S2 critical
	// S3 critical
	// S4 error
	// S5 warning
	// S6 warning
	// S7 info
	// S8 info
	// S9 info
}
