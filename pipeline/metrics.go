package pipeline

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/alertkit/alertkit/alert"
	"github.com/alertkit/alertkit/dedup"
	"github.com/alertkit/alertkit/escalate"
	"github.com/alertkit/alertkit/incident"
	"github.com/alertkit/alertkit/mql"
	"github.com/alertkit/alertkit/notify"
	"github.com/alertkit/alertkit/severity"
)

// Metrics are alertkit's own metrics, on a registerer the host gives:
//
//	alertkit_alerts_received_total{source, outcome}    alerts taken in: new, changed, unchanged
//	alertkit_alert_changes_total{outcome}              changes after dedup: routed, silenced, inhibited, muted, dropped, failed
//	alertkit_stage_duration_seconds{stage}             time in each stage
//	alertkit_escalation_pages_total{kind}              pages of the escalator: escalation, baton, digest
//	alertkit_notification_attempts_total{receiver, outcome}  delivered, failed (retried), dead
//	alertkit_incidents{status, severity}               incidents by status and severity (S1..S9, none)
//	alertkit_heartbeat_age_seconds{heartbeat}          time since each heartbeat's last check-in
//
// A nil *Metrics counts nothing, so a Pipeline without metrics pays
// nothing.
type Metrics struct {
	alerts        *prometheus.CounterVec
	changes       *prometheus.CounterVec
	stages        *prometheus.HistogramVec
	pages         *prometheus.CounterVec
	notifications *prometheus.CounterVec
}

// MetricsOptions say where the gauges that are read at scrape time read
// from; nil fields leave those metrics out.
type MetricsOptions struct {
	// Store gives alertkit_incidents: every scrape counts the active
	// incidents.
	Store incident.Store
	// Heartbeats gives alertkit_heartbeat_age_seconds.
	Heartbeats interface{ Heartbeats() []dedup.HeartbeatState }
	// Now returns the time for heartbeat ages; default time.Now.
	Now func() time.Time
}

