package slo_test

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/alertkit/alertkit/slo"
)

// BenchmarkEval is one evaluation tick of 1,000 objectives with the
// default windows (8 windows each), after a day of a minute's events,
// with 5% of the objectives burning: the cost of a tick, and the memory an
// objective holds (its events and rule).
func BenchmarkEval(b *testing.B) {
	const n = 1000
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	e := slo.NewEvaluator(nil)
	events := make([]*slo.Events, n)
	for i := range n {
		o := &slo.Objective{Name: fmt.Sprintf("objective-%d", i), Target: 0.999}
		rule := slo.BurnRateRule{Objective: o}
		windows, err := rule.EventWindows()
		if err != nil {
			b.Fatal(err)
		}
		rule.Events = slo.NewEvents(windows...)
		events[i] = rule.Events
		if err := e.AddBurnRate(rule); err != nil {
			b.Fatal(err)
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	perObjective := float64(after.HeapAlloc-before.HeapAlloc) / n
	at := t0
	tick := func() {
		at = at.Add(time.Minute)
		for i, ev := range events {
			bad := 0.0
			if i%20 == 0 {
				bad = 200
			}
			if err := ev.Add(at, 1000-bad, 1000); err != nil {
				b.Fatal(err)
			}
		}
	}
	for range 24 * 60 {
		tick()
		if _, err := e.Eval(at); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	firing := 0
	for b.Loop() {
		alerts, err := e.Eval(at) // the same minute again: the state stays put
		if err != nil {
			b.Fatal(err)
		}
		firing = len(alerts)
	}
	b.ReportMetric(perObjective, "B/objective")
	b.ReportMetric(float64(firing), "alerts")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/objective")
}
