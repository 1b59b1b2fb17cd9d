package pipelinetest

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v3"

	"github.com/alertkit/alertkit/alert"
	"github.com/alertkit/alertkit/escalate"
	"github.com/alertkit/alertkit/incident"
	"github.com/alertkit/alertkit/internal/clock"
	"github.com/alertkit/alertkit/notify"
	"github.com/alertkit/alertkit/pipeline"
	"github.com/alertkit/alertkit/severity"
)

// Flags that a go test run may set, over what the test's Options say:
//
//	go test ./... -pipelinetest.steps=1000000 -pipelinetest.seed=42
var (
	stepsFlag = flag.Int("pipelinetest.steps", 0, "steps of every pipelinetest simulation (0: as the test says)")
	seedFlag  = flag.Uint64("pipelinetest.seed", 0, "seed of every pipelinetest simulation (0: as the test says)")
)

// Options say what to simulate. Config is required; every zero field
// means the default.
type Options struct {
	// Config is the service's one-file configuration, as pipeline.ParseFile
	// reads it. Its receivers are replaced by recorders of the same names,
	// so that its ${VAR} secrets need not be set and nothing leaves the
	// process.
	Config []byte
	// Reloads are other configurations of the same service, which a
	// reload step restarts the replicas with; they name the same
	// receivers.
	Reloads [][]byte
	// Alerts are the label sets the sources fire, as the sources send
	// them.
	Alerts []model.LabelSet
	// People act on incidents: acknowledge, snooze, hand over, resolve;
	// default the members of the configuration's schedules.
	People []string
	// Start is the simulated time of the first step; default Saturday 24
	// October 2026, 20:00 in Berlin, a few hours before the clocks go
	// back.
	Start time.Time
	// Seed seeds the steps; a failure prints it.
	Seed uint64
	// Steps is how many steps to run; default 2,000.
	Steps int
	// Replicas is how many replicas share the store; default 1. Every
	// replica receives every alert, as from a Prometheus listing them all.
	Replicas int
	// Backend makes the state the replicas of a run share, afresh for each
	// run (shortening a failure runs many); default a memory store.
	Backend func() (*Backend, error)
	// Tick is how often each replica runs Pipeline.Tick, in simulated time;
	// default 15s.
	Tick time.Duration
	// Lease is BuildOptions.Lease; default 1m.
	Lease time.Duration
	// QuietPeriod is the longest quiet period (resolve_after) of the
	// configuration's routes and triage rules: how long an incident whose
	// alerts all resolved may stay active; default 0.
	QuietPeriod time.Duration
	// ShrinkFor bounds the time spent shortening a failing sequence;
	// default 2m.
	ShrinkFor time.Duration
}

// Backend is the state that the replicas of a simulation share.
type Backend struct {
	// Open opens the store and the delivery log for a replica that
	// starts: the same ones every time for the memory store, a new
	// connection to the same database for PostgreSQL.
	Open func() (incident.Store, notify.Log, error)
	// Blink, if set, is what a database restart looks like from the
	// replicas: it drops their connections.
	Blink func() error
	// Close, if set, releases the backend after the run.
	Close func()
}

// MemoryBackend is the default Backend: a memory store and delivery log.
func MemoryBackend() (*Backend, error) {
	store, log := incident.NewMemoryStore(), notify.NewMemoryLog()
	return &Backend{Open: func() (incident.Store, notify.Log, error) { return store, log, nil }}, nil
}

// Report says what a simulation did.
type Report struct {
	Steps, Restarts, Kills, Reloads, Outages, FailedWrites, LostReplies, Blinks int
	// Reports are the alert reports sent, Accepted those a replica
	// recorded, Refused those no replica did (sent again later).
	Reports, Accepted, Refused int
	// Incidents opened, Reopened, Pages delivered (escalations), and
	// Duplicates: notifications delivered again with a key already seen
	// (after a crash or a lease taken over), which a receiver that
	// deduplicates absorbs.
	Incidents, Reopened, Pages, Duplicates int
	// Obligations are the pages owed (a paging incident opened or
	// reopened) and Met those paged in time; the rest were voided by an
	// acknowledgement, a snooze or a resolution before their deadline.
	Obligations, Met int
	// Simulated is the simulated time the steps covered.
	Simulated time.Duration
}

