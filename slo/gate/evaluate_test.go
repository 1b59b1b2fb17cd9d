package gate_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alertkit/alertkit/slo/gate"
)

var t0 = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

// tick is what a version reports every 5 seconds.
type tick struct {
	total, failed int
	latencies     []time.Duration
	cpu           float64 // not reported when 0
}

// report feeds ticks every 5 s from t0 + offset, as many as n, each made by
// f from its number.
func report(t *testing.T, r *gate.Recorder, offset time.Duration, n int, f func(i int) tick) {
	t.Helper()
	for i := range n {
		at := t0.Add(offset + time.Duration(i)*5*time.Second)
		k := f(i)
		require.NoError(t, r.Requests(at, k.total, k.failed))
		for _, d := range k.latencies {
			require.NoError(t, r.Latency(at, d))
		}
		if k.cpu != 0 {
			require.NoError(t, r.Gauge(at, "cpu", k.cpu))
		}
	}
}

// same returns n copies of d.
func same(n int, d time.Duration) []time.Duration {
	out := make([]time.Duration, n)
	for i := range out {
		out[i] = d
	}
	return out
}

// good is a healthy tick: 100 requests, 1 failing every 10th tick, 100
// latencies from 50 to 149 ms, cpu from 0.30 to 0.39.
func good(i int) tick {
	k := tick{total: 100, cpu: 0.30 + float64(i%10)/100}
	if i%10 == 0 {
		k.failed = 1
	}
	for j := range 100 {
		k.latencies = append(k.latencies, time.Duration(50+j)*time.Millisecond)
	}
	return k
}

func canaryGate() gate.Gate {
	return gate.Gate{
		Name:         "checkout",
		Window:       5 * time.Minute,
		MaxErrorRate: 0.01,
		MaxLatency:   gate.LatencyLimit{Max: 300 * time.Millisecond},
		MaxResource:  map[string]float64{"cpu": 0.8},
		MinRequests:  100,
		MinCoverage:  0.8,
	}
}

