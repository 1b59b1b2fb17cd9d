// Command techshop runs the TechShop stack — Nginx, a Flask API,
// PostgreSQL and Redis — for a month of made-up traffic, and evaluates its
// alerting in process with alertkit's slo package: TechShop's three SLOs
// (availability, latency, error rate) with multiwindow multi-burn-rate
// rules, and a few of its Prometheus alert rules as threshold rules, every
// minute. The month has two incidents: a three-minute restart of the API at
// night, and an afternoon when PostgreSQL slows down and the API times out.
//
// It prints the alerts as they go pending, fire and resolve, then where
// each SLO's error budget stands at the end of the month, with TechShop's
// formulas; it writes each SLO's budget chart (slo/chart) and the
// availability SLO's Prometheus rules (slo/promrules) to a directory:
//
//	go run ./examples/techshop              # into a new temporary directory
//	go run ./examples/techshop -out ./techshop-out
//
// The month runs on simulated time, a minute at a time, and the traffic
// comes from a seeded generator, so the output is the same on every run;
// the month takes a fraction of a second. Its test compares the output with
// testdata/output.golden (go test ./examples/techshop -update rewrites it).
package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"github.com/prometheus/common/model"

	"github.com/alertkit/alertkit/alert"
	"github.com/alertkit/alertkit/slo"
	"github.com/alertkit/alertkit/slo/chart"
	"github.com/alertkit/alertkit/slo/gate"
	"github.com/alertkit/alertkit/slo/promrules"
)

func main() {
	out := flag.String("out", "", "the directory to write the charts and rules to (default a new temporary directory)")
	flag.Parse()
	dir, err := outDir(*out)
	if err == nil {
		err = run(context.Background(), os.Stdout, dir)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "techshop:", err)
		os.Exit(1)
	}
}

// outDir makes the directory of -out, or a temporary one.
func outDir(dir string) (string, error) {
	if dir == "" {
		return os.MkdirTemp("", "techshop-")
	}
	return dir, os.MkdirAll(dir, 0o755)
}

// run simulates the month, prints what happened and writes the files into
// dir, which must exist.
func run(ctx context.Context, out io.Writer, dir string) error {
	m, err := simulate(ctx)
	if err != nil {
		return err
	}
	return m.report(out, dir)
}

// objective is one of TechShop's SLOs and what the month did to it.
type objective struct {
	slo.Objective
	// events are the SLO's good and total events over the windows of its
	// burn-rate rule.
	events *slo.Events
	// count picks the SLO's good and total events from a minute; bad
	// says what the others did.
	count func(m *minute) (good, total int)
	bad   string
	// points are its events, minute by minute, for the chart; good and
	// total their sums over the month.
	points      []chart.Point
	good, total float64
	// spent are the bad events of each incident.
	spent map[string]float64
}

// newObjectives returns TechShop's SLOs, over 30 days: availability (non-5xx
// of all requests), latency (requests within 300 ms) and error rate (5xx
// under 1%: the events of availability, with twice its budget).
func newObjectives() []*objective {
	labels := model.LabelSet{"service": "techshop"}
	answered := func(m *minute) (int, int) { return m.Requests - m.Errors, m.Requests }
	fast := func(m *minute) (int, int) { return int(m.Buckets[le300]), m.Requests }
	return []*objective{
		{Objective: slo.Objective{Name: "availability", Target: 0.995, Labels: labels, Description: "requests answered without a 5xx"},
			count: answered, bad: "failed"},
		{Objective: slo.Objective{Name: "latency", Target: 0.95, Labels: labels, Description: "requests answered within 300 ms"},
			count: fast, bad: "took longer"},
		{Objective: slo.Objective{Name: "error-rate", Target: 0.99, Labels: labels, Description: "5xx under 1% of requests"},
			count: answered, bad: "failed"},
	}
}

// thresholdRule is a rule of TechShop's Prometheus rule files, as a
// threshold rule; says is its condition for people, and show its value at a
// time.
type thresholdRule struct {
	slo.ThresholdRule
	says string
	show func(at time.Time) string
}

