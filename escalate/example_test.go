package escalate_test

import (
	"context"
	"fmt"
	"time"

	"github.com/prometheus/common/model"

	"github.com/alertkit/alertkit/alert"
	"github.com/alertkit/alertkit/dedup"
	"github.com/alertkit/alertkit/escalate"
	"github.com/alertkit/alertkit/incident"
	"github.com/alertkit/alertkit/severity"
)

// A schedule of three 8-hour shifts: who is on call, and the hand-offs of
// a day.
func ExampleSchedule() {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	s := &escalate.Schedule{Name: "sre", Location: berlin, Layers: []*escalate.Layer{{
		Name: "L1", Members: []string{"alfa", "bravo", "charlie"},
		Handoff: "0 0,8,16 * * *", Start: time.Date(2026, 11, 23, 0, 0, 0, 0, berlin),
	}}}
	if err := s.Compile(); err != nil {
		fmt.Println(err)
		return
	}
	who, _ := s.OnCallAt("L1", time.Date(2026, 11, 24, 9, 30, 0, 0, berlin))
	fmt.Println("Tuesday 09:30:", who)
	for _, h := range s.Handoffs("L1", time.Date(2026, 11, 24, 0, 0, 0, 0, berlin), time.Date(2026, 11, 25, 0, 0, 0, 0, berlin)) {
		fmt.Println(h.At.In(berlin).Format("Mon 15:04"), h.From, "→", h.To)
	}
	// Output:
	// Tuesday 09:30: bravo
	// Tue 08:00 alfa → bravo
	// Tue 16:00 bravo → charlie
	// Wed 00:00 charlie → alfa
}

// The response matrix decides: S2 on a Gold service pages within 10
// minutes, so each level of the ladder has 10 minutes to acknowledge
// before the next is paged.
func ExampleEscalator() {
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 14, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	cfg, err := escalate.ParseConfig([]byte(`
schedules:
  - name: sre
    layers:
      - {name: L1, members: [alfa, bravo], handoff: "0 8,20 * * *", start: 2026-11-23T08:00:00Z}
      - {name: L2, members: [delta], handoff: "0 9 * * MON", start: 2026-11-23T09:00:00Z}
ladders:
  sre: [[oncall:sre/L1], [oncall:sre/L2], [team:sre]]
`), "oncall.yaml")
	if err != nil {
		fmt.Println(err)
		return
	}
	incidents := incident.NewManager(incident.NewMemoryStore(), &incident.Options{Now: clock})
	pager := escalate.PagerFunc(func(_ context.Context, p escalate.Page) error {
		fmt.Println(now.Format("15:04"), p.Reason, p.People, p.Teams)
		return nil
	})
	e := escalate.New(incidents, pager, &escalate.Options{Now: clock})
	if err := e.Load(cfg); err != nil {
		fmt.Println(err)
		return
	}

	labels := model.LabelSet{"alertname": "APIErrors", "namespace": "shop", "severity_level": "2", "service_level": "gold"}
	changes := dedup.New(&dedup.Options{Now: clock}).Ingest([]alert.Alert{{Labels: labels, StartsAt: now}})
	inc, _ := incidents.Observe(ctx, &changes[0], nil)
	c, _ := severity.DefaultPolicy().Classify(labels)
	plan, _ := e.PlanFor(c, "sre")
	fmt.Println(c.Level, c.ServiceLevel, c.Response, "→", plan.Policy, "after a hold of", plan.Hold)
	if err := e.Engage(ctx, inc.ID, plan); err != nil {
		fmt.Println(err)
		return
	}
	for range 30 { // the host runs e.Run; here, a minute at a time
		now = now.Add(time.Minute)
		if _, err := e.ProcessTimers(ctx); err != nil {
			fmt.Println(err)
		}
	}
	// Output:
	// S2 gold page 10m → sre/page 10m after a hold of 2m0s
	// 14:02 step 1 of sre/page 10m [alfa] []
	// 14:12 step 2 of sre/page 10m: nobody acknowledged within 10m [delta] []
	// 14:22 step 3 of sre/page 10m: nobody acknowledged within 10m [] [sre]
}
