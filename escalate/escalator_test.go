package escalate_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alertkit/alertkit/escalate"
	"github.com/alertkit/alertkit/incident"
	"github.com/alertkit/alertkit/route"
	"github.com/alertkit/alertkit/severity"
)

// S3 on Platinum pages within 10 minutes, after a 2-minute pending hold:
// L1, then L2, then the team and its lead, 10 minutes apart.
func TestEscalationWalksTheLadder(t *testing.T) {
	w := newWorld(t, weekTime(t, "Mon 10:00"), sreConfig)
	w.open("db", "severity_level=3", "service_level=platinum")
	w.at("Mon 11:00")

	assert.Equal(t, []string{
		"Mon 10:02:00 db escalation bravo",
		"Mon 10:12:00 db escalation delta",
		"Mon 10:22:00 db escalation sre-lead, team:sre",
	}, w.pageLines())
	assert.Equal(t, []string{
		"Mon 10:02:00 db escalated: step 1 of sre/page 10m: paged bravo",
		"Mon 10:12:00 db escalated: step 2 of sre/page 10m: nobody acknowledged within 10m: paged delta",
		"Mon 10:22:00 db escalated: step 3 of sre/page 10m: nobody acknowledged within 10m: paged sre-lead; teams sre",
		"Mon 10:32:00 db escalated: sre/page 10m exhausted: nobody acknowledged within 10m of its last step",
	}, w.timeline())
	inc := w.get("db")
	assert.Equal(t, "bravo", inc.Owner, "the first person paged holds the baton")
	esc := inc.Escalation
	require.NotNil(t, esc)
	assert.Equal(t, incident.Escalation{Policy: "sre/page 10m", Mode: "page", Hold: 2 * time.Minute, Steps: 3, Exhausted: true},
		incident.Escalation{Policy: esc.Policy, Mode: esc.Mode, Hold: esc.Hold, Steps: esc.Steps, Exhausted: esc.Exhausted})
	assert.True(t, esc.LastPage.Equal(weekTime(t, "Mon 10:22")), "last paged at the third step, not %s", esc.LastPage)

	keys := map[string]bool{}
	for _, p := range w.pages.sent() {
		assert.False(t, keys[p.Key], "key %s used twice", p.Key)
		keys[p.Key] = true
	}
}

func TestAckDuringAWaitStopsTheEscalation(t *testing.T) {
	w := newWorld(t, weekTime(t, "Mon 10:00"), sreConfig)
	w.open("db", "severity_level=3", "service_level=platinum")
	w.at("Mon 10:05")
	w.ack("db", "bravo")
	w.at("Mon 15:59") // until bravo's shift ends: the baton is tested below
	assert.Equal(t, []string{"Mon 10:02:00 db escalation bravo"}, w.pageLines())
}

func TestResolveDuringAWaitStopsTheEscalation(t *testing.T) {
	w := newWorld(t, weekTime(t, "Mon 10:00"), sreConfig)
	w.open("db", "severity_level=3", "service_level=platinum")
	w.at("Mon 10:05")
	w.resolve("db")
	w.at("Tue 10:00")
	assert.Equal(t, []string{"Mon 10:02:00 db escalation bravo"}, w.pageLines())
	assert.Equal(t, incident.StatusResolved, w.get("db").Status)
}

// The pending hold: an alert that resolves before its hold is over pages
// nobody; firing again later resumes from the first step.
func TestPendingHold(t *testing.T) {
	w := newWorld(t, weekTime(t, "Mon 10:00"), sreConfig)
	w.open("blip", "severity_level=3", "service_level=platinum") // hold 2m
	w.at("Mon 10:01:30")
	w.resolve("blip")
	w.at("Mon 10:20")
	assert.Empty(t, w.pageLines())
	assert.Equal(t, []string{
		"Mon 10:01:30 blip resolved by alertkit",
		"Mon 10:02:00 blip escalated: resolved within the pending hold: nobody paged",
	}, w.timeline())

	w.refire("blip") // within ReopenWithin: the same incident reopens, a new firing held again
	w.at("Mon 10:23")
	assert.Equal(t, []string{"Mon 10:22:00 blip escalation bravo"}, w.pageLines())

	// S1 on Platinum is held 12 seconds.
	w.open("fire", "severity_level=1", "service_level=platinum")
	w.at("Mon 10:24")
	assert.Equal(t, "Mon 10:23:12 fire escalation bravo", w.pageLines()[1])
}

