package notifytest

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/alertkit/alertkit/notify"
)

// Behaviour is how the fake receiving end answers.
type Behaviour int

// The behaviours a Harness's fake end shows.
const (
	// Accept: the receiver takes the message (HTTP 200 or 202, SMTP 250).
	Accept Behaviour = iota
	// Fail: a temporary failure (HTTP 503, SMTP 451).
	Fail
	// Throttle: too many requests, try in 7 seconds (HTTP 429 with
	// Retry-After: 7).
	Throttle
	// Refuse: a permanent refusal (HTTP 400, SMTP 550).
	Refuse
	// Hang: no answer, until the request is abandoned.
	Hang
)

func (b Behaviour) String() string {
	return [...]string{"accept", "fail", "throttle", "refuse", "hang"}[b]
}

// ThrottleDelay is the Retry-After of Throttle.
const ThrottleDelay = 7 * time.Second

// Harness is a notifier under test and the fake end it talks to.
type Harness struct {
	Notifier notify.Notifier
	// Behave makes the fake end answer every request from now on as b
	// says. It returns false for a behaviour the channel cannot show (SMTP
	// has no Retry-After), and that check is skipped.
	Behave func(b Behaviour) bool
	// Received counts the messages the fake end accepted.
	Received func() int
	// Secrets are the secrets of the notifier's configuration: no error,
	// and no printing, logging or marshalling of the Notifier or of
	// Config, may show them (see SecretsHidden).
	Secrets []string
	// Config is the notifier's configuration, printed and marshalled to
	// check that its secrets are hidden; nil skips that check.
	Config any
	// Refuses are the reasons the channel does not take, by design
	// (PagerDuty does not page with digests): they must be refused with a
	// permanent error, and nothing sent.
	Refuses []notify.Reason
}

// Run runs the conformance suite; newHarness makes a fresh notifier and
// fake end for each check.
func Run(t *testing.T, newHarness func(t *testing.T) *Harness) {
	t.Run("every reason is delivered", func(t *testing.T) {
		h := newHarness(t)
		h.behave(t, Accept)
		want := 0
		for _, r := range notify.Reasons() {
			err := h.Notifier.Notify(context.Background(), Sample(r))
			switch {
			case slices.Contains(h.Refuses, r):
				if retry, _ := notify.Retryable(err); err == nil || retry {
					t.Errorf("%s: want a permanent refusal, got %v", r, err)
				}
			case err != nil:
				t.Errorf("%s: %v", r, err)
			default:
				want++
			}
		}
		if got := h.Received(); got != want {
			t.Errorf("the receiver accepted %d messages, want %d", got, want)
		}
	})

	failures := []struct {
		b     Behaviour
		retry bool
		after time.Duration
		name  string
	}{
		{Fail, true, 0, "a temporary failure is retryable"},
		{Throttle, true, ThrottleDelay, "a throttled request is retried after Retry-After"},
		{Refuse, false, 0, "a refusal is permanent"},
	}
	for _, f := range failures {
		t.Run(f.name, func(t *testing.T) {
			h := newHarness(t)
			if !h.Behave(f.b) {
				t.Skipf("the channel cannot %s", f.b)
			}
			err := h.Notifier.Notify(context.Background(), Sample(notify.ReasonOpened))
			if err == nil {
				t.Fatalf("%s: no error", f.b)
			}
			retry, after := notify.Retryable(err)
			if retry != f.retry || after != f.after {
				t.Errorf("%s: Retryable(%v) = %v, %v; want %v, %v", f.b, err, retry, after, f.retry, f.after)
			}
			SecretsHidden(t, err, h.Secrets...)
			if n := h.Received(); n != 0 {
				t.Errorf("%s: the receiver counted %d messages as accepted", f.b, n)
			}
		})
	}

	t.Run("a hung receiver is abandoned when the context ends", func(t *testing.T) {
		h := newHarness(t)
		if !h.Behave(Hang) {
			t.Skip("the channel cannot hang")
		}
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		done := make(chan error, 1)
		go func() { done <- h.Notifier.Notify(ctx, Sample(notify.ReasonOpened)) }()
		select {
		case err := <-done:
			if err == nil {
				t.Fatal("no error from a receiver that never answered")
			}
			if retry, _ := notify.Retryable(err); !retry {
				t.Errorf("a timeout is not retryable: %v", err)
			}
			if !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, notify.ErrTimeout) {
				t.Errorf("the error does not say it timed out: %v", err)
			}
			SecretsHidden(t, err, h.Secrets...)
		case <-time.After(10 * time.Second):
			t.Fatal("Notify ignored its context's deadline")
		}
	})

	t.Run("a cancelled context sends nothing", func(t *testing.T) {
		h := newHarness(t)
		h.behave(t, Accept)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if err := h.Notifier.Notify(ctx, Sample(notify.ReasonOpened)); err == nil {
			t.Error("no error with a cancelled context")
		}
		if n := h.Received(); n != 0 {
			t.Errorf("the receiver accepted %d messages", n)
		}
	})

	t.Run("an invalid notification is refused for good", func(t *testing.T) {
		h := newHarness(t)
		h.behave(t, Accept)
		bad := Sample(notify.ReasonOpened)
		bad.Reason = "exploded"
		err := h.Notifier.Notify(context.Background(), bad)
		if err == nil {
			t.Fatal("no error")
		}
		if retry, _ := notify.Retryable(err); retry {
			t.Errorf("retryable: %v", err)
		}
		if n := h.Received(); n != 0 {
			t.Errorf("the receiver accepted %d messages", n)
		}
	})

	t.Run("concurrent notifications", func(t *testing.T) {
		h := newHarness(t)
		h.behave(t, Accept)
		var wg sync.WaitGroup
		errs := make(chan error, 64)
		for range 16 {
			wg.Go(func() {
				for _, r := range []notify.Reason{notify.ReasonOpened, notify.ReasonEscalation, notify.ReasonAcknowledged, notify.ReasonResolved} {
					if err := h.Notifier.Notify(context.Background(), Sample(r)); err != nil {
						errs <- err
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		if n := h.Received(); n != 64 {
			t.Errorf("the receiver accepted %d messages, want 64", n)
		}
	})

	t.Run("the notifier hides its secrets", func(t *testing.T) {
		h := newHarness(t)
		if !slices.ContainsFunc(h.Secrets, func(s string) bool { return s != "" }) {
			t.Skip("no Secrets in the harness")
		}
		SecretsHidden(t, h.Notifier, h.Secrets...)
	})

	t.Run("the configuration hides its secrets", func(t *testing.T) {
		h := newHarness(t)
		if h.Config == nil {
			t.Skip("no Config in the harness")
		}
		if _, err := json.Marshal(h.Config); err != nil {
			t.Fatalf("the configuration does not marshal: %v", err)
		}
		SecretsHidden(t, h.Config, h.Secrets...)
	})
}

func (h *Harness) behave(t *testing.T, b Behaviour) {
	t.Helper()
	if !h.Behave(b) {
		t.Fatalf("the harness cannot %s", b)
	}
}
