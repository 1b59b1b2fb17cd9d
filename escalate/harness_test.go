package escalate_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/require"

	"github.com/alertkit/alertkit/alert"
	"github.com/alertkit/alertkit/dedup"
	"github.com/alertkit/alertkit/escalate"
	"github.com/alertkit/alertkit/incident"
	"github.com/alertkit/alertkit/internal/clock"
	"github.com/alertkit/alertkit/severity"
)

// monday is the first day of the test week, Monday 23 November 2026, in
// Berlin.
var monday = time.Date(2026, 11, 23, 0, 0, 0, 0, berlin)

// sreConfig is an SRE team's on-call structure: L1 around the clock in three
// 8-hour shifts, L2 on weekdays during office hours, then the team and its
// lead.
const sreConfig = `
schedules:
  - name: sre
    time_zone: Europe/Berlin
    layers:
      - name: L1
        members: [alfa, bravo, charlie, dmitri]
        handoff: "0 0,8,16 * * *"
        start: 2026-11-23T00:00:00+01:00
      - name: L2
        members: [delta, echo]
        handoff: "0 9 * * MON"
        start: 2026-11-23T09:00:00+01:00
        active:
          - weekdays: ["monday:friday"]
            times: [{start_time: "09:00", end_time: "18:00"}]
ladders:
  sre: [[oncall:sre/L1], [oncall:sre/L2], [team:sre, "@sre-lead"]]
`

// sent is a page and when it was sent.
type sent struct {
	At time.Time
	escalate.Page
}

// recorder is a Pager that remembers the pages, and fails them when
// fail says so.
type recorder struct {
	now   func() time.Time
	mu    sync.Mutex
	pages []sent
	fail  func(escalate.Page) error
}

func (r *recorder) Notify(_ context.Context, p escalate.Page) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail != nil {
		if err := r.fail(p); err != nil {
			return err
		}
	}
	r.pages = append(r.pages, sent{r.now(), p})
	return nil
}

func (r *recorder) sent() []sent {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.pages)
}

// world is the pipeline from dedup to escalate on a fake clock, with one
// incident per alert (grouped by the label incident).
type world struct {
	t      *testing.T
	ctx    context.Context
	clock  *clock.Fake
	dedup  *dedup.Deduper
	store  incident.Store
	m      *incident.Manager
	e      *escalate.Escalator
	pages  *recorder
	sev    *severity.Policy
	cfg    *escalate.Config
	group  *incident.Grouping
	ids    map[string]incident.ID
	names  map[incident.ID]string
	labels map[string]model.LabelSet
	tick   time.Duration
	// opts are the Options of the escalators the world makes, but for Now
	// and Owner.
	opts escalate.Options
}

func newWorld(t *testing.T, start time.Time, config string) *world {
	t.Helper()
	cfg, err := escalate.ParseConfig([]byte(config), "oncall.yaml")
	require.NoError(t, err)
	w := &world{
		t: t, ctx: context.Background(), clock: clock.NewFake(start), store: incident.NewMemoryStore(),
		sev: severity.DefaultPolicy(), cfg: cfg, group: &incident.Grouping{By: []model.LabelName{"incident"}},
		ids: map[string]incident.ID{}, names: map[incident.ID]string{}, labels: map[string]model.LabelSet{},
		tick: 6 * time.Second,
	}
	w.pages = &recorder{now: w.clock.Now}
	w.dedup = dedup.New(&dedup.Options{Now: w.clock.Now})
	w.m = incident.NewManager(w.store, &incident.Options{Grouping: w.group, Now: w.clock.Now, Entropy: rand.NewChaCha8([32]byte{6})})
	w.e = w.escalator("escalator-1")
	require.NoError(t, w.e.StartBaton(w.ctx))
	return w
}

// escalator returns a new Escalator on the world's store, as a replica
// or a restarted process would be.
func (w *world) escalator(owner string) *escalate.Escalator {
	w.t.Helper()
	o := w.opts
	o.Now, o.Owner = w.clock.Now, owner
	e := escalate.New(w.m, w.pages, &o)
	require.NoError(w.t, e.Load(w.cfg))
	return e
}