func TestSnoozeAndWake(t *testing.T) {
	w := newWorld(t, weekTime(t, "Mon 10:00"), sreConfig)
	w.open("db", "severity_level=3", "service_level=platinum")
	w.open("web", "severity_level=3", "service_level=platinum")
	w.at("Mon 10:05")
	for _, name := range []string{"db", "web"} {
		_, err := w.m.Snooze(w.ctx, w.id(name), "bravo", incident.SnoozeOptions{For: time.Hour})
		require.NoError(t, err)
	}
	w.at("Mon 10:40")
	// web gets worse: a second alert joins and wakes it; the escalation
	// takes its next step at once.
	w.observe(alertOf(w, "web", "instance=b"))
	require.NoError(t, w.e.Resume(w.ctx, w.id("web")))
	w.at("Mon 12:00")
	assert.Equal(t, []string{
		"Mon 10:02:00 db escalation bravo",
		"Mon 10:02:00 web escalation bravo",
		"Mon 10:40:00 web escalation delta",
		"Mon 10:50:00 web escalation sre-lead, team:sre",
		"Mon 11:05:00 db escalation delta", // the snooze ran out: the next step
		"Mon 11:15:00 db escalation sre-lead, team:sre",
	}, sortedLines(w.pageLines()))
}

// A batch response goes to the digest once, after its hold; a
// retrospective one is recorded, and nobody is notified.
func TestBatchAndRetrospective(t *testing.T) {
	w := newWorld(t, weekTime(t, "Mon 10:00"), sreConfig)
	w.open("disk", "severity_level=5", "service_level=platinum")  // batch, hold 15m
	w.open("noise", "severity_level=8", "service_level=platinum") // retrospective
	w.open("quick", "severity_level=4", "service_level=gold")     // batch, resolves within its hold
	w.at("Mon 10:10")
	w.resolve("quick")
	w.at("Wed 10:00")
	require.Len(t, w.pages.sent(), 1)
	p := w.pages.sent()[0]
	assert.Equal(t, escalate.Page{Key: string(w.id("disk")) + "/digest", Kind: escalate.PageDigest, Incident: w.id("disk"), Reason: "a batch response: the next digest"}, p.Page)
	assert.Equal(t, weekTime(t, "Mon 10:15"), p.At)
	assert.Equal(t, []string{
		"Mon 10:00:00 noise escalated: recorded for the retrospective: nobody is notified",
		"Mon 10:10:00 quick resolved by alertkit",
		"Mon 10:15:00 disk escalated: queued for the digest: a batch response",
		"Mon 10:15:00 quick escalated: resolved within the pending hold: left out of the digest",
	}, w.timeline())
}

// A policy written by hand, repeated: every round pages again, each page
// with its own key, until the policy is exhausted.
func TestRepeatAndExhaustion(t *testing.T) {
	w := newWorld(t, weekTime(t, "Mon 10:00"), sreConfig)
	require.NoError(t, w.e.AddPolicy(&escalate.Policy{Name: "db", Repeat: 1, Steps: []escalate.Step{
		{Notify: []route.Target{{Kind: route.TargetOnCall, Name: "sre/L1"}, {Kind: route.TargetReceiver, Name: "db-chat"}}, Wait: 5 * time.Minute},
		{Notify: []route.Target{{Kind: route.TargetUser, Name: "db-lead"}}, Wait: 15 * time.Minute},
	}}))
	inc := w.observe(alertOf(w, "db"))
	w.ids["db"], w.names[inc.ID] = inc.ID, "db"
	require.NoError(t, w.e.Engage(w.ctx, inc.ID, escalate.Plan{Mode: severity.ModePage, Policy: "db"}))
	w.at("Mon 12:00")
	assert.Equal(t, []string{
		"Mon 10:00:00 db escalation bravo, receiver:db-chat",
		"Mon 10:05:00 db escalation db-lead",
		"Mon 10:20:00 db escalation bravo, receiver:db-chat",
		"Mon 10:25:00 db escalation db-lead",
	}, w.pageLines())
	var keys []string
	for _, p := range w.pages.sent() {
		keys = append(keys, p.Key[len(inc.ID):])
	}
	assert.Equal(t, []string{"/escalate/1", "/escalate/2", "/escalate/3", "/escalate/4"}, keys)
	assert.Contains(t, w.timeline(), "Mon 10:20:00 db escalated: step 1 of db: nobody acknowledged within 15m: paged bravo; receivers db-chat (round 2)")
	assert.True(t, w.get("db").Escalation.Exhausted)

	// Engaging again does nothing.
	require.NoError(t, w.e.Engage(w.ctx, inc.ID, escalate.Plan{Mode: severity.ModePage, Policy: "db"}))
	w.at("Mon 13:00")
	assert.Len(t, w.pages.sent(), 4)
}

