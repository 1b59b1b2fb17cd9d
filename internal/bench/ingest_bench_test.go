package bench

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	amalert "github.com/prometheus/alertmanager/alert"
	"github.com/prometheus/alertmanager/config"
	"github.com/prometheus/alertmanager/dispatch"
	"github.com/prometheus/alertmanager/eventrecorder"
	"github.com/prometheus/alertmanager/marker"
	"github.com/prometheus/alertmanager/provider/mem"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/model"
	"github.com/prometheus/common/promslog"

	"github.com/alertkit/alertkit/alert"
	"github.com/alertkit/alertkit/dedup"
	"github.com/alertkit/alertkit/incident"
	"github.com/alertkit/alertkit/internal/benchdata"
	"github.com/alertkit/alertkit/route"
)

// LargeEnv names the environment variable that adds the cases of a million
// active alerts to BenchmarkIngest. Building that state takes tens of
// seconds on each side, too slow for the smoke run of every benchmark once.
const LargeEnv = "ALERTKIT_BENCH_LARGE"

// ingestBatch is how many alerts each measured batch holds, on both sides.
const ingestBatch = 1000

// ingestSizes are the numbers of active alerts held before measuring.
func ingestSizes() []int {
	sizes := []int{10_000, 100_000}
	if os.Getenv(LargeEnv) != "" {
		sizes = append(sizes, 1_000_000)
	}
	return sizes
}

// ingestConfig is the Alertmanager configuration of both sides: alertkit
// imports it with route.FromAlertmanager, Alertmanager loads it with
// config.Load. Every benchmark alert reaches its namespace's team route and
// is grouped by alertname and namespace, in 100 × 10 = 1,000 groups. The
// group timings are long so that no group flushes while the benchmark runs.
const ingestConfig = `
route:
  receiver: default
  group_by: [alertname, namespace]
  group_wait: 1h
  group_interval: 1h
  repeat_interval: 24h
  routes:
    - matchers: [alertname = Watchdog]
      receiver: "null"
    - matchers: ['severity = critical', 'env = "prod"']
      receiver: pager
      continue: true
    - matchers: ['namespace =~ "kube-.*|monitoring"']
      receiver: platform
%s    - matchers: ['alertname =~ "Ingress.*"']
      receiver: ingress
receivers:
  - name: default
  - name: "null"
  - name: pager
  - name: platform
  - name: ingress
%s`

func ingestYAML() string {
	var routes, receivers strings.Builder
	for i := range 10 {
		fmt.Fprintf(&routes, "    - matchers: ['namespace = \"team-%d\"']\n      receiver: team-%d\n", i, i)
		fmt.Fprintf(&routes, "      routes:\n        - matchers: [severity = critical]\n          receiver: team-%d-pager\n", i)
		fmt.Fprintf(&receivers, "  - name: team-%d\n  - name: team-%d-pager\n", i, i)
	}
	return fmt.Sprintf(ingestConfig, routes.String(), receivers.String())
}

// akAlerts returns alerts from, from+1, … as alertkit decodes them: firing
// since start, refreshed at now, stale unless refreshed within 5 minutes.
func akAlerts(from, n int, start, now time.Time) []alert.Alert {
	return benchdata.Alerts(from, n, start, now)
}

// amAlerts returns the same alerts as Alertmanager's API makes of them: an
// end 5 minutes after the refresh, which a refresh moves on.
func amAlerts(from, n int, start, now time.Time) []*amalert.Alert {
	out := make([]*amalert.Alert, n)
	for i := range out {
		out[i] = &amalert.Alert{
			Alert: model.Alert{
				Labels:      benchdata.Labels(from + i),
				Annotations: benchdata.Annotations(),
				StartsAt:    start,
				EndsAt:      now.Add(5 * time.Minute),
			},
			UpdatedAt: now,
			Timeout:   true,
		}
	}
	return out
}

func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}

// akPipeline is alertkit's ingest path: dedup, then routing, then the
// incident of the route's grouping, over the memory store.
type akPipeline struct {
	dedup   *dedup.Deduper
	router  *route.Router
	manager *incident.Manager
	now     time.Time
	ctx     context.Context
}

