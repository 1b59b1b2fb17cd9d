package severity

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/common/model"
)

// ServiceLevel is how much a service matters: None, Silver, Gold or
// Platinum. The zero value is None, the level of a service nobody said.
type ServiceLevel uint8

// The service levels, least first.
const (
	ServiceLevelNone ServiceLevel = iota
	ServiceLevelSilver
	ServiceLevelGold
	ServiceLevelPlatinum
)

var serviceNames = [...]string{ServiceLevelNone: "none", ServiceLevelSilver: "silver", ServiceLevelGold: "gold", ServiceLevelPlatinum: "platinum"}

// String returns the service level in lower case.
func (s ServiceLevel) String() string {
	if int(s) < len(serviceNames) {
		return serviceNames[s]
	}
	return fmt.Sprintf("ServiceLevel(%d)", uint8(s))
}

// ParseServiceLevel reads a service level, in any case.
func ParseServiceLevel(s string) (ServiceLevel, error) {
	for i, n := range serviceNames {
		if strings.EqualFold(n, s) {
			return ServiceLevel(i), nil
		}
	}
	return 0, fmt.Errorf("unknown service level %q (want platinum, gold, silver or none)", s)
}

// MarshalText encodes the service level as its String.
func (s ServiceLevel) MarshalText() ([]byte, error) {
	if s > ServiceLevelPlatinum {
		return nil, fmt.Errorf("invalid service level %d", uint8(s))
	}
	return []byte(s.String()), nil
}

// UnmarshalText decodes a service level with ParseServiceLevel.
func (s *ServiceLevel) UnmarshalText(b []byte) error {
	v, err := ParseServiceLevel(string(b))
	if err == nil {
		*s = v
	}
	return err
}

// Mode is how an alert is handled.
type Mode uint8

// The modes.
const (
	// ModeRetrospective: not handled; recorded, and reviewed in the
	// retrospective. The zero Mode.
	ModeRetrospective Mode = iota
	// ModePage: interrupt a person, who must respond within the deadline.
	ModePage
	// ModeBatch: handled asynchronously, in big batches: a digest.
	ModeBatch
)

// Response is a cell of the response matrix: a mode, and for Page the time a
// person has to respond, for Batch how often the digest goes out.
type Response struct {
	Mode   Mode
	Within time.Duration
}

// String returns "page 10m", "batch 24h" or "retrospective".
func (r Response) String() string {
	switch r.Mode {
	case ModePage:
		return "page " + FormatDuration(r.Within)
	case ModeBatch:
		return "batch " + FormatDuration(r.Within)
	}
	return "retrospective"
}

// FormatDuration writes a duration in hours, minutes and seconds, without
// the zero ones, as response-time tables do: "24h", "10m", "1m30s", "0s".
func FormatDuration(d time.Duration) string {
	if d == 0 {
		return "0s"
	}
	var b strings.Builder
	if d < 0 {
		b.WriteByte('-')
		d = -d
	}
	for _, u := range []struct {
		unit time.Duration
		name string
	}{{time.Hour, "h"}, {time.Minute, "m"}, {time.Second, "s"}, {time.Millisecond, "ms"}} {
		if n := d / u.unit; n > 0 {
			b.WriteString(strconv.FormatInt(int64(n), 10) + u.name)
			d -= n * u.unit
		}
	}
	return b.String()
}

// ParseResponse reads a Response from its String. "—" and "-" are read as
// retrospective, as response-time tables write it.
func ParseResponse(s string) (Response, error) {
	mode, within, _ := strings.Cut(strings.TrimSpace(s), " ")
	within = strings.TrimSpace(within)
	switch strings.ToLower(mode) {
	case "retrospective", "—", "-":
		if within != "" {
			return Response{}, fmt.Errorf("%q: retrospective takes no duration", s)
		}
		return Response{Mode: ModeRetrospective}, nil
	case "page", "batch":
		if within == "" {
			return Response{}, fmt.Errorf("%q: %s needs a duration, as %q", s, mode, mode+" 10m")
		}
		d, err := model.ParseDuration(within)
		if err != nil || d <= 0 {
			return Response{}, fmt.Errorf("%q: invalid duration %q (want 90s, 10m, 24h, …)", s, within)
		}
		m := ModePage
		if strings.EqualFold(mode, "batch") {
			m = ModeBatch
		}
		return Response{Mode: m, Within: time.Duration(d)}, nil
	}
	return Response{}, fmt.Errorf("%q: unknown mode (want page <duration>, batch <duration> or retrospective)", s)
}

