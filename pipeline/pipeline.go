package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/common/model"

	"github.com/alertkit/alertkit/alert"
	"github.com/alertkit/alertkit/dedup"
	"github.com/alertkit/alertkit/escalate"
	"github.com/alertkit/alertkit/incident"
	"github.com/alertkit/alertkit/internal/worker"
	"github.com/alertkit/alertkit/mql"
	"github.com/alertkit/alertkit/notify"
	"github.com/alertkit/alertkit/route"
	"github.com/alertkit/alertkit/severity"
)

// The stages a Pipeline runs, as small interfaces: each is replaceable by
// the host's own, and the alertkit type named in its comment is the
// default or the usual one.
type (
	// Classifier is the enrich stage: severity and service level from the
	// labels (*severity.Policy).
	Classifier interface {
		Classify(labels model.LabelSet) (severity.Classification, error)
	}
	// Deduper is the dedup stage (*dedup.Deduper). Unpublish gives back
	// the changes the pipeline failed to record, so that the alerts' next
	// reports — a source's retry — or the next sweep publish them again.
	Deduper interface {
		Ingest(alerts []alert.Alert) []dedup.Change
		Sweep(now time.Time) []dedup.Change
		Unpublish(changes []dedup.Change)
	}
	// Triager is the triage stage: robots (*route.Triage).
	Triager interface {
		Apply(s mql.Subject) route.Verdict
	}
	// Silencer mutes what silences select (*route.Silences).
	Silencer interface {
		Mutes(s mql.Subject, t time.Time) (string, bool)
	}
	// Inhibitor mutes what firing alerts make redundant (*route.Inhibitor).
	Inhibitor interface {
		Observe(s *route.Subject)
		Inhibited(s *route.Subject) (rule string, source model.Fingerprint, ok bool)
	}
	// Router says where an alert goes and how it groups (*route.Router).
	Router interface {
		Route(s *route.Subject) []route.Route
	}
)

// Config is what a Pipeline is made of. Incidents is required; a nil stage
// is left out (Severity, Dedup and Router have defaults).
type Config struct {
	// Severity classifies alerts; default severity.DefaultPolicy().
	Severity Classifier
	// Dedup keeps one record per alert; default a dedup.Deduper on Now.
	Dedup     Deduper
	Triage    Triager
	Silences  Silencer
	Inhibitor Inhibitor
	// Router routes; default one route that groups by alertname and
	// namespace and has no targets.
	Router Router
	// Incidents gathers alerts into incidents. Its clock must be Now.
	Incidents *incident.Manager
	// Escalator pages people about new incidents; nil pages nobody.
	Escalator *escalate.Escalator
	// Ladder is who is paged after a route's own targets, level after
	// level (L2, the team), when the route names no escalation policy.
	Ladder escalate.Ladder
	// Dispatcher tells the receivers an incident went to when it resolves,
	// is acknowledged or handed over; nil tells nobody. With a Dispatcher,
	// Incidents must be made with incident.Options.FollowUps, so that this
	// news is written with the change itself.
	Dispatcher *notify.Dispatcher
	// Snapshot adds to the snapshots of follow-up notifications.
	Snapshot *notify.SnapshotOptions
	// Metrics, if set, counts what the pipeline does.
	Metrics *Metrics
	// Logger logs what goes wrong; default slog.Default().
	Logger *slog.Logger
	// Now returns the time; default time.Now.
	Now func() time.Time
	// Owner names this replica's worker when Tick claims the pipeline's
	// own timers — follow-ups and heartbeat deadlines; default "pipeline".
	// Replicas sharing a store use different names (and so do their
	// Manager's, Escalator's and Dispatcher's Owner options; File.Build
	// names them all after BuildOptions.Replica).
	Owner string
	// Lease is how long the timers Tick claims are this replica's before
	// another may take them over; default 1m.
	Lease time.Duration
	// Interval is how often Run ticks; default 1s.
	Interval time.Duration
	// OnChange, if set, hears the outcome of every change of an alert:
	// for tracing, tests and examples. It must not block.
	OnChange func(Outcome)
}

