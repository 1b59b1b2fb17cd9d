package gate_test

import (
	"encoding/binary"
	"math"
	"testing"
	"time"

	"github.com/alertkit/alertkit/slo/gate"
)

// reader hands out the fuzzer's bytes as numbers, zeros once they run out.
type reader struct{ b []byte }

func (r *reader) byte() byte {
	if len(r.b) == 0 {
		return 0
	}
	v := r.b[0]
	r.b = r.b[1:]
	return v
}

func (r *reader) uint32() uint32 {
	var b [4]byte
	for i := range b {
		b[i] = r.byte()
	}
	return binary.LittleEndian.Uint32(b[:])
}

func (r *reader) float64() float64 {
	var b [8]byte
	for i := range b {
		b[i] = r.byte()
	}
	return math.Float64frombits(binary.LittleEndian.Uint64(b[:]))
}

// buckets reads up to 7 buckets: a small bound, or any float64, and a count.
func (r *reader) buckets() []gate.Bucket {
	n := int(r.byte() % 8)
	out := make([]gate.Bucket, n)
	for i := range out {
		if k := r.byte(); k < 200 {
			out[i].UpperBound = float64(int(k)-50) / 20
		} else if k < 230 {
			out[i].UpperBound = math.Inf(1)
		} else {
			out[i].UpperBound = r.float64()
		}
		out[i].Count = uint64(r.uint32() % 1000)
	}
	return out
}

// A recorder takes whatever it is given — in any order, at any time, as
// samples or histograms — without a panic, refuses what it must with an
// error, and its verdicts stay consistent.
func FuzzRecorder(f *testing.F) {
	f.Add([]byte{0, 10, 100, 5, 1, 20, 50, 2, 40, 80, 4, 30})
	f.Add([]byte{3, 0, 3, 60, 0, 0, 0, 80, 0, 0, 0, 120, 0, 0, 0, 200, 0, 0, 0, 3, 10, 3, 60, 5, 0, 0, 0, 90, 0, 0, 0, 130, 0, 0, 0, 210, 0, 0, 0, 4, 255})
	f.Add([]byte{1, 200, 9, 1, 201, 9, 1, 10, 9, 5, 0, 4, 0})
	f.Add([]byte{2, 1, 255, 255, 255, 255, 255, 255, 239, 127, 4, 255, 0, 1})
	f.Fuzz(func(t *testing.T, data []byte) {
		in := &reader{b: data}
		g := gate.Gate{
			Window:       time.Minute,
			Resolution:   []time.Duration{0, 5 * time.Second, 15 * time.Second, time.Minute}[in.byte()%4],
			MaxErrorRate: 0.05,
			MaxLatency:   gate.LatencyLimit{Quantile: float64(1+in.byte()%100) / 100, Max: 200 * time.Millisecond},
			MaxResource:  map[string]float64{"cpu": 0.8},
			MinRequests:  int(in.byte() % 5),
			MinCoverage:  float64(in.byte()%11) / 10,
			Baseline:     &gate.Baseline{ErrorRateFactor: 2, LatencyFactor: 1.5},
		}
		r, err := gate.New(g, &gate.Options{MaxSamples: int(in.byte() % 20)})
		if err != nil {
			t.Fatal(err)
		}
		base, err := gate.New(g, nil)
		if err != nil {
			t.Fatal(err)
		}
		at := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
		latest := at
		for len(in.b) > 0 {
			op := in.byte()
			at = at.Add(time.Duration(int(in.byte())-64) * time.Second)
			if at.After(latest) {
				latest = at
			}
			switch op % 6 {
			case 0:
				total := int(in.byte())
				_ = r.Requests(at, total, int(in.byte())%(total+2))
			case 1:
				_ = r.Latency(at, time.Duration(in.uint32())*time.Microsecond-time.Millisecond)
			case 2:
				_ = r.Gauge(at, []string{"cpu", "mem", ""}[in.byte()%3], in.float64())
			case 3:
				_ = r.Histogram(at, in.buckets(), uint64(in.uint32()%1200), float64(in.byte()))
			case 4:
				v := r.Compare(at, base)
				check(t, v)
			case 5:
				_ = base.Requests(at, int(in.byte()), 0)
				_ = base.Latency(at, time.Duration(in.byte())*time.Millisecond)
			}
		}
		check(t, r.Evaluate(at))
		if r.Evaluate(latest.Add(2*time.Minute)).Requests != 0 {
			t.Fatal("requests outlive the window")
		}
	})
}

// check checks a verdict's consistency.
func check(t *testing.T, v gate.Verdict) {
	t.Helper()
	if v.Failed < 0 || v.Failed > v.Requests {
		t.Fatalf("%d failed of %d", v.Failed, v.Requests)
	}
	if v.Coverage < 0 || v.Coverage > 1 || math.IsNaN(v.ErrorRate) {
		t.Fatalf("coverage %v, error rate %v", v.Coverage, v.ErrorRate)
	}
	if (v.Status == gate.StatusHealthy) != (len(v.Reasons) == 0) {
		t.Fatalf("%s with reasons %q", v.Status, v.Reasons)
	}
	for _, c := range v.Checks {
		if c.Status == gate.StatusUnhealthy && v.Status != gate.StatusUnhealthy || c.Status == gate.StatusNotEnoughData && v.Status == gate.StatusHealthy {
			t.Fatalf("%s with check %s %s", v.Status, c.Name, c.Status)
		}
	}
}

// HistogramQuantile of any buckets is NaN, ±Inf for q out of [0, 1], or a
// number between the lowest bound (or 0) and the highest finite bound,
// give or take a rounding error.
func FuzzHistogramQuantile(f *testing.F) {
	f.Add([]byte{4, 52, 50, 0, 0, 0, 54, 70, 0, 0, 0, 70, 110, 0, 0, 0, 210, 120, 0, 0, 0}, 0.8)
	f.Add([]byte{3, 40, 10, 0, 0, 0, 40, 10, 0, 0, 0, 220, 10, 0, 0, 0}, 0.5)
	f.Add([]byte{2, 220, 1, 0, 0, 0, 210, 3, 0, 0, 0}, 1.0)
	f.Fuzz(func(t *testing.T, data []byte, q float64) {
		buckets := (&reader{b: data}).buckets()
		got := gate.HistogramQuantile(q, buckets)
		switch {
		case math.IsNaN(got):
			return
		case q < 0 || q > 1:
			if !math.IsInf(got, 0) {
				t.Fatalf("q %v gave %v", q, got)
			}
			return
		}
		lowest, highest := 0.0, math.Inf(-1)
		for _, b := range buckets {
			lowest = min(lowest, b.UpperBound)
			if !math.IsInf(b.UpperBound, 1) {
				highest = max(highest, b.UpperBound)
			}
		}
		// Interpolation may land a rounding error past a bound.
		slack := 1e-12 * (math.Abs(lowest) + math.Abs(highest))
		if got < lowest-slack || got > highest+slack {
			t.Fatalf("q %v of %v gave %v, outside [%v, %v]", q, buckets, got, lowest, highest)
		}
	})
}
