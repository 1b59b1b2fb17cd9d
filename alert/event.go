package alert

import (
	"bytes"
	"fmt"
	"io"
	"time"

	"github.com/prometheus/common/model"
)

// Event is alertkit's generic JSON format, for sources that speak neither of
// Alertmanager's formats: cron jobs, deploy tools, scripts, other monitoring
// systems. A body is one event object or an array of them.
//
// An instant event, something that happened:
//
//	{"labels": {"alertname": "BackupFailed", "db": "orders"},
//	 "annotations": {"summary": "pg_dump exited with status 1"},
//	 "startsAt": "2026-11-23T03:00:12Z"}
//
// A lasting alert, a condition, with an explicit status:
//
//	{"status": "firing", "ttl": "5m",
//	 "labels": {"alertname": "QueueBacklog", "queue": "emails"}}
//	{"status": "resolved",
//	 "labels": {"alertname": "QueueBacklog", "queue": "emails"}}
//
// The fields:
//
//   - kind: "instant" or "lasting". When absent, an event with a status is
//     lasting and one without is instant.
//   - status: for a lasting alert, "pending", "firing" or "resolved";
//     required. An instant event has none.
//   - labels: required, at least one; they identify the alert.
//   - annotations: optional descriptions.
//   - startsAt: when the condition began or the event happened (RFC 3339);
//     default the time of receipt (for a resolved alert, its endsAt).
//   - endsAt: for a resolved alert, when it ended; default the time of
//     receipt. Not allowed with any other status.
//   - ttl: for a pending or firing alert, how long it stays so without being
//     sent again before its state becomes unknown, as a duration ("90s",
//     "5m", "1h30m", "1d"). Default DecodeOptions.RefreshTTL, which is none.
//   - generatorURL: a link to what produced the event.
//   - source: the name of the sender; default DecodeOptions.Source.
//
// Unknown fields are refused, so that a misspelt field is an error rather
// than lost.
type Event struct {
	Kind         string         `json:"kind,omitempty"`
	Status       string         `json:"status,omitempty"`
	Labels       model.LabelSet `json:"labels"`
	Annotations  model.LabelSet `json:"annotations,omitempty"`
	StartsAt     time.Time      `json:"startsAt,omitzero"`
	EndsAt       time.Time      `json:"endsAt,omitzero"`
	TTL          model.Duration `json:"ttl,omitempty"`
	GeneratorURL string         `json:"generatorURL,omitempty"`
	Source       string         `json:"source,omitempty"`
}

// DecodeEvents reads a body of the generic format (see Event): one event or a
// JSON array of them. Either every event decodes, or the error names the
// first bad field, as "[2].status: got \"ok\", want pending, firing or
// resolved".
func DecodeEvents(r io.Reader, opts *DecodeOptions) ([]Alert, error) {
	c := opts.config("", 0)
	data, err := readBody(r, c.MaxBytes)
	if err != nil {
		return nil, err
	}
	var events []Event
	single := bytes.TrimLeft(data, " \t\r\n")[0] == '{'
	if single {
		events = make([]Event, 1)
		err = decodeJSON(data, &events[0], true)
	} else {
		err = decodeJSON(data, &events, true)
	}
	if err != nil {
		return nil, err
	}
	if err := c.checkCount("body", len(events)); err != nil {
		return nil, err
	}
	alerts := make([]Alert, len(events))
	for i := range events {
		path := fmt.Sprintf("[%d]", i)
		if single {
			path = ""
		}
		if err := c.event(&alerts[i], &events[i], path); err != nil {
			return nil, err
		}
	}
	return alerts, nil
}

func (c *decodeConfig) event(a *Alert, e *Event, path string) error {
	at := func(field string) string { return joinPath(path, field) }
	*a = Alert{
		Labels:       e.Labels,
		Annotations:  e.Annotations,
		StartsAt:     e.StartsAt,
		UpdatedAt:    c.now,
		GeneratorURL: e.GeneratorURL,
		Source:       e.Source,
	}
	if a.Source == "" {
		a.Source = c.Source
	}
	switch e.Kind {
	case "":
		if e.Status == "" {
			a.Kind = KindInstant
		}
	case "instant":
		a.Kind = KindInstant
	case "lasting":
	default:
		return fieldErr(at("kind"), "got %q, want instant or lasting", e.Kind)
	}

	if a.Kind == KindInstant {
		switch {
		case e.Status != "":
			return fieldErr(at("status"), "set on an instant event, which has no state")
		case !e.EndsAt.IsZero():
			return fieldErr(at("endsAt"), "set on an instant event, which never ends")
		case e.TTL != 0:
			return fieldErr(at("ttl"), "set on an instant event, which is never refreshed")
		}
	} else {
		switch e.Status {
		case "pending", "firing":
			a.Pending = e.Status == "pending"
			if !e.EndsAt.IsZero() {
				return fieldErr(at("endsAt"), "set on a %s alert; send status \"resolved\" to end it", e.Status)
			}
			a.RefreshBy = c.ttlDeadline()
			if e.TTL > 0 {
				a.RefreshBy = c.now.Add(time.Duration(e.TTL))
			}
		case "resolved":
			if e.TTL != 0 {
				return fieldErr(at("ttl"), "set on a resolved alert, which is not refreshed")
			}
			a.EndsAt = e.EndsAt
			if a.EndsAt.IsZero() {
				a.EndsAt = c.now
			}
		case "":
			return fieldErr(at("status"), "missing: a lasting alert is pending, firing or resolved")
		default:
			return fieldErr(at("status"), "got %q, want pending, firing or resolved", e.Status)
		}
	}
	if a.StartsAt.IsZero() {
		a.StartsAt = c.now
		if !a.EndsAt.IsZero() && a.EndsAt.Before(c.now) {
			a.StartsAt = a.EndsAt
		}
	}
	return c.check(path, a, "ttl")
}
