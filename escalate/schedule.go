package escalate

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/prometheus/alertmanager/timeinterval"
	"github.com/robfig/cron/v3"
)

// Schedule is who is on call: layers of rotations (L1, L2, …), each handing
// over on a cron expression in the schedule's time zone, and overrides, when
// someone covers for someone else.
//
// A Schedule is safe for concurrent use once compiled by Compile (which
// AddSchedule does); its fields must not change after.
type Schedule struct {
	Name string
	// Location is the time zone of the hand-offs; nil means UTC.
	Location  *time.Location
	Layers    []*Layer
	Overrides []Override
}

// Layer is one level of a schedule: its members take turns, in order,
// handing over at each tick of Handoff.
type Layer struct {
	// Name is the level: "L1", "L2", "team".
	Name    string
	Members []string
	// Handoff is a cron expression of five fields (minute hour day month
	// weekday): "0 0,8,16 * * *" for three 8-hour shifts, "0 9 * * MON"
	// for weekly ones. A hand-off at a wall time that a daylight-saving
	// change skips happens when the clock has jumped past it; one at a wall
	// time that happens twice, once, at its second occurrence.
	Handoff string
	// Start is when Members[0] goes on call; the next member takes over at
	// each hand-off after it. Who is on call is counted from Start, so
	// keep it within a few years.
	Start time.Time
	// Active, if set, limits when the layer is on call at all — "L2 on
	// weekdays" — as Alertmanager's time intervals.
	Active []timeinterval.TimeInterval

	sched cron.Schedule
	mu    sync.Mutex
	ticks []time.Time // hand-offs after Start, computed so far
	ended bool        // the expression has no more ticks
}

// Override puts someone on call for a layer from From until To, whoever the
// rotation says.
type Override struct {
	Layer    string
	Person   string
	From, To time.Time
	Note     string
}

// Handoff is the baton passing from one person to the next.
type Handoff struct {
	Schedule, Layer string
	At              time.Time
	From, To        string
}

// MinShift is the shortest time between two hand-offs of a layer.
const MinShift = time.Hour

var cronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// Compile checks the schedule and prepares it: names, members, cron
// expressions, overrides. Errors name the layer.
func (s *Schedule) Compile() error {
	if s.Name == "" {
		return errors.New("schedule: missing name")
	}
	if s.Location == nil {
		s.Location = time.UTC
	}
	names := map[string]bool{}
	for i, l := range s.Layers {
		what := fmt.Sprintf("schedule %s: layer %d", s.Name, i)
		switch {
		case l.Name == "":
			return fmt.Errorf("%s: missing name", what)
		case names[l.Name]:
			return fmt.Errorf("%s: name %q used twice", what, l.Name)
		case len(l.Members) == 0:
			return fmt.Errorf("schedule %s: layer %s: no members", s.Name, l.Name)
		case l.Start.IsZero():
			return fmt.Errorf("schedule %s: layer %s: no start", s.Name, l.Name)
		}
		names[l.Name] = true
		sched, err := cronParser.Parse(l.Handoff)
		if err != nil {
			return fmt.Errorf("schedule %s: layer %s: hand-off %q: %w", s.Name, l.Name, l.Handoff, err)
		}
		l.sched = sched
		// A rotation hands over to people: hand-offs less than an hour
		// apart are a mistake (a minute field of "*"), and would make the
		// rotation's memory grow by the minute.
		prev := l.Start
		for range 200 {
			next := l.next(prev, s.Location)
			if next.IsZero() {
				break
			}
			if next.Sub(prev) < MinShift && prev != l.Start {
				return fmt.Errorf("schedule %s: layer %s: hand-off %q: hand-offs at %s and %s are less than %s apart",
					s.Name, l.Name, l.Handoff, prev.In(s.Location).Format(time.DateTime), next.In(s.Location).Format(time.DateTime), MinShift)
			}
			prev = next
		}
	}
	for i, o := range s.Overrides {
		switch {
		case !names[o.Layer]:
			return fmt.Errorf("schedule %s: override %d: no layer %q", s.Name, i, o.Layer)
		case o.Person == "":
			return fmt.Errorf("schedule %s: override %d: no person", s.Name, i)
		case !o.To.After(o.From):
			return fmt.Errorf("schedule %s: override %d: ends at %s, not after it starts", s.Name, i, o.To.Format(time.RFC3339))
		}
	}
	return nil
}