// Restart: an escalator stops between two steps; a new one on the same
// store takes the next step on time, and no step is lost or repeated.
func TestRestartBetweenSteps(t *testing.T) {
	w := newWorld(t, weekTime(t, "Mon 10:00"), sreConfig)
	w.open("db", "severity_level=3", "service_level=platinum")
	w.at("Mon 10:05")
	w.e = w.escalator("escalator-2") // the first one is gone
	w.at("Mon 11:00")
	assert.Equal(t, []string{
		"Mon 10:02:00 db escalation bravo",
		"Mon 10:12:00 db escalation delta",
		"Mon 10:22:00 db escalation sre-lead, team:sre",
	}, w.pageLines())
}

// failingStore fails the update that records an escalation step, once: an
// escalator that dies after paging, before the store heard of it.
type failingStore struct {
	incident.Store
	once sync.Once
}

func (s *failingStore) Update(ctx context.Context, inc *incident.Incident, wr incident.Write) error {
	fail := false
	if inc.Escalation != nil && inc.Escalation.Steps > 0 {
		s.once.Do(func() { fail = true })
	}
	if fail {
		return errors.New("connection reset")
	}
	return s.Store.Update(ctx, inc, wr)
}

// A crash between the page and its record: the page goes out again, when
// the dead escalator's lease runs out, with the same key; the step is
// recorded once, and the escalation goes on.
func TestCrashAfterPagingBeforeRecording(t *testing.T) {
	w := newWorld(t, weekTime(t, "Mon 10:00"), sreConfig)
	w.open("db", "severity_level=3", "service_level=platinum")
	w.at("Mon 10:01:54")
	crashing := escalate.New(incident.NewManager(&failingStore{Store: w.store}, nil), w.pages,
		&escalate.Options{Now: w.clock.Now, Owner: "crashing"})
	require.NoError(t, crashing.Load(w.cfg))
	w.e = crashing
	w.clock.Set(weekTime(t, "Mon 10:02"))
	_, err := crashing.ProcessTimers(w.ctx)
	require.ErrorContains(t, err, "connection reset")

	w.e = w.escalator("escalator-2")
	w.at("Mon 10:02:30") // the lease of the dead one holds
	require.Len(t, w.pages.sent(), 1)
	w.at("Mon 11:00")
	pages := w.pages.sent()
	require.Len(t, pages, 4)
	assert.Equal(t, pages[0].Page, pages[1].Page, "the page sent again is the same, key and all")
	assert.Equal(t, weekTime(t, "Mon 10:03"), pages[1].At, "sent again when the lease ran out")
	assert.Equal(t, []string{
		"Mon 10:03:00 db escalated: step 1 of sre/page 10m: paged bravo",
		"Mon 10:13:00 db escalated: step 2 of sre/page 10m: nobody acknowledged within 10m: paged delta",
		"Mon 10:23:00 db escalated: step 3 of sre/page 10m: nobody acknowledged within 10m: paged sre-lead; teams sre",
		"Mon 10:33:00 db escalated: sre/page 10m exhausted: nobody acknowledged within 10m of its last step",
	}, w.timeline())
}

