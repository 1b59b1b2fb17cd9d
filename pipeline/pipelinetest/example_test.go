package pipelinetest_test

import (
	"context"
	"fmt"
	"time"

	"github.com/prometheus/common/model"

	"github.com/alertkit/alertkit/alert"
	"github.com/alertkit/alertkit/dedup"
	"github.com/alertkit/alertkit/incident"
	"github.com/alertkit/alertkit/pipeline/pipelinetest"
)

// Faults makes a store fail as a database does, for a host's tests of its
// own code over the store: here, code that records an alert's change in
// an incident and retries when the write fails. A write refused before it
// is made and a write made whose reply was lost both come back as errors;
// the retry after the lost reply finds the incident already there, and
// the group still has one incident.
func ExampleFaults() {
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 14, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	faults := &pipelinetest.Faults{}
	store := faults.Store(incident.NewMemoryStore())
	incidents := incident.NewManager(store, &incident.Options{Now: clock})
	deduper := dedup.New(&dedup.Options{Now: clock})

	// record is the host's code under test: it retries a failed write once.
	record := func(labels model.LabelSet) {
		changes := deduper.Ingest([]alert.Alert{{Labels: labels, StartsAt: now, UpdatedAt: now}})
		for i := range changes {
			_, err := incidents.Observe(ctx, &changes[i], nil)
			if err != nil {
				fmt.Println("write failed:", err)
				_, err = incidents.Observe(ctx, &changes[i], nil)
			}
			if err != nil {
				fmt.Println("retry failed:", err)
			}
		}
	}

	faults.FailNext(1) // the next write fails, not made
	record(model.LabelSet{"alertname": "PostgresDown", "cluster": "main", "instance": "pg-1"})
	faults.LoseReplies(1) // the next write is made, and its reply lost
	record(model.LabelSet{"alertname": "PostgresDown", "cluster": "main", "instance": "pg-2"})

	open, err := store.Search(ctx, incident.Filter{Limit: -1})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, inc := range open {
		fmt.Println(inc.Status, inc.GroupKey, "alerts:", inc.Alerts)
	}
	fmt.Println("faults injected:", faults.Injected())
	// Output:
	// write failed: pipelinetest: injected store failure
	// write failed: pipelinetest: injected store failure
	// open {alertname="PostgresDown"} alerts: 2
	// faults injected: 2
}
