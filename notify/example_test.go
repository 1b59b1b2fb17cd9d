package notify_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/prometheus/common/model"

	"github.com/alertkit/alertkit/alert"
	"github.com/alertkit/alertkit/dedup"
	"github.com/alertkit/alertkit/incident"
	"github.com/alertkit/alertkit/notify"
)

// A page through the Dispatcher: the notification goes into the outbox
// in the incident store, and ProcessTimers delivers it. The pager is
// overloaded at first and answers 503 with Retry-After; the dispatcher
// tries again after the wait it asked for, and the delivery log shows
// both attempts. The host runs Dispatcher.Run; here, the example moves
// its own clock and calls ProcessTimers every ten seconds.
func ExampleDispatcher() {
	ctx := context.Background()
	var mu sync.Mutex
	now := time.Date(2026, 11, 23, 14, 2, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); defer mu.Unlock(); now = now.Add(d) }

	// An incident in the store, as the pipeline makes them.
	store := incident.NewMemoryStore()
	incidents := incident.NewManager(store, &incident.Options{Now: clock, Entropy: rand.NewChaCha8([32]byte{})})
	labels := model.LabelSet{"alertname": "PostgresDown", "cluster": "main", "severity": "critical"}
	changes := dedup.New(&dedup.Options{Now: clock}).Ingest([]alert.Alert{{Labels: labels, StartsAt: clock()}})
	inc, err := incidents.Observe(ctx, &changes[0], nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	view, err := incidents.View(ctx, inc.ID)
	if err != nil {
		fmt.Println(err)
		return
	}

	calls := 0
	pager := notify.NotifierFunc(func(_ context.Context, n *notify.Notification) error {
		calls++
		if calls == 1 {
			return &notify.StatusError{StatusCode: 503, Status: "503 Service Unavailable", RetryAfter: 30 * time.Second, Retry: true}
		}
		fmt.Println(clock().Format(time.TimeOnly), "paged", n.People, "about", n.Incident.Title)
		return nil
	})
	d, err := notify.NewDispatcher(store, map[string]notify.Notifier{"pager": pager}, &notify.Options{Now: clock})
	if err != nil {
		fmt.Println(err)
		return
	}
	err = d.Send(ctx, &notify.Notification{
		Key: string(inc.ID) + "/page/1", Reason: notify.ReasonEscalation, At: clock(), Receiver: "pager",
		People: []string{"alfa"}, Note: "step 1 of sre/page 10m", Incident: notify.NewSnapshot(view, nil),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for range 6 {
		if _, err := d.ProcessTimers(ctx); err != nil {
			fmt.Println(err)
		}
		advance(10 * time.Second)
	}

	attempts, err := d.Log().Attempts(ctx, inc.ID)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, a := range attempts {
		line := fmt.Sprintf("%s %s %s, attempt %d: %s", a.At.Format(time.TimeOnly), a.Receiver, a.Reason, a.Number, a.Outcome)
		if a.Error != "" {
			line += " (" + a.Error + "), tried again at " + a.RetryAt.Format(time.TimeOnly)
		}
		fmt.Println(line)
	}
	// Output:
	// 14:02:30 paged [alfa] about PostgresDown
	// 14:02:00 pager escalation, attempt 1: failed (503 Service Unavailable), tried again at 14:02:30
	// 14:02:30 pager escalation, attempt 2: delivered
}