func TestVerdicts(t *testing.T) {
	full := 5 * time.Minute // the 60th tick is at t0 + 4m55s
	for _, tt := range []struct {
		name    string
		gate    func(*gate.Gate)
		record  func(t *testing.T, r *gate.Recorder)
		at      time.Duration // after t0
		want    gate.Status
		reasons []string
	}{
		{
			name:   "healthy",
			record: func(t *testing.T, r *gate.Recorder) { report(t, r, 0, 60, good) },
			at:     full - time.Second,
			want:   gate.StatusHealthy,
		},
		{
			name: "error rate over its limit",
			record: func(t *testing.T, r *gate.Recorder) {
				// 10000 requests, 230 failed.
				report(t, r, 0, 50, func(i int) tick {
					k := good(i)
					k.total, k.failed = 200, 4
					if i < 30 {
						k.failed = 5
					}
					return k
				})
			},
			at:      full - time.Second,
			want:    gate.StatusUnhealthy,
			reasons: []string{"error rate 2.3% > 1% over 5m (230 of 10000 requests failed)"},
		},
		{
			name: "p99 latency over its limit",
			record: func(t *testing.T, r *gate.Recorder) {
				// Of every 100 latencies, 98 are 100ms, one 412ms, one
				// 500ms: the 5940th of 6000 is 412ms.
				report(t, r, 0, 60, func(i int) tick {
					k := good(i)
					k.latencies = append(same(98, 100*time.Millisecond), 412*time.Millisecond, 500*time.Millisecond)
					return k
				})
			},
			at:      full - time.Second,
			want:    gate.StatusUnhealthy,
			reasons: []string{"p99 latency 412ms > 300ms over 5m (6000 requests)"},
		},
		{
			name: "a p99 just within its limit",
			record: func(t *testing.T, r *gate.Recorder) {
				// 60 of 6000 (1%) over the limit: 99% are within.
				report(t, r, 0, 60, func(i int) tick {
					k := good(i)
					k.latencies = append(same(99, 300*time.Millisecond), 2*time.Second)
					return k
				})
			},
			at:   full - time.Second,
			want: gate.StatusHealthy,
		},
		{
			name: "cpu over its limit once",
			record: func(t *testing.T, r *gate.Recorder) {
				report(t, r, 0, 60, func(i int) tick {
					k := good(i)
					if i == 42 {
						k.cpu = 0.93
					}
					return k
				})
			},
			at:      full - time.Second,
			want:    gate.StatusUnhealthy,
			reasons: []string{"cpu max 0.93 > 0.8 over 5m"},
		},
		{
			name: "cpu mean within its limit despite a spike",
			gate: func(g *gate.Gate) { g.ResourceAggregation = map[string]gate.Aggregation{"cpu": gate.AggregateMean} },
			record: func(t *testing.T, r *gate.Recorder) {
				report(t, r, 0, 60, func(i int) tick {
					k := good(i)
					if i == 42 {
						k.cpu = 0.93
					}
					return k
				})
			},
			at:   full - time.Second,
			want: gate.StatusHealthy,
		},
		{
			name: "cpu mean over its limit",
			gate: func(g *gate.Gate) { g.ResourceAggregation = map[string]gate.Aggregation{"cpu": gate.AggregateMean} },
			record: func(t *testing.T, r *gate.Recorder) {
				report(t, r, 0, 60, func(i int) tick {
					k := good(i)
					k.cpu = 0.8 + float64(i%3)/10 // 0.8, 0.9, 1.0
					return k
				})
			},
			at:      full - time.Second,
			want:    gate.StatusUnhealthy,
			reasons: []string{"cpu mean 0.9 > 0.8 over 5m"},
		},
		{
			name: "every check fails",
			record: func(t *testing.T, r *gate.Recorder) {
				report(t, r, 0, 60, func(i int) tick {
					return tick{total: 10, failed: 5, latencies: same(10, time.Second), cpu: 1.5}
				})
			},
			at:   full - time.Second,
			want: gate.StatusUnhealthy,
			reasons: []string{
				"error rate 50% > 1% over 5m (300 of 600 requests failed)",
				"p99 latency 1s > 300ms over 5m (600 requests)",
				"cpu max 1.5 > 0.8 over 5m",
			},
		},
		{
			name: "a rate just over its limit is written with the digits that show it",
			record: func(t *testing.T, r *gate.Recorder) {
				report(t, r, 0, 60, func(i int) tick {
					k := good(i)
					k.total, k.failed = 9999/60, 100/60
					if i < 9999%60 {
						k.total++
					}
					if i < 100%60 {
						k.failed++
					}
					return k
				})
			},
			at:      full - time.Second,
			want:    gate.StatusUnhealthy,
			reasons: []string{"error rate 1.0001% > 1% over 5m (100 of 9999 requests failed)"},
		},
		{
			name: "an error rate at its limit passes",
			record: func(t *testing.T, r *gate.Recorder) {
				report(t, r, 0, 60, func(i int) tick {
					k := good(i)
					k.failed = 1
					return k
				})
			},
			at:   full - time.Second,
			want: gate.StatusHealthy,
		},
		{
			name: "too few requests",
			record: func(t *testing.T, r *gate.Recorder) {
				report(t, r, 0, 60, func(int) tick { return tick{total: 1, latencies: same(1, time.Millisecond), cpu: 0.1} })
			},
			gate: func(g *gate.Gate) { g.MinRequests = 0 }, // the default, 100
			at:   full - time.Second,
			want: gate.StatusNotEnoughData,
			reasons: []string{
				"error rate: 60 requests in 5m, fewer than the 100 required",
				"p99 latency: 60 requests in 5m, fewer than the 100 required",
			},
		},
		{
			name:   "nothing recorded",
			record: func(*testing.T, *gate.Recorder) {},
			at:     full,
			want:   gate.StatusNotEnoughData,
			reasons: []string{
				"error rate: no requests in 5m",
				"p99 latency: no requests in 5m",
				"cpu max: no samples in 5m",
			},
		},
		{
			name: "a failing check without enough requests says not enough data",
			record: func(t *testing.T, r *gate.Recorder) {
				report(t, r, 0, 60, func(i int) tick {
					k := good(i)
					k.total, k.failed = 1, 1
					return k
				})
			},
			at:   full - time.Second,
			want: gate.StatusNotEnoughData,
			reasons: []string{
				"error rate: 60 requests in 5m, fewer than the 100 required",
			},
		},
		{
			name: "a failing check with enough data wins over another without",
			record: func(t *testing.T, r *gate.Recorder) {
				report(t, r, 0, 60, func(i int) tick {
					k := good(i)
					k.latencies = nil
					k.cpu = 0.95
					return k
				})
			},
			at:      full - time.Second,
			want:    gate.StatusUnhealthy,
			reasons: []string{"cpu max 0.95 > 0.8 over 5m"},
		},
		{
			name: "a canary that started a minute ago is not yet healthy",
			record: func(t *testing.T, r *gate.Recorder) {
				report(t, r, 0, 12, good)
			},
			at:   time.Minute - time.Second,
			want: gate.StatusNotEnoughData,
			reasons: []string{
				"error rate: data covers 20% of 5m, less than the 80% required",
				"p99 latency: data covers 20% of 5m, less than the 80% required",
				"cpu max: data covers 20% of 5m, less than the 80% required",
			},
		},
		{
			name: "but it fails at once",
			record: func(t *testing.T, r *gate.Recorder) {
				report(t, r, 0, 12, func(i int) tick {
					k := good(i)
					k.failed = 50
					return k
				})
			},
			at:      time.Minute - time.Second,
			want:    gate.StatusUnhealthy,
			reasons: []string{"error rate 50% > 1% over 5m (600 of 1200 requests failed)"},
		},
		{
			name: "metrics that stopped",
			record: func(t *testing.T, r *gate.Recorder) {
				report(t, r, 0, 60, good)
			},
			at:   8*time.Minute - time.Second,
			want: gate.StatusNotEnoughData,
			reasons: []string{
				"error rate: data covers 40% of 5m, less than the 80% required",
				"p99 latency: data covers 40% of 5m, less than the 80% required",
				"cpu max: data covers 40% of 5m, less than the 80% required",
			},
		},
		{
			name: "gaps in the data, within the coverage",
			record: func(t *testing.T, r *gate.Recorder) {
				report(t, r, 0, 60, func(i int) tick {
					if i%6 == 0 {
						return tick{}
					}
					return good(i)
				})
			},
			at:   full - time.Second,
			want: gate.StatusHealthy,
		},
		{
			name: "gaps in the data, beyond the coverage",
			record: func(t *testing.T, r *gate.Recorder) {
				// A tick without requests still reports them: 0.
				report(t, r, 0, 60, func(i int) tick {
					if i%4 == 0 {
						return tick{}
					}
					return good(i)
				})
			},
			at:   full - time.Second,
			want: gate.StatusNotEnoughData,
			reasons: []string{
				"p99 latency: data covers 75% of 5m, less than the 80% required",
				"cpu max: data covers 75% of 5m, less than the 80% required",
			},
		},
		{
			name: "a coverage of 0 is not checked",
			gate: func(g *gate.Gate) { g.MinCoverage = 0 },
			record: func(t *testing.T, r *gate.Recorder) {
				report(t, r, 0, 12, good)
			},
			at:   time.Minute - time.Second,
			want: gate.StatusHealthy,
		},
		{
			name: "the p99.9 of a gate",
			gate: func(g *gate.Gate) { g.MaxLatency.Quantile = 0.999 },
			record: func(t *testing.T, r *gate.Recorder) {
				report(t, r, 0, 60, func(i int) tick {
					k := good(i)
					if i%10 == 0 {
						k.latencies[0] = 301 * time.Millisecond // 6 of 6000
					} else if i%20 == 5 {
						k.latencies[0] = 300*time.Millisecond + 400*time.Microsecond // 3 more
					}
					return k
				})
			},
			at:      full - time.Second,
			want:    gate.StatusUnhealthy,
			reasons: []string{"p99.9 latency 300.4ms > 300ms over 5m (6000 requests)"},
		},
		{
			name: "a gate with a baseline, evaluated without one",
			gate: func(g *gate.Gate) { g.Baseline = &gate.Baseline{ErrorRateFactor: 2} },
			record: func(t *testing.T, r *gate.Recorder) {
				report(t, r, 0, 60, good)
			},
			at:      full - time.Second,
			want:    gate.StatusNotEnoughData,
			reasons: []string{"error rate vs baseline: no baseline: compare with one (Compare)"},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			g := canaryGate()
			if tt.gate != nil {
				tt.gate(&g)
			}
			r, err := gate.New(g, nil)
			require.NoError(t, err)
			tt.record(t, r)
			v := r.Evaluate(t0.Add(tt.at))
			assert.Equal(t, tt.want, v.Status, "reasons: %q", v.Reasons)
			assert.Equal(t, tt.reasons, v.Reasons)
			for _, c := range v.Checks {
				assert.Equal(t, c.Status == gate.StatusHealthy, c.Reason == "", "check %s: %s", c.Name, c.Reason)
			}
		})
	}
}