// NewMetrics registers alertkit's metrics on reg — never the global
// registry unless the host passes it.
func NewMetrics(reg prometheus.Registerer, o *MetricsOptions) (*Metrics, error) {
	m := &Metrics{
		alerts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "alertkit_alerts_received_total", Help: "Alerts taken in, by source and by what dedup made of them: new, changed or unchanged.",
		}, []string{"source", "outcome"}),
		changes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "alertkit_alert_changes_total", Help: "Changes of alerts after dedup, by what the pipeline did with them: routed, silenced, inhibited, muted, dropped, or failed (not recorded, to be published again).",
		}, []string{"outcome"}),
		stages: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "alertkit_stage_duration_seconds", Help: "Time spent in each stage of the pipeline, per batch (dedup) or per change (the others).",
			Buckets: []float64{.00001, .00005, .0001, .0005, .001, .005, .01, .05, .1, .5},
		}, []string{"stage"}),
		pages: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "alertkit_escalation_pages_total", Help: "Pages of the escalator, by kind: escalation, baton or digest.",
		}, []string{"kind"}),
		notifications: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "alertkit_notification_attempts_total", Help: "Attempts to deliver notifications, by receiver and outcome: delivered, failed (to be retried) or dead.",
		}, []string{"receiver", "outcome"}),
	}
	collectors := []prometheus.Collector{m.alerts, m.changes, m.stages, m.pages, m.notifications}
	if o == nil {
		o = &MetricsOptions{}
	}
	now := o.Now
	if now == nil {
		now = time.Now
	}
	if o.Store != nil {
		collectors = append(collectors, &incidentCollector{store: o.Store})
	}
	if o.Heartbeats != nil {
		collectors = append(collectors, &heartbeatCollector{src: o.Heartbeats, now: now})
	}
	for _, c := range collectors {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func (m *Metrics) stage(name string, start time.Time) {
	if m != nil {
		m.stages.WithLabelValues(name).Observe(time.Since(start).Seconds())
	}
}

func (m *Metrics) outcome(name string) { m.outcomeN(name, 1) }

func (m *Metrics) outcomeN(name string, n int) {
	if m != nil {
		m.changes.WithLabelValues(name).Add(float64(n))
	}
}

// received counts a batch: each alert new, changed or unchanged. The
// changes say which alerts were new or changed; the rest of each source's
// alerts were unchanged — no fingerprint is computed again.
func (m *Metrics) received(alerts []alert.Alert, changes []dedup.Change) {
	if m == nil {
		return
	}
	total := map[string]int{}
	for i := range alerts {
		total[sourceOf(&alerts[i])]++
	}
	for i := range changes {
		source := sourceOf(&changes[i].Alert)
		outcome := "changed"
		if changes[i].New {
			outcome = "new"
		}
		m.alerts.WithLabelValues(source, outcome).Inc()
		total[source]--
	}
	for source, n := range total {
		if n > 0 {
			m.alerts.WithLabelValues(source, "unchanged").Add(float64(n))
		}
	}
}

func sourceOf(a *alert.Alert) string {
	if a.Source == "" {
		return "unknown"
	}
	return a.Source
}

// Pager counts the escalator's pages on their way to next.
func (m *Metrics) Pager(next escalate.Pager) escalate.Pager {
	if m == nil {
		return next
	}
	return escalate.PagerFunc(func(ctx context.Context, p escalate.Page) error {
		err := next.Notify(ctx, p)
		if err == nil {
			m.pages.WithLabelValues(p.Kind.String()).Inc()
		}
		return err
	})
}

// Log counts the attempts a delivery log records.
func (m *Metrics) Log(next notify.Log) notify.Log {
	if m == nil {
		return next
	}
	return &countingLog{Log: next, m: m}
}

type countingLog struct {
	notify.Log
	m *Metrics
}

func (l *countingLog) Record(ctx context.Context, a notify.Attempt) error {
	l.m.notifications.WithLabelValues(a.Receiver, string(a.Outcome)).Inc()
	return l.Log.Record(ctx, a)
}

// incidentCollector counts the active incidents at scrape time.
type incidentCollector struct {
	store incident.Store
}

var incidentsDesc = prometheus.NewDesc("alertkit_incidents", "Incidents that are open, acknowledged or snoozed, by status and severity.", []string{"status", "severity"}, nil)

func (c *incidentCollector) Describe(ch chan<- *prometheus.Desc) { ch <- incidentsDesc }

func (c *incidentCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	all, err := c.store.Search(ctx, incident.Filter{Limit: -1, Query: activeQuery})
	if err != nil {
		ch <- prometheus.NewInvalidMetric(incidentsDesc, err)
		return
	}
	type key struct{ status, severity string }
	counts := map[key]int{}
	for _, s := range []incident.Status{incident.StatusOpen, incident.StatusAcknowledged, incident.StatusSnoozed} {
		counts[key{s.String(), "none"}] = 0 // the zeros too: a gauge that disappears is a gap in a graph
	}
	for _, inc := range all {
		sev := "none"
		if l := severity.Level(inc.Severity); l.Valid() {
			sev = l.String()
		}
		counts[key{inc.Status.String(), sev}]++
	}
	for k, n := range counts {
		ch <- prometheus.MustNewConstMetric(incidentsDesc, prometheus.GaugeValue, float64(n), k.status, k.severity)
	}
}

type heartbeatCollector struct {
	src interface{ Heartbeats() []dedup.HeartbeatState }
	now func() time.Time
}

var heartbeatDesc = prometheus.NewDesc("alertkit_heartbeat_age_seconds", "Time since each heartbeat's last check-in (or its registration).", []string{"heartbeat"}, nil)

func (c *heartbeatCollector) Describe(ch chan<- *prometheus.Desc) { ch <- heartbeatDesc }

func (c *heartbeatCollector) Collect(ch chan<- prometheus.Metric) {
	now := c.now()
	for _, h := range c.src.Heartbeats() {
		ch <- prometheus.MustNewConstMetric(heartbeatDesc, prometheus.GaugeValue, now.Sub(h.Last).Seconds(), h.Name)
	}
}

var activeQuery = mql.MustParse("status IN (open, acknowledged, snoozed)")