// Replicas racing on one store: every step is taken once.
func TestReplicasTakeEachStepOnce(t *testing.T) {
	w := newWorld(t, weekTime(t, "Mon 10:00"), sreConfig)
	for _, name := range []string{"a", "b", "c", "d", "e", "f", "g", "h"} {
		w.open(name, "severity_level=2", "service_level=gold")
	}
	replicas := []*escalate.Escalator{w.e, w.escalator("escalator-2"), w.escalator("escalator-3")}
	for end := weekTime(t, "Mon 11:00"); w.clock.Now().Before(end); w.clock.Advance(w.tick) {
		var wg sync.WaitGroup
		for _, r := range replicas {
			wg.Go(func() {
				_, err := r.ProcessTimers(w.ctx)
				assert.NoError(t, err)
			})
		}
		wg.Wait()
	}
	assert.Len(t, w.pages.sent(), 8*3)
	for name := range w.ids {
		assert.Equal(t, 3, w.get(name).Escalation.Steps, name)
	}
}

// The baton: at 16:00 bravo's incidents go to charlie with a note; one
// charlie accepts stays with charlie, one charlie does not accept within
// its response time goes to L2's on-call.
func TestBatonAtShiftChange(t *testing.T) {
	w := newWorld(t, weekTime(t, "Mon 15:00"), sreConfig)
	w.open("db", "severity_level=3", "service_level=platinum")  // page 10m
	w.open("web", "severity_level=2", "service_level=platinum") // page 5m
	w.at("Mon 15:03")
	w.ack("db", "bravo")
	w.ack("web", "bravo")
	w.at("Mon 16:03")
	for _, name := range []string{"db", "web"} {
		inc := w.get(name)
		assert.Equal(t, "charlie", inc.Owner, name)
		require.NotNil(t, inc.Handover, name)
		assert.Equal(t, "shift change at 2026-11-23 16:00 CET: bravo hands over to charlie (sre L1)", inc.Handover.Note)
	}
	w.accept("db", "charlie")
	w.at("Mon 17:00")
	assert.Equal(t, []string{
		"Mon 15:01:00 web escalation bravo",
		"Mon 15:02:00 db escalation bravo",
		"Mon 16:05:00 web baton delta",
	}, sortedLines(w.pageLines()))
	assert.Equal(t, []string{
		"Mon 16:00:00 db handed_over bravo → charlie",
		"Mon 16:03:00 db handover_accepted bravo → charlie",
	}, w.timeline("db")[2:])
	assert.Equal(t, []string{
		"Mon 16:00:00 web handed_over bravo → charlie",
		"Mon 16:05:00 web escalated: hand-over from bravo to charlie not accepted within 5m: paged delta",
	}, w.timeline("web")[2:])
}

// An escalation that spans a shift change goes on where it stood: the
// hand-over moves the owner, the next step pages the next level, and the
// unaccepted baton is left to the escalation while it still pages.
func TestEscalationSpansAShiftChange(t *testing.T) {
	w := newWorld(t, weekTime(t, "Mon 15:50"), sreConfig)
	w.open("db", "severity_level=3", "service_level=platinum")
	w.at("Mon 17:00")
	assert.Equal(t, []string{
		"Mon 15:52:00 db escalated: step 1 of sre/page 10m: paged bravo",
		"Mon 16:00:00 db handed_over bravo → charlie",
		"Mon 16:02:00 db escalated: step 2 of sre/page 10m: nobody acknowledged within 10m: paged delta",
		"Mon 16:10:00 db escalated: hand-over from bravo to charlie not accepted within 10m: left to the escalation, which is still paging",
		"Mon 16:12:00 db escalated: step 3 of sre/page 10m: nobody acknowledged within 10m: paged sre-lead; teams sre",
		"Mon 16:22:00 db escalated: sre/page 10m exhausted: nobody acknowledged within 10m of its last step",
	}, w.timeline())
	assert.Len(t, w.pages.sent(), 3)
}

// At night L2 is off duty: its step is skipped, and the team is paged at
// once.
func TestOffDutyLevelIsSkipped(t *testing.T) {
	w := newWorld(t, weekTime(t, "Mon 20:00"), sreConfig)
	w.open("db", "severity_level=3", "service_level=platinum")
	w.at("Mon 21:00")
	assert.Equal(t, []string{
		"Mon 20:02:00 db escalated: step 1 of sre/page 10m: paged charlie",
		"Mon 20:12:00 db escalated: step 2 of sre/page 10m: nobody on call for oncall:sre/L2, skipped",
		"Mon 20:12:00 db escalated: step 3 of sre/page 10m: nobody acknowledged within 10m: paged sre-lead; teams sre",
		"Mon 20:22:00 db escalated: sre/page 10m exhausted: nobody acknowledged within 10m of its last step",
	}, w.timeline())
}