// gauges are the values the threshold rules read, as a host would set them
// from its own metrics every minute.
type gauges struct {
	up, cpu, p95, active *slo.Gauge
	// latencies are the last five minutes of the latency histogram, whose
	// 95th percentile p95 is.
	latencies [][]uint64
}

func newGauges() *gauges {
	return &gauges{
		up:     slo.NewGauge(time.Minute),
		cpu:    slo.NewGauge(5 * time.Minute), // TechShop's rate(...[5m]): an average
		p95:    slo.NewGauge(time.Minute),
		active: slo.NewGauge(time.Minute),
	}
}

// set records a minute.
func (g *gauges) set(m *minute) error {
	up := 0.0
	if m.Up {
		up = 1
	}
	g.latencies = append(g.latencies, m.Buckets)
	if len(g.latencies) > 5 {
		g.latencies = g.latencies[1:]
	}
	return errors.Join(g.up.Set(m.At, up), g.cpu.Set(m.At, m.CPU), g.p95.Set(m.At, p95(g.latencies)),
		g.active.Set(m.At, m.Active))
}

// p95 is histogram_quantile(0.95, sum(rate(http_request_duration_seconds_bucket[5m])) by (le)):
// the 95th percentile of the latencies of the last five minutes.
func p95(minutes [][]uint64) float64 {
	sum := make([]gate.Bucket, len(bounds))
	for i, le := range bounds {
		sum[i].UpperBound = le
		for _, m := range minutes {
			sum[i].Count += m[i]
		}
	}
	return gate.HistogramQuantile(0.95, sum)
}

