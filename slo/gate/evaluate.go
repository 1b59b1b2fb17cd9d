package gate

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/alertkit/alertkit/slo"
)

// Status is what a gate says of a window.
type Status int

// The statuses, from the zero one: a Verdict that nobody filled says
// nothing good.
const (
	// StatusNotEnoughData: a check has too few observations, or they cover too
	// little of the window, and none fails.
	StatusNotEnoughData Status = iota
	// StatusHealthy: every check has enough data and passes.
	StatusHealthy
	// StatusUnhealthy: a check that has enough observations fails.
	StatusUnhealthy
)

// String returns "not enough data", "healthy" or "unhealthy".
func (s Status) String() string {
	switch s {
	case StatusNotEnoughData:
		return "not enough data"
	case StatusHealthy:
		return "healthy"
	case StatusUnhealthy:
		return "unhealthy"
	}
	return "Status(" + strconv.Itoa(int(s)) + ")"
}

// MarshalText writes the status as String does, for JSON and YAML.
func (s Status) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Stats are what a recorder saw over a window.
type Stats struct {
	// At is the end of the window; Window its length.
	At     time.Time
	Window time.Duration
	// Requests and Failed are the requests reported in the window, and
	// ErrorRate is Failed / Requests (0 without requests).
	Requests, Failed int
	ErrorRate        float64
	// Latency is the latency quantile of the gate (MaxLatency.Quantile,
	// else DefaultQuantile) over LatencyCount observations, and
	// MeanLatency their mean; both are 0 without observations.
	Latency      time.Duration
	MeanLatency  time.Duration
	LatencyCount int
	// Resources are the gauges recorded in the window, each aggregated as
	// the gate says (the maximum unless ResourceAggregation says mean).
	Resources map[string]float64
	// Coverage is the share of the window's slots that hold any sample.
	Coverage float64
}

// Verdict is a gate's judgement of a window, with the numbers it read.
type Verdict struct {
	Status Status
	// Reasons say why: the checks that failed when Unhealthy, the data
	// missing when NotEnoughData; none when Healthy. They read "error
	// rate 2.3% > 1% over 5m (230 of 10000 requests failed)".
	Reasons []string
	// Stats are the recorder's numbers over the window.
	Stats
	// Baseline are the baseline's, from Compare.
	Baseline *Stats
	// Checks are every check, in order: error rate, latency, resources
	// by name, then the comparisons with the baseline.
	Checks []Check
}

// Check is one check of a verdict.
type Check struct {
	// Name says what it checks: "error rate", "p99 latency", "cpu max",
	// "error rate vs baseline".
	Name   string
	Status Status
	// Value is what was measured, Limit what it may reach: shares for
	// error rates, seconds for latencies, the gauge's unit for resources.
	// Value is 0 when there was no data.
	Value, Limit float64
	// Reason says why it failed or lacks data; empty when it passed.
	Reason string
}

// Evaluate judges the window that ends at now. The comparisons with a
// baseline, if the gate has any, have not enough data: use Compare.
func (r *Recorder) Evaluate(now time.Time) Verdict { return r.verdict(now, nil) }

// Compare judges the window that ends at now, and compares it with the
// same window of baseline — the stable version — as the gate's Baseline
// says. The baseline should record with the same window and resolution
// (a recorder of the same gate).
func (r *Recorder) Compare(now time.Time, baseline *Recorder) Verdict {
	return r.verdict(now, baseline)
}

// windowData is what the slots of a window hold, gathered under the lock.
type windowData struct {
	slots         int // in the window
	total, failed int64
	// Slots holding requests, latencies, anything.
	requestSlots, latencySlots, anySlots int
	latencyN                             uint64
	latencySum                           float64 // seconds
	kind                                 latencyKind
	// The latencies: raw while exact, else hist when samples were
	// folded, or the cumulative histogram's increments by bound.
	raw        []time.Duration
	hist       *logHist
	histCounts []float64
	bounds     []float64
	// The gauges, by name, and how many slots hold each.
	gauges     map[string]gaugeAgg
	gaugeSlots map[string]int
}

