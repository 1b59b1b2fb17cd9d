package gate_test

import (
	"errors"
	"fmt"
	"math"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alertkit/alertkit/slo/gate"
)

// latencyGate checks only the p99 latency, with no minimum.
func latencyGate() gate.Gate {
	return gate.Gate{Window: 15 * time.Minute, MaxLatency: gate.LatencyLimit{Max: 5 * time.Second}, MinRequests: 1}
}

// Data leaves the window slot by slot as time moves on.
func TestWindowExpiry(t *testing.T) {
	g := gate.Gate{Window: time.Minute, Resolution: 10 * time.Second, MaxErrorRate: 0.5, MinRequests: 1}
	r, err := gate.New(g, nil)
	require.NoError(t, err)
	require.NoError(t, r.Requests(t0, 10, 1))                     // slot [0s, 10s)
	require.NoError(t, r.Requests(t0.Add(25*time.Second), 20, 2)) // slot [20s, 30s)
	for _, tt := range []struct {
		at       time.Duration
		requests int
		coverage float64
	}{
		{0, 10, 1. / 6},
		{9 * time.Second, 10, 1. / 6},
		{30 * time.Second, 30, 2. / 6},
		{59 * time.Second, 30, 2. / 6},
		{60 * time.Second, 20, 1. / 6}, // the window is slots [10s, 70s)
		{89 * time.Second, 0, 0},       // slots [30s, 90s)
		{-time.Second, 0, 0},           // before anything
	} {
		v := r.Evaluate(t0.Add(tt.at))
		assert.Equal(t, tt.requests, v.Requests, "at %s", tt.at)
		assert.InDelta(t, tt.coverage, v.Coverage, 1e-12, "at %s", tt.at)
	}

	// A sample late by less than the window still counts; one older than
	// the window of the newest sample is refused.
	require.NoError(t, r.Requests(t0.Add(5*time.Second), 1, 0))  // slot 0, while the newest is slot 2
	require.NoError(t, r.Requests(t0.Add(70*time.Second), 1, 0)) // slot 7: the window is slots 2 to 7
	require.NoError(t, r.Requests(t0.Add(25*time.Second), 1, 0))
	err = r.Requests(t0.Add(19*time.Second), 1, 0)
	require.ErrorIs(t, err, gate.ErrTooOld)
	assert.EqualError(t, err, "gate: requests at 2026-11-23T09:00:19Z: older than the window")
	assert.Equal(t, 22, r.Evaluate(t0.Add(70*time.Second)).Requests, "slots 2 to 7: 20 + 1, and 1")
	assert.Equal(t, 21, r.Evaluate(t0.Add(69*time.Second)).Requests, "slots 1 to 6: slot 0 expired when slot 7 came")

	// A jump far ahead empties the window.
	require.NoError(t, r.Requests(t0.Add(time.Hour), 5, 0))
	v := r.Evaluate(t0.Add(time.Hour))
	assert.Equal(t, 5, v.Requests)
	assert.Equal(t, 0, r.Evaluate(t0.Add(70*time.Second)).Requests, "expired slots are gone")
}

// A cumulative histogram is read by its increase; a counter reset counts
// from zero. Prometheus's own example (histogram_with_reset in
// promql/promqltest/testdata/histograms.test): the second snapshot's le=4
// bucket drops from 8 to 5, so it restarted; the increase is then the
// second snapshot plus the third minus the second.
func TestHistogramCounterReset(t *testing.T) {
	r, err := gate.New(latencyGate(), nil)
	require.NoError(t, err)
	for i, s := range []struct {
		buckets []uint64
		sum     float64
	}{
		{[]uint64{1, 3, 8, 10}, 36},
		{[]uint64{3, 3, 5, 6}, 16},
		{[]uint64{9, 9, 12, 18}, 61},
	} {
		var buckets []gate.Bucket
		for j, c := range s.buckets {
			buckets = append(buckets, gate.Bucket{UpperBound: []float64{1, 2, 4, 8}[j], Count: c})
		}
		require.NoError(t, r.Histogram(t0.Add(time.Duration(i)*5*time.Minute), buckets, s.buckets[3], s.sum))
	}
	v := r.Evaluate(t0.Add(10 * time.Minute))
	// Increase: 3, 3, 5, 6 then 6, 6, 7, 12: 9, 9, 12, 18 — and a sum
	// of 16 + 45. PromQL's increase() scales this by 1.5 over [15m],
	// which quantiles do not see.
	assert.Equal(t, 18, v.LatencyCount)
	assert.Equal(t, 3388888889*time.Nanosecond, v.MeanLatency, "61 s / 18")
	// p99: rank 17.82 in (4, 8], which holds 6 from a cumulative 12.
	assert.Equal(t, 7880*time.Millisecond, v.Latency)
	assert.InDelta(t, 7.88, gate.HistogramQuantile(0.99, []gate.Bucket{{1, 9}, {2, 9}, {4, 12}, {8, 18}, {inf, 18}}), 1e-12)
}

