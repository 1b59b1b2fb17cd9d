package incident

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/alertkit/alertkit/internal/worker"
)

// The kinds of timer the Manager handles.
const (
	// TimerWake wakes a snoozed incident when its snooze runs out.
	TimerWake = "wake"
	// TimerResolve resolves an incident whose alerts stayed resolved for
	// the grouping's quiet period.
	TimerResolve = "resolve"
	// TimerFollowUp is news of an incident for the stages after it: for
	// the receivers it went to, that it resolved, closed, was acknowledged
	// or handed over; for the escalation stage, that it reopened (a new
	// firing, to page for again), woke or was unacknowledged (to go on
	// paging). With Options.FollowUps the Manager sets one in the very
	// write that makes the change, so that the news outlives a process
	// that dies right after; the pipeline handles them. Its Data is the
	// EventKind of the change, and its Due the time of the change.
	TimerFollowUp = "followup"
)

func timerKey(kind string, id ID) string { return kind + "/" + string(id) }

// followUp sets the follow-up timer of a change, if the Manager sets them.
// Its key names the incident, the change and the version it was made on,
// so that each change is followed up once.
func (m *Manager) followUp(inc *Incident, w *Write, now time.Time, kind EventKind) {
	if !m.opts.FollowUps {
		return
	}
	w.Timers = append(w.Timers, Timer{
		Key:  fmt.Sprintf("%s/%s/%s/v%d", TimerFollowUp, inc.ID, kind, inc.Version),
		Kind: TimerFollowUp, Incident: inc.ID, Due: now, Data: string(kind),
	})
}

// FollowsUp reports whether the Manager sets follow-up timers
// (Options.FollowUps).
func (m *Manager) FollowsUp() bool { return m.opts.FollowUps }

// ProcessTimers claims the due timers of the Manager's kinds as
// Options.Owner, a batch at a time until none is left, handles them and
// completes them, and returns how many it handled. A host calls it every
// few seconds, or runs Run; several replicas may call it at once.
func (m *Manager) ProcessTimers(ctx context.Context) (int, error) {
	if err := m.check(); err != nil {
		return 0, err
	}
	claim := func(ctx context.Context, n int) ([]Timer, error) {
		return m.store.ClaimTimers(ctx, Claim{
			Now: m.opts.Now(), Owner: m.opts.Owner, Lease: m.opts.Lease, Limit: n, Kinds: []string{TimerWake, TimerResolve},
		})
	}
	return worker.Drain(ctx, m.opts.Batch, 1, claim, func(ctx context.Context, t Timer) error {
		if err := m.HandleTimer(ctx, t); err != nil {
			return fmt.Errorf("timer %s: %w", t.Key, err) // the lease runs out and the timer is tried again
		}
		if err := m.store.CompleteTimer(ctx, t); err != nil && !errors.Is(err, ErrLeaseLost) {
			return fmt.Errorf("timer %s: %w", t.Key, err)
		}
		return nil
	})
}

// Run calls ProcessTimers every Options.Interval until ctx ends, and
// returns ctx.Err(); errors of a pass go to Options.OnError.
func (m *Manager) Run(ctx context.Context) error {
	return worker.Run(ctx, m.opts.Interval, func(ctx context.Context) error {
		_, err := m.ProcessTimers(ctx)
		return err
	}, m.opts.OnError)
}

// HandleTimer does the work of a timer of the Manager's kinds. Handling a
// timer twice does no harm.
func (m *Manager) HandleTimer(ctx context.Context, t Timer) error {
	switch t.Kind {
	case TimerWake:
		_, err := m.modify(ctx, t.Incident, func(inc *Incident, w *Write, now time.Time) error {
			if inc.Status != StatusSnoozed || inc.Snooze == nil || inc.Snooze.Forever || now.Before(inc.Snooze.Until) {
				return errNothingToDo
			}
			m.wake(inc, w, now, "the snooze ran out")
			m.resolveIfQuiet(inc, w, now)
			return nil
		})
		return ignoreNothing(err)
	case TimerResolve:
		quiet, err := time.ParseDuration(t.Data)
		if err != nil {
			return fmt.Errorf("resolve timer with a bad quiet period %q: %w", t.Data, err)
		}
		_, err = m.modify(ctx, t.Incident, func(inc *Incident, w *Write, now time.Time) error {
			if !inc.Status.Active() || inc.Status == StatusSnoozed || inc.Active > 0 || inc.Lasting == 0 {
				return errNothingToDo
			}
			if due := inc.QuietSince.Add(quiet); now.Before(due) {
				t.Due = due
				w.Timers = append(w.Timers, t) // not quiet long enough yet
				return nil
			}
			m.setStatus(inc, w, now, StatusResolved, EventResolved, m.opts.Actor,
				fmt.Sprintf("all alerts resolved for %s", quiet))
			return nil
		})
		return ignoreNothing(err)
	}
	return fmt.Errorf("incident: no handler for timers of kind %q", t.Kind)
}

var errNothingToDo = errors.New("nothing to do")

func ignoreNothing(err error) error {
	if errors.Is(err, errNothingToDo) || errors.Is(err, ErrNotFound) {
		return nil
	}
	return err
}
