// Package worker is the one loop behind every timer worker of alertkit:
// ProcessTimers drains what is due, a batch at a time; Run does it again
// every interval until its context ends. The Manager's, the Escalator's
// and the Pipeline's workers are built on it, so that they share one shape
// — ProcessTimers(ctx) for one pass, Run(ctx) until the context ends, with
// the interval, the owner, the lease and the error hook in their options.
package worker

import (
	"context"
	"errors"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"
)

// Drain claims items in batches of batch with claim and does each with do,
// up to parallel at once, until a claim returns fewer than batch or ctx
// ends. It returns how many items do finished without error, and the
// errors of claim and do, joined. An item whose do fails is left to its
// lease: it comes back in a later claim.
func Drain[T any](ctx context.Context, batch, parallel int, claim func(context.Context, int) ([]T, error), do func(context.Context, T) error) (int, error) {
	batch, parallel = max(batch, 1), max(parallel, 1)
	var mu sync.Mutex
	var errs []error
	done := 0
	for ctx.Err() == nil {
		items, err := claim(ctx, batch)
		if err != nil {
			errs = append(errs, err)
			break
		}
		var g errgroup.Group
		g.SetLimit(parallel)
		for _, it := range items {
			g.Go(func() error {
				err := do(ctx, it)
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					errs = append(errs, err)
				} else {
					done++
				}
				return nil
			})
		}
		_ = g.Wait()
		if len(items) < batch {
			break
		}
	}
	return done, errors.Join(errs...)
}

// Run calls pass at once, then every interval, until ctx ends, and
// returns ctx.Err(). The error of a pass goes to onError, if not nil,
// unless ctx ended meanwhile.
func Run(ctx context.Context, interval time.Duration, pass func(context.Context) error, onError func(error)) error {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		if err := pass(ctx); err != nil && onError != nil && ctx.Err() == nil {
			onError(err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}
