package incident_test

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/prometheus/common/model"

	"github.com/alertkit/alertkit/alert"
	"github.com/alertkit/alertkit/dedup"
	"github.com/alertkit/alertkit/incident"
	"github.com/alertkit/alertkit/internal/benchdata"
)

// benchAlerts returns n firing alerts, in 1,000 groups of alertname and
// namespace.
func benchAlerts(n int, at time.Time) []alert.Alert { return benchdata.Alerts(0, n, at, at) }

// pipeline is the dedup and incident stages over a memory store.
type pipeline struct {
	dedup *dedup.Deduper
	m     *incident.Manager
	g     *incident.Grouping
	ctx   context.Context
}

func newPipeline(now *time.Time) *pipeline {
	return &pipeline{
		dedup: dedup.New(nil),
		m:     incident.NewManager(incident.NewMemoryStore(), &incident.Options{Now: func() time.Time { return *now }}),
		g:     &incident.Grouping{By: []model.LabelName{"alertname", "namespace"}},
		ctx:   context.Background(),
	}
}

func (p *pipeline) ingest(b *testing.B, batch []alert.Alert) {
	changes := p.dedup.Ingest(batch)
	for i := range changes {
		if _, err := p.m.Observe(p.ctx, &changes[i], p.g); err != nil {
			b.Fatal(err)
		}
	}
}

func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}

// BenchmarkIngest measures the dedup and incident stages over the memory
// store with 100k and 1M active alerts of 10 labels in 1,000 incidents:
//
//   - new: alerts seen for the first time, each joining its incident;
//     bytes/alert is the memory the stages hold for each active alert
//     besides the alert as decoded (its label and annotation maps, made
//     before the measure: internal/bench counts them too);
//   - refresh: alerts re-sent unchanged, as sources do every evaluation;
//   - churn: re-sent alerts of which 1% change state, each change going to
//     its incident.
func BenchmarkIngest(b *testing.B) {
	const batch = 1000
	for _, n := range []int{100_000, 1_000_000} {
		start := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
		b.Run(fmt.Sprintf("active=%d/new", n), func(b *testing.B) {
			var alerts []alert.Alert
			for b.Loop() {
				b.StopTimer()
				now := start
				alerts = benchAlerts(n, now)
				before := heapInUse()
				p := newPipeline(&now)
				b.StartTimer()
				for i := 0; i < n; i += batch {
					p.ingest(b, alerts[i:min(i+batch, n)])
				}
				b.StopTimer()
				alerts = nil // the pipeline holds what it needs
				b.ReportMetric(float64(heapInUse()-before)/float64(n), "bytes/alert")
				runtime.KeepAlive(p)
				b.StartTimer()
			}
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "alerts/s")
		})

		now := start
		p := newPipeline(&now)
		alerts := benchAlerts(n, now)
		for i := 0; i < n; i += batch {
			p.ingest(b, alerts[i:min(i+batch, n)])
		}
		for _, churn := range []bool{false, true} {
			name := "refresh"
			if churn {
				name = "churn"
			}
			b.Run(fmt.Sprintf("active=%d/%s", n, name), func(b *testing.B) {
				next := 0
				for b.Loop() {
					now = now.Add(time.Millisecond)
					part := alerts[next : next+batch]
					for i := range part {
						part[i].UpdatedAt, part[i].RefreshBy = now, now.Add(5*time.Minute)
						if churn && i%100 == 0 {
							if part[i].EndsAt.IsZero() {
								part[i].EndsAt = now
							} else {
								part[i].EndsAt = time.Time{}
								part[i].StartsAt = now
							}
						}
					}
					p.ingest(b, part)
					next = (next + batch) % n
				}
				b.ReportMetric(float64(batch*b.N)/b.Elapsed().Seconds(), "alerts/s")
			})
		}
	}
}