func TestVerdictNumbers(t *testing.T) {
	r, err := gate.New(canaryGate(), nil)
	require.NoError(t, err)
	report(t, r, 0, 60, good)
	now := t0.Add(5*time.Minute - time.Second)
	v := r.Evaluate(now)
	require.Equal(t, gate.StatusHealthy, v.Status)
	assert.Equal(t, now, v.At)
	assert.Equal(t, 5*time.Minute, v.Window)
	assert.Equal(t, 6000, v.Requests)
	assert.Equal(t, 6, v.Failed)
	assert.InDelta(t, 0.001, v.ErrorRate, 1e-12)
	assert.Equal(t, 6000, v.LatencyCount)
	assert.Equal(t, 148*time.Millisecond, v.Latency, "the 5940th of 50…149 ms, 60 of each")
	assert.Equal(t, 99500*time.Microsecond, v.MeanLatency)
	assert.InDelta(t, 0.39, v.Resources["cpu"], 1e-12)
	assert.Len(t, v.Resources, 1)
	assert.InDelta(t, 1, v.Coverage, 1e-12)
	assert.Nil(t, v.Baseline)
	require.Len(t, v.Checks, 3)
	assert.Equal(t, gate.Check{Name: "error rate", Status: gate.StatusHealthy, Value: v.ErrorRate, Limit: 0.01}, v.Checks[0])
	assert.Equal(t, gate.Check{Name: "p99 latency", Status: gate.StatusHealthy, Value: 0.148, Limit: 0.3}, v.Checks[1])
	assert.Equal(t, gate.Check{Name: "cpu max", Status: gate.StatusHealthy, Value: v.Resources["cpu"], Limit: 0.8}, v.Checks[2])
}

