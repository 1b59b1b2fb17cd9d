package incident

import (
	"cmp"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/oklog/ulid/v2"
	"github.com/prometheus/common/model"

	"github.com/alertkit/alertkit/alert"
	"github.com/alertkit/alertkit/dedup"
	"github.com/alertkit/alertkit/mql"
)

// Defaults of Options and Grouping.
const (
	DefaultActor        = "alertkit"
	DefaultReopenWithin = 30 * time.Minute
	defaultRetries      = 20
)

// Grouping says how alerts gather into incidents, as an Alertmanager route
// does: alerts with the same values of the By labels share an incident.
type Grouping struct {
	// Key prefixes the group key, to keep apart the groups of different
	// routes; empty is fine when there is one grouping.
	Key string
	// By are the group labels. Empty gathers all alerts of the grouping in
	// one incident; the single label "..." makes every alert an incident of
	// its own.
	By []model.LabelName
	// ResolveAfter is how long all alerts of an incident must stay resolved
	// before it resolves; 0 resolves it at once.
	ResolveAfter time.Duration
	// ReopenWithin is how soon after it resolved an incident reopens when
	// one of its alerts fires again; later, a new incident opens. 0 means
	// DefaultReopenWithin; negative, never.
	ReopenWithin time.Duration
}

// GroupKey returns the key of the group labels of ls: the Key and the
// present group labels, as `checkout{alertname="TargetDown", namespace="shop"}`.
func (g *Grouping) GroupKey(ls model.LabelSet) string {
	if g.all() {
		return g.Key + ls.String()
	}
	names := g.sorted()
	var b strings.Builder
	b.WriteString(g.Key)
	b.WriteByte('{')
	n := 0
	for _, name := range names {
		v, ok := ls[name]
		if !ok {
			continue
		}
		if n > 0 {
			b.WriteString(", ")
		}
		n++
		b.WriteString(string(name))
		b.WriteByte('=')
		b.WriteString(strconv.Quote(string(v)))
	}
	b.WriteByte('}')
	return b.String()
}

// Labels returns the group labels of ls and their values.
func (g *Grouping) Labels(ls model.LabelSet) model.LabelSet {
	if g.all() {
		return ls
	}
	group := model.LabelSet{}
	for _, name := range g.By {
		if v, ok := ls[name]; ok {
			group[name] = v
		}
	}
	return group
}

func (g *Grouping) all() bool { return len(g.By) == 1 && g.By[0] == "..." }

// sorted returns By in sorted order, without repeats.
func (g *Grouping) sorted() []model.LabelName {
	increasing := true
	for i := 1; i < len(g.By) && increasing; i++ {
		increasing = g.By[i-1] < g.By[i]
	}
	if increasing {
		return g.By
	}
	names := slices.Clone(g.By)
	slices.Sort(names)
	return slices.Compact(names)
}

// Options configure a Manager. A nil *Options, and every zero field, means
// the default.
type Options struct {
	// Grouping is used when Observe is given none. Default: by alertname and
	// namespace.
	Grouping *Grouping
	// Now returns the time. Default time.Now.
	Now func() time.Time
	// Entropy makes the random part of IDs; a fixed seed makes them
	// repeatable. Default crypto/rand.
	Entropy io.Reader
	// Severity returns an alert's level, 1 (S1) to 9, or 0 for none.
	// Default: the label severity_level, as "S3" or "3".
	Severity func(labels model.LabelSet) int
	// Project and Team return an incident's project and team from the labels
	// of its first alert. Default: labels project (else namespace) and team.
	Project, Team func(labels model.LabelSet) string
	// Actor names alertkit in the history of what it did by itself.
	// Default "alertkit".
	Actor string
	// FollowUps makes every change that resolves, closes, acknowledges or
	// hands over an incident also set a TimerFollowUp timer, in the same
	// write, for the notification stage to tell the receivers. The
	// pipeline needs it; default off.
	FollowUps bool

	// Owner names this worker when ProcessTimers claims the Manager's
	// timers; default "incidents". Replicas sharing a store use different
	// names.
	Owner string
	// Lease is how long a claimed timer is this worker's before another
	// may take it over; default 1m.
	Lease time.Duration
	// Batch is how many timers are claimed at a time; default 100.
	Batch int
	// Interval is how often Run looks for due timers; default 1s.
	Interval time.Duration
	// OnError, if set, hears the errors Run meets.
	OnError func(error)
}

