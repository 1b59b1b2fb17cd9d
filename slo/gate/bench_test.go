package gate_test

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/alertkit/alertkit/slo/gate"
)

// BenchmarkLatency records latencies at a steady rate for as long as b.N
// says. retained-B, the heap the recorder holds afterwards, stays flat
// however large b.N grows: memory is bounded by the window, not by the
// traffic.
func BenchmarkLatency(b *testing.B) {
	for _, perSecond := range []int{100, 10000, 1000000} {
		b.Run(fmt.Sprintf("per-second=%d", perSecond), func(b *testing.B) {
			runtime.GC()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			r, err := gate.New(canaryGate(), nil)
			if err != nil {
				b.Fatal(err)
			}
			step := time.Second / time.Duration(perSecond)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				i++
				if err := r.Latency(t0.Add(time.Duration(i)*step), time.Duration(50+i%500)*time.Millisecond); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			runtime.GC()
			runtime.ReadMemStats(&after)
			b.ReportMetric(float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)), "retained-B")
			runtime.KeepAlive(r)
		})
	}
}

// BenchmarkEvaluate judges a full window: 6000 exact samples, or a folded
// million.
func BenchmarkEvaluate(b *testing.B) {
	for _, total := range []int{6000, 1000000} {
		b.Run(fmt.Sprintf("observations=%d", total), func(b *testing.B) {
			r, err := gate.New(canaryGate(), nil)
			if err != nil {
				b.Fatal(err)
			}
			step := 5 * time.Minute / time.Duration(total)
			for i := range total {
				at := t0.Add(time.Duration(i) * step)
				_ = r.Requests(at, 1, 0)
				_ = r.Latency(at, time.Duration(50+i%500)*time.Millisecond)
				if i%1000 == 0 {
					_ = r.Gauge(at, "cpu", 0.5)
				}
			}
			now := t0.Add(5*time.Minute - time.Nanosecond)
			b.ReportAllocs()
			for b.Loop() {
				if v := r.Evaluate(now); v.Status == gate.StatusNotEnoughData {
					b.Fatal(v.Reasons)
				}
			}
		})
	}
}
