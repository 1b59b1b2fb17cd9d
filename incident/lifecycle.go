package incident

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// modify reads an incident, lets change alter it, and writes it back,
// retrying on a conflict.
func (m *Manager) modify(ctx context.Context, id ID, change func(inc *Incident, w *Write, now time.Time) error) (*Incident, error) {
	if err := m.check(); err != nil {
		return nil, err
	}
	return retry(ctx, func() (*Incident, error) {
		inc, err := m.store.Get(ctx, id)
		if err != nil {
			return nil, err
		}
		now := m.opts.Now()
		var w Write
		if err := change(inc, &w, now); err != nil {
			return nil, err
		}
		if err := m.store.Update(ctx, inc, w); err != nil {
			return nil, err
		}
		return inc, nil
	})
}

// transition changes the status if from is one of the allowed ones. A
// snoozed incident whose alerts all resolved meanwhile, and that is woken
// or acknowledged, resolves at once: only the snooze kept it.
func (m *Manager) transition(ctx context.Context, id ID, op string, to Status, kind EventKind, actor, note string, allowed ...Status) (*Incident, error) {
	return m.modify(ctx, id, func(inc *Incident, w *Write, now time.Time) error {
		if !contains(allowed, inc.Status) {
			return &TransitionError{ID: id, Op: op, From: inc.Status, To: to}
		}
		from := inc.Status
		m.setStatus(inc, w, now, to, kind, actor, note)
		if from == StatusSnoozed && to.Active() {
			m.resolveIfQuiet(inc, w, now)
		}
		return nil
	})
}

func contains(list []Status, s Status) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Acknowledge marks an open or snoozed incident as taken in hand, which
// stops its escalation.
func (m *Manager) Acknowledge(ctx context.Context, id ID, actor, note string) (*Incident, error) {
	return m.transition(ctx, id, "acknowledge", StatusAcknowledged, EventAcknowledged, actor, note, StatusOpen, StatusSnoozed)
}

// Unacknowledge returns an acknowledged incident to open.
func (m *Manager) Unacknowledge(ctx context.Context, id ID, actor, note string) (*Incident, error) {
	return m.transition(ctx, id, "unacknowledge", StatusOpen, EventUnacknowledged, actor, note, StatusAcknowledged)
}

// ResolveOptions say how a person resolves an incident: with a note, and
// by force — while some of its alerts are still active.
type ResolveOptions struct {
	Note  string
	Force bool
}

// Resolve resolves an active incident. While some of its alerts are still
// active it is refused with ErrAlertsActive, unless o.Force is set.
func (m *Manager) Resolve(ctx context.Context, id ID, actor string, o ResolveOptions) (*Incident, error) {
	note, force := o.Note, o.Force
	return m.modify(ctx, id, func(inc *Incident, w *Write, now time.Time) error {
		if !inc.Status.Active() {
			return &TransitionError{ID: id, Op: "resolve", From: inc.Status, To: StatusResolved}
		}
		if inc.Active > 0 && !force {
			return fmt.Errorf("%w: incident %s has %d active alerts; resolve with force to override", ErrAlertsActive, id, inc.Active)
		}
		m.setStatus(inc, w, now, StatusResolved, EventResolved, actor, note)
		return nil
	})
}

// Close archives a resolved incident.
func (m *Manager) Close(ctx context.Context, id ID, actor, note string) (*Incident, error) {
	return m.transition(ctx, id, "close", StatusClosed, EventClosed, actor, note, StatusResolved)
}

// Reopen returns a resolved or closed incident to open. It fails with
// ErrGroupActive if its group has opened another incident since.
func (m *Manager) Reopen(ctx context.Context, id ID, actor, note string) (*Incident, error) {
	return m.modify(ctx, id, func(inc *Incident, w *Write, now time.Time) error {
		if inc.Status != StatusResolved && inc.Status != StatusClosed {
			return &TransitionError{ID: id, Op: "reopen", From: inc.Status, To: StatusOpen}
		}
		m.reopen(inc, w, now, actor, note)
		return nil
	})
}

// Assign makes someone the owner of an incident that is not closed. It
// replaces a pending hand-over.
func (m *Manager) Assign(ctx context.Context, id ID, actor, assignee string) (*Incident, error) {
	if assignee == "" {
		return nil, fmt.Errorf("%w: assign to nobody", ErrInvalid)
	}
	return m.modify(ctx, id, func(inc *Incident, w *Write, now time.Time) error {
		if inc.Status == StatusClosed {
			return &TransitionError{ID: id, Op: "assign", From: inc.Status, To: inc.Status}
		}
		w.Events = append(w.Events, Event{At: now, Kind: EventAssigned, Actor: actor, From: inc.Owner, To: assignee})
		inc.Owner, inc.Handover, inc.UpdatedAt = assignee, nil, now
		return nil
	})
}

// Comment adds a comment to an incident's history.
func (m *Manager) Comment(ctx context.Context, id ID, actor, text string) error {
	if err := m.check(); err != nil {
		return err
	}
	if strings.TrimSpace(text) == "" {
		return fmt.Errorf("%w: empty comment", ErrInvalid)
	}
	return m.store.AppendHistory(ctx, id, Event{At: m.opts.Now(), Kind: EventCommented, Actor: actor, Note: text})
}

