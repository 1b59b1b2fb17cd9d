package webhook

import (
	"net/url"
	"time"

	"github.com/prometheus/common/model"

	"github.com/alertkit/alertkit/alert"
	"github.com/alertkit/alertkit/notify"
)

// Version is the version of the alertkit format, the "version" field of a
// [Message]. It changes only if a field is removed or changes its meaning;
// new fields may appear within a version.
const Version = "1"

// AlertmanagerVersion is the version of Alertmanager's webhook payload that
// the alertmanager format writes.
const AlertmanagerVersion = "4"

// Message is the body of the alertkit format: the notification, as
// notify.Notification encodes to JSON, with the format's version first.
// A consumer written in Go decodes it with encoding/json.
type Message struct {
	// Version is Version.
	Version string `json:"version"`
	notify.Notification
}

// amMessage is Alertmanager's webhook payload, version 4, with its fields
// in the order Alertmanager writes them.
type amMessage struct {
	Receiver          string         `json:"receiver"`
	Status            string         `json:"status"`
	Alerts            []amAlert      `json:"alerts"`
	GroupLabels       model.LabelSet `json:"groupLabels"`
	CommonLabels      model.LabelSet `json:"commonLabels"`
	CommonAnnotations model.LabelSet `json:"commonAnnotations"`
	ExternalURL       string         `json:"externalURL"`
	Version           string         `json:"version"`
	GroupKey          string         `json:"groupKey"`
	TruncatedAlerts   uint64         `json:"truncatedAlerts"`
}

// amAlert is an alert of an amMessage.
type amAlert struct {
	Status       string         `json:"status"`
	Labels       model.LabelSet `json:"labels"`
	Annotations  model.LabelSet `json:"annotations"`
	StartsAt     time.Time      `json:"startsAt"`
	EndsAt       time.Time      `json:"endsAt"`
	GeneratorURL string         `json:"generatorURL"`
	Fingerprint  string         `json:"fingerprint"`
}

// The statuses of Alertmanager's payload.
const (
	statusFiring   = "firing"
	statusResolved = "resolved"
)

// alertmanagerMessage builds the Alertmanager payload of a notification:
// one incident, or every item of a digest.
func alertmanagerMessage(n *notify.Notification, maxAlerts int, externalURL string) *amMessage {
	snaps := []notify.Snapshot{n.Incident}
	groupKey, groupLabels := string(n.Incident.ID), n.Incident.Group
	if n.Reason == notify.ReasonDigest {
		snaps = n.Items
		groupKey = n.Key
		sets := make([]model.LabelSet, len(snaps))
		for i := range snaps {
			sets[i] = snaps[i].Group
		}
		groupLabels = common(sets)
	}
	m := &amMessage{
		Receiver:    n.Receiver,
		Status:      statusResolved,
		Alerts:      []amAlert{},
		GroupLabels: nonNil(groupLabels),
		ExternalURL: externalURL,
		Version:     AlertmanagerVersion,
		GroupKey:    groupKey,
	}
	for i := range snaps {
		snap := &snaps[i]
		if snap.Status != "resolved" && snap.Status != "closed" {
			m.Status = statusFiring
		}
		if m.ExternalURL == "" {
			m.ExternalURL = origin(snap.URL)
		}
		// The alerts the snapshot left out, or never kept.
		m.TruncatedAlerts += uint64(max(snap.Truncated, snap.Alerts-len(snap.Members), 0))
		for j := range snap.Members {
			if len(snap.Members[j].Labels) == 0 {
				// Not an alert to a consumer of this format, which would
				// refuse the whole payload for it.
				m.TruncatedAlerts++
				continue
			}
			m.Alerts = append(m.Alerts, amAlertOf(snap, &snap.Members[j], n.At))
		}
	}
	if maxAlerts > 0 && len(m.Alerts) > maxAlerts {
		m.TruncatedAlerts += uint64(len(m.Alerts) - maxAlerts)
		m.Alerts = m.Alerts[:maxAlerts]
	}
	labels := make([]model.LabelSet, len(m.Alerts))
	annotations := make([]model.LabelSet, len(m.Alerts))
	for i := range m.Alerts {
		labels[i], annotations[i] = m.Alerts[i].Labels, m.Alerts[i].Annotations
	}
	m.CommonLabels, m.CommonAnnotations = common(labels), common(annotations)
	return m
}

// amAlertOf is an alert of the payload. Only a resolved alert is resolved;
// one that is pending or whose state is unknown still needs attention, and
// is firing. A firing alert's endsAt is the zero time, as Alertmanager
// writes it; a resolved one ends when it ended, else when its incident was
// resolved, else at the notification's time.
func amAlertOf(snap *notify.Snapshot, a *notify.Alert, at time.Time) amAlert {
	out := amAlert{
		Status:       statusFiring,
		Labels:       nonNil(a.Labels),
		Annotations:  nonNil(a.Annotations),
		StartsAt:     a.StartsAt.UTC(),
		GeneratorURL: a.GeneratorURL,
		Fingerprint:  a.Fingerprint,
	}
	if out.Fingerprint == "" {
		out.Fingerprint = alert.Fingerprint(a.Labels).String()
	}
	if a.State == statusResolved {
		out.Status = statusResolved
		switch {
		case !a.EndsAt.IsZero():
			out.EndsAt = a.EndsAt.UTC()
		case !snap.ResolvedAt.IsZero():
			out.EndsAt = snap.ResolvedAt.UTC()
		default:
			out.EndsAt = at.UTC()
		}
	}
	return out
}

// common returns the labels that every set has, with the same value: {}
// if there are no sets.
func common(sets []model.LabelSet) model.LabelSet {
	out := model.LabelSet{}
	if len(sets) == 0 {
		return out
	}
	for name, value := range sets[0] {
		out[name] = value
	}
	for _, set := range sets[1:] {
		for name, value := range out {
			if v, ok := set[name]; !ok || v != value {
				delete(out, name)
			}
		}
	}
	return out
}

// nonNil returns ls, or {} for nil: Alertmanager writes an empty object,
// never null.
func nonNil(ls model.LabelSet) model.LabelSet {
	if ls == nil {
		return model.LabelSet{}
	}
	return ls
}

// origin is the scheme and host of an absolute http(s) URL, or "".
func origin(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return ""
	}
	return u.Scheme + "://" + u.Host
}
