package incident_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/prometheus/common/model"

	"github.com/alertkit/alertkit/alert"
	"github.com/alertkit/alertkit/dedup"
	"github.com/alertkit/alertkit/incident"
)

func ExampleManager() {
	ctx := context.Background()
	now := time.Date(2026, 10, 26, 18, 20, 59, 0, time.UTC)
	d := dedup.New(nil)
	m := incident.NewManager(incident.NewMemoryStore(), &incident.Options{
		Now:     func() time.Time { return now },
		Entropy: rand.NewChaCha8([32]byte{}),
	})
	send := func(alerts ...alert.Alert) *incident.Incident {
		var inc *incident.Incident
		for _, c := range d.Ingest(alerts) {
			inc, _ = m.Observe(ctx, &c, nil)
		}
		return inc
	}
	down := func(instance string) model.LabelSet {
		return model.LabelSet{"alertname": "TargetDown", "namespace": "d8-cert-manager", "instance": model.LabelValue(instance)}
	}

	inc := send(
		alert.Alert{Labels: down("10.244.37.14:9403"), StartsAt: now, UpdatedAt: now},
		alert.Alert{Labels: down("10.244.37.15:9403"), StartsAt: now, UpdatedAt: now},
	)
	fmt.Println(inc.Status, inc.Alerts, "alerts:", inc.GroupKey)

	now = now.Add(2 * time.Minute)
	inc, _ = m.Acknowledge(ctx, inc.ID, "andrey.polovov", "on it")
	inc, _ = m.Snooze(ctx, inc.ID, "andrey.polovov", incident.SnoozeOptions{For: time.Hour, ResolveIfOK: true, Comment: "node rebooting"})
	fmt.Println(inc.Status, "until", inc.Snooze.Until.Format(time.TimeOnly))

	now = now.Add(4*time.Minute + 30*time.Second)
	start := time.Date(2026, 10, 26, 18, 20, 59, 0, time.UTC)
	inc = send(
		alert.Alert{Labels: down("10.244.37.14:9403"), StartsAt: start, EndsAt: now, UpdatedAt: now},
		alert.Alert{Labels: down("10.244.37.15:9403"), StartsAt: start, EndsAt: now, UpdatedAt: now},
	)
	fmt.Println(inc.Status, "after", inc.ClosedAt.Sub(inc.CreatedAt))

	history, _ := m.Store().History(ctx, inc.ID)
	for _, e := range history {
		fmt.Println(e.At.Format(time.TimeOnly), e.Actor, e.Kind, e.Note)
	}
	// Output:
	// open 2 alerts: {alertname="TargetDown", namespace="d8-cert-manager"}
	// snoozed until 19:22:59
	// closed after 6m30s
	// 18:20:59 alertkit opened {alertname="TargetDown", namespace="d8-cert-manager"}
	// 18:20:59 alertkit alert_joined TargetDown
	// 18:20:59 alertkit alert_joined TargetDown
	// 18:22:59 andrey.polovov acknowledged on it
	// 18:22:59 andrey.polovov snoozed until 2026-10-26T19:22:59Z, resolve if OK: node rebooting
	// 18:27:29 alertkit alert_resolved TargetDown
	// 18:27:29 alertkit alert_resolved TargetDown
	// 18:27:29 alertkit closed all alerts resolved while snoozed
}

func ExampleSummarize() {
	members := []incident.Member{
		{Labels: model.LabelSet{"alertname": "IngressErrors5xx", "kubernetes": "main"}},
		{Labels: model.LabelSet{"alertname": "NodePressureConditions", "kubernetes": "main", "node": "kube-3"}},
		{Labels: model.LabelSet{"alertname": "NodePressureConditions", "kubernetes": "main", "node": "kube-1"}},
	}
	fmt.Println(incident.Summarize(members))
	// Output:
	// trigger = IngressErrors5xx, NodePressureConditions
	// kubernetes = main
	// node = kube-1, kube-3
}
