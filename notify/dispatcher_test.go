package notify_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alertkit/alertkit/incident"
	"github.com/alertkit/alertkit/internal/clock"
	"github.com/alertkit/alertkit/notify"
	"github.com/alertkit/alertkit/notify/notifytest"
)

// poster is a minimal HTTP sender: it posts the notification as JSON, with
// its key in Idempotency-Key, through notify.Do, to an endpoint.
func poster(e *endpoint) notify.Notifier {
	client := &http.Client{Transport: e}
	url := "http://" + e.name + ".test/notify"
	return notify.NotifierFunc(func(ctx context.Context, n *notify.Notification) error {
		body, err := json.Marshal(n)
		if err != nil {
			return notify.Permanent(err)
		}
		req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
		if err != nil {
			return notify.Permanent(err)
		}
		req.Header.Set("Idempotency-Key", n.Key)
		_, _, err = notify.Do(ctx, client, req, nil)
		return err
	})
}

// endpoint is a receiving end that counts what it gets, by idempotency
// key, and answers as its answer function says for the nth request. It
// serves in process, as the client's transport, so that a test in a
// synctest bubble controls all of its time: a request is seen the moment
// it is sent, and a handler that waits for the request's context ends when
// the attempt's timeout passes on the bubble's clock.
type endpoint struct {
	name     string
	mu       sync.Mutex
	requests int
	accepted map[string]int // key → times accepted
	answer   func(n int, w http.ResponseWriter, r *http.Request) bool
}

func newEndpoint(name string, answer func(n int, w http.ResponseWriter, r *http.Request) bool) *endpoint {
	return &endpoint{name: name, accepted: map[string]int{}, answer: answer}
}

// RoundTrip serves a request as the far end of a connection would: the
// handler runs on its own goroutine, and a client that gives up gets its
// context's error, not the answer, once the handler has returned. A
// handler that waits must return when the request's context ends.
func (e *endpoint) RoundTrip(req *http.Request) (*http.Response, error) {
	in := req.Clone(req.Context())
	if in.Body == nil {
		in.Body = http.NoBody
	}
	defer in.Body.Close()
	rec := httptest.NewRecorder()
	done := make(chan struct{})
	go func() {
		defer close(done)
		e.serve(rec, in)
	}()
	select {
	case <-done:
		resp := rec.Result()
		resp.Request = req
		return resp, nil
	case <-req.Context().Done():
		<-done
		return nil, req.Context().Err()
	}
}

func (e *endpoint) serve(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	e.mu.Lock()
	e.requests++
	n := e.requests
	e.mu.Unlock()
	if e.answer != nil && !e.answer(n, w, r) {
		return
	}
	e.mu.Lock()
	e.accepted[r.Header.Get("Idempotency-Key")]++
	e.mu.Unlock()
	w.WriteHeader(http.StatusAccepted)
}

func (e *endpoint) counts() (requests int, accepted map[string]int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	c := map[string]int{}
	for k, v := range e.accepted {
		c[k] = v
	}
	return e.requests, c
}

// rig is a dispatcher over a memory store, whose clock is a fake that
// run advances. The time package still bounds each attempt with
// Options.Timeout: tests whose receivers can hang, or that talk to an
// endpoint, run in a synctest bubble, where that time is fake too.
type rig struct {
	t     *testing.T
	ctx   context.Context
	clock *clock.Fake
	store incident.Store
	m     *incident.Manager
	d     *notify.Dispatcher
	log   *notify.MemoryLog
}

func newRig(t *testing.T, receivers map[string]notify.Notifier, opts *notify.Options) *rig {
	t.Helper()
	r := &rig{t: t, ctx: context.Background(), clock: clock.NewFake(notifytest.At), store: incident.NewMemoryStore(), log: notify.NewMemoryLog()}
	r.m = incident.NewManager(r.store, &incident.Options{Now: r.clock.Now})
	if opts == nil {
		opts = &notify.Options{}
	}
	opts.Now, opts.Log = r.clock.Now, r.log
	if opts.Random == nil {
		opts.Random = rand.New(rand.NewPCG(1, 2)).Float64
	}
	var err error
	r.d, err = notify.NewDispatcher(r.store, receivers, opts)
	require.NoError(t, err)
	return r
}

// send puts a sample notification for a receiver in the outbox, under a
// key; its incident exists in the store, so that its history can be read.
func (r *rig) send(receiver, key string) *notify.Notification {
	r.t.Helper()
	n := notifytest.Sample(notify.ReasonEscalation)
	n.Receiver, n.Key = receiver, key
	n.Incident.ID = r.incident(key)
	require.NoError(r.t, r.d.Send(r.ctx, n))
	return n
}

