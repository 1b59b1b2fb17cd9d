// Package storetest is the conformance suite of incident.Store, as
// testing/slogtest is for slog handlers: every Store implementation runs it
// from its own tests.
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) incident.Store { return newStore(t) })
//	}
//
// The suite covers the lifecycle of stored incidents and their members,
// history order, version conflicts under concurrent updates, the
// uniqueness of a group's active incident under concurrent creation, search
// and counting, and timers: claims, skipped key prefixes, leases that
// expire, completion and lost leases. newStore must return an empty store
// for each call.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alertkit/alertkit/alert"
	"github.com/alertkit/alertkit/incident"
	"github.com/alertkit/alertkit/mql"
)

// Run runs the suite against stores made by newStore.
func Run(t *testing.T, newStore func(t *testing.T) incident.Store) {
	t.Helper()
	tests := []struct {
		name string
		test func(t *testing.T, s incident.Store)
	}{
		{"CreateAndGet", testCreateAndGet},
		{"ReturnsCopies", testReturnsCopies},
		{"UpdateIsVersioned", testUpdateIsVersioned},
		{"ConcurrentUpdatesLoseNothing", testConcurrentUpdates},
		{"OneActiveIncidentPerGroup", testOneActivePerGroup},
		{"ConcurrentCreatesOfAGroup", testConcurrentCreates},
		{"LatestByGroup", testLatestByGroup},
		{"Members", testMembers},
		{"HistoryOrder", testHistoryOrder},
		{"HistoryPages", testHistoryPages},
		{"LongHistoryFolds", testLongHistoryFolds},
		{"Search", testSearch},
		{"TimerClaimAndComplete", testTimerClaim},
		{"TimerLeaseExpires", testTimerLeaseExpiry},
		{"TimerReschedulingDropsTheClaim", testTimerReschedule},
		{"TimerClaimSkipsPrefixes", testTimerClaimSkip},
		{"TimersWrittenWithUpdates", testTimersInWrites},
		{"CancelledContext", testCancelledContext},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.test(t, newStore(t)) })
	}
}

var t0 = time.Date(2026, 9, 3, 8, 52, 40, 0, time.UTC)

// newIncident returns an open incident of group with an ID that sorts by n.
func newIncident(n int, group string) *incident.Incident {
	at := t0.Add(time.Duration(n) * time.Minute)
	return &incident.Incident{
		ID:        incident.ID(fmt.Sprintf("01TEST%06d", n)),
		GroupKey:  group,
		Group:     model.LabelSet{"alertname": model.LabelValue(group)},
		Status:    incident.StatusOpen,
		Project:   "horns-and-hooves",
		Triggers:  []string{group},
		CreatedAt: at,
		UpdatedAt: at,
	}
}

func member(name, instance string, state alert.State) incident.Member {
	ls := model.LabelSet{"alertname": model.LabelValue(name), "instance": model.LabelValue(instance), "namespace": "horns-and-hooves"}
	return incident.Member{
		Fingerprint: ls.Fingerprint(),
		Labels:      ls,
		State:       state,
		StartsAt:    t0,
		JoinedAt:    t0,
		UpdatedAt:   t0,
		ChangedAt:   t0,
	}
}

