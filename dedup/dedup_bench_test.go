package dedup_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/model"

	"github.com/alertkit/alertkit/alert"
	"github.com/alertkit/alertkit/dedup"
)

// benchAlerts returns alerts from, from+1, … of 10 labels and a summary,
// firing since start and refreshed at now. Every name and value is a string
// of its own, as decoding JSON makes them.
func benchAlerts(from, n int, start, now time.Time) []alert.Alert {
	out := make([]alert.Alert, n)
	for i := range out {
		j := from + i
		ls := make(model.LabelSet, 10)
		for _, kv := range [][2]string{
			{"alertname", fmt.Sprintf("Alert%03d", j%100)},
			{"namespace", fmt.Sprintf("team-%d", (j/100)%10)},
			{"instance", fmt.Sprintf("10.%d.%d.%d:9100", j>>16&255, j>>8&255, j&255)},
			{"pod", fmt.Sprintf("checkout-7d9f8b6c5-%07d", j)},
			{"job", "node-exporter"},
			{"cluster", "prod-eu-1"},
			{"severity", "warning"},
			{"service", "checkout"},
			{"container", "exporter"},
			{"prometheus", "monitoring/k8s"},
		} {
			ls[model.LabelName(strings.Clone(kv[0]))] = model.LabelValue(strings.Clone(kv[1]))
		}
		out[i] = alert.Alert{
			Labels:      ls,
			Annotations: model.LabelSet{"summary": model.LabelValue(strings.Clone("Disk fills within 4 hours"))},
			StartsAt:    start,
			UpdatedAt:   now,
			RefreshBy:   now.Add(5 * time.Minute),
		}
	}
	return out
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
