package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/robfig/cron/v3"
	"golang.org/x/time/rate"

	"github.com/alertkit/alertkit/incident"
	"github.com/alertkit/alertkit/internal/backoff"
)

// The kinds of timer the Dispatcher keeps in the incident Store.
const (
	// TimerNotify is a notification in the outbox.
	TimerNotify = "notify"
	// TimerDigestItem is an incident waiting for a receiver's digest.
	TimerDigestItem = "digest-item"
	// TimerDigest is the sending of the digests of a period.
	TimerDigest = "digest"
)

// Rate limits the notifications to a receiver: Burst at once, then
// PerMinute a minute.
type Rate struct {
	PerMinute float64
	Burst     int
}

// Options configure a Dispatcher. A nil *Options, and every zero field,
// means the default.
type Options struct {
	// Now returns the time; default time.Now.
	Now func() time.Time
	// Owner names this worker when it claims the outbox's timers; default
	// "notify". Replicas sharing a store use different names.
	Owner string
	// Workers is how many notifications are sent at once; default 8.
	Workers int
	// Timeout bounds an attempt; default 10s.
	Timeout time.Duration
	// Lease is how long a claimed notification is this worker's before
	// another replica may take it over; default Timeout + 1m. It must be
	// longer than an attempt can take.
	Lease time.Duration
	// MaxAttempts is how many times a notification is tried before it is
	// dead-lettered; default 12 (about 25 minutes with the default
	// backoff).
	MaxAttempts int
	// Backoff is the wait between attempts, unless a receiver asks for
	// longer with Retry-After; default 1s doubling up to 5m, jittered.
	Backoff backoff.Policy
	// Rates limits receivers, by name; a receiver not listed is not
	// limited. A notification over the limit waits, without counting an
	// attempt.
	Rates map[string]Rate
	// Digests says when the digests of batch incidents go out: a cron
	// expression of five fields, in Location; default daily at 09:00.
	Digests  string
	Location *time.Location
	// Log keeps the delivery log and the dead letters; default a
	// MemoryLog.
	Log Log
	// Interval is how often Run looks for due work besides being woken;
	// default 1s.
	Interval time.Duration
	// OnError, if set, hears the errors Run meets.
	OnError func(error)
	// Random returns a number in [0, 1) for the backoff's jitter; default
	// math/rand/v2.
	Random func() float64
}

// Dispatcher sends notifications to receivers at least once: every
// notification is put in the outbox — the incident Store's timers — before
// Send returns, and taken out only once the receiver accepted it; a
// failure is tried again with backoff, honouring Retry-After, until it
// succeeds or its attempts run out and it is dead-lettered. Every attempt is
// in the delivery log, and every final outcome in the incident's history. A
// crash between a send and its mark re-sends the notification, with the
// same Key. Several Dispatchers (replicas) may share a store.
//
// A Dispatcher is safe for concurrent use.
type Dispatcher struct {
	store     incident.Store
	receivers map[string]Notifier
	opts      Options
	log       Log
	digests   cron.Schedule
	limiters  map[string]*rate.Limiter
	wake      chan struct{}
	randMu    sync.Mutex
}

// NewDispatcher returns a Dispatcher over a store and named receivers.
func NewDispatcher(store incident.Store, receivers map[string]Notifier, opts *Options) (*Dispatcher, error) {
	d := &Dispatcher{store: store, receivers: maps.Clone(receivers), wake: make(chan struct{}, 1), limiters: map[string]*rate.Limiter{}}
	if opts != nil {
		d.opts = *opts
	}
	o := &d.opts
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Owner == "" {
		o.Owner = "notify"
	}
	if o.Workers <= 0 {
		o.Workers = 8
	}
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	if o.Lease <= 0 {
		o.Lease = o.Timeout + time.Minute
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 12
	}
	if o.Backoff == (backoff.Policy{}) {
		o.Backoff = backoff.Policy{Min: time.Second, Max: 5 * time.Minute}
	}
	if o.Digests == "" {
		o.Digests = "0 9 * * *"
	}
	if o.Location == nil {
		o.Location = time.UTC
	}
	if o.Interval <= 0 {
		o.Interval = time.Second
	}
	if o.Random == nil {
		o.Random = rand.Float64
	}
	d.log = o.Log
	if d.log == nil {
		d.log = NewMemoryLog()
	}
	for name, n := range d.receivers {
		if n == nil {
			return nil, fmt.Errorf("notify: receiver %q: nil notifier", name)
		}
	}
	for name, r := range o.Rates {
		if _, ok := d.receivers[name]; !ok {
			return nil, fmt.Errorf("notify: rate for an unknown receiver %q", name)
		}
		if r.PerMinute <= 0 || r.Burst <= 0 {
			return nil, fmt.Errorf("notify: receiver %s: rate %v/min, burst %d: both must be positive", name, r.PerMinute, r.Burst)
		}
		d.limiters[name] = rate.NewLimiter(rate.Limit(r.PerMinute/60), r.Burst)
	}
	sched, err := cron.ParseStandard(o.Digests)
	if err != nil {
		return nil, fmt.Errorf("notify: digests %q: %w", o.Digests, err)
	}
	d.digests = sched
	return d, nil
}

