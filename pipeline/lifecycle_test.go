package pipeline_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alertkit/alertkit/alert"
	"github.com/alertkit/alertkit/incident"
	"github.com/alertkit/alertkit/internal/clock"
	"github.com/alertkit/alertkit/notify"
	"github.com/alertkit/alertkit/pipeline"
)

// lifecycleConfig is a service whose database alerts page the L1 on-call,
// then the team; a triage rule adds a label to the alerts of the main
// cluster.
const lifecycleConfig = `
routing:
  default: {to: [team:ops], group_by: [alertname, namespace]}
  routes:
    - name: database
      match: trigger =~ "Postgres.*"
      to: ["oncall:sre/L1"]
      group_by: [alertname, cluster]
  triage:
    - {name: core, match: '~cluster = main', add_labels: {tier: core}}
oncall:
  schedules:
    - name: sre
      layers:
        - {name: L1, members: [alfa, bravo], handoff: "0 8,20 * * *", start: 2026-11-23T08:00:00Z}
ladder:
  - [team:sre]
contacts:
  people: {alfa: [pager], bravo: [pager]}
  teams: {sre: [chat], ops: [chat]}
  digest: [chat]
`

// service is a service built from lifecycleConfig over a store it may
// share with the services before it: a process, restarted by building
// another.
type service struct {
	t     *testing.T
	ctx   context.Context
	clock *clock.Fake
	svc   *pipeline.Service
	sent  *sentLog
	logs  *bytes.Buffer
}

// sentLog keeps the notifications of every process, as receivers outlive
// the processes that send to them.
type sentLog = recorder

// pages returns the escalations sent, as "receiver: note".
func (r *recorder) pages() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, n := range r.got {
		if n.Reason == notify.ReasonEscalation {
			out = append(out, n.Receiver+": "+n.Note)
		}
	}
	return out
}

func start(t *testing.T, c *clock.Fake, store incident.Store, log notify.Log, sent *sentLog, seed byte) *service {
	t.Helper()
	return startConfig(t, lifecycleConfig, c, store, log, sent, seed)
}

// startConfig starts a process of the service a configuration describes,
// logging into the service's logs.
func startConfig(t *testing.T, config string, c *clock.Fake, store incident.Store, log notify.Log, sent *sentLog, seed byte) *service {
	t.Helper()
	f, err := pipeline.ParseFile([]byte(config), "service.yaml", ".")
	require.NoError(t, err)
	s := &service{t: t, ctx: context.Background(), clock: c, sent: sent, logs: &bytes.Buffer{}}
	s.svc, err = f.Build(pipeline.BuildOptions{
		Store: store, Log: log, Now: c.Now, Entropy: rand.NewChaCha8([32]byte{seed}),
		Receivers: map[string]notify.Notifier{"pager": sent, "chat": sent},
		Logger:    slog.New(slog.NewTextHandler(s.logs, nil)),
	})
	require.NoError(t, err)
	_, err = s.svc.Pipeline.Restore(s.ctx)
	require.NoError(t, err)
	require.NoError(t, s.svc.Escalator.StartBaton(s.ctx))
	return s
}

var (
	pg1 = model.LabelSet{"alertname": "PostgresDown", "cluster": "main", "instance": "pg-1", "severity": "critical"}
	pg2 = model.LabelSet{"alertname": "PostgresDown", "cluster": "main", "instance": "pg-2", "severity": "critical"}
)

// report is a Prometheus's report: firing since a time with a refresh
// deadline, or resolved now.
func (s *service) report(ls model.LabelSet, since time.Time, resolved bool) error {
	a := alert.Alert{Labels: ls.Clone(), StartsAt: since, UpdatedAt: s.clock.Now(), Source: "prometheus"}
	if resolved {
		a.EndsAt = s.clock.Now()
	} else {
		a.RefreshBy = s.clock.Now().Add(4 * time.Minute)
	}
	return s.svc.Pipeline.Ingest(s.ctx, []alert.Alert{a})
}

// run moves the clock by d, ticking every 15 seconds.
func (s *service) run(d time.Duration) {
	s.t.Helper()
	end := s.clock.Now().Add(d)
	for s.clock.Now().Before(end) {
		s.clock.Advance(15 * time.Second)
		_ = s.svc.Pipeline.Tick(s.ctx)
	}
}

