package slo

import (
	"fmt"
	"math"
	"slices"
	"sync"
	"time"
)

// DefaultSlots is how many slots each window of Events and Gauge keeps:
// its resolution is the window divided by DefaultSlots.
const DefaultSlots = 60

// Events counts good and total events over rolling windows in bounded
// memory: each window is a ring of slots, a sixtieth of the window each by
// default, so that a 3-day window costs no more than a 5-minute one. The
// count over a window is exact when the time is on a slot boundary, and
// otherwise takes the oldest slot in proportion to its overlap.
//
// Events are safe for concurrent use.
type Events struct {
	mu    sync.Mutex
	rings []*ring // by window, shortest first
	last  struct {
		set         bool
		good, total float64
	}
}

type slot struct {
	index       int64 // which slot of time it holds
	good, total float64
}

type ring struct {
	window, res time.Duration
	slots       []slot
}

// NewEvents returns Events over the given windows, with DefaultSlots
// slots each.
func NewEvents(windows ...time.Duration) *Events { return NewEventsSlots(DefaultSlots, windows...) }

// NewEventsSlots returns Events over the given windows with n slots each:
// more slots, finer resolution, more memory.
func NewEventsSlots(n int, windows ...time.Duration) *Events {
	n = max(n, 1)
	e := &Events{}
	for _, w := range windows {
		if w <= 0 || slices.ContainsFunc(e.rings, func(r *ring) bool { return r.window == w }) {
			continue
		}
		res := max(w/time.Duration(n), 1)
		slots := make([]slot, int(w/res)+1) // one more: the oldest, partly in the window
		for i := range slots {
			slots[i].index = math.MinInt64
		}
		e.rings = append(e.rings, &ring{window: w, res: res, slots: slots})
	}
	slices.SortFunc(e.rings, func(a, b *ring) int { return int(a.window - b.window) })
	return e
}

// Windows returns the windows kept, shortest first.
func (e *Events) Windows() []time.Duration {
	out := make([]time.Duration, len(e.rings))
	for i, r := range e.rings {
		out[i] = r.window
	}
	return out
}

// slotOf is the slot of time holding t: slot k holds (k·res, (k+1)·res],
// so that an increment reported at the end of an interval counts in it.
func slotOf(t time.Time, res time.Duration) int64 {
	ns := t.UnixNano() - 1
	k := ns / int64(res)
	if ns < 0 && ns%int64(res) != 0 {
		k--
	}
	return k
}

// Add counts events that happened at a time: good of total. Counts must be
// finite, not negative, and good at most total.
func (e *Events) Add(at time.Time, good, total float64) error {
	if err := checkCounts(good, total); err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.add(at, good, total)
	return nil
}

func checkCounts(good, total float64) error {
	switch {
	case math.IsNaN(good) || math.IsNaN(total) || math.IsInf(good, 0) || math.IsInf(total, 0):
		return fmt.Errorf("slo: events: counts must be finite, got %v good of %v", good, total)
	case good < 0 || total < 0:
		return fmt.Errorf("slo: events: negative counts: %v good of %v", good, total)
	case good > total:
		return fmt.Errorf("slo: events: %v good of only %v", good, total)
	}
	return nil
}

func (e *Events) add(at time.Time, good, total float64) {
	for _, r := range e.rings {
		k := slotOf(at, r.res)
		s := &r.slots[int(mod(k, int64(len(r.slots))))]
		switch {
		case s.index == k:
		case s.index < k:
			*s = slot{index: k}
		default:
			continue // older than this window keeps
		}
		s.good += good
		s.total += total
	}
}

func mod(a, b int64) int64 {
	m := a % b
	if m < 0 {
		m += b
	}
	return m
}

// AddCounters takes the values of two cumulative counters, good and total
// events so far, as a Prometheus client exposes them: the increase since
// the previous call is counted at this time. A counter that went down was
// reset; its value is then the increase, as Prometheus's rate() assumes.
// The first call only sets the starting point.
func (e *Events) AddCounters(at time.Time, good, total float64) error {
	if math.IsNaN(good) || math.IsNaN(total) || math.IsInf(good, 0) || math.IsInf(total, 0) || good < 0 || total < 0 {
		return fmt.Errorf("slo: events: counter values must be finite and not negative, got %v good, %v total", good, total)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	prev := e.last
	e.last.set, e.last.good, e.last.total = true, good, total
	if !prev.set {
		return nil
	}
	dg, dt := good-prev.good, total-prev.total
	if dg < 0 {
		dg = good
	}
	if dt < 0 {
		dt = total
	}
	if dg > dt {
		// The counters were scraped at slightly different moments: the
		// excess good events are counted with the next total.
		dg = dt
	}
	e.add(at, dg, dt)
	return nil
}

// Over returns the good and total events in the window (at - w, at]. The
// window must be one of those the Events keep.
func (e *Events) Over(w time.Duration, at time.Time) (good, total float64, err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, r := range e.rings {
		if r.window == w {
			good, total = r.over(at)
			return good, total, nil
		}
	}
	return 0, 0, fmt.Errorf("slo: events: no window %s (have %v)", FormatDuration(w), e.Windows())
}

// ErrorRatio returns the share of bad events in the window (at - w, at],
// and false when there were no events.
func (e *Events) ErrorRatio(w time.Duration, at time.Time) (float64, bool, error) {
	good, total, err := e.Over(w, at)
	if err != nil || total <= 0 {
		return 0, false, err
	}
	return (total - good) / total, true, nil
}

func (r *ring) over(at time.Time) (good, total float64) {
	kAt := slotOf(at, r.res)
	n := int64(len(r.slots)) - 1 // slots wholly in the window, when aligned
	oldest := kAt - n
	// The share of the oldest slot that is in the window.
	start := at.UnixNano() - int64(r.window)
	end := (oldest + 1) * int64(r.res)
	frac := float64(end-start) / float64(r.res)
	frac = min(max(frac, 0), 1)
	for _, s := range r.slots {
		switch {
		case s.index > oldest && s.index <= kAt:
			good += s.good
			total += s.total
		case s.index == oldest && frac > 0:
			good += s.good * frac
			total += s.total * frac
		}
	}
	return good, total
}
