package alert_test

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alertkit/alertkit/alert"
)

// pipeListener is a net.Listener whose connections are the server ends of
// net.Pipe: in a synctest bubble their deadlines follow the bubble's clock.
type pipeListener struct {
	conns chan net.Conn
	done  chan struct{}
	once  sync.Once
}

func newPipeListener() *pipeListener {
	return &pipeListener{conns: make(chan net.Conn), done: make(chan struct{})}
}

func (l *pipeListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *pipeListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

func (l *pipeListener) Addr() net.Addr { return pipeAddr{} }

// dial returns the client end of a new connection, once the server has
// accepted it.
func (l *pipeListener) dial() net.Conn {
	client, server := net.Pipe()
	l.conns <- server
	return client
}

type pipeAddr struct{}

func (pipeAddr) Network() string { return "pipe" }
func (pipeAddr) String() string  { return "pipe" }

// servePipes serves srv on a pipeListener until the test ends, and returns
// the listener and a count of the connections the server holds open.
func servePipes(t *testing.T, srv *http.Server) (*pipeListener, *atomic.Int64) {
	t.Helper()
	var open atomic.Int64
	srv.ConnState = func(_ net.Conn, s http.ConnState) {
		switch s {
		case http.StateNew:
			open.Add(1)
		case http.StateClosed, http.StateHijacked:
			open.Add(-1)
		}
	}
	ln := newPipeListener()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	t.Cleanup(func() {
		require.NoError(t, srv.Close())
		require.ErrorIs(t, <-served, http.ErrServerClosed)
	})
	return ln, &open
}

// TestServerDropsSlowClients opens 200 connections whose clients are slow
// in one way each, and checks that the server closes every one of them
// when the timeout for that way passes, and not before, so that no
// connection and no goroutine outlives it.
func TestServerDropsSlowClients(t *testing.T) {
	const clients = 200
	post := "POST /api/v2/alerts HTTP/1.1\r\nHost: alertkit\r\nContent-Type: application/json\r\n"
	valid := `[{"labels":{"alertname":"TargetDown"}}]`
	tests := []struct {
		name  string
		first string        // sent at once
		drip  string        // then sent a byte every 5s
		after time.Duration // when the server closes the connection
	}{
		{name: "silent", after: 10 * time.Second},
		{name: "headers a byte every 5s", drip: post + "Content-Length: 2\r\n\r\n[]", after: 10 * time.Second},
		{name: "headers sent, body a byte every 5s", first: post + "Content-Length: 1000\r\n\r\n", drip: strings.Repeat(" ", 1000), after: 30 * time.Second},
		{name: "idle after one request", first: post + "Content-Length: " + strconv.Itoa(len(valid)) + "\r\n\r\n" + valid, after: 2 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				srv := alert.NewServer("", alert.PrometheusHandler(func(context.Context, []alert.Alert) error { return nil }, nil))
				ln, open := servePipes(t, srv)
				start := time.Now()
				closedAt := make([]time.Duration, clients)
				var closed atomic.Int64
				for i := range clients {
					conn := ln.dial()
					gone := make(chan struct{})
					go func() { // the client's reader: answers, then the end
						_, _ = io.Copy(io.Discard, conn)
						closedAt[i] = time.Since(start)
						closed.Add(1)
						conn.Close()
						close(gone)
					}()
					go func() { // the client's writer
						if _, err := io.WriteString(conn, tt.first); err != nil {
							return
						}
						for j := range len(tt.drip) {
							if _, err := io.WriteString(conn, tt.drip[j:j+1]); err != nil {
								return
							}
							select {
							case <-gone:
								return
							case <-time.After(5 * time.Second):
							}
						}
					}()
				}
				synctest.Wait()
				require.EqualValues(t, clients, open.Load(), "every client connected")

				time.Sleep(tt.after - time.Millisecond)
				synctest.Wait()
				require.Zero(t, closed.Load(), "connections closed before %v", tt.after)
				require.EqualValues(t, clients, open.Load())

				time.Sleep(time.Millisecond)
				synctest.Wait()
				require.EqualValues(t, clients, closed.Load(), "connections left open after %v", tt.after)
				require.Zero(t, open.Load(), "connections the server still holds")
				for i, at := range closedAt {
					require.Equal(t, tt.after, at, "client %d", i)
				}
			})
		})
	}
}

func TestServerRefusesLargeHeaders(t *testing.T) {
	valid := `[{"labels":{"alertname":"TargetDown"}}]`
	tests := []struct {
		name     string
		header   int // bytes of one header's value
		wantCode string
	}{
		{name: "60 KiB", header: 60 << 10, wantCode: "200"},
		{name: "80 KiB", header: 80 << 10, wantCode: "431"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				srv := alert.NewServer("", alert.PrometheusHandler(func(context.Context, []alert.Alert) error { return nil }, nil))
				ln, _ := servePipes(t, srv)
				conn := ln.dial()
				defer conn.Close()
				go func() {
					_, _ = io.WriteString(conn, "POST / HTTP/1.1\r\nHost: alertkit\r\nConnection: close\r\nX-Padding: "+strings.Repeat("x", tt.header)+
						"\r\nContent-Length: "+strconv.Itoa(len(valid))+"\r\n\r\n"+valid)
				}()
				answer := bufio.NewReader(conn)
				status, err := answer.ReadString('\n')
				require.NoError(t, err)
				assert.True(t, strings.HasPrefix(status, "HTTP/1.1 "+tt.wantCode+" "), status)
				_, err = io.Copy(io.Discard, answer) // until the server closes the connection
				require.NoError(t, err)
			})
		})
	}
}

func TestNewServerSettings(t *testing.T) {
	h := http.NotFoundHandler()
	srv := alert.NewServer(":9095", h)
	assert.Equal(t, ":9095", srv.Addr)
	assert.NotNil(t, srv.Handler)
	assert.Equal(t, 10*time.Second, srv.ReadHeaderTimeout)
	assert.Equal(t, 30*time.Second, srv.ReadTimeout)
	assert.Equal(t, 30*time.Second, srv.WriteTimeout)
	assert.Equal(t, 2*time.Minute, srv.IdleTimeout)
	assert.Equal(t, 64<<10, srv.MaxHeaderBytes)
}
