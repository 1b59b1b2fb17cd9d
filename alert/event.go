package alert

import (
	"bytes"
	"encoding/json"
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
// JSON array of them.
//
// Each event is taken or refused on its own. When some are invalid,
// DecodeEvents returns the valid ones, in payload order, and a
// *RejectedError that names each of the others by its index and the bad
// field, as "[2].status: got \"ok\", want pending, firing or resolved": the
// returned alerts are usable when errors.As finds a *RejectedError. A
// single event object that is invalid is the rejection of index 0, with a
// path of its own field only ("status: ..."). A payload that cannot be read
// as a whole is refused whole, with no alerts: malformed JSON or data after
// it (*SyntaxError), an empty body or one that is neither an object nor an
// array (*FieldError), or more than DecodeOptions.MaxBytes or MaxAlerts
// (*LimitError). DecodeOptions.WholeOrNothing refuses the payload whole for
// any invalid event too.
func DecodeEvents(r io.Reader, opts *DecodeOptions) ([]Alert, error) {
	c := opts.config("", 0)
	data, err := readBody(r, c.MaxBytes)
	if err != nil {
		return nil, err
	}
	var events []Event
	var bad []error // why events[i] did not decode, if one did not
	single := bytes.TrimLeft(data, " \t\r\n")[0] == '{'
	var derr error
	if single {
		events = make([]Event, 1)
		derr = unmarshal(data, &events[0], true)
	} else {
		derr = unmarshal(data, &events, true)
	}
	if derr != nil {
		if _, ok := derr.(*SyntaxError); ok {
			return nil, derr
		}
		if single {
			events[0] = Event{}
			bad = []error{locateError(data, &events[0], "", true, derr)}
		} else {
			whole := func() error { return locateError(data, &events, "", true, derr) }
			var elems []json.RawMessage
			if json.Unmarshal(data, &elems) != nil { // not an array
				return nil, whole()
			}
			if err := c.checkCount("body", len(elems)); err != nil {
				return nil, err
			}
			if events, bad, err = decodeEach[Event](&c, elems, true, indexPath, whole); err != nil {
				return nil, err
			}
		}
	}
	if err := c.checkCount("body", len(events)); err != nil {
		return nil, err
	}
	alerts := make([]Alert, len(events))
	var refused []Rejection
	n := 0
	for i := range events {
		var err error
		switch {
		case bad != nil && bad[i] != nil:
			err = bad[i]
		case single:
			err = c.event(&alerts[n], &events[i], "")
		default:
			err = c.event(&alerts[n], &events[i], indexPath(i))
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
	return alerts[:n], rejected(refused, len(events))
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
