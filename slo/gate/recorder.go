package gate

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"sync"
	"time"
)

// Limits of what a Recorder keeps.
const (
	// DefaultMaxSamples is Options.MaxSamples when it is 0.
	DefaultMaxSamples = 10000
	// MaxGauges is how many gauge names a Recorder takes.
	MaxGauges = 64
	// MaxHistogramBuckets is how many finite buckets a histogram given to
	// Recorder.Histogram may have.
	MaxHistogramBuckets = 512
)

// Errors a Recorder returns, wrapped in one that says what was refused.
var (
	// ErrTooOld is a sample older than the window of the newest sample
	// recorded: it could never count.
	ErrTooOld = errors.New("older than the window")
	// ErrMixedLatency is a latency given as a sample to a recorder that
	// takes its latencies from histograms, or the other way round.
	ErrMixedLatency = errors.New("latencies come either as samples or as histograms, not both")
)

// Options tune a Recorder; the zero Options are the defaults.
type Options struct {
	// MaxSamples is how many latency samples (Recorder.Latency) the
	// recorder keeps as they are, over its whole window: while the
	// window holds no more, latency quantiles are exact. Beyond, a slot's
	// samples are folded into a log-scale histogram, whose quantiles are
	// at most 1% high. 0 means DefaultMaxSamples.
	MaxSamples int
}

// Recorder records what a version does — requests, latencies, gauges — in
// the slots of a rolling window, and judges it by its Gate. Every method
// takes the time it is about; nothing reads the clock. It is safe for
// concurrent use.
type Recorder struct {
	gate       Gate
	width      time.Duration
	maxSamples int

	mu      sync.Mutex
	slots   []slot // a ring: slot number k is at k mod len(slots)
	started bool
	head    int64 // the newest slot number recorded
	rawHeld int   // latency samples held as they are, in all slots

	latency    latencyKind
	gaugeIndex map[string]int
	gaugeNames []string

	// The cumulative histogram: its finite bounds, set by the first
	// snapshot, and the last snapshot, which the next one is read
	// against.
	bounds []float64
	prev   snapshot
}

// latencyKind is how a Recorder is given latencies.
type latencyKind int

const (
	noLatency latencyKind = iota
	sampleLatency
	histogramLatency
)

// snapshot is a cumulative histogram as last seen.
type snapshot struct {
	at     time.Time
	counts []uint64 // by finite bound
	count  uint64
	sum    float64
}

// slot holds what was recorded in one slot of time.
type slot struct {
	num  int64 // the slot number: the time divided by the width
	used bool  // num is set and the slot holds data of that time

	requests        bool // Requests was called
	total, failed   int64
	latencies       bool // a latency sample or a histogram snapshot came
	latencyN        uint64
	latencySum      float64         // seconds
	raw             []time.Duration // samples as they are, while exact
	folded          bool            // the samples are in hist, not raw
	hist            logHist
	histCounts      []uint64 // cumulative histogram increments, by finite bound
	gauges          []gaugeAgg
	gaugesRecorded  bool
	anythingArrived bool
}

// gaugeAgg aggregates a gauge's samples in a slot.
type gaugeAgg struct {
	n        int64
	sum, max float64
}

// New returns a Recorder for the gate, which it checks and copies.
func New(g Gate, opts *Options) (*Recorder, error) {
	if err := g.Validate(); err != nil {
		return nil, err
	}
	if opts == nil {
		opts = &Options{}
	}
	if opts.MaxSamples < 0 {
		return nil, fmt.Errorf("gate %s: options: max samples %d: negative", g.Name, opts.MaxSamples)
	}
	g.MaxResource = maps.Clone(g.MaxResource)
	g.ResourceAggregation = maps.Clone(g.ResourceAggregation)
	if g.Baseline != nil {
		b := *g.Baseline
		g.Baseline = &b
	}
	n, width := g.slots()
	r := &Recorder{
		gate:       g,
		width:      width,
		maxSamples: opts.MaxSamples,
		slots:      make([]slot, n),
		gaugeIndex: map[string]int{},
	}
	if r.maxSamples == 0 {
		r.maxSamples = DefaultMaxSamples
	}
	return r, nil
}

// Gate returns the gate the recorder judges by.
func (r *Recorder) Gate() Gate {
	g := r.gate
	g.MaxResource = maps.Clone(g.MaxResource)
	g.ResourceAggregation = maps.Clone(g.ResourceAggregation)
	if g.Baseline != nil {
		b := *g.Baseline
		g.Baseline = &b
	}
	return g
}

// errorf makes an error about an input of the recorder.
func (r *Recorder) errorf(what string, t time.Time, format string, args ...any) error {
	prefix := "gate"
	if r.gate.Name != "" {
		prefix += " " + r.gate.Name
	}
	return fmt.Errorf("%s: %s at %s: "+format, append([]any{prefix, what, t.Format(time.RFC3339Nano)}, args...)...)
}

