package dedup_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/alertkit/alertkit/alert"
	"github.com/alertkit/alertkit/dedup"
	"github.com/alertkit/alertkit/internal/benchdata"
)

// benchAlerts returns alerts from, from+1, …, firing since start and
// refreshed at now.
func benchAlerts(from, n int, start, now time.Time) []alert.Alert {
	return benchdata.Alerts(from, n, start, now)
}

// BenchmarkIngest takes batches of 1,000 alerts into a Deduper that holds
// 100,000 or 1,000,000: new alerts, and alerts re-sent unchanged.
func BenchmarkIngest(b *testing.B) {
	const batch = 1000
	start := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	for _, held := range []int{100_000, 1_000_000} {
		for _, kind := range []string{"new", "refresh"} {
			b.Run(fmt.Sprintf("active=%d/%s", held, kind), func(b *testing.B) {
				d := dedup.New(nil)
				for i := 0; i < held; i += batch {
					d.Ingest(benchAlerts(i, batch, start, start))
				}
				now, next := start, 0
				if kind == "new" {
					next = held
				}
				b.ReportAllocs()
				for b.Loop() {
					b.StopTimer()
					now = now.Add(time.Millisecond)
					alerts := benchAlerts(next, batch, start, now)
					next += batch
					if kind == "refresh" {
						next %= held
					}
					b.StartTimer()
					changes := d.Ingest(alerts)
					if want := map[string]int{"new": batch, "refresh": 0}[kind]; len(changes) != want {
						b.Fatalf("%d changes, want %d", len(changes), want)
					}
				}
				b.ReportMetric(float64(batch*b.N)/b.Elapsed().Seconds(), "alerts/s")
			})
		}
	}
}