// incident returns an incident of the store for a name, made on first use.
func (r *rig) incident(name string) incident.ID {
	r.t.Helper()
	now := r.clock.Now()
	h := fnv.New32a()
	h.Write([]byte(name))
	id := incident.ID(fmt.Sprintf("01KAV7Z1S4X7B2WQ5A%010d", h.Sum32()))
	inc := &incident.Incident{ID: id, GroupKey: name, Status: incident.StatusOpen, CreatedAt: now, UpdatedAt: now}
	if _, err := r.store.Get(r.ctx, id); errors.Is(err, incident.ErrNotFound) {
		require.NoError(r.t, r.store.Create(r.ctx, inc, incident.Write{}))
	}
	return id
}

// run advances the clock a second at a time, processing due work, until
// done says so or the time runs out.
func (r *rig) run(limit time.Duration, done func() bool) {
	r.t.Helper()
	end := r.clock.Now().Add(limit)
	for !done() && r.clock.Now().Before(end) {
		_, err := r.d.ProcessTimers(r.ctx)
		require.NoError(r.t, err)
		r.clock.Advance(time.Second)
	}
}

func TestDeliverOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ep := newEndpoint("ops", nil)
		r := newRig(t, map[string]notify.Notifier{"ops": poster(ep)}, nil)
		n := r.send("ops", "k1")
		_, err := r.d.ProcessTimers(r.ctx)
		require.NoError(t, err)
		_, accepted := ep.counts()
		assert.Equal(t, map[string]int{"k1": 1}, accepted)

		attempts, err := r.log.Attempts(r.ctx, n.Incident.ID)
		require.NoError(t, err)
		require.Len(t, attempts, 1)
		assert.Equal(t, notify.OutcomeDelivered, attempts[0].Outcome)
		assert.Equal(t, 1, attempts[0].Number)
		assert.Equal(t, "ops", attempts[0].Receiver)

		history, err := r.store.History(r.ctx, n.Incident.ID)
		require.NoError(t, err)
		require.NotEmpty(t, history)
		assert.Equal(t, "ops: escalation delivered (attempt 1)", history[len(history)-1].Note)

		// Nothing is left in the outbox.
		handled, err := r.d.ProcessTimers(r.ctx)
		require.NoError(t, err)
		assert.Zero(t, handled)
	})
}

// Fault injection: a receiver that fails half its requests, one that
// hangs past the timeout, one that throttles with Retry-After. Every
// notification is delivered at least once, none is lost, every attempt is
// in the log, and the attempts are bounded. The test runs in a synctest
// bubble: an attempt that hangs ends when the per-attempt timeout passes
// on the bubble's clock, and one that does not hang never meets it, however
// busy the machine.
func TestFaults(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const timeout = 50 * time.Millisecond
		flaky := newEndpoint("flaky", func(n int, w http.ResponseWriter, _ *http.Request) bool {
			if n%2 == 1 {
				http.Error(w, "upstream flapping", http.StatusServiceUnavailable)
				return false
			}
			return true
		})
		hanging := newEndpoint("hanging", func(n int, _ http.ResponseWriter, r *http.Request) bool {
			if n <= 6 { // the first six requests hang until abandoned
				<-r.Context().Done()
				return false
			}
			return true
		})
		throttling := newEndpoint("throttling", func(n int, w http.ResponseWriter, _ *http.Request) bool {
			if n <= 10 {
				w.Header().Set("Retry-After", "30")
				http.Error(w, "slow down", http.StatusTooManyRequests)
				return false
			}
			return true
		})
		endpoints := map[string]*endpoint{"flaky": flaky, "hanging": hanging, "throttling": throttling}
		r := newRig(t, map[string]notify.Notifier{
			"flaky": poster(flaky), "hanging": poster(hanging), "throttling": poster(throttling),
		}, &notify.Options{Timeout: timeout, Workers: 4, MaxAttempts: 8})

		sent := map[string][]string{}
		for i := range 20 {
			for _, recv := range []string{"flaky", "hanging", "throttling"} {
				key := fmt.Sprintf("%s-%02d", recv, i)
				r.send(recv, key)
				sent[recv] = append(sent[recv], key)
			}
		}
		delivered := func() bool {
			for recv, ep := range endpoints {
				_, accepted := ep.counts()
				for _, key := range sent[recv] {
					if accepted[key] == 0 {
						return false
					}
				}
			}
			return true
		}
		r.run(2*time.Hour, delivered)
		require.True(t, delivered(), "every notification delivered")

		dead, err := r.log.DeadLetters(r.ctx)
		require.NoError(t, err)
		assert.Empty(t, dead)
		for recv, ep := range endpoints {
			requests, _ := ep.counts()
			logged := 0
			for _, key := range sent[recv] {
				attempts, err := r.log.Attempts(r.ctx, r.incident(key))
				require.NoError(t, err)
				var mine []notify.Attempt
				for _, a := range attempts {
					if a.Key == key {
						mine = append(mine, a)
					}
				}
				require.NotEmpty(t, mine, key)
				assert.LessOrEqual(t, len(mine), 8, "attempts of %s are bounded", key)
				assert.Equal(t, notify.OutcomeDelivered, mine[len(mine)-1].Outcome, key)
				for i, a := range mine[:len(mine)-1] {
					assert.Equal(t, notify.OutcomeFailed, a.Outcome, key)
					assert.Equal(t, i+1, a.Number)
					switch recv {
					case "throttling":
						assert.Equal(t, 429, a.StatusCode)
						assert.GreaterOrEqual(t, a.RetryAt.Sub(a.At), 30*time.Second, "Retry-After honoured")
					case "hanging":
						assert.Contains(t, a.Error, "timed out")
						assert.Equal(t, timeout, a.Latency, "%s: the hanging attempt is cut by the per-attempt timeout", key)
					case "flaky":
						assert.Equal(t, "503 Service Unavailable: upstream flapping", a.Error)
					}
				}
				logged += len(mine)
			}
			assert.Equal(t, requests, logged, "%s: every request the receiver saw is in the log", recv)
		}
		handled, err := r.d.ProcessTimers(r.ctx)
		require.NoError(t, err)
		assert.Zero(t, handled, "the outbox is empty")
	})
}

