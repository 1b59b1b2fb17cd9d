package pgstore_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/prometheus/common/model"

	"github.com/alertkit/alertkit/alert"
	"github.com/alertkit/alertkit/dedup"
	"github.com/alertkit/alertkit/incident"
)

// benchAlerts returns n firing alerts of 10 labels, numbered from first, in
// groups of 100 by alertname.
func benchAlerts(first, n int, at time.Time) []alert.Alert {
	out := make([]alert.Alert, n)
	for i := range out {
		k := first + i
		out[i] = alert.Alert{
			Labels: model.LabelSet{
				"alertname": model.LabelValue(fmt.Sprintf("Alert%05d", k/100)), "namespace": "shop",
				"instance": model.LabelValue(fmt.Sprintf("10.%d.%d.%d:9100", k>>16&255, k>>8&255, k&255)),
				"pod":      model.LabelValue(fmt.Sprintf("checkout-7d9f8b6c5-%07d", k)), "job": "node-exporter",
				"cluster": "prod-eu-1", "severity": "warning", "service": "checkout", "container": "exporter",
				"prometheus": "monitoring/k8s",
			},
			Annotations: model.LabelSet{"summary": "Disk fills within 4 hours"},
			StartsAt:    at, UpdatedAt: at,
		}
	}
	return out
}

// BenchmarkIngest is new alerts through the dedup and incident stages into
// PostgreSQL, with 1, 2 and 3 replicas on one database, every replica
// receiving every alert (as Prometheus sends to each): alerts/s is the
// service's rate — distinct alerts recorded per second — however many
// replicas share the work of checking them. Batches of 100 alerts, as an
// intake request carries; 100 alerts per incident.
func BenchmarkIngest(b *testing.B) {
	for _, n := range []int{1, 2, 3} {
		b.Run(fmt.Sprintf("replicas=%d", n), func(b *testing.B) {
			url := schemaURL(b)
			ctx := context.Background()
			at := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
			type replica struct {
				d *dedup.Deduper
				m *incident.Manager
			}
			var replicas []replica
			for range n {
				s := open(b, url)
				replicas = append(replicas, replica{
					d: dedup.New(&dedup.Options{Now: func() time.Time { return at }}),
					m: incident.NewManager(s, &incident.Options{Now: func() time.Time { return at }}),
				})
			}
			alerts := benchAlerts(0, b.N, at)
			b.ReportAllocs()
			b.ResetTimer()
			var wg sync.WaitGroup
			var failed atomic.Value
			for _, r := range replicas {
				wg.Go(func() {
					for i := 0; i < len(alerts); i += 100 {
						changes := r.d.Ingest(alerts[i:min(i+100, len(alerts))])
						for j := range changes {
							if _, err := r.m.Observe(ctx, &changes[j], nil); err != nil {
								failed.Store(err)
								return
							}
						}
					}
				})
			}
			wg.Wait()
			b.StopTimer()
			if err, ok := failed.Load().(error); ok {
				b.Fatal(err)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "alerts/s")
		})
	}
}

// BenchmarkClaimTimers is due timers claimed a hundred at a time and
// completed, by 1, 2 and 3 workers at once: timers/s is the rate at which
// escalation steps, notifications and wake-ups are taken off the table.
func BenchmarkClaimTimers(b *testing.B) {
	for _, n := range []int{1, 2, 3} {
		b.Run(fmt.Sprintf("workers=%d", n), func(b *testing.B) {
			url := schemaURL(b)
			ctx := context.Background()
			s := open(b, url)
			due := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
			rows := make([][]any, b.N)
			for i := range rows {
				rows[i] = []any{fmt.Sprintf("escalate/%08d", i), "escalate", fmt.Sprintf("01BENCH%08d", i), due.UnixNano(), "", "", int64(0), 0, due.UnixNano()}
			}
			_, err := s.Pool().CopyFrom(ctx, pgx.Identifier{"alertkit_timers"},
				[]string{"timer_key", "kind", "incident_id", "due", "data", "owner", "lease_until", "attempts", "avail"}, pgx.CopyFromRows(rows))
			if err != nil {
				b.Fatal(err)
			}
			var workers []*struct{ s incident.Store }
			for range n {
				workers = append(workers, &struct{ s incident.Store }{open(b, url)})
			}
			b.ReportAllocs()
			b.ResetTimer()
			var taken atomic.Int64
			var wg sync.WaitGroup
			var failed atomic.Value
			for i, w := range workers {
				wg.Go(func() {
					for {
						ts, err := w.s.ClaimTimers(ctx, incident.Claim{Now: due, Owner: fmt.Sprint("w", i), Lease: time.Minute, Kinds: []string{"escalate"}})
						if err != nil {
							failed.Store(err)
							return
						}
						if len(ts) == 0 {
							return
						}
						for _, t := range ts {
							if err := w.s.CompleteTimer(ctx, t); err != nil {
								failed.Store(err)
								return
							}
						}
						taken.Add(int64(len(ts)))
					}
				})
			}
			wg.Wait()
			b.StopTimer()
			if err, ok := failed.Load().(error); ok {
				b.Fatal(err)
			}
			if got := taken.Load(); got != int64(b.N) {
				b.Fatalf("%d timers taken, want %d: a timer was claimed twice or never", got, b.N)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "timers/s")
		})
	}
}