// An override inside a shift: foxtrot covers L1 from 10:00 to 12:00 in
// bravo's shift, is paged then, and takes and gives back the baton.
func TestOverrideInsideAShift(t *testing.T) {
	config := sreConfig[:len(sreConfig)-len("ladders:\n  sre: [[oncall:sre/L1], [oncall:sre/L2], [team:sre, \"@sre-lead\"]]\n")] + `    overrides:
      - {layer: L1, person: foxtrot, from: 2026-11-23T10:00:00+01:00, to: 2026-11-23T12:00:00+01:00, note: bravo at the dentist}
ladders:
  sre: [[oncall:sre/L1], [oncall:sre/L2], [team:sre, "@sre-lead"]]
`
	w := newWorld(t, weekTime(t, "Mon 09:30"), config)
	w.open("db", "severity_level=3", "service_level=platinum")
	w.at("Mon 09:35")
	w.ack("db", "bravo")
	w.at("Mon 10:05")
	w.accept("db", "foxtrot")
	w.at("Mon 10:30")
	w.open("web", "severity_level=3", "service_level=platinum")
	w.at("Mon 10:40")
	w.ack("web", "foxtrot")
	w.at("Mon 12:05")
	w.accept("db", "bravo")
	w.accept("web", "bravo")
	w.at("Mon 13:00")
	assert.Equal(t, []string{
		"Mon 09:32:00 db escalated: step 1 of sre/page 10m: paged bravo",
		"Mon 09:35:00 db acknowledged by bravo",
		"Mon 10:00:00 db handed_over bravo → foxtrot",
		"Mon 10:05:00 db handover_accepted bravo → foxtrot",
		"Mon 10:32:00 web escalated: step 1 of sre/page 10m: paged foxtrot",
		"Mon 10:40:00 web acknowledged by foxtrot",
		"Mon 12:00:00 db handed_over foxtrot → bravo",
		"Mon 12:00:00 web handed_over foxtrot → bravo",
		"Mon 12:05:00 db handover_accepted foxtrot → bravo",
		"Mon 12:05:00 web handover_accepted foxtrot → bravo",
	}, w.timeline())
}

// The night the clocks go forward is an hour short: the baton passes at
// 00:00 CET, 08:00 CEST (seven hours later) and 16:00 CEST.
func TestBatonAcrossDaylightSaving(t *testing.T) {
	w := newWorld(t, time.Date(2027, 3, 27, 23, 0, 0, 0, berlin), sreConfig)
	w.open("db", "severity_level=3", "service_level=platinum")
	w.until(time.Date(2027, 3, 27, 23, 5, 0, 0, berlin))
	owner := w.get("db").Owner
	w.ack("db", owner)
	var handoffs []time.Time
	for end := time.Date(2027, 3, 28, 20, 0, 0, 0, berlin); w.clock.Now().Before(end); {
		w.until(w.clock.Now().Add(time.Minute))
		if inc := w.get("db"); inc.Handover != nil {
			handoffs = append(handoffs, inc.Handover.At)
			w.accept("db", inc.Owner)
		}
	}
	require.Len(t, handoffs, 3)
	var local []string
	for _, h := range handoffs {
		local = append(local, h.In(berlin).Format("01-02 15:04 MST"))
	}
	assert.Equal(t, []string{"03-28 00:00 CET", "03-28 08:00 CEST", "03-28 16:00 CEST"}, local)
	assert.Equal(t, 7*time.Hour, handoffs[1].Sub(handoffs[0]))
	assert.Equal(t, 8*time.Hour, handoffs[2].Sub(handoffs[1]))
	assert.Len(t, w.pages.sent(), 1, "every hand-over was accepted in time")
}