// thresholdRules are TechShop's rules that the month's incidents bear on:
// InstanceDown and HighCPU from infrastructure.yml; HighErrorRate,
// HighLatencyP95 and HighActiveRequests from application.yml, summed over
// endpoints; SLOAvailabilityBreach and SLOLatencyBreach from slo.yml, the
// TechShop's first try at SLO alerts. HighMemory, DiskSpaceLow and
// OrderFailureRate watch what the simulation does not make up. Each keeps
// TechShop's threshold, for and severity.
func thresholdRules(g *gauges, requests, latencies *slo.Events) []thresholdRule {
	gauge := func(g *slo.Gauge, agg slo.Aggregation) func(time.Time) (float64, bool) {
		return func(at time.Time) (float64, bool) { return g.Value(agg, at) }
	}
	// good5m is sum(rate(good[5m])) / sum(rate(total[5m])) in percent,
	// bad5m the same of the bad events.
	good5m := func(ev *slo.Events) func(time.Time) (float64, bool) {
		return func(at time.Time) (float64, bool) {
			good, total, err := ev.Over(5*time.Minute, at)
			return 100 * good / total, err == nil && total > 0
		}
	}
	bad5m := func(ev *slo.Events) func(time.Time) (float64, bool) {
		return func(at time.Time) (float64, bool) {
			v, ok := good5m(ev)(at)
			return 100 - v, ok
		}
	}
	// show writes a value with format; for a ratio of events, with the
	// events' counts.
	show := func(value func(time.Time) (float64, bool), format string, ev *slo.Events) func(time.Time) string {
		return func(at time.Time) string {
			v, _ := value(at)
			if ev == nil {
				return fmt.Sprintf(format, decimals(v, 2))
			}
			good, total, _ := ev.Over(5*time.Minute, at)
			return fmt.Sprintf(format, percent(v/100, 2), thousands(total-good), thousands(total))
		}
	}
	labels := func(severity string, more ...model.LabelValue) model.LabelSet {
		ls := model.LabelSet{"severity": model.LabelValue(severity), "service": "techshop"}
		for i := 0; i+1 < len(more); i += 2 {
			ls[model.LabelName(more[i])] = more[i+1]
		}
		return ls
	}
	up, cpu, p95, active := gauge(g.up, slo.AggregationLast), gauge(g.cpu, slo.AggregationAvg), gauge(g.p95, slo.AggregationLast), gauge(g.active, slo.AggregationLast)
	errorRate, availability, fast := bad5m(requests), good5m(requests), good5m(latencies)
	return []thresholdRule{
		{
			ThresholdRule: slo.ThresholdRule{Name: "InstanceDown", Value: up, Op: slo.OperatorEqual, Threshold: 0, For: time.Minute,
				Labels: labels("critical", "job", "api", "instance", "api:5000")},
			says: `up{job="api"} == 0 for 1m`,
			show: show(up, `up{job="api"} is %s: the API does not answer its scrape`, nil),
		},
		{
			ThresholdRule: slo.ThresholdRule{Name: "HighCPU", Value: cpu, Op: slo.OperatorGreater, Threshold: 80, For: 5 * time.Minute,
				Labels: labels("warning", "instance", "node-exporter:9100")},
			says: "CPU busy > 80% over 5m, for 5m",
			show: show(cpu, "CPU %s%% busy over 5m", nil),
		},
		{
			ThresholdRule: slo.ThresholdRule{Name: "HighErrorRate", Value: errorRate, Op: slo.OperatorGreater, Threshold: 5, For: 5 * time.Minute,
				Labels: labels("warning")},
			says: "5xx > 5% of requests over 5m, for 5m",
			show: show(errorRate, "5xx %s of requests over 5m (%s of %s failed)", requests),
		},
		{
			ThresholdRule: slo.ThresholdRule{Name: "HighLatencyP95", Value: p95, Op: slo.OperatorGreater, Threshold: 0.5, For: 5 * time.Minute,
				Labels: labels("warning")},
			says: "p95 latency > 0.5s over 5m, for 5m",
			show: show(p95, "p95 latency %ss over 5m", nil),
		},
		{
			ThresholdRule: slo.ThresholdRule{Name: "HighActiveRequests", Value: active, Op: slo.OperatorGreater, Threshold: 50, For: 2 * time.Minute,
				Labels: labels("warning")},
			says: "http_requests_active > 50 for 2m",
			show: show(active, "%s requests in flight", nil),
		},
		{
			ThresholdRule: slo.ThresholdRule{Name: "SLOAvailabilityBreach", Value: availability, Op: slo.OperatorLess, Threshold: 99.5, For: 5 * time.Minute,
				Labels: labels("critical", "slo", "availability")},
			says: "availability < 99.5% over 5m, for 5m",
			show: show(availability, "availability %s over 5m (%s of %s requests failed)", requests),
		},
		{
			ThresholdRule: slo.ThresholdRule{Name: "SLOLatencyBreach", Value: fast, Op: slo.OperatorLess, Threshold: 95, For: 5 * time.Minute,
				Labels: labels("warning", "slo", "latency")},
			says: "requests within 300 ms < 95% over 5m, for 5m",
			show: show(fast, "%s of requests within 300 ms over 5m (%s of %s took longer)", latencies),
		},
	}
}

// transition is a change of an alert's state, as the evaluator reported it.
type transition struct {
	At    time.Time
	Alert string // alertname, and page or ticket for a burn-rate alert
	// From and To are the states; To is StateNone when a pending alert
	// was dropped.
	From, To alert.State
	// Since is when the alert became active; Text says what its value was.
	Since time.Time
	Text  string
}

// month is the simulated month: the SLOs, the rules and what they did.
type month struct {
	objectives  []*objective
	windows     []slo.Window
	rules       []thresholdRule
	transitions []transition
	// minutes counts the minutes simulated; requests the requests.
	minutes  int
	requests float64
}

