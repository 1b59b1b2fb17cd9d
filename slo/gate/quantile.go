package gate

import (
	"cmp"
	"math"
	"slices"
	"time"
)

// Bucket is a bucket of a Prometheus-style cumulative histogram: Count
// observations were at most UpperBound (in seconds, for latencies) — the
// sample of a _bucket series with le="UpperBound".
type Bucket struct {
	UpperBound float64
	Count      uint64
}

// HistogramQuantile estimates the q-quantile of the observations that a
// cumulative histogram holds, as PromQL's histogram_quantile does with
// classic histograms:
//
//   - The buckets are sorted by upper bound; buckets with the same bound
//     are added up; a count lower than the one of a lower bucket is raised
//     to it.
//   - The highest bucket must be +Inf, and there must be at least two
//     buckets and an observation: otherwise the result is NaN.
//   - q < 0 gives -Inf, q > 1 gives +Inf, a NaN q gives NaN.
//   - The rank q × count falls in the first bucket whose cumulative count
//     reaches it. In the +Inf bucket, the result is the upper bound of
//     the highest finite bucket. In the lowest bucket, the result is
//     interpolated from 0 to its upper bound if that bound is positive;
//     else it is the bound itself.
//   - Otherwise the result is interpolated linearly between the bucket's
//     lower bound (the bound of the bucket below) and its upper bound, as
//     if its observations were spread evenly.
//
// The estimate is only as good as the buckets: the quantile lies in the
// bucket found, and is exact only at the bucket bounds.
func HistogramQuantile(q float64, buckets []Bucket) float64 {
	fb := make([]floatBucket, len(buckets))
	for i, b := range buckets {
		fb[i] = floatBucket{b.UpperBound, float64(b.Count)}
	}
	return bucketQuantile(q, fb)
}

// floatBucket is a cumulative bucket whose count may be a sum of
// increments.
type floatBucket struct {
	upper, count float64
}

// bucketQuantile is HistogramQuantile; it sorts and changes buckets.
func bucketQuantile(q float64, buckets []floatBucket) float64 {
	switch {
	case math.IsNaN(q):
		return math.NaN()
	case q < 0:
		return math.Inf(-1)
	case q > 1:
		return math.Inf(1)
	case len(buckets) == 0:
		return math.NaN()
	}
	slices.SortStableFunc(buckets, func(a, b floatBucket) int { return cmp.Compare(a.upper, b.upper) })
	if !math.IsInf(buckets[len(buckets)-1].upper, 1) {
		return math.NaN()
	}
	// Add up the buckets of one bound, then make the counts a cumulative
	// envelope: never lower than a lower bucket's.
	merged := buckets[:1]
	for _, b := range buckets[1:] {
		if last := &merged[len(merged)-1]; b.upper == last.upper {
			last.count += b.count
		} else {
			merged = append(merged, b)
		}
	}
	buckets = merged
	for i := 1; i < len(buckets); i++ {
		buckets[i].count = max(buckets[i].count, buckets[i-1].count)
	}
	if len(buckets) < 2 {
		return math.NaN()
	}
	total := buckets[len(buckets)-1].count
	if total == 0 {
		return math.NaN()
	}
	rank := q * total
	// The first bucket that reaches the rank; the +Inf one if none
	// below it does.
	b, _ := slices.BinarySearchFunc(buckets[:len(buckets)-1], rank, func(x floatBucket, rank float64) int {
		if x.count >= rank {
			return 1
		}
		return -1
	})
	if b == len(buckets)-1 {
		return buckets[b-1].upper
	}
	lower, upper, inBucket := 0.0, buckets[b].upper, buckets[b].count
	if b == 0 {
		if upper <= 0 {
			return upper
		}
	} else {
		lower = buckets[b-1].upper
		inBucket -= buckets[b-1].count
		rank -= buckets[b-1].count
	}
	return lower + (upper-lower)*(rank/inBucket)
}

// nearestRank returns the q-quantile of sorted samples by the nearest-rank
// method: the smallest sample that at least q of the samples do not
// exceed, the ⌈q·n⌉-th. So the 0.99-quantile is at most a limit exactly
// when at least 99% of the samples are. It is 0 without samples.
func nearestRank(q float64, sorted []time.Duration) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[rankIndex(q, uint64(len(sorted)))]
}

