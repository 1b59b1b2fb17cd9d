package notifytest

import (
	"time"

	"github.com/prometheus/common/model"

	"github.com/alertkit/alertkit/incident"
	"github.com/alertkit/alertkit/notify"
)

// At is the time of the sample notifications.
var At = time.Date(2026, 11, 23, 16, 52, 10, 0, time.UTC)

// Sample returns a realistic notification of a reason, the same on every
// call: an S2 incident of three TargetDown alerts on a Gold service, owned
// by vasiliy.vasiliyev, with a runbook — and labels and annotations that
// carry markup (<b>, &, quotes, an @channel) and non-ASCII text, which a
// sender must show as text. Senders use it in their golden tests.
func Sample(reason notify.Reason) *notify.Notification {
	snap := notify.Snapshot{
		ID: "01KAV7Z1S4X7B2WQ5AR6KF", Status: "open", Severity: 2, ServiceLevel: "gold",
		Title:   "TargetDown in horns-and-hooves",
		Group:   model.LabelSet{"alertname": "TargetDown", "namespace": "horns-and-hooves"},
		Project: "horns-and-hooves", Team: "sre", Owner: "vasiliy.vasiliyev",
		Summary: incident.Summary{
			{Name: "trigger", Values: []string{"TargetDown"}},
			{Name: "instance", Values: []string{"10.244.37.14:9403", "10.244.37.15:9403", "10.244.37.16:9403"}},
			{Name: "job", Values: []string{"checkout <b>&amp;</b> \"payments\""}},
			{Name: "namespace", Values: []string{"horns-and-hooves"}},
		},
		Alerts: 3, Active: 2,
		Members: []notify.Alert{
			{Fingerprint: "215e6ac02d37b72b", State: "firing", Firings: 2,
				Labels:      model.LabelSet{"alertname": "TargetDown", "instance": "10.244.37.14:9403", "job": "checkout <b>&amp;</b> \"payments\"", "namespace": "horns-and-hooves"},
				Annotations: model.LabelSet{"summary": "Target 10.244.37.14:9403 is down — <script>alert(1)</script> @channel", "description": "Цель недоступна 5 минут; 目标不可用"},
				StartsAt:    At.Add(-8 * time.Minute), GeneratorURL: "http://prometheus.example.com/graph?g0.expr=up+%3D%3D+0"},
			{Fingerprint: "f5e9a5394faec084", State: "firing", Firings: 1,
				Labels:   model.LabelSet{"alertname": "TargetDown", "instance": "10.244.37.15:9403", "job": "checkout <b>&amp;</b> \"payments\"", "namespace": "horns-and-hooves"},
				StartsAt: At.Add(-8 * time.Minute)},
			{Fingerprint: "70222b93ce9976b1", State: "resolved", Firings: 1,
				Labels:   model.LabelSet{"alertname": "TargetDown", "instance": "10.244.37.16:9403", "job": "checkout <b>&amp;</b> \"payments\"", "namespace": "horns-and-hooves"},
				StartsAt: At.Add(-8 * time.Minute), EndsAt: At.Add(-2 * time.Minute)},
		},
		CreatedAt: At.Add(-8 * time.Minute),
		Runbooks:  []notify.Link{{Title: "Targets are down", URL: "https://runbooks.example.com/target-down"}},
		URL:       "https://alerts.example.com/incidents/01KAV7Z1S4X7B2WQ5AR6KF",
	}
	n := &notify.Notification{
		Key: string(snap.ID) + "/" + string(reason), Reason: reason, At: At, Receiver: "ops",
		People: []string{"vasiliy.vasiliyev"}, Teams: []string{"sre"}, Incident: snap,
	}
	switch reason {
	case notify.ReasonOpened:
		n.Note = "a new incident"
	case notify.ReasonEscalation:
		n.Key = string(snap.ID) + "/escalate/2"
		n.Note = "step 2 of sre/page 10m: nobody acknowledged within 10m"
	case notify.ReasonAcknowledged:
		n.Incident.Status, n.Incident.AckedAt = "acknowledged", At
		n.Note = "acknowledged by vasiliy.vasiliyev: looking"
	case notify.ReasonResolved:
		n.Incident.Status, n.Incident.ResolvedAt, n.Incident.Active = "resolved", At, 0
		for i := range n.Incident.Members {
			n.Incident.Members[i].State, n.Incident.Members[i].EndsAt = "resolved", At
		}
		n.Note = "all alerts resolved"
	case notify.ReasonHandover:
		n.People = []string{"anna.petrova"}
		n.Incident.Owner = "anna.petrova"
		n.Note = "shift change at 2026-11-23 16:00 CET: vasiliy.vasiliyev hands over to anna.petrova (sre L1)"
	case notify.ReasonDigest:
		n.Key = "digest/ops/2026-11-24T09:00:00Z"
		n.People, n.Teams = nil, []string{"sre"}
		n.Note = "3 incidents of the last day, batch responses"
		disk := snap
		disk.ID, disk.Severity, disk.Title, disk.Alerts, disk.Active = "01KAV80M2N9D0C4EDZP7X3", 5, "DiskWillFillIn24h in horns-and-hooves", 1, 1
		disk.Members, disk.Summary, disk.Runbooks, disk.Owner = nil, incident.Summary{{Name: "trigger", Values: []string{"DiskWillFillIn24h"}}}, nil, ""
		disk.URL = "https://alerts.example.com/incidents/01KAV80M2N9D0C4EDZP7X3"
		backup := disk
		backup.ID, backup.Severity, backup.Title, backup.Status, backup.Active = "01KAV81B7Q3S5T6VEPMJ6R", 6, "BackupFailed <db=orders>", "resolved", 0
		backup.URL = ""
		n.Items = []notify.Snapshot{snap, disk, backup}
	}
	return n
}
