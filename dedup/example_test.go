package dedup_test

import (
	"fmt"
	"time"

	"github.com/prometheus/common/model"

	"github.com/alertkit/alertkit/alert"
	"github.com/alertkit/alertkit/dedup"
	"github.com/alertkit/alertkit/mql"
)

func ExampleDeduper() {
	d := dedup.New(nil)
	labels := model.LabelSet{"alertname": "KubernetesDaemonSetReplicasUnavailable", "daemonset": "node-exporter"}
	start := time.Date(2026, 9, 3, 9, 27, 42, 0, time.UTC)
	report := func(at time.Time, end time.Time) {
		a := alert.Alert{Labels: labels, StartsAt: start, EndsAt: end, UpdatedAt: at}
		for _, c := range d.Ingest([]alert.Alert{a}) {
			fmt.Println(at.Format(time.TimeOnly), c.String())
		}
	}
	report(start, time.Time{})
	report(start.Add(30*time.Second), time.Time{}) // a repeat: nothing
	report(start.Add(10*time.Minute), start.Add(10*time.Minute))
	start = time.Date(2026, 9, 3, 9, 48, 42, 0, time.UTC)
	report(start, time.Time{}) // fires again
	report(start.Add(21*time.Minute), start.Add(21*time.Minute))

	rec, _ := d.Get(alert.Fingerprint(labels))
	fmt.Println(rec.Firings.Len(), "firings:", rec.Firings.String())
	// Output:
	// 09:27:42 new firing {alertname="KubernetesDaemonSetReplicasUnavailable", daemonset="node-exporter"}
	// 09:37:42 firing → resolved {alertname="KubernetesDaemonSetReplicasUnavailable", daemonset="node-exporter"}
	// 09:48:42 resolved → firing {alertname="KubernetesDaemonSetReplicasUnavailable", daemonset="node-exporter"}
	// 10:09:42 firing → resolved {alertname="KubernetesDaemonSetReplicasUnavailable", daemonset="node-exporter"}
	// 2 firings: 09:27:42 → 09:37:42, 09:48:42 → 10:09:42
}

func ExampleDeduper_AddHeartbeat() {
	d := dedup.New(nil)
	now := time.Date(2026, 10, 26, 0, 0, 0, 0, time.UTC)
	_ = d.AddHeartbeat(dedup.Heartbeat{
		Name:   "prometheus-main",
		Period: 5 * time.Minute,
		Match:  mql.MustParse(`trigger = Watchdog`),
	}, now)

	watchdog := alert.Alert{Labels: model.LabelSet{"alertname": "Watchdog"}, StartsAt: now, UpdatedAt: now.Add(time.Minute)}
	fmt.Println(len(d.Ingest([]alert.Alert{watchdog})), "changes: the check-in is consumed")
	for _, c := range d.Sweep(now.Add(6 * time.Minute)) {
		fmt.Println(c.String())
	}
	watchdog.UpdatedAt = now.Add(8 * time.Minute)
	for _, c := range d.Ingest([]alert.Alert{watchdog}) {
		fmt.Println(c.String())
	}
	// Output:
	// 0 changes: the check-in is consumed
	// new firing {alertname="HeartbeatMissing", heartbeat="prometheus-main"}
	// firing → resolved {alertname="HeartbeatMissing", heartbeat="prometheus-main"}
}
