package backoff

import "time"

// Policy is an exponential backoff: Min before the second attempt,
// doubling up to Max.
type Policy struct {
	Min, Max time.Duration
}

// Delay returns the wait after attempt number n (from 1) failed: the
// exponential step d = Min·2^(n-1), capped at Max, of which the upper half
// is jittered by r, a random number in [0, 1) — "equal jitter": the wait is
// in [d/2, d), never less than half the step, and different clients spread
// out.
func (p Policy) Delay(n int, r float64) time.Duration {
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