// Manager runs the incident workflow over a Store: it gathers alert
// changes into incidents, and carries out people's actions on them. It is
// safe for concurrent use, and several Managers — in several replicas —
// may share one Store: every write is a versioned update, retried on
// conflict.
//
// A Manager needs a Store: use NewManager. A zero Manager, or one given a
// nil Store, has none, and its methods that need it return an error.
type Manager struct {
	store Store
	opts  Options

	idMu    sync.Mutex
	entropy io.Reader
}

// NewManager returns a Manager over a Store. A nil *Options means the
// defaults.
func NewManager(store Store, opts *Options) *Manager {
	m := &Manager{store: store}
	if opts != nil {
		m.opts = *opts
	}
	if m.opts.Grouping == nil {
		m.opts.Grouping = &Grouping{By: []model.LabelName{model.AlertNameLabel, "namespace"}}
	}
	if m.opts.Now == nil {
		m.opts.Now = time.Now
	}
	if m.opts.Owner == "" {
		m.opts.Owner = "incidents"
	}
	if m.opts.Lease <= 0 {
		m.opts.Lease = time.Minute
	}
	if m.opts.Batch <= 0 {
		m.opts.Batch = 100
	}
	if m.opts.Interval <= 0 {
		m.opts.Interval = time.Second
	}
	if m.opts.Severity == nil {
		m.opts.Severity = labelSeverity
	}
	if m.opts.Project == nil {
		m.opts.Project = func(ls model.LabelSet) string {
			if p := ls["project"]; p != "" {
				return string(p)
			}
			return string(ls["namespace"])
		}
	}
	if m.opts.Team == nil {
		m.opts.Team = func(ls model.LabelSet) string { return string(ls["team"]) }
	}
	if m.opts.Actor == "" {
		m.opts.Actor = DefaultActor
	}
	m.entropy = m.opts.Entropy
	if m.entropy == nil {
		m.entropy = rand.Reader
	}
	m.entropy = ulid.Monotonic(m.entropy, 0)
	return m
}

// Actor returns the name alertkit goes by in the history of what it did by
// itself (Options.Actor).
func (m *Manager) Actor() string { return cmp.Or(m.opts.Actor, DefaultActor) }

// Store returns the Manager's store; nil for a zero Manager.
func (m *Manager) Store() Store { return m.store }

// errNoStore is the error of a Manager without a Store: a zero Manager, or
// one NewManager was given a nil Store.
var errNoStore = errors.New("incident: manager without a store: use NewManager with a Store")

// check returns errNoStore for a Manager without a Store. Methods that use
// the store or the options call it first; NewManager sets both.
func (m *Manager) check() error {
	if m.store == nil {
		return errNoStore
	}
	return nil
}

func labelSeverity(ls model.LabelSet) int {
	v := string(ls["severity_level"])
	if len(v) == 2 && (v[0] == 'S' || v[0] == 's') {
		v = v[1:]
	}
	if len(v) == 1 && v[0] >= '1' && v[0] <= '9' {
		return int(v[0] - '0')
	}
	return 0
}

// newID returns a new incident ID of time t: a ULID, whose random part
// comes from Options.Entropy. An entropy source that runs dry or fails
// fails the ID, and so the incident, not the process.
func (m *Manager) newID(t time.Time) (ID, error) {
	if t.Before(time.UnixMilli(0)) || ulid.Timestamp(t) > ulid.MaxTime() {
		return "", fmt.Errorf("incident: new incident ID: time %s is out of the range of IDs, 1970 to 10889",
			t.UTC().Format(time.RFC3339Nano))
	}
	m.idMu.Lock()
	defer m.idMu.Unlock()
	id, err := ulid.New(ulid.Timestamp(t), m.entropy)
	if err != nil {
		return "", fmt.Errorf("incident: new incident ID: entropy: %w", err)
	}
	return ID(id.String()), nil
}

// retry runs op until it does not conflict, reading afresh each time; the
// errors in also count as conflicts too.
func retry[T any](ctx context.Context, op func() (T, error), also ...error) (T, error) {
	var zero T
	for range defaultRetries {
		v, err := op()
		conflict := errors.Is(err, ErrConflict)
		for _, e := range also {
			conflict = conflict || errors.Is(err, e)
		}
		if !conflict {
			return v, err
		}
		if err := ctx.Err(); err != nil {
			return zero, err
		}
	}
	return zero, fmt.Errorf("incident: gave up after %d conflicting updates: %w", defaultRetries, ErrConflict)
}

