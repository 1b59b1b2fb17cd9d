// Package backoff computes the waits between attempts: exponential, capped,
// with jitter, so that many clients failing together do not retry
// together.
//
//	p := backoff.Policy{Min: time.Second, Max: 5 * time.Minute}
//	wait := p.Delay(attempt, rand.Float64()) // attempt 1, 2, …
//
// A Policy is a plain value, safe for concurrent use.
package backoff