// collect gathers the slots of the window that ends at now.
func (r *Recorder) collect(now time.Time) windowData {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := int64(len(r.slots))
	last := floorDiv(now.UnixNano(), int64(r.width))
	w := windowData{slots: len(r.slots), kind: r.latency, bounds: r.bounds, gauges: map[string]gaugeAgg{}, gaugeSlots: map[string]int{}}
	folded := false
	for i := range r.slots {
		s := &r.slots[i]
		if s.used && s.num > last-n && s.num <= last && s.folded {
			folded = true
		}
	}
	if folded {
		w.hist = &logHist{}
	}
	if r.bounds != nil {
		w.histCounts = make([]float64, len(r.bounds))
	}
	for i := range r.slots {
		s := &r.slots[i]
		if !s.used || s.num <= last-n || s.num > last {
			continue
		}
		if s.anythingArrived {
			w.anySlots++
		}
		if s.requests {
			w.requestSlots++
			w.total += s.total
			w.failed += s.failed
		}
		if s.latencies {
			w.latencySlots++
			w.latencyN += s.latencyN
			w.latencySum += s.latencySum
			switch {
			case s.folded:
				w.hist.merge(&s.hist)
			case w.hist != nil:
				for _, d := range s.raw {
					w.hist.add(d)
				}
			default:
				w.raw = append(w.raw, s.raw...)
			}
			for j, c := range s.histCounts {
				w.histCounts[j] += float64(c)
			}
		}
		for j, g := range s.gauges {
			if g.n == 0 {
				continue
			}
			name := r.gaugeNames[j]
			w.gaugeSlots[name]++
			a, ok := w.gauges[name]
			if !ok || g.max > a.max {
				a.max = g.max
			}
			a.n += g.n
			a.sum += g.sum
			w.gauges[name] = a
		}
	}
	return w
}

// stats computes the numbers of a window, with the quantile and the
// aggregations of gate g.
func (w *windowData) stats(g *Gate, now time.Time) Stats {
	st := Stats{
		At:           now,
		Window:       g.Window,
		Requests:     int(w.total),
		Failed:       int(w.failed),
		LatencyCount: int(w.latencyN),
		Resources:    map[string]float64{},
		Coverage:     w.coverage(w.anySlots),
	}
	if w.total > 0 {
		st.ErrorRate = float64(w.failed) / float64(w.total)
	}
	if w.latencyN > 0 {
		st.MeanLatency = seconds(w.latencySum / float64(w.latencyN))
		q := g.quantile()
		switch {
		case w.kind == histogramLatency:
			buckets := make([]floatBucket, 0, len(w.bounds)+1)
			for i, b := range w.bounds {
				buckets = append(buckets, floatBucket{b, w.histCounts[i]})
			}
			buckets = append(buckets, floatBucket{math.Inf(1), float64(w.latencyN)})
			st.Latency = seconds(bucketQuantile(q, buckets))
		case w.hist != nil:
			st.Latency = w.hist.quantile(q)
		default:
			slices.Sort(w.raw)
			st.Latency = nearestRank(q, w.raw)
		}
	}
	for name, a := range w.gauges {
		if g.aggregation(name) == AggregateMean {
			st.Resources[name] = a.sum / float64(a.n)
		} else {
			st.Resources[name] = a.max
		}
	}
	return st
}

// seconds converts seconds to a Duration, saturating; NaN is 0.
func seconds(s float64) time.Duration {
	switch ns := math.Round(s * 1e9); {
	case math.IsNaN(ns):
		return 0
	case ns >= math.MaxInt64:
		return math.MaxInt64
	case ns <= math.MinInt64:
		return math.MinInt64
	default:
		return time.Duration(ns)
	}
}

// coverage is k of the window's slots as a share of them.
func (w *windowData) coverage(k int) float64 {
	if w.slots == 0 {
		return 0
	}
	return float64(k) / float64(w.slots)
}