// Enrichment is what the pipeline learned of an alert besides the labels
// its source sent: the labels triage rules added, its severity and its
// service level. It is stored beside the alert's labels, never in them, so
// that the alert keeps the identity its source gave it (the fingerprint of
// its labels) everywhere.
type Enrichment struct {
	// Labels are added by triage rules. Grouping and queries see them.
	Labels model.LabelSet
	// Severity is the alert's level, 1 (S1) to 9; 0 leaves it to
	// Options.Severity.
	Severity int
	// ServiceLevel is the alert's service level (platinum, gold, silver);
	// empty reads the label service_level.
	ServiceLevel string
}

// Observe applies a change of an alert, from the dedup stage, to the
// incident of its group under grouping g (nil for the Manager's default):
// a new alert joins the group's active incident, or opens one; a resolved
// incident reopens if one of its alerts fires again within the reopen
// window; an incident resolves when all its alerts have resolved. It returns
// the incident the change went to, or nil if the change concerned no
// incident (an alert resolving that no incident holds). A change that
// happened before the last one applied for the same alert is ignored, and
// so is one that repeats it: replicas fed the same reports each observe
// their copy of every change, and only the first counts.
func (m *Manager) Observe(ctx context.Context, ch *dedup.Change, g *Grouping) (*Incident, error) {
	return m.ObserveEnriched(ctx, ch, g, Enrichment{})
}

// ObserveEnriched is Observe for an alert that the pipeline enriched: the
// group key and the incident's project and team are read from the alert's
// labels with e.Labels over them, and the member keeps e beside the labels
// its source sent.
func (m *Manager) ObserveEnriched(ctx context.Context, ch *dedup.Change, g *Grouping, e Enrichment) (*Incident, error) {
	if err := m.check(); err != nil {
		return nil, err
	}
	if g == nil {
		g = m.opts.Grouping
	}
	o := observation{ch: ch, g: g, e: e, labels: merge(ch.Alert.Labels, e.Labels)}
	o.key = g.GroupKey(o.labels)
	// Two replicas may open the group's incident at once: the loser sees
	// ErrGroupActive, and joins the winner's on the next round.
	return retry(ctx, func() (*Incident, error) { return m.observe(ctx, &o) }, ErrGroupActive)
}

// observation is a change on its way into an incident.
type observation struct {
	ch     *dedup.Change
	g      *Grouping
	e      Enrichment
	labels model.LabelSet // the alert's labels with the added ones
	key    string         // the group key
}

func (m *Manager) observe(ctx context.Context, o *observation) (*Incident, error) {
	ch, g, key := o.ch, o.g, o.key
	now := m.opts.Now()
	inc, err := m.store.LatestByGroup(ctx, key)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	var member *Member
	if inc != nil {
		member, err = m.store.Member(ctx, inc.ID, ch.Fingerprint)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return nil, err
		}
		if member != nil && (changedAt(ch, now).Before(member.ChangedAt) || member.repeats(ch)) {
			return inc, nil // older than what was applied, or applied already
		}
	}
	activates := ch.Alert.Kind == alert.KindInstant || ch.State != alert.StateResolved

	var w Write
	switch {
	case inc != nil && inc.Status.Active():
	case inc != nil && activates && m.reopens(inc, g, now):
		m.reopen(inc, &w, now, m.opts.Actor, "an alert fired again")
	case activates:
		return m.open(ctx, o, now)
	case inc != nil && member != nil:
		// An alert of a finished incident resolved: keep its record true,
		// without touching the incident.
	default:
		return nil, nil
	}
	m.apply(inc, member, o, &w, now)
	if err := m.store.Update(ctx, inc, w); err != nil {
		return nil, err
	}
	return inc, nil
}

// reopen returns a resolved or closed incident to open: a new firing.
func (m *Manager) reopen(inc *Incident, w *Write, now time.Time, actor, note string) {
	inc.Reopened++
	m.setStatus(inc, w, now, StatusOpen, EventReopened, actor, note)
	inc.ResolvedAt, inc.ClosedAt = time.Time{}, time.Time{}
}

// refreshEvery is how long before its refresh deadline an alert was
// reported; 0 without a deadline.
func refreshEvery(a *alert.Alert) time.Duration {
	if a.RefreshBy.IsZero() || a.UpdatedAt.IsZero() {
		return 0
	}
	return max(a.RefreshBy.Sub(a.UpdatedAt), 0)
}

// changedAt is when a change happened: its stamp, or now for a change made
// without one.
func changedAt(ch *dedup.Change, now time.Time) time.Time {
	if ch.At.IsZero() {
		return now
	}
	return ch.At
}

