package notify

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// UserAgent is the User-Agent of alertkit's HTTP senders.
const UserAgent = "alertkit"

// MaxResponseBody is how much of a receiver's answer is read.
const MaxResponseBody = 1 << 20

// Do sends an HTTP request for a sender and reads the answer. A status
// outside 2xx is a *StatusError (retryable for 408, 429 and 5xx, with the
// Retry-After read at now); a transport error is returned with the
// request's URL cut to its scheme and host, because URLs of receivers carry
// secrets (Slack's webhook path, Telegram's bot token). A nil client is
// http.DefaultClient.
//
// A redirect to another scheme or host is refused with a permanent error,
// ErrRedirectElsewhere, that names the target cut to its scheme and host:
// the request's secrets — a token in its path, an Authorization header, a
// routing key in its body — stay with the configured receiver. A redirect
// on the same host is followed without a Referer header, which would carry
// the first URL. The client's CheckRedirect, if it has one, is asked first,
// and a redirect it stops is not followed; without one, Do stops after 10
// redirects. The client is not changed: Do sends with a shallow copy of it.
//
// Every call of Do is one attempt that its caller counts and logs: the
// request it sends cannot be re-read (its GetBody is cleared), so that the
// transport never sends it again by itself, as it otherwise would after a
// keep-alive connection is reset when the request carries an
// Idempotency-Key header. In turn, a 307 or 308 redirect of a request with
// a body is not followed: its answer is returned as a StatusError, which
// asks for the configured URL to be fixed.
func Do(ctx context.Context, client *http.Client, req *http.Request, now func() time.Time) (status int, body []byte, err error) {
	if client == nil {
		client = http.DefaultClient
	}
	if now == nil {
		now = time.Now
	}
	if req.Header.Get("User-Agent") == "" {
		req.Header.Set("User-Agent", UserAgent)
	}
	c := *client
	c.CheckRedirect = sameHost(client.CheckRedirect)
	r := req.WithContext(ctx)
	r.GetBody = nil // no silent re-sends: see above
	resp, err := c.Do(r)
	if err != nil {
		return 0, nil, contextError(ctx, redactURLError(err))
	}
	defer resp.Body.Close()
	body, err = io.ReadAll(io.LimitReader(resp.Body, MaxResponseBody))
	if err != nil {
		return resp.StatusCode, nil, contextError(ctx, fmt.Errorf("reading the answer: %w", redactURLError(err)))
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.StatusCode, body, HTTPError(resp, body, now())
	}
	return resp.StatusCode, body, nil
}

// maxRedirects is how many redirects Do follows when the client does not
// say, as net/http's default.
const maxRedirects = 10

// sameHost returns a CheckRedirect that asks next first, if there is
// one, and then refuses a redirect to another scheme or host than the
// first request's, drops the Referer, and stops after maxRedirects if next
// is nil.
func sameHost(next func(*http.Request, []*http.Request) error) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		if next != nil {
			if err := next(req, via); err != nil {
				return err // not followed: http.ErrUseLastResponse, or the client's refusal
			}
		}
		first := via[0].URL
		if !strings.EqualFold(req.URL.Scheme, first.Scheme) || !strings.EqualFold(req.URL.Host, first.Host) {
			// The *url.Error around it names the target, which Do cuts
			// to its scheme and host.
			return Permanent(ErrRedirectElsewhere)
		}
		req.Header.Del("Referer")
		if next == nil && len(via) >= maxRedirects {
			return fmt.Errorf("stopped after %d redirects", maxRedirects)
		}
		return nil
	}
}

// ErrRedirectElsewhere is the error, marked Permanent, of a request that
// a receiver redirected to another scheme or host: Do does not follow it.
var ErrRedirectElsewhere = errors.New("redirected to another host: not followed, so that the request's secrets stay with the configured receiver")

// redactURLError rewrites a *url.Error to show only the scheme and host of
// its URL.
func redactURLError(err error) error {
	var ue *url.Error
	if !errors.As(err, &ue) {
		return err
	}
	return &url.Error{Op: ue.Op, URL: RedactURL(ue.URL), Err: ue.Err}
}

// RedactURL returns a URL's scheme and host only: "https://hooks.slack.com/…".
func RedactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return "<url>"
	}
	r := u.Scheme + "://" + u.Host
	if u.Path != "" && u.Path != "/" || u.RawQuery != "" {
		r += "/…"
	}
	return r
}