func (s *service) only() (*incident.Incident, []incident.Member) {
	s.t.Helper()
	incs, err := s.svc.Store.Search(s.ctx, incident.Filter{Limit: -1})
	require.NoError(s.t, err)
	require.Len(s.t, incs, 1)
	ms, err := s.svc.Store.Members(s.ctx, incs[0].ID)
	require.NoError(s.t, err)
	return incs[0], ms
}

var monday = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

// An alert answered 200 is in the store, whichever write failed: with a
// store that fails its nth write, for every n a batch takes, the batch is
// refused with the alerts not recorded named, and its retry records every
// alert of it — whether the failed write was not made, or made and its
// reply lost.
func TestIngestSurvivesAFailureAtEveryWrite(t *testing.T) {
	batch := []model.LabelSet{pg1, pg2, {"alertname": "DiskFull", "namespace": "ci", "severity": "warning"}}
	// How many writes the batch takes when nothing fails.
	clean := &countingStore{Store: incident.NewMemoryStore()}
	s := start(t, clock.NewFake(monday), clean, notify.NewMemoryLog(), &sentLog{}, 1)
	clean.failWrite(-1)
	var first []alert.Alert
	for _, ls := range batch {
		first = append(first, alert.Alert{Labels: ls.Clone(), StartsAt: monday, UpdatedAt: monday, RefreshBy: monday.Add(4 * time.Minute)})
	}
	require.NoError(t, s.svc.Pipeline.Ingest(s.ctx, first))
	writes := clean.writes
	require.Greater(t, writes, len(batch), "an incident, its members, the escalations engaged")
	t.Logf("the batch takes %d writes; each fails in turn", writes)
	for n := 1; n <= writes; n++ {
		for _, lost := range []bool{false, true} {
			c := clock.NewFake(monday)
			store := &countingStore{Store: incident.NewMemoryStore(), lost: lost}
			s := start(t, c, store, notify.NewMemoryLog(), &sentLog{}, 1)
			var alerts []alert.Alert
			for _, ls := range batch {
				alerts = append(alerts, alert.Alert{Labels: ls.Clone(), StartsAt: monday, UpdatedAt: c.Now(), RefreshBy: c.Now().Add(4 * time.Minute)})
			}
			store.failWrite(n)
			err := s.svc.Pipeline.Ingest(s.ctx, cloneBatch(alerts))
			if err != nil {
				var rej *alert.RejectedError
				require.True(t, errors.As(err, &rej), "n=%d: a failure names the alerts not recorded: %v", n, err)
				require.NotEmpty(t, rej.Rejections)
				c.Advance(time.Second)
				for i := range alerts {
					alerts[i].UpdatedAt = c.Now()
				}
				require.NoError(t, s.svc.Pipeline.Ingest(s.ctx, cloneBatch(alerts)), "n=%d: the retry", n)
			}
			for _, ls := range batch {
				_, m := holder(t, s, ls)
				require.NotNil(t, m, "n=%d lost=%v: %s is in the store", n, lost, ls)
				assert.Equal(t, alert.StateFiring, m.State)
			}
			inc, _ := holder(t, s, pg1)
			require.NotNil(t, inc.Escalation, "n=%d lost=%v: the escalation is engaged", n, lost)
		}
	}
}

// countingStore fails the nth write after failWrite(n), before making it
// or, with lost, after.
type countingStore struct {
	incident.Store
	lost   bool
	mu     sync.Mutex
	writes int
	fail   int
}

func (s *countingStore) failWrite(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.writes, s.fail = 0, n
}

var errInjected = errors.New("injected")

func (s *countingStore) write(do func() error) error {
	s.mu.Lock()
	s.writes++
	failing := s.writes == s.fail
	s.mu.Unlock()
	if !failing {
		return do()
	}
	if s.lost {
		_ = do()
	}
	return errInjected
}

func (s *countingStore) Create(ctx context.Context, inc *incident.Incident, w incident.Write) error {
	return s.write(func() error { return s.Store.Create(ctx, inc, w) })
}

func (s *countingStore) Update(ctx context.Context, inc *incident.Incident, w incident.Write) error {
	return s.write(func() error { return s.Store.Update(ctx, inc, w) })
}

func (s *countingStore) AppendHistory(ctx context.Context, id incident.ID, events ...incident.Event) error {
	return s.write(func() error { return s.Store.AppendHistory(ctx, id, events...) })
}

