package dedup

import (
	"cmp"
	"fmt"
	"hash/maphash"
	"math/bits"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/common/model"

	"github.com/alertkit/alertkit/alert"
)

// Defaults of Options.
const (
	DefaultFlapThreshold = 4
	DefaultFlapWindow    = 30 * time.Minute
	DefaultRetention     = 24 * time.Hour
	DefaultKeepIntervals = 4
)

// Options tune a Deduper. A nil *Options, and every zero field, means the
// default.
type Options struct {
	// FlapThreshold is how many state changes of a lasting alert within
	// FlapWindow mark it flapping. Default 4: two fire-and-resolve cycles. A
	// negative value turns flap detection off.
	FlapThreshold int
	// FlapWindow is the window of flap detection, as Alerta's 1800 s: the
	// flag clears after a window without changes. Default 30m. Flapping
	// changes nothing of what downstream is told of the alert's state —
	// every change is published, marked Flapping — so that incidents show
	// what the sources say; it is the escalation stage that holds the pages
	// of a flapping alert.
	FlapWindow time.Duration
	// Retention is how long a record that is no longer active (resolved, or
	// an instant alert) is kept after it was last seen, so that an alert
	// firing again is known as the same alert. Default 24h.
	Retention time.Duration
	// KeepIntervals is how many recent firing intervals a record keeps
	// besides the first; older ones are counted, not kept. Default 4.
	KeepIntervals int
	// Now returns the time for alerts that carry no UpdatedAt. Default
	// time.Now.
	Now func() time.Time
}

