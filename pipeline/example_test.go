package pipeline_test

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/common/model"

	"github.com/alertkit/alertkit/alert"
	"github.com/alertkit/alertkit/notify"
	"github.com/alertkit/alertkit/pipeline"
)

// A service built from its one-file configuration: database alerts page
// the L1 on-call of the sre schedule. A PostgresDown alert fires at
// 14:00; the default severity policy holds a critical alert for two
// minutes before it pages, and the on-call's pager hears of it. The
// on-call acknowledges, and the pager hears of that too. The time is a
// variable that the example moves, given to the service through
// BuildOptions.Now; the pager is a receiver made in code.
func Example() {
	config := []byte(`
routing:
  default: {to: [team:ops], group_by: [alertname, namespace]}
  routes:
    - name: database
      match: trigger =~ "Postgres.*"
      to: ["oncall:sre/L1"]
      group_by: [alertname, cluster]
oncall:
  schedules:
    - name: sre
      layers:
        - {name: L1, members: [alfa, bravo], handoff: "0 8,20 * * *", start: 2026-11-23T08:00:00Z}
contacts:
  people: {alfa: [pager], bravo: [pager]}
  teams: {ops: [pager]}
  digest: [pager]
`)
	file, err := pipeline.ParseFile(config, "alertkit.yaml", ".")
	if err != nil {
		fmt.Println(err)
		return
	}

	var mu sync.Mutex
	now := time.Date(2026, 11, 23, 14, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); defer mu.Unlock(); now = now.Add(d) }
	pager := notify.NotifierFunc(func(_ context.Context, n *notify.Notification) error {
		fmt.Println(clock().Format("15:04:05"), "pager:", n.Reason, n.Incident.SeverityName(), n.Incident.Title, n.People, "—", n.Note)
		return nil
	})
	svc, err := file.Build(pipeline.BuildOptions{
		Now:       clock,
		Receivers: map[string]notify.Notifier{"pager": pager},
		Logger:    slog.New(slog.DiscardHandler),
	})
	if err != nil {
		fmt.Println(err)
		return
	}

	ctx := context.Background()
	labels := model.LabelSet{"alertname": "PostgresDown", "cluster": "main", "instance": "pg-1", "severity": "critical"}
	firing := alert.Alert{Labels: labels, StartsAt: clock(), RefreshBy: clock().Add(4 * time.Minute), Source: "prometheus"}
	if err := svc.Pipeline.Ingest(ctx, []alert.Alert{firing}); err != nil {
		fmt.Println(err)
		return
	}
	// The host runs svc.Pipeline.Run; here, a tick every 15 seconds.
	tick := func(d time.Duration) {
		for end := clock().Add(d); clock().Before(end); {
			advance(15 * time.Second)
			if err := svc.Pipeline.Tick(ctx); err != nil {
				fmt.Println(err)
			}
		}
	}
	tick(3 * time.Minute)

	open, err := svc.Incidents.Search(ctx, "status = open", 10)
	if err != nil || len(open) != 1 {
		fmt.Println(len(open), err)
		return
	}
	inc := open[0]
	fmt.Println("incident:", inc.Status, inc.Title(), inc.Group, "alerts:", inc.Alerts, "owner:", inc.Owner)

	if _, err := svc.Incidents.Acknowledge(ctx, inc.ID, "alfa", "looking at the primary"); err != nil {
		fmt.Println(err)
		return
	}
	tick(30 * time.Second)
	// Output:
	// 14:02:00 pager: escalation S2 PostgresDown [alfa] — step 1 of route:database/page 10m
	// incident: open PostgresDown {alertname="PostgresDown", cluster="main"} alerts: 1 owner: alfa
	// 14:03:15 pager: acknowledged S2 PostgresDown [] — acknowledged by alfa: looking at the primary
}