func (s *countingStore) SetTimer(ctx context.Context, t incident.Timer) error {
	return s.write(func() error { return s.Store.SetTimer(ctx, t) })
}

func cloneBatch(alerts []alert.Alert) []alert.Alert {
	out := make([]alert.Alert, len(alerts))
	for i, a := range alerts {
		out[i] = a
		out[i].Labels = a.Labels.Clone()
	}
	return out
}

// holder returns the newest incident that holds an alert, and its member;
// nils when none does.
func holder(t *testing.T, s *service, ls model.LabelSet) (*incident.Incident, *incident.Member) {
	t.Helper()
	incs, err := s.svc.Store.Search(s.ctx, incident.Filter{Limit: -1})
	require.NoError(t, err)
	for _, inc := range incs {
		if m, err := s.svc.Store.Member(s.ctx, inc.ID, alert.Fingerprint(ls)); err == nil {
			return inc, m
		}
	}
	return nil, nil
}

// A restarted process goes on with the escalations it finds in the store:
// the ladders of every route are known when it is built.
func TestRestartContinuesTheEscalation(t *testing.T) {
	c := clock.NewFake(monday)
	store, log, sent := incident.NewMemoryStore(), notify.NewMemoryLog(), &sentLog{}
	first := start(t, c, store, log, sent, 1)
	require.NoError(t, first.report(pg1, monday, false))
	first.run(3 * time.Minute) // critical without a service level: held 2m, then alfa
	require.Equal(t, []string{"pager: step 1 of route:database/page 10m"}, sent.pages())

	second := start(t, c, store, log, sent, 2) // the first process is gone
	for range 8 {
		require.NoError(t, second.report(pg1, monday, false))
		second.run(time.Minute)
	}
	second.run(5 * time.Minute)
	assert.Equal(t, []string{
		"pager: step 1 of route:database/page 10m",
		"chat: step 2 of route:database/page 10m: nobody acknowledged within 10m",
	}, sent.pages())
	assert.NotContains(t, second.logs.String(), "no ladder")
}

// After a restart an alert is the alert its source sent: the labels a
// triage rule added are beside it, so no second member joins when the
// restored alert goes unknown.
func TestRestartMakesNoPhantomMembers(t *testing.T) {
	c := clock.NewFake(monday)
	store, log, sent := incident.NewMemoryStore(), notify.NewMemoryLog(), &sentLog{}
	first := start(t, c, store, log, sent, 1)
	require.NoError(t, first.report(pg1, monday, false))
	require.NoError(t, first.report(pg2, monday, false))
	_, members := first.only()
	require.Len(t, members, 2)

	second := start(t, c, store, log, sent, 2)
	second.run(10 * time.Minute) // the source went quiet: the alerts turn unknown
	inc, members := second.only()
	assert.Equal(t, 2, inc.Alerts)
	require.Len(t, members, 2, "no phantom members")
	for _, m := range members {
		assert.Equal(t, alert.StateUnknown, m.State)
		assert.NotContains(t, m.Labels, model.LabelName("tier"), "the labels its source sent")
		assert.Equal(t, model.LabelValue("core"), m.Added["tier"], "and the added one beside them")
	}
}

// A resolved incident that fires again pages again, from the first step,
// even right after its escalation's last step.
func TestRecurrenceAfterResolutionPagesAgain(t *testing.T) {
	c := clock.NewFake(monday)
	s := start(t, c, incident.NewMemoryStore(), notify.NewMemoryLog(), &sentLog{}, 1)
	require.NoError(t, s.report(pg1, monday, false))
	for range 8 {
		s.run(3 * time.Minute)
		require.NoError(t, s.report(pg1, monday, false))
	}
	s.run(time.Minute) // step 1 at 10:02, step 2 at 10:12; exhausted at 10:22
	require.Len(t, s.sent.pages(), 2)
	require.NoError(t, s.report(pg1, monday, true))
	s.run(2 * time.Minute)
	inc, _ := s.only()
	require.Equal(t, incident.StatusResolved, inc.Status)

	again := c.Now()
	require.NoError(t, s.report(pg1, again, false))
	s.run(3 * time.Minute)
	inc, _ = s.only()
	assert.Equal(t, incident.StatusOpen, inc.Status, "the same incident reopened")
	require.Len(t, s.sent.pages(), 3, "paged again")
	assert.Contains(t, s.sent.pages()[2], "step 1 of route:database/page 10m: it fired again")
}

