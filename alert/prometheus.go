package alert

import (
	"encoding/json"
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
// Each alert is taken or refused on its own, as Alertmanager does. When
// some are invalid, DecodePrometheus returns the valid ones, in payload
// order, and a *RejectedError that names each of the others by its index
// and the bad field, as "[3].labels: invalid label name \"1x\"": the
// returned alerts are usable when errors.As finds a *RejectedError. A
// payload that cannot be read as a whole is refused whole, with no alerts:
// malformed JSON (*SyntaxError), an empty body or one that is not an array
// (*FieldError), or more than DecodeOptions.MaxBytes or MaxAlerts
// (*LimitError). DecodeOptions.WholeOrNothing refuses the payload whole for
// any invalid alert too.
func DecodePrometheus(r io.Reader, opts *DecodeOptions) ([]Alert, error) {
	c := opts.config("prometheus", DefaultPrometheusTTL)
	data, err := readBody(r, c.MaxBytes)
	if err != nil {
		return nil, err
	}
	var posted []postableWire
	var bad []error // why posted[i] did not decode, if one did not
	if derr := unmarshal(data, &posted, false); derr != nil {
		if _, ok := derr.(*SyntaxError); ok {
			return nil, derr
		}
		whole := func() error { return locateError(data, &posted, "", false, derr) }
		var elems []json.RawMessage
		if json.Unmarshal(data, &elems) != nil { // not an array
			return nil, whole()
		}
		if err := c.checkCount("body", len(elems)); err != nil {
			return nil, err
		}
		if posted, bad, err = decodeEach[postableWire](&c, elems, false, indexPath, whole); err != nil {
			return nil, err
		}
	}
	if err := c.checkCount("body", len(posted)); err != nil {
		return nil, err
	}
	alerts := make([]Alert, len(posted))
	var refused []Rejection
	n := 0
	for i := range posted {
		var err error
		if bad != nil && bad[i] != nil {
			err = bad[i]
		} else {
			err = c.postableAlert(&alerts[n], &posted[i], indexPath(i))
		}
		if err == nil {
			n++
			continue
		}
		if c.WholeOrNothing {
			return nil, err
		}
		refused = append(refused, Rejection{Index: i, Err: err})
	}
	clear(alerts[n:])
	return alerts[:n], rejected(refused, len(posted))
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
