package webhook_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/prometheus/common/model"

	"github.com/alertkit/alertkit/notify"
	"github.com/alertkit/alertkit/notify/webhook"
)

// A consumer of the alertmanager format, and what it receives.
func Example() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		fmt.Println(r.Method, r.URL.Path)
		for _, h := range []string{"Content-Type", "Idempotency-Key", "Authorization", webhook.HeaderTimestamp, webhook.HeaderSignature} {
			fmt.Printf("%s: %s\n", h, r.Header.Get(h))
		}
		var pretty bytes.Buffer
		_ = json.Indent(&pretty, body, "", "  ")
		fmt.Println(pretty.String())
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()

	at := time.Date(2026, 11, 23, 16, 52, 10, 0, time.UTC)
	s, err := webhook.New(&webhook.Config{
		URL:         notify.Secret(srv.URL + "/hooks/alertkit"),
		Format:      webhook.FormatAlertmanager,
		BearerToken: "s3cr3t",
		SigningKey:  "signing-key",
	}, &webhook.Options{Now: func() time.Time { return at }})
	if err != nil {
		fmt.Println(err)
		return
	}
	err = s.Notify(context.Background(), &notify.Notification{
		Key: "01KAV80M2N9D0C4EDZP7X3/opened", Reason: notify.ReasonOpened, At: at, Receiver: "ops",
		Incident: notify.Snapshot{
			ID: "01KAV80M2N9D0C4EDZP7X3", Status: "open", Title: "DiskWillFillIn24h",
			Group: model.LabelSet{"alertname": "DiskWillFillIn24h"}, Alerts: 1, Active: 1,
			Members: []notify.Alert{{
				Fingerprint: "3b5f2c1d9e8a7f60", State: "firing", StartsAt: at.Add(-10 * time.Minute),
				Labels:      model.LabelSet{"alertname": "DiskWillFillIn24h", "instance": "db-1"},
				Annotations: model.LabelSet{"summary": "/var/lib/postgresql fills in 20h"},
			}},
			URL: "https://alerts.example.com/incidents/01KAV80M2N9D0C4EDZP7X3",
		},
	})
	fmt.Println("error:", err)
	// Output:
	// POST /hooks/alertkit
	// Content-Type: application/json
	// Idempotency-Key: 01KAV80M2N9D0C4EDZP7X3/opened
	// Authorization: Bearer s3cr3t
	// X-Alertkit-Timestamp: 1795452730
	// X-Alertkit-Signature: sha256=c3d2952d3a2a3bd5771a43c15ee3ea6e3abe832af9a16048a844b55e800fac6b
	// {
	//   "receiver": "ops",
	//   "status": "firing",
	//   "alerts": [
	//     {
	//       "status": "firing",
	//       "labels": {
	//         "alertname": "DiskWillFillIn24h",
	//         "instance": "db-1"
	//       },
	//       "annotations": {
	//         "summary": "/var/lib/postgresql fills in 20h"
	//       },
	//       "startsAt": "2026-11-23T16:42:10Z",
	//       "endsAt": "0001-01-01T00:00:00Z",
	//       "generatorURL": "",
	//       "fingerprint": "3b5f2c1d9e8a7f60"
	//     }
	//   ],
	//   "groupLabels": {
	//     "alertname": "DiskWillFillIn24h"
	//   },
	//   "commonLabels": {
	//     "alertname": "DiskWillFillIn24h",
	//     "instance": "db-1"
	//   },
	//   "commonAnnotations": {
	//     "summary": "/var/lib/postgresql fills in 20h"
	//   },
	//   "externalURL": "https://alerts.example.com",
	//   "version": "4",
	//   "groupKey": "01KAV80M2N9D0C4EDZP7X3",
	//   "truncatedAlerts": 0
	// }
	// error: <nil>
}

// A consumer checks the signature before it trusts the body.
func ExampleVerify() {
	key := []byte("signing-key")
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 8<<20))
		if err != nil {
			http.Error(w, "too large", http.StatusRequestEntityTooLarge)
			return
		}
		now := time.Unix(1795452730, 0) // time.Now() in a real consumer
		err = webhook.Verify(key, r.Header.Get(webhook.HeaderTimestamp), r.Header.Get(webhook.HeaderSignature), body, now, 5*time.Minute)
		switch {
		case errors.Is(err, webhook.ErrTooOld), errors.Is(err, webhook.ErrInFuture):
			http.Error(w, "stale request", http.StatusUnauthorized)
		case err != nil:
			http.Error(w, "bad signature", http.StatusUnauthorized)
		default:
			fmt.Fprintf(w, "accepted %s", r.Header.Get("Idempotency-Key"))
		}
	})

	send := func(timestamp, body string, sign string) {
		r := httptest.NewRequest(http.MethodPost, "/hooks/alertkit", bytes.NewBufferString(body))
		r.Header.Set("Idempotency-Key", "01KAV7Z1S4X7B2WQ5AR6KF/opened")
		r.Header.Set(webhook.HeaderTimestamp, timestamp)
		r.Header.Set(webhook.HeaderSignature, webhook.Signature(key, timestamp, []byte(sign)))
		w := httptest.NewRecorder()
		handler.ServeHTTP(w, r)
		fmt.Println(w.Code, strings.TrimSpace(w.Body.String()))
	}
	body := `{"version":"1","key":"01KAV7Z1S4X7B2WQ5AR6KF/opened"}`
	send("1795452730", body, body)              // as the sender signs it
	send("1795452730", `{"version":"1"}`, body) // the body was altered
	send("1795449130", body, body)              // signed an hour ago: a replay
	// Output:
	// 200 accepted 01KAV7Z1S4X7B2WQ5AR6KF/opened
	// 401 bad signature
	// 401 stale request
}