func TestLoadChecksOnCallTargets(t *testing.T) {
	for config, want := range map[string]string{
		"ladders: {sre: [[oncall:ops/L1]]}":                         `ladder sre: level 1: oncall:ops/L1: no schedule "ops"`,
		"ladders: {sre: [[oncall:sre/L3]]}":                         `ladder sre: level 1: oncall:sre/L3: schedule sre has no layer "L3" (it has L1, L2)`,
		"ladders: {sre: [['policy:x']]}":                            "ladder sre: level 1: a policy (policy:x) cannot be a level",
		"ladders: {sre: [[]]}":                                      "ladder sre: level 1: nobody to notify",
		"policies: [{name: p, steps: [{notify: [oncall:sre/l1]}]}]": `policy p: step 1: oncall:sre/l1: schedule sre has no layer "l1" (it has L1, L2)`,
	} {
		cfg, err := escalate.ParseConfig([]byte(sreConfig[:strings.Index(sreConfig, "ladders:")]+config), "oncall.yaml")
		require.NoError(t, err, config)
		e := escalate.New(incident.NewManager(incident.NewMemoryStore(), nil), escalate.PagerFunc(func(context.Context, escalate.Page) error { return nil }), nil)
		assert.EqualError(t, e.Load(cfg), want, config)
	}
}

func TestPlanFor(t *testing.T) {
	w := newWorld(t, monday, sreConfig)
	c, err := w.sev.Classify(map[model.LabelName]model.LabelValue{"severity_level": "2", "service_level": "gold"})
	require.NoError(t, err)
	plan, err := w.e.PlanFor(c, "sre")
	require.NoError(t, err)
	assert.Equal(t, escalate.Plan{Mode: severity.ModePage, Policy: "sre/page 10m", Hold: 2 * time.Minute}, plan)

	_, err = w.e.PlanFor(c, "ops")
	assert.EqualError(t, err, `escalate: no policy "ops/page 10m", and no ladder "ops" to derive it from`)

	c, err = w.sev.Classify(map[model.LabelName]model.LabelValue{"severity_level": "9"})
	require.NoError(t, err)
	plan, err = w.e.PlanFor(c, "ops")
	require.NoError(t, err, "a retrospective needs no ladder")
	assert.Equal(t, escalate.Plan{Mode: severity.ModeRetrospective}, plan)

	err = w.e.Engage(w.ctx, "01NOSUCHINCIDENT", escalate.Plan{Mode: severity.ModePage, Policy: "nope"})
	assert.EqualError(t, err, `escalate: incident 01NOSUCHINCIDENT: no policy "nope"`)
}

// Run takes steps as they fall due, until its context ends.
func TestRun(t *testing.T) {
	w := newWorld(t, weekTime(t, "Mon 10:00"), sreConfig)
	paged := make(chan escalate.Page, 1)
	e := escalate.New(w.m, escalate.PagerFunc(func(_ context.Context, p escalate.Page) error {
		paged <- p
		return nil
	}), &escalate.Options{Now: w.clock.Now, Interval: time.Millisecond, OnError: func(err error) { t.Error(err) }})
	require.NoError(t, e.Load(w.cfg))
	w.open("db", "severity_level=1", "service_level=platinum")
	w.clock.Advance(time.Minute) // past the hold; nobody has ticked yet

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- e.Run(ctx) }()
	p := <-paged
	assert.Equal(t, []string{"bravo"}, p.People)
	cancel()
	assert.ErrorIs(t, <-done, context.Canceled)
}

// The responders of an incident are everyone its policy pages, at any
// step, with the on-call looked up at the time asked: the incident API
// lets them act on it.
func TestResponders(t *testing.T) {
	w := newWorld(t, weekTime(t, "Mon 10:00"), sreConfig)
	w.open("db", "severity_level=3", "service_level=platinum")
	w.at("Mon 10:05")
	people, teams := w.e.Responders(w.get("db"), weekTime(t, "Mon 10:05"))
	assert.Equal(t, []string{"bravo", "delta", "sre-lead"}, people)
	assert.Equal(t, []string{"sre"}, teams)

	// After the shift change, the L1 on call is charlie; at night, L2 is
	// off duty.
	people, _ = w.e.Responders(w.get("db"), weekTime(t, "Mon 16:05"))
	assert.Equal(t, []string{"charlie", "delta", "sre-lead"}, people)
	people, _ = w.e.Responders(w.get("db"), weekTime(t, "Mon 21:00"))
	assert.NotContains(t, people, "delta")

	people, teams = w.e.Responders(&incident.Incident{ID: "quiet"}, weekTime(t, "Mon 10:05"))
	assert.Empty(t, people, "no escalation, no responders")
	assert.Empty(t, teams)
}
