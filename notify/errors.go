package notify

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// StatusError is a receiver's refusal: an HTTP status, or an SMTP reply
// code, with the start of what it said.
type StatusError struct {
	// StatusCode is the HTTP status (429, 503) or SMTP reply code (451).
	StatusCode int
	// Status is the status line or reply text.
	Status string
	// Body is the start of the answer, for the delivery log.
	Body string
	// RetryAfter is what the receiver asked to wait, from Retry-After.
	RetryAfter time.Duration
	// Retry says whether trying again may succeed: HTTP 408, 429 and 5xx,
	// SMTP 4xx.
	Retry bool
}

func (e *StatusError) Error() string {
	s := e.Status
	if s == "" {
		s = strconv.Itoa(e.StatusCode)
	}
	if e.Body != "" {
		s += ": " + e.Body
	}
	return s
}

// maxErrorBody is how much of a refusal's body an error keeps.
const maxErrorBody = 512

// HTTPError returns the StatusError of an HTTP answer that is not a
// success, with the start of its body and its Retry-After, read at now.
func HTTPError(resp *http.Response, body []byte, now time.Time) *StatusError {
	e := &StatusError{StatusCode: resp.StatusCode, Status: resp.Status, Body: snippet(body)}
	switch {
	case resp.StatusCode == http.StatusRequestTimeout, resp.StatusCode == http.StatusTooManyRequests, resp.StatusCode >= 500:
		e.Retry = true
		e.RetryAfter = retryAfter(resp.Header.Get("Retry-After"), now)
	}
	return e
}

// snippet is the start of a body, on one line.
func snippet(body []byte) string {
	s := strings.Join(strings.Fields(string(body)), " ")
	if len(s) > maxErrorBody {
		cut := maxErrorBody
		for cut > 0 && s[cut]&0xC0 == 0x80 { // not in the middle of a rune
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

// retryAfter reads a Retry-After header: seconds, or an HTTP date. What
// cannot be read, and a negative wait or a date past, is 0; a wait longer
// than a time.Duration holds is the longest it holds. Capping it is the
// caller's business (Options.MaxRetryAfter).
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil || errors.Is(err, strconv.ErrRange) {
		switch {
		case secs <= 0:
			return 0
		case secs > int64(math.MaxInt64/time.Second):
			return math.MaxInt64
		}
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0) // Sub saturates: no overflow
	}
	return 0
}

type permanent struct{ err error }

func (p permanent) Error() string { return p.err.Error() }
func (p permanent) Unwrap() error { return p.err }

// Permanent marks an error that trying again will not cure: a bad
// configuration, a message the receiver refuses.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return permanent{err}
}

// Retryable reports whether a failed delivery may succeed if tried again,
// and how long the receiver asked to wait first (0: as the backoff says).
// Errors are retryable unless marked Permanent or a StatusError says
// otherwise: a network error, a timeout, or an unknown failure is worth
// another attempt.
func Retryable(err error) (retry bool, after time.Duration) {
	if err == nil {
		return false, 0
	}
	if errors.As(err, new(permanent)) {
		return false, 0
	}
	var se *StatusError
	if errors.As(err, &se) {
		return se.Retry, se.RetryAfter
	}
	return true, 0
}

// StatusCode returns the status of a StatusError in err's chain, or 0.
func StatusCode(err error) int {
	var se *StatusError
	if errors.As(err, &se) {
		return se.StatusCode
	}
	return 0
}

// ErrTimeout is the error of an attempt that ran out of time.
var ErrTimeout = errors.New("timed out")

// contextError words a context's end for the delivery log.
func contextError(ctx context.Context, err error) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("%w: %w", ErrTimeout, err)
	}
	return err
}
