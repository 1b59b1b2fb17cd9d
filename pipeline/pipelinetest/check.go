package pipelinetest

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/common/model"

	"github.com/alertkit/alertkit/alert"
	"github.com/alertkit/alertkit/incident"
	"github.com/alertkit/alertkit/notify"
)

// recorder stands in for a receiver: it takes every notification, and
// keeps what a receiver that deduplicates by key would show.
type recorder struct {
	name string
	now  func() time.Time

	mu    sync.Mutex
	got   []delivery
	keys  map[string]string         // key → what it said first
	pages map[incident.ID]time.Time // the latest escalation of each incident
	dups  int
	err   error // a key that said two things
}

// delivery is a notification a recorder took.
type delivery struct {
	at       time.Time
	key      string
	reason   notify.Reason
	incident incident.ID
}

var _ notify.Notifier = (*recorder)(nil)

func (r *recorder) Notify(_ context.Context, n *notify.Notification) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	what := fmt.Sprintf("%s of incident %s", n.Reason, n.Incident.ID)
	if first, ok := r.keys[n.Key]; ok {
		r.dups++
		if first != what && r.err == nil {
			r.err = fmt.Errorf("receiver %s: key %s said %s, and then %s", r.name, n.Key, first, what)
		}
		return nil // a receiver that deduplicates shows it once
	}
	r.keys[n.Key] = what
	at := r.now()
	r.got = append(r.got, delivery{at: at, key: n.Key, reason: n.Reason, incident: n.Incident.ID})
	if n.Reason == notify.ReasonEscalation {
		if r.pages == nil {
			r.pages = map[incident.ID]time.Time{}
		}
		if at.After(r.pages[n.Incident.ID]) {
			r.pages[n.Incident.ID] = at
		}
	}
	return nil
}

// lastPage is when an escalation of an incident last reached the recorder.
func (r *recorder) lastPage(id incident.ID) time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.pages[id]
}

// inStore checks that an alert report a replica accepted is in the store:
// a firing report as a member that fires (or, if its source said nothing
// since, is unknown), a resolved one as a resolved member or none.
func (w *world) inStore(a *alert.Alert) error {
	fp := alert.Fingerprint(a.Labels)
	w.mu.Lock()
	dropped := w.dropped[fp]
	w.mu.Unlock()
	if dropped {
		return nil
	}
	mem, err := w.member(fp)
	if err != nil {
		return err
	}
	want := a.StateAt(w.clock.Now())
	switch {
	case mem == nil && want == alert.StateResolved:
		return nil // resolved before any incident held it
	case mem == nil:
		return fmt.Errorf("no incident holds it")
	case mem.State != want:
		return fmt.Errorf("its member is %s, not %s", mem.State, want)
	}
	return nil
}

// member returns the member of an alert in the newest incident holding it:
// the latest of its group, as a rule.
func (w *world) member(fp model.Fingerprint) (*incident.Member, error) {
	w.mu.Lock()
	group, ok := w.groupOf[fp]
	w.mu.Unlock()
	if ok {
		if inc, err := w.store.LatestByGroup(w.ctx, group); err == nil {
			if m, err := w.store.Member(w.ctx, inc.ID, fp); err == nil {
				return m, nil
			}
		}
	}
	incs, err := w.store.Search(w.ctx, incident.Filter{Limit: -1})
	if err != nil {
		return nil, fmt.Errorf("reading the store: %w", err)
	}
	for _, inc := range incs {
		m, err := w.store.Member(w.ctx, inc.ID, fp)
		if errors.Is(err, incident.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("reading the store: %w", err)
		}
		return m, nil
	}
	return nil, nil
}

// fullEvery is how many steps apart check reads every incident of the
// store; between, it reads the latest incident of each group and those
// that owe a page, which is where a step changes things, so that a long
// run does not slow down as incidents pile up.
const fullEvery = 250