// Log returns the delivery log.
func (d *Dispatcher) Log() Log { return d.log }

// envelope is a notification in the outbox, with its attempts so far.
type envelope struct {
	N        Notification `json:"n"`
	Attempts int          `json:"attempts,omitempty"`
}

func outboxKey(receiver, key string) string { return TimerNotify + "/" + receiver + "/" + key }

// Send puts a notification in the outbox and returns once it is there; the
// Dispatcher's workers deliver it. A notification sent again with the same
// Receiver and Key while it waits replaces it (and starts its attempts
// again); once delivered, it is delivered again, with the same Key.
func (d *Dispatcher) Send(ctx context.Context, n *Notification) error {
	if err := n.Validate(); err != nil {
		return fmt.Errorf("notify: %w", err)
	}
	if _, ok := d.receivers[n.Receiver]; !ok {
		return fmt.Errorf("notify: notification %s: unknown receiver %q", n.Key, n.Receiver)
	}
	if err := d.enqueue(ctx, envelope{N: *n}, d.opts.Now()); err != nil {
		return err
	}
	d.poke()
	return nil
}

func (d *Dispatcher) enqueue(ctx context.Context, env envelope, due time.Time) error {
	data, err := json.Marshal(env)
	if err != nil {
		return fmt.Errorf("notify: notification %s: %w", env.N.Key, err)
	}
	return d.store.SetTimer(ctx, incident.Timer{
		Key: outboxKey(env.N.Receiver, env.N.Key), Kind: TimerNotify, Incident: env.N.Incident.ID, Due: due, Data: string(data),
	})
}

