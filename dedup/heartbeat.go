package dedup

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/common/model"

	"github.com/alertkit/alertkit/alert"
	"github.com/alertkit/alertkit/mql"
)

// Labels of the alert a missing heartbeat produces.
const (
	// HeartbeatMissing is the trigger (alertname) of that alert.
	HeartbeatMissing = "HeartbeatMissing"
	// LabelHeartbeat holds the heartbeat's name.
	LabelHeartbeat = "heartbeat"
)

// Heartbeat is an expected check-in: monitoring of the monitoring. A source
// that must show signs of life every Period — a Prometheus's Watchdog
// alert, which always fires, or a cron job — checks in by sending an alert
// that Match selects, or through Deduper.CheckIn. When a period passes
// without a check-in, the Deduper produces a firing alert with trigger
// HeartbeatMissing and the label heartbeat=<Name>; the next check-in
// resolves it.
type Heartbeat struct {
	// Name identifies the heartbeat; it must be a valid label value.
	Name string
	// Period is the longest time allowed between check-ins.
	Period time.Duration
	// Match selects the alerts that count as check-ins; nil means only
	// Deduper.CheckIn does.
	Match *mql.Query
	// Labels are added to the HeartbeatMissing alert, for routing and
	// severity (team, severity_level, …).
	Labels model.LabelSet
	// Forward keeps check-in alerts in the stream. By default they are
	// consumed: a Watchdog alert would otherwise open an incident that never
	// resolves.
	Forward bool
}

type heartbeat struct {
	Heartbeat
	last     time.Time // the latest check-in, or the registration
	seen     bool      // last is a check-in, not the registration
	deadline time.Time
	missing  bool
}

// ErrUnknownHeartbeat is returned by CheckIn for a name never added.
var ErrUnknownHeartbeat = errors.New("dedup: unknown heartbeat")

// AddHeartbeat registers a heartbeat at time now; its first check-in is due
// a Period later. Adding a heartbeat of an existing name replaces it.
func (d *Deduper) AddHeartbeat(h Heartbeat, now time.Time) error {
	d.ready()
	switch {
	case h.Name == "":
		return errors.New("dedup: heartbeat without a name")
	case h.Period <= 0:
		return fmt.Errorf("dedup: heartbeat %q: period %s is not positive", h.Name, h.Period)
	case !model.LabelValue(h.Name).IsValid():
		return fmt.Errorf("dedup: heartbeat %q: the name is not valid UTF-8", h.Name)
	}
	if err := h.Labels.Validate(); err != nil {
		return fmt.Errorf("dedup: heartbeat %q: labels: %w", h.Name, err)
	}
	d.hbMu.Lock()
	defer d.hbMu.Unlock()
	d.heartbeats[h.Name] = &heartbeat{Heartbeat: h, last: now, deadline: now.Add(h.Period)}
	return nil
}

// HeartbeatState is where a heartbeat stands.
type HeartbeatState struct {
	Name   string
	Period time.Duration
	// Last is the latest check-in, or the registration if none came yet;
	// CheckedIn says which.
	Last      time.Time
	CheckedIn bool
	// Missing is set while its HeartbeatMissing alert fires.
	Missing bool
}