// Outcome is what the pipeline made of a change of an alert.
type Outcome struct {
	// Change is the change, with the labels its source sent: the alert's
	// identity.
	Change *dedup.Change
	// Labels are the labels the stages after triage saw: the source's
	// with those triage rules added.
	Labels model.LabelSet
	Class  severity.Classification
	// Verdict is the triage's; Dropped when it dropped the alert, which
	// then went no further.
	Verdict route.Verdict
	Dropped bool
	// Silenced names the silence, Inhibited the inhibition rule, that
	// mute the alert; Muted is set when the route's time intervals do.
	Silenced, Inhibited string
	Muted               bool
	// Routes are where the alert goes; the first groups it.
	Routes []route.Route
	// Incident is the incident it joined.
	Incident *incident.Incident
	// Plan is the escalation engaged for a new incident, if any.
	Plan *escalate.Plan
}

// TimerHeartbeat is a heartbeat's deadline in the store: the latest
// check-in any replica saw, and when the next is due. The replica that
// claims it when it falls due — a replica that restarted meanwhile, or
// one that never heard of the check-in — learns of that check-in, and its
// dedup stage fires the heartbeat's alert if no later one came.
const TimerHeartbeat = "heartbeat"

// heartbeats is what a dedup stage with heartbeats does (*dedup.Deduper).
type heartbeats interface {
	Heartbeats() []dedup.HeartbeatState
	RestoreHeartbeat(name string, last time.Time) bool
}

// Pipeline runs the stages of the data flow in order: enrich (severity
// and service level), dedup, triage, silences and inhibition, route,
// incident grouping by the route's group labels, escalation, and follow-up
// notifications. Each stage is a plain value of its own package; the
// Pipeline only calls them in order and acts on what they say.
//
// A Pipeline is safe for concurrent use.
type Pipeline struct {
	cfg     Config
	log     *slog.Logger
	ladders sync.Map // ladder names given to the escalator
	// withLevel sets a level a triage rule gives, if the Classifier can
	// (*severity.Policy can).
	withLevel func(severity.Classification, severity.Level) severity.Classification

	hb      heartbeats // nil if the dedup stage has none
	hbMu    sync.Mutex
	hbSaved map[string]time.Time // the check-ins written to the store
}