func testCreateAndGet(t *testing.T, s incident.Store) {
	ctx := context.Background()
	inc := newIncident(1, "TargetDown")
	inc.Snooze = &incident.Snooze{Until: t0.Add(time.Hour), Comment: "later"}
	inc.Severity, inc.ServiceLevel, inc.Flapping, inc.Reopened = 2, "gold", 1, 3
	inc.Escalation = &incident.Escalation{Policy: "sre", Mode: "page", Hold: time.Minute, Steps: 2, Firing: 3, LastPage: t0.Add(time.Minute)}
	m := member("TargetDown", "a", alert.StateFiring)
	m.Added, m.Severity, m.ServiceLevel, m.Flapping = model.LabelSet{"team": "sre"}, 2, "gold", true
	m.RefreshBy, m.RefreshEvery = t0.Add(4*time.Minute), 4*time.Minute
	require.NoError(t, s.Create(ctx, inc, incident.Write{
		Members: []incident.Member{m},
		Events:  []incident.Event{{At: t0, Kind: incident.EventOpened, Actor: "alertkit"}},
	}))
	assert.Equal(t, int64(1), inc.Version, "Create sets version 1")

	got, err := s.Get(ctx, inc.ID)
	require.NoError(t, err)
	assert.Equal(t, inc, got)

	members, err := s.Members(ctx, inc.ID)
	require.NoError(t, err)
	require.Len(t, members, 1)
	assert.Equal(t, m, members[0], "every field of a member is kept")

	history, err := s.History(ctx, inc.ID)
	require.NoError(t, err)
	require.Len(t, history, 1)
	assert.Equal(t, inc.ID, history[0].Incident)
	assert.Equal(t, int64(1), history[0].Seq)

	err = s.Create(ctx, newIncident(1, "Other"), incident.Write{})
	assert.ErrorIs(t, err, incident.ErrExists)
	_, err = s.Get(ctx, "nope")
	assert.ErrorIs(t, err, incident.ErrNotFound)
	_, err = s.Members(ctx, "nope")
	assert.ErrorIs(t, err, incident.ErrNotFound)
	_, err = s.History(ctx, "nope")
	assert.ErrorIs(t, err, incident.ErrNotFound)
	assert.ErrorIs(t, s.AppendHistory(ctx, "nope", incident.Event{}), incident.ErrNotFound)
	_, err = s.Member(ctx, inc.ID, 42)
	assert.ErrorIs(t, err, incident.ErrNotFound)
}

func testReturnsCopies(t *testing.T, s incident.Store) {
	ctx := context.Background()
	inc := newIncident(1, "TargetDown")
	require.NoError(t, s.Create(ctx, inc, incident.Write{}))
	inc.Triggers[0] = "changed after Create"
	got, err := s.Get(ctx, inc.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{"TargetDown"}, got.Triggers)
	got.Triggers[0] = "changed after Get"
	got.Status = incident.StatusClosed
	again, err := s.Get(ctx, inc.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{"TargetDown"}, again.Triggers)
	assert.Equal(t, incident.StatusOpen, again.Status)
}

func testUpdateIsVersioned(t *testing.T, s incident.Store) {
	ctx := context.Background()
	inc := newIncident(1, "TargetDown")
	require.NoError(t, s.Create(ctx, inc, incident.Write{}))
	stale, err := s.Get(ctx, inc.ID)
	require.NoError(t, err)

	inc.Owner = "vasiliy.vasiliyev"
	require.NoError(t, s.Update(ctx, inc, incident.Write{}))
	assert.Equal(t, int64(2), inc.Version)

	stale.Owner = "someone.else"
	err = s.Update(ctx, stale, incident.Write{})
	require.ErrorIs(t, err, incident.ErrConflict)
	var ce *incident.ConflictError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, int64(1), ce.Have)
	assert.Equal(t, int64(2), ce.Stored)

	got, err := s.Get(ctx, inc.ID)
	require.NoError(t, err)
	assert.Equal(t, "vasiliy.vasiliyev", got.Owner, "the stale update changed nothing")
	assert.ErrorIs(t, s.Update(ctx, newIncident(9, "X"), incident.Write{}), incident.ErrNotFound)
}