// Heartbeats returns the state of every heartbeat, by name.
func (d *Deduper) Heartbeats() []HeartbeatState {
	d.ready()
	d.hbMu.Lock()
	defer d.hbMu.Unlock()
	out := make([]HeartbeatState, 0, len(d.heartbeats))
	for _, h := range d.heartbeats {
		out = append(out, HeartbeatState{Name: h.Name, Period: h.Period, Last: h.last, CheckedIn: h.seen, Missing: h.missing})
	}
	slices.SortFunc(out, func(a, b HeartbeatState) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// RemoveHeartbeat forgets a heartbeat. A HeartbeatMissing alert it fired
// stays as it is.
func (d *Deduper) RemoveHeartbeat(name string) {
	d.ready()
	d.hbMu.Lock()
	defer d.hbMu.Unlock()
	delete(d.heartbeats, name)
}

// CheckIn records a check-in of the named heartbeat at time at, and returns
// the change that resolves its HeartbeatMissing alert, if it was missing.
func (d *Deduper) CheckIn(name string, at time.Time) ([]Change, error) {
	d.ready()
	d.hbMu.Lock()
	h, ok := d.heartbeats[name]
	var resolve *alert.Alert
	if ok {
		resolve = h.checkIn(at)
	}
	d.hbMu.Unlock()
	if !ok {
		return nil, fmt.Errorf("%w %q", ErrUnknownHeartbeat, name)
	}
	if resolve == nil {
		return nil, nil
	}
	return d.ingest(nil, resolve, -1), nil
}

func (d *Deduper) hasHeartbeats() bool {
	d.hbMu.Lock()
	defer d.hbMu.Unlock()
	return len(d.heartbeats) > 0
}

// observeHeartbeats checks a reported alert in with every heartbeat it
// matches, and reports whether a heartbeat consumes it; index is its place
// in the batch.
func (d *Deduper) observeHeartbeats(out []Change, a *alert.Alert, index int) ([]Change, bool) {
	at := a.UpdatedAt
	if at.IsZero() {
		at = d.opts.Now()
	}
	var resolved []*alert.Alert
	consumed := false
	d.hbMu.Lock()
	for _, h := range d.heartbeats {
		if h.Match == nil || !h.Match.MatchAlert(a, at) {
			continue
		}
		if r := h.checkIn(at); r != nil {
			resolved = append(resolved, r)
		}
		consumed = consumed || !h.Forward
	}
	d.hbMu.Unlock()
	for _, r := range resolved {
		out = d.ingest(out, r, index)
	}
	return out, consumed
}

// checkIn moves the deadline and returns the resolving alert if the
// heartbeat was missing. The caller holds hbMu.
func (h *heartbeat) checkIn(at time.Time) *alert.Alert {
	if at.Before(h.last) {
		return nil
	}
	var resolve *alert.Alert
	if h.missing {
		h.missing = false
		a := h.alert(at)
		a.EndsAt = at
		resolve = &a
	}
	h.last, h.seen = at, true
	h.deadline = at.Add(h.Period)
	return resolve
}

// RestoreHeartbeat tells the Deduper of a check-in of a heartbeat that
// another process saw, or that this one saw before it restarted: the
// latest check-in becomes last if it is later than the Deduper's own, or
// if the Deduper has seen none since the heartbeat was added (its
// deadline then counts from last, not from the registration). The next
// Sweep fires the heartbeat's alert if its deadline has passed. It reports
// whether the heartbeat's deadline moved; an unknown name is ignored.
func (d *Deduper) RestoreHeartbeat(name string, last time.Time) bool {
	d.ready()
	d.hbMu.Lock()
	defer d.hbMu.Unlock()
	h, ok := d.heartbeats[name]
	if !ok || h.missing || (h.seen && !last.After(h.last)) {
		return false
	}
	h.last, h.seen = last, true
	h.deadline = last.Add(h.Period)
	return true
}

// sweepHeartbeats fires the alert of every heartbeat past its deadline.
func (d *Deduper) sweepHeartbeats(out []Change, now time.Time) []Change {
	var firing []alert.Alert
	d.hbMu.Lock()
	for _, h := range d.heartbeats {
		if h.missing || now.Before(h.deadline) {
			continue
		}
		h.missing = true
		a := h.alert(now)
		a.StartsAt = h.deadline
		firing = append(firing, a)
	}
	d.hbMu.Unlock()
	for i := range firing {
		out = d.ingest(out, &firing[i], -1)
	}
	return out
}

// alert is the HeartbeatMissing alert of h, reported at time at.
func (h *heartbeat) alert(at time.Time) alert.Alert {
	labels := model.LabelSet{}
	for k, v := range h.Labels {
		labels[k] = v
	}
	labels[model.AlertNameLabel] = HeartbeatMissing
	labels[LabelHeartbeat] = model.LabelValue(h.Name)
	return alert.Alert{
		Labels: labels,
		Annotations: model.LabelSet{
			"summary": model.LabelValue(fmt.Sprintf("No check-in from %s for %s", h.Name, h.Period)),
			"description": model.LabelValue(fmt.Sprintf("Heartbeat %s expects a check-in every %s; the last was at %s.",
				h.Name, h.Period, h.last.UTC().Format(time.RFC3339))),
		},
		StartsAt:  h.deadline,
		UpdatedAt: at,
		Source:    "heartbeat",
	}
}