func (r Report) String() string {
	return fmt.Sprintf("%d steps over %s simulated: %d alert reports (%d accepted, %d refused and sent again), "+
		"%d incidents, %d reopenings, %d pages delivered (%d owed, %d paged in time, the rest acknowledged, snoozed or resolved first), "+
		"%d notifications delivered again with the same key; %d restarts, %d replicas killed, %d reloads, "+
		"%d store outages, %d writes failed, %d replies lost, %d database restarts",
		r.Steps, r.Simulated.Round(time.Minute), r.Reports, r.Accepted, r.Refused, r.Incidents, r.Reopened, r.Pages,
		r.Obligations, r.Met, r.Duplicates, r.Restarts, r.Kills, r.Reloads, r.Outages, r.FailedWrites, r.LostReplies, r.Blinks)
}

// Run simulates the service of o.Config step by step — sources firing,
// refreshing, resolving, going quiet, flapping and disagreeing; people
// acknowledging, snoozing, handing over and resolving; the clock moving
// across shift changes; replicas restarting, dying and taking over;
// configuration reloads; a store that goes down, fails writes or loses
// replies — and checks after every step that:
//
//   - every alert a replica accepted is in the store, as its source said;
//   - each member's state follows its sources, and an incident's status its
//     members, after any restart or takeover;
//   - an incident has one member per alert, whose identity is the labels
//     its source sent, and a group one active incident;
//   - every incident that opens or reopens with a page response pages
//     someone within its pending hold and its response time, unless it is
//     acknowledged, snoozed or resolved first;
//   - nobody is paged by an escalation step while an incident is
//     acknowledged;
//   - a notification key names one notification, and no page is lost (at
//     the end, the outbox is empty and every page recorded was delivered).
//
// On a violation it fails tb with the seed and the shortest sequence of
// steps it found that breaks an invariant. It returns what it did.
func Run(tb testing.TB, o Options) Report {
	tb.Helper()
	if err := o.defaults(); err != nil {
		tb.Fatalf("pipelinetest: %v", err)
	}
	steps := generate(&o)
	rep, v := execute(tb, &o, steps)
	if v == nil {
		return rep
	}
	shortest := shrink(tb, &o, steps[:v.step+1], v)
	var b strings.Builder
	fmt.Fprintf(&b, "pipelinetest: seed %d: step %d of %d: %s\n", o.Seed, v.step+1, len(steps), v.err)
	fmt.Fprintf(&b, "shortest failing sequence found (%d steps; -pipelinetest.seed=%d replays the run):\n", len(shortest.steps), o.Seed)
	for i, s := range shortest.steps {
		fmt.Fprintf(&b, "  %3d. %s\n", i+1, s.describe(&o))
	}
	fmt.Fprintf(&b, "which fails at step %d: %s", shortest.v.step+1, shortest.v.err)
	tb.Fatal(b.String())
	return rep
}

func (o *Options) defaults() error {
	if len(o.Config) == 0 {
		return errors.New("options: no configuration")
	}
	if len(o.Alerts) == 0 {
		return errors.New("options: no alerts for the sources to fire")
	}
	if *stepsFlag > 0 {
		o.Steps = *stepsFlag
	}
	if *seedFlag != 0 {
		o.Seed = *seedFlag
	}
	if o.Steps <= 0 {
		o.Steps = 2000
	}
	if o.Replicas <= 0 {
		o.Replicas = 1
	}
	if o.Start.IsZero() {
		berlin, err := time.LoadLocation("Europe/Berlin")
		if err != nil {
			return err
		}
		o.Start = time.Date(2026, 10, 24, 20, 0, 0, 0, berlin)
	}
	if o.Tick <= 0 {
		o.Tick = 15 * time.Second
	}
	if o.Lease <= 0 {
		o.Lease = time.Minute
	}
	if o.ShrinkFor <= 0 {
		o.ShrinkFor = 2 * time.Minute
	}
	if o.Backend == nil {
		o.Backend = MemoryBackend
	}
	if len(o.People) == 0 {
		people, err := schedulePeople(o.Config)
		if err != nil {
			return err
		}
		o.People = people
	}
	return nil
}