// Requests records that total requests completed at t, failed of them
// failed: increments, not running totals.
func (r *Recorder) Requests(t time.Time, total, failed int) error {
	switch {
	case total < 0 || failed < 0:
		return r.errorf("requests", t, "total %d, failed %d: negative", total, failed)
	case failed > total:
		return r.errorf("requests", t, "failed %d > total %d", failed, total)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	s, err := r.slotAt(t)
	if err != nil {
		return r.errorf("requests", t, "%w", err)
	}
	s.requests = true
	s.total += int64(total)
	s.failed += int64(failed)
	return nil
}

// Latency records the latency of a request that completed at t. A
// recorder takes latencies either this way or from Histogram, not both.
func (r *Recorder) Latency(t time.Time, d time.Duration) error {
	if d < 0 {
		return r.errorf("latency", t, "%s: negative", d)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.latency == histogramLatency {
		return r.errorf("latency", t, "%w: this recorder takes histograms", ErrMixedLatency)
	}
	s, err := r.slotAt(t)
	if err != nil {
		return r.errorf("latency", t, "%w", err)
	}
	r.latency = sampleLatency
	s.latencies = true
	s.latencyN++
	s.latencySum += d.Seconds()
	switch {
	case s.folded:
		s.hist.add(d)
	case r.rawHeld < r.maxSamples:
		s.raw = append(s.raw, d)
		r.rawHeld++
	default:
		// Too many samples: this slot's go into the log-scale histogram.
		for _, x := range s.raw {
			s.hist.add(x)
		}
		s.hist.add(d)
		r.rawHeld -= len(s.raw)
		s.raw = nil
		s.folded = true
	}
	return nil
}

// Histogram records a snapshot, taken at t, of a Prometheus-style
// cumulative latency histogram: its buckets (upper bounds in seconds,
// cumulative counts; the +Inf bucket may be left out), its count and its
// sum — the _bucket, _count and _sum series of one histogram, as scraped.
// What counts is the increase since the previous snapshot, as PromQL's
// increase() reads it:
//
//   - The first snapshot only sets the starting point, and the bucket
//     bounds; a snapshot with other bounds is refused.
//   - A snapshot whose count, or any bucket's, is lower than the previous
//     one's is a counter reset (the process restarted): its counts are
//     the increase.
//   - A snapshot more than a Window after the previous one only sets a
//     new starting point: its increase cannot be placed in the window.
//   - A snapshot older than the previous one is refused.
//
// A recorder takes latencies either this way or from Latency, not both.
func (r *Recorder) Histogram(t time.Time, buckets []Bucket, count uint64, sum float64) error {
	bounds, counts, err := r.checkHistogram(t, buckets, count, sum)
	if err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.latency == sampleLatency {
		return r.errorf("histogram", t, "%w: this recorder takes latency samples", ErrMixedLatency)
	}
	if r.bounds != nil && !slices.Equal(bounds, r.bounds) {
		return r.errorf("histogram", t, "bucket bounds %v differ from the first snapshot's %v; a recorder takes one histogram", bounds, r.bounds)
	}
	if r.bounds != nil && t.Before(r.prev.at) {
		return r.errorf("histogram", t, "before the previous snapshot, at %s", r.prev.at.Format(time.RFC3339Nano))
	}
	s, err := r.slotAt(t)
	if err != nil {
		return r.errorf("histogram", t, "%w", err)
	}
	r.latency = histogramLatency
	s.latencies = true
	if r.bounds != nil && t.Sub(r.prev.at) <= r.gate.Window {
		reset := count < r.prev.count
		for i, c := range counts {
			reset = reset || c < r.prev.counts[i]
		}
		if len(s.histCounts) < len(bounds) {
			s.histCounts = make([]uint64, len(bounds))
		}
		if reset {
			for i, c := range counts {
				s.histCounts[i] += c
			}
			s.latencyN += count
			s.latencySum += sum
		} else {
			for i, c := range counts {
				s.histCounts[i] += c - r.prev.counts[i]
			}
			s.latencyN += count - r.prev.count
			s.latencySum += sum - r.prev.sum
		}
	}
	if r.bounds == nil {
		r.bounds = bounds
	}
	r.prev = snapshot{at: t, counts: append(r.prev.counts[:0], counts...), count: count, sum: sum}
	return nil
}

// checkHistogram checks a histogram snapshot and returns its finite
// bounds and their counts.
func (r *Recorder) checkHistogram(t time.Time, buckets []Bucket, count uint64, sum float64) ([]float64, []uint64, error) {
	finite := buckets
	if n := len(buckets); n > 0 && math.IsInf(buckets[n-1].UpperBound, 1) {
		if buckets[n-1].Count != count {
			return nil, nil, r.errorf("histogram", t, "+Inf bucket %d: differs from the count %d", buckets[n-1].Count, count)
		}
		finite = buckets[:n-1]
	}
	switch {
	case len(finite) == 0:
		return nil, nil, r.errorf("histogram", t, "no finite bucket")
	case len(finite) > MaxHistogramBuckets:
		return nil, nil, r.errorf("histogram", t, "%d buckets, more than %d", len(finite), MaxHistogramBuckets)
	case math.IsNaN(sum) || math.IsInf(sum, 0):
		return nil, nil, r.errorf("histogram", t, "sum %v: want a number", sum)
	}
	bounds := make([]float64, len(finite))
	counts := make([]uint64, len(finite))
	for i, b := range finite {
		switch {
		case math.IsNaN(b.UpperBound) || math.IsInf(b.UpperBound, 0):
			return nil, nil, r.errorf("histogram", t, "bucket %d: upper bound %v: want a number, and +Inf only last", i+1, b.UpperBound)
		case i > 0 && b.UpperBound <= finite[i-1].UpperBound:
			return nil, nil, r.errorf("histogram", t, "bucket %d: upper bound %v: not above the previous one, %v", i+1, b.UpperBound, finite[i-1].UpperBound)
		case i > 0 && b.Count < finite[i-1].Count:
			return nil, nil, r.errorf("histogram", t, "bucket %d (le=%v): count %d below the previous bucket's %d: counts are cumulative", i+1, b.UpperBound, b.Count, finite[i-1].Count)
		case b.Count > count:
			return nil, nil, r.errorf("histogram", t, "bucket %d (le=%v): count %d above the histogram's count %d", i+1, b.UpperBound, b.Count, count)
		}
		bounds[i], counts[i] = b.UpperBound, b.Count
	}
	return bounds, counts, nil
}

// Gauge records the value of a named gauge — "cpu", "memory_bytes" — at
// t. A recorder takes up to MaxGauges names.
func (r *Recorder) Gauge(t time.Time, name string, value float64) error {
	switch {
	case name == "":
		return r.errorf("gauge", t, "no name")
	case math.IsNaN(value) || math.IsInf(value, 0):
		return r.errorf("gauge "+name, t, "%v: want a number", value)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	i, ok := r.gaugeIndex[name]
	if !ok && len(r.gaugeNames) >= MaxGauges {
		return r.errorf("gauge "+name, t, "more than %d gauge names", MaxGauges)
	}
	s, err := r.slotAt(t)
	if err != nil {
		return r.errorf("gauge "+name, t, "%w", err)
	}
	if !ok {
		i = len(r.gaugeNames)
		r.gaugeIndex[name] = i
		r.gaugeNames = append(r.gaugeNames, name)
	}
	if len(s.gauges) <= i {
		s.gauges = append(s.gauges, make([]gaugeAgg, i+1-len(s.gauges))...)
	}
	g := &s.gauges[i]
	if g.n == 0 || value > g.max {
		g.max = value
	}
	g.n++
	g.sum += value
	s.gaugesRecorded = true
	return nil
}

// Reset forgets what was recorded, as when a canary moves to its next
// step and a new window begins. The last histogram snapshot stays the
// starting point of the next one's increase.
func (r *Recorder) Reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := range r.slots {
		r.clear(&r.slots[i])
	}
	r.started = false
}

// slotAt returns the slot of time t, after expiring the slots that a
// newer t pushes out of the window.
func (r *Recorder) slotAt(t time.Time) (*slot, error) {
	num := floorDiv(t.UnixNano(), int64(r.width))
	n := int64(len(r.slots))
	switch {
	case !r.started:
		r.started, r.head = true, num
	case num > r.head:
		// Slots head+1 … num take the places of slots that are now out
		// of the window.
		if num-r.head >= n {
			for i := range r.slots {
				r.clear(&r.slots[i])
			}
		} else {
			for k := r.head + 1; k <= num; k++ {
				r.clear(&r.slots[floorMod(k, n)])
			}
		}
		r.head = num
	case num <= r.head-n:
		return nil, ErrTooOld
	}
	s := &r.slots[floorMod(num, n)]
	if !s.used || s.num != num {
		r.clear(s)
		s.num, s.used = num, true
	}
	s.anythingArrived = true
	return s, nil
}

// clear empties a slot, keeping what memory is worth keeping.
func (r *Recorder) clear(s *slot) {
	r.rawHeld -= len(s.raw)
	if cap(s.raw) > 2*r.maxSamples/len(r.slots)+16 {
		s.raw = nil // a burst's samples: not kept for every slot
	}
	*s = slot{
		raw:        s.raw[:0],
		hist:       s.hist,
		histCounts: s.histCounts,
		gauges:     s.gauges[:0],
	}
	s.hist.reset()
	clear(s.histCounts)
}

// floorDiv is a / b rounded down; b > 0.
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b < 0 {
		q--
	}
	return q
}

// floorMod is a mod b in [0, b); b > 0.
func floorMod(a, b int64) int64 {
	m := a % b
	if m < 0 {
		m += b
	}
	return m
}
