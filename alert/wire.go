package alert

import (
	"time"

	"github.com/prometheus/common/model"
)

// The decoders read the Alertmanager formats into these unexported mirrors
// of WebhookMessage and PostableAlert, whose label sets have no JSON method
// of their own: model.LabelSet's UnmarshalJSON parses its input a second
// time, which made it half the cost of decoding. Names are checked by
// Validate instead.

type labelMap = map[model.LabelName]model.LabelValue

// webhookWire is a webhook message; webhookWireOf[json.RawMessage] is one
// with its alerts left undecoded.
type webhookWire = webhookWireOf[webhookAlertWire]

type webhookWireOf[A any] struct {
	Version           string   `json:"version"`
	GroupKey          string   `json:"groupKey"`
	TruncatedAlerts   uint64   `json:"truncatedAlerts"`
	Status            string   `json:"status"`
	Receiver          string   `json:"receiver"`
	GroupLabels       labelMap `json:"groupLabels"`
	CommonLabels      labelMap `json:"commonLabels"`
	CommonAnnotations labelMap `json:"commonAnnotations"`
	ExternalURL       string   `json:"externalURL"`
	Alerts            []A      `json:"alerts"`
}

type webhookAlertWire struct {
	Status       string    `json:"status"`
	Labels       labelMap  `json:"labels"`
	Annotations  labelMap  `json:"annotations"`
	StartsAt     time.Time `json:"startsAt"`
	EndsAt       time.Time `json:"endsAt"`
	GeneratorURL string    `json:"generatorURL"`
	Fingerprint  string    `json:"fingerprint"`
}

type postableWire struct {
	Labels       labelMap  `json:"labels"`
	Annotations  labelMap  `json:"annotations"`
	StartsAt     time.Time `json:"startsAt"`
	EndsAt       time.Time `json:"endsAt"`
	GeneratorURL string    `json:"generatorURL"`
}