// crashingStore loses the mark of a delivery, once: the process died
// between sending and marking.
type crashingStore struct {
	incident.Store
	crashed atomic.Bool
}

func (s *crashingStore) CompleteTimer(ctx context.Context, t incident.Timer) error {
	if t.Kind == notify.TimerNotify && s.crashed.CompareAndSwap(false, true) {
		return errors.New("killed")
	}
	return s.Store.CompleteTimer(ctx, t)
}

// A crash between the send and the mark sends again, with the same key: a
// receiver that deduplicates by it (as PagerDuty by dedup_key) sees it once.
func TestCrashBetweenSendAndMark(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ep := newEndpoint("pd", nil)
		r := newRig(t, map[string]notify.Notifier{"pd": poster(ep)}, nil)
		crashing, err := notify.NewDispatcher(&crashingStore{Store: r.store}, map[string]notify.Notifier{"pd": poster(ep)},
			&notify.Options{Now: r.clock.Now, Log: r.log, Owner: "crashing"})
		require.NoError(t, err)
		n := notifytest.Sample(notify.ReasonOpened)
		n.Receiver, n.Incident.ID = "pd", r.incident("crash")
		require.NoError(t, crashing.Send(r.ctx, n))
		_, err = crashing.ProcessTimers(r.ctx)
		require.ErrorContains(t, err, "killed")

		// A new process on the same store: when the dead one's lease runs
		// out, it sends again.
		r.run(5*time.Minute, func() bool { requests, _ := ep.counts(); return requests == 2 })
		requests, accepted := ep.counts()
		assert.Equal(t, 2, requests, "sent twice")
		assert.Equal(t, map[string]int{n.Key: 2}, accepted, "with the same key: once for a receiver that deduplicates")
		handled, err := r.d.ProcessTimers(r.ctx)
		require.NoError(t, err)
		assert.Zero(t, handled)
	})
}

