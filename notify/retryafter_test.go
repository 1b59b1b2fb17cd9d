package notify_test

import (
	"math"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alertkit/alertkit/notify"
)

// unavailable is a 503 answer with a Retry-After header.
func unavailable(retryAfter string) *http.Response {
	return &http.Response{StatusCode: http.StatusServiceUnavailable, Status: "503 Service Unavailable",
		Header: http.Header{"Retry-After": {retryAfter}}}
}

// Retry-After is read as the receiver wrote it, without overflow: a wait
// too long for a time.Duration is the longest one, and what is negative,
// past or unreadable is no wait at all.
func TestHTTPErrorRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 23, 16, 52, 10, 0, time.UTC)
	const longest = time.Duration(math.MaxInt64)
	tests := []struct {
		name   string
		header string
		want   time.Duration
	}{
		{"seconds", "120", 2 * time.Minute},
		{"spaces around", " 30 ", 30 * time.Second},
		{"zero", "0", 0},
		{"a day", "86400", 24 * time.Hour},
		{"a year", "31536000", 365 * 24 * time.Hour},
		{"beyond a duration", "99999999999", longest},
		{"the largest a duration holds", "9223372036", 9223372036 * time.Second},
		{"one second more", "9223372037", longest},
		{"beyond 64 bits", "99999999999999999999999999", longest},
		{"negative", "-5", 0},
		{"negative beyond 64 bits", "-99999999999999999999999999", 0},
		{"a fraction", "1.5", 0},
		{"garbage", "soon", 0},
		{"empty", "", 0},
		{"a date an hour ahead", now.Add(time.Hour).Format(http.TimeFormat), time.Hour},
		{"a date a year ahead", now.AddDate(1, 0, 0).Format(http.TimeFormat), 365 * 24 * time.Hour},
		{"the last date HTTP can write", "Fri, 31 Dec 9999 23:59:59 GMT", longest},
		{"a date past", now.Add(-time.Hour).Format(http.TimeFormat), 0},
		{"a date long past", "Mon, 01 Jan 0001 00:00:00 GMT", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := notify.HTTPError(unavailable(tt.header), nil, now)
			require.True(t, e.Retry)
			assert.Equal(t, tt.want, e.RetryAfter)
			retry, after := notify.Retryable(e)
			assert.True(t, retry)
			assert.Equal(t, tt.want, after)
		})
	}
}

func FuzzRetryAfter(f *testing.F) {
	for _, s := range []string{"120", "86400", "99999999999", "-1", "Fri, 31 Dec 9999 23:59:59 GMT", "Sun, 06 Nov 1994 08:49:37 GMT", "soon", ""} {
		f.Add(s)
	}
	now := time.Date(2026, 11, 23, 16, 52, 10, 0, time.UTC)
	f.Fuzz(func(t *testing.T, header string) {
		e := notify.HTTPError(unavailable(header), nil, now)
		if e.RetryAfter < 0 {
			t.Fatalf("Retry-After %q: negative wait %v", header, e.RetryAfter)
		}
	})
}