// New returns a Pipeline of a configuration.
func New(cfg Config) (*Pipeline, error) {
	if cfg.Incidents == nil {
		return nil, errors.New("pipeline: incidents: missing (an incident.Manager)")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Owner == "" {
		cfg.Owner = "pipeline"
	}
	if cfg.Interval <= 0 {
		cfg.Interval = time.Second
	}
	if cfg.Lease <= 0 {
		cfg.Lease = time.Minute
	}
	if cfg.Dispatcher != nil && !cfg.Incidents.FollowsUp() {
		return nil, errors.New("pipeline: incidents: a pipeline with a dispatcher needs an incident.Manager made with Options.FollowUps, " +
			"so that resolutions, acknowledgements and hand-overs are followed up even if the process stops right after them")
	}
	if cfg.Severity == nil {
		cfg.Severity = severity.DefaultPolicy()
	}
	if cfg.Dedup == nil {
		cfg.Dedup = dedup.New(&dedup.Options{Now: cfg.Now})
	}
	if cfg.Router == nil {
		r, err := route.Compile(&route.Config{}, nil)
		if err != nil {
			return nil, err
		}
		cfg.Router = r
	}
	p := &Pipeline{cfg: cfg, log: cfg.Logger, hbSaved: map[string]time.Time{}}
	p.hb, _ = cfg.Dedup.(heartbeats)
	if wl, ok := cfg.Severity.(interface {
		WithLevel(severity.Classification, severity.Level) severity.Classification
	}); ok {
		p.withLevel = wl.WithLevel
	}
	if p.log == nil {
		p.log = slog.Default()
	}
	if err := p.planAhead(); err != nil {
		return nil, err
	}
	return p, nil
}

// planAhead gives the escalator, before any alert arrives, the ladder of
// every route that has one, and checks that the policies routes name
// exist: an escalation stored by another replica, or before a restart,
// names them, and must find them on every replica.
func (p *Pipeline) planAhead() error {
	lister, ok := p.cfg.Router.(interface{ Routes() []route.Route })
	if !ok || p.cfg.Escalator == nil {
		return nil
	}
	var errs []error
	for _, r := range lister.Routes() {
		if name, ok := policyOf(r); ok {
			if _, err := p.cfg.Escalator.Policy(name); err != nil {
				errs = append(errs, fmt.Errorf("pipeline: route %s: %w", r.ID, err))
			}
			continue
		}
		if _, err := p.ladder(r); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// policyOf returns the escalation policy a route names, if any.
func policyOf(r route.Route) (string, bool) {
	for _, t := range r.Targets {
		if t.Kind == route.TargetPolicy {
			return t.Name, true
		}
	}
	return "", false
}

// ladder gives the escalator the ladder of a route that names no policy —
// its own targets, then the configured Ladder — and returns its name, or ""
// when the route has nobody to page.
func (p *Pipeline) ladder(r route.Route) (string, error) {
	name := "route:" + r.ID
	if _, known := p.ladders.Load(name); known {
		return name, nil
	}
	var levels escalate.Ladder
	if len(r.Targets) > 0 {
		levels = append(levels, r.Targets)
	}
	levels = append(levels, p.cfg.Ladder...)
	if len(levels) == 0 {
		return "", nil
	}
	if err := p.cfg.Escalator.AddLadder(name, levels); err != nil {
		return "", fmt.Errorf("pipeline: route %s: %w", r.ID, err)
	}
	p.ladders.Store(name, true)
	return name, nil
}

// SeverityOf is an incident.Options.Severity that reads the level of an
// alert as the Classifier does — from severity_level, impact and
// likelihood, or a Prometheus severity — so that incidents carry the
// level the pipeline routed and escalated by; 0 when no label says.
func SeverityOf(c Classifier) func(model.LabelSet) int {
	return func(ls model.LabelSet) int {
		class, _ := c.Classify(ls)
		if class.From == "unknown" {
			return 0 // no label said: none, not the policy's default level
		}
		return int(class.Level)
	}
}

// Incidents returns the pipeline's incident Manager.
func (p *Pipeline) Incidents() *incident.Manager { return p.cfg.Incidents }

// Ingest takes alerts in, as the intake handlers hand them over
// (alert.IngestFunc), and takes every change through the stages. It
// returns nil once every change is recorded in the incident store, so that
// an intake answers 200 only then. Otherwise it returns an
// *alert.RejectedError naming, by their index in alerts, the alerts whose
// change could not be recorded and why; the dedup stage forgets those
// changes (Deduper.Unpublish), so that a retry of the same alerts records
// them, and what was recorded stays. The changes are written one by one; if
// the context ends, or several writes in a row fail (the store is down), the
// rest are given back without being tried.
func (p *Pipeline) Ingest(ctx context.Context, alerts []alert.Alert) error {
	start := time.Now()
	changes := p.cfg.Dedup.Ingest(alerts)
	p.cfg.Metrics.stage("dedup", start)
	p.cfg.Metrics.received(alerts, changes)
	failed := p.apply(ctx, changes)
	if len(failed) == 0 {
		return nil
	}
	errs := make([]error, len(alerts))
	for _, f := range failed {
		if i := f.change.Index; i >= 0 && i < len(errs) && errs[i] == nil {
			errs[i] = f.err
		}
	}
	if err := alert.Rejected(errs); err != nil {
		return err
	}
	return failed[0].err // changes of no report: a heartbeat's, say
}

// Restore gives the dedup stage what the store knows of the alerts of the
// active incidents, and returns how many it took. A process calls it when
// it starts, before it takes alerts in: a replica joining others, or a
// service whose every replica stopped. Without it, repeats of those alerts
// would be checked against the store one by one, and an alert whose source
// stopped refreshing it while the process was down would never turn
// unknown. A restored alert's refresh deadline is pushed to a full refresh
// period after now, to give its source the time to send it again.
//
// Restore also reports, once, in the log, the open escalations that name a
// policy this process's configuration does not have (a policy renamed
// since they started): they wait, and say so in their history, until the
// configuration has it again.
func (p *Pipeline) Restore(ctx context.Context) (int, error) {
	r, ok := p.cfg.Dedup.(interface {
		Restore(a alert.Alert, o dedup.RestoreOptions) bool
	})
	if !ok {
		return 0, errors.New("pipeline: restore: the dedup stage cannot take records (it has no Restore method)")
	}
	store := p.cfg.Incidents.Store()
	active, err := mql.Parse("status IN (open, acknowledged, snoozed)")
	if err != nil {
		return 0, err
	}
	now := p.cfg.Now()
	incs, err := store.Search(ctx, incident.Filter{Query: active, At: now, Limit: -1})
	if err != nil {
		return 0, fmt.Errorf("pipeline: restore: %w", err)
	}
	p.reportOrphans(incs)
	n := 0
	regrouped := map[incident.ID]string{}
	for _, inc := range incs {
		members, err := store.Members(ctx, inc.ID)
		if err != nil {
			return n, fmt.Errorf("pipeline: restore: incident %s: %w", inc.ID, err)
		}
		if key, moved := p.regrouped(inc, members, now); moved {
			regrouped[inc.ID] = key
		}
		for _, m := range members {
			a := alert.Alert{
				Labels: m.Labels, Annotations: m.Annotations, Kind: m.Kind, StartsAt: m.StartsAt, EndsAt: m.EndsAt,
				Pending: m.State == alert.StatePending, UpdatedAt: now,
			}
			a.RefreshBy = m.RefreshBy
			if !m.RefreshBy.IsZero() && m.State != alert.StateUnknown {
				period := m.RefreshEvery
				if period == 0 {
					period = m.RefreshBy.Sub(m.ChangedAt) // stored before RefreshEvery was
				}
				if later := now.Add(period); period > 0 && later.After(a.RefreshBy) {
					a.RefreshBy = later
				}
			}
			if r.Restore(a, dedup.RestoreOptions{State: m.State, Flapping: m.Flapping}) {
				n++
			}
		}
	}
	for _, id := range slices.Sorted(maps.Keys(regrouped)) {
		p.log.Error("pipeline: an open incident's alerts now route to another group: their changes open or join another incident, "+
			"and this one resolves only by hand", "incident", string(id), "group", regroupedFrom(incs, id), "now", regrouped[id])
	}
	return n, nil
}

// regrouped reports whether the routes now group the first active alert
// of an incident under another key (a route renamed, its group labels
// changed), and which.
func (p *Pipeline) regrouped(inc *incident.Incident, members []incident.Member, now time.Time) (string, bool) {
	for _, m := range members {
		if m.Kind != alert.KindLasting || m.State == alert.StateResolved {
			continue
		}
		a := alert.Alert{Labels: m.AllLabels(), StartsAt: m.StartsAt, UpdatedAt: now}
		class, _ := p.cfg.Severity.Classify(a.Labels)
		routes := p.cfg.Router.Route(&route.Subject{Alert: &a, Class: class, At: now})
		if len(routes) == 0 {
			return "", false
		}
		key := routes[0].GroupKey
		return key, key != inc.GroupKey
	}
	return "", false
}

func regroupedFrom(incs []*incident.Incident, id incident.ID) string {
	for _, inc := range incs {
		if inc.ID == id {
			return inc.GroupKey
		}
	}
	return ""
}

// reportOrphans logs the escalations of active incidents whose policy the
// escalator does not have.
func (p *Pipeline) reportOrphans(incs []*incident.Incident) {
	if p.cfg.Escalator == nil {
		return
	}
	missing := map[string][]string{}
	for _, inc := range incs {
		esc := inc.Escalation
		if esc == nil || esc.Mode != "page" || esc.Exhausted {
			continue
		}
		if _, err := p.cfg.Escalator.Policy(esc.Policy); err != nil {
			missing[esc.Policy] = append(missing[esc.Policy], string(inc.ID))
		}
	}
	for _, policy := range slices.Sorted(maps.Keys(missing)) {
		p.log.Error("pipeline: open incidents escalate by a policy the configuration does not have; they page nobody until it is back",
			"policy", policy, "incidents", missing[policy], "policies", p.cfg.Escalator.Policies(), "ladders", p.cfg.Escalator.Ladders())
	}
}

// Tick does the work that falls due with time: the dedup stage's sweep
// (alerts whose source stopped refreshing them, flapping, heartbeats), the
// incidents' timers (snoozes ending, quiet periods), the escalator's
// (steps, hand-offs), the follow-ups of changes of incidents, and the
// dispatcher's timers (deliveries, retries, digests). A host calls it
// every few seconds, or runs Run; replicas sharing a store each run it.
func (p *Pipeline) Tick(ctx context.Context) error {
	var errs []error
	if err := p.heartbeatDeadlines(ctx); err != nil {
		errs = append(errs, err)
	}
	for _, f := range p.apply(ctx, p.cfg.Dedup.Sweep(p.cfg.Now())) {
		errs = append(errs, f.err) // published again by the next sweep
	}
	if _, err := p.cfg.Incidents.ProcessTimers(ctx); err != nil {
		errs = append(errs, err)
	}
	if p.cfg.Escalator != nil {
		if _, err := p.cfg.Escalator.ProcessTimers(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	if p.cfg.Incidents.FollowsUp() {
		if err := p.followUps(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	if p.cfg.Dispatcher != nil {
		if _, err := p.cfg.Dispatcher.ProcessTimers(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// heartbeatDeadlines shares the heartbeats' deadlines through the store:
// it writes the check-ins this process saw since the last time, and takes
// the deadlines that fell due — a check-in another process saw, or one
// this process saw before it restarted — back into the dedup stage, whose
// sweep then fires the alert of a heartbeat that missed it.
func (p *Pipeline) heartbeatDeadlines(ctx context.Context) error {
	if p.hb == nil {
		return nil
	}
	store := p.cfg.Incidents.Store()
	now := p.cfg.Now()
	var errs []error
	timers, err := store.ClaimTimers(ctx, incident.Claim{Now: now, Owner: p.cfg.Owner, Lease: p.cfg.Lease, Kinds: []string{TimerHeartbeat}})
	if err != nil {
		errs = append(errs, err)
	}
	for _, t := range timers {
		name, at, _ := strings.Cut(t.Data, "\n")
		if last, err := time.Parse(time.RFC3339Nano, at); err == nil {
			p.hb.RestoreHeartbeat(name, last)
		} else {
			errs = append(errs, fmt.Errorf("heartbeat timer %s: bad check-in time %q", t.Key, at))
		}
		if err := store.CompleteTimer(ctx, t); err != nil && !errors.Is(err, incident.ErrLeaseLost) {
			errs = append(errs, err)
		}
	}
	for _, h := range p.hb.Heartbeats() {
		p.hbMu.Lock()
		saved := p.hbSaved[h.Name]
		p.hbMu.Unlock()
		if !h.CheckedIn || h.Missing || !h.Last.After(saved) {
			continue // no check-in since the last told
		}
		err := store.SetTimer(ctx, incident.Timer{
			Key: TimerHeartbeat + "/" + h.Name, Kind: TimerHeartbeat, Due: h.Last.Add(h.Period),
			Data: h.Name + "\n" + h.Last.UTC().Format(time.RFC3339Nano),
		})
		if err != nil {
			errs = append(errs, err)
			continue
		}
		p.hbMu.Lock()
		p.hbSaved[h.Name] = h.Last
		p.hbMu.Unlock()
	}
	return errors.Join(errs...)
}

// Run calls Tick every Config.Interval until ctx ends, and returns
// ctx.Err(); errors go to the logger.
func (p *Pipeline) Run(ctx context.Context) error {
	return worker.Run(ctx, p.cfg.Interval, p.Tick, func(err error) { p.log.Error("pipeline: tick", "error", err) })
}

// failure is a change the pipeline could not record, and why.
type failure struct {
	change *dedup.Change
	err    error
}

// giveUpAfter is how many writes in a row may fail before apply gives the
// rest of the changes back untried: the store is down.
const giveUpAfter = 3

// apply takes changes through the stages, and returns those it could not
// record, which it has given back to the dedup stage.
func (p *Pipeline) apply(ctx context.Context, changes []dedup.Change) []failure {
	var failed []failure
	var back []dedup.Change
	var last error // the latest failed write's
	inARow := 0
	for i := range changes {
		c := &changes[i]
		if inARow >= giveUpAfter || ctx.Err() != nil {
			err := ctx.Err()
			if err == nil {
				err = fmt.Errorf("not tried after %d failed writes in a row, the last: %w", inARow, last)
			}
			failed = append(failed, failure{c, fmt.Errorf("pipeline: alert %s: %w", c.Fingerprint, err)})
			back = append(back, *c)
			continue
		}
		out, err := p.process(ctx, c)
		if err != nil {
			inARow++
			last = err
			failed = append(failed, failure{c, fmt.Errorf("pipeline: alert %s: %w", c.Fingerprint, err)})
			back = append(back, *c)
			continue
		}
		inARow = 0
		if p.cfg.OnChange != nil {
			p.cfg.OnChange(out)
		}
	}
	if len(back) > 0 {
		p.cfg.Dedup.Unpublish(back)
		p.cfg.Metrics.outcomeN("failed", len(back))
	}
	return failed
}

// process takes one change through the stages after dedup.
func (p *Pipeline) process(ctx context.Context, c *dedup.Change) (Outcome, error) {
	now := p.cfg.Now()
	m := p.cfg.Metrics
	out := Outcome{Change: c}

	start := time.Now()
	class, err := p.cfg.Severity.Classify(c.Alert.Labels)
	if err != nil {
		// The classification goes on with what it could read.
		p.log.Warn("pipeline: severity", "alert", c.Fingerprint.String(), "error", err)
	}
	out.Class = class
	m.stage("enrich", start)

	// The stages after dedup see the alert with the labels triage rules
	// add; the change keeps the labels its source sent, its identity.
	seen := c.Alert
	subject := &route.Subject{Alert: &seen, Class: class, At: now}
	out.Labels = seen.Labels
	var added model.LabelSet
	if p.cfg.Triage != nil {
		start = time.Now()
		v := p.cfg.Triage.Apply(subject)
		out.Verdict = v
		m.stage("triage", start)
		if v.Drop {
			out.Dropped = true
			m.outcome("dropped")
			return out, nil
		}
		if len(v.AddLabels) > 0 {
			added = v.AddLabels
			labels := maps.Clone(c.Alert.Labels)
			maps.Copy(labels, v.AddLabels)
			seen.Labels, out.Labels = labels, labels
			// Added labels may say the severity or the service level.
			if class, err = p.cfg.Severity.Classify(labels); err != nil {
				p.log.Warn("pipeline: severity", "alert", c.Fingerprint.String(), "error", err)
			}
			out.Class, subject.Class = class, class
		}
		if v.Severity != 0 && p.withLevel != nil {
			class = p.withLevel(class, v.Severity)
			out.Class, subject.Class = class, class
		}
	}

	start = time.Now()
	if p.cfg.Inhibitor != nil {
		p.cfg.Inhibitor.Observe(subject)
		if rule, _, ok := p.cfg.Inhibitor.Inhibited(subject); ok {
			out.Inhibited = rule
		}
	}
	if p.cfg.Silences != nil {
		if id, ok := p.cfg.Silences.Mutes(subject, now); ok {
			out.Silenced = id
		}
	}
	m.stage("silence", start)

	start = time.Now()
	out.Routes = p.cfg.Router.Route(subject)
	m.stage("route", start)
	if len(out.Routes) == 0 {
		return out, errors.New("the router returned no route")
	}
	first := out.Routes[0]
	out.Muted = first.Muted

	start = time.Now()
	grouping := first.Grouping
	if out.Verdict.ResolveAfter > 0 {
		grouping.ResolveAfter = out.Verdict.ResolveAfter
	}
	enr := incident.Enrichment{Labels: added}
	if class.From != "" && class.From != "unknown" {
		enr.Severity = int(class.Level)
	}
	if class.ServiceLevel != severity.ServiceLevelNone {
		enr.ServiceLevel = class.ServiceLevel.String()
	}
	inc, err := p.cfg.Incidents.ObserveEnriched(ctx, c, &grouping, enr)
	m.stage("incident", start)
	if err != nil {
		return out, err
	}
	out.Incident = inc
	switch {
	case out.Silenced != "":
		m.outcome("silenced")
	case out.Inhibited != "":
		m.outcome("inhibited")
	case out.Muted:
		m.outcome("muted")
	default:
		m.outcome("routed")
	}
	if inc == nil {
		return out, nil
	}
	if err := p.triageIncident(ctx, inc, out.Verdict); err != nil {
		return out, err
	}

	start = time.Now()
	if err := p.escalate(ctx, c, inc, &out); err != nil {
		return out, err
	}
	m.stage("escalate", start)

	return out, nil
}

// triageIncident applies a triage verdict to the alert's incident: assign,
// acknowledge.
func (p *Pipeline) triageIncident(ctx context.Context, inc *incident.Incident, v route.Verdict) error {
	actor := "triage"
	if len(v.Rules) > 0 {
		actor = "triage: " + v.Rules[len(v.Rules)-1]
	}
	if v.Assign != "" && inc.Owner == "" && inc.Status.Active() {
		if _, err := p.cfg.Incidents.Assign(ctx, inc.ID, actor, v.Assign); err != nil {
			return err
		}
	}
	if v.Acknowledge && inc.Status == incident.StatusOpen {
		if _, err := p.cfg.Incidents.Acknowledge(ctx, inc.ID, actor, "acknowledged by a triage rule"); err != nil {
			var te *incident.TransitionError
			if !errors.As(err, &te) {
				return err
			}
		}
	}
	return nil
}

// escalate engages the escalation of a new incident that is not muted, and
// starts that of a reopened one again: a new firing.
func (p *Pipeline) escalate(ctx context.Context, c *dedup.Change, inc *incident.Incident, out *Outcome) error {
	esc := p.cfg.Escalator
	if esc == nil || out.Silenced != "" || out.Inhibited != "" || out.Muted {
		return nil
	}
	if inc.Escalation != nil && inc.Escalation.Firing < inc.Reopened {
		if err := esc.Restart(ctx, inc.ID); err != nil {
			return err
		}
	}
	if c.Alert.Kind == alert.KindLasting && c.Alert.StateAt(p.cfg.Now()) == alert.StateResolved {
		return nil // a resolved alert engages nothing
	}
	if inc.Escalation != nil && (inc.Escalation.Mode == "page" || out.Class.Response.Mode != severity.ModePage) {
		return nil // engaged, and this alert asks no more
	}
	plan, ok, err := p.plan(out.Class, out.Routes[0])
	if err != nil || !ok {
		return err
	}
	out.Plan = &plan
	if err := esc.Engage(ctx, inc.ID, plan); err != nil {
		return err
	}
	// Why it pages now, after a hold, in a digest, or never: the log says.
	what := "page " + plan.Policy
	switch plan.Mode {
	case severity.ModeBatch:
		what = "the next digest"
	case severity.ModeRetrospective:
		what = "recorded for the retrospective: nobody is notified"
	}
	p.log.LogAttrs(ctx, slog.LevelInfo, "alertkit: escalation engaged",
		slog.String("incident", string(inc.ID)), slog.String("route", out.Routes[0].ID), slog.String("response", what),
		slog.Duration("hold", plan.Hold), slog.String("why", out.Class.Reason))
	return nil
}

// plan is the escalation plan of an alert's class and first route: the
// route's escalation policy if it names one, else a ladder of the route's
// targets followed by the configured Ladder; the response matrix decides
// whether it pages, batches or only records.
func (p *Pipeline) plan(class severity.Classification, r route.Route) (escalate.Plan, bool, error) {
	if policy, ok := policyOf(r); ok {
		plan := escalate.Plan{Mode: class.Response.Mode, Hold: class.Hold}
		if plan.Mode == severity.ModePage {
			plan.Policy = policy
		}
		return plan, true, nil
	}
	name, err := p.ladder(r)
	if err != nil {
		return escalate.Plan{}, false, err
	}
	if name == "" {
		if class.Response.Mode == severity.ModePage {
			p.log.Warn("pipeline: a page with nobody to page: the route has no targets and there is no ladder", "route", r.ID)
		}
		return escalate.Plan{Mode: class.Response.Mode}, class.Response.Mode != severity.ModePage, nil
	}
	plan, err := p.cfg.Escalator.PlanFor(class, name)
	return plan, err == nil, err
}

// followUps claims the follow-up timers that the incident Manager wrote
// with changes of incidents, tells the receivers each incident went to,
// and completes them. The notifications' key is the timer's, so that a
// follow-up taken over from a replica that died is the same notification.
func (p *Pipeline) followUps(ctx context.Context) error {
	store := p.cfg.Incidents.Store()
	var errs []error
	for {
		const batch = 100
		timers, err := store.ClaimTimers(ctx, incident.Claim{
			Now: p.cfg.Now(), Owner: p.cfg.Owner, Lease: p.cfg.Lease, Limit: batch, Kinds: []string{incident.TimerFollowUp},
		})
		if err != nil {
			return errors.Join(append(errs, err)...)
		}
		for _, t := range timers {
			if err := p.followUp(ctx, t); err != nil {
				errs = append(errs, fmt.Errorf("follow-up %s: %w", t.Key, err))
				continue // the lease runs out and it is tried again
			}
			if err := store.CompleteTimer(ctx, t); err != nil && !errors.Is(err, incident.ErrLeaseLost) {
				errs = append(errs, fmt.Errorf("follow-up %s: %w", t.Key, err))
			}
		}
		if len(timers) < batch || ctx.Err() != nil {
			return errors.Join(errs...)
		}
	}
}

// followUp tells the receivers an incident went to of one change of it,
// and the escalator of a reopening (a new firing) or of an incident that
// woke or was unacknowledged.
func (p *Pipeline) followUp(ctx context.Context, t incident.Timer) error {
	kind := incident.EventKind(t.Data)
	switch kind {
	case incident.EventReopened:
		return ignoreGone(p.restart(ctx, t.Incident))
	case incident.EventWoke, incident.EventUnacknowledged:
		if p.cfg.Escalator == nil {
			return nil
		}
		return ignoreGone(p.cfg.Escalator.Resume(ctx, t.Incident))
	}
	if p.cfg.Dispatcher == nil {
		return nil
	}
	view, err := p.cfg.Incidents.View(ctx, t.Incident)
	if errors.Is(err, incident.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	var reason notify.Reason
	var note string
	switch kind {
	case incident.EventAcknowledged:
		reason, note = notify.ReasonAcknowledged, p.said(ctx, view.ID, kind, "acknowledged")
	case incident.EventResolved, incident.EventClosed:
		reason, note = notify.ReasonResolved, p.said(ctx, view.ID, kind, "resolved")
	case incident.EventHandedOver:
		reason, note = notify.ReasonHandover, "handed over"
		if e, ok := p.latest(ctx, view.ID, kind); ok {
			note += " to " + e.To
		}
	default:
		return nil // news of nothing the receivers hear of
	}
	return p.cfg.Dispatcher.FollowAs(ctx, t.Key, view, reason, note, p.cfg.Snapshot)
}

// Changed is what a host calls after people changed an incident — the
// incident API's hook: an incident reopened pages again from the first
// step, as a new firing; one woken early or unacknowledged resumes its
// escalation. With a Manager that writes follow-ups (Options.FollowUps),
// this news is in the store with the change itself, and Tick acts on it
// within its interval whatever happens to the process: Changed then does
// nothing. (Acknowledgements, resolutions and hand-overs reach the
// receivers through those follow-ups too.)
func (p *Pipeline) Changed(ctx context.Context, inc *incident.Incident, kind incident.EventKind) {
	if p.cfg.Escalator == nil || p.cfg.Incidents.FollowsUp() {
		return
	}
	var err error
	switch kind {
	case incident.EventReopened:
		err = p.restart(ctx, inc.ID)
	case incident.EventWoke, incident.EventUnacknowledged:
		err = p.cfg.Escalator.Resume(ctx, inc.ID)
	}
	if err != nil {
		p.log.Error("pipeline: after a change of an incident", "incident", string(inc.ID), "change", string(kind), "error", err)
	}
}

// restart starts the escalation of a reopened incident again; an incident
// that was never engaged — reopened by hand, silenced when it opened — is
// left as it is.
func (p *Pipeline) restart(ctx context.Context, id incident.ID) error {
	if p.cfg.Escalator == nil {
		return nil
	}
	return p.cfg.Escalator.Restart(ctx, id)
}

// ignoreGone treats an incident that no longer exists as nothing to do.
func ignoreGone(err error) error {
	if errors.Is(err, incident.ErrNotFound) {
		return nil
	}
	return err
}

// latest returns the latest history entry of a kind.
func (p *Pipeline) latest(ctx context.Context, id incident.ID, kind incident.EventKind) (incident.Event, bool) {
	events, err := p.cfg.Incidents.Store().History(ctx, id)
	if err != nil {
		return incident.Event{}, false
	}
	for _, e := range slices.Backward(events) {
		if e.Kind == kind {
			return e, true
		}
	}
	return incident.Event{}, false
}

// said words the latest history entry of a kind: "acknowledged by
// vasiliy.vasiliyev: on it"; what alertkit did by itself is said in its
// own words, "all alerts resolved".
func (p *Pipeline) said(ctx context.Context, id incident.ID, kind incident.EventKind, what string) string {
	e, ok := p.latest(ctx, id, kind)
	switch {
	case !ok:
		return what
	case e.Actor == p.cfg.Incidents.Actor() && e.Note != "":
		return e.Note
	}
	s := what + " by " + e.Actor
	if e.Note != "" {
		s += ": " + e.Note
	}
	return s
}
