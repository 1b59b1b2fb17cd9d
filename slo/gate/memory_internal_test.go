package gate

import (
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// footprint is the memory the recorder's slots hold, in bytes.
func (r *Recorder) footprint() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for i := range r.slots {
		s := &r.slots[i]
		n += 8*cap(s.raw) + 8*cap(s.hist.counts) + 8*cap(s.histCounts) + 24*cap(s.gauges)
	}
	return n
}

// However many observations, and however bursty, a recorder holds at
// most MaxSamples exact latencies and a bounded histogram per slot.
func TestMemoryBounded(t *testing.T) {
	g := Gate{Window: 5 * time.Minute, MaxLatency: LatencyLimit{Max: time.Second}}
	r, err := New(g, nil)
	require.NoError(t, err)
	n := len(r.slots)
	bound := 8*(4*DefaultMaxSamples+n*(2*DefaultMaxSamples/n+16)) + n*2*8*logBuckets
	t0 := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	at := t0
	largest := 0
	// Three windows: a burst of a million in 10 s, then a steady 300 a
	// second, then a trickle of 1 a second, with latencies over the
	// whole range of the log-scale buckets.
	for phase, p := range []struct {
		count int
		step  time.Duration
	}{{1000000, 10 * time.Microsecond}, {90000, time.Second / 300}, {300, time.Second}} {
		for i := range p.count {
			at = at.Add(p.step)
			d := time.Duration(1) << (i % 45) // 1 ns to 9.8 h
			require.NoError(t, r.Latency(at, d+time.Duration(i%1000)))
		}
		require.LessOrEqual(t, r.rawHeld, DefaultMaxSamples, "phase %d", phase)
		largest = max(largest, r.footprint())
		require.LessOrEqual(t, r.footprint(), bound, "phase %d", phase)
		for i := range r.slots {
			require.LessOrEqual(t, len(r.slots[i].hist.counts), logBuckets)
		}
	}
	t.Logf("largest footprint %d B (bound %d B)", largest, bound)
	// The trickle fits the exact samples again: the last window is exact.
	v := r.Evaluate(at)
	assert.Equal(t, 300, v.LatencyCount)

	// And the Go heap agrees: a recorder that took a million more
	// observations holds no more than it did.
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for i := range 1000000 {
		at = at.Add(time.Millisecond)
		require.NoError(t, r.Latency(at, time.Duration(i)*time.Microsecond))
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	assert.Less(t, int64(after.HeapAlloc)-int64(before.HeapAlloc), int64(bound), "heap growth")
	runtime.KeepAlive(r)
}
