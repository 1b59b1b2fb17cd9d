package alert

import (
	"fmt"
	"io"
	"time"

	"github.com/prometheus/common/model"
)

// PostableAlert is one alert as Prometheus posts it to an Alertmanager's
// POST /api/v2/alerts, whose body is a JSON array of them. vmalert and the
// Loki and Mimir rulers post the same format.
type PostableAlert struct {
	Labels      model.LabelSet `json:"labels"`
	Annotations model.LabelSet `json:"annotations,omitempty"`
	StartsAt    time.Time      `json:"startsAt,omitzero"`
	// EndsAt is, for a firing alert, the time by which the sender promises
	// to post it again; a time already past means the alert resolved then.
	EndsAt       time.Time `json:"endsAt,omitzero"`
	GeneratorURL string    `json:"generatorURL,omitempty"`
}

// DecodePrometheus reads the body of POST /api/v2/alerts: a JSON array of
// PostableAlerts. Each becomes a lasting alert, read at the time of receipt
// (DecodeOptions.Now):
//
//   - endsAt after the time of receipt is the refresh deadline (RefreshBy):
//     Prometheus re-sends firing alerts well before it, and if it stops, the
//     alert goes unknown rather than resolved;
//   - endsAt at or before the time of receipt means resolved then (EndsAt);
//   - no endsAt means a refresh deadline of DecodeOptions.RefreshTTL from
//     receipt (default 5m, as Alertmanager's resolve_timeout);
//   - no startsAt means the time of receipt (of the end, if resolved).
//
// Either every alert decodes, or the error names the first bad field, as
// "[3].labels: invalid label name \"1x\"".
func DecodePrometheus(r io.Reader, opts *DecodeOptions) ([]Alert, error) {
	c := opts.config("prometheus", DefaultPrometheusTTL)
	data, err := readBody(r, c.MaxBytes)
	if err != nil {
		return nil, err
	}
	var posted []postableWire
	if err := decodeJSON(data, &posted, false); err != nil {
		return nil, err
	}
	if err := c.checkCount("body", len(posted)); err != nil {
		return nil, err
	}
	alerts := make([]Alert, len(posted))
	for i := range posted {
		if err := c.postableAlert(&alerts[i], &posted[i], fmt.Sprintf("[%d]", i)); err != nil {
			return nil, err
		}
	}
	return alerts, nil
}

func (c *decodeConfig) postableAlert(a *Alert, p *postableWire, path string) error {
	*a = Alert{
		Labels:       p.Labels,
		Annotations:  p.Annotations,
		StartsAt:     p.StartsAt,
		UpdatedAt:    c.now,
		GeneratorURL: p.GeneratorURL,
		Source:       c.Source,
	}
	switch {
	case !a.StartsAt.IsZero():
	case !p.EndsAt.IsZero() && !p.EndsAt.After(c.now):
		a.StartsAt = p.EndsAt // resolved, start unknown: as Alertmanager does
	default:
		a.StartsAt = c.now
	}
	switch {
	case p.EndsAt.IsZero():
		a.RefreshBy = c.ttlDeadline()
	case p.EndsAt.After(c.now):
		a.RefreshBy = p.EndsAt
	default:
		a.EndsAt = p.EndsAt
	}
	return c.check(path, a, "endsAt")
}