func TestHistogramSnapshots(t *testing.T) {
	b := func(counts ...uint64) []gate.Bucket {
		out := make([]gate.Bucket, len(counts))
		for i, c := range counts {
			out[i] = gate.Bucket{UpperBound: []float64{0.1, 0.5, 1, inf}[i], Count: c}
		}
		return out
	}
	type snap struct {
		at      time.Duration
		buckets []gate.Bucket
		count   uint64
		err     string
	}
	for _, tt := range []struct {
		name   string
		snaps  []snap
		evalAt time.Duration
		count  int
	}{
		{"the first snapshot is the starting point", []snap{{0, b(5, 8, 9), 10, ""}}, time.Minute, 0},
		{"increase", []snap{{0, b(5, 8, 9), 10, ""}, {time.Minute, b(7, 10, 12), 15, ""}}, time.Minute, 5},
		{"+Inf given", []snap{{0, b(5, 8, 9, 10), 10, ""}, {time.Minute, b(7, 10, 12, 15), 15, ""}}, time.Minute, 5},
		{"a reset seen by the count alone", []snap{{0, b(5, 8, 9), 10, ""}, {time.Minute, b(5, 8, 9), 9, ""}}, time.Minute, 9},
		{"a reset seen by one bucket", []snap{{0, b(5, 8, 9), 10, ""}, {time.Minute, b(4, 8, 9), 10, ""}}, time.Minute, 10},
		{"no change", []snap{{0, b(5, 8, 9), 10, ""}, {time.Minute, b(5, 8, 9), 10, ""}}, time.Minute, 0},
		{"the increase is dropped with its slot", []snap{{0, b(5, 8, 9), 10, ""}, {time.Minute, b(7, 10, 12), 15, ""}}, 16 * time.Minute, 0},
		{"a gap longer than the window restarts", []snap{{0, b(5, 8, 9), 10, ""}, {20 * time.Minute, b(50, 80, 90), 100, ""}, {21 * time.Minute, b(51, 81, 91), 101, ""}}, 21 * time.Minute, 1},
		{"older than the previous snapshot", []snap{{time.Minute, b(5, 8, 9), 10, ""}, {0, b(6, 8, 9), 11, "gate: histogram at 2026-11-23T09:00:00Z: before the previous snapshot, at 2026-11-23T09:01:00Z"}}, time.Minute, 0},
		{"other bounds", []snap{{0, b(5, 8, 9), 10, ""}, {time.Minute, []gate.Bucket{{0.2, 1}}, 1, "gate: histogram at 2026-11-23T09:01:00Z: bucket bounds [0.2] differ from the first snapshot's [0.1 0.5 1]; a recorder takes one histogram"}}, time.Minute, 0},
		{"a refused snapshot loses nothing", []snap{{0, b(5, 8, 9), 10, ""}, {time.Minute, b(9, 8, 9), 10, "gate: histogram at 2026-11-23T09:01:00Z: bucket 2 (le=0.5): count 8 below the previous bucket's 9: counts are cumulative"}, {2 * time.Minute, b(9, 10, 11), 12, ""}}, 2 * time.Minute, 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r, err := gate.New(latencyGate(), nil)
			require.NoError(t, err)
			for _, s := range tt.snaps {
				err := r.Histogram(t0.Add(s.at), s.buckets, s.count, 0)
				if s.err == "" {
					require.NoError(t, err)
				} else {
					require.EqualError(t, err, s.err)
				}
			}
			assert.Equal(t, tt.count, r.Evaluate(t0.Add(tt.evalAt)).LatencyCount)
		})
	}
}

