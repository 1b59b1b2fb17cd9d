package notify_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/alertkit/alertkit/notify"
)

// post is a request as a sender makes it: a POST with a body that
// http.NewRequest can re-read.
func post(t *testing.T, url string, header http.Header) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(`{"routing_key":"R0UT1NGK3Y"}`))
	require.NoError(t, err)
	for k, v := range header {
		req.Header[k] = v
	}
	return req
}

func TestDoRefusesRedirectElsewhere(t *testing.T) {
	followAll := func(*http.Request, []*http.Request) error { return nil }
	tests := []struct {
		name   string
		status int
		client *http.Client
		// status is the answer's status when the redirect ends as one,
		// 0 when Do refuses it with ErrRedirectElsewhere.
		wantStatus int
	}{
		{name: "302", status: http.StatusFound, client: &http.Client{}},
		{name: "301", status: http.StatusMovedPermanently, client: &http.Client{}},
		{name: "303", status: http.StatusSeeOther, client: &http.Client{}},
		{name: "302 with a client that follows every redirect", status: http.StatusFound, client: &http.Client{CheckRedirect: followAll}},
		{name: "302 with the default client", status: http.StatusFound},
		// A request whose body cannot be re-read cannot follow a 307 or 308.
		{name: "307", status: http.StatusTemporaryRedirect, client: &http.Client{}, wantStatus: http.StatusTemporaryRedirect},
		{name: "308", status: http.StatusPermanentRedirect, client: &http.Client{CheckRedirect: followAll}, wantStatus: http.StatusPermanentRedirect},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var elsewhere atomic.Int32
			other := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { elsewhere.Add(1) }))
			defer other.Close()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, other.URL+"/hooks/T4RG3TT0K3N", tt.status)
			}))
			defer srv.Close()
			var before func(*http.Request, []*http.Request) error
			if tt.client != nil {
				before = tt.client.CheckRedirect
			}

			req := post(t, srv.URL+"/services/T0/B0/S0URC3T0K3N", http.Header{"Authorization": {"Bearer B3AR3R"}})
			status, _, err := notify.Do(context.Background(), tt.client, req, nil)
			require.Error(t, err)
			require.Zero(t, elsewhere.Load(), "the other host received a request")
			retry, _ := notify.Retryable(err)
			require.False(t, retry, "retryable: %v", err)
			if tt.wantStatus == 0 {
				require.ErrorIs(t, err, notify.ErrRedirectElsewhere)
				require.Contains(t, err.Error(), notify.RedactURL(other.URL+"/x"), "the error names the target")
			} else {
				require.Equal(t, tt.wantStatus, status)
				require.Equal(t, tt.wantStatus, notify.StatusCode(err))
			}
			for _, secret := range []string{"T4RG3TT0K3N", "S0URC3T0K3N", "B3AR3R", "R0UT1NGK3Y"} {
				require.NotContains(t, err.Error(), secret)
			}
			if tt.client != nil {
				require.Equal(t, before == nil, tt.client.CheckRedirect == nil, "Do changed the client")
			}
		})
	}
}

func TestDoFollowsSameHostRedirectWithoutReferer(t *testing.T) {
	tests := []struct {
		name   string
		status int
	}{
		{name: "302", status: http.StatusFound},
		{name: "303", status: http.StatusSeeOther},
		{name: "301", status: http.StatusMovedPermanently},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var (
				mu       sync.Mutex
				arrived  []string
				referers []string
			)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				defer mu.Unlock()
				arrived = append(arrived, r.Method+" "+r.URL.Path)
				referers = append(referers, r.Header.Get("Referer"))
				if r.URL.Path != "/moved" {
					http.Redirect(w, r, "/moved", tt.status)
					return
				}
				_, _ = io.WriteString(w, "ok")
			}))
			defer srv.Close()

			client := &http.Client{}
			status, body, err := notify.Do(context.Background(), client, post(t, srv.URL+"/services/T0/B0/S0URC3T0K3N", nil), nil)
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, status)
			require.Equal(t, "ok", string(body))
			mu.Lock()
			defer mu.Unlock()
			require.Equal(t, []string{"POST /services/T0/B0/S0URC3T0K3N", "GET /moved"}, arrived)
			require.Equal(t, []string{"", ""}, referers, "a Referer carries the first URL, token and all")
			require.Nil(t, client.CheckRedirect, "Do changed the client")
		})
	}
}

func TestDoAsksTheClientsRedirectPolicy(t *testing.T) {
	var moved atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/moved" {
			moved.Add(1)
			return
		}
		http.Redirect(w, r, "/moved", http.StatusFound)
	}))
	defer srv.Close()
	asked := 0
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error {
		asked++
		return http.ErrUseLastResponse
	}}
	status, _, err := notify.Do(context.Background(), client, post(t, srv.URL+"/hook", nil), nil)
	require.Error(t, err)
	require.Equal(t, http.StatusFound, status)
	require.Equal(t, 1, asked)
	require.Zero(t, moved.Load(), "a redirect the client stops was followed")
}

// TestDoSendsEachRequestOnce: a request with an idempotency key that meets
// a connection reset on a reused keep-alive connection is not sent again
// by the transport: each Do is one request that reaches the receiver, so
// that the caller's count of attempts is the receiver's.
func TestDoSendsEachRequestOnce(t *testing.T) {
	for _, header := range []string{"Idempotency-Key", "X-Idempotency-Key"} {
		t.Run(header, func(t *testing.T) {
			var received atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.Copy(io.Discard, r.Body)
				if received.Add(1) != 2 {
					_, _ = io.WriteString(w, "ok")
					return
				}
				// The second request, on the connection the first one
				// left open: reset it without an answer.
				conn, _, err := w.(http.Hijacker).Hijack()
				if err != nil {
					t.Error(err)
					return
				}
				if tc, ok := conn.(*net.TCPConn); ok {
					_ = tc.SetLinger(0) // a reset, not a clean close
				}
				_ = conn.Close()
			}))
			defer srv.Close()
			// One connection at a time: the second request waits for the
			// first one's, and so is sent on a reused connection.
			tr := &http.Transport{MaxConnsPerHost: 1}
			defer tr.CloseIdleConnections()
			client := &http.Client{Transport: tr}

			_, _, err := notify.Do(context.Background(), client, post(t, srv.URL+"/hook", http.Header{header: {"key-1"}}), nil)
			require.NoError(t, err)
			_, _, err = notify.Do(context.Background(), client, post(t, srv.URL+"/hook", http.Header{header: {"key-2"}}), nil)
			require.Error(t, err, "the request was sent again on a new connection, and answered")
			retry, _ := notify.Retryable(err)
			require.True(t, retry, "a reset connection is worth another attempt: %v", err)
			require.Equal(t, int32(2), received.Load(), "requests that reached the receiver, for two calls of Do")
		})
	}
}
