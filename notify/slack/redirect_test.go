package slack_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/alertkit/alertkit/notify"
	"github.com/alertkit/alertkit/notify/notifytest"
	"github.com/alertkit/alertkit/notify/slack"
)

// TestRedirects: a webhook redirected to another host sends it nothing —
// neither the message nor a Referer with the webhook's token; redirected on
// its own host, it follows without a Referer.
func TestRedirects(t *testing.T) {
	const token = "R3D1R3CTT0K3N"
	var elsewhere atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { elsewhere.Add(1) }))
	defer other.Close()
	var referer atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasPrefix(r.URL.Path, "/services/"):
			http.Redirect(w, r, other.URL+"/moved", http.StatusFound)
		case r.URL.Path == "/here/services/T0/B0/"+token:
			http.Redirect(w, r, "/moved", http.StatusFound)
		case r.URL.Path == "/moved":
			referer.Store(r.Header.Get("Referer"))
			_, _ = w.Write([]byte("ok"))
		}
	}))
	defer srv.Close()

	s := newSender(t, &slack.Config{WebhookURL: notify.Secret(srv.URL + "/services/T0/B0/" + token)}, nil)
	err := s.Notify(context.Background(), notifytest.Sample(notify.ReasonOpened))
	require.ErrorIs(t, err, notify.ErrRedirectElsewhere)
	require.NotContains(t, err.Error(), token)
	retry, _ := notify.Retryable(err)
	require.False(t, retry)
	require.Zero(t, elsewhere.Load(), "the other host received the redirected request")

	s = newSender(t, &slack.Config{WebhookURL: notify.Secret(srv.URL + "/here/services/T0/B0/" + token)}, nil)
	require.NoError(t, s.Notify(context.Background(), notifytest.Sample(notify.ReasonOpened)))
	require.Equal(t, "", referer.Load(), "the Referer carries the webhook's token")
}