// check checks the invariants after a step; full, over every incident.
func (w *world) check(full bool) error {
	w.mu.Lock()
	err := w.changeErr
	w.mu.Unlock()
	if err != nil {
		return err
	}
	for _, r := range w.recv {
		r.mu.Lock()
		err := r.err
		r.mu.Unlock()
		if err != nil {
			return err
		}
	}
	incs, err := w.incidents(full)
	if err != nil {
		return fmt.Errorf("reading the store: %w", err)
	}
	now := w.clock.Now()
	sent := map[model.Fingerprint]int{}
	for i, a := range w.alerts {
		sent[a.fp] = i
	}
	activeOf := map[string]incident.ID{}
	holder := map[model.Fingerprint]incident.ID{} // the newest incident holding each alert
	members := map[incident.ID][]incident.Member{}
	for _, inc := range incs {
		if inc.Status.Active() {
			if other, ok := activeOf[inc.GroupKey]; ok {
				return fmt.Errorf("group %s has two active incidents: %s and %s", inc.GroupKey, other, inc.ID)
			}
			activeOf[inc.GroupKey] = inc.ID
		}
		ms, err := w.store.Members(w.ctx, inc.ID)
		if err != nil {
			return fmt.Errorf("reading the store: %w", err)
		}
		members[inc.ID] = ms
		if err := w.checkIncident(inc, ms, sent, now); err != nil {
			return err
		}
		for _, m := range ms {
			if _, ok := holder[m.Fingerprint]; !ok {
				holder[m.Fingerprint] = inc.ID
			}
		}
	}
	for i, a := range w.alerts {
		if !full && !w.grouped(a.fp, holder[a.fp], incs) {
			continue // its newest incident may be one the light check did not read
		}
		if err := w.checkState(i, a, holder, members, now); err != nil {
			return err
		}
	}
	if err := w.checkObligations(incs, now); err != nil {
		return err
	}
	return w.checkAcknowledged(incs)
}

