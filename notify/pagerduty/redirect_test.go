package pagerduty_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/alertkit/alertkit/notify"
	"github.com/alertkit/alertkit/notify/notifytest"
	"github.com/alertkit/alertkit/notify/pagerduty"
)

// TestRedirectElsewhere: an endpoint that redirects to another host never
// gets the event, and its routing key, posted there.
func TestRedirectElsewhere(t *testing.T) {
	for _, status := range []int{http.StatusFound, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			var elsewhere atomic.Int32
			other := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { elsewhere.Add(1) }))
			defer other.Close()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, other.URL+"/v2/enqueue", status)
			}))
			defer srv.Close()
			s, err := pagerduty.New(&pagerduty.Config{RoutingKey: testKey, URL: srv.URL + "/v2/enqueue"}, nil)
			require.NoError(t, err)
			err = s.Notify(context.Background(), notifytest.Sample(notify.ReasonOpened))
			require.Error(t, err)
			retry, _ := notify.Retryable(err)
			require.False(t, retry, "%v", err)
			require.NotContains(t, err.Error(), testKey)
			require.Zero(t, elsewhere.Load(), "the event was posted to the other host")
		})
	}
}