// Layer returns the layer of a name.
func (s *Schedule) Layer(name string) (*Layer, bool) {
	for _, l := range s.Layers {
		if l.Name == name {
			return l, true
		}
	}
	return nil, false
}

// OnCallAt returns who is on call for a layer at t: an override if one
// covers t (the last one listed wins), else the rotation's member; false
// when nobody is (before the rotation starts, or outside the layer's
// active intervals).
func (s *Schedule) OnCallAt(layer string, t time.Time) (string, bool) {
	l, ok := s.Layer(layer)
	if !ok {
		return "", false
	}
	for i := len(s.Overrides) - 1; i >= 0; i-- {
		o := s.Overrides[i]
		if o.Layer == layer && !t.Before(o.From) && t.Before(o.To) {
			return o.Person, true
		}
	}
	if t.Before(l.Start) || !l.activeAt(t.In(s.Location)) {
		return "", false
	}
	return l.Members[l.turns(t, s.Location)%len(l.Members)], true
}

func (l *Layer) activeAt(t time.Time) bool {
	if len(l.Active) == 0 {
		return true
	}
	for _, ti := range l.Active {
		if ti.ContainsTime(t) {
			return true
		}
	}
	return false
}

// turns counts the hand-offs in (Start, t].
func (l *Layer) turns(t time.Time, loc *time.Location) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	for !l.ended && (len(l.ticks) == 0 || !l.ticks[len(l.ticks)-1].After(t)) {
		from := l.Start
		if len(l.ticks) > 0 {
			from = l.ticks[len(l.ticks)-1]
		}
		next := l.next(from, loc)
		if next.IsZero() {
			l.ended = true // an expression such as Feb 30 never fires
			break
		}
		l.ticks = append(l.ticks, next)
	}
	return sort.Search(len(l.ticks), func(i int) bool { return l.ticks[i].After(t) })
}

// next returns the first hand-off after t. The cron expression is read on
// the wall clock of loc, so that daylight-saving changes neither skip nor
// double a hand-off.
func (l *Layer) next(t time.Time, loc *time.Location) time.Time {
	lt := t.In(loc)
	w := time.Date(lt.Year(), lt.Month(), lt.Day(), lt.Hour(), lt.Minute(), lt.Second(), lt.Nanosecond(), time.UTC)
	for {
		w = l.sched.Next(w)
		if w.IsZero() {
			return time.Time{}
		}
		real := time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), 0, loc)
		if real.After(t) {
			return real
		}
	}
}

// NextHandoff returns the first instant after t at which the on-call person
// of a layer may change: a rotation's hand-off, or the start or end of an
// override.
func (s *Schedule) NextHandoff(layer string, t time.Time) (time.Time, bool) {
	l, ok := s.Layer(layer)
	if !ok {
		return time.Time{}, false
	}
	next := l.next(t, s.Location)
	for _, o := range s.Overrides {
		if o.Layer != layer {
			continue
		}
		for _, b := range []time.Time{o.From, o.To} {
			if b.After(t) && (next.IsZero() || b.Before(next)) {
				next = b
			}
		}
	}
	return next, !next.IsZero()
}

// Handoffs returns the hand-offs of a layer in (from, to], in order: every
// instant at which the on-call person changes from someone to someone
// else.
func (s *Schedule) Handoffs(layer string, from, to time.Time) []Handoff {
	var out []Handoff
	for t := from; ; {
		next, ok := s.NextHandoff(layer, t)
		if !ok || next.After(to) {
			return out
		}
		before, hadBefore := s.OnCallAt(layer, next.Add(-time.Nanosecond))
		after, hasAfter := s.OnCallAt(layer, next)
		if hadBefore && hasAfter && before != after {
			out = append(out, Handoff{Schedule: s.Name, Layer: layer, At: next, From: before, To: after})
		}
		t = next
	}
}

// LayerNames returns the names of the layers, in order.
func (s *Schedule) LayerNames() []string {
	names := make([]string, len(s.Layers))
	for i, l := range s.Layers {
		names[i] = l.Name
	}
	return slices.Clip(names)
}
