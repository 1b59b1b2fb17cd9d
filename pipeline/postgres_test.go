package pipeline_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alertkit/alertkit/alert"
	"github.com/alertkit/alertkit/incident"
	"github.com/alertkit/alertkit/incident/pgstore"
	"github.com/alertkit/alertkit/internal/clock"
	"github.com/alertkit/alertkit/internal/pgtest"
)

// An ingest loop while PostgreSQL stops and starts under it, again and
// again: every batch the pipeline answered nil for is in the store, as is
// every alert its source sent again after a refusal — none accepted and
// lost, however the outage cut the writes.
func TestIngestWhilePostgreSQLRestarts(t *testing.T) {
	db := pgtest.Schema(t)
	proxy, url := pgtest.NewProxy(t, db)
	ctx := context.Background()
	store, err := pgstore.Open(ctx, url, nil)
	require.NoError(t, err)
	defer store.Close()
	checks, err := pgstore.Open(ctx, db, nil) // the checks read past the proxy
	require.NoError(t, err)
	defer checks.Close()
	c := clock.NewFake(monday)
	s := start(t, c, store, store.DeliveryLog(), &sentLog{}, 1)

	// The database stops for a while, and starts, every tenth of a second
	// or so, until the loop is over: wherever a batch's writes are then.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			select {
			case <-stop:
				proxy.Start()
				return
			case <-time.After(70 * time.Millisecond):
			}
			proxy.Stop()
			time.Sleep(40 * time.Millisecond)
			proxy.Start()
		}
	})

	// 40 alerts, each firing, resolved and firing again in turn, sent in
	// batches of 8; a refused batch is sent again, as a source does.
	const alerts, rounds = 40, 21
	want := map[model.Fingerprint]alert.State{}
	refused := 0
	var firing time.Time
	for round := range rounds {
		c.Advance(10 * time.Minute)
		at := c.Now()
		if round%2 == 0 {
			firing = at
		}
		for from := 0; from < alerts; from += 8 {
			var batch []alert.Alert
			for i := from; i < from+8; i++ {
				ls := model.LabelSet{"alertname": "PostgresDown", "cluster": "main", "instance": model.LabelValue(fmt.Sprintf("pg-%d", i)), "severity": "critical"}
				a := alert.Alert{Labels: ls, StartsAt: firing, Source: "prometheus"}
				state := alert.StateFiring
				if round%2 == 1 {
					a.EndsAt, state = at, alert.StateResolved
				}
				batch = append(batch, a)
				want[alert.Fingerprint(ls)] = state
			}
			if from == 16 {
				// And once a round, down just as the batch goes.
				proxy.Stop()
				time.AfterFunc(30*time.Millisecond, proxy.Start)
			}
			for attempt := 0; ; attempt++ {
				c.Advance(time.Second)
				for i := range batch {
					batch[i].UpdatedAt = c.Now()
				}
				err := s.svc.Pipeline.Ingest(ctx, cloneBatch(batch))
				if err == nil {
					break
				}
				refused++
				require.Less(t, attempt, 200, "the database never came back: %v", err)
				time.Sleep(20 * time.Millisecond)
			}
		}
	}
	close(stop)
	wg.Wait()
	t.Logf("%d batches refused while the database was down, and sent again", refused)

	members := map[model.Fingerprint]alert.State{}
	incs, err := checks.Search(ctx, incident.Filter{Limit: -1})
	require.NoError(t, err)
	for _, inc := range incs {
		ms, err := checks.Members(ctx, inc.ID)
		require.NoError(t, err)
		for _, m := range ms {
			if _, seen := members[m.Fingerprint]; !seen || m.State != alert.StateResolved {
				members[m.Fingerprint] = m.State
			}
		}
	}
	assert.Equal(t, want, members, "every alert as its source last said")
}
