package dedup_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/require"

	"github.com/alertkit/alertkit/alert"
	"github.com/alertkit/alertkit/dedup"
)

// TestZeroDeduper calls every method of a zero Deduper: each works as on
// New(nil).
func TestZeroDeduper(t *testing.T) {
	start := day(3, "09:00:00")
	fp := alert.Fingerprint(daemonSet)
	tests := []struct {
		name string
		run  func(t *testing.T, d *dedup.Deduper)
	}{
		{"Ingest", func(t *testing.T, d *dedup.Deduper) {
			changes := d.Ingest([]alert.Alert{firing(daemonSet, start, start, 0)})
			require.Equal(t, []string{"new:firing"}, summary(changes))
			require.Empty(t, d.Ingest([]alert.Alert{firing(daemonSet, start, start.Add(time.Minute), 0)}), "a repeat")
		}},
		{"Sweep", func(t *testing.T, d *dedup.Deduper) {
			require.Empty(t, d.Sweep(start))
			d.Ingest([]alert.Alert{resolved(daemonSet, start, start, start)})
			d.Sweep(start.Add(dedup.DefaultRetention - time.Second))
			require.Equal(t, 1, d.Len(), "kept for the default retention")
			d.Sweep(start.Add(dedup.DefaultRetention))
			require.Zero(t, d.Len(), "dropped after the default retention")
		}},
		{"Get", func(t *testing.T, d *dedup.Deduper) {
			_, ok := d.Get(fp)
			require.False(t, ok)
			d.Ingest([]alert.Alert{firing(daemonSet, start, start, 0)})
			rec, ok := d.Get(fp)
			require.True(t, ok)
			require.Equal(t, alert.StateFiring, rec.State)
		}},
		{"Len", func(t *testing.T, d *dedup.Deduper) {
			require.Zero(t, d.Len())
		}},
		{"Records", func(t *testing.T, d *dedup.Deduper) {
			for r := range d.Records {
				t.Fatalf("a record in an empty Deduper: %#v", r)
			}
		}},
		{"Restore", func(t *testing.T, d *dedup.Deduper) {
			require.True(t, d.Restore(firing(daemonSet, start, start, 0), dedup.RestoreOptions{State: alert.StateFiring}))
			require.False(t, d.Restore(firing(daemonSet, start, start, 0), dedup.RestoreOptions{State: alert.StateFiring}), "held already")
			require.Equal(t, 1, d.Len())
		}},
		{"Unpublish", func(t *testing.T, d *dedup.Deduper) {
			d.Unpublish([]dedup.Change{{Record: dedup.Record{Fingerprint: fp, Alert: alert.Alert{Labels: daemonSet}}}})
			changes := d.Ingest([]alert.Alert{firing(daemonSet, start, start, 0)})
			d.Unpublish(changes)
			require.Equal(t, []string{"new:firing"}, summary(d.Sweep(start.Add(time.Minute))), "published again")
		}},
		{"AddHeartbeat", func(t *testing.T, d *dedup.Deduper) {
			require.NoError(t, d.AddHeartbeat(dedup.Heartbeat{Name: "cron", Period: time.Hour}, start))
			require.Len(t, d.Heartbeats(), 1)
			changes := d.Sweep(start.Add(time.Hour))
			require.Equal(t, []string{"new:firing"}, summary(changes))
			require.Equal(t, model.LabelValue(dedup.HeartbeatMissing), changes[0].Alert.Labels[model.AlertNameLabel])
		}},
		{"Heartbeats", func(t *testing.T, d *dedup.Deduper) {
			require.Empty(t, d.Heartbeats())
		}},
		{"RemoveHeartbeat", func(t *testing.T, d *dedup.Deduper) {
			d.RemoveHeartbeat("cron")
			require.Empty(t, d.Heartbeats())
		}},
		{"CheckIn", func(t *testing.T, d *dedup.Deduper) {
			_, err := d.CheckIn("cron", start)
			require.True(t, errors.Is(err, dedup.ErrUnknownHeartbeat), "%v", err)
		}},
		{"RestoreHeartbeat", func(t *testing.T, d *dedup.Deduper) {
			require.False(t, d.RestoreHeartbeat("cron", start))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var d dedup.Deduper
			tt.run(t, &d)
		})
	}
}

