package notify_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
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
	"github.com/alertkit/alertkit/internal/backoff"
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
		assert.Equal(t, notify.Delivered, attempts[0].Outcome)
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
				assert.Equal(t, notify.Delivered, mine[len(mine)-1].Outcome, key)
				for i, a := range mine[:len(mine)-1] {
					assert.Equal(t, notify.Failed, a.Outcome, key)
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
			&notify.Options{MaxAttempts: 5, Backoff: backoff.Policy{Min: time.Second, Max: 10 * time.Second}})
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