// MarshalText encodes the response as its String.
func (r Response) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// UnmarshalText decodes a response with ParseResponse.
func (r *Response) UnmarshalText(b []byte) error {
	v, err := ParseResponse(string(b))
	if err == nil {
		*r = v
	}
	return err
}

// Responses maps service level × level to a Response:
// Responses[serviceLevel][level-1].
type Responses [4][9]Response

// DefaultResponses is the response-time table of the alerts that carry a
// service level. Minutes page; 24h batches into a daily digest; "—" is
// retrospective:
//
//	service level  S1   S2   S3   S4   S5   S6   S7   S8  S9
//	Platinum       1m   5m   10m  30m  24h  24h  24h  —   —
//	Gold           5m   10m  30m  24h  24h  24h  —    —   —
//	Silver         10m  30m  24h  24h  24h  —    —    —   —
//	None           24h  24h  24h  24h  —    —    —    —   —
func DefaultResponses() Responses {
	page := func(d time.Duration) Response { return Response{Mode: ModePage, Within: d} }
	day := Response{Mode: ModeBatch, Within: 24 * time.Hour}
	retro := Response{}
	m := time.Minute
	return Responses{
		ServiceLevelPlatinum: {page(m), page(5 * m), page(10 * m), page(30 * m), day, day, day, retro, retro},
		ServiceLevelGold:     {page(5 * m), page(10 * m), page(30 * m), day, day, day, retro, retro, retro},
		ServiceLevelSilver:   {page(10 * m), page(30 * m), day, day, day, retro, retro, retro, retro},
		ServiceLevelNone:     {day, day, day, day, retro, retro, retro, retro, retro},
	}
}

// DefaultUnclassified is the response row of an alert that has no service
// level — no service_level label, and none from the service catalogue —
// by level: DefaultUnclassified()[level-1]. Such an alert belongs to a
// service nobody has classified yet, which an on-call engineer treats as a
// production service until told otherwise: it pages as a Gold service
// does, and batches or records as a Silver one does:
//
//	level         S1       S2        S3        S4   S5   S6  S7  S8  S9
//	unclassified  page 5m  page 10m  page 30m  24h  24h  —   —   —   —
//
// So the Prometheus severity critical (S2) pages within ten minutes,
// warning (S4) goes to the daily digest, and info (S6) is only recorded.
// It differs from the None row of [DefaultResponses], which answers for a
// service labelled service_level="none": one that someone has said nobody
// is on call for.
func DefaultUnclassified() [9]Response {
	page := func(d time.Duration) Response { return Response{Mode: ModePage, Within: d} }
	day := Response{Mode: ModeBatch, Within: 24 * time.Hour}
	retro := Response{}
	m := time.Minute
	return [9]Response{page(5 * m), page(10 * m), page(30 * m), day, day, retro, retro, retro, retro}
}

// Cell names a cell of the response tables: a level in the row of a
// service level of [Responses], or in the row of unclassified alerts
// ([Policy.Unclassified]). In an Unclassified cell, ServiceLevel is None.
type Cell struct {
	ServiceLevel ServiceLevel
	// Unclassified selects the row of the alerts that have no service level.
	Unclassified bool
	Level        Level
}

// String returns "gold S2", or "unclassified S2".
func (c Cell) String() string {
	if c.Unclassified {
		return unclassifiedRow + " " + c.Level.String()
	}
	return c.ServiceLevel.String() + " " + c.Level.String()
}

// unclassifiedRow is the name of the row of unclassified alerts in YAML and
// in explanations.
const unclassifiedRow = "unclassified"

// Response returns the cell of a service level and a level; retrospective
// for an unknown level.
func (r *Responses) Response(sl ServiceLevel, l Level) Response {
	if sl > ServiceLevelPlatinum || !l.Valid() {
		return Response{}
	}
	return r[sl][l-1]
}

// DefaultHold returns how long a pending alert is held before it may page,
// for a response: a fifth of a page's deadline, at most five minutes (S1 on
// Platinum, 1m to respond, is held 12 seconds; S4 on Platinum, 30m, five
// minutes); a quarter of an hour for a batch, which a digest collects
// anyway; nothing for a retrospective one, which is only recorded. The
// pending hold moves the "for:" of alerting rules into one place: sources
// send alerts while still pending, and the pipeline decides how long to wait
// — too late against too much.
func DefaultHold(r Response) time.Duration {
	switch r.Mode {
	case ModePage:
		return min(r.Within/5, 5*time.Minute)
	case ModeBatch:
		return 15 * time.Minute
	}
	return 0
}