// TestZeroDeduperHasTheDefaults runs one day of a flapping alert through a
// zero Deduper and through New(nil): both publish the same changes.
func TestZeroDeduperHasTheDefaults(t *testing.T) {
	script := func(d *dedup.Deduper) []dedup.Change {
		var out []dedup.Change
		start := day(3, "09:00:00")
		for i := range 6 {
			at := start.Add(time.Duration(i) * 4 * time.Minute)
			a := firing(daemonSet, at, at, 0)
			if i%2 == 1 {
				a = resolved(daemonSet, at, at, at)
			}
			out = append(out, d.Ingest([]alert.Alert{a})...)
		}
		out = append(out, d.Sweep(start.Add(time.Hour))...)
		out = append(out, d.Sweep(start.Add(dedup.DefaultRetention+time.Hour))...)
		return out
	}
	var zero dedup.Deduper
	got := script(&zero)
	require.Equal(t, script(dedup.New(nil)), got)
	require.Contains(t, summary(got), "refired:resolved→firing+flapping", "flapping at the default threshold")
	require.Contains(t, summary(got), "+steady", "steady after the default window")
	require.Zero(t, zero.Len(), "dropped after the default retention")
}

// TestZeroDeduperUsesTheWallClock checks that a zero Deduper stamps a
// report without UpdatedAt with the time of the wall clock.
func TestZeroDeduperUsesTheWallClock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var d dedup.Deduper
		time.Sleep(time.Hour) // the bubble's clock: no wait
		d.Ingest([]alert.Alert{{Labels: daemonSet, StartsAt: time.Now()}})
		rec, ok := d.Get(alert.Fingerprint(daemonSet))
		require.True(t, ok)
		require.Equal(t, time.Now(), rec.LastSeen)
	})
}

// TestZeroDeduperFirstUseIsConcurrent starts using a zero Deduper from
// many goroutines at once; the race detector checks its setup.
func TestZeroDeduperFirstUseIsConcurrent(t *testing.T) {
	var d dedup.Deduper
	start := day(3, "09:00:00")
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			ls := model.LabelSet{"alertname": "A", "n": model.LabelValue(fmt.Sprint(g))}
			d.Ingest([]alert.Alert{firing(ls, start, start, 0)})
		})
		wg.Go(func() {
			if err := d.AddHeartbeat(dedup.Heartbeat{Name: fmt.Sprint("cron-", g), Period: time.Hour}, start); err != nil {
				t.Error(err)
			}
		})
		wg.Go(func() { d.Sweep(start) })
		wg.Go(func() { d.Len() })
	}
	wg.Wait()
	require.Equal(t, 8, d.Len())
	require.Len(t, d.Heartbeats(), 8)
}

// TestRecordsYieldMayCallTheDeduper reads and resolves every alert from
// within Records.
func TestRecordsYieldMayCallTheDeduper(t *testing.T) {
	d := dedup.New(nil)
	start := day(3, "09:00:00")
	const n = 200 // records in most shards
	for i := range n {
		ls := model.LabelSet{"alertname": "A", "n": model.LabelValue(fmt.Sprint(i))}
		d.Ingest([]alert.Alert{firing(ls, start, start, 0)})
	}
	visited, resolvedNow := 0, 0
	returns(t, func() {
		for r := range d.Records {
			visited++
			got, ok := d.Get(r.Fingerprint)
			if !ok || got.Seq != r.Seq {
				t.Errorf("Get(%s) = %#v, %v; want %#v", r.Fingerprint, got, ok, r)
			}
			at := start.Add(time.Minute)
			resolvedNow += len(d.Ingest([]alert.Alert{resolved(r.Alert.Labels, start, at, at)}))
		}
	})
	require.Equal(t, n, visited)
	require.Equal(t, n, resolvedNow)
	for r := range d.Records {
		require.Equal(t, alert.StateResolved, r.State, "%#v", r)
	}
}

// TestRecordsStops checks that Records stops when yield returns false.
func TestRecordsStops(t *testing.T) {
	d := dedup.New(nil)
	start := day(3, "09:00:00")
	for i := range 100 {
		ls := model.LabelSet{"alertname": "A", "n": model.LabelValue(fmt.Sprint(i))}
		d.Ingest([]alert.Alert{firing(ls, start, start, 0)})
	}
	visited := 0
	for range d.Records {
		visited++
		if visited == 3 {
			break
		}
	}
	require.Equal(t, 3, visited)
}

// returns runs f and fails the test if f has not returned by the time most
// of what is left of the test binary's deadline has passed: a deadlock
// fails the test by name instead of hanging the binary. A sync.Mutex that
// is never unlocked does not durably block a goroutine, so a synctest
// bubble cannot tell a deadlock of one from slow work.
func returns(t *testing.T, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	var expired <-chan time.Time
	if deadline, ok := t.Deadline(); ok {
		timer := time.NewTimer(time.Until(deadline) * 9 / 10)
		defer timer.Stop()
		expired = timer.C
	}
	select {
	case <-done:
	case <-expired:
		t.Fatal("no return before the test deadline: a deadlock")
	}
}