// incidents returns every incident (full), or the latest of each group the
// world saw and those that owe a page, newest first.
func (w *world) incidents(full bool) ([]*incident.Incident, error) {
	if full {
		return w.store.Search(w.ctx, incident.Filter{Limit: -1})
	}
	w.mu.Lock()
	groups := slices.Collect(maps.Keys(w.groups))
	var owing []incident.ID
	for _, ob := range w.obligations {
		if !ob.done {
			owing = append(owing, ob.key.id)
		}
	}
	w.mu.Unlock()
	seen := map[incident.ID]bool{}
	var incs []*incident.Incident
	for _, g := range groups {
		inc, err := w.store.LatestByGroup(w.ctx, g)
		if errors.Is(err, incident.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if !seen[inc.ID] {
			seen[inc.ID] = true
			incs = append(incs, inc)
		}
	}
	for _, id := range owing {
		if seen[id] {
			continue
		}
		inc, err := w.store.Get(w.ctx, id)
		if err != nil {
			return nil, err
		}
		seen[id] = true
		incs = append(incs, inc)
	}
	slices.SortFunc(incs, func(a, b *incident.Incident) int { return strings.Compare(string(b.ID), string(a.ID)) })
	return incs, nil
}

// grouped reports whether the incident holding an alert, among those read,
// is the latest of the alert's group: then it is the alert's newest.
func (w *world) grouped(fp model.Fingerprint, holder incident.ID, incs []*incident.Incident) bool {
	w.mu.Lock()
	group, ok := w.groupOf[fp]
	w.mu.Unlock()
	if !ok {
		return false
	}
	for _, inc := range incs {
		if inc.GroupKey == group {
			return inc.ID == holder || holder == ""
		}
	}
	return false
}

// checkIncident checks one incident: its members are alerts as their
// sources sent them, once each, and its counters and status agree with
// them.
func (w *world) checkIncident(inc *incident.Incident, ms []incident.Member, sent map[model.Fingerprint]int, now time.Time) error {
	active, flapping := 0, 0
	for _, m := range ms {
		i, ok := sent[m.Fingerprint]
		switch {
		case alert.Fingerprint(m.Labels) != m.Fingerprint:
			return fmt.Errorf("incident %s: member %s has labels %s, whose fingerprint is %s", inc.ID, m.Fingerprint, m.Labels, alert.Fingerprint(m.Labels))
		case !ok || !maps.Equal(m.Labels, w.alerts[i].labels):
			return fmt.Errorf("incident %s: member %s %s is no alert a source sent (phantom member)", inc.ID, m.Fingerprint, m.Labels)
		}
		if m.Kind == alert.KindLasting && m.State != alert.StateResolved {
			active++
		}
		if m.Flapping {
			flapping++
		}
	}
	switch {
	case inc.Alerts != len(ms):
		return fmt.Errorf("incident %s counts %d alerts, and has %d members", inc.ID, inc.Alerts, len(ms))
	case inc.Active != active:
		return fmt.Errorf("incident %s counts %d active alerts, and %d of its members are", inc.ID, inc.Active, active)
	case inc.Flapping != flapping:
		return fmt.Errorf("incident %s counts %d flapping alerts, and %d of its members are", inc.ID, inc.Flapping, flapping)
	case !inc.Status.Active() && active > 0:
		return fmt.Errorf("incident %s is %s with %d active alerts", inc.ID, inc.Status, active)
	case (inc.Status == incident.StatusOpen || inc.Status == incident.StatusAcknowledged) && inc.Lasting > 0 && active == 0 &&
		now.Sub(inc.QuietSince) > w.o.QuietPeriod+w.slack(inc.QuietSince, now):
		if reopened, err := w.reopenedByHand(inc); err != nil || reopened {
			return err // a person's to resolve
		}
		return fmt.Errorf("incident %s is still %s, its alerts all resolved since %s; its history:\n%s", inc.ID, inc.Status, w.at(inc.QuietSince), w.history(inc.ID))
	}
	return nil
}

// reopenedByHand reports whether a person reopened an incident since its
// alerts all resolved.
func (w *world) reopenedByHand(inc *incident.Incident) (bool, error) {
	events, err := w.store.History(w.ctx, inc.ID)
	if err != nil {
		return false, fmt.Errorf("reading the store: %w", err)
	}
	for _, e := range events {
		if e.Kind == incident.EventReopened && e.Actor != incident.DefaultActor && !e.At.Before(inc.QuietSince) {
			return true, nil
		}
	}
	return false, nil
}

// checkState checks that an alert's member follows what its sources said,
// once no source has a report that no replica took.
func (w *world) checkState(i int, a *alertModel, holder map[model.Fingerprint]incident.ID, members map[incident.ID][]incident.Member, now time.Time) error {
	if a.acc == nil || a.pending > 0 {
		return nil
	}
	w.mu.Lock()
	dropped := w.dropped[a.fp]
	w.mu.Unlock()
	if dropped {
		return nil
	}
	id, ok := holder[a.fp]
	var got alert.State
	if ok {
		for _, m := range members[id] {
			if m.Fingerprint == a.fp {
				got = m.State
			}
		}
	}
	said := a.acc.StateAt(a.acc.UpdatedAt)
	switch {
	case said == alert.StateResolved && (!ok || got == alert.StateResolved):
		return nil
	case said == alert.StateResolved:
		return fmt.Errorf("alert %d %s: its sources said resolved at %s, and its member in incident %s is %s", i, a.labels, w.at(a.acc.UpdatedAt), id, got)
	case !ok:
		return fmt.Errorf("alert %d %s: its sources said it fires since %s, and no incident holds it", i, a.labels, w.at(a.acc.StartsAt))
	case got != alert.StateFiring && got != alert.StateUnknown:
		return fmt.Errorf("alert %d %s: its sources said it fires (at %s), and its member in incident %s is %s", i, a.labels, w.at(a.acc.UpdatedAt), id, got)
	case a.acc.RefreshBy.IsZero():
		if got != alert.StateFiring {
			return fmt.Errorf("alert %d %s: its source said it fires (at %s) and promised no refresh, and its member in incident %s is %s", i, a.labels, w.at(a.acc.UpdatedAt), id, got)
		}
	case now.Before(a.acc.RefreshBy) && got != alert.StateFiring:
		return fmt.Errorf("alert %d %s: its source said it fires at %s, to be refreshed by %s, and its member in incident %s is %s at %s",
			i, a.labels, w.at(a.acc.UpdatedAt), w.at(a.acc.RefreshBy), id, got, w.at(now))
	default:
		// Past its refresh deadline: unknown within a refresh period of
		// the deadline, or of the latest start of a replica, which gives
		// the sources a period to send again.
		period := a.acc.RefreshBy.Sub(a.acc.UpdatedAt)
		by := a.acc.RefreshBy
		if late := w.lastStart.Add(period); late.After(by) {
			by = late
		}
		by = by.Add(2*w.o.Tick + w.slack(a.acc.RefreshBy, now))
		if now.After(by) && got != alert.StateUnknown {
			return fmt.Errorf("alert %d %s: its source said it fires at %s, to be refreshed by %s, and never again; at %s its member in incident %s is %s, not unknown",
				i, a.labels, w.at(a.acc.UpdatedAt), w.at(a.acc.RefreshBy), w.at(now), id, got)
		}
	}
	return nil
}

// slack is how late the service may be over [from, to] because of
// disruptions: their overlap with it.
func (w *world) slack(from, to time.Time) time.Duration {
	var d time.Duration
	for _, x := range w.disruptions {
		if x.to.After(from) && x.from.Before(to) {
			d += x.to.Sub(x.from)
		}
	}
	return d
}

// checkObligations checks the pages owed: met by a page delivered in time,
// or voided by an acknowledgement, a snooze or a resolution first.
func (w *world) checkObligations(incs []*incident.Incident, now time.Time) error {
	byID := map[incident.ID]*incident.Incident{}
	for _, inc := range incs {
		byID[inc.ID] = inc
	}
	w.mu.Lock()
	var pending []*obligation
	for _, ob := range w.obligations {
		if !ob.done {
			pending = append(pending, ob)
		}
	}
	w.mu.Unlock()
	slices.SortFunc(pending, func(a, b *obligation) int { return a.from.Compare(b.from) })
	for _, ob := range pending {
		inc := byID[ob.key.id]
		if w.paged(ob) {
			w.drop(ob, true)
			continue
		}
		if inc == nil || inc.Reopened != ob.key.reopened || inc.Status != incident.StatusOpen || inc.Active == 0 {
			w.drop(ob, false)
			continue
		}
		voided, err := w.voided(ob)
		if err != nil {
			return err
		}
		if voided {
			w.drop(ob, false)
			continue
		}
		deadline := ob.deadline.Add(w.slack(ob.from, now))
		if now.After(deadline) {
			return fmt.Errorf("no page: %s, and by %s (%s after) nobody was paged; its history:\n%s",
				ob.why, w.at(deadline), deadline.Sub(ob.from), w.history(ob.key.id))
		}
	}
	return nil
}

// paged reports whether an escalation of the obligation's incident reached
// a receiver since its firing began.
func (w *world) paged(ob *obligation) bool {
	last, ok := w.lastPage(ob.key.id)
	return ok && !last.Before(ob.since)
}

// voided reports whether people stopped the escalation of an obligation
// before its deadline: acknowledged, snoozed or resolved the incident.
func (w *world) voided(ob *obligation) (bool, error) {
	events, err := w.store.History(w.ctx, ob.key.id)
	if err != nil {
		return false, fmt.Errorf("reading the store: %w", err)
	}
	for _, e := range events {
		if e.At.Before(ob.from) {
			continue
		}
		switch e.Kind {
		case incident.EventAcknowledged, incident.EventSnoozed, incident.EventResolved, incident.EventClosed:
			return true, nil
		}
	}
	return false, nil
}

func (w *world) drop(ob *obligation, met bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	ob.done = true
	if met {
		w.report.Met++
	}
}

// checkAcknowledged checks that no escalation step paged anyone while an
// incident was acknowledged.
func (w *world) checkAcknowledged(incs []*incident.Incident) error {
	for _, inc := range incs {
		if w.checked[inc.ID] == inc.Version {
			continue // unchanged since it was checked
		}
		w.checked[inc.ID] = inc.Version
		events, err := w.store.History(w.ctx, inc.ID)
		if err != nil {
			return fmt.Errorf("reading the store: %w", err)
		}
		acked := false
		for _, e := range events {
			switch e.Kind {
			case incident.EventAcknowledged:
				acked = true
			case incident.EventUnacknowledged, incident.EventReopened, incident.EventResolved, incident.EventClosed, incident.EventWoke:
				acked = false
			case incident.EventEscalated:
				if acked && strings.HasPrefix(e.Note, "step ") && strings.Contains(e.Note, ": paged") {
					return fmt.Errorf("incident %s: an escalation step paged while it was acknowledged: %s; its history:\n%s", inc.ID, e, w.history(inc.ID))
				}
			}
		}
	}
	return nil
}

// history returns an incident's history, a line each, for messages.
func (w *world) history(id incident.ID) string {
	events, err := w.store.History(w.ctx, id)
	if err != nil {
		return "  (" + err.Error() + ")"
	}
	var b strings.Builder
	for _, e := range events {
		fmt.Fprintf(&b, "    %s %s %s", w.at(e.At), e.Actor, e.Kind)
		if e.Note != "" {
			b.WriteString(": " + e.Note)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// settle brings the world to rest — the store up, every replica running,
// time passing — and checks that nothing was lost: the outbox is empty, no
// notification is a dead letter, and every page the history records
// reached a receiver.
func (w *world) settle() error {
	w.faults.SetDown(false)
	for _, r := range w.replicas {
		if !r.alive {
			if err := w.startReplica(r); err != nil {
				return err
			}
		}
	}
	if err := w.advance(w.o.Lease + 5*time.Minute); err != nil {
		return err
	}
	if err := w.check(true); err != nil {
		return err
	}
	left, err := w.store.ClaimTimers(w.ctx, incident.Claim{Now: w.clock.Now(), Owner: "pipelinetest", Lease: time.Minute, Kinds: []string{notify.TimerNotify}})
	if err != nil {
		return fmt.Errorf("reading the store: %w", err)
	}
	if len(left) > 0 {
		return fmt.Errorf("%d notifications still in the outbox, the first %s", len(left), left[0].Key)
	}
	dead, err := w.log.DeadLetters(w.ctx)
	if err != nil {
		return fmt.Errorf("reading the delivery log: %w", err)
	}
	if len(dead) > 0 {
		return fmt.Errorf("%d dead letters, the first to %s: %s", len(dead), dead[0].Notification.Receiver, dead[0].Error)
	}
	delivered := map[incident.ID]int{}
	for _, r := range w.recv {
		r.mu.Lock()
		got := slices.Clone(r.got)
		r.mu.Unlock()
		for _, d := range got {
			if d.reason == notify.ReasonEscalation {
				delivered[d.incident]++
				w.report.Pages++
			}
		}
		r.mu.Lock()
		w.report.Duplicates += r.dups
		r.mu.Unlock()
	}
	incs, err := w.store.Search(w.ctx, incident.Filter{Limit: -1})
	if err != nil {
		return fmt.Errorf("reading the store: %w", err)
	}
	for _, inc := range incs {
		events, err := w.store.History(w.ctx, inc.ID)
		if err != nil {
			return fmt.Errorf("reading the store: %w", err)
		}
		steps := 0
		for _, e := range events {
			if e.Kind == incident.EventEscalated && strings.HasPrefix(e.Note, "step ") && strings.Contains(e.Note, ": paged") {
				steps++
			}
		}
		if delivered[inc.ID] < steps {
			return fmt.Errorf("incident %s: its history records %d pages, and receivers got %d; its history:\n%s", inc.ID, steps, delivered[inc.ID], w.history(inc.ID))
		}
	}
	return nil
}