func (o *Options) withDefaults() Options {
	var c Options
	if o != nil {
		c = *o
	}
	if c.FlapThreshold == 0 {
		c.FlapThreshold = DefaultFlapThreshold
	}
	if c.FlapWindow <= 0 {
		c.FlapWindow = DefaultFlapWindow
	}
	if c.Retention <= 0 {
		c.Retention = DefaultRetention
	}
	if c.KeepIntervals <= 0 {
		c.KeepIntervals = DefaultKeepIntervals
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

// Record is what the Deduper knows of one alert, as a snapshot.
type Record struct {
	Fingerprint model.Fingerprint
	// Alert is the latest report.
	Alert alert.Alert
	// State is the state downstream was last told of: the alert's own
	// state, unless downstream failed to record a change (Unpublish) that
	// the next report or sweep publishes again.
	State alert.State
	// Flapping is set while the alert changes state too often.
	Flapping bool
	// Firings are the firing intervals of a lasting alert, or the
	// occurrences of an instant one.
	Firings Intervals
	// FirstSeen and LastSeen are when alertkit first and last heard of it.
	FirstSeen, LastSeen time.Time
	// Seq numbers the changes published for this alert, from 1, so that
	// downstream stages can drop a change that arrives after a later one.
	Seq uint64
}

// Change is something downstream should know about an alert: it appeared,
// its state changed, an instant alert occurred again, or it started or
// stopped flapping. Several may hold at once.
type Change struct {
	// Record is the alert after the change.
	Record
	// From is the state downstream knew before; StateNone for a new alert.
	From alert.State
	// New is set on the first report of an alert.
	New bool
	// Refired is set when a resolved alert fires again: a new interval.
	Refired bool
	// Occurred is set when an instant alert happens again.
	Occurred bool
	// FlapChanged is set when Flapping changed.
	FlapChanged bool
	// At is when the change happened: the time of the report that made
	// it, or of the sweep. Replicas fed the same reports stamp their copies
	// of a change alike, so that downstream can order changes across
	// processes, where Seq, which counts per Deduper, cannot.
	At time.Time
	// Index is the index, in the batch given to Ingest, of the report that
	// made the change; -1 for a change that Sweep or CheckIn made.
	Index int
}

// Restates reports whether the change says nothing new of the alert's
// state: what a restored alert's first report, a change of its source's
// refresh promise, or a change published again after downstream failed to
// record it tells downstream, for it to check against what it holds.
func (c *Change) Restates() bool {
	return !c.New && !c.Refired && !c.Occurred && !c.FlapChanged && c.From == c.State
}

// String describes the change for logs: "new firing
// {alertname="TargetDown"}", "firing → resolved {…}".
func (c *Change) String() string {
	var b strings.Builder
	switch {
	case c.New:
		b.WriteString("new " + c.State.String())
	case c.Occurred:
		b.WriteString("occurred again")
	case c.From != c.State:
		b.WriteString(c.From.String() + " → " + c.State.String())
	default:
		b.WriteString(c.State.String())
	}
	if c.FlapChanged {
		if c.Flapping {
			b.WriteString(", flapping")
		} else {
			b.WriteString(", no longer flapping")
		}
	}
	b.WriteString(" " + c.Alert.Labels.String())
	return b.String()
}

// Deduper keeps one record per alert fingerprint, and turns a stream of
// reports, most of them repeats, into the few changes that matter
// downstream. It is safe for concurrent use. A zero Deduper is ready to use
// with the default options, as New(nil) returns; a Deduper must not be
// copied after first use.
type Deduper struct {
	setup  sync.Once // see ready
	opts   Options
	seed   maphash.Seed
	shards [shardCount]shard

	hbMu       sync.Mutex
	heartbeats map[string]*heartbeat

	warmed atomic.Uint64 // see warm
}

const shardCount = 64

// A shard holds the records whose labelKey falls in it.
type shard struct {
	mu      sync.Mutex
	records map[labelKey]*record
}

// labelKey identifies a label set within one Deduper: a seeded hash of its
// labels in any order. Most reports are repeats, and finding a repeat's
// record by its labelKey spares sorting the labels, which the fingerprint
// needs; the fingerprint is computed once, for a new record. Two label sets
// share a labelKey with a chance of 2⁻⁶⁴, as they would a fingerprint.
type labelKey uint64

func (d *Deduper) key(ls model.LabelSet) labelKey { return labelKey(d.hash(ls)) }

// hash returns the seeded hash of a label set, labels in any order.
func (d *Deduper) hash(ls model.LabelSet) uint64 {
	var k uint64
	for name, value := range ls {
		x := maphash.String(d.seed, string(name)) ^ bits.RotateLeft64(maphash.String(d.seed, string(value)), 31)
		// MurmurHash3's finaliser, so that the sum of the labels' hashes
		// does not cancel out.
		x ^= x >> 33
		x *= 0xff51afd7ed558ccd
		x ^= x >> 33
		k += x
	}
	return k
}

// record is a Record with the state the Deduper keeps to itself.
type record struct {
	Record
	annotations uint64      // the hash of Alert.Annotations
	actual      alert.State // the alert's own state at its latest report or sweep
	changes     []int64     // times of recent state changes, for flap detection
	// unsent holds what downstream failed to record (Unpublish): the flags
	// of the changes it lost, to publish again with the alert's state.
	unsent unsent
	// changedAt is when its own state last changed.
	changedAt time.Time
	// restored is set on a record that Restore made, until its first
	// report: what the store said, which another replica may have changed
	// since.
	restored bool
}

// unsent is what a record must tell downstream again.
type unsent uint8

const (
	unsentAny      unsent = 1 << iota // the state and refresh promise, at least
	unsentNew                         // the alert is new to downstream
	unsentRefired                     // it fired again
	unsentOccurred                    // an instant alert occurred
	unsentFlap                        // its flapping flag changed
)

// New returns a Deduper with the given options; nil means the defaults.
func New(opts *Options) *Deduper {
	d := &Deduper{}
	d.setup.Do(func() { d.init(opts) })
	return d
}

// init sets the Deduper up with opts.
func (d *Deduper) init(opts *Options) {
	d.opts = opts.withDefaults()
	d.seed = maphash.MakeSeed()
	d.heartbeats = map[string]*heartbeat{}
	for i := range d.shards {
		d.shards[i].records = map[labelKey]*record{}
	}
}

// ready sets a zero Deduper up with the default options on its first use.
// Every exported method calls it first.
func (d *Deduper) ready() {
	d.setup.Do(func() { d.init(nil) })
}

func (d *Deduper) shard(k labelKey) *shard {
	return &d.shards[uint64(k)%shardCount]
}

// Ingest takes a batch of reports and returns the changes they make, in
// order. Repeats of what is already known change nothing and return
// nothing; a report older than the latest one seen for its alert is
// ignored. Alerts that a heartbeat consumes as check-ins are not recorded;
// the check-in may resolve the heartbeat's missing alert.
func (d *Deduper) Ingest(alerts []alert.Alert) []Change {
	d.ready()
	heartbeats := d.hasHeartbeats()
	var out []Change
	var keys [warmChunk]labelKey
	for i := range alerts {
		if len(out) == cap(out) && len(out) >= 16 && 2*len(out) > i {
			// Most of the batch changes (new alerts): make room for the
			// rest at once rather than by doubling.
			out = slices.Grow(out, len(alerts)-i)
		}
		a := &alerts[i]
		if heartbeats {
			var consumed bool
			out, consumed = d.observeHeartbeats(out, a, i)
			if consumed {
				continue
			}
			out = d.ingest(out, a, i)
			continue
		}
		j := i % warmChunk
		if j == 0 {
			d.warm(alerts[i:min(i+warmChunk, len(alerts))], keys[:])
		}
		out = d.ingestKey(out, a, keys[j], i)
	}
	return out
}

// warmChunk is how many reports warm looks up ahead.
const warmChunk = 32

// warm computes the labelKeys of a few reports, into keys, and looks their
// records up: the lookups do not depend on one another, so the processor
// overlaps their cache misses, which taking the reports one by one, each
// waiting for its record, would not. With 100,000 records held and more,
// most lookups miss the cache.
func (d *Deduper) warm(alerts []alert.Alert, keys []labelKey) {
	for i := range alerts {
		keys[i] = d.key(alerts[i].Labels)
	}
	if len(alerts) < 4 {
		return
	}
	var sum uint64
	for _, key := range keys[:len(alerts)] {
		sh := d.shard(key)
		sh.mu.Lock()
		if rec := sh.records[key]; rec != nil {
			// Fields the report's processing reads, on three of the
			// record's cache lines.
			sum += uint64(rec.Fingerprint) + rec.Seq + uint64(rec.actual)
		}
		sh.mu.Unlock()
	}
	d.warmed.Add(sum) // so that the reads are not optimised away
}

// ingest takes a report in; index is its place in the batch, or -1.
func (d *Deduper) ingest(out []Change, a *alert.Alert, index int) []Change {
	return d.ingestKey(out, a, d.key(a.Labels), index)
}

// ingestKey takes a report in whose labels have the labelKey key.
func (d *Deduper) ingestKey(out []Change, a *alert.Alert, key labelKey, index int) []Change {
	now := a.UpdatedAt
	if now.IsZero() {
		now = d.opts.Now()
	}
	sh := d.shard(key)
	sh.mu.Lock()
	defer sh.mu.Unlock()

	rec := sh.records[key]
	if rec == nil {
		fp := alert.Fingerprint(a.Labels)
		rec = &record{Record: Record{Fingerprint: fp, Alert: *a, FirstSeen: now, LastSeen: now}}
		rec.Alert.UpdatedAt = now
		rec.annotations = d.hash(a.Annotations)
		rec.Firings.keep = d.opts.KeepIntervals
		rec.actual = a.StateAt(now)
		switch {
		case a.Kind == alert.KindInstant:
			rec.Firings.point(a.StartsAt)
		case rec.actual == alert.StateFiring || rec.actual == alert.StateUnknown:
			rec.Firings.open(a.StartsAt)
		case rec.actual == alert.StateResolved:
			rec.Firings.open(a.StartsAt)
			rec.Firings.close(a.EndsAt)
		}
		rec.State = rec.actual
		rec.Seq = 1
		rec.changedAt = now
		sh.records[key] = rec
		return append(out, Change{Record: rec.snapshot(), From: alert.StateNone, New: true, At: now, Index: index})
	}
	if now.Before(rec.LastSeen) {
		return out // older than what we know
	}
	prev := rec.Alert
	rec.Alert = *a
	rec.Alert.UpdatedAt = now
	// The labels are the same, and so, most often, are the annotations: the
	// record keeps the maps it has, which downstream stages hold too, and
	// lets the report's copies go.
	rec.Alert.Labels = prev.Labels
	if h := d.hash(a.Annotations); h == rec.annotations {
		rec.Alert.Annotations = prev.Annotations
	} else {
		rec.annotations = h
	}
	rec.LastSeen = now

	if a.Kind == alert.KindInstant {
		if prev.Kind == alert.KindInstant && a.StartsAt.Equal(prev.StartsAt) {
			// The same occurrence, delivered again: news only if
			// downstream failed to record it.
			return d.maybePublish(out, rec, now, index, false, false)
		}
		from := rec.State
		rec.Firings.point(a.StartsAt)
		rec.State, rec.actual = alert.StateNone, alert.StateNone
		rec.Seq++
		return append(out, rec.change(from, now, index, unsentOccurred))
	}
	if rec.restored {
		// The first report since the record was restored: downstream
		// checks it against what the store holds now, which another
		// replica may have changed meanwhile (made it unknown, while this
		// one gave the source a refresh period's grace).
		rec.restored = false
		rec.unsent |= unsentAny
	}
	if prev.RefreshBy.IsZero() != a.RefreshBy.IsZero() {
		// The source now promises to refresh the alert, or no longer
		// does (another source took over): downstream keeps the promise
		// with the alert, so that a process starting afresh holds the
		// source to it, or not.
		rec.unsent |= unsentAny
	}
	if prev.Kind == alert.KindInstant {
		rec.actual = alert.StateNone // an event became a condition: start afresh
	} else if rec.Firings.isOpen() {
		// While the alert fires, its start stays the start of the interval,
		// whatever a source that re-sends with a new startsAt says.
		rec.Alert.StartsAt = prev.StartsAt
	}
	return d.transition(out, rec, a.StateAt(now), now, index)
}

// transition moves a lasting record to its actual state cur at now, keeps
// its intervals, detects flapping, and publishes the change when it should.
func (d *Deduper) transition(out []Change, rec *record, cur alert.State, now time.Time, index int) []Change {
	if cur == rec.actual {
		return d.maybePublish(out, rec, now, index, false, false)
	}
	rec.actual = cur
	rec.changedAt = now
	refired := false
	switch cur {
	case alert.StateFiring, alert.StateUnknown:
		if !rec.Firings.isOpen() {
			refired = rec.Firings.Len() > 0
			rec.Firings.open(rec.Alert.StartsAt)
		}
	case alert.StateResolved:
		if rec.Firings.isOpen() {
			rec.Firings.close(rec.Alert.EndsAt)
		}
	}
	flapChanged := false
	if d.opts.FlapThreshold > 0 {
		flapChanged = rec.noteChange(now, d.opts.FlapThreshold, d.opts.FlapWindow)
	}
	return d.maybePublish(out, rec, now, index, flapChanged, refired)
}

// maybePublish tells downstream of a state it has not seen, of a change of
// the flapping flag, and again of what downstream failed to record.
func (d *Deduper) maybePublish(out []Change, rec *record, now time.Time, index int, flapChanged, refired bool) []Change {
	due := rec.State != rec.actual
	if !due && !flapChanged && rec.unsent == 0 {
		return out
	}
	var news unsent
	if flapChanged {
		news |= unsentFlap
	}
	if refired && due {
		news |= unsentRefired
	}
	from := rec.State
	rec.State = rec.actual
	rec.Seq++
	return append(out, rec.change(from, now, index, news))
}

// change makes the change that tells downstream of the record's state, with
// the news of this change and whatever downstream failed to record before.
func (rec *record) change(from alert.State, now time.Time, index int, news unsent) Change {
	news |= rec.unsent
	rec.unsent = 0
	return Change{
		Record: rec.snapshot(), From: from, At: now, Index: index,
		New:         news&unsentNew != 0,
		Refired:     news&unsentRefired != 0,
		Occurred:    news&unsentOccurred != 0,
		FlapChanged: news&unsentFlap != 0,
	}
}

// Unpublish tells the Deduper that downstream failed to record changes it
// published — the store was down, the write's context was cancelled — so
// that it does not count them as known: the alert's next report, even a
// plain repeat, or the next Sweep publishes its state again, with what
// those changes said (new, fired again, occurred, flapping). A source's
// retry of a payload that failed is thus recorded, never answered as a
// repeat of what was lost. Changes of records the Deduper no longer holds
// are ignored.
func (d *Deduper) Unpublish(changes []Change) {
	d.ready()
	for i := range changes {
		c := &changes[i]
		key := d.key(c.Alert.Labels)
		sh := d.shard(key)
		sh.mu.Lock()
		if rec := sh.records[key]; rec != nil && rec.Fingerprint == c.Fingerprint {
			lost := unsentAny
			if c.New {
				lost |= unsentNew
			}
			if c.Refired {
				lost |= unsentRefired
			}
			if c.Occurred {
				lost |= unsentOccurred
			}
			if c.FlapChanged {
				lost |= unsentFlap
			}
			rec.unsent |= lost
			if rec.Seq == c.Seq {
				rec.State = c.From // no later change went out meanwhile
			}
		}
		sh.mu.Unlock()
	}
}

// noteChange records a state change at now and reports whether the
// flapping flag turned on.
func (rec *record) noteChange(now time.Time, threshold int, window time.Duration) bool {
	t := now.UnixNano()
	if len(rec.changes) == threshold {
		copy(rec.changes, rec.changes[1:])
		rec.changes = rec.changes[:threshold-1]
	}
	rec.changes = append(rec.changes, t)
	if !rec.Flapping && len(rec.changes) == threshold && t-rec.changes[0] <= int64(window) {
		rec.Flapping = true
		return true
	}
	return false
}

func (rec *record) snapshot() Record {
	r := rec.Record
	r.Firings = rec.Firings.clone()
	return r
}

// Sweep brings every record up to time now: lasting alerts past their
// refresh deadline become unknown, and alerts whose scheduled end has
// passed resolve; flapping alerts that were quiet for a window are steady
// again, and a state held back while flapping is published; records no
// longer active are dropped after the retention; heartbeats that missed
// their check-in fire. It returns the changes, for downstream, in a fixed
// order: by fingerprint modulo 64, then by fingerprint, and a record's
// changes in the order they happened; then the heartbeats'.
func (d *Deduper) Sweep(now time.Time) []Change {
	d.ready()
	var out []Change
	t := now.UnixNano()
	for i := range d.shards {
		sh := &d.shards[i]
		sh.mu.Lock()
		for key, rec := range sh.records {
			if rec.Alert.Kind == alert.KindInstant {
				if rec.unsent != 0 {
					out = d.maybePublish(out, rec, rec.LastSeen, -1, false, false)
				} else if now.Sub(rec.LastSeen) >= d.opts.Retention {
					delete(sh.records, key)
				}
				continue
			}
			if cur := rec.Alert.StateAt(now); cur != rec.actual {
				out = d.transition(out, rec, cur, now, -1)
			}
			if rec.Flapping && len(rec.changes) > 0 && t-rec.changes[len(rec.changes)-1] >= int64(d.opts.FlapWindow) {
				rec.Flapping = false
				rec.changes = rec.changes[:0]
				out = d.maybePublish(out, rec, now, -1, true, false)
			} else if rec.unsent != 0 {
				// Published again, as of the latest news of the alert: a
				// report, or its own change.
				out = d.maybePublish(out, rec, latest(rec.LastSeen, rec.changedAt), -1, false, false)
			}
			if rec.actual == alert.StateResolved && rec.unsent == 0 && now.Sub(rec.LastSeen) >= d.opts.Retention {
				delete(sh.records, key)
			}
		}
		sh.mu.Unlock()
	}
	return d.sweepHeartbeats(sweepOrder(out), now)
}

func latest(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// sweepOrder puts the changes of a sweep in the order Sweep documents.
func sweepOrder(out []Change) []Change {
	if len(out) < 2 {
		return out
	}
	order := make([]int, len(out))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		fa, fb := uint64(out[a].Fingerprint), uint64(out[b].Fingerprint)
		return cmp.Or(cmp.Compare(fa%64, fb%64), cmp.Compare(fa, fb), cmp.Compare(a, b))
	})
	sorted := make([]Change, len(out))
	for i, j := range order {
		sorted[i] = out[j]
	}
	return sorted
}

// Get returns the record of an alert. Records are found by their labels,
// so Get, which has only the fingerprint, looks through them all: it is
// meant for tests and tools, not for every alert.
func (d *Deduper) Get(fp model.Fingerprint) (Record, bool) {
	d.ready()
	for i := range d.shards {
		sh := &d.shards[i]
		sh.mu.Lock()
		for _, rec := range sh.records {
			if rec.Fingerprint == fp {
				r := rec.snapshot()
				sh.mu.Unlock()
				return r, true
			}
		}
		sh.mu.Unlock()
	}
	return Record{}, false
}

// Len returns how many records the Deduper holds.
func (d *Deduper) Len() int {
	d.ready()
	n := 0
	for i := range d.shards {
		sh := &d.shards[i]
		sh.mu.Lock()
		n += len(sh.records)
		sh.mu.Unlock()
	}
	return n
}

// Records calls yield with a snapshot of every record, in no particular
// order, until yield returns false. It copies the records of one shard at a
// time and calls yield with no lock held, so yield may call the Deduper —
// Get, Ingest, Unpublish — and a slow yield holds up no report. Each
// record is as it was when its shard was copied: one added, changed or
// dropped while Records runs may or may not be seen so.
func (d *Deduper) Records(yield func(Record) bool) {
	d.ready()
	var batch []Record
	for i := range d.shards {
		sh := &d.shards[i]
		sh.mu.Lock()
		batch = batch[:0]
		for _, rec := range sh.records {
			batch = append(batch, rec.snapshot())
		}
		sh.mu.Unlock()
		for j := range batch {
			if !yield(batch[j]) {
				return
			}
		}
	}
}

// GoString helps test failures show a record.
func (r Record) GoString() string {
	return fmt.Sprintf("Record{%s %s %s firings=%s seq=%d flapping=%v}", r.Fingerprint, r.Alert.Labels, r.State, r.Firings.String(), r.Seq, r.Flapping)
}

// RestoreOptions say what a store knows of an alert that Restore gives
// back to a Deduper: its state, and whether it was flapping.
type RestoreOptions struct {
	State    alert.State
	Flapping bool
}

// Restore gives the Deduper a record of an alert that it does not hold,
// without publishing a change: what a process starting afresh knows of the
// alerts still active in a store it shares (pipeline.Pipeline.Restore).
// Repeats of the alert then change nothing, and a source that stopped
// refreshing it makes it unknown at its RefreshBy, as if the process had
// never stopped. The record knows the alert's current firing, which starts
// at a.StartsAt, not the ones before. The alert's first report after
// Restore is published as a change, even a repeat, so that downstream
// checks it against the store, which replicas that kept running may have
// changed meanwhile. Restore returns false, and changes nothing, if the
// Deduper already holds the alert.
func (d *Deduper) Restore(a alert.Alert, o RestoreOptions) bool {
	state, flapping := o.State, o.Flapping
	d.ready()
	now := a.UpdatedAt
	if now.IsZero() {
		now = d.opts.Now() // before the lock: the host's clock may take its time
	}
	key := d.key(a.Labels)
	sh := d.shard(key)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if _, ok := sh.records[key]; ok {
		return false
	}
	fp := alert.Fingerprint(a.Labels)
	rec := &record{Record: Record{Fingerprint: fp, Alert: a, State: state, Flapping: flapping, FirstSeen: now, LastSeen: now}}
	rec.Alert.UpdatedAt = now
	if state == alert.StateUnknown && (rec.Alert.RefreshBy.IsZero() || rec.Alert.RefreshBy.After(now)) {
		// Unknown already: its source missed the deadline, which the
		// sweep must not read as a refresh still to come.
		rec.Alert.RefreshBy = now
	}
	rec.annotations = d.hash(a.Annotations)
	rec.Firings.keep = d.opts.KeepIntervals
	switch {
	case a.Kind == alert.KindInstant:
		rec.Firings.point(a.StartsAt)
	case state == alert.StateResolved:
		rec.Firings.open(a.StartsAt)
		rec.Firings.close(a.EndsAt)
	default:
		rec.Firings.open(a.StartsAt)
	}
	rec.actual = state
	rec.Seq = 1
	rec.restored = true
	sh.records[key] = rec
	return true
}