func newAKPipeline(b *testing.B, now time.Time) *akPipeline {
	b.Helper()
	cfg, err := route.FromAlertmanager([]byte(ingestYAML()), "ingest.yml")
	if err != nil {
		b.Fatal(err)
	}
	router, err := route.Compile(cfg, nil)
	if err != nil {
		b.Fatal(err)
	}
	p := &akPipeline{dedup: dedup.New(nil), router: router, now: now, ctx: context.Background()}
	p.manager = incident.NewManager(incident.NewMemoryStore(), &incident.Options{Now: func() time.Time { return p.now }})
	return p
}

// ingest takes a batch in, and returns how many changes it made.
func (p *akPipeline) ingest(b *testing.B, batch []alert.Alert) int {
	changes := p.dedup.Ingest(batch)
	for i := range changes {
		ch := &changes[i]
		routes := p.router.Route(&route.Subject{Alert: &ch.Alert, At: p.now})
		if _, err := p.manager.Observe(p.ctx, ch, &routes[0].Grouping); err != nil {
			b.Fatal(err)
		}
	}
	return len(changes)
}

// amPipeline is Alertmanager's: its in-memory alert provider, and a
// dispatcher over it with a stage that sends nothing.
//
// The dispatcher takes alerts from the provider's subscription in goroutines
// of its own, so Put returns before they are grouped. ingest waits until
// the dispatcher has processed every alert put: the dispatcher observes its
// processing-duration summary once per alert, after the alert is in its
// aggregation groups, and the benchmark reads the summary's count (captured
// as the dispatcher registers it) until it reaches the number of alerts put.
type amPipeline struct {
	alerts    *mem.Alerts
	disp      *dispatch.Dispatcher
	processed prometheus.Summary
	put       uint64
	ctx       context.Context
}

// summaryCatcher is a registry that keeps the dispatcher's
// processing-duration summary as the dispatcher registers it.
type summaryCatcher struct {
	*prometheus.Registry
	summary prometheus.Summary
}

func (r *summaryCatcher) Register(c prometheus.Collector) error {
	if s, ok := c.(prometheus.Summary); ok && strings.Contains(s.Desc().String(), `"alertmanager_dispatcher_alert_processing_duration_seconds"`) {
		r.summary = s
	}
	return r.Registry.Register(c)
}

func (r *summaryCatcher) MustRegister(cs ...prometheus.Collector) {
	for _, c := range cs {
		if err := r.Register(c); err != nil {
			panic(err)
		}
	}
}

func newAMPipeline(b *testing.B) *amPipeline {
	b.Helper()
	cfg, err := config.Load(ingestYAML())
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	logger := promslog.NewNopLogger()
	alerts, err := mem.NewAlerts(ctx, time.Hour, 0, nil, logger, eventrecorder.NopRecorder(), prometheus.NewRegistry(), nil)
	if err != nil {
		b.Fatal(err)
	}
	reg := &summaryCatcher{Registry: prometheus.NewRegistry()}
	metrics := dispatch.NewDispatcherMetrics(false, reg, nil)
	if reg.summary == nil {
		b.Fatal("the dispatcher registered no processing-duration summary")
	}
	nothing := notifyNothing{}
	disp := dispatch.NewDispatcher(alerts, dispatch.NewRoute(cfg.Route, nil), nothing, marker.NewGroupMarker(),
		nil, time.Hour, nil, logger, eventrecorder.NopRecorder(), metrics, nil)
	go disp.Run(time.Now())
	disp.WaitForLoading()
	return &amPipeline{alerts: alerts, disp: disp, processed: reg.summary, ctx: ctx}
}

// notifyNothing is a notify.Stage that sends nothing.
type notifyNothing struct{}

func (notifyNothing) Exec(ctx context.Context, _ *slog.Logger, alerts ...*amalert.Alert) (context.Context, []*amalert.Alert, error) {
	return ctx, alerts, nil
}