// schedulePeople returns the members of the schedules of a configuration.
func schedulePeople(config []byte) ([]string, error) {
	var f struct {
		OnCall struct {
			Schedules []struct {
				Layers []struct {
					Members []string `yaml:"members"`
				} `yaml:"layers"`
			} `yaml:"schedules"`
		} `yaml:"oncall"`
	}
	if err := yaml.Unmarshal(config, &f); err != nil {
		return nil, fmt.Errorf("configuration: %w", err)
	}
	var people []string
	for _, s := range f.OnCall.Schedules {
		for _, l := range s.Layers {
			for _, m := range l.Members {
				if !slices.Contains(people, m) {
					people = append(people, m)
				}
			}
		}
	}
	if len(people) == 0 {
		people = []string{"oncall"}
	}
	return people, nil
}

// violation is an invariant broken at a step.
type violation struct {
	step int
	err  error
}

// execute runs steps in a new world, and returns what it did and the
// first violation.
func execute(tb testing.TB, o *Options, steps []step) (Report, *violation) {
	tb.Helper()
	backend, err := o.Backend()
	if err != nil {
		tb.Fatalf("pipelinetest: backend: %v", err)
	}
	if backend.Close != nil {
		defer backend.Close()
	}
	w, err := newWorld(o, backend)
	if err != nil {
		tb.Fatalf("pipelinetest: %v", err)
	}
	defer w.stop()
	for i, s := range steps {
		w.report.Steps++
		if err := w.do(s); err != nil {
			return w.report, &violation{step: i, err: err}
		}
		if err := w.check((i+1)%fullEvery == 0); err != nil {
			return w.report, &violation{step: i, err: err}
		}
	}
	if err := w.settle(); err != nil {
		return w.report, &violation{step: len(steps) - 1, err: fmt.Errorf("after the last step, with every replica up and the store healthy: %w", err)}
	}
	w.report.Simulated = w.clock.Now().Sub(o.Start)
	return w.report, nil
}

type shrunk struct {
	steps []step
	v     *violation
}

// shrink shortens a failing sequence of steps: it drops chunks of steps,
// halving the chunk, while the rest still breaks an invariant, until no
// single step can go or the time is up.
func shrink(tb testing.TB, o *Options, steps []step, v *violation) shrunk {
	tb.Helper()
	best := shrunk{steps: steps, v: v}
	deadline := time.Now().Add(o.ShrinkFor)
	quiet := *o
	for chunk := len(best.steps) / 2; chunk >= 1; chunk /= 2 {
		for start := 0; start < len(best.steps) && time.Now().Before(deadline); {
			end := min(start+chunk, len(best.steps))
			candidate := slices.Concat(best.steps[:start], best.steps[end:])
			if len(candidate) == 0 {
				start = end
				continue
			}
			_, cv := execute(tb, &quiet, candidate)
			if cv != nil {
				best = shrunk{steps: candidate[:cv.step+1], v: cv}
				continue // the same start, over what follows
			}
			start = end
		}
	}
	return best
}

// world is the simulated service: replicas over a store, sources, people,
// a clock, and the model of what the sources said that the checks hold the
// service to.
type world struct {
	o       *Options
	backend *Backend
	ctx     context.Context
	clock   *clock.Fake
	faults  *Faults
	// store and log are the first replica's, unwrapped: what the checks
	// read.
	store    incident.Store
	log      notify.Log
	files    []*pipeline.File
	recv     map[string]*recorder
	replicas []*replica
	starts   int // replica starts, for their entropy
	config   int // the configuration in force

	alerts  []*alertModel
	sources [2]*source
	people  []string

	mu          sync.Mutex // guards what OnChange writes
	obligations map[obligationKey]*obligation
	firings     map[obligationKey]time.Time // when each firing of an incident began
	seen        map[incident.ID]bool
	groups      map[string]bool              // the group keys of the incidents seen
	groupOf     map[model.Fingerprint]string // the group of each alert, as last routed
	checked     map[incident.ID]int64        // the version of each incident whose history was checked
	dropped     map[model.Fingerprint]bool
	changeErr   error

	disruptions []disruption
	lastStart   time.Time
	report      Report
}

// replica is one process of the service.
type replica struct {
	name  string
	svc   *pipeline.Service
	alive bool
	close func() // releases its store's connections, if it has any
}

// kill stops a replica as a process that dies: its connections go.
func (r *replica) kill() {
	r.alive = false
	if r.close != nil {
		r.close()
		r.close = nil
	}
}

