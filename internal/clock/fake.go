package clock

import (
	"container/heap"
	"sync"
	"time"
)

// Fake is a Clock that moves only when told to. Timers and AfterFunc
// callbacks fire during [Fake.Advance] and [Fake.Set], in order of their due
// time (ties in the order they were scheduled), and the clock reads each
// timer's due time while it fires.
type Fake struct {
	mu      sync.Mutex
	changed *sync.Cond // broadcast when a timer is added
	now     time.Time
	seq     uint64
	pending timerHeap
}

var _ Clock = (*Fake)(nil)

// NewFake returns a Fake clock that reads t.
func NewFake(t time.Time) *Fake {
	f := &Fake{now: t}
	f.changed = sync.NewCond(&f.mu)
	return f
}

// Now returns the fake time.
func (f *Fake) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

// NewTimer returns a timer that sends the fake time on its channel once the
// clock has been advanced by d.
func (f *Fake) NewTimer(d time.Duration) Timer {
	t := &fakeTimer{clock: f, ch: make(chan time.Time, 1), index: -1}
	t.Reset(d)
	return t
}

// AfterFunc returns a timer that calls fn once the clock has been advanced by
// d. fn runs on the goroutine that advances the clock.
func (f *Fake) AfterFunc(d time.Duration, fn func()) Timer {
	t := &fakeTimer{clock: f, fn: fn, index: -1}
	t.Reset(d)
	return t
}

// Advance moves the clock forward by d, firing every timer that comes due on
// the way. A negative d is treated as zero.
func (f *Fake) Advance(d time.Duration) {
	f.mu.Lock()
	target := f.now
	if d > 0 {
		target = target.Add(d)
	}
	f.mu.Unlock()
	f.runUntil(target)
}

// Set moves the clock to t, firing every timer due at or before t. If t is
// before the current time, the clock is set back and nothing fires.
func (f *Fake) Set(t time.Time) {
	f.runUntil(t)
}

// Pending returns the number of timers that have not fired or been stopped.
func (f *Fake) Pending() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.pending)
}

// BlockUntil waits until at least n timers are pending. Tests use it to wait
// for a goroutine to start waiting on the clock before they advance it.
func (f *Fake) BlockUntil(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for len(f.pending) < n {
		f.changed.Wait()
	}
}

func (f *Fake) runUntil(target time.Time) {
	for {
		f.mu.Lock()
		if len(f.pending) == 0 || f.pending[0].when.After(target) {
			f.now = target
			f.mu.Unlock()
			return
		}
		t := heap.Pop(&f.pending).(*fakeTimer)
		if t.when.After(f.now) {
			f.now = t.when
		}
		now := f.now
		f.mu.Unlock()

		if t.fn != nil {
			t.fn()
		} else {
			select {
			case t.ch <- now:
			default: // like time.Timer, a value not yet received is not doubled
			}
		}
	}
}

type fakeTimer struct {
	clock *Fake
	when  time.Time
	seq   uint64
	fn    func()
	ch    chan time.Time
	index int // position in the clock's heap, -1 when not pending
}

func (t *fakeTimer) C() <-chan time.Time { return t.ch }

func (t *fakeTimer) Stop() bool {
	f := t.clock
	f.mu.Lock()
	defer f.mu.Unlock()
	if t.index < 0 {
		return false
	}
	heap.Remove(&f.pending, t.index)
	return true
}

func (t *fakeTimer) Reset(d time.Duration) bool {
	f := t.clock
	f.mu.Lock()
	defer f.mu.Unlock()
	active := t.index >= 0
	if active {
		heap.Remove(&f.pending, t.index)
	}
	if d < 0 {
		d = 0
	}
	t.when = f.now.Add(d)
	f.seq++
	t.seq = f.seq
	heap.Push(&f.pending, t)
	f.changed.Broadcast()
	return active
}

// timerHeap orders pending timers by due time, then by scheduling order.
type timerHeap []*fakeTimer

func (h timerHeap) Len() int { return len(h) }
func (h timerHeap) Less(i, j int) bool {
	if h[i].when.Equal(h[j].when) {
		return h[i].seq < h[j].seq
	}
	return h[i].when.Before(h[j].when)
}
func (h timerHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index = i
	h[j].index = j
}
func (h *timerHeap) Push(x any) {
	t := x.(*fakeTimer)
	t.index = len(*h)
	*h = append(*h, t)
}
func (h *timerHeap) Pop() any {
	old := *h
	t := old[len(old)-1]
	old[len(old)-1] = nil
	t.index = -1
	*h = old[:len(old)-1]
	return t
}