func (p *amPipeline) count() uint64 {
	var m dto.Metric
	if err := p.processed.Write(&m); err != nil {
		panic(err)
	}
	return m.GetSummary().GetSampleCount()
}

// ingest puts a batch in, and returns when the dispatcher has processed it.
func (p *amPipeline) ingest(b *testing.B, batch []*amalert.Alert) {
	if err := p.alerts.Put(p.ctx, batch...); err != nil {
		b.Fatal(err)
	}
	p.put += uint64(len(batch))
	// Put returns when at most a channel's worth of alerts is left for the
	// dispatcher. Yielding rather than sleeping (a sleep lasts a millisecond
	// or more) leaves the processors to the dispatcher while it works, and
	// sees the end within microseconds; reading the summary allocates, so
	// it is read every 16 yields.
	deadline := time.Now().Add(time.Minute)
	for spins := 0; ; spins++ {
		if spins%16 == 0 {
			if p.count() >= p.put {
				return
			}
			if time.Now().After(deadline) {
				b.Fatalf("the dispatcher processed %d of %d alerts in a minute", p.count(), p.put)
			}
		}
		runtime.Gosched()
	}
}

func (p *amPipeline) stop() {
	p.disp.Stop()
	p.alerts.Close()
}

func (p *amPipeline) groups() (groups, alerts int) {
	gs, _, err := p.disp.Groups(p.ctx, func(*dispatch.Route) bool { return true }, func(*amalert.Alert, time.Time) bool { return true })
	if err != nil {
		panic(err)
	}
	for _, g := range gs {
		alerts += len(g.Alerts)
	}
	return len(gs), alerts
}

// held is the pipeline of one side holding n active alerts, alerts 0 to
// n-1, built on first use, and built again when the new alerts measured have
// grown it by a tenth: every batch measured meets between n and 1.1 n alerts.
type held[P any] struct {
	n       int
	build   func(b *testing.B, n int) P
	release func(P)
	p       P
	ok      bool
	next    int     // the next new alert
	bytes   float64 // heap in use per held alert, as last built
}

func (h *held[P]) get(b *testing.B) P {
	if !h.ok {
		before := heapInUse()
		h.p = h.build(b, h.n)
		h.bytes = float64(heapInUse()-before) / float64(h.n)
		h.next, h.ok = h.n, true
	}
	return h.p
}

// newAlerts returns the pipeline and the first of a batch of new alerts,
// building the pipeline again if the batch would grow it past 1.1 n. The
// caller has stopped the timer.
func (h *held[P]) newAlerts(b *testing.B) (P, int) {
	if h.ok && h.next+ingestBatch > h.n+max(h.n/10, ingestBatch) {
		h.drop()
	}
	p := h.get(b)
	from := h.next
	h.next += ingestBatch
	return p, from
}

func (h *held[P]) drop() {
	if h.ok {
		h.release(h.p)
		var zero P
		h.p, h.ok = zero, false
	}
}