// simulate runs the month: every minute of simulated time, the stack's
// traffic goes into the SLOs' events and the rules' gauges, and the
// evaluator evaluates every rule.
func simulate(ctx context.Context) (*month, error) {
	m := &month{}

	// Each SLO has a burn-rate rule with the default windows, scaled to
	// its period of 30 days, over events that keep every window. The burn
	// rate goes into an annotation, for the timeline.
	e := slo.NewEvaluator(&slo.Options{Source: "techshop"})
	m.objectives = newObjectives()
	for _, o := range m.objectives {
		rule := slo.BurnRateRule{Objective: &o.Objective, Annotations: model.LabelSet{"burn": "{{ $value }}"}}
		windows, err := rule.EventWindows()
		if err != nil {
			return nil, err
		}
		o.events = slo.NewEvents(windows...)
		o.spent = map[string]float64{}
		rule.Events = o.events
		if err := e.AddBurnRate(rule); err != nil {
			return nil, err
		}
	}
	var err error
	if m.windows, err = m.objectives[0].Windows(nil); err != nil {
		return nil, err
	}
	g := newGauges()
	m.rules = thresholdRules(g, m.objectives[0].events, m.objectives[1].events)
	for _, r := range m.rules {
		if err := e.AddThreshold(r.ThresholdRule); err != nil {
			return nil, err
		}
	}

	tr := newTraffic()
	states := map[model.Fingerprint]transition{}
	for now := start; now.Before(end); {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		now = now.Add(time.Minute)
		mn := tr.next(now)
		m.minutes++
		m.requests += float64(mn.Requests)
		for _, o := range m.objectives {
			good, total := o.count(&mn)
			if err := o.events.Add(now, float64(good), float64(total)); err != nil {
				return nil, err
			}
			p := chart.Point{At: now, Good: float64(good), Total: float64(total)}
			o.points = append(o.points, p)
			o.good += p.Good
			o.total += p.Total
			for _, inc := range []incident{restart, dbSlow} {
				if inc.during(now) {
					o.spent[inc.name] += p.Total - p.Good
				}
			}
		}
		if err := g.set(&mn); err != nil {
			return nil, err
		}
		alerts, err := e.Eval(now)
		if err != nil {
			return nil, err
		}
		m.track(states, alerts, now)
	}
	return m, nil
}

// track records the alerts' changes of state: pending, firing, resolved,
// and pending alerts dropped because their condition stopped holding
// before it had held long enough.
func (m *month) track(states map[model.Fingerprint]transition, alerts []alert.Alert, at time.Time) {
	seen := map[model.Fingerprint]bool{}
	for i := range alerts {
		a := &alerts[i]
		fp := a.Fingerprint()
		seen[fp] = true
		prev := states[fp]
		now := transition{At: at, Alert: name(a), From: prev.To, To: a.StateAt(at), Since: a.StartsAt, Text: m.says(a, at)}
		if now.To != prev.To {
			m.transitions = append(m.transitions, now)
		}
		if now.To == alert.StateResolved {
			delete(states, fp)
		} else {
			states[fp] = now
		}
	}
	var dropped []transition
	for fp, prev := range states {
		if !seen[fp] {
			dropped = append(dropped, transition{At: at, Alert: prev.Alert, From: prev.To, To: alert.StateNone, Since: prev.Since})
			delete(states, fp)
		}
	}
	slices.SortFunc(dropped, func(a, b transition) int { return cmp.Compare(a.Alert, b.Alert) })
	m.transitions = append(m.transitions, dropped...)
}

// says what an alert's value is at a time: for a threshold rule, the
// value it compared; for a burn-rate rule, the burn rate and how long a
// whole budget lasts at it.
func (m *month) says(a *alert.Alert, at time.Time) string {
	burn, ok := a.Annotations["burn"]
	if !ok {
		for _, r := range m.rules {
			if r.Name == a.Trigger() {
				return r.show(at)
			}
		}
		return ""
	}
	b, err := strconv.ParseFloat(string(burn), 64)
	if err != nil {
		return "burn " + string(burn) + "×"
	}
	for _, o := range m.objectives {
		if model.LabelValue(o.Name) == a.Labels["slo"] {
			return fmt.Sprintf("burn rate %s×: a whole budget would last %s", formatBurn(b), roughly(o.TimeToExhaustion(b)))
		}
	}
	return "burn " + formatBurn(b) + "×"
}

