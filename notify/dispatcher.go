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
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/robfig/cron/v3"
	"golang.org/x/time/rate"

	"github.com/alertkit/alertkit/incident"
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
	// Workers is how many attempts are under way at once per receiver
	// (the digests count as one more receiver); default 4. Each receiver
	// has its own: one that hangs until Timeout holds up only its own
	// notifications, and the others are sent meanwhile. In all, a
	// Dispatcher runs up to Workers attempts per receiver at once, shared
	// by Run and ProcessTimers.
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
	Backoff Backoff
	// MaxRetryAfter caps the wait a receiver asks for with Retry-After;
	// default 5m. A receiver's ask is honoured up to it, and the wait is
	// never shorter than the backoff: max(min(Retry-After, MaxRetryAfter),
	// backoff). Every such wait follows an attempt, so a receiver that
	// always asks for a day gets its notifications dead-lettered after
	// MaxAttempts, within MaxAttempts × MaxRetryAfter (or the backoff, if
	// longer), instead of holding them for days.
	MaxRetryAfter time.Duration
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
	lanes     lanes
	wake      chan struct{}
	work      atomic.Uint64 // counts pokes: new work may be due
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
		o.Workers = 4
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
	if o.Backoff == (Backoff{}) {
		o.Backoff = Backoff{Min: time.Second, Max: 5 * time.Minute}
	}
	if o.MaxRetryAfter <= 0 {
		o.MaxRetryAfter = 5 * time.Minute
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
	for _, name := range slices.Sorted(maps.Keys(d.receivers)) {
		if n := d.receivers[name]; n == nil {
			return nil, fmt.Errorf("notify: receiver %q: nil notifier", name)
		}
		// A receiver's outbox is the timers under its key prefix, which
		// must not hold another's.
		for i := range len(name) {
			if name[i] != '/' {
				continue
			}
			if _, ok := d.receivers[name[:i]]; ok {
				return nil, fmt.Errorf("notify: receiver %q: its name is receiver %q's and a slash, so their outboxes overlap", name, name[:i])
			}
		}
	}
	d.lanes = lanes{per: o.Workers, busy: map[string]int{}, freed: make(chan struct{})}
	for _, name := range slices.Sorted(maps.Keys(o.Rates)) { // the same error on every run
		r := o.Rates[name]
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
// Dispatcher's workers deliver it. A notification without an At is stamped
// with the time it is sent. A notification sent again with the same
// Receiver and Key while it waits replaces it (and starts its attempts
// again); once delivered, it is delivered again, with the same Key.
func (d *Dispatcher) Send(ctx context.Context, n *Notification) error {
	if err := n.Validate(); err != nil {
		return fmt.Errorf("notify: %w", err)
	}
	if _, ok := d.receivers[n.Receiver]; !ok {
		return fmt.Errorf("notify: notification %s: unknown receiver %q", n.Key, n.Receiver)
	}
	now := d.opts.Now()
	env := envelope{N: *n}
	if env.N.At.IsZero() {
		env.N.At = now
	}
	if err := d.enqueue(ctx, env, now); err != nil {
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

// poke says that new work may be due, and wakes Run.
func (d *Dispatcher) poke() {
	d.work.Add(1)
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// ProcessTimers sends what is due — notifications, and digests whose
// period ended — up to Workers at a time per receiver, and returns when
// none is left, with how many it handled. A receiver that hangs delays
// only its own notifications: the others are sent meanwhile, and
// ProcessTimers returns once the attempts it started have ended, within
// Timeout. A host that drives its own loop calls it; Run does the same
// continuously.
func (d *Dispatcher) ProcessTimers(ctx context.Context) (int, error) {
	var mu sync.Mutex
	var errs []error
	p := &pass{d: d, claimCtx: ctx, work: ctx, onError: func(err error) {
		mu.Lock()
		defer mu.Unlock()
		errs = append(errs, err)
	}}
	for ctx.Err() == nil {
		freed := d.lanes.watch()
		if err := p.fill(); err != nil {
			p.onError(err)
			break
		}
		if p.running.Load() == 0 {
			break
		}
		select {
		case <-freed:
		case <-ctx.Done():
		}
	}
	p.wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	return p.started, errors.Join(errs...)
}

// Run sends notifications as they fall due, Workers at a time per
// receiver, until ctx ends; then it waits for the attempts under way, which
// end within Timeout. Errors go to Options.OnError.
func (d *Dispatcher) Run(ctx context.Context) error {
	// Attempts under way finish after ctx ends, within Timeout.
	p := &pass{d: d, claimCtx: ctx, work: context.WithoutCancel(ctx), onError: d.report}
	defer p.wg.Wait()
	tick := time.NewTicker(d.opts.Interval)
	defer tick.Stop()
	for {
		freed := d.lanes.watch()
		if err := p.fill(); err != nil && ctx.Err() == nil {
			d.report(err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-d.wake:
		case <-freed:
		case <-tick.C:
			p.forget() // time passed: more may be due
		}
	}
}

// pass claims due timers and starts their attempts, each in a lane of its
// receiver, for Run or ProcessTimers.
type pass struct {
	d        *Dispatcher
	claimCtx context.Context // ends the claiming
	work     context.Context // of the attempts
	onError  func(error)
	wg       sync.WaitGroup
	running  atomic.Int64 // attempts under way
	started  int

	// What the last claim that found all it could left behind: nothing
	// due but under these lane prefixes, as of work generation gen. Until
	// more work comes, or a lane of one of them frees, a claim would find
	// nothing.
	left  []string
	gen   uint64
	known bool
}

// forget drops what the pass knows of what is left to claim.
func (p *pass) forget() { p.known = false }

// fill claims due timers, in as many as the lanes free, and starts their
// attempts, until nothing more due can be started.
func (p *pass) fill() error {
	d := p.d
	for p.claimCtx.Err() == nil {
		full, limit := d.lanes.state()
		gen := d.work.Load()
		if p.known && p.gen == gen && containsAll(full, p.left) {
			return nil
		}
		// Every lane that is not full has limit free at least, so that
		// the claim takes none beyond its lanes; it skips the full ones,
		// whose timers stay free, for a later claim or another replica.
		timers, err := d.store.ClaimTimers(p.claimCtx, incident.Claim{
			Now: d.opts.Now(), Owner: d.opts.Owner, Lease: d.opts.Lease, Limit: limit,
			Kinds: []string{TimerNotify, TimerDigest}, Skip: full,
		})
		if err != nil {
			return err
		}
		left := full
		for _, t := range timers {
			lane := d.lane(t)
			if !d.lanes.take(lane) {
				// Its lanes filled meanwhile (a Run and a ProcessTimers at
				// once), or the store does not skip: back to the outbox,
				// due as it was, for the next free lane, here or in
				// another replica.
				left = append(left, lane)
				if err := d.store.SetTimer(p.work, t); err != nil {
					p.onError(fmt.Errorf("notify: timer %s: handing it back: %w", t.Key, err)) // it comes back when its lease runs out
				}
				continue
			}
			p.started++
			p.running.Add(1)
			p.wg.Go(func() {
				defer d.lanes.release(lane)
				defer p.running.Add(-1)
				if err := d.handle(p.work, t); err != nil {
					p.onError(err)
				}
			})
		}
		if len(timers) < limit || len(left) > len(full) {
			p.left, p.gen, p.known = left, gen, true
			return nil
		}
	}
	return nil
}

// containsAll reports whether every element of b is in a.
func containsAll(a, b []string) bool {
	for _, s := range b {
		if !slices.Contains(a, s) {
			return false
		}
	}
	return true
}

// lane returns the lane of a timer: the key prefix of its receiver's
// outbox, or of the digests. The notifications of a receiver this
// Dispatcher does not know have none: they are dead-lettered at once,
// without calling a notifier.
func (d *Dispatcher) lane(t incident.Timer) string {
	switch t.Kind {
	case TimerDigest:
		return TimerDigest + "/"
	case TimerNotify:
		rest, ok := strings.CutPrefix(t.Key, TimerNotify+"/")
		for i := 0; ok && i < len(rest); i++ {
			if rest[i] != '/' {
				continue
			}
			if _, known := d.receivers[rest[:i]]; known {
				return t.Key[:len(TimerNotify)+1+i+1]
			}
		}
	}
	return ""
}

// lanes counts the attempts under way by lane — a receiver's, or the
// digests' — so that each lane has Workers of its own.
type lanes struct {
	per   int
	mu    sync.Mutex
	busy  map[string]int
	freed chan struct{} // closed, and replaced, when an attempt ends
}

// state returns the lanes that are full, sorted, and how many timers a
// claim that skips them may take: the fewest free in any other lane.
func (l *lanes) state() (full []string, limit int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	most := 0
	for lane, n := range l.busy {
		if lane == "" {
			continue // never full, and claimed without a limit
		}
		if n >= l.per {
			full = append(full, lane)
		} else {
			most = max(most, n)
		}
	}
	slices.Sort(full)
	return full, l.per - most
}

// watch returns a channel closed when an attempt next ends.
func (l *lanes) watch() <-chan struct{} {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.freed
}

// take reserves a place in a lane, if it has one free. The lane "" is
// never full.
func (l *lanes) take(lane string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if lane != "" && l.busy[lane] >= l.per {
		return false
	}
	l.busy[lane]++
	return true
}

// release frees a place taken in a lane.
func (l *lanes) release(lane string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.busy[lane]--; l.busy[lane] <= 0 {
		delete(l.busy, lane)
	}
	close(l.freed)
	l.freed = make(chan struct{})
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
		a.Outcome = OutcomeDelivered
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
		a.Outcome = OutcomeDead
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
	// The receiver's ask, up to the cap: a Retry-After of a day or a year
	// must not hold a page back that long.
	wait := max(min(after, d.opts.MaxRetryAfter), d.opts.Backoff.Delay(env.Attempts, d.jitter()))
	a.Outcome, a.RetryAt = OutcomeFailed, now.Add(wait)
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
