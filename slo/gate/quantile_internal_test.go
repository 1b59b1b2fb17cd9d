package gate

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNearestRank(t *testing.T) {
	ms := func(vs ...int) []time.Duration {
		out := make([]time.Duration, len(vs))
		for i, v := range vs {
			out[i] = time.Duration(v) * time.Millisecond
		}
		return out
	}
	hundred := make([]time.Duration, 100)
	for i := range hundred {
		hundred[i] = time.Duration(i+1) * time.Millisecond
	}
	for _, tt := range []struct {
		name   string
		q      float64
		sorted []time.Duration
		want   time.Duration
	}{
		{"no samples", 0.99, nil, 0},
		{"one sample", 0.99, ms(7), 7 * time.Millisecond},
		{"q 0 is the smallest", 0, ms(1, 2, 3), time.Millisecond},
		{"q 1 is the largest", 1, ms(1, 2, 3), 3 * time.Millisecond},
		{"the median of 4 is the 2nd", 0.5, ms(1, 2, 3, 4), 2 * time.Millisecond},
		{"the median of 5 is the 3rd", 0.5, ms(1, 2, 3, 4, 5), 3 * time.Millisecond},
		{"p99 of 100 is the 99th, though 0.99 × 100 > 99 in floating point", 0.99, hundred, 99 * time.Millisecond},
		{"p99.9 of 100 is the largest", 0.999, hundred, 100 * time.Millisecond},
		{"p90 of 10 is the 9th", 0.9, ms(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 9 * time.Millisecond},
		{"p95 of 10 is the 10th", 0.95, ms(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 10 * time.Millisecond},
	} {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, nearestRank(tt.q, tt.sorted))
		})
	}
	// At least q of the samples are at most the q-quantile, and fewer
	// than q are below it.
	rng := rand.New(rand.NewPCG(3, 4))
	for range 1000 {
		n := 1 + rng.IntN(300)
		s := make([]time.Duration, n)
		for i := range s {
			s[i] = time.Duration(rng.IntN(50))
		}
		slices.Sort(s)
		q := float64(rng.IntN(1001)) / 1000
		v := nearestRank(q, s)
		atMost, below := 0, 0
		for _, x := range s {
			if x <= v {
				atMost++
			}
			if x < v {
				below++
			}
		}
		require.GreaterOrEqual(t, float64(atMost), q*float64(n)-1e-9, "q %v of %v", q, s)
		require.Less(t, float64(below), math.Max(q*float64(n), 1), "q %v of %v", q, s)
	}
}

func TestLogBuckets(t *testing.T) {
	for i := 1; i < logBuckets-1; i++ {
		require.Greater(t, logBounds[i], logBounds[i-1])
		require.LessOrEqual(t, logBounds[i], logBounds[i-1]*logGrowth*(1+1e-12), "bucket %d", i)
	}
	assert.Greater(t, logBounds[logBuckets-2], float64(6*time.Hour), "the highest finite bound")
	for _, d := range []time.Duration{0, 1, time.Microsecond, time.Microsecond + 1, 1234567, time.Second, time.Hour, 4 * time.Hour, math.MaxInt64} {
		i := logIndex(d)
		require.LessOrEqual(t, float64(d), logBounds[i], "%s in bucket %d", d, i)
		if i > 0 {
			require.Greater(t, float64(d), logBounds[i-1], "%s in bucket %d", d, i)
		}
	}
	// Every bound itself lands in its own bucket.
	for i := 1; i < logBuckets-1; i++ {
		d := time.Duration(logBounds[i])
		if float64(d) == logBounds[i] {
			require.Equal(t, i, logIndex(d))
		}
	}
}

// The log-scale histogram's quantile is never below the exact one and at
// most 1% above it.
func TestLogHistAccuracy(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, dist := range []struct {
		name string
		draw func() time.Duration
	}{
		{"uniform 1ms–1s", func() time.Duration { return time.Millisecond + time.Duration(rng.Int64N(int64(time.Second))) }},
		{"log-normal around 80ms", func() time.Duration {
			return time.Duration(float64(80*time.Millisecond) * math.Exp(rng.NormFloat64()))
		}},
		{"a few values", func() time.Duration { return time.Duration(1+rng.IntN(3)) * 100 * time.Millisecond }},
		{"sub-microsecond", func() time.Duration { return time.Duration(rng.IntN(2000)) }},
	} {
		t.Run(dist.name, func(t *testing.T) {
			var h logHist
			samples := make([]time.Duration, 20000)
			for i := range samples {
				samples[i] = dist.draw()
				h.add(samples[i])
			}
			slices.Sort(samples)
			for _, q := range []float64{0, 0.01, 0.5, 0.9, 0.99, 0.999, 1} {
				exact := nearestRank(q, samples)
				got := h.quantile(q)
				require.GreaterOrEqual(t, got, exact, "q %v", q)
				if exact >= logMin {
					require.LessOrEqual(t, float64(got), float64(exact)*logGrowth, "q %v: %s for %s", q, got, exact)
				} else {
					require.LessOrEqual(t, got, logMin, "q %v", q)
				}
			}
			// Merged halves read as the whole.
			var a, b logHist
			for i, d := range samples {
				if i%2 == 0 {
					a.add(d)
				} else {
					b.add(d)
				}
			}
			a.merge(&b)
			for _, q := range []float64{0.5, 0.99} {
				assert.Equal(t, h.quantile(q), a.quantile(q))
			}
		})
	}
}