// testConcurrentUpdates has goroutines increment a counter by
// read-modify-write with retries: no increment may be lost.
func testConcurrentUpdates(t *testing.T, s incident.Store) {
	ctx := context.Background()
	inc := newIncident(1, "TargetDown")
	require.NoError(t, s.Create(ctx, inc, incident.Write{}))
	const workers, each = 8, 25
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				for {
					cur, err := s.Get(ctx, inc.ID)
					if !assert.NoError(t, err) {
						return
					}
					cur.Alerts++
					ev := incident.Event{At: t0, Kind: incident.EventCommented, Note: fmt.Sprintf("%d.%d", w, i)}
					err = s.Update(ctx, cur, incident.Write{Events: []incident.Event{ev}})
					if errors.Is(err, incident.ErrConflict) {
						continue
					}
					assert.NoError(t, err)
					break
				}
			}
		})
	}
	wg.Wait()
	got, err := s.Get(ctx, inc.ID)
	require.NoError(t, err)
	assert.Equal(t, workers*each, got.Alerts)
	assert.Equal(t, int64(1+workers*each), got.Version)
	history, err := s.History(ctx, inc.ID)
	require.NoError(t, err)
	assert.Len(t, history, workers*each, "one event per successful update, none from failed ones")
}

func testOneActivePerGroup(t *testing.T, s incident.Store) {
	ctx := context.Background()
	first := newIncident(1, "TargetDown")
	require.NoError(t, s.Create(ctx, first, incident.Write{}))
	assert.ErrorIs(t, s.Create(ctx, newIncident(2, "TargetDown"), incident.Write{}), incident.ErrGroupActive)

	resolved := newIncident(3, "TargetDown")
	resolved.Status = incident.StatusResolved
	require.NoError(t, s.Create(ctx, resolved, incident.Write{}), "a finished incident may share the group")

	first.Status = incident.StatusResolved
	require.NoError(t, s.Update(ctx, first, incident.Write{}))
	second := newIncident(4, "TargetDown")
	require.NoError(t, s.Create(ctx, second, incident.Write{}), "the group is free again")

	first.Status = incident.StatusOpen
	assert.ErrorIs(t, s.Update(ctx, first, incident.Write{}), incident.ErrGroupActive, "reopening would make two")
	second.Status = incident.StatusAcknowledged
	require.NoError(t, s.Update(ctx, second, incident.Write{}), "an active incident stays active")
}

func testConcurrentCreates(t *testing.T, s incident.Store) {
	ctx := context.Background()
	const n = 16
	var wg sync.WaitGroup
	var mu sync.Mutex
	created, refused := 0, 0
	for i := range n {
		wg.Go(func() {
			err := s.Create(ctx, newIncident(i+1, "NodePressureConditions"), incident.Write{})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				created++
			case errors.Is(err, incident.ErrGroupActive):
				refused++
			default:
				t.Errorf("create: %v", err)
			}
		})
	}
	wg.Wait()
	assert.Equal(t, 1, created)
	assert.Equal(t, n-1, refused)
}

func testLatestByGroup(t *testing.T, s incident.Store) {
	ctx := context.Background()
	_, err := s.LatestByGroup(ctx, "TargetDown")
	assert.ErrorIs(t, err, incident.ErrNotFound)
	for i, status := range []incident.Status{incident.StatusClosed, incident.StatusResolved, incident.StatusOpen} {
		inc := newIncident(i+1, "TargetDown")
		inc.Status = status
		require.NoError(t, s.Create(ctx, inc, incident.Write{}))
	}
	require.NoError(t, s.Create(ctx, newIncident(10, "Other"), incident.Write{}))
	got, err := s.LatestByGroup(ctx, "TargetDown")
	require.NoError(t, err)
	assert.Equal(t, newIncident(3, "").ID, got.ID)
}

func testMembers(t *testing.T, s incident.Store) {
	ctx := context.Background()
	inc := newIncident(1, "TargetDown")
	a, b, c := member("TargetDown", "a", alert.StateFiring), member("TargetDown", "b", alert.StateFiring), member("TargetDown", "c", alert.StatePending)
	require.NoError(t, s.Create(ctx, inc, incident.Write{Members: []incident.Member{b, a}}))
	a.State, a.ChangedAt = alert.StateResolved, t0.Add(time.Minute)
	require.NoError(t, s.Update(ctx, inc, incident.Write{Members: []incident.Member{c, a}}))

	members, err := s.Members(ctx, inc.ID)
	require.NoError(t, err)
	require.Len(t, members, 3)
	var order []string
	for _, m := range members {
		order = append(order, string(m.Labels["instance"]))
	}
	assert.Equal(t, []string{"b", "a", "c"}, order, "join order, replacing in place")
	got, err := s.Member(ctx, inc.ID, a.Fingerprint)
	require.NoError(t, err)
	assert.Equal(t, alert.StateResolved, got.State)
	assert.Equal(t, t0.Add(time.Minute), got.ChangedAt)
}

