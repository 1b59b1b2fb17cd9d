package alert_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alertkit/alertkit/alert"
)

func TestBodyBudgetReserve(t *testing.T) {
	// A step reserves n bytes (and wants ok), or releases -n.
	type step struct {
		n  int64
		ok bool
	}
	tests := []struct {
		name  string
		size  int64
		steps []step
		want  int64 // in flight at the end
	}{
		{name: "fills up", size: 100, steps: []step{{60, true}, {40, true}, {1, false}}, want: 100},
		{name: "released bytes are reserved again", size: 100, steps: []step{{60, true}, {50, false}, {-60, true}, {50, true}}, want: 50},
		{name: "nothing always fits", size: 100, steps: []step{{100, true}, {0, true}}, want: 100},
		{name: "larger than the budget, alone", size: 100, steps: []step{{150, true}, {1, false}, {-150, true}, {1, true}}, want: 1},
		{name: "larger than the budget, not alone", size: 100, steps: []step{{1, true}, {150, false}}, want: 1},
		{name: "no overflow", size: 100, steps: []step{{1, true}, {1<<63 - 1, false}}, want: 1},
		{name: "default size", size: 0, steps: []step{{alert.DefaultInFlightBytes, true}, {1, false}}, want: alert.DefaultInFlightBytes},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := alert.NewBodyBudget(tt.size)
			for i, s := range tt.steps {
				if s.n < 0 {
					b.Release(-s.n)
					continue
				}
				require.Equal(t, s.ok, b.TryReserve(s.n), "step %d: reserve %d with %d in flight", i, s.n, b.InFlight())
			}
			assert.Equal(t, tt.want, b.InFlight())
		})
	}
}

func TestBodyBudgetZeroValue(t *testing.T) {
	var b alert.BodyBudget
	assert.EqualValues(t, alert.DefaultInFlightBytes, b.Size())
	require.True(t, b.TryReserve(alert.DefaultInFlightBytes))
	assert.False(t, b.TryReserve(1))
	b.Release(alert.DefaultInFlightBytes)
	assert.Zero(t, b.InFlight())
}

func TestBodyBudgetReleaseTooMuch(t *testing.T) {
	b := alert.NewBodyBudget(10)
	require.True(t, b.TryReserve(5))
	assert.PanicsWithValue(t, "alert: BodyBudget released more than was reserved", func() { b.Release(6) })
}

// gatedBody is a request body that gives its first half, then blocks
// until its gate is opened.
type gatedBody struct {
	data []byte
	gate chan struct{}
	read atomic.Int64 // bytes read
}

func newGatedBody(data string) *gatedBody {
	return &gatedBody{data: []byte(data), gate: make(chan struct{})}
}

func (g *gatedBody) Read(p []byte) (int, error) {
	off, half := int(g.read.Load()), len(g.data)/2
	if off == half {
		<-g.gate
	}
	if off >= len(g.data) {
		return 0, io.EOF
	}
	end := len(g.data)
	if off < half {
		end = half
	}
	n := copy(p, g.data[off:end])
	g.read.Add(int64(n))
	return n, nil
}

// post is a request of body, of a known length unless chunked.
func post(body io.Reader, length int) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/", body)
	r.ContentLength = int64(length)
	return r
}

// serveAsync serves r on h in a goroutine, and returns its recorder and a
// channel closed once h has answered.
func serveAsync(h http.Handler, r *http.Request) (*httptest.ResponseRecorder, <-chan struct{}) {
	rec := httptest.NewRecorder()
	done := make(chan struct{})
	go func() {
		defer close(done)
		h.ServeHTTP(rec, r)
	}()
	return rec, done
}

// TestBudgetRefusesWhenFull: with a budget of two bodies, two requests
// whose bodies block mid-read hold it; a third is answered 503 with
// Retry-After before its body is read, and is accepted once a body is
// done with.
func TestBudgetRefusesWhenFull(t *testing.T) {
	payload := `[{"labels":{"alertname":"TargetDown","instance":"10.244.37.14:9403"}}]`
	tests := []struct {
		name     string
		handler  func(*alert.BodyBudget) http.Handler
		wantBusy string
	}{
		{
			name: "intake",
			handler: func(b *alert.BodyBudget) http.Handler {
				return alert.PrometheusHandler(func(context.Context, []alert.Alert) error { return nil }, &alert.HandlerOptions{Budget: b})
			},
			wantBusy: "intake busy: the request bodies in flight fill its budget; retry later\n",
		},
		{
			name: "other API",
			handler: func(b *alert.BodyBudget) http.Handler {
				return b.Limit(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if _, err := io.ReadAll(r.Body); err != nil {
						http.Error(w, err.Error(), http.StatusBadRequest)
					}
				}), 1<<10)
			},
			wantBusy: "busy: the request bodies in flight fill the server's budget; retry later\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				budget := alert.NewBodyBudget(2 * int64(len(payload)))
				h := tt.handler(budget)
				first, second := newGatedBody(payload), newGatedBody(payload)
				rec1, done1 := serveAsync(h, post(first, len(payload)))
				rec2, done2 := serveAsync(h, post(second, len(payload)))
				synctest.Wait()
				require.EqualValues(t, len(payload)/2, first.read.Load(), "the first body blocks mid-read")
				require.EqualValues(t, len(payload)/2, second.read.Load(), "the second body blocks mid-read")
				require.EqualValues(t, 2*len(payload), budget.InFlight())

				third := newGatedBody(payload)
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, post(third, len(payload)))
				assert.Equal(t, http.StatusServiceUnavailable, rec.Code)
				assert.Equal(t, "1", rec.Header().Get("Retry-After"))
				assert.Equal(t, tt.wantBusy, rec.Body.String())
				assert.Zero(t, third.read.Load(), "a refused body is not read")

				close(first.gate)
				<-done1
				assert.Equal(t, http.StatusOK, rec1.Code, rec1.Body.String())
				rec = httptest.NewRecorder()
				h.ServeHTTP(rec, post(strings.NewReader(payload), len(payload)))
				assert.Equal(t, http.StatusOK, rec.Code, "accepted once a body is done with: %s", rec.Body.String())

				close(second.gate)
				<-done2
				assert.Equal(t, http.StatusOK, rec2.Code, rec2.Body.String())
				assert.Zero(t, budget.InFlight(), "every reservation released")
			})
		})
	}
}

