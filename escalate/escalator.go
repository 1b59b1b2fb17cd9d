package escalate

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/alertkit/alertkit/incident"
	"github.com/alertkit/alertkit/internal/worker"
	"github.com/alertkit/alertkit/mql"
	"github.com/alertkit/alertkit/route"
	"github.com/alertkit/alertkit/severity"
)

// PageKind says what a Page asks for.
type PageKind uint8

// The kinds of page.
const (
	// PageEscalation: a step of an escalation policy.
	PageEscalation PageKind = iota + 1
	// PageDigest: put the incident in the next digest (a batch response).
	PageDigest
	// PageBaton: a hand-over was not accepted in time; the next level is asked
	// to take it.
	PageBaton
)

var pageKinds = [...]string{PageEscalation: "escalation", PageDigest: "digest", PageBaton: "baton"}

// String returns "escalation", "digest" or "baton".
func (k PageKind) String() string {
	if int(k) < len(pageKinds) && k != 0 {
		return pageKinds[k]
	}
	return "PageKind(" + strconv.Itoa(int(k)) + ")"
}

// Page is a request to notify, handed to the notification stage.
type Page struct {
	// Key is stable for the same step of the same incident: a page sent
	// again after a crash carries the same key, so that receivers that
	// deduplicate (PagerDuty's dedup_key) see it once.
	Key      string
	Kind     PageKind
	Incident incident.ID
	// Reason says why, for the message: "step 2 of sre: nobody
	// acknowledged within 10m".
	Reason string
	// People, Teams and Receivers are whom to notify, on-call persons
	// resolved to people.
	People, Teams, Receivers []string
	// Policy, Step and Round place an escalation page: step 1 of round 0
	// is the first page.
	Policy      string
	Step, Round int
}

// Pager takes pages; pipeline.Pages hands them to the notification stage.
// Notify must be safe to call again with the same Key.
type Pager interface {
	Notify(ctx context.Context, p Page) error
}

// PagerFunc adapts a function to Pager.
type PagerFunc func(ctx context.Context, p Page) error

// Notify calls f.
func (f PagerFunc) Notify(ctx context.Context, p Page) error { return f(ctx, p) }

// The kinds of timer the Escalator handles.
const (
	TimerEscalate = "escalate"
	TimerHandoff  = "handoff"
	TimerBaton    = "baton"
)

// Options configure an Escalator. A nil *Options, and every zero field,
// means the default.
type Options struct {
	// Now returns the time; default time.Now.
	Now func() time.Time
	// Owner names this worker when it claims timers; default "escalator".
	// Replicas sharing a store use different names.
	Owner string
	// Lease is how long a claimed timer is this worker's; default 1m.
	Lease time.Duration
	// AcceptWithin is how long the next on-call has to accept a hand-over
	// of an incident that has no page policy before it is escalated;
	// default 15m. One with a page policy has its first step's wait, its
	// response time.
	AcceptWithin time.Duration
	// Batch is how many timers are claimed at a time; default 100.
	Batch int
	// Interval is how often Run looks for due timers; default 1s.
	Interval time.Duration
	// OnError, if set, hears the errors Run meets.
	OnError func(error)
	// ContinueWithin makes an incident that fires again within this long
	// of going quiet go on with its escalation from the step it had
	// reached (the last step again if the policy was exhausted) rather than
	// start again from the first step; default 0: every reopening is a new
	// firing, paged from the first step after the pending hold.
	ContinueWithin time.Duration
	// FlapHold is how long after its last page a flapping incident that
	// fires again waits before it pages again: a flapping alert pages at
	// most once per FlapHold, and the page says it flaps. Default 30m, the
	// dedup stage's flap window; negative turns the hold off.
	FlapHold time.Duration
	// Logger reports what the escalator cannot do — a stored escalation
	// whose policy the configuration no longer has — once per incident
	// and process; default slog.Default().
	Logger *slog.Logger
}

// Defaults of Options.
const (
	DefaultFlapHold = 30 * time.Minute
	// retryUnknown is how soon a step whose policy is unknown is tried
	// again, in case the configuration gets it back.
	retryUnknown = 5 * time.Minute
)

// Escalator pages people about incidents, step by step, until someone
// acknowledges, and passes the baton at shift changes. It is driven by the
// store's timers, which several replicas may share: every step is recorded
// in the incident, guarded by its version, so that a step is taken once
// even if an escalator stops in between and another takes over.
//
// An Escalator is safe for concurrent use. Add its schedules, policies and
// ladders before it runs.
type Escalator struct {
	m        *incident.Manager
	store    incident.Store
	notifier Pager
	opts     Options

	mu        sync.RWMutex
	schedules map[string]*Schedule
	policies  map[string]*Policy
	ladders   map[string]Ladder

	reported sync.Map // incident IDs whose unknown policy was reported
}