func TestDeadLetters(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var broken atomic.Bool
		broken.Store(true)
		ep := newEndpoint("pd", func(_ int, w http.ResponseWriter, _ *http.Request) bool {
			if broken.Load() {
				http.Error(w, `{"status":"invalid event","errors":["routing_key is invalid"]}`, http.StatusBadRequest)
				return false
			}
			return true
		})
		always := newEndpoint("down", func(_ int, w http.ResponseWriter, _ *http.Request) bool {
			http.Error(w, "down", http.StatusBadGateway)
			return false
		})
		r := newRig(t, map[string]notify.Notifier{"pd": poster(ep), "down": poster(always)},
			&notify.Options{MaxAttempts: 5, Backoff: notify.Backoff{Min: time.Second, Max: 10 * time.Second}})
		refused := r.send("pd", "refused")
		exhausted := r.send("down", "exhausted")
		r.run(10*time.Minute, func() bool { dead, _ := r.log.DeadLetters(r.ctx); return len(dead) == 2 })

		dead, err := r.log.DeadLetters(r.ctx)
		require.NoError(t, err)
		require.Len(t, dead, 2)
		assert.Equal(t, "refused", dead[0].Notification.Key)
		assert.Equal(t, 1, dead[0].Attempts, "a 400 is not retried")
		assert.Equal(t, "exhausted", dead[1].Notification.Key)
		assert.Equal(t, 5, dead[1].Attempts, "MaxAttempts")
		requests, _ := always.counts()
		assert.Equal(t, 5, requests)

		history, err := r.store.History(r.ctx, refused.Incident.ID)
		require.NoError(t, err)
		assert.Equal(t, `pd: escalation dead-lettered after a permanent error: 400 Bad Request: {"status":"invalid event","errors":["routing_key is invalid"]}`, history[len(history)-1].Note)
		history, err = r.store.History(r.ctx, exhausted.Incident.ID)
		require.NoError(t, err)
		assert.Equal(t, "down: escalation dead-lettered after 5 attempts: 502 Bad Gateway: down", history[len(history)-1].Note)

		// Fixed, and sent again by hand.
		broken.Store(false)
		require.NoError(t, r.d.Redeliver(r.ctx, "pd", "refused"))
		_, err = r.d.ProcessTimers(r.ctx)
		require.NoError(t, err)
		_, accepted := ep.counts()
		assert.Equal(t, map[string]int{"refused": 1}, accepted)
		dead, err = r.log.DeadLetters(r.ctx)
		require.NoError(t, err)
		assert.Len(t, dead, 1)
		assert.EqualError(t, r.d.Redeliver(r.ctx, "pd", "refused"), "notify: no dead letter refused for pd")
	})
}

func TestRateLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ep := newEndpoint("chat", nil)
		r := newRig(t, map[string]notify.Notifier{"chat": poster(ep)},
			&notify.Options{Rates: map[string]notify.Rate{"chat": {PerMinute: 6, Burst: 2}}})
		var keys []string
		for i := range 5 {
			keys = append(keys, r.send("chat", fmt.Sprintf("m%d", i)).Key)
		}
		start := r.clock.Now()
		r.run(time.Minute, func() bool { requests, _ := ep.counts(); return requests == 5 })
		var at []time.Duration
		for _, k := range keys {
			attempts, err := r.log.Attempts(r.ctx, r.incident(k))
			require.NoError(t, err)
			require.Len(t, attempts, 1, "waiting for the limit is not an attempt")
			at = append(at, attempts[0].At.Sub(start))
		}
		slices.Sort(at)
		assert.Equal(t, []time.Duration{0, 0, 10 * time.Second, 20 * time.Second, 30 * time.Second}, at, "a burst of 2, then one every 10s")
	})
}

func TestDigest(t *testing.T) {
	var got []*notify.Notification
	var mu sync.Mutex
	r := newRig(t, map[string]notify.Notifier{"mail": notify.NotifierFunc(func(_ context.Context, n *notify.Notification) error {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, n)
		return nil
	})}, &notify.Options{Digests: "0 9 * * *"})
	snap := func(name string, created time.Time) notify.Snapshot {
		s := notifytest.Sample(notify.ReasonOpened).Incident
		s.ID, s.Title, s.CreatedAt = r.incident(name), name, created
		return s
	}
	// notifytest.At is 16:52 UTC: the period ends tomorrow at 09:00.
	require.NoError(t, r.d.AddToDigest(r.ctx, "mail", snap("disk", r.clock.Now())))
	r.clock.Advance(time.Hour)
	require.NoError(t, r.d.AddToDigest(r.ctx, "mail", snap("backup", r.clock.Now())))
	require.NoError(t, r.d.AddToDigest(r.ctx, "mail", snap("disk", r.clock.Now().Add(-time.Hour)))) // again: once
	assert.EqualError(t, r.d.AddToDigest(r.ctx, "sms", snap("x", r.clock.Now())), `notify: digest: unknown receiver "sms"`)

	r.run(20*time.Hour, func() bool { mu.Lock(); defer mu.Unlock(); return len(got) > 0 })
	require.Len(t, got, 1)
	n := got[0]
	assert.Equal(t, "09:00", r.clock.Now().Add(-time.Second).Format("15:04"))
	assert.Equal(t, notify.ReasonDigest, n.Reason)
	assert.Equal(t, "digest/mail/2026-11-24T09:00:00Z", n.Key)
	assert.Equal(t, "2 incidents handled in batch", n.Note)
	require.Len(t, n.Items, 2)
	assert.Equal(t, "disk", n.Items[0].Title)
	assert.Equal(t, "backup", n.Items[1].Title)

	history, err := r.store.History(r.ctx, r.incident("backup"))
	require.NoError(t, err)
	assert.Equal(t, "mail: digest delivered (attempt 1)", history[len(history)-1].Note)

	// The next day's digest is empty: nothing is sent.
	r.run(25*time.Hour, func() bool { return false })
	assert.Len(t, got, 1)
}

