package incident

import (
	"cmp"
	"container/heap"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/common/model"
)

// MemoryStore is a Store in memory, for a single process and for tests. It
// is safe for concurrent use. Its zero value is an empty store, ready to
// use, as NewMemoryStore returns.
type MemoryStore struct {
	mu        sync.RWMutex
	incidents map[ID]*stored
	order     []ID          // creation order; IDs are time-ordered
	latest    map[string]ID // the newest incident of each group
	active    map[string]ID // the active incident of each group
	timers    timerQueue
	// maxHistory caps each incident's history; 0 means DefaultMaxHistory.
	maxHistory int
}

type stored struct {
	inc     *Incident
	members map[model.Fingerprint]*Member
	joined  []model.Fingerprint // join order
	history []Event
	seq     int64 // the Seq of the latest entry
}

var _ Store = (*MemoryStore)(nil)

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore {
	s := &MemoryStore{}
	s.ready()
	return s
}

// ready makes the maps of a zero MemoryStore, on its first write; until
// then its reads find nothing in nil maps. The caller holds the write lock.
func (s *MemoryStore) ready() {
	if s.incidents == nil {
		s.incidents = map[ID]*stored{}
		s.latest = map[string]ID{}
		s.active = map[string]ID{}
	}
	if s.timers.byKey == nil {
		s.timers.byKey = map[string]*queued{}
	}
}

func (s *MemoryStore) checkContext(ctx context.Context) error { return ctx.Err() }

// rlock returns a stored incident with the read lock held, for the caller
// to release.
func (s *MemoryStore) rlock(ctx context.Context, id ID) (*stored, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	st, ok := s.incidents[id]
	if !ok {
		s.mu.RUnlock()
		return nil, &notFound{id: id}
	}
	return st, nil
}

