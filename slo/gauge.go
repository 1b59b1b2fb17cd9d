package slo

import (
	"fmt"
	"math"
	"sync"
	"time"
)

// Aggregation says how a Gauge sums up its samples over a window.
type Aggregation string

// The aggregations of a Gauge.
const (
	AggregationLast Aggregation = "last"
	AggregationAvg  Aggregation = "avg"
	AggregationMin  Aggregation = "min"
	AggregationMax  Aggregation = "max"
)

// Gauge keeps the samples of a value — a queue's length, a latency, a
// share of CPU — over one rolling window, in bounded memory: a ring of
// slots that each keep the count, sum, minimum, maximum and last sample
// of their time. A Gauge is safe for concurrent use.
type Gauge struct {
	mu     sync.Mutex
	window time.Duration
	res    time.Duration
	slots  []gaugeSlot
}

type gaugeSlot struct {
	index            int64
	n                int
	sum, lo, hi, val float64
	at               time.Time
}

// NewGauge returns a Gauge over a window with DefaultSlots slots.
func NewGauge(window time.Duration) *Gauge {
	window = max(window, time.Nanosecond)
	res := max(window/DefaultSlots, 1)
	g := &Gauge{window: window, res: res, slots: make([]gaugeSlot, int(window/res)+1)}
	for i := range g.slots {
		g.slots[i].index = math.MinInt64
	}
	return g
}

// Window returns the Gauge's window.
func (g *Gauge) Window() time.Duration { return g.window }

// Set records a sample; NaN and infinite values are refused.
func (g *Gauge) Set(at time.Time, v float64) error {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return fmt.Errorf("slo: gauge: sample %v at %s: not a finite number", v, at.Format(time.RFC3339))
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	k := slotOf(at, g.res)
	s := &g.slots[int(mod(k, int64(len(g.slots))))]
	switch {
	case s.index == k:
	case s.index < k:
		*s = gaugeSlot{index: k, lo: v, hi: v}
	default:
		return nil // older than the window
	}
	s.n++
	s.sum += v
	s.lo, s.hi = min(s.lo, v), max(s.hi, v)
	if !at.Before(s.at) {
		s.val, s.at = v, at
	}
	return nil
}

// Value sums up the samples in the window (at - window, at], at slot
// resolution; false when there are none.
func (g *Gauge) Value(agg Aggregation, at time.Time) (float64, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	kAt := slotOf(at, g.res)
	oldest := kAt - int64(len(g.slots)-1)
	var n int
	var sum, lo, hi, last float64
	var lastAt time.Time
	for _, s := range g.slots {
		if s.index <= oldest || s.index > kAt || s.n == 0 {
			continue
		}
		if n == 0 {
			lo, hi = s.lo, s.hi
		}
		n += s.n
		sum += s.sum
		lo, hi = min(lo, s.lo), max(hi, s.hi)
		if !s.at.Before(lastAt) {
			last, lastAt = s.val, s.at
		}
	}
	if n == 0 {
		return 0, false
	}
	switch agg {
	case AggregationAvg:
		return sum / float64(n), true
	case AggregationMin:
		return lo, true
	case AggregationMax:
		return hi, true
	}
	return last, true
}