func TestSendErrors(t *testing.T) {
	r := newRig(t, map[string]notify.Notifier{"ops": notify.NotifierFunc(func(context.Context, *notify.Notification) error { return nil })}, nil)
	n := notifytest.Sample(notify.ReasonOpened)
	n.Receiver = "sms"
	assert.EqualError(t, r.d.Send(r.ctx, n), `notify: notification 01KAV7Z1S4X7B2WQ5AR6KF/opened: unknown receiver "sms"`)
	n.Receiver, n.Key = "ops", ""
	assert.EqualError(t, r.d.Send(r.ctx, n), "notify: notification: missing key")

	_, err := notify.NewDispatcher(r.store, map[string]notify.Notifier{"ops": nil}, nil)
	assert.EqualError(t, err, `notify: receiver "ops": nil notifier`)
	_, err = notify.NewDispatcher(r.store, nil, &notify.Options{Rates: map[string]notify.Rate{"ops": {PerMinute: 1, Burst: 1}}})
	assert.EqualError(t, err, `notify: rate for an unknown receiver "ops"`)
	_, err = notify.NewDispatcher(r.store, nil, &notify.Options{Digests: "at nine"})
	assert.ErrorContains(t, err, `notify: digests "at nine": `)
	ok := notify.NotifierFunc(func(context.Context, *notify.Notification) error { return nil })
	_, err = notify.NewDispatcher(r.store, map[string]notify.Notifier{"ops": ok, "ops/night": ok}, nil)
	assert.EqualError(t, err, `notify: receiver "ops/night": its name is receiver "ops"'s and a slash, so their outboxes overlap`)
	_, err = notify.NewDispatcher(r.store, map[string]notify.Notifier{"ops": ok, "ops-night": ok, "night/ops": ok}, nil)
	assert.NoError(t, err)
}

// A sender that panics is dead-lettered, and the dispatcher goes on.
func TestPanickingNotifier(t *testing.T) {
	r := newRig(t, map[string]notify.Notifier{"bad": notify.NotifierFunc(func(context.Context, *notify.Notification) error { panic("nil map") })}, nil)
	r.send("bad", "p")
	_, err := r.d.ProcessTimers(r.ctx)
	require.NoError(t, err)
	dead, err := r.log.DeadLetters(r.ctx)
	require.NoError(t, err)
	require.Len(t, dead, 1)
	assert.Equal(t, "the notifier panicked: nil map", dead[0].Error)
}

// Run delivers as notifications arrive, and stops with its context.
func TestRun(t *testing.T) {
	got := make(chan string, 1)
	r := newRig(t, map[string]notify.Notifier{"ops": notify.NotifierFunc(func(_ context.Context, n *notify.Notification) error {
		got <- n.Key
		return nil
	})}, &notify.Options{Interval: time.Hour}) // woken by Send, not by the ticker
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- r.d.Run(ctx) }()
	r.send("ops", "now")
	assert.Equal(t, "now", <-got)
	cancel()
	assert.ErrorIs(t, <-done, context.Canceled)
}

// hangs is a receiver that hangs until the attempt's timeout, counting
// its attempts under way, and the most it had at once.
type hangs struct {
	now, most atomic.Int32
}

func (h *hangs) Notify(ctx context.Context, _ *notify.Notification) error {
	n := h.now.Add(1)
	defer h.now.Add(-1)
	for m := h.most.Load(); n > m && !h.most.CompareAndSwap(m, n); m = h.most.Load() {
	}
	<-ctx.Done()
	return ctx.Err()
}

// takes is a receiver that accepts at once, noting how long after start
// each notification arrived, by key.
type takes struct {
	start time.Time
	mu    sync.Mutex
	at    map[string]time.Duration
}

func newTakes() *takes { return &takes{start: time.Now(), at: map[string]time.Duration{}} }

func (r *takes) Notify(_ context.Context, n *notify.Notification) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.at[n.Key] = time.Since(r.start)
	return nil
}

func (r *takes) got() map[string]time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	return maps.Clone(r.at)
}