func TestInputErrors(t *testing.T) {
	g := canaryGate()
	g.Name = ""
	r, err := gate.New(g, nil)
	require.NoError(t, err)
	nan := math.NaN()
	for _, tt := range []struct {
		name string
		call func() error
		want string
	}{
		{"negative requests", func() error { return r.Requests(t0, -1, 0) }, "gate: requests at 2026-11-23T09:00:00Z: total -1, failed 0: negative"},
		{"more failed than total", func() error { return r.Requests(t0, 3, 5) }, "gate: requests at 2026-11-23T09:00:00Z: failed 5 > total 3"},
		{"negative latency", func() error { return r.Latency(t0, -time.Second) }, "gate: latency at 2026-11-23T09:00:00Z: -1s: negative"},
		{"gauge without a name", func() error { return r.Gauge(t0, "", 1) }, "gate: gauge at 2026-11-23T09:00:00Z: no name"},
		{"gauge NaN", func() error { return r.Gauge(t0, "cpu", nan) }, "gate: gauge cpu at 2026-11-23T09:00:00Z: NaN: want a number"},
		{"gauge +Inf", func() error { return r.Gauge(t0, "cpu", inf) }, "gate: gauge cpu at 2026-11-23T09:00:00Z: +Inf: want a number"},
		{"histogram without buckets", func() error { return r.Histogram(t0, nil, 0, 0) }, "gate: histogram at 2026-11-23T09:00:00Z: no finite bucket"},
		{"histogram of +Inf only", func() error { return r.Histogram(t0, []gate.Bucket{{inf, 3}}, 3, 0) }, "gate: histogram at 2026-11-23T09:00:00Z: no finite bucket"},
		{"histogram +Inf not the count", func() error { return r.Histogram(t0, []gate.Bucket{{1, 2}, {inf, 3}}, 4, 0) }, "gate: histogram at 2026-11-23T09:00:00Z: +Inf bucket 3: differs from the count 4"},
		{"histogram NaN bound", func() error { return r.Histogram(t0, []gate.Bucket{{nan, 2}}, 4, 0) }, "gate: histogram at 2026-11-23T09:00:00Z: bucket 1: upper bound NaN: want a number, and +Inf only last"},
		{"histogram +Inf not last", func() error { return r.Histogram(t0, []gate.Bucket{{inf, 2}, {1, 2}}, 4, 0) }, "gate: histogram at 2026-11-23T09:00:00Z: bucket 1: upper bound +Inf: want a number, and +Inf only last"},
		{"histogram unsorted", func() error { return r.Histogram(t0, []gate.Bucket{{1, 2}, {0.5, 2}}, 4, 0) }, "gate: histogram at 2026-11-23T09:00:00Z: bucket 2: upper bound 0.5: not above the previous one, 1"},
		{"histogram bound twice", func() error { return r.Histogram(t0, []gate.Bucket{{1, 2}, {1, 2}}, 4, 0) }, "gate: histogram at 2026-11-23T09:00:00Z: bucket 2: upper bound 1: not above the previous one, 1"},
		{"histogram count above the total", func() error { return r.Histogram(t0, []gate.Bucket{{1, 5}}, 4, 0) }, "gate: histogram at 2026-11-23T09:00:00Z: bucket 1 (le=1): count 5 above the histogram's count 4"},
		{"histogram NaN sum", func() error { return r.Histogram(t0, []gate.Bucket{{1, 2}}, 4, nan) }, "gate: histogram at 2026-11-23T09:00:00Z: sum NaN: want a number"},
		{"histogram too many buckets", func() error {
			many := make([]gate.Bucket, gate.MaxHistogramBuckets+1)
			for i := range many {
				many[i].UpperBound = float64(i)
			}
			return r.Histogram(t0, many, 0, 0)
		}, "gate: histogram at 2026-11-23T09:00:00Z: 513 buckets, more than 512"},
		{"a latency sample where histograms came", func() error {
			h, err := gate.New(g, nil)
			require.NoError(t, err)
			require.NoError(t, h.Histogram(t0, []gate.Bucket{{1, 2}}, 4, 0))
			return h.Latency(t0, time.Second)
		}, "gate: latency at 2026-11-23T09:00:00Z: latencies come either as samples or as histograms, not both: this recorder takes histograms"},
		{"a histogram where latency samples came", func() error {
			require.NoError(t, r.Latency(t0, time.Second))
			return r.Histogram(t0, []gate.Bucket{{1, 2}}, 4, 0)
		}, "gate: histogram at 2026-11-23T09:00:00Z: latencies come either as samples or as histograms, not both: this recorder takes latency samples"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			assert.EqualError(t, tt.call(), tt.want)
		})
	}
	assert.ErrorIs(t, r.Histogram(t0, []gate.Bucket{{1, 2}}, 4, 0), gate.ErrMixedLatency)

	// Gauge names are bounded; a name already known still records.
	for i := range gate.MaxGauges {
		require.NoError(t, r.Gauge(t0, fmt.Sprintf("g%d", i), 1))
	}
	assert.EqualError(t, r.Gauge(t0, "one-too-many", 1), "gate: gauge one-too-many at 2026-11-23T09:00:00Z: more than 64 gauge names")
	require.NoError(t, r.Gauge(t0, "g0", 2))
	assert.Len(t, r.Evaluate(t0).Resources, gate.MaxGauges)

	named, err := gate.New(canaryGate(), nil)
	require.NoError(t, err)
	assert.EqualError(t, named.Requests(t0, 1, 2), "gate checkout: requests at 2026-11-23T09:00:00Z: failed 2 > total 1")
}

