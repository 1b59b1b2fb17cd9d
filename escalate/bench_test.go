package escalate_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/common/model"

	"github.com/alertkit/alertkit/alert"
	"github.com/alertkit/alertkit/dedup"
	"github.com/alertkit/alertkit/escalate"
	"github.com/alertkit/alertkit/incident"
	"github.com/alertkit/alertkit/internal/clock"
	"github.com/alertkit/alertkit/route"
	"github.com/alertkit/alertkit/severity"
)

// openIncidents opens n incidents of one alert each, through dedup and
// the Manager, and engages a policy that pages L1 every 10 minutes
// forever, the first pages spread evenly over 10 minutes: some are due at
// every tick. It returns the escalator, and the heap taken per incident
// in all and by the escalation alone.
func openIncidents(b *testing.B, n int, clk *clock.Fake, pages *atomic.Int64) (e *escalate.Escalator, perIncident, perEscalation float64) {
	b.Helper()
	ctx := context.Background()
	cfg, err := escalate.ParseConfig([]byte(sreConfig), "oncall.yaml")
	if err != nil {
		b.Fatal(err)
	}
	var before, opened, engaged runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)

	store := incident.NewMemoryStore()
	group := &incident.Grouping{By: []model.LabelName{"instance"}}
	m := incident.NewManager(store, &incident.Options{Grouping: group, Now: clk.Now, Entropy: rand.NewChaCha8([32]byte{})})
	d := dedup.New(&dedup.Options{Now: clk.Now})
	ids := make([]incident.ID, 0, n)
	batch := make([]alert.Alert, 0, 1000)
	for i := 0; i < n; i += cap(batch) {
		batch = batch[:0]
		for j := i; j < min(n, i+cap(batch)); j++ {
			batch = append(batch, alert.Alert{Labels: model.LabelSet{
				"alertname": "HostDown", "instance": model.LabelValue(fmt.Sprintf("host-%06d:9100", j)), "job": "node", "severity_level": "3",
			}, StartsAt: clk.Now(), UpdatedAt: clk.Now()})
		}
		for _, ch := range d.Ingest(batch) {
			inc, err := m.Observe(ctx, &ch, group)
			if err != nil {
				b.Fatal(err)
			}
			ids = append(ids, inc.ID)
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&opened)

	e = escalate.New(m, escalate.PagerFunc(func(context.Context, escalate.Page) error { pages.Add(1); return nil }),
		&escalate.Options{Now: clk.Now, Batch: 1000})
	if err := e.Load(cfg); err != nil {
		b.Fatal(err)
	}
	if err := e.AddPolicy(&escalate.Policy{Name: "l1", Repeat: 1 << 30, Steps: []escalate.Step{
		{Notify: []route.Target{{Kind: route.TargetOnCall, Name: "sre/L1"}}, Wait: 10 * time.Minute},
	}}); err != nil {
		b.Fatal(err)
	}
	for i, id := range ids {
		hold := time.Duration(i) * 10 * time.Minute / time.Duration(n)
		if err := e.Engage(ctx, id, escalate.Plan{Mode: severity.ModePage, Policy: "l1", Hold: hold}); err != nil {
			b.Fatal(err)
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&engaged)
	perIncident = float64(engaged.HeapAlloc-before.HeapAlloc) / float64(n)
	perEscalation = float64(engaged.HeapAlloc-opened.HeapAlloc) / float64(n)
	runtime.KeepAlive(d)
	return e, perIncident, perEscalation
}

// BenchmarkTick is one tick of the escalator, every 6 seconds, over
// 100,000 open incidents whose escalation timers are pending: about 1,000
// are due at each tick, are paged, recorded and re-armed.
func BenchmarkTick(b *testing.B) {
	const n = 100_000
	const interval = 6 * time.Second
	clk := clock.NewFake(time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC))
	var pages atomic.Int64
	e, perIncident, perEscalation := openIncidents(b, n, clk, &pages)
	ctx := context.Background()
	steps := 0
	for b.Loop() {
		clk.Advance(interval)
		done, err := e.ProcessTimers(ctx)
		if err != nil {
			b.Fatal(err)
		}
		steps += done
	}
	b.ReportMetric(float64(steps)/float64(b.N), "steps/tick")
	if steps > 0 {
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(steps), "ns/step")
	}
	b.ReportMetric(perIncident, "B/incident")
	b.ReportMetric(perEscalation, "B/escalation")
}

// BenchmarkIdleTick is a tick with nothing due, over 100,000 incidents
// with pending timers: the cost of running the escalator often.
func BenchmarkIdleTick(b *testing.B) {
	const n = 100_000
	clk := clock.NewFake(time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC))
	var pages atomic.Int64
	e, _, _ := openIncidents(b, n, clk, &pages)
	ctx := context.Background()
	clk.Set(clk.Now().Add(-time.Hour)) // every timer is in the future
	for b.Loop() {
		if done, err := e.ProcessTimers(ctx); err != nil || done != 0 {
			b.Fatal(done, err)
		}
	}
}