// Create stores a new incident.
func (s *MemoryStore) Create(ctx context.Context, inc *Incident, w Write) error {
	if err := s.checkContext(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ready()
	if _, ok := s.incidents[inc.ID]; ok {
		return fmt.Errorf("%w: %s", ErrExists, inc.ID)
	}
	if inc.Status.Active() {
		if other, ok := s.active[inc.GroupKey]; ok {
			return fmt.Errorf("%w: %s has %s", ErrGroupActive, inc.GroupKey, other)
		}
	}
	inc.Version = 1
	st := &stored{inc: inc.clone(), members: map[model.Fingerprint]*Member{}}
	s.incidents[inc.ID] = st
	s.order = append(s.order, inc.ID)
	s.index(st.inc)
	s.write(st, w)
	return nil
}

// index keeps the group indexes of an incident up to date. The caller holds
// the lock.
func (s *MemoryStore) index(inc *Incident) {
	if cur, ok := s.latest[inc.GroupKey]; !ok || cur <= inc.ID {
		s.latest[inc.GroupKey] = inc.ID
	}
	if inc.Status.Active() {
		s.active[inc.GroupKey] = inc.ID
	} else if s.active[inc.GroupKey] == inc.ID {
		delete(s.active, inc.GroupKey)
	}
}

// write applies a Write to a stored incident. The caller holds the lock.
func (s *MemoryStore) write(st *stored, w Write) {
	for i := range w.Members {
		m := w.Members[i]
		if _, ok := st.members[m.Fingerprint]; !ok {
			st.joined = append(st.joined, m.Fingerprint)
		}
		st.members[m.Fingerprint] = &m
	}
	s.appendHistory(st, w.Events)
	for _, t := range w.Timers {
		s.setTimer(t)
	}
	for _, key := range w.Cancel {
		s.timers.remove(key)
	}
}

func (s *MemoryStore) appendHistory(st *stored, events []Event) {
	for _, e := range events {
		st.seq++
		e.Incident, e.Seq = st.inc.ID, st.seq
		st.history = append(st.history, e)
	}
	limit := s.maxHistory
	if limit == 0 {
		limit = DefaultMaxHistory
	}
	if n := FoldPoint(len(st.history), limit); n > 0 {
		folded := FoldHistory(st.history[:n], DefaultActor)
		st.history = append([]Event{folded}, st.history[n:]...)
	}
}

// LimitHistory sets how many entries of an incident's history the store
// keeps before it folds the oldest into one (see DefaultMaxHistory, the
// default); a negative n keeps them all.
func (s *MemoryStore) LimitHistory(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.maxHistory = n
}

// cloneEvents copies events, and the folds among them.
func cloneEvents(events []Event) []Event {
	out := slices.Clone(events)
	for i := range out {
		if f := out[i].Fold; f != nil {
			c := *f
			c.Kinds = maps.Clone(f.Kinds)
			out[i].Fold = &c
		}
	}
	return out
}

// Get returns a copy of an incident.
func (s *MemoryStore) Get(ctx context.Context, id ID) (*Incident, error) {
	st, err := s.rlock(ctx, id)
	if err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()
	return st.inc.clone(), nil
}

// Update replaces an incident if its version is current.
func (s *MemoryStore) Update(ctx context.Context, inc *Incident, w Write) error {
	if err := s.checkContext(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.incidents[inc.ID]
	if !ok {
		return &notFound{id: inc.ID}
	}
	if st.inc.Version != inc.Version {
		return &ConflictError{ID: inc.ID, Have: inc.Version, Stored: st.inc.Version}
	}
	if inc.GroupKey != st.inc.GroupKey {
		return fmt.Errorf("incident %s: the group key cannot change", inc.ID)
	}
	if inc.Status.Active() && !st.inc.Status.Active() {
		if other, ok := s.active[inc.GroupKey]; ok && other != inc.ID {
			return fmt.Errorf("%w: %s has %s", ErrGroupActive, inc.GroupKey, other)
		}
	}
	inc.Version++
	st.inc = inc.clone()
	s.index(st.inc)
	s.write(st, w)
	return nil
}

// LatestByGroup returns the newest incident of a group.
func (s *MemoryStore) LatestByGroup(ctx context.Context, groupKey string) (*Incident, error) {
	if err := s.checkContext(ctx); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	id, ok := s.latest[groupKey]
	if !ok {
		return nil, &notFound{group: groupKey}
	}
	return s.incidents[id].inc.clone(), nil
}

// Member returns one member.
func (s *MemoryStore) Member(ctx context.Context, id ID, fp model.Fingerprint) (*Member, error) {
	st, err := s.rlock(ctx, id)
	if err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()
	m, ok := st.members[fp]
	if !ok {
		return nil, &notFound{id: id, alert: fp}
	}
	c := *m
	return &c, nil
}

// Members returns the members in join order.
func (s *MemoryStore) Members(ctx context.Context, id ID) ([]Member, error) {
	st, err := s.rlock(ctx, id)
	if err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()
	return st.memberList(), nil
}

func (st *stored) memberList() []Member {
	out := make([]Member, len(st.joined))
	for i, fp := range st.joined {
		out[i] = *st.members[fp]
	}
	return out
}

// AppendHistory appends events.
func (s *MemoryStore) AppendHistory(ctx context.Context, id ID, events ...Event) error {
	if err := s.checkContext(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.incidents[id]
	if !ok {
		return &notFound{id: id}
	}
	s.appendHistory(st, events)
	return nil
}

// History returns the history, oldest first.
func (s *MemoryStore) History(ctx context.Context, id ID) ([]Event, error) {
	st, err := s.rlock(ctx, id)
	if err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()
	return cloneEvents(st.history), nil
}

// HistoryPage returns the newest q.Limit entries before q.Before, oldest
// first.
func (s *MemoryStore) HistoryPage(ctx context.Context, id ID, q HistoryQuery) ([]Event, error) {
	st, err := s.rlock(ctx, id)
	if err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()
	end := len(st.history)
	if q.Before > 0 {
		end, _ = slices.BinarySearchFunc(st.history, q.Before, func(e Event, seq int64) int { return cmp.Compare(e.Seq, seq) })
	}
	limit := q.Limit
	if limit <= 0 {
		limit = DefaultHistoryLimit
	}
	return cloneEvents(st.history[max(0, end-limit):end]), nil
}

// Search returns the selected incidents, newest first.
func (s *MemoryStore) Search(ctx context.Context, f Filter) ([]*Incident, error) {
	var out []*Incident
	err := s.scan(ctx, f, func(inc *Incident) bool {
		out = append(out, inc.clone())
		return f.Limit < 0 || len(out) < cmp.Or(f.Limit, 100)
	})
	return out, err
}

// Count returns how many incidents a filter selects.
func (s *MemoryStore) Count(ctx context.Context, f Filter) (int, error) {
	n := 0
	err := s.scan(ctx, f, func(*Incident) bool { n++; return true })
	return n, err
}

// scan visits the incidents a filter selects, newest first, until visit
// returns false.
func (s *MemoryStore) scan(ctx context.Context, f Filter, visit func(*Incident) bool) error {
	if err := s.checkContext(ctx); err != nil {
		return err
	}
	at := f.At
	if at.IsZero() {
		at = time.Now()
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	for i := len(s.order) - 1; i >= 0; i-- {
		st := s.incidents[s.order[i]]
		inc := st.inc
		switch {
		case f.Before != "" && inc.ID >= f.Before:
			continue
		case !f.CreatedFrom.IsZero() && inc.CreatedAt.Before(f.CreatedFrom):
			continue
		case !f.CreatedTo.IsZero() && !inc.CreatedAt.Before(f.CreatedTo):
			continue
		case f.Signature != "" && inc.Signature() != f.Signature:
			continue
		}
		if f.Query != nil && !f.Query.Match(View{Incident: inc, Members: st.memberList(), At: at}) {
			continue
		}
		if !visit(inc) {
			return nil
		}
	}
	return nil
}

// SetTimer creates or reschedules a timer.
func (s *MemoryStore) SetTimer(ctx context.Context, t Timer) error {
	if err := s.checkContext(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ready()
	s.setTimer(t)
	return nil
}

func (s *MemoryStore) setTimer(t Timer) {
	t.Owner, t.LeaseUntil, t.Attempts = "", time.Time{}, 0
	s.timers.set(t)
}

// CancelTimer removes a timer.
func (s *MemoryStore) CancelTimer(ctx context.Context, key string) error {
	if err := s.checkContext(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.timers.remove(key)
	return nil
}

// ClaimTimers leases due timers, earliest first.
func (s *MemoryStore) ClaimTimers(ctx context.Context, c Claim) ([]Timer, error) {
	if err := s.checkContext(ctx); err != nil {
		return nil, err
	}
	if c.Owner == "" || c.Lease <= 0 {
		return nil, fmt.Errorf("incident: a claim needs an owner and a positive lease")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	limit := cmp.Or(c.Limit, 100)
	var out []Timer
	var skipped []*queued
	for len(out) < limit && len(s.timers.heap) > 0 && !s.timers.heap[0].avail.After(c.Now) {
		q := heap.Pop(&s.timers).(*queued)
		kind := len(c.Kinds) == 0 || slices.Contains(c.Kinds, q.t.Kind)
		if !kind || slices.ContainsFunc(c.Skip, func(p string) bool { return strings.HasPrefix(q.t.Key, p) }) {
			skipped = append(skipped, q)
			continue
		}
		q.t.Owner = c.Owner
		q.t.LeaseUntil = c.Now.Add(c.Lease)
		q.t.Attempts++
		q.avail = q.t.LeaseUntil // claimable again when the lease runs out
		heap.Push(&s.timers, q)
		out = append(out, q.t)
	}
	for _, q := range skipped {
		heap.Push(&s.timers, q)
	}
	return out, nil
}

// CompleteTimer removes a claimed timer if the lease holds.
func (s *MemoryStore) CompleteTimer(ctx context.Context, t Timer) error {
	if err := s.checkContext(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, ok := s.timers.byKey[t.Key]
	if !ok || q.t.Owner != t.Owner || !q.t.LeaseUntil.Equal(t.LeaseUntil) || t.Owner == "" {
		return fmt.Errorf("%w: %s", ErrLeaseLost, t.Key)
	}
	s.timers.remove(t.Key)
	return nil
}

// notFound is ErrNotFound about one thing, formatted only if printed: the
// Manager looks for members and groups that do not exist yet all the time.
type notFound struct {
	id    ID
	group string
	alert model.Fingerprint
}

func (e *notFound) Error() string {
	switch {
	case e.group != "":
		return "incident: not found: no incident of group " + e.group
	case e.alert != 0:
		return "incident: not found: alert " + e.alert.String() + " in incident " + string(e.id)
	}
	return "incident: not found: incident " + string(e.id)
}

func (e *notFound) Is(target error) bool { return target == ErrNotFound }

// timerQueue holds timers by key and in a heap by the time they can next be
// claimed — their due time, or the end of their lease — so that a claim
// looks only at the timers that are due, however many wait.
type timerQueue struct {
	heap  []*queued
	byKey map[string]*queued
}

type queued struct {
	t     Timer
	avail time.Time
	index int
}

func (q *timerQueue) set(t Timer) {
	if cur, ok := q.byKey[t.Key]; ok {
		cur.t, cur.avail = t, t.Due
		heap.Fix(q, cur.index)
		return
	}
	e := &queued{t: t, avail: t.Due}
	q.byKey[t.Key] = e
	heap.Push(q, e)
}

func (q *timerQueue) remove(key string) {
	if e, ok := q.byKey[key]; ok {
		heap.Remove(q, e.index)
		delete(q.byKey, key)
	}
}

func (q *timerQueue) Len() int { return len(q.heap) }
func (q *timerQueue) Less(i, j int) bool {
	a, b := q.heap[i], q.heap[j]
	if c := a.avail.Compare(b.avail); c != 0 {
		return c < 0
	}
	return a.t.Key < b.t.Key
}
func (q *timerQueue) Swap(i, j int) {
	q.heap[i], q.heap[j] = q.heap[j], q.heap[i]
	q.heap[i].index, q.heap[j].index = i, j
}
func (q *timerQueue) Push(x any) {
	e := x.(*queued)
	e.index = len(q.heap)
	q.heap = append(q.heap, e)
}
func (q *timerQueue) Pop() any {
	old := q.heap
	e := old[len(old)-1]
	old[len(old)-1] = nil
	q.heap = old[:len(old)-1]
	e.index = -1
	return e
}