// name is the alert's name, with page or ticket for a burn-rate alert.
func name(a *alert.Alert) string {
	n := a.Trigger()
	if _, ok := a.Annotations["burn"]; ok {
		if a.Labels["severity"] == "critical" {
			return n + " (page)"
		}
		return n + " (ticket)"
	}
	return n
}

// report prints the month and writes the charts and rules into dir.
func (m *month) report(out io.Writer, dir string) error {
	w := tabwriter.NewWriter(out, 0, 8, 2, ' ', 0)
	m.header(w)
	m.timeline(w)
	m.budgets(w)
	if err := w.Flush(); err != nil {
		return err
	}
	return m.files(out, dir)
}

// day is how times are written.
const day = "Mon 2 Jan 15:04"

func (m *month) header(w io.Writer) {
	fmt.Fprintf(w, "TechShop: Nginx → Flask API → PostgreSQL and Redis, on one host with node-exporter.\n")
	fmt.Fprintf(w, "A month of the API's traffic, %s to %s UTC, a minute at a time on a fake clock:\n",
		start.Format(day), end.Format(day))
	fmt.Fprintf(w, "  %s requests in %s minutes, %s a minute on average; %s of them fail (5xx) in quiet times;\n",
		thousands(m.requests), thousands(float64(m.minutes)), thousands(m.requests/float64(m.minutes)), slo.FormatPercent(baseErrorShare))
	fmt.Fprintf(w, "  latencies in TechShop's histogram http_request_duration_seconds, with the bucket le=\"0.3\" that its latency SLI\n")
	fmt.Fprintf(w, "  reads but its buckets lack.\n")
	fmt.Fprintf(w, "Incidents:\n")
	for _, inc := range []incident{restart, dbSlow, dbErrors} {
		fmt.Fprintf(w, "  %s\t%s\n", inc.at.Format(day), inc.what)
	}

	fmt.Fprintf(w, "\nSLOs over 30 days, each with a burn-rate rule that pages and opens tickets:\n")
	for _, o := range m.objectives {
		fmt.Fprintf(w, "  %s\t%s\t%s\ta budget of %s of requests; it burns at most %s×, when all fail\n", o.Name, slo.FormatPercent(o.Target), o.Description,
			slo.FormatPercent(o.ErrorBudget()), slo.FormatBurn(o.MaxBurn()))
	}
	fmt.Fprintf(w, "  (error-rate counts the events of availability, with twice its budget)\n")
	fmt.Fprintf(w, "  windows:\n")
	for _, win := range m.windows {
		fmt.Fprintf(w, "    %s: %s of the budget gone\n", win, slo.FormatPercent(win.BudgetShare))
	}

	fmt.Fprintf(w, "\nThreshold rules from TechShop's rule files, evaluated every minute:\n")
	for _, r := range m.rules {
		fmt.Fprintf(w, "  %s\t%s\t%s\n", r.Name, r.says, r.Labels["severity"])
	}
}

// timeline prints the transitions, a blank line between bursts.
func (m *month) timeline(w io.Writer) {
	fmt.Fprintf(w, "\nAlerts, as the evaluator reported them:\n")
	var width [2]int
	rows := make([][3]string, len(m.transitions))
	for i, t := range m.transitions {
		change := t.To.String()
		switch {
		case t.To == alert.StateNone:
			change = t.From.String() + " → dropped"
		case t.From != alert.StateNone:
			change = t.From.String() + " → " + change
		}
		var what string
		switch t.To {
		case alert.StatePending, alert.StateFiring:
			what = t.Text
		case alert.StateResolved:
			what = "after " + slo.FormatDuration(t.At.Sub(t.Since))
		case alert.StateNone:
			what = "the condition held only " + slo.FormatDuration(t.At.Sub(t.Since))
		}
		rows[i] = [3]string{t.Alert, change, what}
		width[0] = max(width[0], utf8.RuneCountInString(t.Alert))
		width[1] = max(width[1], utf8.RuneCountInString(change))
	}
	var last time.Time
	for i, t := range m.transitions {
		if !last.IsZero() && t.At.Sub(last) > 6*time.Hour {
			fmt.Fprintln(w)
		}
		last = t.At
		r := rows[i]
		fmt.Fprintf(w, "  %-16s  %s  %s  %s\n", t.At.Format(day), pad(r[0], width[0]), pad(r[1], width[1]), r[2])
	}
}