func testHistoryOrder(t *testing.T, s incident.Store) {
	ctx := context.Background()
	inc := newIncident(1, "TargetDown")
	ev := func(note string) incident.Event {
		return incident.Event{At: t0, Kind: incident.EventCommented, Actor: "x", Note: note}
	}
	require.NoError(t, s.Create(ctx, inc, incident.Write{Events: []incident.Event{ev("1"), ev("2")}}))
	require.NoError(t, s.AppendHistory(ctx, inc.ID, ev("3")))
	require.NoError(t, s.Update(ctx, inc, incident.Write{Events: []incident.Event{ev("4"), ev("5")}}))
	require.NoError(t, s.AppendHistory(ctx, inc.ID, ev("6"), ev("7")))
	history, err := s.History(ctx, inc.ID)
	require.NoError(t, err)
	require.Len(t, history, 7)
	for i, e := range history {
		assert.Equal(t, fmt.Sprint(i+1), e.Note)
		assert.Equal(t, int64(i+1), e.Seq)
		assert.Equal(t, inc.ID, e.Incident)
	}
}

// testHistoryPages reads a history of 250 entries a page at a time,
// newest page first.
func testHistoryPages(t *testing.T, s incident.Store) {
	ctx := context.Background()
	inc := newIncident(1, "TargetDown")
	require.NoError(t, s.Create(ctx, inc, incident.Write{}))
	for i := range 250 {
		require.NoError(t, s.AppendHistory(ctx, inc.ID, incident.Event{At: t0.Add(time.Duration(i) * time.Second), Kind: incident.EventCommented, Actor: "x", Note: fmt.Sprint(i + 1)}))
	}
	page, err := s.HistoryPage(ctx, inc.ID, incident.HistoryQuery{})
	require.NoError(t, err)
	require.Len(t, page, incident.DefaultHistoryLimit, "the default page")
	assert.Equal(t, int64(151), page[0].Seq, "the newest entries, oldest first")
	assert.Equal(t, int64(250), page[len(page)-1].Seq)

	var seqs []int64
	before := int64(0)
	for {
		page, err := s.HistoryPage(ctx, inc.ID, incident.HistoryQuery{Before: before, Limit: 60})
		require.NoError(t, err)
		if len(page) == 0 {
			break
		}
		require.LessOrEqual(t, len(page), 60)
		for i := len(page) - 1; i >= 0; i-- {
			assert.Equal(t, fmt.Sprint(page[i].Seq), page[i].Note)
			assert.Equal(t, inc.ID, page[i].Incident)
			seqs = append(seqs, page[i].Seq)
		}
		before = page[0].Seq
	}
	require.Len(t, seqs, 250, "every entry, once")
	for i, seq := range seqs {
		require.Equal(t, int64(250-i), seq)
	}

	_, err = s.HistoryPage(ctx, "nope", incident.HistoryQuery{})
	require.ErrorIs(t, err, incident.ErrNotFound)
}