// A histogram scraped every 15 s: the p99 of the window's increase, as
// histogram_quantile(0.99, increase(latency_seconds_bucket[5m])) reads it.
func TestVerdictFromHistograms(t *testing.T) {
	g := canaryGate()
	g.Resolution = 15 * time.Second
	g.MaxResource = nil
	r, err := gate.New(g, nil)
	require.NoError(t, err)
	// Every scrape adds 100 observations: 90 up to 100ms, 8 up to
	// 250ms, 2 up to 500ms. The rank 0.99 × 2000 = 1980 falls in the
	// (0.25, 0.5] bucket, half-way.
	for i := range 21 {
		at := t0.Add(time.Duration(i) * 15 * time.Second)
		n := uint64(i) * 100
		buckets := []gate.Bucket{{0.1, n * 90 / 100}, {0.25, n * 98 / 100}, {0.5, n}, {1, n}}
		require.NoError(t, r.Histogram(at, buckets, n, float64(n)*0.08))
		require.NoError(t, r.Requests(at, 100, 0))
	}
	v := r.Evaluate(t0.Add(5 * time.Minute))
	assert.Equal(t, gate.StatusUnhealthy, v.Status)
	assert.Equal(t, []string{"p99 latency 375ms > 300ms over 5m (2000 requests)"}, v.Reasons)
	assert.Equal(t, 2000, v.LatencyCount)
	assert.Equal(t, 80*time.Millisecond, v.MeanLatency)
	assert.InDelta(t, 1, v.Coverage, 1e-12)
}