// Record adds an entry to an incident's history without changing the
// incident: the escalation and notification stages record their steps so.
func (m *Manager) Record(ctx context.Context, id ID, e Event) error {
	if err := m.check(); err != nil {
		return err
	}
	if e.At.IsZero() {
		e.At = m.opts.Now()
	}
	if e.Actor == "" {
		e.Actor = m.opts.Actor
	}
	return m.store.AppendHistory(ctx, id, e)
}

// HandoverOptions say to whom an incident is handed over, with what note.
type HandoverOptions struct {
	To   string
	Note string
}

// Handover passes an active incident from its owner to someone else, with
// a note: the baton. The new owner holds it at once, and must accept it;
// until then Incident.Handover shows it, and escalation may act on it. An
// incident without an owner may be handed over by anyone.
func (m *Manager) Handover(ctx context.Context, id ID, from string, o HandoverOptions) (*Incident, error) {
	to, note := o.To, o.Note
	if to == "" || to == from {
		return nil, fmt.Errorf("%w: hand-over from %q to %q", ErrInvalid, from, to)
	}
	return m.modify(ctx, id, func(inc *Incident, w *Write, now time.Time) error {
		if !inc.Status.Active() {
			return &TransitionError{ID: id, Op: "hand over", From: inc.Status, To: inc.Status}
		}
		if inc.Owner != "" && inc.Owner != from {
			return fmt.Errorf("%w: %s owns incident %s, not %s", ErrNotOwner, inc.Owner, id, from)
		}
		inc.Owner = to
		inc.Handover = &Handover{From: from, To: to, Note: note, At: now}
		inc.UpdatedAt = now
		w.Events = append(w.Events, Event{At: now, Kind: EventHandedOver, Actor: from, From: from, To: to, Note: note})
		m.followUp(inc, w, now, EventHandedOver)
		return nil
	})
}

// AcceptHandover is the new owner taking the baton.
func (m *Manager) AcceptHandover(ctx context.Context, id ID, actor string) (*Incident, error) {
	return m.modify(ctx, id, func(inc *Incident, w *Write, now time.Time) error {
		if inc.Handover == nil || inc.Handover.To != actor {
			return fmt.Errorf("%w: incident %s has no hand-over to %s", ErrNoHandover, id, actor)
		}
		w.Events = append(w.Events, Event{At: now, Kind: EventHandoverAccepted, Actor: actor, From: inc.Handover.From, To: actor})
		inc.Handover, inc.UpdatedAt = nil, now
		return nil
	})
}

// SnoozePresets are the durations a snooze dialog offers: 30 minutes, 1, 3
// and 6 hours.
func SnoozePresets() []time.Duration {
	return []time.Duration{30 * time.Minute, time.Hour, 3 * time.Hour, 6 * time.Hour}
}

// SnoozeOptions say how long to snooze: exactly one of For, Until and
// Forever.
type SnoozeOptions struct {
	For     time.Duration
	Until   time.Time
	Forever bool // use carefully: only a new alert or a higher severity wakes it
	// ResolveIfOK closes the incident if all its alerts resolve while it is
	// snoozed; otherwise it stays snoozed until it wakes.
	ResolveIfOK bool
	Comment     string
}

// Snooze puts an active incident aside: smart ignore. It wakes when the
// time runs out, when a new alert joins, or when its severity rises.
// Snoozing a snoozed incident replaces the snooze.
func (m *Manager) Snooze(ctx context.Context, id ID, actor string, o SnoozeOptions) (*Incident, error) {
	set := 0
	for _, given := range []bool{o.For != 0, !o.Until.IsZero(), o.Forever} {
		if given {
			set++
		}
	}
	if set != 1 {
		return nil, fmt.Errorf("%w: snooze for a duration, until a time, or forever: exactly one of them", ErrInvalid)
	}
	if o.For < 0 {
		return nil, fmt.Errorf("%w: snooze for %s", ErrInvalid, o.For)
	}
	return m.modify(ctx, id, func(inc *Incident, w *Write, now time.Time) error {
		if !inc.Status.Active() {
			return &TransitionError{ID: id, Op: "snooze", From: inc.Status, To: StatusSnoozed}
		}
		until := o.Until
		if o.For > 0 {
			until = now.Add(o.For)
		}
		if !o.Forever && !until.After(now) {
			return fmt.Errorf("%w: snooze until %s, which is not in the future", ErrInvalid, until.Format(time.RFC3339))
		}
		note := "forever"
		if !o.Forever {
			note = "until " + until.UTC().Format(time.RFC3339)
		}
		if o.ResolveIfOK {
			note += ", resolve if OK"
		}
		if o.Comment != "" {
			note += ": " + o.Comment
		}
		m.setStatus(inc, w, now, StatusSnoozed, EventSnoozed, actor, note)
		inc.Snooze = &Snooze{Until: until, Forever: o.Forever, ResolveIfOK: o.ResolveIfOK, Comment: o.Comment, By: actor, At: now}
		if o.Forever {
			w.Cancel = append(w.Cancel, timerKey(TimerWake, id))
		} else {
			w.Timers = append(w.Timers, Timer{Key: timerKey(TimerWake, id), Kind: TimerWake, Incident: id, Due: until})
		}
		return nil
	})
}

// Wake ends a snooze now.
func (m *Manager) Wake(ctx context.Context, id ID, actor string) (*Incident, error) {
	return m.transition(ctx, id, "wake", StatusOpen, EventWoke, actor, "woken by hand", StatusSnoozed)
}
