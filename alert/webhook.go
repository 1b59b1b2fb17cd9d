package alert

import (
	"fmt"
	"io"
	"time"

	"github.com/prometheus/common/model"
)

// WebhookVersion is the version of Alertmanager's webhook message that
// DecodeWebhook reads.
const WebhookVersion = "4"

// WebhookMessage is the body that Alertmanager's webhook receiver posts,
// version 4. Unknown fields are ignored, so that newer Alertmanagers keep
// working.
type WebhookMessage struct {
	Version string `json:"version"`
	// GroupKey identifies the Alertmanager group the message is about.
	GroupKey string `json:"groupKey"`
	// TruncatedAlerts counts the alerts of the group that were left out of
	// Alerts because of the receiver's max_alerts.
	TruncatedAlerts uint64 `json:"truncatedAlerts"`
	// Status is "firing" if any alert of the group fires, else "resolved".
	Status            string         `json:"status"`
	Receiver          string         `json:"receiver"`
	GroupLabels       model.LabelSet `json:"groupLabels"`
	CommonLabels      model.LabelSet `json:"commonLabels"`
	CommonAnnotations model.LabelSet `json:"commonAnnotations"`
	// ExternalURL links to the Alertmanager that sent the message.
	ExternalURL string         `json:"externalURL"`
	Alerts      []WebhookAlert `json:"alerts"`
}

// WebhookAlert is one alert of a WebhookMessage.
type WebhookAlert struct {
	// Status is "firing" or "resolved".
	Status      string         `json:"status"`
	Labels      model.LabelSet `json:"labels"`
	Annotations model.LabelSet `json:"annotations"`
	StartsAt    time.Time      `json:"startsAt"`
	// EndsAt is zero while the alert fires, when Alertmanager sends it.
	EndsAt       time.Time `json:"endsAt"`
	GeneratorURL string    `json:"generatorURL"`
	// Fingerprint is Alertmanager's, the same as [Fingerprint] of Labels.
	Fingerprint string `json:"fingerprint"`
}

// DecodeWebhook reads an Alertmanager webhook message (version 4) and returns
// it with its alerts, which are lasting. A resolved alert ends at its endsAt
// (the time of receipt if it has none). A firing alert has no endsAt from
// Alertmanager; if one is given, it is the refresh deadline, as in
// DecodePrometheus. Either the whole message decodes, or the error names the
// first bad field, as "alerts[3].labels: invalid label name \"1x\"".
func DecodeWebhook(r io.Reader, opts *DecodeOptions) (*WebhookMessage, []Alert, error) {
	c := opts.config("alertmanager", 0)
	data, err := readBody(r, c.MaxBytes)
	if err != nil {
		return nil, nil, err
	}
	var wire webhookWire
	if err := decodeJSON(data, &wire, false); err != nil {
		return nil, nil, err
	}
	msg := WebhookMessage{
		Version:           wire.Version,
		GroupKey:          wire.GroupKey,
		TruncatedAlerts:   wire.TruncatedAlerts,
		Status:            wire.Status,
		Receiver:          wire.Receiver,
		GroupLabels:       wire.GroupLabels,
		CommonLabels:      wire.CommonLabels,
		CommonAnnotations: wire.CommonAnnotations,
		ExternalURL:       wire.ExternalURL,
		Alerts:            make([]WebhookAlert, len(wire.Alerts)),
	}
	if msg.Version != WebhookVersion {
		return nil, nil, fieldErr("version", "got %q, want %q", msg.Version, WebhookVersion)
	}
	if msg.Status != "firing" && msg.Status != "resolved" {
		return nil, nil, fieldErr("status", "got %q, want firing or resolved", msg.Status)
	}
	if err := c.checkCount("alerts", len(msg.Alerts)); err != nil {
		return nil, nil, err
	}
	alerts := make([]Alert, len(wire.Alerts))
	for i := range wire.Alerts {
		w := &wire.Alerts[i]
		msg.Alerts[i] = WebhookAlert{
			Status:       w.Status,
			Labels:       w.Labels,
			Annotations:  w.Annotations,
			StartsAt:     w.StartsAt,
			EndsAt:       w.EndsAt,
			GeneratorURL: w.GeneratorURL,
			Fingerprint:  w.Fingerprint,
		}
		if err := c.webhookAlert(&alerts[i], &msg.Alerts[i], fmt.Sprintf("alerts[%d]", i)); err != nil {
			return nil, nil, err
		}
	}
	return &msg, alerts, nil
}

func (c *decodeConfig) webhookAlert(a *Alert, w *WebhookAlert, path string) error {
	*a = Alert{
		Labels:       w.Labels,
		Annotations:  w.Annotations,
		StartsAt:     w.StartsAt,
		UpdatedAt:    c.now,
		GeneratorURL: w.GeneratorURL,
		Source:       c.Source,
	}
	switch w.Status {
	case "firing":
		a.RefreshBy = w.EndsAt
		if a.RefreshBy.IsZero() {
			a.RefreshBy = c.ttlDeadline()
		}
	case "resolved":
		a.EndsAt = w.EndsAt
		if a.EndsAt.IsZero() {
			a.EndsAt = c.now
		}
	default:
		return fieldErr(joinPath(path, "status"), "got %q, want firing or resolved", w.Status)
	}
	return c.check(path, a, "endsAt")
}