// TestBudgetReservations checks what a request reserves: its
// Content-Length, or the most it may be when it has none; and that a
// Content-Length over the limit is refused before the body is read.
func TestBudgetReservations(t *testing.T) {
	const maxBytes = 1 << 10
	payload := `[{"labels":{"alertname":"TargetDown"}}]`
	long := strings.Repeat(" ", maxBytes) + payload
	tests := []struct {
		name     string
		body     string
		length   int // -1: chunked
		wantCode int
		wantBody string
		wantHeld int64 // reserved while the body is read
	}{
		{name: "known length", body: payload, length: len(payload), wantCode: http.StatusOK, wantHeld: int64(len(payload))},
		{name: "chunked", body: payload, length: -1, wantCode: http.StatusOK, wantHeld: maxBytes},
		{name: "known length over the limit", body: long, length: len(long), wantCode: http.StatusRequestEntityTooLarge, wantBody: "body: more than the limit of 1024 bytes\n"},
		{name: "chunked over the limit", body: long, length: -1, wantCode: http.StatusRequestEntityTooLarge, wantBody: "body: more than the limit of 1024 bytes\n", wantHeld: maxBytes},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				budget := alert.NewBodyBudget(10 * maxBytes)
				var logs bytes.Buffer
				h := alert.PrometheusHandler(func(context.Context, []alert.Alert) error { return nil }, &alert.HandlerOptions{
					Decode: alert.DecodeOptions{MaxBytes: maxBytes},
					Budget: budget,
					Logger: slog.New(slog.NewTextHandler(&logs, nil)),
				})
				body := newGatedBody(tt.body)
				rec, done := serveAsync(h, post(body, tt.length))
				synctest.Wait()
				assert.Equal(t, tt.wantHeld, budget.InFlight())
				close(body.gate)
				<-done
				assert.Equal(t, tt.wantCode, rec.Code, rec.Body.String())
				if tt.wantBody != "" {
					assert.Equal(t, tt.wantBody, rec.Body.String())
				}
				if tt.wantHeld == 0 {
					assert.Zero(t, body.read.Load(), "a refused body is not read")
				}
				assert.Zero(t, budget.InFlight())
			})
		})
	}
}

// TestBudgetShared: an intake request and another API's share one budget.
func TestBudgetShared(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		payload := `[{"labels":{"alertname":"TargetDown"}}]`
		budget := alert.NewBodyBudget(int64(len(payload)))
		intake := alert.PrometheusHandler(func(context.Context, []alert.Alert) error { return nil }, &alert.HandlerOptions{Budget: budget})
		api := budget.Limit(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}), 0)
		note := `{"note":"db failover"}`

		body := newGatedBody(payload)
		rec, done := serveAsync(intake, post(body, len(payload)))
		synctest.Wait()
		got := httptest.NewRecorder()
		api.ServeHTTP(got, post(strings.NewReader(note), len(note)))
		assert.Equal(t, http.StatusServiceUnavailable, got.Code)
		got = httptest.NewRecorder()
		api.ServeHTTP(got, httptest.NewRequest(http.MethodGet, "/", nil))
		assert.Equal(t, http.StatusOK, got.Code, "a request without a body needs no budget")

		close(body.gate)
		<-done
		assert.Equal(t, http.StatusOK, rec.Code)
		got = httptest.NewRecorder()
		api.ServeHTTP(got, post(strings.NewReader(note), len(note)))
		assert.Equal(t, http.StatusOK, got.Code)
	})
}

// TestBudgetLimitHoldsChunkedBodies: a body without a Content-Length may
// not grow past what it reserved.
func TestBudgetLimitHoldsChunkedBodies(t *testing.T) {
	var readErr error
	h := alert.NewBodyBudget(0).Limit(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		_, readErr = io.ReadAll(r.Body)
	}), 16)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, post(struct{ io.Reader }{strings.NewReader(strings.Repeat("x", 17))}, -1))
	var mbe *http.MaxBytesError
	require.ErrorAs(t, readErr, &mbe)
	assert.EqualValues(t, 16, mbe.Limit)
}