// testLongHistoryFolds writes more than DefaultMaxHistory entries to an
// incident: the store keeps at most that many, the oldest folded into one
// entry that counts every one of them.
func testLongHistoryFolds(t *testing.T, s incident.Store) {
	ctx := context.Background()
	inc := newIncident(1, "TargetDown")
	require.NoError(t, s.Create(ctx, inc, incident.Write{Events: []incident.Event{{At: t0, Kind: incident.EventOpened, Actor: "alertkit"}}}))
	const total = incident.DefaultMaxHistory*2 + 57
	for i := 1; i < total; i += 50 {
		var batch []incident.Event
		for j := i; j < min(i+50, total); j++ {
			kind := incident.EventCommented
			if j%10 == 0 {
				kind = incident.EventNotified
			}
			batch = append(batch, incident.Event{At: t0.Add(time.Duration(j) * time.Second), Kind: kind, Actor: "x", Note: fmt.Sprint(j + 1)})
		}
		if i%100 == 1 {
			require.NoError(t, s.AppendHistory(ctx, inc.ID, batch...))
		} else {
			require.NoError(t, s.Update(ctx, inc, incident.Write{Events: batch}))
		}
	}
	history, err := s.History(ctx, inc.ID)
	require.NoError(t, err)
	require.LessOrEqual(t, len(history), incident.DefaultMaxHistory, "the cap holds")
	first := history[0]
	require.Equal(t, incident.EventFolded, first.Kind, "the oldest entries are folded into the first")
	require.NotNil(t, first.Fold)
	assert.Equal(t, int64(1), first.Seq)
	assert.Equal(t, total, first.Fold.Entries+len(history)-1, "the fold counts every entry it replaced")
	assert.Equal(t, 1, first.Fold.Kinds[incident.EventOpened])
	assert.Equal(t, first.Fold.Entries, first.Fold.Kinds[incident.EventOpened]+first.Fold.Kinds[incident.EventCommented]+first.Fold.Kinds[incident.EventNotified])
	assert.True(t, first.Fold.From.Equal(t0))
	assert.Contains(t, first.Note, "older entries, 2026-09-03 08:52:40 to ")
	for i := 1; i < len(history); i++ {
		require.Less(t, history[i-1].Seq, history[i].Seq)
		require.NotEqual(t, incident.EventFolded, history[i].Kind)
	}
	last := history[len(history)-1]
	assert.Equal(t, int64(total), last.Seq, "the newest entries are kept as they were")
	assert.Equal(t, fmt.Sprint(total), last.Note)
	assert.Equal(t, last.Seq-int64(len(history))+2, history[1].Seq, "no entry is lost between the fold and the newest")
	assert.True(t, first.Fold.To.Before(history[1].At))
}

func testSearch(t *testing.T, s incident.Store) {
	ctx := context.Background()
	groups := []string{"TargetDown", "IngressResponses5xx", "TargetDown", "NodePressureConditions", "TargetDown"}
	var ids []incident.ID
	for i, g := range groups {
		inc := newIncident(i+1, g)
		if i < 3 {
			inc.Status = incident.StatusResolved
		}
		m := member(g, fmt.Sprint("instance-", i), alert.StateFiring)
		require.NoError(t, s.Create(ctx, inc, incident.Write{Members: []incident.Member{m}}))
		ids = append(ids, inc.ID)
	}
	search := func(f incident.Filter) []incident.ID {
		t.Helper()
		found, err := s.Search(ctx, f)
		require.NoError(t, err)
		var out []incident.ID
		for _, inc := range found {
			out = append(out, inc.ID)
		}
		return out
	}
	q := mql.MustParse(`trigger = TargetDown`)
	assert.Equal(t, []incident.ID{ids[4], ids[2], ids[0]}, search(incident.Filter{Query: q}), "newest first")
	assert.Equal(t, []incident.ID{ids[4], ids[2]}, search(incident.Filter{Query: q, Limit: 2}))
	assert.Equal(t, []incident.ID{ids[2], ids[0]}, search(incident.Filter{Query: q, Before: ids[4]}), "the next page")
	assert.Equal(t, []incident.ID{ids[4]}, search(incident.Filter{Query: mql.MustParse(`status = open AND ~instance = "instance-4"`)}))
	assert.Equal(t, []incident.ID{ids[3], ids[2], ids[1]},
		search(incident.Filter{CreatedFrom: t0.Add(2 * time.Minute), CreatedTo: t0.Add(5 * time.Minute)}))
	assert.Len(t, search(incident.Filter{}), 5)

	similar := newIncident(99, "TargetDown")
	assert.Equal(t, []incident.ID{ids[4], ids[2], ids[0]}, search(incident.Filter{Signature: similar.Signature()}))

	n, err := s.Count(ctx, incident.Filter{Query: q, Limit: 1})
	require.NoError(t, err)
	assert.Equal(t, 3, n, "Count ignores the limit")
}