// burnWindow is how far back the burn rate "now" looks, in the report and
// on the charts alike.
const burnWindow = time.Hour

// standing is where an SLO's budget stands at the end of the month: the
// share of it remaining over the 30 days, the burn rate over the last
// burnWindow, and the time to exhaustion — how long what remains lasts
// at that rate. Its chart sums up the same events with the same formulas.
type standing struct {
	sli, remaining float64
	// good and total are the events of the burn window.
	good, total float64
	burn        float64
	exhaustion  time.Duration
}

// standAtEnd returns where an SLO stands at the end of the month; false if
// it had no events in the burn window.
func (o *objective) standAtEnd() (standing, bool) {
	s := standing{sli: o.good / o.total}
	s.remaining = o.BudgetRemaining(s.sli)
	var err error
	s.good, s.total, err = o.events.Over(burnWindow, end)
	if err != nil || s.total == 0 {
		return s, false
	}
	s.burn = o.BurnRate(1 - s.good/s.total)
	s.exhaustion = o.TimeLeft(s.remaining, s.burn)
	return s, true
}

// budgets prints where each SLO stands at the end of the month, with the
// formulas of its dashboard.
func (m *month) budgets(w io.Writer) {
	fmt.Fprintf(w, "\nThe SLOs on %s, over the 30 days:\n", end.Format(day))
	for _, o := range m.objectives {
		s, ok := o.standAtEnd()
		if !ok {
			continue
		}
		target := strconv.FormatFloat(o.Target, 'f', -1, 64)
		fmt.Fprintf(w, "\n  %s %s: %s\n", o.Name, slo.FormatPercent(o.Target), o.Description)
		fmt.Fprintf(w, "    SLI\t%s\t%s of %s requests %s\n", percent(s.sli, 3), thousands(o.total-o.good), thousands(o.total), o.bad)
		fmt.Fprintf(w, "    error budget remaining\t%s\t100 × (1 − (1 − SLI) / (1 − %s))\n", percent(s.remaining, 1), target)
		for _, inc := range []incident{dbSlow, restart} {
			if spent := o.spent[inc.name] / (o.ErrorBudget() * o.total); spent >= 0.0005 {
				fmt.Fprintf(w, "      spent by %s\t%s\t%s requests %s\n", inc.name, percent(spent, 1), thousands(o.spent[inc.name]), o.bad)
			}
		}
		fmt.Fprintf(w, "    burn rate now\t%s×\t(1 − SLI) / (1 − %s) over the last %s: %s of %s requests %s\n",
			formatBurn(s.burn), target, slo.FormatDuration(burnWindow), thousands(s.total-s.good), thousands(s.total), o.bad)
		fmt.Fprintf(w, "    time to exhaustion\t%s\tremaining × 720h / burn rate: the %s left, if that rate holds\n",
			roughly(s.exhaustion), percent(s.remaining, 1))
		fmt.Fprintf(w, "    a whole budget would last\t%s\t(1 − %s) × 720h / (1 − SLI): TechShop's dashboard formula, blind to the %s spent\n",
			roughly(o.TimeToExhaustion(s.burn)), target, percent(1-s.remaining, 1))
	}
}