// late returns the keys of what was delivered after the start, sorted.
func late(at map[string]time.Duration) []string {
	var keys []string
	for key, d := range at {
		if d > 0 {
			keys = append(keys, key)
		}
	}
	slices.Sort(keys)
	return keys
}

// attemptsOf returns the delivery log of a receiver's notifications, by key.
func attemptsOf(t *testing.T, log *notify.MemoryLog, id incident.ID, receiver string) map[string][]notify.Attempt {
	t.Helper()
	all, err := log.Attempts(context.Background(), id)
	require.NoError(t, err)
	out := map[string][]notify.Attempt{}
	for _, a := range all {
		if a.Receiver == receiver {
			out[a.Key] = append(out[a.Key], a)
		}
	}
	return out
}

// A receiver that hangs until the attempt's timeout delays only its own
// notifications: it holds its Workers lanes (4 by default) and no more,
// while another receiver's notifications go out at once; its own time out
// and are retried as any failure. The test runs in a synctest bubble, on
// the wall clock, so that the 10s timeout passes in fake time.
func TestHangingReceiverDelaysOnlyItself(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		hanging, healthy := &hangs{}, newTakes()
		log := notify.NewMemoryLog()
		d, err := notify.NewDispatcher(incident.NewMemoryStore(), map[string]notify.Notifier{"hanging": hanging, "healthy": healthy},
			&notify.Options{Log: log, Random: func() float64 { return 0 }})
		require.NoError(t, err)
		n := notifytest.Sample(notify.ReasonEscalation)
		for _, receiver := range []string{"hanging", "healthy"} { // the hanging receiver's first: they are due first
			for i := range 20 {
				n.Receiver, n.Key = receiver, fmt.Sprintf("%s-%02d", receiver, i)
				require.NoError(t, d.Send(t.Context(), n))
			}
		}
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error, 1)
		go func() { done <- d.Run(ctx) }()
		stopped := false
		defer func() {
			if !stopped { // a failed assertion: stop Run before the bubble ends
				cancel()
				<-done
			}
		}()
		synctest.Wait()

		got := healthy.got()
		require.Len(t, got, 20, "the healthy receiver's notifications are delivered while the other hangs")
		assert.Empty(t, late(got), "delivered at once")
		assert.EqualValues(t, 4, hanging.now.Load(), "the hanging receiver holds its own 4 lanes")

		// Its 20 take 5 rounds of 10s, then are tried again.
		time.Sleep(time.Minute)
		synctest.Wait()
		cancel()
		stopped = true
		require.ErrorIs(t, <-done, context.Canceled)
		assert.EqualValues(t, 4, hanging.most.Load(), "never more than its lanes")
		attempts := attemptsOf(t, log, n.Incident.ID, "hanging")
		require.Len(t, attempts, 20, "every one was tried")
		retried := 0
		for key, as := range attempts {
			for i, a := range as {
				assert.Equal(t, i+1, a.Number, key)
				assert.Equal(t, notify.OutcomeFailed, a.Outcome, key)
				assert.Contains(t, a.Error, "timed out", key)
				assert.True(t, a.RetryAt.After(a.At), "%s: retried later", key)
			}
			if len(as) > 1 {
				retried++
			}
		}
		assert.NotZero(t, retried, "the first to time out were tried again")
		dead, err := log.DeadLetters(t.Context())
		require.NoError(t, err)
		assert.Empty(t, dead)
		assert.Len(t, attemptsOf(t, log, n.Incident.ID, "healthy"), 20)
	})
}