func timer(key string, due time.Time) incident.Timer {
	return incident.Timer{Key: key, Kind: "wake", Incident: "01TEST000001", Due: due}
}

func claim(t *testing.T, s incident.Store, now time.Time, owner string, kinds ...string) []incident.Timer {
	t.Helper()
	got, err := s.ClaimTimers(context.Background(), incident.Claim{Now: now, Owner: owner, Lease: time.Minute, Kinds: kinds})
	require.NoError(t, err)
	return got
}

func testTimerClaim(t *testing.T, s incident.Store) {
	ctx := context.Background()
	require.NoError(t, s.SetTimer(ctx, timer("wake/b", t0.Add(2*time.Minute))))
	require.NoError(t, s.SetTimer(ctx, timer("wake/a", t0.Add(time.Minute))))
	esc := timer("escalate/a", t0.Add(time.Minute))
	esc.Kind = "escalate"
	require.NoError(t, s.SetTimer(ctx, esc))

	assert.Empty(t, claim(t, s, t0, "w1"), "nothing is due")
	got := claim(t, s, t0.Add(5*time.Minute), "w1", "wake")
	require.Len(t, got, 2, "only the kinds asked for")
	assert.Equal(t, "wake/a", got[0].Key, "earliest first")
	assert.Equal(t, "w1", got[0].Owner)
	assert.Equal(t, t0.Add(6*time.Minute), got[0].LeaseUntil)
	assert.Equal(t, 1, got[0].Attempts)
	assert.Empty(t, claim(t, s, t0.Add(5*time.Minute), "w2", "wake"), "leased timers are not claimed twice")

	require.NoError(t, s.CompleteTimer(ctx, got[0]))
	assert.ErrorIs(t, s.CompleteTimer(ctx, got[0]), incident.ErrLeaseLost, "completing twice")
	require.NoError(t, s.CancelTimer(ctx, "wake/b"))
	require.NoError(t, s.CancelTimer(ctx, "wake/never-set"))
	assert.ErrorIs(t, s.CompleteTimer(ctx, got[1]), incident.ErrLeaseLost, "a cancelled timer")
	rest := claim(t, s, t0.Add(time.Hour), "w3")
	require.Len(t, rest, 1)
	assert.Equal(t, "escalate/a", rest[0].Key)

	_, err := s.ClaimTimers(ctx, incident.Claim{Now: t0, Lease: time.Minute})
	assert.Error(t, err, "a claim without an owner")

	for i := range 150 {
		require.NoError(t, s.SetTimer(ctx, timer(fmt.Sprintf("many/%03d", i), t0)))
	}
	assert.Len(t, claim(t, s, t0.Add(2*time.Hour), "w4"), 100, "the default limit")
}

func testTimerLeaseExpiry(t *testing.T, s incident.Store) {
	ctx := context.Background()
	require.NoError(t, s.SetTimer(ctx, timer("wake/a", t0)))
	first := claim(t, s, t0, "dead-replica")
	require.Len(t, first, 1)
	assert.Empty(t, claim(t, s, t0.Add(59*time.Second), "w2"))

	second := claim(t, s, t0.Add(time.Minute), "w2")
	require.Len(t, second, 1, "the lease expired: another worker takes it over")
	assert.Equal(t, 2, second[0].Attempts)
	assert.ErrorIs(t, s.CompleteTimer(ctx, first[0]), incident.ErrLeaseLost, "the first worker lost it")
	require.NoError(t, s.CompleteTimer(ctx, second[0]))
	assert.Empty(t, claim(t, s, t0.Add(time.Hour), "w3"))
}