func (m *Manager) reopens(inc *Incident, g *Grouping, now time.Time) bool {
	within := g.ReopenWithin
	if within == 0 {
		within = DefaultReopenWithin
	}
	return inc.Status == StatusResolved && within > 0 && now.Sub(inc.ResolvedAt) < within
}

// open creates the incident of a group with its first alert.
func (m *Manager) open(ctx context.Context, o *observation, now time.Time) (*Incident, error) {
	id, err := m.newID(now)
	if err != nil {
		return nil, err
	}
	inc := &Incident{
		ID:        id,
		GroupKey:  o.key,
		Group:     o.g.Labels(o.labels),
		Status:    StatusOpen,
		Project:   m.opts.Project(o.labels),
		Team:      m.opts.Team(o.labels),
		CreatedAt: now,
		UpdatedAt: now,
	}
	w := Write{Events: []Event{{At: now, Kind: EventOpened, Actor: m.opts.Actor, Note: o.key}}}
	m.apply(inc, nil, o, &w, now)
	if err := m.store.Create(ctx, inc, w); err != nil {
		return nil, err
	}
	return inc, nil
}

// apply brings an incident and one of its members up to date with a change,
// and says what it did in w.
func (m *Manager) apply(inc *Incident, old *Member, o *observation, w *Write, now time.Time) {
	ch, g := o.ch, o.g
	mem := Member{
		Fingerprint:  ch.Fingerprint,
		Labels:       ch.Alert.Labels,
		Added:        o.e.Labels,
		Annotations:  ch.Alert.Annotations,
		Kind:         ch.Alert.Kind,
		State:        ch.State,
		Flapping:     ch.Flapping,
		StartsAt:     ch.Alert.StartsAt,
		EndsAt:       ch.Alert.EndsAt,
		RefreshBy:    ch.Alert.RefreshBy,
		RefreshEvery: refreshEvery(&ch.Alert),
		Firings:      ch.Firings.Len(),
		Severity:     o.e.Severity,
		ServiceLevel: o.e.ServiceLevel,
		JoinedAt:     now,
		UpdatedAt:    now,
		ChangedAt:    changedAt(ch, now),
	}
	if mem.Severity == 0 {
		mem.Severity = m.opts.Severity(o.labels)
	}
	if mem.ServiceLevel == "" {
		mem.ServiceLevel = string(o.labels["service_level"])
	}
	if _, ok := mql.ServiceLevelValue(mem.ServiceLevel); !ok || strings.EqualFold(mem.ServiceLevel, "none") {
		mem.ServiceLevel = "" // none, or a name no table knows
	} else {
		mem.ServiceLevel = strings.ToLower(mem.ServiceLevel)
	}
	event := func(kind EventKind, note string) {
		w.Events = append(w.Events, Event{At: now, Kind: kind, Actor: m.opts.Actor, Note: note, Alert: ch.Fingerprint})
	}
	what := mem.Trigger() // the event's Alert names the member
	wasActive := false
	if old == nil {
		inc.Alerts++
		if mem.Kind == alert.KindLasting {
			inc.Lasting++
		}
		if i, found := slices.BinarySearch(inc.Triggers, mem.Trigger()); !found {
			inc.Triggers = slices.Insert(inc.Triggers, i, mem.Trigger())
		}
		event(EventAlertJoined, what)
		if inc.Status == StatusSnoozed && (mem.Kind == alert.KindInstant || mem.active()) {
			// Worse: a new alert fires (one that joins resolved is news
			// of nothing).
			m.wake(inc, w, now, "a new alert joined")
		}
	} else {
		mem.JoinedAt = old.JoinedAt
		// The dedup stage of a process that started afresh knows only the
		// current firing: the count goes on from the member's.
		firings := old.Firings
		if ch.Refired || ch.Occurred {
			firings++
		}
		mem.Firings = max(mem.Firings, firings)
		wasActive = old.active()
		switch {
		case ch.Occurred || ch.Refired:
			event(EventAlertFiredAgain, what)
		case old.State != mem.State && mem.State == alert.StateResolved:
			event(EventAlertResolved, what)
		case old.State != mem.State && mem.State == alert.StateUnknown:
			event(EventAlertUnknown, what+": its source stopped refreshing it")
		}
		if ch.FlapChanged && ch.Flapping {
			event(EventAlertFlapping, what)
		}
	}
	if mem.Flapping && (old == nil || !old.Flapping) {
		inc.Flapping++
	} else if !mem.Flapping && old != nil && old.Flapping {
		inc.Flapping--
	}
	if mem.ServiceLevel != "" && serviceRank(mem.ServiceLevel) > serviceRank(inc.ServiceLevel) {
		inc.ServiceLevel = mem.ServiceLevel
	}
	if mem.active() && !wasActive {
		if inc.Active == 0 && inc.Lasting > 0 {
			// Quiet until now: a resolve timer may be waiting.
			w.Cancel = append(w.Cancel, timerKey(TimerResolve, inc.ID))
		}
		inc.Active++
	} else if !mem.active() && wasActive {
		inc.Active--
	}
	if mem.Severity > 0 && (inc.Severity == 0 || mem.Severity < inc.Severity) {
		raised := inc.Severity != 0
		inc.Severity = mem.Severity
		if raised {
			event(EventSeverityRaised, fmt.Sprintf("S%d, by %s", mem.Severity, what))
			if inc.Status == StatusSnoozed {
				m.wake(inc, w, now, fmt.Sprintf("severity rose to S%d", mem.Severity))
			}
		}
	}
	inc.UpdatedAt = now
	w.Members = append(w.Members, mem)

	if inc.Lasting > 0 && inc.Active == 0 && wasActive && inc.Status.Active() {
		inc.QuietSince = now
		m.allResolved(inc, g, w, now)
	}
}

