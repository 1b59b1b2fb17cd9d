package incidentapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/prometheus/common/model"

	"github.com/alertkit/alertkit/alert"
	"github.com/alertkit/alertkit/dedup"
	"github.com/alertkit/alertkit/incident"
	"github.com/alertkit/alertkit/incident/incidentapi"
)

func Example() {
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 9, 28, 12, 0, time.UTC)
	clock := func() time.Time { return now }
	m := incident.NewManager(incident.NewMemoryStore(), &incident.Options{Now: clock, Entropy: rand.NewChaCha8([32]byte{})})

	// An alert opens an incident, which a triage rule assigns.
	d := dedup.New(&dedup.Options{Now: clock})
	var inc *incident.Incident
	for _, ch := range d.Ingest([]alert.Alert{{
		Labels:   model.LabelSet{"alertname": "KubernetesDaemonSetReplicasUnavailable", "namespace": "d8-monitoring"},
		StartsAt: now,
	}}) {
		inc, _ = m.Observe(ctx, &ch, nil)
	}
	inc, _ = m.Assign(ctx, inc.ID, "triage", "vasiliy.vasiliyev")

	// The service mounts the API under /api/.
	api, err := incidentapi.New(m, &incidentapi.Options{
		Authenticate: func(r *http.Request) (string, error) {
			if r.Header.Get("Authorization") == "Bearer t-vasiliy" {
				return "vasiliy.vasiliyev", nil
			}
			return "", errors.New("unknown token")
		},
		Changed: func(_ context.Context, inc *incident.Incident, kind incident.EventKind) {
			fmt.Println("changed:", kind)
		},
		Now: clock,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	mux := http.NewServeMux()
	mux.Handle("/api/", http.StripPrefix("/api", api))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	// The owner acknowledges it, a minute later.
	now = now.Add(time.Minute)
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/incidents/"+string(inc.ID)+"/acknowledge",
		strings.NewReader(`{"note":"looking"}`))
	req.Header.Set("Authorization", "Bearer t-vasiliy")
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	var got incidentapi.Incident
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(resp.Status)
	fmt.Println(got.Status, "owner:", got.Owner)
	fmt.Println("acknowledged at", got.AckedAt.Format(time.TimeOnly))
	// Output:
	// changed: acknowledged
	// 200 OK
	// acknowledged owner: vasiliy.vasiliyev
	// acknowledged at 09:29:12
}
