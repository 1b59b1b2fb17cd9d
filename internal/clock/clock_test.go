package clock_test

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alertkit/alertkit/internal/clock"
)

var start = time.Date(2026, 11, 23, 9, 28, 12, 0, time.UTC)

func TestFakeAdvanceFiresInDueOrder(t *testing.T) {
	c := clock.NewFake(start)
	var got []string
	var seen []time.Time
	record := func(name string) func() {
		return func() {
			got = append(got, name)
			seen = append(seen, c.Now())
		}
	}
	c.AfterFunc(10*time.Minute, record("10m"))
	c.AfterFunc(time.Minute, record("1m-a"))
	c.AfterFunc(time.Minute, record("1m-b"))
	c.AfterFunc(30*time.Minute, record("30m"))

	c.Advance(10 * time.Minute)
	assert.Equal(t, []string{"1m-a", "1m-b", "10m"}, got, "due timers fire in due order, ties in scheduling order")
	assert.Equal(t, []time.Time{start.Add(time.Minute), start.Add(time.Minute), start.Add(10 * time.Minute)}, seen,
		"a callback reads its own due time")
	assert.Equal(t, start.Add(10*time.Minute), c.Now())
	assert.Equal(t, 1, c.Pending())

	c.Advance(19*time.Minute + 59*time.Second)
	assert.Len(t, got, 3, "the 30m timer is not due yet")
	c.Advance(time.Second)
	assert.Equal(t, "30m", got[3])
	assert.Zero(t, c.Pending())
}

func TestFakeCallbackMaySchedule(t *testing.T) {
	c := clock.NewFake(start)
	var fires []time.Time
	var tick func()
	tick = func() {
		fires = append(fires, c.Now())
		if len(fires) < 3 {
			c.AfterFunc(time.Minute, tick)
		}
	}
	c.AfterFunc(time.Minute, tick)
	c.Advance(time.Hour)
	require.Len(t, fires, 3)
	assert.Equal(t, start.Add(3*time.Minute), fires[2], "timers scheduled by callbacks fire within the same Advance")
	assert.Equal(t, start.Add(time.Hour), c.Now())
}

func TestFakeTimerStopAndReset(t *testing.T) {
	tests := []struct {
		name      string
		act       func(clock.Timer) bool
		wantOK    bool
		advance   time.Duration
		wantFired bool
	}{
		{name: "stop before due", act: func(tm clock.Timer) bool { return tm.Stop() }, wantOK: true, advance: time.Hour, wantFired: false},
		{name: "reset later", act: func(tm clock.Timer) bool { return tm.Reset(2 * time.Minute) }, wantOK: true, advance: 90 * time.Second, wantFired: false},
		{name: "reset sooner", act: func(tm clock.Timer) bool { return tm.Reset(time.Second) }, wantOK: true, advance: time.Second, wantFired: true},
		{name: "untouched", act: func(clock.Timer) bool { return true }, wantOK: true, advance: time.Minute, wantFired: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := clock.NewFake(start)
			tm := c.NewTimer(time.Minute)
			assert.Equal(t, tt.wantOK, tt.act(tm))
			c.Advance(tt.advance)
			select {
			case at := <-tm.C():
				assert.True(t, tt.wantFired, "timer fired unexpectedly")
				assert.False(t, at.After(c.Now()))
			default:
				assert.False(t, tt.wantFired, "timer did not fire")
			}
		})
	}
}

func TestFakeStopAfterFireReportsFalse(t *testing.T) {
	c := clock.NewFake(start)
	tm := c.NewTimer(time.Second)
	c.Advance(time.Second)
	assert.False(t, tm.Stop())
	assert.False(t, tm.Reset(time.Second), "a fired timer was not active")
	c.Advance(time.Second)
	assert.Len(t, tm.C(), 1, "an unread value is not doubled")
}

func TestFakeSetBackwardsFiresNothing(t *testing.T) {
	c := clock.NewFake(start)
	fired := false
	c.AfterFunc(time.Second, func() { fired = true })
	c.Set(start.Add(-time.Hour))
	assert.False(t, fired)
	assert.Equal(t, start.Add(-time.Hour), c.Now())
	c.Set(start.Add(time.Second))
	assert.True(t, fired)
}

func TestFakeBlockUntil(t *testing.T) {
	c := clock.NewFake(start)
	done := make(chan time.Time)
	go func() {
		tm := c.NewTimer(time.Minute)
		done <- <-tm.C()
	}()
	c.BlockUntil(1)
	c.Advance(time.Minute)
	assert.Equal(t, start.Add(time.Minute), <-done)
}

func TestFakeConcurrentUse(t *testing.T) {
	c := clock.NewFake(start)
	var mu sync.Mutex
	n := 0
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 100 {
				c.AfterFunc(time.Second, func() { mu.Lock(); n++; mu.Unlock() })
				_ = c.Now()
			}
		})
	}
	wg.Wait()
	c.Advance(time.Second)
	assert.Equal(t, 800, n)
}

func TestRealTimer(t *testing.T) {
	c := clock.Or(nil)
	tm := c.NewTimer(time.Millisecond)
	<-tm.C()
	done := make(chan struct{})
	c.AfterFunc(0, func() { close(done) })
	<-done
	stopped := c.AfterFunc(time.Hour, func() { t.Error("stopped timer fired") })
	assert.True(t, stopped.Stop())
	assert.WithinDuration(t, time.Now(), c.Now(), time.Minute)
}
