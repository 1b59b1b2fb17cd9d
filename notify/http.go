package notify

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
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
	resp, err := client.Do(req.WithContext(ctx))
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