// poke wakes Run.
func (d *Dispatcher) poke() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// ProcessTimers sends what is due — notifications, and digests whose
// period ended — up to Workers at a time, and returns when none is left,
// with how many it handled. A host that drives its own loop calls it; Run
// does the same continuously.
func (d *Dispatcher) ProcessTimers(ctx context.Context) (int, error) {
	var errs []error
	done := 0
	for ctx.Err() == nil {
		timers, err := d.claim(ctx, d.opts.Workers*4)
		if err != nil {
			return done, errors.Join(append(errs, err)...)
		}
		if len(timers) == 0 {
			break
		}
		var mu sync.Mutex
		sem := make(chan struct{}, d.opts.Workers)
		var wg sync.WaitGroup
		for _, t := range timers {
			sem <- struct{}{}
			wg.Go(func() {
				defer func() { <-sem }()
				if err := d.handle(ctx, t); err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		done += len(timers)
	}
	return done, errors.Join(errs...)
}

func (d *Dispatcher) claim(ctx context.Context, limit int) ([]incident.Timer, error) {
	return d.store.ClaimTimers(ctx, incident.Claim{
		Now: d.opts.Now(), Owner: d.opts.Owner, Lease: d.opts.Lease, Limit: limit,
		Kinds: []string{TimerNotify, TimerDigest},
	})
}

// Run sends notifications as they fall due, Workers at a time, until ctx
// ends; then it waits for the attempts under way, which end within
// Timeout. Errors go to Options.OnError.
func (d *Dispatcher) Run(ctx context.Context) error {
	sem := make(chan struct{}, d.opts.Workers)
	var wg sync.WaitGroup
	defer wg.Wait()
	tick := time.NewTicker(d.opts.Interval)
	defer tick.Stop()
	// Attempts under way finish after ctx ends, within Timeout.
	work := context.WithoutCancel(ctx)
	for {
		if free := cap(sem) - len(sem); free > 0 && ctx.Err() == nil {
			timers, err := d.claim(ctx, free)
			if err != nil && ctx.Err() == nil {
				d.report(err)
			}
			for _, t := range timers {
				sem <- struct{}{}
				wg.Go(func() {
					defer func() { <-sem; d.poke() }()
					if err := d.handle(work, t); err != nil {
						d.report(err)
					}
				})
			}
			if len(timers) == free {
				continue // there may be more due
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-d.wake:
		case <-tick.C:
		}
	}
}

func (d *Dispatcher) report(err error) {
	if d.opts.OnError != nil {
		d.opts.OnError(err)
	}
}

func (d *Dispatcher) handle(ctx context.Context, t incident.Timer) error {
	var err error
	switch t.Kind {
	case TimerNotify:
		err = d.deliver(ctx, t)
	case TimerDigest:
		err = d.flushDigests(ctx, t)
	default:
		err = fmt.Errorf("no handler for timers of kind %q", t.Kind)
	}
	if err != nil {
		return fmt.Errorf("notify: timer %s: %w", t.Key, err)
	}
	return nil
}

func (d *Dispatcher) jitter() float64 {
	d.randMu.Lock()
	defer d.randMu.Unlock()
	return d.opts.Random()
}

// deliver makes one attempt at an outbox entry.
func (d *Dispatcher) deliver(ctx context.Context, t incident.Timer) error {
	var env envelope
	if err := json.Unmarshal([]byte(t.Data), &env); err != nil {
		// Not something this package wrote: drop it, loudly.
		_ = d.store.CompleteTimer(ctx, t)
		return fmt.Errorf("unreadable outbox entry, dropped: %w", err)
	}
	n := &env.N
	now := d.opts.Now()
	if lim := d.limiters[n.Receiver]; lim != nil {
		r := lim.ReserveN(now, 1)
		if wait := r.DelayFrom(now); wait > 0 {
			r.CancelAt(now)
			t.Due = now.Add(wait)
			return d.store.SetTimer(ctx, t) // over the limit: later, no attempt counted
		}
	}
	env.Attempts++
	a := Attempt{Key: n.Key, Receiver: n.Receiver, Incident: n.Incident.ID, Reason: n.Reason, Number: env.Attempts, At: now}
	recv, ok := d.receivers[n.Receiver]
	var err error
	if !ok {
		err = Permanent(fmt.Errorf("no receiver %q", n.Receiver))
	} else {
		actx, cancel := context.WithTimeout(ctx, d.opts.Timeout)
		start := time.Now()
		err = safeNotify(actx, recv, n)
		a.Latency = time.Since(start)
		if err != nil && errors.Is(actx.Err(), context.DeadlineExceeded) && !errors.Is(err, ErrTimeout) {
			err = fmt.Errorf("%w after %s: %w", ErrTimeout, d.opts.Timeout, err)
		}
		cancel()
	}
	if err == nil {
		a.Outcome = Delivered
		d.record(ctx, a)
		// The mark: a crash before it sends the notification again.
		if err := d.store.CompleteTimer(ctx, t); err != nil && !errors.Is(err, incident.ErrLeaseLost) {
			return err
		}
		return d.history(ctx, n, fmt.Sprintf("%s: %s delivered (attempt %d)", n.Receiver, n.Reason, env.Attempts))
	}
	a.Error, a.StatusCode = err.Error(), StatusCode(err)
	retry, after := Retryable(err)
	if !retry || env.Attempts >= d.opts.MaxAttempts {
		a.Outcome = Dead
		d.record(ctx, a)
		if err := d.log.Bury(ctx, DeadLetter{Notification: *n, Attempts: env.Attempts, Error: a.Error, At: now}); err != nil {
			return err
		}
		if err := d.store.CompleteTimer(ctx, t); err != nil && !errors.Is(err, incident.ErrLeaseLost) {
			return err
		}
		why := "a permanent error"
		if retry {
			why = strconv.Itoa(env.Attempts) + " attempts"
		}
		return d.history(ctx, n, fmt.Sprintf("%s: %s dead-lettered after %s: %s", n.Receiver, n.Reason, why, a.Error))
	}
	wait := max(after, d.opts.Backoff.Delay(env.Attempts, d.jitter()))
	a.Outcome, a.RetryAt = Failed, now.Add(wait)
	d.record(ctx, a)
	return d.enqueue(ctx, env, a.RetryAt)
}

// safeNotify calls a notifier, turning its panic into a permanent error: a
// broken sender must not take the dispatcher down.
func safeNotify(ctx context.Context, n Notifier, msg *Notification) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = Permanent(fmt.Errorf("the notifier panicked: %v", r))
		}
	}()
	return n.Notify(ctx, msg)
}

func (d *Dispatcher) record(ctx context.Context, a Attempt) {
	if err := d.log.Record(ctx, a); err != nil {
		d.report(fmt.Errorf("notify: delivery log: %w", err))
	}
}

// history notes a final outcome in the history of the notification's
// incidents.
func (d *Dispatcher) history(ctx context.Context, n *Notification, note string) error {
	ids := []incident.ID{n.Incident.ID}
	for _, it := range n.Items {
		if !slices.Contains(ids, it.ID) {
			ids = append(ids, it.ID)
		}
	}
	var errs []error
	for _, id := range ids {
		err := d.store.AppendHistory(ctx, id, incident.Event{At: d.opts.Now(), Kind: incident.EventNotified, Actor: "notify", Note: note})
		if err != nil && !errors.Is(err, incident.ErrNotFound) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Redeliver puts a dead letter back in the outbox, its attempts counted
// afresh.
func (d *Dispatcher) Redeliver(ctx context.Context, receiver, key string) error {
	dl, ok, err := d.log.Exhume(ctx, receiver, key)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("notify: no dead letter %s for %s", key, receiver)
	}
	if err := d.enqueue(ctx, envelope{N: dl.Notification}, d.opts.Now()); err != nil {
		return err
	}
	d.poke()
	return nil
}
