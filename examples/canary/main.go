// Command canary rolls a new version of a simulated service out behind
// alertkit's health gate (slo/gate), 5% → 25% → 50% → 100% of the traffic,
// and shows the three ways a rollout ends:
//
//  1. The release is healthy at every step and is promoted.
//  2. The release regresses from 25% of the traffic: the gate says unhealthy,
//     with its reasons, and the rollout rolls back to the previous version —
//     identify the version, fetch the previous stable one, scale the new pods
//     down, deploy the previous image, wait for readiness, run smoke tests.
//  3. The same, but the rollback fails: the pods of the previous image never
//     become ready. The rollout raises a RollbackFailed alert, which the dedup
//     and incident stages turn into an incident, whose escalation pages the
//     on-call engineer and, when nobody acknowledges in time, the team lead.
//
// Every step is observed for five minutes through a gate.Recorder fed by a
// simulation — requests, failures, latencies and CPU every 15 seconds — and,
// up to 50%, compared with the stable version, which serves the rest of the
// traffic; at 100% only the fixed limits apply.
// Everything runs on a fake clock with a seeded random source, so the output
// is the same on every run, and it takes about a second:
//
//	go run ./examples/canary
package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/prometheus/common/model"

	"github.com/alertkit/alertkit/alert"
	"github.com/alertkit/alertkit/dedup"
	"github.com/alertkit/alertkit/escalate"
	"github.com/alertkit/alertkit/incident"
	"github.com/alertkit/alertkit/internal/clock"
	"github.com/alertkit/alertkit/severity"
	"github.com/alertkit/alertkit/slo/gate"
)

// The service: 20 pods behind one Service, which spreads 80 requests a second
// evenly over them, so that a version's share of the traffic is its share of
// the pods.
const (
	service   = "checkout"
	namespace = "shop"
	image     = "registry.example.com/shop/checkout"
	stable    = "v1.4.2"
	canary    = "v1.5.0"
	pods      = 20
	perSecond = 80
)

// The rollout: the canary's shares of the traffic, each observed for a
// window, checked every minute; the simulation reports every tick.
const (
	tick    = 15 * time.Second
	check   = time.Minute
	window  = 5 * time.Minute
	readyBy = 5 * time.Minute // how long the rollback waits for its pods
)

var steps = []int{5, 25, 50, 100}

// oncall is who answers for the service: an on-call rotation that hands
// over every morning at nine, and the team lead above it. A page goes to
// the on-call, then, unacknowledged within the alert's response time, to
// the team lead.
const oncall = `
schedules:
  - name: checkout
    layers:
      - name: L1
        members: [anna.petrova, li.wei, pierre.martin]
        handoff: "0 9 * * *"
        start: 2026-11-23T09:00:00Z
ladders:
  checkout: [[oncall:checkout/L1], ["@marie.dubois"]]
`

// roles names the levels of the ladder, for the narrative.
var roles = []string{"the on-call of checkout/L1", "the team lead"}

// behaviour is how a version serves at a share of the traffic.
type behaviour struct {
	errors int     // failed requests per 10 000
	slow   int     // requests per 10 000 that queue for a connection: 800–960 ms
	cpu    float64 // a pod's CPU use, as a share of its limit, before noise
}

// stableBehaviour is how v1.4.2 serves, at every share.
var stableBehaviour = behaviour{errors: 30, cpu: 0.38}

// profile gives a version's behaviour at a share of the traffic, in percent.
type profile func(share int) behaviour

// steady behaves the same at every share.
func steady(b behaviour) profile { return func(int) behaviour { return b } }

// pooled is a release whose database connection pool is too small: from a
// quarter of the traffic on, its requests queue for a connection, and some
// time out.
func pooled(share int) behaviour {
	if share < 25 {
		return behaviour{errors: 35, cpu: 0.41}
	}
	return behaviour{errors: 400, slow: 250, cpu: 0.57}
}