// BenchmarkIngest takes alerts into dedup, routing and grouping with 10k
// and 100k active alerts already held (and 1M with ALERTKIT_BENCH_LARGE
// set), in batches of 1,000 alerts of 10 labels, in 1,000 groups, over the
// route tree of ingestConfig on both sides:
//
//   - new-N: alerts seen for the first time, each joining its group;
//     bytes/alert is the heap in use after GC with the N alerts held,
//     labels included, less the heap before;
//   - refresh-N: alerts re-sent unchanged, as Prometheus re-sends firing
//     alerts every evaluation.
//
// alertkit's side is dedup.Deduper.Ingest, route.Router.Route and
// incident.Manager.Observe over incident.NewMemoryStore, in one goroutine.
// Alertmanager's is provider/mem's Alerts.Put and a dispatch.Dispatcher
// over it, whose own goroutines group the alerts; see amPipeline for how
// the benchmark waits for them. The held state is built with the timer
// stopped, and built again whenever the new alerts measured have grown it by
// a tenth (see held); -benchtime 100x keeps that cheap.
func BenchmarkIngest(b *testing.B) {
	start := time.Now().Add(-time.Minute).Truncate(time.Second)
	for _, n := range ingestSizes() {
		ak := &held[*akPipeline]{
			n: n,
			build: func(b *testing.B, n int) *akPipeline {
				p := newAKPipeline(b, start)
				for i := 0; i < n; i += ingestBatch {
					if got := p.ingest(b, akAlerts(i, min(ingestBatch, n-i), start, start)); got != min(ingestBatch, n-i) {
						b.Fatalf("%d new alerts made %d changes", min(ingestBatch, n-i), got)
					}
				}
				return p
			},
			release: func(*akPipeline) {},
		}
		b.Run(fmt.Sprintf("new-%d/alertkit", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				b.StopTimer()
				p, from := ak.newAlerts(b)
				p.now = p.now.Add(time.Millisecond)
				batch := akAlerts(from, ingestBatch, p.now, p.now)
				b.StartTimer()
				if got := p.ingest(b, batch); got != ingestBatch {
					b.Fatalf("%d new alerts made %d changes", ingestBatch, got)
				}
			}
			b.ReportMetric(float64(ingestBatch*b.N)/b.Elapsed().Seconds(), "alerts/s")
			b.ReportMetric(ak.bytes, "bytes/alert")
		})
		b.Run(fmt.Sprintf("refresh-%d/alertkit", n), func(b *testing.B) {
			p := ak.get(b)
			next := 0
			b.ReportAllocs()
			for b.Loop() {
				b.StopTimer()
				p.now = p.now.Add(time.Millisecond)
				batch := akAlerts(next, ingestBatch, start, p.now)
				next = (next + ingestBatch) % n
				b.StartTimer()
				if got := p.ingest(b, batch); got != 0 {
					b.Fatalf("%d unchanged alerts made %d changes", ingestBatch, got)
				}
			}
			b.ReportMetric(float64(ingestBatch*b.N)/b.Elapsed().Seconds(), "alerts/s")
		})
		if ak.ok {
			incidents, err := ak.p.manager.Store().Count(ak.p.ctx, incident.Filter{})
			if err != nil {
				b.Fatal(err)
			}
			if alerts := ak.p.dedup.Len(); incidents != 1000 || alerts != ak.next {
				b.Fatalf("alertkit holds %d alerts in %d incidents, want %d in 1000", alerts, incidents, ak.next)
			}
		}
		ak.drop()

		am := &held[*amPipeline]{
			n: n,
			build: func(b *testing.B, n int) *amPipeline {
				p := newAMPipeline(b)
				for i := 0; i < n; i += ingestBatch {
					p.ingest(b, amAlerts(i, min(ingestBatch, n-i), start, start))
				}
				return p
			},
			release: (*amPipeline).stop,
		}
		b.Run(fmt.Sprintf("new-%d/alertmanager", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				b.StopTimer()
				p, from := am.newAlerts(b)
				now := time.Now()
				batch := amAlerts(from, ingestBatch, now, now)
				b.StartTimer()
				p.ingest(b, batch)
			}
			b.ReportMetric(float64(ingestBatch*b.N)/b.Elapsed().Seconds(), "alerts/s")
			b.ReportMetric(am.bytes, "bytes/alert")
		})
		b.Run(fmt.Sprintf("refresh-%d/alertmanager", n), func(b *testing.B) {
			p := am.get(b)
			next := 0
			b.ReportAllocs()
			for b.Loop() {
				b.StopTimer()
				batch := amAlerts(next, ingestBatch, start, time.Now())
				next = (next + ingestBatch) % n
				b.StartTimer()
				p.ingest(b, batch)
			}
			b.ReportMetric(float64(ingestBatch*b.N)/b.Elapsed().Seconds(), "alerts/s")
		})
		if am.ok {
			if groups, alerts := am.p.groups(); groups != 1000 || alerts != am.next {
				b.Fatalf("alertmanager holds %d alerts in %d groups, want %d in 1000", alerts, groups, am.next)
			}
		}
		am.drop()
	}
}