func TestCompare(t *testing.T) {
	for _, tt := range []struct {
		name             string
		baseline         gate.Baseline
		canary, stable   func(i int) tick
		stableResolution time.Duration
		want             gate.Status
		reasons          []string
	}{
		{
			name:     "within the baseline's error rate",
			baseline: gate.Baseline{ErrorRateFactor: 2, ErrorRateTolerance: 0.005},
			canary:   func(i int) tick { k := good(i); k.failed = 1; return k }, // 1%
			stable:   func(i int) tick { k := good(i); k.total = 1000; k.failed = 4; return k },
			want:     gate.StatusHealthy,
		},
		{
			name:     "worse than the baseline's error rate",
			baseline: gate.Baseline{ErrorRateFactor: 2, ErrorRateTolerance: 0.005},
			canary: func(i int) tick {
				// 230 of 10000 requests fail.
				k := good(i)
				k.total, k.failed = 10000/60, 230/60
				if i < 10000%60 {
					k.total++
				}
				if i < 230%60 {
					k.failed++
				}
				return k
			},
			stable: func(i int) tick { k := good(i); k.total = 1000; k.failed = 4; return k }, // 0.4%
			want:   gate.StatusUnhealthy,
			reasons: []string{
				"error rate 2.3% > 2 × baseline 0.4% + 0.5% = 1.3% over 5m",
			},
		},
		{
			name:     "a baseline without errors, and no tolerance",
			baseline: gate.Baseline{ErrorRateFactor: 1.5},
			canary:   func(i int) tick { k := good(i); k.failed = 0; return k },
			stable:   func(i int) tick { k := good(i); k.failed = 0; return k },
			want:     gate.StatusHealthy,
		},
		{
			name:     "worse than the baseline's p99",
			baseline: gate.Baseline{LatencyFactor: 1.5, LatencyTolerance: 50 * time.Millisecond},
			canary: func(i int) tick {
				k := good(i)
				k.latencies = append(same(98, 100*time.Millisecond), 299*time.Millisecond, 299*time.Millisecond)
				return k
			},
			stable: func(i int) tick {
				k := good(i)
				k.latencies = append(same(99, 100*time.Millisecond), 200*time.Millisecond)
				return k
			},
			want:    gate.StatusUnhealthy,
			reasons: []string{"p99 latency 299ms > 1.5 × baseline 100ms + 50ms = 200ms over 5m"},
		},
		{
			name:     "a baseline with too few requests",
			baseline: gate.Baseline{ErrorRateFactor: 2},
			canary:   good,
			stable:   func(i int) tick { k := good(i); k.total = 1; k.failed = 0; return k },
			want:     gate.StatusNotEnoughData,
			reasons:  []string{"error rate vs baseline: the baseline has 60 requests in 5m, fewer than the 100 required"},
		},
		{
			name:     "a baseline that started late",
			baseline: gate.Baseline{LatencyFactor: 2},
			canary:   good,
			stable: func(i int) tick {
				if i < 30 {
					return tick{}
				}
				return good(i)
			},
			want:    gate.StatusNotEnoughData,
			reasons: []string{"p99 latency vs baseline: the baseline's data covers 50% of 5m, less than the 80% required"},
		},
		{
			name:             "a baseline of another resolution",
			baseline:         gate.Baseline{ErrorRateFactor: 2},
			canary:           good,
			stable:           good,
			stableResolution: 10 * time.Second,
			want:             gate.StatusNotEnoughData,
			reasons:          []string{"error rate vs baseline: the baseline records a window of 5m in slots of 10s, not 5m in slots of 5s"},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			g := canaryGate()
			g.MaxErrorRate, g.MaxLatency.Max = 0.05, time.Second
			g.Baseline = &tt.baseline
			canary, err := gate.New(g, nil)
			require.NoError(t, err)
			g.Resolution = tt.stableResolution
			stable, err := gate.New(g, nil)
			require.NoError(t, err)
			report(t, canary, 0, 60, tt.canary)
			report(t, stable, 0, 60, tt.stable)
			v := canary.Compare(t0.Add(5*time.Minute-time.Second), stable)
			assert.Equal(t, tt.want, v.Status, "reasons: %q", v.Reasons)
			assert.Equal(t, tt.reasons, v.Reasons)
			require.NotNil(t, v.Baseline)
			assert.Equal(t, 5*time.Minute, v.Baseline.Window)
		})
	}
}

func TestStatusString(t *testing.T) {
	for s, want := range map[gate.Status]string{
		gate.StatusHealthy:       "healthy",
		gate.StatusUnhealthy:     "unhealthy",
		gate.StatusNotEnoughData: "not enough data",
		gate.Status(7):           "Status(7)",
	} {
		assert.Equal(t, want, s.String())
		text, err := s.MarshalText()
		require.NoError(t, err)
		assert.Equal(t, want, string(text))
	}
	assert.Equal(t, gate.StatusNotEnoughData, gate.Verdict{}.Status, "a zero verdict says nothing good")
}