// files writes each SLO's chart and the availability SLO's rules into dir,
// and prints the page alert of the rules.
func (m *month) files(out io.Writer, dir string) error {
	var written []string
	for _, o := range m.objectives {
		svg, err := chart.SVG(&o.Objective, o.points, &chart.Options{Windows: m.windows, Now: end, BurnWindow: burnWindow})
		if err != nil {
			return err
		}
		path := filepath.Join(dir, o.Name+".svg")
		if err := os.WriteFile(path, svg, 0o644); err != nil {
			return err
		}
		written = append(written, fmt.Sprintf("%s\tthe budget and burn rate of %s over the month, %s bytes", path, o.Name, thousands(float64(len(svg)))))
	}

	availability := &m.objectives[0].Objective
	f, err := promrules.Generate(availability, availabilitySLI, nil)
	if err != nil {
		return err
	}
	rules, err := f.YAML()
	if err != nil {
		return err
	}
	path := filepath.Join(dir, "availability.rules.yml")
	if err := os.WriteFile(path, rules, 0o644); err != nil {
		return err
	}
	var records, alerts int
	for _, r := range f.Groups[0].Rules {
		if r.Alert != "" {
			alerts++
		} else {
			records++
		}
	}
	written = append(written, fmt.Sprintf("%s\tthe availability SLO for Prometheus: %d recording rules and %d alerts", path, records, alerts))

	fmt.Fprintf(out, "\nThe availability SLO as Prometheus rules (slo/promrules), over TechShop's http_requests_total{status};\n")
	fmt.Fprintf(out, "the same windows as above, its page:\n\n")
	for _, line := range pageAlert(rules) {
		fmt.Fprintf(out, "    %s\n", line)
	}
	fmt.Fprintf(out, "\nFiles in %s:\n", dir)
	w := tabwriter.NewWriter(out, 0, 8, 2, ' ', 0)
	for _, s := range written {
		fmt.Fprintf(w, "  %s\n", s)
	}
	return w.Flush()
}

// availabilitySLI is the availability SLO in PromQL: TechShop's counter
// labels the status code "status".
var availabilitySLI = promrules.SLI{
	ErrorQuery: `sum(rate(http_requests_total{status=~"5.."}[{{.window}}]))`,
	TotalQuery: `sum(rate(http_requests_total[{{.window}}]))`,
}

// pageAlert is the first alerting rule of a rule file, the page, without
// its annotations, unindented.
func pageAlert(rules []byte) []string {
	var out []string
	for line := range strings.Lines(string(rules)) {
		s := strings.TrimRight(line, "\n")
		switch {
		case len(out) > 0 && (strings.Contains(s, "- alert:") || strings.TrimSpace(s) == "annotations:"):
			return out
		case len(out) > 0 || strings.Contains(s, "- alert:"):
			out = append(out, strings.TrimPrefix(s, "      "))
		}
	}
	return out
}

// percent writes a share as a percentage with at most n decimals.
func percent(share float64, n int) string { return decimals(share*100, n) + "%" }

// decimals writes v with at most n decimals: 2.27, 65.7, 0.
func decimals(v float64, n int) string {
	s := strconv.FormatFloat(v, 'f', n, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	if s == "-0" {
		s = "0"
	}
	return s
}

// formatBurn writes a burn rate to a hundredth: "14.41", "0.21".
func formatBurn(b float64) string { return slo.FormatBurn(math.Round(b*100) / 100) }

// roughly writes a duration to its two largest units: "146d10h",
// "2d1h", "3h12m".
func roughly(d time.Duration) string {
	switch {
	case d >= 24*time.Hour:
		d = d.Round(time.Hour)
	case d >= time.Hour:
		d = d.Round(time.Minute)
	default:
		d = d.Round(time.Second)
	}
	return slo.FormatDuration(d)
}

// thousands writes a count with commas: 73,797,165.
func thousands(n float64) string {
	s := strconv.FormatFloat(math.Round(n), 'f', 0, 64)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// pad pads s with spaces to width runes.
func pad(s string, width int) string {
	return s + strings.Repeat(" ", width-utf8.RuneCountInString(s))
}
