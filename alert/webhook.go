package alert

import (
	"encoding/json"
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
// DecodePrometheus.
//
// Each alert is taken or refused on its own. When some are invalid,
// DecodeWebhook returns the message and the valid alerts, and a
// *RejectedError that names each of the others by its index in the
// message's alerts and the bad field, as
// "alerts[3].labels: invalid label name \"1x\"": the message and the
// returned alerts are usable when errors.As finds a *RejectedError. The
// message's Alerts then hold the valid ones only, so that msg.Alerts[i] is
// always what alerts[i] was decoded from. A message that cannot be read as
// a whole is refused whole, with no message and no alerts: malformed JSON,
// a version other than WebhookVersion, a status other than firing or
// resolved, a field of the message (not of an alert) of the wrong type, or
// more than DecodeOptions.MaxBytes or MaxAlerts. DecodeOptions.WholeOrNothing
// refuses the message whole for any invalid alert too.
func DecodeWebhook(r io.Reader, opts *DecodeOptions) (*WebhookMessage, []Alert, error) {
	c := opts.config("alertmanager", 0)
	data, err := readBody(r, c.MaxBytes)
	if err != nil {
		return nil, nil, err
	}
	var wire webhookWire
	var bad []error // why wire.Alerts[i] did not decode, if one did not
	if derr := unmarshal(data, &wire, false); derr != nil {
		if _, ok := derr.(*SyntaxError); ok {
			return nil, nil, derr
		}
		// Read the message with its alerts left raw, then each alert alone.
		var env webhookWireOf[json.RawMessage]
		if err := unmarshal(data, &env, false); err != nil {
			return nil, nil, locateError(data, &env, "", false, err)
		}
		if err := checkEnvelope(&env); err != nil {
			return nil, nil, err
		}
		if err := c.checkCount("alerts", len(env.Alerts)); err != nil {
			return nil, nil, err
		}
		wire = webhookWire{
			Version: env.Version, GroupKey: env.GroupKey, TruncatedAlerts: env.TruncatedAlerts,
			Status: env.Status, Receiver: env.Receiver, GroupLabels: env.GroupLabels,
			CommonLabels: env.CommonLabels, CommonAnnotations: env.CommonAnnotations,
			ExternalURL: env.ExternalURL,
		}
		// If every alert decodes alone, what did not is a member of the
		// message given twice, the last time right: refused, as by
		// WholeOrNothing.
		whole := func() error { return locateError(data, &wire, "", false, derr) }
		if wire.Alerts, bad, err = decodeEach[webhookAlertWire](&c, env.Alerts, false, alertsPath, whole); err != nil {
			return nil, nil, err
		}
	}
	if err := checkEnvelope(&wire); err != nil {
		return nil, nil, err
	}
	if err := c.checkCount("alerts", len(wire.Alerts)); err != nil {
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
	alerts := make([]Alert, len(wire.Alerts))
	var refused []Rejection
	n := 0
	for i := range wire.Alerts {
		var err error
		if bad != nil && bad[i] != nil {
			err = bad[i]
		} else {
			w := &wire.Alerts[i]
			msg.Alerts[n] = WebhookAlert{
				Status:       w.Status,
				Labels:       w.Labels,
				Annotations:  w.Annotations,
				StartsAt:     w.StartsAt,
				EndsAt:       w.EndsAt,
				GeneratorURL: w.GeneratorURL,
				Fingerprint:  w.Fingerprint,
			}
			err = c.webhookAlert(&alerts[n], &msg.Alerts[n], alertsPath(i))
		}
		if err == nil {
			n++
			continue
		}
		if c.WholeOrNothing {
			return nil, nil, err
		}
		refused = append(refused, Rejection{Index: i, Err: err})
	}
	clear(alerts[n:])
	clear(msg.Alerts[n:])
	msg.Alerts = msg.Alerts[:n]
	return &msg, alerts[:n], rejected(refused, len(wire.Alerts))
}

// checkEnvelope checks the fields of a webhook message that are about the
// message as a whole.
func checkEnvelope[A any](w *webhookWireOf[A]) error {
	if w.Version != WebhookVersion {
		return fieldErr("version", "got %q, want %q", w.Version, WebhookVersion)
	}
	if w.Status != "firing" && w.Status != "resolved" {
		return fieldErr("status", "got %q, want firing or resolved", w.Status)
	}
	return nil
}

// alertsPath is the path of the alert at index i of a webhook message.
func alertsPath(i int) string { return fmt.Sprintf("alerts[%d]", i) }

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