// open fires the alert of a new incident, with labels as "key=value"
// pairs, and engages its escalation as the severity policy classifies it.
func (w *world) open(name string, labels ...string) incident.ID {
	w.t.Helper()
	ls := model.LabelSet{"alertname": "Test", "incident": model.LabelValue(name)}
	for _, kv := range labels {
		k, v, ok := strings.Cut(kv, "=")
		require.True(w.t, ok, kv)
		ls[model.LabelName(k)] = model.LabelValue(v)
	}
	w.labels[name] = ls
	inc := w.observe(alert.Alert{Labels: ls, StartsAt: w.clock.Now(), UpdatedAt: w.clock.Now()})
	w.ids[name], w.names[inc.ID] = inc.ID, name
	c, err := w.sev.Classify(ls)
	require.NoError(w.t, err)
	plan, err := w.e.PlanFor(c, "sre")
	require.NoError(w.t, err)
	require.NoError(w.t, w.e.Engage(w.ctx, inc.ID, plan))
	return inc.ID
}

// refire fires a resolved incident's alert again; a reopened incident's
// escalation starts again, as the pipeline starts it.
func (w *world) refire(name string) {
	w.t.Helper()
	inc := w.observe(alert.Alert{Labels: w.labels[name], StartsAt: w.clock.Now(), UpdatedAt: w.clock.Now()})
	require.NoError(w.t, w.e.Restart(w.ctx, inc.ID))
}

// resolve resolves an incident's alert.
func (w *world) resolve(name string) {
	w.t.Helper()
	rec, ok := w.dedup.Get(alert.Fingerprint(w.labels[name]))
	require.True(w.t, ok, name)
	w.observe(alert.Alert{Labels: w.labels[name], StartsAt: rec.Alert.StartsAt, EndsAt: w.clock.Now(), UpdatedAt: w.clock.Now()})
}

func (w *world) observe(a alert.Alert) *incident.Incident {
	w.t.Helper()
	var inc *incident.Incident
	for _, ch := range w.dedup.Ingest([]alert.Alert{a}) {
		var err error
		inc, err = w.m.Observe(w.ctx, &ch, w.group)
		require.NoError(w.t, err)
	}
	require.NotNil(w.t, inc, "no change from %v", a.Labels)
	return inc
}

// at moves the clock to a time of the week: "Tue 14:05" or "Tue 14:05:30",
// running the timers of the incident manager and the escalator every tick.
func (w *world) at(when string) {
	w.t.Helper()
	w.until(weekTime(w.t, when))
}