// rankIndex is the index, from 0, of the ⌈q·n⌉-th of n ordered samples.
func rankIndex(q float64, n uint64) uint64 {
	qn := q * float64(n)
	r := math.Ceil(qn)
	// q·n may be a hair above the whole number it means: 0.99 × 100 is
	// 99.00000000000001 in floating point.
	if f := math.Floor(qn); qn-f <= 1e-12*qn {
		r = f
	}
	switch {
	case r < 1:
		return 0
	case r >= float64(n):
		return n - 1
	}
	return uint64(r) - 1
}

// The log-scale histogram that holds latency samples once the exact ones
// are too many: bucket i holds the latencies in (logBounds[i-1],
// logBounds[i]], the bounds growing by logGrowth from logMin, so that a
// bucket's upper bound is at most 1% above any latency in it. Bucket 0
// holds everything up to logMin; the last bucket everything above the
// bound before it.
const (
	logGrowth  = 1.01
	logMin     = time.Microsecond
	logBuckets = 2400 // up to logMin × 1.01^2398 ≈ 6.4 h
)

// logBounds are the upper bounds of the log-scale buckets, in
// nanoseconds; the last is +Inf.
var logBounds = func() []float64 {
	b := make([]float64, logBuckets)
	for i := range b {
		b[i] = float64(logMin) * math.Pow(logGrowth, float64(i))
	}
	b[len(b)-1] = math.Inf(1)
	return b
}()

// logIndex is the log-scale bucket of a latency.
func logIndex(d time.Duration) int {
	v := float64(d)
	if v <= float64(logMin) {
		return 0
	}
	i := int(math.Ceil(math.Log(v/float64(logMin)) / math.Log(logGrowth)))
	i = min(max(i, 1), logBuckets-1)
	// The logarithm may land one off at a bound; the table decides.
	for i > 0 && v <= logBounds[i-1] {
		i--
	}
	for v > logBounds[i] {
		i++
	}
	return i
}

// logHist counts latencies in the log-scale buckets. Only the range of
// buckets in use is allocated: counts[j] is bucket offset+j.
type logHist struct {
	offset int
	counts []uint64
	n      uint64
	max    time.Duration
}

// add counts a latency.
func (h *logHist) add(d time.Duration) { h.addN(logIndex(d), 1, d) }

// addN adds n latencies to bucket i, the largest of them maxD.
func (h *logHist) addN(i int, n uint64, maxD time.Duration) {
	switch {
	case len(h.counts) == 0:
		h.offset = i
		h.counts = append(h.counts[:0], 0)
	case i < h.offset:
		grow := h.offset - i
		h.counts = slices.Insert(h.counts, 0, make([]uint64, grow)...)
		h.offset = i
	case i >= h.offset+len(h.counts):
		h.counts = append(h.counts, make([]uint64, i-h.offset-len(h.counts)+1)...)
	}
	h.counts[i-h.offset] += n
	if h.n == 0 || maxD > h.max {
		h.max = maxD
	}
	h.n += n
}

// merge adds the counts of o.
func (h *logHist) merge(o *logHist) {
	for j, c := range o.counts {
		if c > 0 {
			h.addN(o.offset+j, c, 0)
		}
	}
	h.max = max(h.max, o.max)
}

// reset empties h, keeping its memory.
func (h *logHist) reset() {
	clear(h.counts)
	h.counts = h.counts[:0]
	h.n, h.max = 0, 0
}

// quantile is the nearest-rank q-quantile, read as the upper bound of its
// bucket, or the largest latency counted if that is lower: never below the
// true one, and at most 1% above it between 1 µs and 6 h.
func (h *logHist) quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	want := rankIndex(q, h.n) + 1 // the want-th smallest latency
	var seen uint64
	for j, c := range h.counts {
		seen += c
		if seen >= want {
			bound := logBounds[h.offset+j]
			if bound >= float64(h.max) {
				return h.max
			}
			return time.Duration(bound)
		}
	}
	return h.max
}
