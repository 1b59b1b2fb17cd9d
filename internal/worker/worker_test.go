package worker_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alertkit/alertkit/internal/worker"
)

// Drain claims batch after batch until one comes back short, counts what
// was done, and joins the errors of what was not.
func TestDrain(t *testing.T) {
	queue := make([]int, 25)
	for i := range queue {
		queue[i] = i
	}
	var claims []int
	claim := func(_ context.Context, n int) ([]int, error) {
		claims = append(claims, n)
		k := min(n, len(queue))
		batch := queue[:k]
		queue = queue[k:]
		return batch, nil
	}
	var running, most atomic.Int32
	done, err := worker.Drain(context.Background(), 10, 3, claim, func(_ context.Context, i int) error {
		n := running.Add(1)
		defer running.Add(-1)
		for {
			m := most.Load()
			if n <= m || most.CompareAndSwap(m, n) {
				break
			}
		}
		if i%10 == 7 {
			return errors.New("receiver down")
		}
		return nil
	})
	assert.Equal(t, 23, done)
	require.Error(t, err)
	assert.Len(t, err.(interface{ Unwrap() []error }).Unwrap(), 2)
	assert.Equal(t, []int{10, 10, 10}, claims, "three claims: the third came back short")
	assert.LessOrEqual(t, most.Load(), int32(3), "never more than parallel at once")
}

// A failing claim ends the pass with its error.
func TestDrainClaimError(t *testing.T) {
	done, err := worker.Drain(context.Background(), 10, 1, func(context.Context, int) ([]int, error) {
		return nil, errors.New("store unavailable")
	}, func(context.Context, int) error { return nil })
	assert.Zero(t, done)
	assert.EqualError(t, err, "store unavailable")
}

// Run passes at once and every interval, reports errors, and stops with
// its context.
func TestRun(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		var passes, reported atomic.Int32
		done := make(chan error)
		go func() {
			done <- worker.Run(ctx, time.Second, func(context.Context) error {
				if passes.Add(1) == 2 {
					return errors.New("tick failed")
				}
				return nil
			}, func(error) { reported.Add(1) })
		}()
		synctest.Wait()
		assert.Equal(t, int32(1), passes.Load(), "a pass at once")
		time.Sleep(2500 * time.Millisecond)
		synctest.Wait()
		assert.Equal(t, int32(3), passes.Load())
		cancel()
		require.ErrorIs(t, <-done, context.Canceled)
		assert.Equal(t, int32(1), reported.Load())
	})
}