// ProcessTimers isolates receivers as Run does: the healthy receiver's
// notifications, and a digest whose period ends meanwhile, go out at once,
// while the pass waits for the hanging receiver's attempts, 4 at a time.
func TestHangingReceiverProcessTimers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		hanging, healthy := &hangs{}, newTakes()
		r := newRig(t, map[string]notify.Notifier{"hanging": hanging, "healthy": healthy}, &notify.Options{Random: func() float64 { return 0 }})
		snap := notifytest.Sample(notify.ReasonOpened).Incident
		snap.ID = r.incident("batch")
		require.NoError(t, r.d.AddToDigest(r.ctx, "healthy", snap))
		// notifytest.At is 16:52:10 UTC: the digest goes out tomorrow at
		// 09:00, a second after the notifications are due.
		r.clock.Set(time.Date(2026, 11, 24, 8, 59, 59, 0, time.UTC))
		var sent []string
		for _, receiver := range []string{"hanging", "healthy"} {
			for i := range 20 {
				sent = append(sent, r.send(receiver, fmt.Sprintf("%s-%02d", receiver, i)).Key)
			}
		}
		r.clock.Advance(time.Second)

		start := time.Now()
		handled, err := r.d.ProcessTimers(r.ctx)
		require.NoError(t, err)
		assert.Equal(t, 42, handled, "40 notifications, the digests' period, and the digest")
		assert.Equal(t, 50*time.Second, time.Since(start), "the hanging receiver's 20, 4 at a time")
		assert.EqualValues(t, 4, hanging.most.Load())
		got := healthy.got()
		require.Len(t, got, 21)
		assert.Empty(t, late(got), "delivered before the first timeout")
		assert.Contains(t, got, "digest/healthy/2026-11-24T09:00:00Z")

		// The hanging receiver's are tried again once their backoff passed.
		for _, key := range sent[:20] {
			attempts := attemptsOf(t, r.log, r.incident(key), "hanging")[key]
			require.Len(t, attempts, 1, key)
			assert.Equal(t, notify.OutcomeFailed, attempts[0].Outcome)
			assert.Equal(t, r.clock.Now().Add(500*time.Millisecond), attempts[0].RetryAt, "%s: the first backoff", key)
		}
		handled, err = r.d.ProcessTimers(r.ctx)
		require.NoError(t, err)
		assert.Zero(t, handled, "not due yet")
		r.clock.Advance(500 * time.Millisecond)
		handled, err = r.d.ProcessTimers(r.ctx)
		require.NoError(t, err)
		assert.Equal(t, 20, handled)
		for _, key := range sent[:20] {
			attempts := attemptsOf(t, r.log, r.incident(key), "hanging")[key]
			require.Len(t, attempts, 2, key)
			assert.Equal(t, 2, attempts[1].Number)
		}
	})
}

// ignoresSkip is a Store that claims timers whatever the claim skips.
type ignoresSkip struct{ incident.Store }

func (s ignoresSkip) ClaimTimers(ctx context.Context, c incident.Claim) ([]incident.Timer, error) {
	c.Skip = nil
	return s.Store.ClaimTimers(ctx, c)
}

// A dispatcher holds no more of a receiver's notifications than it has
// lanes for: while its attempts hang, the rest stay free in the outbox,
// and another replica sends them at once. A claim skips them; from a
// store that does not skip, they are handed back, due as they were.
func TestReplicaTakesWhatALaneCannot(t *testing.T) {
	tests := []struct {
		name  string
		store func(incident.Store) incident.Store
	}{
		{"store skips", func(s incident.Store) incident.Store { return s }},
		{"store does not skip", func(s incident.Store) incident.Store { return ignoresSkip{s} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				hanging, healthy := &hangs{}, newTakes()
				r := newRig(t, map[string]notify.Notifier{"pd": hanging}, nil)
				stuck, err := notify.NewDispatcher(tt.store(r.store), map[string]notify.Notifier{"pd": hanging},
					&notify.Options{Now: r.clock.Now, Log: r.log, Owner: "stuck"})
				require.NoError(t, err)
				other, err := notify.NewDispatcher(r.store, map[string]notify.Notifier{"pd": healthy},
					&notify.Options{Now: r.clock.Now, Log: r.log, Owner: "other"})
				require.NoError(t, err)
				for i := range 20 {
					r.send("pd", fmt.Sprintf("k%02d", i))
				}
				var stuckHandled int
				var wg sync.WaitGroup
				defer wg.Wait() // its attempts end with their timeout
				wg.Go(func() {
					var err error
					stuckHandled, err = stuck.ProcessTimers(r.ctx)
					assert.NoError(t, err)
				})
				synctest.Wait()
				assert.EqualValues(t, 4, hanging.now.Load())

				handled, err := other.ProcessTimers(r.ctx)
				require.NoError(t, err)
				assert.Equal(t, 16, handled, "all but the 4 under way")
				got := healthy.got()
				assert.Len(t, got, 16)
				assert.Empty(t, late(got), "delivered at once")
				wg.Wait()
				assert.Equal(t, 4, stuckHandled, "the stuck replica handled its 4, then found nothing left")
				assert.EqualValues(t, 4, hanging.most.Load())
			})
		})
	}
}