// verdict judges the window that ends at now; baseline may be nil.
func (r *Recorder) verdict(now time.Time, baseline *Recorder) Verdict {
	g := &r.gate
	w := r.collect(now)
	v := Verdict{Stats: w.stats(g, now)}
	var bw windowData
	if baseline != nil {
		bw = baseline.collect(now)
		st := bw.stats(g, now)
		v.Baseline = &st
	}
	window := slo.FormatDuration(g.Window)
	minReq := g.minRequests()
	// judge decides a check: few says why it has too few observations to
	// judge at all, sparse why they cover too little of the window to
	// pass (both empty if not), failed whether it is over its limit, and
	// failure how to say so.
	judge := func(c Check, few, sparse string, failed bool, failure string) Check {
		switch {
		case few != "":
			c.Status, c.Reason = StatusNotEnoughData, c.Name+": "+few
		case failed:
			c.Status, c.Reason = StatusUnhealthy, failure
		case sparse != "":
			c.Status, c.Reason = StatusNotEnoughData, c.Name+": "+sparse
		default:
			c.Status = StatusHealthy
		}
		return c
	}
	tooFew := func(n int64, whose string) string {
		switch {
		case n >= int64(minReq):
			return ""
		case n == 0:
			return whose + "no requests in " + window
		}
		return fmt.Sprintf("%s%d requests in %s, fewer than the %d required", whose, n, window, minReq)
	}
	tooSparse := func(share float64, whose string) string {
		if share >= g.MinCoverage {
			return ""
		}
		return fmt.Sprintf("%sdata covers %s of %s, less than the %s required", whose, percent(share, 3), window, percent(g.MinCoverage, 10))
	}
	qName := "p" + trimFloat(math.Round(g.quantile()*1e6)/1e4, 10) + " latency"

	if g.MaxErrorRate > 0 {
		rate, limit := v.ErrorRate, g.MaxErrorRate
		v.Checks = append(v.Checks, judge(Check{Name: "error rate", Value: rate, Limit: limit},
			tooFew(w.total, ""), tooSparse(w.coverage(w.requestSlots), ""), rate > limit,
			fmt.Sprintf("error rate %s > %s over %s (%d of %d requests failed)",
				distinct(rate, percent(limit, 10), percent), percent(limit, 10), window, w.failed, w.total)))
	}
	if g.MaxLatency.Max > 0 {
		lat, limit := v.Latency, g.MaxLatency.Max
		v.Checks = append(v.Checks, judge(Check{Name: qName, Value: lat.Seconds(), Limit: limit.Seconds()},
			tooFew(int64(w.latencyN), ""), tooSparse(w.coverage(w.latencySlots), ""), lat > limit,
			fmt.Sprintf("%s %s > %s over %s (%d requests)", qName, distinct(lat, duration(limit, 10), duration), duration(limit, 10), window, w.latencyN)))
	}
	for _, name := range sortedKeys(g.MaxResource) {
		agg, limit := g.aggregation(name), g.MaxResource[name]
		value, seen := v.Resources[name]
		c := Check{Name: name + " " + string(agg), Value: value, Limit: limit}
		few := ""
		if !seen {
			few = "no samples in " + window
		}
		v.Checks = append(v.Checks, judge(c, few, tooSparse(w.coverage(w.gaugeSlots[name]), ""), value > limit,
			fmt.Sprintf("%s %s %s > %s over %s", name, agg, distinct(value, number(limit, 10), number), number(limit, 10), window)))
	}
	if b := g.Baseline; b != nil {
		// missing says why there is no baseline to compare with.
		missing := ""
		switch {
		case baseline == nil:
			missing = "no baseline: compare with one (Compare)"
		case baseline.gate.Window != g.Window || baseline.width != r.width:
			missing = fmt.Sprintf("the baseline records a window of %s in slots of %s, not %s in slots of %s",
				slo.FormatDuration(baseline.gate.Window), baseline.width, window, r.width)
		}
		// few and sparse are judge's, for both sides.
		few := func(n, bn int64) string {
			if missing != "" {
				return missing
			}
			if s := tooFew(n, ""); s != "" {
				return s
			}
			return tooFew(bn, "the baseline has ")
		}
		sparse := func(k, bk int) string {
			if s := tooSparse(w.coverage(k), ""); s != "" {
				return s
			}
			return tooSparse(bw.coverage(bk), "the baseline's ")
		}
		var base Stats
		if v.Baseline != nil {
			base = *v.Baseline
		}
		if b.ErrorRateFactor > 0 {
			rate := v.ErrorRate
			limit := b.ErrorRateFactor*base.ErrorRate + b.ErrorRateTolerance
			v.Checks = append(v.Checks, judge(Check{Name: "error rate vs baseline", Value: rate, Limit: limit},
				few(w.total, bw.total), sparse(w.requestSlots, bw.requestSlots), missing == "" && rate > limit,
				fmt.Sprintf("error rate %s > %s × baseline %s%s = %s over %s",
					distinct(rate, percent(limit, 4), percent), trimFloat(b.ErrorRateFactor, 10), percent(base.ErrorRate, 3),
					plus(b.ErrorRateTolerance != 0, percent(b.ErrorRateTolerance, 10)), percent(limit, 4), window)))
		}
		if b.LatencyFactor > 0 {
			lat := v.Latency
			limit := seconds(b.LatencyFactor*base.Latency.Seconds()) + b.LatencyTolerance
			v.Checks = append(v.Checks, judge(Check{Name: qName + " vs baseline", Value: lat.Seconds(), Limit: limit.Seconds()},
				few(int64(w.latencyN), int64(bw.latencyN)), sparse(w.latencySlots, bw.latencySlots), missing == "" && lat > limit,
				fmt.Sprintf("%s %s > %s × baseline %s%s = %s over %s",
					qName, distinct(lat, duration(limit, 4), duration), trimFloat(b.LatencyFactor, 10), duration(base.Latency, 3),
					plus(b.LatencyTolerance != 0, b.LatencyTolerance.String()), duration(limit, 4), window)))
		}
	}

	v.Status = StatusHealthy
	for _, c := range v.Checks {
		if c.Status == StatusUnhealthy {
			v.Status = StatusUnhealthy
		} else if c.Status == StatusNotEnoughData && v.Status == StatusHealthy {
			v.Status = StatusNotEnoughData
		}
	}
	for _, c := range v.Checks {
		if c.Status == v.Status && c.Reason != "" {
			v.Reasons = append(v.Reasons, c.Reason)
		}
	}
	return v
}