// A flapping alert's incident shows what its source says, firing or
// resolved, while its pages are held.
func TestFlappingFollowsTheSource(t *testing.T) {
	c := clock.NewFake(monday)
	s := start(t, c, incident.NewMemoryStore(), notify.NewMemoryLog(), &sentLog{}, 1)
	for i := range 5 {
		since := c.Now()
		require.NoError(t, s.report(pg1, since, false))
		s.run(time.Minute)
		inc, ms := s.only()
		require.Equal(t, incident.StatusOpen, inc.Status, "firing %d", i+1)
		require.Equal(t, alert.StateFiring, ms[0].State)
		require.NoError(t, s.report(pg1, since, true))
		s.run(time.Minute)
		inc, ms = s.only()
		require.Equal(t, incident.StatusResolved, inc.Status, "resolved %d", i+1)
		require.Equal(t, alert.StateResolved, ms[0].State)
	}
	_, ms := s.only()
	assert.True(t, ms[0].Flapping)
}

// Out of the box, a first receiver's critical alert without a service
// level pages within minutes; the policy in force and the decision are in
// the log.
func TestCriticalPagesOutOfTheBox(t *testing.T) {
	c := clock.NewFake(monday)
	s := start(t, c, incident.NewMemoryStore(), notify.NewMemoryLog(), &sentLog{}, 1)
	require.NoError(t, s.report(pg1, monday, false))
	s.run(3 * time.Minute)
	require.Len(t, s.sent.pages(), 1, "paged within the hold of 2m")
	logs := s.logs.String()
	assert.Contains(t, logs, "the severity policy in force")
	assert.Contains(t, logs, "unclassified")
	assert.Contains(t, logs, "escalation engaged")
	assert.Contains(t, logs, "severity=critical")
}

// A policy that batches alerts needs a receiver for the digest.
func TestBatchWithoutADigestReceiverIsRefused(t *testing.T) {
	config := strings.Replace(lifecycleConfig, "  digest: [chat]\n", "", 1)
	require.NotEqual(t, lifecycleConfig, config)
	f, err := pipeline.ParseFile([]byte(config), "service.yaml", ".")
	require.NoError(t, err)
	_, err = f.Build(pipeline.BuildOptions{Receivers: map[string]notify.Notifier{"pager": &sentLog{}, "chat": &sentLog{}}, Logger: slog.New(slog.DiscardHandler)})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "service.yaml:19:3: contacts.digest: the severity policy batches alerts into a digest (")
	assert.Contains(t, err.Error(), "unclassified S4–S5")
}

// A configuration that lost the policy an open incident escalates by is
// reported once when the service starts, with what it has instead; the
// escalation waits, and says so in its history, once.
func TestRestoreReportsEscalationsOfALostPolicy(t *testing.T) {
	config := `
routing:
  default: {to: [team:ops], group_by: [alertname, namespace]}
  routes:
    - {name: payments, match: '~team = payments', to: [policy:payments]}
oncall:
  schedules:
    - name: sre
      layers:
        - {name: L1, members: [alfa, bravo], handoff: "0 8,20 * * *", start: 2026-11-23T08:00:00Z}
  policies:
    - name: payments
      steps:
        - {notify: ["@alfa"], wait: 5m}
        - {notify: [team:sre], wait: 5m}
contacts:
  people: {alfa: [pager], bravo: [pager]}
  teams: {sre: [chat], ops: [chat]}
  digest: [chat]
`
	checkout := model.LabelSet{"alertname": "CheckoutErrors", "team": "payments", "severity": "critical"}
	c := clock.NewFake(monday)
	store, log, sent := incident.NewMemoryStore(), notify.NewMemoryLog(), &sentLog{}
	first := startConfig(t, config, c, store, log, sent, 1)
	require.NoError(t, first.report(checkout, monday, false))
	first.run(3 * time.Minute)
	require.Len(t, sent.pages(), 1)

	// The policy is renamed, and the route follows.
	renamed := strings.ReplaceAll(config, "payments]}", "payments-oncall]}")
	renamed = strings.Replace(renamed, "    - name: payments\n", "    - name: payments-oncall\n", 1)
	require.NotEqual(t, config, renamed)
	second := startConfig(t, renamed, c, store, log, sent, 2)
	logs := second.logs
	assert.Equal(t, 1, strings.Count(logs.String(), "open incidents escalate by a policy the configuration does not have"), logs.String())
	assert.Contains(t, logs.String(), `policy=payments`)
	assert.Contains(t, logs.String(), `policies=[payments-oncall]`)
	for range 8 {
		second.run(3 * time.Minute)
		require.NoError(t, second.report(checkout, monday, false))
	}
	assert.Len(t, sent.pages(), 1, "the escalation waits")
	assert.Equal(t, 1, strings.Count(logs.String(), `level=ERROR msg="escalate:`), "reported once, not every minute: %s", logs.String())
	inc, _ := second.only()
	events, err := store.History(context.Background(), inc.ID)
	require.NoError(t, err)
	paused := 0
	for _, e := range events {
		if strings.Contains(e.Note, "escalation paused") {
			paused++
		}
	}
	assert.Equal(t, 1, paused)
}