// Reset starts a new window, as when a canary moves to its next step; the
// last histogram snapshot stays the starting point.
func TestReset(t *testing.T) {
	r, err := gate.New(latencyGate(), nil)
	require.NoError(t, err)
	require.NoError(t, r.Histogram(t0, []gate.Bucket{{1, 5}}, 10, 5))
	require.NoError(t, r.Histogram(t0.Add(time.Minute), []gate.Bucket{{1, 15}}, 20, 12))
	assert.Equal(t, 10, r.Evaluate(t0.Add(time.Minute)).LatencyCount)
	r.Reset()
	v := r.Evaluate(t0.Add(time.Minute))
	assert.Equal(t, gate.StatusNotEnoughData, v.Status)
	assert.Equal(t, 0, v.LatencyCount)
	assert.Equal(t, float64(0), v.Coverage)
	require.NoError(t, r.Histogram(t0.Add(2*time.Minute), []gate.Bucket{{1, 16}}, 22, 14))
	assert.Equal(t, 2, r.Evaluate(t0.Add(2*time.Minute)).LatencyCount)
	// After a Reset, an earlier time is no longer too old.
	r.Reset()
	require.NoError(t, r.Requests(t0.Add(-time.Hour), 1, 0))
}

// A Recorder is safe for concurrent use: run with -race.
func TestConcurrentUse(t *testing.T) {
	g := canaryGate()
	g.Window = time.Hour
	r, err := gate.New(g, &gate.Options{MaxSamples: 500})
	require.NoError(t, err)
	const workers, each = 8, 2000
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				at := t0.Add(time.Duration(i) * time.Second)
				if err := errors.Join(
					r.Requests(at, 2, i%2),
					r.Latency(at, time.Duration(w*each+i)*time.Microsecond),
					r.Gauge(at, "cpu", float64(w)/10),
				); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Go(func() {
		for i := range 200 {
			v := r.Evaluate(t0.Add(time.Duration(i) * 10 * time.Second))
			if v.Requests%2 != 0 {
				t.Errorf("a torn read: %d requests", v.Requests)
			}
		}
	})
	wg.Wait()
	v := r.Evaluate(t0.Add(each * time.Second))
	assert.Equal(t, workers*each*2, v.Requests)
	assert.Equal(t, workers*each/2, v.Failed)
	assert.Equal(t, workers*each, v.LatencyCount)
	assert.InDelta(t, 0.7, v.Resources["cpu"], 1e-12)
	// 16000 latencies of 0…15999 µs, folded: the p99 is the 15840th,
	// 15839 µs, read at most 1% high.
	assert.GreaterOrEqual(t, v.Latency, 15839*time.Microsecond)
	assert.LessOrEqual(t, v.Latency, 15839*101*time.Microsecond/100)
}

func TestNewRefuses(t *testing.T) {
	_, err := gate.New(gate.Gate{}, nil)
	assert.EqualError(t, err, "gate: window: missing: give the observation window, such as 5m")
	_, err = gate.New(canaryGate(), &gate.Options{MaxSamples: -1})
	assert.EqualError(t, err, "gate checkout: options: max samples -1: negative")
}

// The recorder keeps its own copy of the gate.
func TestGateCopied(t *testing.T) {
	g := canaryGate()
	g.Baseline = &gate.Baseline{ErrorRateFactor: 2}
	r, err := gate.New(g, nil)
	require.NoError(t, err)
	g.MaxResource["cpu"] = 100
	g.Baseline.ErrorRateFactor = 100
	got := r.Gate()
	assert.Equal(t, 0.8, got.MaxResource["cpu"])
	assert.Equal(t, 2.0, got.Baseline.ErrorRateFactor)
	got.MaxResource["cpu"] = 100
	assert.Equal(t, 0.8, r.Gate().MaxResource["cpu"])
}
