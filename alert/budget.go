package alert

import (
	"net/http"
	"sync/atomic"
)

// DefaultInFlightBytes is the size of the BodyBudget of a Handler given
// none, and of a zero BodyBudget: 64 MiB, eight payloads of
// DefaultMaxBytes at once.
const DefaultInFlightBytes = 64 << 20

// retryAfter is the Retry-After, in seconds, of an answer 503 for a full
// budget: bodies in flight are read and decoded in well under a second.
const retryAfter = "1"

// BodyBudget bounds the bytes of request bodies that are read at once, so
// that the memory of a service is bounded in total and not only per
// request: without it, a hundred clients that each send a payload of the
// largest size at once make the service hold a hundred of them.
//
// A request reserves the size of its body before it is read: its
// Content-Length, or the largest body its handler accepts when it has none
// (a chunked body). When the budget cannot hold it, the request is not
// queued: it is answered 503 Service Unavailable with Retry-After at once,
// its body unread, and the sender tries again: Alertmanager retries a
// webhook, and Prometheus sends its firing alerts again within its resend
// delay (a minute by default). The reservation is released when the
// handler returns.
//
// One BodyBudget may be shared by several handlers (HandlerOptions.Budget)
// and by a service's other HTTP APIs (Limit), which bounds the bodies of
// the whole service. A payload takes about three times its size while it
// is decoded (the body, its labels and annotations decoded, its alerts),
// so that the intake takes about three times its budget at most: some
// 200 MiB for the default, against over 2 GiB without a budget for a hundred
// payloads of 8 MiB at once (BenchmarkIntakeMemory).
//
// A BodyBudget may be used by many goroutines at once. A zero BodyBudget
// holds DefaultInFlightBytes.
type BodyBudget struct {
	size int64
	used atomic.Int64
}

// NewBodyBudget returns a budget of bytes of request bodies in flight at
// once; bytes of zero or less means DefaultInFlightBytes.
func NewBodyBudget(bytes int64) *BodyBudget {
	if bytes <= 0 {
		bytes = DefaultInFlightBytes
	}
	return &BodyBudget{size: bytes}
}

// Size returns the budget's size in bytes.
func (b *BodyBudget) Size() int64 {
	if b.size <= 0 {
		return DefaultInFlightBytes
	}
	return b.size
}

// InFlight returns the bytes reserved now.
func (b *BodyBudget) InFlight() int64 { return b.used.Load() }

// TryReserve reserves n bytes of the budget if it can hold them, without
// waiting, and reports whether it did; the caller releases them with
// Release once the body is read and done with. Reserving zero bytes, or
// less, always succeeds and reserves nothing. A reservation larger than
// the whole budget is granted only when nothing else is reserved, so that
// a handler whose largest body exceeds a small budget takes one such body
// at a time rather than none.
func (b *BodyBudget) TryReserve(n int64) bool {
	if n <= 0 {
		return true
	}
	size := b.Size()
	for {
		used := b.used.Load()
		if used > 0 && n > size-used {
			return false
		}
		if b.used.CompareAndSwap(used, used+n) {
			return true
		}
	}
}

// Release gives back n bytes reserved by TryReserve. Releasing more than
// is reserved panics, as a sync.WaitGroup's negative counter does: it is a
// mistake of the caller.
func (b *BodyBudget) Release(n int64) {
	if n <= 0 {
		return
	}
	if b.used.Add(-n) < 0 {
		panic("alert: BodyBudget released more than was reserved")
	}
}

// Limit returns a handler that calls h with the request's body reserved in
// the budget and held to maxBody bytes (zero or less means
// DefaultMaxBytes), for an HTTP API that is not an intake Handler, such as
// an incident API, to share the budget of the intake. A request whose
// Content-Length exceeds maxBody is answered 413 and one the budget cannot
// hold 503 with Retry-After, both before its body is read; a body without
// a Content-Length reserves maxBody, and reading past maxBody fails with
// an *http.MaxBytesError. The reservation is released when h returns.
func (b *BodyBudget) Limit(h http.Handler, maxBody int64) http.Handler {
	if maxBody <= 0 {
		maxBody = DefaultMaxBytes
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, code := b.reserve(r, maxBody)
		switch code {
		case http.StatusRequestEntityTooLarge:
			http.Error(w, bodyTooLarge(maxBody).Error(), code)
			return
		case http.StatusServiceUnavailable:
			w.Header().Set("Retry-After", retryAfter)
			http.Error(w, "busy: the request bodies in flight fill the server's budget; retry later", code)
			return
		}
		defer b.Release(n)
		if r.Body != nil && r.Body != http.NoBody {
			r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		}
		h.ServeHTTP(w, r)
	})
}

// reserve reserves the bytes of r's body, of at most maxBody bytes, and
// returns how many it reserved. A refusal returns the status to answer:
// 413 for a Content-Length over maxBody, 503 for a budget that cannot hold
// the body.
func (b *BodyBudget) reserve(r *http.Request, maxBody int64) (n int64, code int) {
	switch {
	case r.Body == nil || r.Body == http.NoBody:
		return 0, 0
	case r.ContentLength > maxBody:
		return 0, http.StatusRequestEntityTooLarge
	case r.ContentLength >= 0:
		n = r.ContentLength
	default: // unknown: as much as it may be
		n = maxBody
	}
	if !b.TryReserve(n) {
		return 0, http.StatusServiceUnavailable
	}
	return n, 0
}

// bodyTooLarge is the error of a body over limit bytes.
func bodyTooLarge(limit int64) *LimitError {
	return &LimitError{Path: "body", Limit: limit, Unit: "bytes"}
}