// A receiver's Retry-After is honoured up to Options.MaxRetryAfter (5m by
// default), and never shortens the backoff: the delivery log's RetryAt,
// and the time the notification is next due, are the capped wait.
func TestRetryAfterIsCapped(t *testing.T) {
	yearAhead := func() string { return time.Now().UTC().AddDate(1, 0, 0).Format(http.TimeFormat) }
	tests := []struct {
		name  string
		max   time.Duration
		after func() string
		want  time.Duration
	}{
		{"honoured", 0, func() string { return "120" }, 2 * time.Minute},
		{"a day", 0, func() string { return "86400" }, 5 * time.Minute},
		{"a year", 0, func() string { return "31536000" }, 5 * time.Minute},
		{"beyond a duration", 0, func() string { return "99999999999" }, 5 * time.Minute},
		{"a date a year ahead", 0, yearAhead, 5 * time.Minute},
		{"negative: the backoff", 0, func() string { return "-5" }, 500 * time.Millisecond},
		{"garbage: the backoff", 0, func() string { return "in a while" }, 500 * time.Millisecond},
		{"shorter than the backoff", 0, func() string { return "0" }, 500 * time.Millisecond},
		{"a cap of a minute", time.Minute, func() string { return "120" }, time.Minute},
		{"a cap of a minute, a day asked", time.Minute, func() string { return "86400" }, time.Minute},
		{"under a cap of a minute", time.Minute, func() string { return "45" }, 45 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ep := newEndpoint("busy", func(n int, w http.ResponseWriter, _ *http.Request) bool {
					if n > 1 {
						return true
					}
					w.Header().Set("Retry-After", tt.after())
					http.Error(w, "maintenance", http.StatusServiceUnavailable)
					return false
				})
				r := newRig(t, map[string]notify.Notifier{"busy": poster(ep)},
					&notify.Options{MaxRetryAfter: tt.max, Random: func() float64 { return 0 }})
				n := r.send("busy", "k")
				start := r.clock.Now()
				_, err := r.d.ProcessTimers(r.ctx)
				require.NoError(t, err)
				attempts := attemptsOf(t, r.log, n.Incident.ID, "busy")["k"]
				require.Len(t, attempts, 1)
				assert.Equal(t, notify.OutcomeFailed, attempts[0].Outcome)
				assert.Equal(t, start.Add(tt.want), attempts[0].RetryAt)

				r.clock.Advance(tt.want - time.Nanosecond)
				handled, err := r.d.ProcessTimers(r.ctx)
				require.NoError(t, err)
				assert.Zero(t, handled, "not due before RetryAt")
				r.clock.Advance(time.Nanosecond)
				handled, err = r.d.ProcessTimers(r.ctx)
				require.NoError(t, err)
				assert.Equal(t, 1, handled, "due at RetryAt")
				_, accepted := ep.counts()
				assert.Equal(t, map[string]int{"k": 1}, accepted)
			})
		})
	}
}

// A receiver that always answers 503 with a Retry-After of a day has its
// notification dead-lettered after MaxAttempts, within MaxAttempts ×
// MaxRetryAfter, as any failing receiver: each wait is an attempt.
func TestRetryAfterDeadLetters(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ep := newEndpoint("busy", func(_ int, w http.ResponseWriter, _ *http.Request) bool {
			w.Header().Set("Retry-After", "86400")
			http.Error(w, "maintenance", http.StatusServiceUnavailable)
			return false
		})
		r := newRig(t, map[string]notify.Notifier{"busy": poster(ep)}, nil)
		n := r.send("busy", "k")
		start := r.clock.Now()
		r.run(12*5*time.Minute, func() bool { dead, _ := r.log.DeadLetters(r.ctx); return len(dead) == 1 })

		dead, err := r.log.DeadLetters(r.ctx)
		require.NoError(t, err)
		require.Len(t, dead, 1, "dead-lettered within MaxAttempts × MaxRetryAfter")
		assert.Equal(t, 12, dead[0].Attempts, "the default MaxAttempts")
		assert.LessOrEqual(t, dead[0].At.Sub(start), 12*5*time.Minute)
		requests, _ := ep.counts()
		assert.Equal(t, 12, requests)
		attempts := attemptsOf(t, r.log, n.Incident.ID, "busy")["k"]
		require.Len(t, attempts, 12)
		for _, a := range attempts[:11] {
			assert.Equal(t, notify.OutcomeFailed, a.Outcome)
			assert.Equal(t, 503, a.StatusCode)
			assert.Equal(t, 5*time.Minute, a.RetryAt.Sub(a.At), "attempt %d: the cap, not a day", a.Number)
		}
		assert.Equal(t, notify.OutcomeDead, attempts[11].Outcome)
		history, err := r.store.History(r.ctx, n.Incident.ID)
		require.NoError(t, err)
		assert.Equal(t, "busy: escalation dead-lettered after 12 attempts: 503 Service Unavailable: maintenance", history[len(history)-1].Note)
	})
}