// A scenario is one rollout of v1.5.0.
type scenario struct {
	title  string
	start  time.Time
	canary profile
	// pullFails makes the new pods of the previous version fail to start:
	// the registry refuses to serve their image.
	pullFails bool
}

var scenarios = []scenario{
	{"run 1: a healthy release", time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC),
		steady(behaviour{errors: 35, cpu: 0.41}), false},
	{"run 2: a release that regresses from 25% of the traffic", time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC),
		pooled, false},
	{"run 3: the same regression, and a rollback that fails", time.Date(2026, 11, 26, 14, 0, 0, 0, time.UTC),
		pooled, true},
}

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "canary:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, out io.Writer) error {
	w := tabwriter.NewWriter(out, 0, 8, 2, ' ', 0)
	g := healthGate()
	fmt.Fprintf(w, "alertkit canary: %s %s → %s on %d pods, %d requests/s, %s of the traffic, times in UTC\n",
		service, stable, canary, pods, perSecond, shares())
	fmt.Fprintf(w, "the gate, over the last %s, checked every minute; a step passes once the window is over:\n", dur(window))
	fmt.Fprintf(w, "  error rate ≤ %s, p99 latency ≤ %s, cpu ≤ %s of a pod's limit, at least %d requests and %s of the window covered\n",
		pct(g.MaxErrorRate), g.MaxLatency.Max, num(g.MaxResource["cpu"]), g.MinRequests, pct(g.MinCoverage))
	fmt.Fprintf(w, "  and against %s over the same window: error rate ≤ %s × its own + %s, p99 latency ≤ %s × its own + %s\n",
		stable, num(g.Baseline.ErrorRateFactor), pct(g.Baseline.ErrorRateTolerance), num(g.Baseline.LatencyFactor), g.Baseline.LatencyTolerance)
	for i, sc := range scenarios {
		r, err := newRollout(w, sc, uint64(i+1))
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "\n%s, %s\n", sc.title, sc.start.Format("Monday 2 January 2006"))
		if err := r.run(ctx); err != nil {
			return fmt.Errorf("%s: %w", sc.title, err)
		}
		if err := w.Flush(); err != nil {
			return err
		}
	}
	return w.Flush()
}

// healthGate is the gate of every step: fixed limits, and the stable
// version as the baseline. A slot per tick: a window of 20 slots.
func healthGate() gate.Gate {
	return gate.Gate{
		Name:         service + " " + canary,
		Window:       window,
		Resolution:   tick,
		MaxErrorRate: 0.01,
		MaxLatency:   gate.LatencyLimit{Quantile: 0.99, Max: 300 * time.Millisecond},
		MaxResource:  map[string]float64{"cpu": 0.8},
		MinRequests:  100,
		MinCoverage:  0.8,
		Baseline: &gate.Baseline{
			ErrorRateFactor: 2, ErrorRateTolerance: 0.005,
			LatencyFactor: 1.5, LatencyTolerance: 50 * time.Millisecond,
		},
	}
}

// rollout is one scenario on its own fake clock.
type rollout struct {
	w   *tabwriter.Writer
	sc  scenario
	clk *clock.Fake
	rng *rand.Rand
	cfg *escalate.Config

	// share is the canary's share of the traffic; the pods of each version
	// that are ready serve it.
	share                  int
	canaryPods, stablePods int
	canaryRec, stableRec   *gate.Recorder
	fullRec                *gate.Recorder // at 100%: no stable traffic to compare with
}

func newRollout(w *tabwriter.Writer, sc scenario, seed uint64) (*rollout, error) {
	g := healthGate()
	canaryRec, err := gate.New(g, nil)
	if err != nil {
		return nil, err
	}
	stableRec, err := gate.New(g, nil)
	if err != nil {
		return nil, err
	}
	g.Baseline = nil
	fullRec, err := gate.New(g, nil)
	if err != nil {
		return nil, err
	}
	cfg, err := escalate.ParseConfig([]byte(oncall), "oncall.yaml")
	if err != nil {
		return nil, err
	}
	return &rollout{
		w: w, sc: sc, clk: clock.NewFake(sc.start), rng: rand.New(rand.NewPCG(seed, 2026)), cfg: cfg,
		stablePods: pods, canaryRec: canaryRec, stableRec: stableRec, fullRec: fullRec,
	}, nil
}