// A configuration that groups an open incident's alerts under another key
// is reported when the service starts.
func TestRestoreReportsRegroupedIncidents(t *testing.T) {
	c := clock.NewFake(monday)
	store, log, sent := incident.NewMemoryStore(), notify.NewMemoryLog(), &sentLog{}
	first := start(t, c, store, log, sent, 1)
	require.NoError(t, first.report(pg1, monday, false))

	renamed := strings.Replace(lifecycleConfig, "name: database", "name: databases", 1)
	logs := startConfig(t, renamed, c, store, log, sent, 2).logs
	assert.Contains(t, logs.String(), "an open incident's alerts now route to another group")
	assert.Contains(t, logs.String(), `now="databases{alertname=\"PostgresDown\", cluster=\"main\"}"`)
}

// escalation.continue_within in the file makes a recurrence go on with
// the escalation where it was.
func TestFileContinueWithin(t *testing.T) {
	c, sent := clock.NewFake(monday), &sentLog{}
	s := startConfig(t, lifecycleConfig+"escalation: {continue_within: 15m}\n", c, incident.NewMemoryStore(), notify.NewMemoryLog(), sent, 1)
	require.NoError(t, s.report(pg1, monday, false))
	s.run(3 * time.Minute) // step 1
	require.NoError(t, s.report(pg1, monday, true))
	s.run(time.Minute)
	require.NoError(t, s.report(pg1, c.Now(), false)) // fires again a minute later
	s.run(time.Minute)
	require.Len(t, sent.pages(), 2)
	assert.Contains(t, sent.pages()[1], "step 2 of route:database/page 10m", "it went on")
}

// A receiver that asks to be left alone for a day is tried again within
// notify.max_retry_after: a page does not wait a day.
func TestFileMaxRetryAfter(t *testing.T) {
	c := clock.NewFake(monday)
	f, err := pipeline.ParseFile([]byte(lifecycleConfig+"notify: {max_retry_after: 2m}\n"), "service.yaml", ".")
	require.NoError(t, err)
	busy := notify.NotifierFunc(func(context.Context, *notify.Notification) error {
		return &notify.StatusError{StatusCode: 503, Status: "503 Service Unavailable", RetryAfter: 24 * time.Hour, Retry: true}
	})
	log := notify.NewMemoryLog()
	svc, err := f.Build(pipeline.BuildOptions{
		Store: incident.NewMemoryStore(), Log: log, Now: c.Now, Entropy: rand.NewChaCha8([32]byte{1}),
		Receivers: map[string]notify.Notifier{"pager": busy, "chat": busy},
		Logger:    slog.New(slog.DiscardHandler),
	})
	require.NoError(t, err)
	s := &service{t: t, ctx: context.Background(), clock: c, svc: svc}
	require.NoError(t, s.report(pg1, monday, false))
	s.run(3 * time.Minute) // the first page, refused
	inc, _ := s.only()
	attempts, err := log.Attempts(s.ctx, inc.ID)
	require.NoError(t, err)
	require.NotEmpty(t, attempts)
	a := attempts[0]
	assert.Equal(t, notify.OutcomeFailed, a.Outcome)
	assert.Equal(t, 2*time.Minute, a.RetryAt.Sub(a.At), "the receiver's day, capped")
}