// alertModel is what the sources said of an alert.
type alertModel struct {
	labels model.LabelSet
	fp     model.Fingerprint
	// acc is the latest report a replica accepted; nil before any.
	acc *alert.Alert
	// pending counts the sources whose latest report no replica accepted.
	pending int
}

// source is a sender of alerts: a Prometheus, which re-sends its alerts
// every minute with a refresh deadline, or an Alertmanager's webhook,
// which sends changes only and retries until they are taken.
type source struct {
	name    string
	refresh bool
	views   []view
}

// view is what a source says of an alert.
type view struct {
	state   alert.State // none, firing or resolved
	since   time.Time   // start of the current firing
	ended   time.Time   // end, when resolved
	quiet   bool        // it stopped sending
	pending bool        // its latest report was taken by no replica
}

// disruption is a stretch of time when the service could not work as
// usual: the store was down, a replica restarted, no replica ran.
type disruption struct {
	from, to time.Time
}

// obligation is a page owed: an incident opened or reopened, with a page
// response.
type obligation struct {
	key      obligationKey
	since    time.Time // when the incident's firing began
	done     bool      // met or voided
	from     time.Time
	deadline time.Time // before extensions for disruptions
	why      string
}

type obligationKey struct {
	id       incident.ID
	reopened int
}

func newWorld(o *Options, backend *Backend) (*world, error) {
	w := &world{
		o: o, backend: backend, ctx: context.Background(), clock: clock.NewFake(o.Start), faults: &Faults{},
		recv: map[string]*recorder{}, people: o.People,
		obligations: map[obligationKey]*obligation{}, firings: map[obligationKey]time.Time{}, groups: map[string]bool{}, groupOf: map[model.Fingerprint]string{},
		checked: map[incident.ID]int64{}, seen: map[incident.ID]bool{}, dropped: map[model.Fingerprint]bool{},
		lastStart: o.Start,
	}
	for _, a := range o.Alerts {
		w.alerts = append(w.alerts, &alertModel{labels: a.Clone(), fp: alert.Fingerprint(a)})
	}
	w.sources = [2]*source{
		{name: "prometheus", refresh: true, views: make([]view, len(o.Alerts))},
		{name: "alertmanager", views: make([]view, len(o.Alerts))},
	}
	for i, config := range append([][]byte{o.Config}, o.Reloads...) {
		f, names, err := withRecorders(config, fmt.Sprintf("config-%d.yaml", i))
		if err != nil {
			return nil, err
		}
		for _, name := range names {
			if w.recv[name] == nil {
				w.recv[name] = &recorder{name: name, now: w.clock.Now, keys: map[string]string{}}
			}
		}
		w.files = append(w.files, f)
	}
	var err error
	if w.store, w.log, err = backend.Open(); err != nil {
		return nil, err
	}
	for i := range o.Replicas {
		r := &replica{name: fmt.Sprintf("r%d", i+1)}
		w.replicas = append(w.replicas, r)
		if err := w.startReplica(r); err != nil {
			return nil, err
		}
	}
	return w, nil
}

// withRecorders parses a configuration without its receivers section, and
// returns the names of its receivers, which recorders stand in for.
func withRecorders(config []byte, name string) (*pipeline.File, []string, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(config, &root); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	var names []string
	if len(root.Content) > 0 {
		doc := root.Content[0]
		for i := 0; i+1 < len(doc.Content); i += 2 {
			if doc.Content[i].Value != "receivers" {
				continue
			}
			var rs []struct {
				Name string `yaml:"name"`
			}
			if err := doc.Content[i+1].Decode(&rs); err != nil {
				return nil, nil, fmt.Errorf("%s: receivers: %w", name, err)
			}
			for _, r := range rs {
				names = append(names, r.Name)
			}
			doc.Content = slices.Delete(doc.Content, i, i+2)
			break
		}
	}
	data, err := yaml.Marshal(&root)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	f, err := pipeline.ParseFile(data, name, ".")
	return f, names, err
}