// say prints a line of the narrative at the time of the clock.
func (r *rollout) say(indent int, format string, args ...any) {
	fmt.Fprintf(r.w, "%s%s  %s\n", strings.Repeat(" ", indent), r.clk.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}

// note prints a line without a time, under the last one.
func (r *rollout) note(format string, args ...any) {
	fmt.Fprintf(r.w, "            %s\n", fmt.Sprintf(format, args...))
}

// run walks the canary up the steps while the gate says healthy, and
// rolls it back as soon as it does not.
func (r *rollout) run(ctx context.Context) error {
	for i, share := range steps {
		r.share, r.canaryPods, r.stablePods = share, pods*share/100, pods-pods*share/100
		fixed := ""
		if share == 100 {
			fixed = ": the fixed limits only, no stable traffic left to compare with"
		}
		r.say(0, "%d%%: %s on %d of %d pods, %s on %d%s", share, canary, r.canaryPods, pods, stable, r.stablePods, fixed)
		v, err := r.observe()
		if err != nil {
			return err
		}
		if v.Status != gate.StatusHealthy {
			return r.rollback(ctx, v)
		}
		if i+1 < len(steps) {
			r.note("→ %s is healthy at %d%%: on to %d%%", canary, share, steps[i+1])
		}
	}
	r.note("→ promoted: %s is the stable version on %d of %d pods; %s stays in the release history as the previous stable one",
		canary, pods, pods, stable)
	return nil
}

// observe runs a step for the observation window, asking the gate every
// minute, and returns its last verdict: the first unhealthy one, or the
// one at the end of the window.
func (r *rollout) observe() (gate.Verdict, error) {
	rec := r.recorder()
	rec.Reset() // a new step, a new window
	var (
		v       gate.Verdict
		history []gate.Verdict
	)
	for elapsed := tick; elapsed <= window; elapsed += tick {
		r.clk.Advance(tick)
		if err := r.serve(); err != nil {
			return v, err
		}
		if elapsed%check != 0 {
			continue
		}
		if r.share == 100 {
			v = rec.Evaluate(r.clk.Now())
		} else {
			v = rec.Compare(r.clk.Now(), r.stableRec)
		}
		history = append(history, v)
		if v.Status == gate.StatusUnhealthy {
			break
		}
	}
	r.say(2, "%s: checked %s", v.Status, checks(history))
	r.printVerdict(v)
	return v, nil
}

// serve simulates a tick of traffic: each version's requests, their
// failures and latencies, and the CPU of its pods, reported at the end of
// the tick.
func (r *rollout) serve() error {
	total := int(perSecond * tick / time.Second)
	now := r.clk.Now()
	canaryN := total * r.canaryPods / (r.canaryPods + r.stablePods)
	if err := r.serveVersion(now, canaryN, r.sc.canary(r.share), r.recorder()); err != nil {
		return fmt.Errorf("%s: %w", canary, err)
	}
	if err := r.serveVersion(now, total-canaryN, stableBehaviour, r.stableRec); err != nil {
		return fmt.Errorf("%s: %w", stable, err)
	}
	return nil
}

// recorder is the canary's recorder of the current step.
func (r *rollout) recorder() *gate.Recorder {
	if r.share == 100 {
		return r.fullRec
	}
	return r.canaryRec
}

func (r *rollout) serveVersion(at time.Time, n int, b behaviour, rec *gate.Recorder) error {
	if n == 0 {
		return nil
	}
	failed := 0
	for range n {
		if r.rng.IntN(10000) < b.errors {
			failed++
		}
		if err := rec.Latency(at, r.latency(b)); err != nil {
			return err
		}
	}
	if err := rec.Requests(at, n, failed); err != nil {
		return err
	}
	return rec.Gauge(at, "cpu", b.cpu+float64(r.rng.IntN(5))/100)
}

// latency draws the latency of a request: most take 20–100 ms, one in ten
// up to 180 ms, one in a hundred up to 250 ms; the slow ones of a
// regression queue for 800–960 ms. Integer draws only, so that every
// platform draws the same.
func (r *rollout) latency(b behaviour) time.Duration {
	ms := func(lo, hi int) time.Duration {
		return time.Duration(lo)*time.Millisecond + time.Duration(r.rng.IntN((hi-lo)*1000))*time.Microsecond
	}
	if r.rng.IntN(10000) < b.slow {
		return ms(800, 960)
	}
	switch p := r.rng.IntN(1000); {
	case p < 900:
		return ms(20, 100)
	case p < 990:
		return ms(100, 180)
	}
	return ms(180, 250)
}

// printVerdict prints the numbers of a verdict, check by check, and the
// gate's reasons when it is not healthy.
func (r *rollout) printVerdict(v gate.Verdict) {
	line := fmt.Sprintf("%s: %d requests, %d failed", canary, v.Requests, v.Failed)
	if b := v.Baseline; b != nil {
		line += fmt.Sprintf("; %s: %d requests, %d failed, p99 %s", stable, b.Requests, b.Failed, ms(b.Latency))
	}
	r.note("%s, over %s", line, dur(v.Window))
	for _, c := range v.Checks {
		status := "ok"
		switch c.Status {
		case gate.StatusUnhealthy:
			status = "FAILED"
		case gate.StatusNotEnoughData:
			status = "not enough data"
		}
		row := []string{c.Name, value(c, c.Value), "≤ " + value(c, c.Limit), status}
		if f := r.formula(c, v); f != "" {
			row = append(row, f)
		}
		fmt.Fprintf(r.w, "              %s\n", strings.Join(row, "\t"))
	}
	if v.Status != gate.StatusHealthy {
		r.note("the gate's reasons:")
		for _, reason := range v.Reasons {
			r.note("  %s", reason)
		}
	}
}

// formula says where a comparison's limit comes from.
func (r *rollout) formula(c gate.Check, v gate.Verdict) string {
	b, base := r.canaryRec.Gate().Baseline, v.Baseline
	switch {
	case base == nil || !strings.HasSuffix(c.Name, "vs baseline"):
		return ""
	case strings.HasPrefix(c.Name, "error rate"):
		return fmt.Sprintf("%s × %s's %s + %s", num(b.ErrorRateFactor), stable, pct(base.ErrorRate), pct(b.ErrorRateTolerance))
	}
	return fmt.Sprintf("%s × %s's %s + %s", num(b.LatencyFactor), stable, ms(base.Latency), b.LatencyTolerance)
}

// step is a step of the rollback workflow: what it does, and how long it
// takes on the simulated cluster.
type step struct {
	name string
	took time.Duration
	do   func() (string, bool)
}

// rollback runs the rollback workflow: the orchestrator identifies the
// version and fetches the previous stable one, the cluster scales the new
// pods down, deploys the previous image and waits for its pods, and smoke
// tests verify it. A failure stops it and raises an alert.
func (r *rollout) rollback(ctx context.Context, v gate.Verdict) error {
	r.note("→ roll back: the gate says %s at %d%%", v.Status, r.share)
	ready, added := 0, 0
	workflow := []step{
		{"identify current version", time.Second, func() (string, bool) {
			return fmt.Sprintf("%s on %d pods (%d%% of the traffic), %s on %d", canary, r.canaryPods, r.share, stable, r.stablePods), true
		}},
		{"fetch previous stable version", 2 * time.Second, func() (string, bool) {
			return fmt.Sprintf("%s, %s:%s, promoted 2026-11-10: available", stable, image, stable), true
		}},
		{"prepare rollback manifest", time.Second, func() (string, bool) {
			return fmt.Sprintf("%s: %d replicas of %s, none of %s", service, pods, stable, canary), true
		}},
		{"scale down new pods", 5 * time.Second, func() (string, bool) {
			was := r.canaryPods
			r.canaryPods, r.share = 0, 0
			return fmt.Sprintf("%s: %d → 0 pods; %s takes all the traffic on its %d", canary, was, stable, r.stablePods), true
		}},
		{"deploy previous image", 2 * time.Second, func() (string, bool) {
			added = pods - r.stablePods
			return fmt.Sprintf("%s: %d → %d pods", stable, r.stablePods, pods), true
		}},
		{"wait for pods ready", 0, func() (string, bool) {
			if r.sc.pullFails {
				for waited := time.Duration(0); waited < readyBy; waited += tick {
					r.clk.Advance(tick)
				}
				return fmt.Sprintf("%d of %d new pods ready after %s: ImagePullBackOff: %s:%s: 401 Unauthorized",
					ready, added, dur(readyBy), image, stable), false
			}
			r.clk.Advance(45 * time.Second)
			ready = added
			r.stablePods += ready
			return fmt.Sprintf("%d of %d new pods ready after 45s: %s on %d of %d pods", ready, added, stable, r.stablePods, pods), true
		}},
		{"update service selector", time.Second, func() (string, bool) {
			return fmt.Sprintf("app=%s,version=%s", service, stable), true
		}},
		{"run smoke tests", 30 * time.Second, func() (string, bool) {
			return "4 of 4 passed: GET /healthz, GET /api/cart/42, POST /api/checkout?dry_run=1, GET /api/orders/7", true
		}},
		{"update deployment status", time.Second, func() (string, bool) {
			return fmt.Sprintf("%s: %s, %s rolled back", service, stable, canary), true
		}},
		{"cleanup old resources", 3 * time.Second, func() (string, bool) {
			return fmt.Sprintf("replica set %s-%s deleted", service, strings.ReplaceAll(canary, ".", "-")), true
		}},
		{"notify on-call", 0, func() (string, bool) {
			who, _ := r.cfg.Schedules[0].OnCallAt("L1", r.clk.Now())
			return fmt.Sprintf("%s (%s): rollback to %s complete, nothing to do", who, roles[0], stable), true
		}},
	}
	for _, s := range workflow {
		r.clk.Advance(s.took)
		detail, ok := s.do()
		fmt.Fprintf(r.w, "  %s  %s\t%s\n", r.clk.Now().Format("15:04:05"), s.name, detail)
		if !ok {
			fmt.Fprintf(r.w, "  %s  %s\t%s\n", r.clk.Now().Format("15:04:05"), "mark rollback failed",
				fmt.Sprintf("not all pods healthy: %s serves all the traffic on %d of %d pods", stable, r.stablePods, pods))
			if err := r.w.Flush(); err != nil {
				return err
			}
			return r.escalate(ctx)
		}
	}
	r.note("→ rolled back: %s runs %s on %d of %d pods", service, stable, r.stablePods, pods)
	return nil
}

// escalate raises the RollbackFailed alert and runs the pipeline on it:
// dedup, incidents, severity and escalation, as a host would, until
// someone takes the incident in hand.
func (r *rollout) escalate(ctx context.Context) error {
	p, err := newPipeline(r)
	if err != nil {
		return err
	}
	now := r.clk.Now()
	failed := alert.Alert{
		Labels: model.LabelSet{
			"alertname":      "RollbackFailed",
			"service":        service,
			"namespace":      namespace,
			"version":        canary,
			"rollback_to":    stable,
			"severity_level": "2",
		},
		Annotations: model.LabelSet{
			"summary": model.LabelValue(fmt.Sprintf("rollback of %s %s to %s failed: %d of %d pods",
				service, canary, stable, r.stablePods, pods)),
			"runbook_url": "https://runbooks.example.com/checkout/rollback-failed",
		},
		StartsAt:  now,
		UpdatedAt: now,
		Source:    "canary-controller",
	}
	if err := failed.Validate(); err != nil {
		return err
	}
	r.note("→ alert %s", failed.String())
	inc, err := p.raise(ctx, failed)
	if err != nil {
		return err
	}

	// The controller checks the pods every minute and sends the alert
	// again while they are not ready, as a rule engine re-sends a firing
	// alert; the escalator's timers run every tick. Nobody acknowledges
	// the on-call's page; the team lead acknowledges a few minutes after
	// hers.
	const ackAfter = 4 * time.Minute
	sent, changes := 1, 0
	for elapsed := tick; ; elapsed += tick {
		if elapsed > 2*time.Hour {
			return fmt.Errorf("incident %s: the team lead was never paged", short(inc.ID))
		}
		r.clk.Advance(tick)
		if elapsed%check == 0 {
			failed.UpdatedAt = r.clk.Now()
			sent++
			changes += len(p.deduper.Ingest([]alert.Alert{failed}))
		}
		if _, err := p.incidents.ProcessTimers(ctx); err != nil {
			return err
		}
		if _, err := p.escalator.ProcessTimers(ctx); err != nil {
			return err
		}
		if len(p.pages) == len(roles) && r.clk.Now().Sub(p.pages[len(roles)-1]) == ackAfter {
			break
		}
	}
	lead := "marie.dubois"
	if _, err := p.incidents.Acknowledge(ctx, inc.ID, lead, "rolling back by hand with a fresh pull secret"); err != nil {
		return err
	}
	r.say(2, "%s (%s) acknowledges incident %s: the escalation stops", lead, roles[1], short(inc.ID))
	passed := "only the first"
	if changes > 0 {
		passed = fmt.Sprintf("the first and %d more changes", changes)
	}
	r.note("the controller sent %s %d times in all; dedup kept one alert, and passed on %s", failed.Trigger(), sent, passed)
	return p.history(ctx, r, inc.ID)
}

// pipeline is alertkit's side of run 3: the alert of a failed rollback
// becomes an incident, whose escalation pages people.
type pipeline struct {
	r         *rollout
	deduper   *dedup.Deduper
	incidents *incident.Manager
	escalator *escalate.Escalator
	levels    *severity.Policy
	pages     []time.Time // when each level was paged
}

func newPipeline(r *rollout) (*pipeline, error) {
	p := &pipeline{r: r, deduper: dedup.New(&dedup.Options{Now: r.clk.Now}), levels: severity.DefaultPolicy()}
	p.incidents = incident.NewManager(incident.NewMemoryStore(), &incident.Options{
		Grouping: &incident.Grouping{By: []model.LabelName{"alertname", "service"}},
		Now:      r.clk.Now,
		Entropy:  rand.NewChaCha8([32]byte{3}), // repeatable incident IDs
	})
	// The service catalogue: checkout takes the money, a Gold service.
	p.levels.Catalog = func(ls model.LabelSet) (severity.ServiceLevel, bool) {
		return severity.ServiceLevelGold, ls["service"] == service
	}
	pager := escalate.PagerFunc(func(_ context.Context, pg escalate.Page) error {
		who := append(slices.Clone(pg.People), pg.Teams...)
		role := "?"
		if pg.Step >= 1 && pg.Step <= len(roles) {
			role = roles[pg.Step-1]
		}
		r.say(2, "page → %s (%s): %s", strings.Join(who, ", "), role, pg.Reason)
		p.pages = append(p.pages, r.clk.Now())
		return nil
	})
	p.escalator = escalate.New(p.incidents, pager, &escalate.Options{Now: r.clk.Now, Owner: "canary"})
	if err := p.escalator.Load(r.cfg); err != nil {
		return nil, err
	}
	return p, nil
}

// raise takes an alert through dedup and the incident stage, and engages
// the escalation of the incident it opens, as its severity says.
func (p *pipeline) raise(ctx context.Context, a alert.Alert) (*incident.Incident, error) {
	var inc *incident.Incident
	for _, c := range p.deduper.Ingest([]alert.Alert{a}) {
		got, err := p.incidents.Observe(ctx, &c, nil)
		if err != nil {
			return nil, err
		}
		if got == nil {
			continue
		}
		inc = got
		p.r.say(2, "dedup: %s %s → incident %s %s, group %s", describe(&c), c.Fingerprint, short(inc.ID), inc.Status, inc.GroupKey)
	}
	if inc == nil {
		return nil, fmt.Errorf("alert %s opened no incident", a.Trigger())
	}
	class, err := p.levels.Classify(a.Labels)
	if err != nil {
		return nil, err
	}
	plan, err := p.escalator.PlanFor(class, service)
	if err != nil {
		return nil, err
	}
	if err := p.escalator.Engage(ctx, inc.ID, plan); err != nil {
		return nil, err
	}
	p.r.note("escalation: %s on %s (%s): %s, held %s first; policy %s: %s, then %s",
		class.Level, class.ServiceLevel, class.From, class.Response, severity.FormatDuration(plan.Hold), plan.Policy, roles[0], roles[1])
	return inc, nil
}

// describe says what a change is: "new firing".
func describe(c *dedup.Change) string {
	if c.New {
		return "new " + c.State.String()
	}
	return c.From.String() + " → " + c.State.String()
}

// history prints the incident's history.
func (p *pipeline) history(ctx context.Context, r *rollout, id incident.ID) error {
	events, err := p.incidents.Store().History(ctx, id)
	if err != nil {
		return err
	}
	r.note("incident %s, its history:", short(id))
	for _, e := range events {
		r.note("  %s", e.String())
	}
	return nil
}

// checks sums up the minutes of a step: "1m–3m not enough data, 4m–5m
// healthy".
func checks(history []gate.Verdict) string {
	var parts []string
	for i := 0; i < len(history); {
		j := i
		for j+1 < len(history) && history[j+1].Status == history[i].Status {
			j++
		}
		span := fmt.Sprintf("%dm", i+1)
		if j > i {
			span += fmt.Sprintf("–%dm", j+1)
		}
		part := span + " " + history[i].Status.String()
		if history[i].Status == gate.StatusNotEnoughData && len(history[i].Reasons) > 0 {
			part += " (" + history[i].Reasons[0] + ")"
		}
		parts = append(parts, part)
		i = j + 1
	}
	return strings.Join(parts, ", ")
}

// value formats a check's value or limit in its unit: a share, a latency
// or a gauge.
func value(c gate.Check, v float64) string {
	switch {
	case strings.HasPrefix(c.Name, "error rate"):
		return pct(v)
	case strings.Contains(c.Name, "latency"):
		return ms(time.Duration(math.Round(v * 1e9)))
	}
	return num(v)
}

// pct writes a share as a percentage with up to two decimals.
func pct(share float64) string { return num(math.Round(share*1e4)/100) + "%" }

// num writes a number with up to two decimals.
func num(v float64) string {
	return strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64)
}

// dur writes a duration as alertkit does: "5m".
func dur(d time.Duration) string { return severity.FormatDuration(d) }

// ms rounds a latency to the millisecond.
func ms(d time.Duration) string { return d.Round(time.Millisecond).String() }

// shares writes the steps: "5% → 25% → 50% → 100%".
func shares() string {
	var s []string
	for _, share := range steps {
		s = append(s, strconv.Itoa(share)+"%")
	}
	return strings.Join(s, " → ")
}

// short is the end of an incident ID, enough to tell it apart.
func short(id incident.ID) string { return string(id[len(id)-6:]) }