// New returns an Escalator over an incident Manager.
func New(m *incident.Manager, n Pager, opts *Options) *Escalator {
	e := &Escalator{m: m, store: m.Store(), notifier: n,
		schedules: map[string]*Schedule{}, policies: map[string]*Policy{}, ladders: map[string]Ladder{}}
	if opts != nil {
		e.opts = *opts
	}
	if e.opts.Now == nil {
		e.opts.Now = time.Now
	}
	if e.opts.Owner == "" {
		e.opts.Owner = "escalator"
	}
	if e.opts.Lease <= 0 {
		e.opts.Lease = time.Minute
	}
	if e.opts.Batch <= 0 {
		e.opts.Batch = 100
	}
	if e.opts.Interval <= 0 {
		e.opts.Interval = time.Second
	}
	if e.opts.AcceptWithin <= 0 {
		e.opts.AcceptWithin = 15 * time.Minute
	}
	if e.opts.FlapHold == 0 {
		e.opts.FlapHold = DefaultFlapHold
	}
	if e.opts.Logger == nil {
		e.opts.Logger = slog.Default()
	}
	return e
}

// AddSchedule compiles and adds a schedule.
func (e *Escalator) AddSchedule(s *Schedule) error {
	if err := s.Compile(); err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.schedules[s.Name] = s
	return nil
}

// Schedule returns a schedule the Escalator has, as compiled. It is
// shared with the Escalator, which reads it concurrently: never change it
// (SetOverrides swaps in a new one instead).
func (e *Escalator) Schedule(name string) (*Schedule, bool) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	s, ok := e.schedules[name]
	return s, ok
}

// SetOverrides replaces the overrides of a schedule the Escalator has —
// all of them, those of its configuration too. They are checked as
// Compile checks them (errors name the override's index); if one fails,
// the schedule keeps the overrides it had. The Escalator then uses a new
// compiled Schedule with the same layers: one that Schedule returned
// before does not change.
//
// SetOverrides sets no timers: an Escalator that passes the baton at shift
// changes learns of the hand-offs at the overrides' starts and ends when
// StartBaton is called again.
func (e *Escalator) SetOverrides(schedule string, overrides []Override) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	old, ok := e.schedules[schedule]
	if !ok {
		return fmt.Errorf("no schedule %q", schedule)
	}
	s := &Schedule{Name: old.Name, Location: old.Location, Overrides: slices.Clone(overrides)}
	for _, l := range old.Layers {
		// New layers: Compile prepares each, and the old ones are being read.
		s.Layers = append(s.Layers, &Layer{Name: l.Name, Members: slices.Clone(l.Members), Handoff: l.Handoff,
			Start: l.Start, Active: slices.Clone(l.Active)})
	}
	if err := s.Compile(); err != nil {
		return err
	}
	e.schedules[schedule] = s
	return nil
}