// weekTime reads "Tue 14:05[:30]" as a time of the test week, in Berlin.
func weekTime(t testing.TB, when string) time.Time {
	t.Helper()
	day, clockTime, ok := strings.Cut(when, " ")
	require.True(t, ok, when)
	days := []string{"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}
	d := slices.Index(days, day)
	require.GreaterOrEqual(t, d, 0, when)
	if strings.Count(clockTime, ":") == 1 {
		clockTime += ":00"
	}
	hms, err := time.Parse(time.TimeOnly, clockTime)
	require.NoError(t, err, when)
	return time.Date(monday.Year(), monday.Month(), monday.Day()+d, hms.Hour(), hms.Minute(), hms.Second(), 0, berlin)
}

func (w *world) until(t time.Time) {
	w.t.Helper()
	require.False(w.t, t.Before(w.clock.Now()), "going back to %s from %s", t, w.clock.Now())
	for {
		w.runTimers()
		if !w.clock.Now().Before(t) {
			return
		}
		// Ticks fall on multiples of the tick (whole minutes among them),
		// whatever the times the scenario stops at.
		next := w.clock.Now().Truncate(w.tick).Add(w.tick)
		if next.After(t) {
			next = t
		}
		w.clock.Set(next)
	}
}

func (w *world) runTimers() {
	w.t.Helper()
	_, err := w.m.ProcessTimers(w.ctx)
	require.NoError(w.t, err)
	_, err = w.e.ProcessTimers(w.ctx)
	require.NoError(w.t, err)
}

func (w *world) id(name string) incident.ID {
	w.t.Helper()
	id, ok := w.ids[name]
	require.True(w.t, ok, "no incident %s", name)
	return id
}

func (w *world) get(name string) *incident.Incident {
	w.t.Helper()
	inc, err := w.store.Get(w.ctx, w.id(name))
	require.NoError(w.t, err)
	return inc
}

func (w *world) ack(name, who string) {
	w.t.Helper()
	_, err := w.m.Acknowledge(w.ctx, w.id(name), who, "")
	require.NoError(w.t, err)
}

func (w *world) accept(name, who string) {
	w.t.Helper()
	_, err := w.m.AcceptHandover(w.ctx, w.id(name), who)
	require.NoError(w.t, err)
}

// followed are the kinds of event a timeline shows.
var followed = []incident.EventKind{
	incident.EventEscalated, incident.EventAcknowledged, incident.EventHandedOver, incident.EventHandoverAccepted,
	incident.EventSnoozed, incident.EventWoke, incident.EventResolved, incident.EventReopened,
}

// timeline returns the followed events of the incidents as lines
// "Tue 14:05:00 P2 escalated: step 1 of …", in order of time.
func (w *world) timeline(names ...string) []string {
	w.t.Helper()
	if len(names) == 0 {
		for name := range w.ids {
			names = append(names, name)
		}
	}
	type line struct {
		at   time.Time
		name string
		seq  int64
		s    string
	}
	var lines []line
	for _, name := range names {
		events, err := w.store.History(w.ctx, w.id(name))
		require.NoError(w.t, err)
		for _, e := range events {
			if !slices.Contains(followed, e.Kind) {
				continue
			}
			s := fmt.Sprintf("%s %s %s", e.At.In(berlin).Format("Mon 15:04:05"), name, e.Kind)
			switch e.Kind {
			case incident.EventEscalated:
				// The escalator's notes are the story; the tag of a
				// baton note is an implementation detail.
				note, _, _ := strings.Cut(e.Note, " [")
				s += ": " + note
			case incident.EventHandedOver, incident.EventHandoverAccepted:
				s += " " + e.From + " → " + e.To
			default:
				s += " by " + e.Actor
			}
			lines = append(lines, line{e.At, name, e.Seq, s})
		}
	}
	// In order of time, then incident, then history: what happened to an
	// incident at one instant reads in the order it happened.
	slices.SortFunc(lines, func(a, b line) int {
		if c := a.at.Compare(b.at); c != 0 {
			return c
		}
		if c := strings.Compare(a.name, b.name); c != 0 {
			return c
		}
		return int(a.seq - b.seq)
	})
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = l.s
	}
	return out
}

// pageLines returns the pages sent, as "Tue 14:05:00 P2 escalation
// alfa; team:sre".
func (w *world) pageLines() []string {
	var out []string
	for _, p := range w.pages.sent() {
		who := slices.Clone(p.People)
		for _, t := range p.Teams {
			who = append(who, "team:"+t)
		}
		for _, r := range p.Receivers {
			who = append(who, "receiver:"+r)
		}
		out = append(out, fmt.Sprintf("%s %s %s %s", p.At.In(berlin).Format("Mon 15:04:05"), w.names[p.Incident], p.Kind, strings.Join(who, ", ")))
	}
	return out
}

// alertOf returns a firing alert of an incident's group: its labels, and
// extra "key=value" pairs that make it another alert of the group.
func alertOf(w *world, name string, extra ...string) alert.Alert {
	w.t.Helper()
	ls := model.LabelSet{"alertname": "Test", "incident": model.LabelValue(name)}
	if base, ok := w.labels[name]; ok {
		ls = base.Clone()
	}
	for _, kv := range extra {
		k, v, ok := strings.Cut(kv, "=")
		require.True(w.t, ok, kv)
		ls[model.LabelName(k)] = model.LabelValue(v)
	}
	if len(extra) == 0 {
		w.labels[name] = ls
	}
	return alert.Alert{Labels: ls, StartsAt: w.clock.Now(), UpdatedAt: w.clock.Now()}
}

func sortedLines(lines []string) []string {
	slices.Sort(lines)
	return lines
}
