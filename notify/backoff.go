package notify

import "time"

// Backoff is the wait between a receiver's failed attempts: exponential,
// Min before the second attempt, doubling up to Max, with jitter — each
// wait is drawn between half of its step and the step — so that many
// notifications failing together do not retry together. The zero Backoff
// steps from 1s; a Dispatcher's default is 1s to 5m. A Backoff is a plain
// value, safe for concurrent use.
type Backoff struct {
	Min, Max time.Duration
}

// Delay returns the wait after attempt number n (from 1) failed: the
// exponential step d = Min·2^(n-1), capped at Max, of which the upper half
// is jittered by r, a random number in [0, 1) — "equal jitter": the wait is
// in [d/2, d), never less than half the step, and different clients spread
// out.
func (p Backoff) Delay(n int, r float64) time.Duration {
	lo, hi := p.Min, p.Max
	if lo <= 0 {
		lo = time.Second
	}
	if hi < lo {
		hi = lo
	}
	d := lo
	for i := 1; i < n && d < hi; i++ {
		d *= 2
	}
	d = min(d, hi)
	r = min(max(r, 0), 1)
	half := d / 2
	return half + time.Duration(r*float64(d-half))
}
