// Package clock is alertkit's source of time.
//
// Every alertkit component that stamps, waits or expires something reads the
// time through a [Clock] instead of calling the time package directly. In
// production that is [Real]; in tests it is a [Fake], which only moves when the
// test calls [Fake.Advance] or [Fake.Set]. Tests of waits, escalations and
// TTLs therefore run instantly and always in the same order:
//
//	c := clock.NewFake(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
//	fired := false
//	c.AfterFunc(5*time.Minute, func() { fired = true })
//	c.Advance(5 * time.Minute) // runs the callback before it returns
//
// # Concurrency
//
// [Real] and [Fake] may be used by many goroutines at once. A Fake runs due
// AfterFunc callbacks on the goroutine that advances it, one at a time, in
// order of their due time, and never while holding its own lock, so a
// callback may read the clock and schedule more timers.
package clock