// plus writes " + s" if ok.
func plus(ok bool, s string) string {
	if !ok {
		return ""
	}
	return " + " + s
}

// distinct formats a measured value with 3 significant digits, or more
// if it would otherwise read the same as the limit it is compared with.
func distinct[T any](value T, limit string, format func(T, int) string) string {
	for digits := 3; ; digits++ {
		if s := format(value, digits); s != limit || digits >= 17 {
			return s
		}
	}
}

// trimFloat writes v with up to digits significant digits, without an
// exponent or trailing zeros: 0.93, 1500000000, 2.5.
func trimFloat(v float64, digits int) string {
	r, err := strconv.ParseFloat(strconv.FormatFloat(v, 'g', digits, 64), 64)
	if err != nil {
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	return strconv.FormatFloat(r, 'f', -1, 64)
}

// number writes a gauge's value.
func number(v float64, digits int) string { return trimFloat(v, digits) }

// percent writes a share as a percentage: 0.023 → "2.3%".
func percent(share float64, digits int) string { return trimFloat(share*100, digits) + "%" }

// duration writes a latency rounded to digits significant digits:
// 412.345678ms → "412ms" with 3.
func duration(d time.Duration, digits int) string {
	abs := d
	if abs < 0 {
		abs = -abs
	}
	if abs > 0 && digits < 19 {
		unit := time.Duration(1)
		for n := abs; n >= time.Duration(math.Pow10(digits)); n /= 10 {
			unit *= 10
		}
		d = d.Round(unit)
	}
	return d.String()
}