// serviceRank orders service levels: none (or empty) < silver < gold <
// platinum.
func serviceRank(level string) float64 {
	v, _ := mql.ServiceLevelValue(level)
	return v.Num
}

// allResolved acts on an incident whose alerts have all resolved: it
// resolves, now or after the grouping's quiet period. A snoozed incident
// closes if its snooze says to resolve it when it is OK, and otherwise stays
// snoozed until it wakes.
func (m *Manager) allResolved(inc *Incident, g *Grouping, w *Write, now time.Time) {
	switch {
	case inc.Status == StatusSnoozed && inc.Snooze != nil && inc.Snooze.ResolveIfOK:
		m.setStatus(inc, w, now, StatusClosed, EventClosed, m.opts.Actor, "all alerts resolved while snoozed")
		inc.ResolvedAt = now
	case inc.Status == StatusSnoozed:
	case g.ResolveAfter > 0:
		w.Timers = append(w.Timers, Timer{
			Key: timerKey(TimerResolve, inc.ID), Kind: TimerResolve, Incident: inc.ID,
			Due: now.Add(g.ResolveAfter), Data: g.ResolveAfter.String(),
		})
	default:
		m.setStatus(inc, w, now, StatusResolved, EventResolved, m.opts.Actor, "all alerts resolved")
	}
}

// setStatus moves an incident to status to and records it.
func (m *Manager) setStatus(inc *Incident, w *Write, now time.Time, to Status, kind EventKind, actor, note string) {
	from := inc.Status
	inc.Status = to
	inc.UpdatedAt = now
	switch to {
	case StatusResolved:
		inc.ResolvedAt = now
	case StatusClosed:
		inc.ClosedAt = now
	case StatusAcknowledged:
		inc.AckedAt = now
	}
	if from == StatusSnoozed && to != StatusSnoozed {
		inc.Snooze = nil
		w.Cancel = append(w.Cancel, timerKey(TimerWake, inc.ID))
	}
	if !to.Active() {
		w.Cancel = append(w.Cancel, timerKey(TimerResolve, inc.ID))
	}
	w.Events = append(w.Events, Event{At: now, Kind: kind, Actor: actor, Note: note, From: from.String(), To: to.String()})
	switch {
	case to == StatusResolved, to == StatusAcknowledged, to == StatusClosed && from.Active():
		// Closing a resolved incident is no news to the receivers.
		m.followUp(inc, w, now, kind)
	case kind == EventReopened, kind == EventWoke, kind == EventUnacknowledged:
		// News for the escalation stage: page again, or go on paging.
		m.followUp(inc, w, now, kind)
	}
}

// wake ends a snooze early.
func (m *Manager) wake(inc *Incident, w *Write, now time.Time, why string) {
	m.setStatus(inc, w, now, StatusOpen, EventWoke, m.opts.Actor, why)
}

// resolveIfQuiet resolves an incident that leaves its snooze with all its
// alerts resolved: only the snooze kept it.
func (m *Manager) resolveIfQuiet(inc *Incident, w *Write, now time.Time) {
	if inc.Lasting > 0 && inc.Active == 0 {
		m.setStatus(inc, w, now, StatusResolved, EventResolved, m.opts.Actor, "all alerts resolved while it was snoozed")
	}
}