// AddPolicy checks and adds a policy. The schedules its on-call targets
// name must be added first.
func (e *Escalator) AddPolicy(p *Policy) error {
	if err := p.Validate(); err != nil {
		return err
	}
	for i, s := range p.Steps {
		if err := e.checkTargets(s.Notify); err != nil {
			return fmt.Errorf("policy %s: step %d: %w", p.Name, i+1, err)
		}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.policies[p.Name] = p
	return nil
}

// AddLadder checks and adds a ladder, from which PlanFor derives policies.
// The schedules its on-call targets name must be added first.
func (e *Escalator) AddLadder(name string, l Ladder) error {
	if len(l) == 0 {
		return fmt.Errorf("ladder %s: no levels", name)
	}
	for i, level := range l {
		if len(level) == 0 {
			return fmt.Errorf("ladder %s: level %d: nobody to notify", name, i+1)
		}
		for _, t := range level {
			if t.Kind == route.TargetPolicy {
				return fmt.Errorf("ladder %s: level %d: a policy (%s) cannot be a level", name, i+1, t)
			}
		}
		if err := e.checkTargets(level); err != nil {
			return fmt.Errorf("ladder %s: level %d: %w", name, i+1, err)
		}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.ladders[name] = l
	return nil
}

// checkTargets checks that on-call targets name a schedule and a layer
// the Escalator has: a typo would page nobody.
func (e *Escalator) checkTargets(ts []route.Target) error {
	for _, t := range ts {
		if t.Kind != route.TargetOnCall {
			continue
		}
		schedName, layer, _ := strings.Cut(t.Name, "/")
		e.mu.RLock()
		s, ok := e.schedules[schedName]
		e.mu.RUnlock()
		if !ok {
			return fmt.Errorf("%s: no schedule %q", t, schedName)
		}
		if _, ok := s.Layer(layer); layer != "" && !ok {
			return fmt.Errorf("%s: schedule %s has no layer %q (it has %s)", t, schedName, layer, strings.Join(s.LayerNames(), ", "))
		}
	}
	return nil
}

// Plan is how an incident is escalated.
type Plan struct {
	Mode severity.Mode
	// Policy names the escalation policy of a page.
	Policy string
	// Hold is the pending hold: the first page, or the digest, waits it,
	// and is not sent if every alert of the incident resolves meanwhile.
	Hold time.Duration
}

// PlanFor returns the plan of a classification: for a page, the policy
// derived from the response and a ladder, named "<ladder>/page <within>";
// for a batch or a retrospective, no policy.
func (e *Escalator) PlanFor(c severity.Classification, ladder string) (Plan, error) {
	plan := Plan{Mode: c.Response.Mode, Hold: c.Hold}
	if c.Response.Mode != severity.ModePage {
		return plan, nil
	}
	plan.Policy = ladder + "/" + c.Response.String()
	if _, err := e.policy(plan.Policy); err != nil {
		return Plan{}, fmt.Errorf("escalate: %w", err)
	}
	return plan, nil
}

// Responders returns who answers for an incident at t: the people its
// escalation policy pages, at any step — those it names, and the on-call of
// the layers it names, looked up at t — and the teams it names. An incident
// whose escalation has not engaged, or whose policy is unknown, has none.
// The incident API's default authorization takes them as the incident's
// responders.
func (e *Escalator) Responders(inc *incident.Incident, t time.Time) (people, teams []string) {
	if inc.Escalation == nil || inc.Escalation.Policy == "" {
		return nil, nil
	}
	p, err := e.policy(inc.Escalation.Policy)
	if err != nil {
		return nil, nil
	}
	var page Page
	for _, s := range p.Steps {
		e.resolve(&page, s.Notify, t)
	}
	return page.People, page.Teams
}

// Policy returns a policy by name: one added, or one derived from a ladder
// and a response ("sre/page 10m"), which every replica derives alike. It
// fails for a name that is neither.
func (e *Escalator) Policy(name string) (*Policy, error) { return e.policy(name) }

// Policies returns the names of the policies added, sorted, for messages.
func (e *Escalator) Policies() []string {
	e.mu.RLock()
	defer e.mu.RUnlock()
	var names []string
	for name := range e.policies {
		if _, ladder := e.ladders[strings.Split(name, "/")[0]]; !ladder {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return names
}

// Ladders returns the names of the ladders added, sorted.
func (e *Escalator) Ladders() []string {
	e.mu.RLock()
	defer e.mu.RUnlock()
	var names []string
	for name := range e.ladders {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// policy returns a policy by name: one added, or one derived from a ladder
// and a response ("sre/page 10m"), which every replica derives alike.
func (e *Escalator) policy(name string) (*Policy, error) {
	e.mu.RLock()
	p, ok := e.policies[name]
	e.mu.RUnlock()
	if ok {
		return p, nil
	}
	ladder, response, ok := strings.Cut(name, "/")
	if !ok {
		return nil, fmt.Errorf("no policy %q", name)
	}
	r, err := severity.ParseResponse(response)
	if err != nil || r.Mode != severity.ModePage {
		return nil, fmt.Errorf("no policy %q", name)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	l, ok := e.ladders[ladder]
	if !ok {
		return nil, fmt.Errorf("no policy %q, and no ladder %q to derive it from", name, ladder)
	}
	if p, ok := e.policies[name]; ok {
		return p, nil
	}
	p = Derive(name, r, l)
	e.policies[name] = p
	return p, nil
}

func timerKey(kind string, parts ...string) string { return kind + "/" + strings.Join(parts, "/") }

// urgency orders the handling modes: retrospective, batch, page.
func urgency(mode string) int {
	switch mode {
	case "page":
		return 2
	case "batch":
		return 1
	}
	return 0
}

func modeName(m severity.Mode) string {
	switch m {
	case severity.ModePage:
		return "page"
	case severity.ModeBatch:
		return "batch"
	}
	return "retrospective"
}

// Engage starts the escalation of a new incident by a plan: a page's
// first step, or a batch's digest, after the pending hold; a retrospective
// is recorded at once. Pages go out from ProcessTimers, so that they are
// sent once even with several replicas. Engaging an incident already
// engaged does nothing, unless the plan is more urgent — a page for an
// incident batched or recorded, when a more severe alert joined it — which
// then escalates it afresh; so the pipeline may call it for every change
// of an incident.
func (e *Escalator) Engage(ctx context.Context, id incident.ID, plan Plan) error {
	if plan.Mode == severity.ModePage {
		if _, err := e.policy(plan.Policy); err != nil {
			return fmt.Errorf("escalate: incident %s: %w", id, err)
		}
	}
	now := e.opts.Now()
	_, err := e.modify(ctx, id, func(inc *incident.Incident, w *incident.Write) error {
		if was := inc.Escalation; was != nil {
			if urgency(modeName(plan.Mode)) <= urgency(was.Mode) {
				return errDone
			}
			// A more urgent alert joined an incident batched or only
			// recorded: it is escalated as that alert calls for.
			w.Events = append(w.Events, e.event(now, fmt.Sprintf("a more urgent alert joined: now a %s response (was %s)", modeName(plan.Mode), was.Mode)))
		}
		inc.Escalation = &incident.Escalation{Policy: plan.Policy, Mode: modeName(plan.Mode), Hold: max(plan.Hold, 0), Firing: inc.Reopened}
		switch plan.Mode {
		case severity.ModePage, severity.ModeBatch:
			w.Timers = append(w.Timers, incident.Timer{Key: timerKey(TimerEscalate, string(id)), Kind: TimerEscalate, Incident: id, Due: now.Add(max(plan.Hold, 0))})
		default:
			inc.Escalation.Exhausted = true
			w.Events = append(w.Events, e.event(now, "recorded for the retrospective: nobody is notified"))
		}
		return nil
	})
	return err
}

// Resume brings the next escalation step of an incident forward to now:
// call it when an incident wakes early because it got worse, or is
// unacknowledged (a reopened incident is a new firing: Restart). It does
// nothing to an incident whose escalation is exhausted or only recorded,
// or which is not open.
func (e *Escalator) Resume(ctx context.Context, id incident.ID) error {
	inc, err := e.store.Get(ctx, id)
	if err != nil {
		return err
	}
	if inc.Escalation == nil || inc.Escalation.Mode == "retrospective" || inc.Escalation.Exhausted || inc.Status != incident.StatusOpen {
		return nil
	}
	return e.store.SetTimer(ctx, incident.Timer{Key: timerKey(TimerEscalate, string(id)), Kind: TimerEscalate, Incident: id, Due: e.opts.Now()})
}

// Restart starts the escalation of a reopened incident again. An incident
// that fires again after it resolved is a new firing: it pages from the
// first step of its policy after the pending hold, or goes to the next
// digest again; a retrospective one stays recorded only. With
// Options.ContinueWithin, a reopening that soon after the incident went
// quiet goes on from the step it had reached instead, the last step again
// if the policy was exhausted: never nobody. A flapping incident's page
// waits until Options.FlapHold after its last one.
//
// Restart acts once per reopening (Incident.Reopened), however often it is
// called, and by whichever replica: the pipeline calls it as the change
// that reopens the incident is recorded, and again from the follow-up
// written with that change, so that a process dying in between loses
// nothing.
func (e *Escalator) Restart(ctx context.Context, id incident.ID) error {
	_, err := e.modify(ctx, id, func(inc *incident.Incident, w *incident.Write) error {
		esc := inc.Escalation
		if esc == nil || esc.Firing >= inc.Reopened {
			return errDone
		}
		now := e.opts.Now()
		esc.Firing = inc.Reopened
		if esc.Mode == "retrospective" {
			return nil
		}
		due := now.Add(esc.Hold)
		var note string
		switch {
		case esc.Mode == "batch":
			esc.Steps, esc.Exhausted = 0, false
			note = "fired again: back in the next digest"
		case e.opts.ContinueWithin > 0 && !inc.QuietSince.IsZero() && now.Sub(inc.QuietSince) < e.opts.ContinueWithin:
			if esc.Exhausted && esc.Steps > 0 {
				esc.Steps-- // the last step, again
			}
			esc.Exhausted = false
			due = now
			note = fmt.Sprintf("fired again %s after it went quiet: the escalation goes on at step %d of %s",
				severity.FormatDuration(now.Sub(inc.QuietSince)), esc.Steps+1, esc.Policy)
		default:
			esc.Steps, esc.Exhausted = 0, false
			note = "fired again: the escalation starts again from step 1 of " + esc.Policy
			if esc.Hold > 0 {
				note += ", after the pending hold of " + severity.FormatDuration(esc.Hold)
			}
		}
		if inc.Flapping > 0 && e.opts.FlapHold > 0 && !esc.LastPage.IsZero() {
			if held := esc.LastPage.Add(e.opts.FlapHold); held.After(due) {
				due = held
				note += fmt.Sprintf("; flapping: the page waits until %s, %s after the last one",
					held.UTC().Format(time.RFC3339), severity.FormatDuration(e.opts.FlapHold))
			}
		}
		w.Events = append(w.Events, e.event(now, note))
		w.Timers = append(w.Timers, incident.Timer{Key: timerKey(TimerEscalate, string(id)), Kind: TimerEscalate, Incident: id, Due: due})
		return nil
	})
	return err
}

var errDone = errors.New("nothing to do")

// modify reads an incident, changes it, and writes it back, retrying on a
// conflict; errDone from change means nothing to write.
func (e *Escalator) modify(ctx context.Context, id incident.ID, change func(*incident.Incident, *incident.Write) error) (*incident.Incident, error) {
	return e.modifyFrom(ctx, id, nil, change)
}

// modifyFrom is modify starting from a copy of the incident already read,
// which it may change.
func (e *Escalator) modifyFrom(ctx context.Context, id incident.ID, inc *incident.Incident, change func(*incident.Incident, *incident.Write) error) (*incident.Incident, error) {
	for range 20 {
		if inc == nil {
			var err error
			if inc, err = e.store.Get(ctx, id); err != nil {
				return nil, err
			}
		}
		var w incident.Write
		if err := change(inc, &w); err != nil {
			if errors.Is(err, errDone) {
				return inc, nil
			}
			return nil, err
		}
		err := e.store.Update(ctx, inc, w)
		if !errors.Is(err, incident.ErrConflict) {
			return inc, err
		}
		inc = nil
	}
	return nil, fmt.Errorf("escalate: incident %s: gave up after 20 conflicting updates", id)
}

func (e *Escalator) event(at time.Time, note string) incident.Event {
	return incident.Event{At: at, Kind: incident.EventEscalated, Actor: "escalator", Note: note}
}

// ProcessTimers claims the due timers of the Escalator's kinds, a batch at
// a time until none is left, handles them and completes them, and returns
// how many it handled. A host calls it every few seconds, or runs Run.
func (e *Escalator) ProcessTimers(ctx context.Context) (int, error) {
	claim := func(ctx context.Context, n int) ([]incident.Timer, error) {
		return e.store.ClaimTimers(ctx, incident.Claim{
			Now: e.opts.Now(), Owner: e.opts.Owner, Lease: e.opts.Lease, Limit: n,
			Kinds: []string{TimerEscalate, TimerHandoff, TimerBaton},
		})
	}
	return worker.Drain(ctx, e.opts.Batch, 1, claim, func(ctx context.Context, t incident.Timer) error {
		if err := e.handle(ctx, t); err != nil {
			return fmt.Errorf("timer %s: %w", t.Key, err) // the lease runs out and the timer is tried again
		}
		if err := e.store.CompleteTimer(ctx, t); err != nil && !errors.Is(err, incident.ErrLeaseLost) {
			return fmt.Errorf("timer %s: %w", t.Key, err)
		}
		return nil
	})
}

// Run calls ProcessTimers every Options.Interval until ctx ends, and
// returns ctx.Err(); errors of a pass go to Options.OnError.
func (e *Escalator) Run(ctx context.Context) error {
	return worker.Run(ctx, e.opts.Interval, func(ctx context.Context) error {
		_, err := e.ProcessTimers(ctx)
		return err
	}, e.opts.OnError)
}

func (e *Escalator) handle(ctx context.Context, t incident.Timer) error {
	switch t.Kind {
	case TimerEscalate:
		return e.step(ctx, t)
	case TimerHandoff:
		return e.handoff(ctx, t)
	case TimerBaton:
		return e.baton(ctx, t)
	}
	return fmt.Errorf("escalate: no handler for timers of kind %q", t.Kind)
}

// step takes the next escalation step of an incident, or sends a batch
// incident to the digest.
func (e *Escalator) step(ctx context.Context, t incident.Timer) error {
	inc, err := e.store.Get(ctx, t.Incident)
	if errors.Is(err, incident.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	now := e.opts.Now()
	esc := inc.Escalation
	if esc == nil || esc.Exhausted {
		return nil
	}
	quiet := inc.Lasting > 0 && inc.Active == 0
	if esc.Steps == 0 && (quiet || !inc.Status.Active()) {
		if inc.Status.Active() {
			// Its alerts resolved within the pending hold, the incident
			// not yet (a quiet period, or a person reopened it): an alert
			// that fires again before it resolves is paged for after a
			// hold, as a new firing.
			t.Due = now.Add(max(esc.Hold, time.Minute))
			return e.store.SetTimer(ctx, t)
		}
		// Nothing sent yet, and nothing to send: it resolved within the
		// pending hold. A reopening starts again.
		note := "resolved within the pending hold: nobody paged"
		if esc.Mode == "batch" {
			note = "resolved within the pending hold: left out of the digest"
		}
		return e.m.Record(ctx, inc.ID, e.event(now, note))
	}
	switch {
	case !inc.Status.Active() || inc.Status == incident.StatusAcknowledged:
		return nil // stopped: acknowledged, resolved, closed
	case inc.Status == incident.StatusSnoozed && inc.Snooze != nil && (inc.Snooze.Forever || inc.Snooze.Until.After(now)):
		// Paused until the snooze ends; a forever snooze is looked at daily.
		t.Due = now.Add(24 * time.Hour)
		if !inc.Snooze.Forever {
			t.Due = inc.Snooze.Until
		}
		return e.store.SetTimer(ctx, t)
	}
	if esc.Mode == "batch" {
		return e.digest(ctx, inc, now)
	}
	p, err := e.policy(esc.Policy)
	if err != nil {
		return e.unknownPolicy(ctx, t, inc, now, err)
	}
	e.reported.Delete(inc.ID)
	taken := esc.Steps
	index, round := taken%len(p.Steps), taken/len(p.Steps)
	if round > p.Repeat {
		// The last step's wait ran out, and nobody acknowledged.
		last := p.Steps[len(p.Steps)-1].Wait
		_, err := e.modifyFrom(ctx, inc.ID, inc, func(inc *incident.Incident, w *incident.Write) error {
			if inc.Escalation == nil || inc.Escalation.Exhausted || inc.Escalation.Steps != taken {
				return errDone
			}
			inc.Escalation.Exhausted = true
			w.Events = append(w.Events, e.event(now, fmt.Sprintf("%s exhausted: nobody acknowledged within %s of its last step", p.Name, severity.FormatDuration(last))))
			return nil
		})
		return err
	}
	if quiet {
		// Every alert resolved, the incident not yet: the escalation
		// waits, in case one fires again before the incident resolves.
		t.Due = now.Add(p.Steps[(taken+len(p.Steps)-1)%len(p.Steps)].Wait)
		return e.store.SetTimer(ctx, t)
	}
	// A step whose targets resolve to nobody — a layer off duty, as L2 at
	// night — is skipped, recorded, and the next is taken at once.
	start := taken
	var page Page
	var skipped []string
	for {
		page = Page{
			Key: stepKey(inc.ID, esc.Firing, taken+1), Kind: PageEscalation, Incident: inc.ID,
			Policy: p.Name, Step: index + 1, Round: round,
		}
		e.resolve(&page, p.Steps[index].Notify, now)
		if page.recipients() > 0 || (index == len(p.Steps)-1 && round == p.Repeat) {
			break
		}
		skipped = append(skipped, fmt.Sprintf("step %d of %s: nobody on call for %s, skipped", index+1, p.Name, targetList(p.Steps[index].Notify)))
		taken++
		index, round = taken%len(p.Steps), taken/len(p.Steps)
	}
	page.Reason = fmt.Sprintf("step %d of %s", index+1, p.Name)
	switch {
	case start > 0:
		prev := p.Steps[(start-1)%len(p.Steps)]
		page.Reason += fmt.Sprintf(": nobody acknowledged within %s", severity.FormatDuration(prev.Wait))
	case esc.Firing > 0:
		page.Reason += fmt.Sprintf(": it fired again (reopened %d times)", esc.Firing)
	}
	if inc.Flapping > 0 {
		page.Reason += fmt.Sprintf("; flapping: %d of its alerts change state too often", inc.Flapping)
	}
	// Notify before recording: a crash in between sends the page again,
	// with the same key, rather than never.
	if page.recipients() > 0 {
		if err := e.notifier.Notify(ctx, page); err != nil {
			return err
		}
	}
	firing := esc.Firing
	_, err = e.modifyFrom(ctx, inc.ID, inc, func(inc *incident.Incident, w *incident.Write) error {
		if inc.Escalation == nil || inc.Escalation.Steps != start || inc.Escalation.Firing != firing {
			return errDone // another worker took this step
		}
		inc.Escalation.Steps = taken + 1
		if page.recipients() > 0 {
			inc.Escalation.LastPage = now
		}
		if inc.Owner == "" && len(page.People) > 0 {
			inc.Owner = page.People[0] // the first person paged holds the baton
		}
		for _, note := range skipped {
			w.Events = append(w.Events, e.event(now, note))
		}
		note := page.Reason + ": " + describe(&page)
		if round > 0 {
			note += fmt.Sprintf(" (round %d)", round+1)
		}
		w.Events = append(w.Events, e.event(now, note))
		if last := index == len(p.Steps)-1 && round == p.Repeat; last && p.Steps[index].Wait == 0 {
			inc.Escalation.Exhausted = true // nothing to wait for
			w.Events = append(w.Events, e.event(now, fmt.Sprintf("%s exhausted: its last step paged", p.Name)))
		} else {
			// After the last step, the timer comes back once more to say
			// the policy is exhausted if nobody acknowledged by then.
			t.Due = now.Add(p.Steps[index].Wait)
			w.Timers = append(w.Timers, t)
		}
		return nil
	})
	return err
}

// unknownPolicy handles a step of an escalation whose policy the
// Escalator does not have — the configuration lost it, or this replica's
// differs: it says so once in the incident's history and in the log, with
// what is missing and what there is, and tries again every few minutes in
// case the configuration gets it back.
func (e *Escalator) unknownPolicy(ctx context.Context, t incident.Timer, inc *incident.Incident, now time.Time, cause error) error {
	what := fmt.Sprintf("escalation paused: %v (policies: %s; ladders: %s); it goes on once the configuration has it",
		cause, listOrNone(e.Policies()), listOrNone(e.Ladders()))
	if _, seen := e.reported.LoadOrStore(inc.ID, true); !seen {
		e.opts.Logger.Error("escalate: an open incident's escalation names something the configuration does not have",
			"incident", string(inc.ID), "policy", inc.Escalation.Policy, "error", cause.Error())
	}
	if err := e.record(ctx, incident.Timer{Key: "unknown/" + inc.Escalation.Policy}, inc.ID, now, what); err != nil {
		return err
	}
	t.Due = now.Add(retryUnknown)
	return e.store.SetTimer(ctx, t)
}

func listOrNone(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

func (p *Page) recipients() int { return len(p.People) + len(p.Teams) + len(p.Receivers) }

func targetList(ts []route.Target) string {
	s := make([]string, len(ts))
	for i, t := range ts {
		s[i] = t.String()
	}
	return strings.Join(s, ", ")
}

// stepKey is the key of a step's page: "<id>/escalate/<step>" for the
// incident's first firing, "<id>/escalate/<firing>/<step>" for a firing
// after a reopening, so that a receiver that deduplicates by key hears of
// each firing.
func stepKey(id incident.ID, firing, step int) string {
	if firing == 0 {
		return fmt.Sprintf("%s/escalate/%d", id, step)
	}
	return fmt.Sprintf("%s/escalate/%d/%d", id, firing, step)
}

// digest hands a batch incident to the digest, once per firing.
func (e *Escalator) digest(ctx context.Context, inc *incident.Incident, now time.Time) error {
	page := Page{Key: string(inc.ID) + "/digest", Kind: PageDigest, Incident: inc.ID, Reason: "a batch response: the next digest"}
	if f := inc.Escalation.Firing; f > 0 {
		page.Key += "/" + strconv.Itoa(f)
		page.Reason += fmt.Sprintf(" (it fired again, reopened %d times)", f)
	}
	if err := e.notifier.Notify(ctx, page); err != nil {
		return err
	}
	firing := inc.Escalation.Firing
	_, err := e.modifyFrom(ctx, inc.ID, inc, func(inc *incident.Incident, w *incident.Write) error {
		if inc.Escalation == nil || inc.Escalation.Exhausted || inc.Escalation.Firing != firing {
			return errDone
		}
		inc.Escalation.Exhausted = true
		inc.Escalation.LastPage = now
		w.Events = append(w.Events, e.event(now, "queued for the digest: a batch response"))
		return nil
	})
	return err
}

// resolve turns targets into people, teams and receivers, on-call persons
// looked up at t.
func (e *Escalator) resolve(p *Page, targets []route.Target, t time.Time) {
	add := func(list *[]string, s string) {
		if s != "" && !slices.Contains(*list, s) {
			*list = append(*list, s)
		}
	}
	for _, tg := range targets {
		switch tg.Kind {
		case route.TargetUser:
			add(&p.People, tg.Name)
		case route.TargetTeam:
			add(&p.Teams, tg.Name)
		case route.TargetReceiver:
			add(&p.Receivers, tg.Name)
		case route.TargetOnCall:
			if person, ok := e.onCall(tg.Name, t); ok {
				add(&p.People, person)
			}
		}
	}
}

// onCall returns the on-call person of "schedule/layer" (or a schedule's
// first layer) at t.
func (e *Escalator) onCall(name string, t time.Time) (string, bool) {
	schedName, layer, _ := strings.Cut(name, "/")
	e.mu.RLock()
	s, ok := e.schedules[schedName]
	e.mu.RUnlock()
	if !ok || len(s.Layers) == 0 {
		return "", false
	}
	if layer == "" {
		layer = s.Layers[0].Name
	}
	return s.OnCallAt(layer, t)
}

func describe(p *Page) string {
	var parts []string
	if len(p.People) > 0 {
		parts = append(parts, "paged "+strings.Join(p.People, ", "))
	}
	if len(p.Teams) > 0 {
		parts = append(parts, "teams "+strings.Join(p.Teams, ", "))
	}
	if len(p.Receivers) > 0 {
		parts = append(parts, "receivers "+strings.Join(p.Receivers, ", "))
	}
	if len(parts) == 0 {
		return "nobody on call"
	}
	return strings.Join(parts, "; ")
}

// StartBaton sets the timers of the next hand-off of every layer of every
// schedule, after now. Call it when the Escalator starts; calling it again
// is harmless.
func (e *Escalator) StartBaton(ctx context.Context) error {
	now := e.opts.Now()
	e.mu.RLock()
	var scheds []*Schedule
	for _, s := range e.schedules {
		scheds = append(scheds, s)
	}
	e.mu.RUnlock()
	for _, s := range scheds {
		for _, l := range s.Layers {
			if err := e.setHandoff(ctx, s, l.Name, now); err != nil {
				return err
			}
		}
	}
	return nil
}

func (e *Escalator) setHandoff(ctx context.Context, s *Schedule, layer string, after time.Time) error {
	next, ok := s.NextHandoff(layer, after)
	if !ok {
		return nil
	}
	return e.store.SetTimer(ctx, incident.Timer{
		Key:  timerKey(TimerHandoff, s.Name, layer, strconv.FormatInt(next.Unix(), 10)),
		Kind: TimerHandoff, Due: next, Data: s.Name + "/" + layer,
	})
}

// handoff passes the baton at a shift change: the outgoing person's active
// incidents go to the incoming one, with a note, and must be accepted.
func (e *Escalator) handoff(ctx context.Context, t incident.Timer) error {
	schedName, layer, _ := strings.Cut(t.Data, "/")
	e.mu.RLock()
	s, ok := e.schedules[schedName]
	e.mu.RUnlock()
	if !ok {
		return nil // the schedule was removed
	}
	at := t.Due
	from, hadFrom := s.OnCallAt(layer, at.Add(-time.Nanosecond))
	to, hasTo := s.OnCallAt(layer, at)
	if hadFrom && hasTo && from != to {
		q, err := mql.Parse(fmt.Sprintf("assignee = %q AND status IN (open, acknowledged, snoozed)", from))
		if err != nil {
			return err
		}
		incs, err := e.store.Search(ctx, incident.Filter{Query: q, At: at, Limit: -1})
		if err != nil {
			return err
		}
		note := fmt.Sprintf("shift change at %s: %s hands over to %s (%s %s)",
			at.In(s.Location).Format("2006-01-02 15:04 MST"), from, to, s.Name, layer)
		for _, inc := range incs {
			if _, err := e.m.Handover(ctx, inc.ID, from, incident.HandoverOptions{To: to, Note: note}); err != nil {
				if errors.Is(err, incident.ErrNotOwner) || errors.Is(err, incident.ErrTransition) {
					continue // handed over already, or finished meanwhile
				}
				return err
			}
			if err := e.store.SetTimer(ctx, incident.Timer{
				Key:  timerKey(TimerBaton, string(inc.ID), strconv.FormatInt(at.Unix(), 10)),
				Kind: TimerBaton, Incident: inc.ID, Due: at.Add(e.acceptWithin(inc)),
				Data: s.Name + "/" + layer + "/" + to,
			}); err != nil {
				return err
			}
		}
	}
	return e.setHandoff(ctx, s, layer, at)
}

// acceptWithin is how long the incoming on-call has to accept an
// incident: its response time, the first step of its page policy, or
// Options.AcceptWithin.
func (e *Escalator) acceptWithin(inc *incident.Incident) time.Duration {
	if inc.Escalation != nil && inc.Escalation.Mode == "page" {
		if p, err := e.policy(inc.Escalation.Policy); err == nil && p.Steps[0].Wait > 0 {
			return p.Steps[0].Wait
		}
	}
	return e.opts.AcceptWithin
}

// walking says whether an incident's escalation is still paging level
// after level, which then takes care of an unaccepted hand-over.
func walking(inc *incident.Incident) bool {
	esc := inc.Escalation
	return esc != nil && esc.Mode == "page" && !esc.Exhausted && inc.Status == incident.StatusOpen
}

// baton escalates a hand-over nobody accepted in time: the on-call of the
// schedule's next layer that is on call is asked to take it; without one,
// the targets of the last step of the incident's policy, the top of its
// ladder. An incident whose escalation still walks its levels is left to
// it.
func (e *Escalator) baton(ctx context.Context, t incident.Timer) error {
	parts := strings.SplitN(t.Data, "/", 3)
	if len(parts) != 3 {
		return fmt.Errorf("baton timer with bad data %q", t.Data)
	}
	schedName, layer, to := parts[0], parts[1], parts[2]
	inc, err := e.store.Get(ctx, t.Incident)
	if errors.Is(err, incident.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if inc.Handover == nil || inc.Handover.To != to || !inc.Status.Active() {
		return nil // accepted, reassigned or finished
	}
	now := e.opts.Now()
	reason := fmt.Sprintf("hand-over from %s to %s not accepted within %s", inc.Handover.From, to, severity.FormatDuration(t.Due.Sub(inc.Handover.At)))
	if walking(inc) {
		return e.record(ctx, t, inc.ID, now, reason+": left to the escalation, which is still paging")
	}
	page := Page{Key: t.Key, Kind: PageBaton, Incident: inc.ID, Reason: reason}
	e.mu.RLock()
	s := e.schedules[schedName]
	e.mu.RUnlock()
	if s != nil {
		names := s.LayerNames()
		for i := slices.Index(names, layer) + 1; i > 0 && i < len(names); i++ {
			if person, ok := s.OnCallAt(names[i], now); ok && person != to {
				page.People = []string{person}
				break
			}
		}
	}
	if len(page.People) == 0 && inc.Escalation != nil && inc.Escalation.Mode == "page" {
		// Nobody above on call: the top of the incident's policy.
		if p, err := e.policy(inc.Escalation.Policy); err == nil {
			e.resolve(&page, p.Steps[len(p.Steps)-1].Notify, now)
			page.People = slices.DeleteFunc(page.People, func(p string) bool { return p == to })
		}
	}
	if page.recipients() == 0 {
		return e.record(ctx, t, inc.ID, now, reason+": nobody on call above "+layer)
	}
	if err := e.notifier.Notify(ctx, page); err != nil {
		return err
	}
	return e.record(ctx, t, inc.ID, now, page.Reason+": "+describe(&page))
}

// record adds an escalator's note to an incident's history once per
// timer: a baton timer run again after a crash does not repeat it.
func (e *Escalator) record(ctx context.Context, t incident.Timer, id incident.ID, now time.Time, note string) error {
	events, err := e.store.History(ctx, id)
	if err != nil {
		return err
	}
	tag := " [" + t.Key + "]"
	for _, ev := range slices.Backward(events) {
		if ev.Kind == incident.EventEscalated && strings.HasSuffix(ev.Note, tag) {
			return nil
		}
	}
	return e.m.Record(ctx, id, incident.Event{At: now, Kind: incident.EventEscalated, Actor: "escalator", Note: note + tag})
}