// startReplica builds a replica's service afresh, as a process that
// starts: it restores the active alerts and sets the hand-off timers.
func (w *world) startReplica(r *replica) error {
	r.kill()
	store, log, err := w.backend.Open()
	if err != nil {
		return err
	}
	if c, ok := store.(interface{ Close() }); ok && store != w.store {
		r.close = c.Close
	}
	receivers := map[string]notify.Notifier{}
	for name, rec := range w.recv {
		receivers[name] = rec
	}
	w.starts++
	seed := [32]byte{byte(w.starts), byte(w.starts >> 8), byte(w.o.Seed), byte(w.o.Seed >> 8), byte(w.o.Seed >> 16)}
	svc, err := w.files[w.config].Build(pipeline.BuildOptions{
		Store: w.faults.Store(store), Log: w.faults.Log(log), Replica: r.name, Lease: w.o.Lease,
		Now: w.clock.Now, Entropy: rand.NewChaCha8(seed), Receivers: receivers,
		Logger: slog.New(slog.DiscardHandler), OnChange: w.onChange,
	})
	if err != nil {
		return fmt.Errorf("building replica %s: %w", r.name, err)
	}
	r.svc, r.alive = svc, true
	w.lastStart = w.clock.Now()
	// A process that cannot reach its store at start retries until it can;
	// the simulation's outages end, so this ends.
	for range 100 {
		_, err := svc.Pipeline.Restore(w.ctx)
		if err == nil {
			err = svc.Escalator.StartBaton(w.ctx)
		}
		if err == nil {
			return nil
		}
		w.faults.SetDown(false)
	}
	return fmt.Errorf("replica %s could not start: %w", r.name, err)
}

func (w *world) stop() {
	for _, r := range w.replicas {
		r.kill()
	}
}

func (w *world) alive() []*replica {
	var out []*replica
	for _, r := range w.replicas {
		if r.alive {
			out = append(out, r)
		}
	}
	return out
}

// onChange hears every outcome of every replica: it learns which alerts
// triage drops, and which incidents owe a page.
func (w *world) onChange(out pipeline.Outcome) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if out.Dropped {
		w.dropped[out.Change.Fingerprint] = true
		return
	}
	inc := out.Incident
	if inc == nil {
		return
	}
	if !w.seen[inc.ID] {
		w.seen[inc.ID] = true
		w.report.Incidents++
	}
	w.groups[inc.GroupKey] = true
	w.groupOf[out.Change.Fingerprint] = inc.GroupKey
	firing := obligationKey{inc.ID, inc.Reopened}
	if _, ok := w.firings[firing]; !ok {
		w.firings[firing] = w.clock.Now() // the firing began, as far as the pipeline says
	}
	if out.Silenced != "" || out.Inhibited != "" || out.Muted || out.Class.Response.Mode != severity.ModePage ||
		inc.Status != incident.StatusOpen || inc.Active == 0 || out.Change.State == alert.StateResolved {
		return // nothing that pages: muted, not firing
	}
	key := obligationKey{inc.ID, inc.Reopened}
	if _, ok := w.obligations[key]; ok {
		return
	}
	now := w.clock.Now()
	first := now.Add(out.Class.Hold)
	why := fmt.Sprintf("incident %s (%s) %s at %s with a response of %s after a hold of %s", inc.ID, inc.Title(),
		map[bool]string{true: "reopened", false: "opened"}[inc.Reopened > 0], w.at(now), out.Class.Response, severity.FormatDuration(out.Class.Hold))
	if inc.Flapping > 0 {
		if last, ok := w.lastPage(inc.ID); ok {
			if held := last.Add(escalate.DefaultFlapHold); held.After(first) {
				first = held
				why += fmt.Sprintf(", flapping (last paged at %s)", w.at(last))
			}
		}
	}
	// A page since the firing began meets it: an incident that paged for
	// a first alert owes no page for the next, nor for one more severe
	// than an alert it was batched for, if someone was paged already.
	w.obligations[key] = &obligation{key: key, from: now, since: w.firings[firing], deadline: first.Add(out.Class.Response.Within), why: why}
	w.report.Obligations++
	if inc.Reopened > 0 {
		w.report.Reopened++
	}
}

// lastPage is when an escalation of an incident last reached a receiver.
func (w *world) lastPage(id incident.ID) (time.Time, bool) {
	var last time.Time
	for _, r := range w.recv {
		if at := r.lastPage(id); at.After(last) {
			last = at
		}
	}
	return last, !last.IsZero()
}

// at formats a simulated time.
func (w *world) at(t time.Time) string {
	return t.In(w.o.Start.Location()).Format("Mon 15:04:05 MST")
}