func testTimerReschedule(t *testing.T, s incident.Store) {
	ctx := context.Background()
	require.NoError(t, s.SetTimer(ctx, timer("wake/a", t0)))
	claimed := claim(t, s, t0, "w1")
	require.Len(t, claimed, 1)
	require.NoError(t, s.SetTimer(ctx, timer("wake/a", t0.Add(time.Hour))))
	assert.ErrorIs(t, s.CompleteTimer(ctx, claimed[0]), incident.ErrLeaseLost, "the timer was rescheduled")
	assert.Empty(t, claim(t, s, t0.Add(time.Minute), "w2"))
	got := claim(t, s, t0.Add(time.Hour), "w2")
	require.Len(t, got, 1)
	assert.Equal(t, 1, got[0].Attempts)
}

func testTimerClaimSkip(t *testing.T, s incident.Store) {
	ctx := context.Background()
	// The skipped timers are the earliest: a claim of one still takes a
	// timer, the first that is not skipped. Prefixes are plain text: % and
	// _ are not wildcards.
	for i, key := range []string{"notify/a/1", "notify/a/2", "notify/%/1", "notify/a_b/1", "notify/ab/1", "notify/axb/1", "notify/b/1", "digest/1"} {
		require.NoError(t, s.SetTimer(ctx, timer(key, t0.Add(time.Duration(i)*time.Second))))
	}
	skip := []string{"notify/a/", "notify/%/", "notify/a_b/"}
	keys := func(ts []incident.Timer) []string {
		var out []string
		for _, t := range ts {
			out = append(out, t.Key)
		}
		return out
	}
	now := t0.Add(time.Minute)
	got, err := s.ClaimTimers(ctx, incident.Claim{Now: now, Owner: "w1", Lease: time.Minute, Limit: 1, Skip: skip})
	require.NoError(t, err)
	assert.Equal(t, []string{"notify/ab/1"}, keys(got), "the limit counts only what is claimed")

	got, err = s.ClaimTimers(ctx, incident.Claim{Now: now, Owner: "w1", Lease: time.Minute, Skip: skip})
	require.NoError(t, err)
	assert.Equal(t, []string{"notify/axb/1", "notify/b/1", "digest/1"}, keys(got))

	got, err = s.ClaimTimers(ctx, incident.Claim{Now: now, Owner: "w2", Lease: time.Minute})
	require.NoError(t, err)
	require.Equal(t, []string{"notify/a/1", "notify/a/2", "notify/%/1", "notify/a_b/1"}, keys(got), "skipped timers stay free for others")
	assert.Equal(t, 1, got[0].Attempts, "and were never claimed")
}

func testTimersInWrites(t *testing.T, s incident.Store) {
	ctx := context.Background()
	inc := newIncident(1, "TargetDown")
	require.NoError(t, s.Create(ctx, inc, incident.Write{Timers: []incident.Timer{timer("wake/a", t0), timer("resolve/a", t0)}}))
	require.NoError(t, s.Update(ctx, inc, incident.Write{Cancel: []string{"wake/a"}}))
	got := claim(t, s, t0, "w1")
	require.Len(t, got, 1)
	assert.Equal(t, "resolve/a", got[0].Key)
	require.NoError(t, s.CompleteTimer(ctx, got[0]))

	stale := *inc
	stale.Version = 1
	err := s.Update(ctx, &stale, incident.Write{Timers: []incident.Timer{timer("wake/stale", t0)}})
	require.ErrorIs(t, err, incident.ErrConflict)
	assert.Empty(t, claim(t, s, t0.Add(time.Hour), "w2"), "a refused update writes no timer")
}

func testCancelledContext(t *testing.T, s incident.Store) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	assert.ErrorIs(t, s.Create(ctx, newIncident(1, "X"), incident.Write{}), context.Canceled)
	_, err := s.Get(ctx, "x")
	assert.ErrorIs(t, err, context.Canceled)
	_, err = s.Search(ctx, incident.Filter{})
	assert.ErrorIs(t, err, context.Canceled)
	_, err = s.ClaimTimers(ctx, incident.Claim{Now: t0, Owner: "w", Lease: time.Minute})
	assert.ErrorIs(t, err, context.Canceled)
}
