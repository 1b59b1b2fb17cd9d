package notify

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/alertkit/alertkit/incident"
)

// Outcome is how an attempt to deliver ended.
type Outcome string

// The outcomes of an attempt.
const (
	// OutcomeDelivered: the receiver accepted the notification.
	OutcomeDelivered Outcome = "delivered"
	// OutcomeFailed: it did not; the notification is tried again later.
	OutcomeFailed Outcome = "failed"
	// OutcomeDead: it did not, and will not be tried again: the error is
	// permanent or the attempts ran out. The notification is kept as a
	// DeadLetter.
	OutcomeDead Outcome = "dead"
)

// Attempt is an entry of the delivery log: one try to deliver one
// notification to one receiver.
type Attempt struct {
	Key      string      `json:"key"`
	Receiver string      `json:"receiver"`
	Incident incident.ID `json:"incident"`
	Reason   Reason      `json:"reason"`
	// Number counts the attempts of this notification, from 1.
	Number  int           `json:"number"`
	At      time.Time     `json:"at"`
	Latency time.Duration `json:"latency"`
	Outcome Outcome       `json:"outcome"`
	// StatusCode is the receiver's HTTP status or SMTP reply code, if it
	// answered.
	StatusCode int    `json:"status_code,omitempty"`
	Error      string `json:"error,omitempty"`
	// RetryAt is when a failed notification is tried next.
	RetryAt time.Time `json:"retry_at,omitzero"`
}

// DeadLetter is a notification that was given up on, kept so that people
// see it and may send it again (Dispatcher.Redeliver).
type DeadLetter struct {
	Notification Notification `json:"notification"`
	Attempts     int          `json:"attempts"`
	Error        string       `json:"error"`
	At           time.Time    `json:"at"`
}

// Log keeps the delivery log and the dead letters. MemoryLog is the
// default; a host with replicas keeps them in its database.
type Log interface {
	// Record adds an attempt.
	Record(ctx context.Context, a Attempt) error
	// Attempts returns an incident's attempts, oldest first.
	Attempts(ctx context.Context, id incident.ID) ([]Attempt, error)
	// Bury keeps a dead letter; one of the same receiver and key replaces
	// it.
	Bury(ctx context.Context, d DeadLetter) error
	// DeadLetters returns the dead letters, oldest first.
	DeadLetters(ctx context.Context) ([]DeadLetter, error)
	// Exhume removes and returns the dead letter of a receiver and key.
	Exhume(ctx context.Context, receiver, key string) (DeadLetter, bool, error)
}

// MemoryLog is a Log in memory, bounded: it keeps the attempts of the
// latest MaxIncidents incidents, at most MaxAttempts each (the first and
// the latest), and MaxDeadLetters dead letters. It is safe for concurrent
// use.
type MemoryLog struct {
	// The bounds; zero fields mean 10,000 incidents, 100 attempts each,
	// and 10,000 dead letters.
	MaxIncidents, MaxAttempts, MaxDeadLetters int

	mu       sync.Mutex
	attempts map[incident.ID][]Attempt
	order    []incident.ID // incidents by first attempt, for eviction
	dead     []DeadLetter
}

var _ Log = (*MemoryLog)(nil)

// NewMemoryLog returns an empty MemoryLog with the default bounds.
func NewMemoryLog() *MemoryLog { return &MemoryLog{} }

func orDefault(n, d int) int {
	if n <= 0 {
		return d
	}
	return n
}

// Record adds an attempt.
func (l *MemoryLog) Record(_ context.Context, a Attempt) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.attempts == nil {
		l.attempts = map[incident.ID][]Attempt{}
	}
	list, ok := l.attempts[a.Incident]
	if !ok {
		l.order = append(l.order, a.Incident)
		if len(l.order) > orDefault(l.MaxIncidents, 10_000) {
			delete(l.attempts, l.order[0])
			l.order = slices.Delete(l.order, 0, 1)
		}
	}
	if limit := orDefault(l.MaxAttempts, 100); len(list) >= limit {
		// Keep the first attempt, drop the oldest after it.
		list = slices.Delete(list, 1, 2)
	}
	l.attempts[a.Incident] = append(list, a)
	return nil
}

// Attempts returns an incident's attempts, oldest first.
func (l *MemoryLog) Attempts(_ context.Context, id incident.ID) ([]Attempt, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.attempts[id]), nil
}

// Bury keeps a dead letter.
func (l *MemoryLog) Bury(_ context.Context, d DeadLetter) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.dead = slices.DeleteFunc(l.dead, func(x DeadLetter) bool {
		return x.Notification.Receiver == d.Notification.Receiver && x.Notification.Key == d.Notification.Key
	})
	l.dead = append(l.dead, d)
	if over := len(l.dead) - orDefault(l.MaxDeadLetters, 10_000); over > 0 {
		l.dead = slices.Delete(l.dead, 0, over)
	}
	return nil
}

// DeadLetters returns the dead letters, oldest first.
func (l *MemoryLog) DeadLetters(context.Context) ([]DeadLetter, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.dead), nil
}

// Exhume removes and returns a dead letter.
func (l *MemoryLog) Exhume(_ context.Context, receiver, key string) (DeadLetter, bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for i, d := range l.dead {
		if d.Notification.Receiver == receiver && d.Notification.Key == key {
			l.dead = slices.Delete(l.dead, i, i+1)
			return d, true, nil
		}
	}
	return DeadLetter{}, false, nil
}
