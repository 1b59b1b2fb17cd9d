package pipelinetest

import (
	"context"
	"errors"
	"sync"

	"github.com/prometheus/common/model"

	"github.com/alertkit/alertkit/incident"
	"github.com/alertkit/alertkit/notify"
)

// ErrInjected is the error of a write that Faults made fail.
var ErrInjected = errors.New("pipelinetest: injected store failure")

// Faults makes stores, and the delivery logs beside them, fail as a
// database does: down for a while (every call fails), failing the next few
// writes before they are made, or making the next few writes and losing
// the reply (the write is in the store, the caller sees an error, as when
// a connection drops after a commit). A zero Faults fails nothing. It is
// safe for concurrent use; one Faults may wrap the stores of every replica,
// which then fail together, as they share a database.
type Faults struct {
	mu          sync.Mutex
	down        bool
	failNext    int
	lostReplies int
	injected    int
}

// SetDown makes every call fail, reads too, until SetDown(false).
func (f *Faults) SetDown(down bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.down = down
}

// FailNext makes the next n writes fail without being made.
func (f *Faults) FailNext(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failNext += n
}

// LoseReplies makes the next n writes be made, and fail all the same.
func (f *Faults) LoseReplies(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lostReplies += n
}

// Injected returns how many calls Faults made fail.
func (f *Faults) Injected() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.injected
}

// read fails a read while the store is down.
func (f *Faults) read() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down {
		f.injected++
		return ErrInjected
	}
	return nil
}

// write runs a write as the faults say.
func (f *Faults) write(do func() error) error {
	f.mu.Lock()
	switch {
	case f.down:
		f.injected++
		f.mu.Unlock()
		return ErrInjected
	case f.failNext > 0:
		f.failNext--
		f.injected++
		f.mu.Unlock()
		return ErrInjected
	}
	lose := f.lostReplies > 0
	if lose {
		f.lostReplies--
		f.injected++
	}
	f.mu.Unlock()
	if err := do(); err != nil || !lose {
		return err
	}
	return ErrInjected
}

// Store returns s failing as f says.
func (f *Faults) Store(s incident.Store) incident.Store { return &faultyStore{f: f, s: s} }

// Log returns l failing as f says.
func (f *Faults) Log(l notify.Log) notify.Log { return &faultyLog{f: f, l: l} }

type faultyStore struct {
	f *Faults
	s incident.Store
}

var _ incident.Store = (*faultyStore)(nil)

func (s *faultyStore) Create(ctx context.Context, inc *incident.Incident, w incident.Write) error {
	return s.f.write(func() error { return s.s.Create(ctx, inc, w) })
}

func (s *faultyStore) Get(ctx context.Context, id incident.ID) (*incident.Incident, error) {
	if err := s.f.read(); err != nil {
		return nil, err
	}
	return s.s.Get(ctx, id)
}

func (s *faultyStore) Update(ctx context.Context, inc *incident.Incident, w incident.Write) error {
	return s.f.write(func() error { return s.s.Update(ctx, inc, w) })
}

func (s *faultyStore) LatestByGroup(ctx context.Context, groupKey string) (*incident.Incident, error) {
	if err := s.f.read(); err != nil {
		return nil, err
	}
	return s.s.LatestByGroup(ctx, groupKey)
}

func (s *faultyStore) Member(ctx context.Context, id incident.ID, fp model.Fingerprint) (*incident.Member, error) {
	if err := s.f.read(); err != nil {
		return nil, err
	}
	return s.s.Member(ctx, id, fp)
}

func (s *faultyStore) Members(ctx context.Context, id incident.ID) ([]incident.Member, error) {
	if err := s.f.read(); err != nil {
		return nil, err
	}
	return s.s.Members(ctx, id)
}

func (s *faultyStore) AppendHistory(ctx context.Context, id incident.ID, events ...incident.Event) error {
	return s.f.write(func() error { return s.s.AppendHistory(ctx, id, events...) })
}

func (s *faultyStore) History(ctx context.Context, id incident.ID) ([]incident.Event, error) {
	if err := s.f.read(); err != nil {
		return nil, err
	}
	return s.s.History(ctx, id)
}

func (s *faultyStore) HistoryPage(ctx context.Context, id incident.ID, q incident.HistoryQuery) ([]incident.Event, error) {
	if err := s.f.read(); err != nil {
		return nil, err
	}
	return s.s.HistoryPage(ctx, id, q)
}

func (s *faultyStore) Search(ctx context.Context, filter incident.Filter) ([]*incident.Incident, error) {
	if err := s.f.read(); err != nil {
		return nil, err
	}
	return s.s.Search(ctx, filter)
}

func (s *faultyStore) Count(ctx context.Context, filter incident.Filter) (int, error) {
	if err := s.f.read(); err != nil {
		return 0, err
	}
	return s.s.Count(ctx, filter)
}

func (s *faultyStore) SetTimer(ctx context.Context, t incident.Timer) error {
	return s.f.write(func() error { return s.s.SetTimer(ctx, t) })
}

func (s *faultyStore) CancelTimer(ctx context.Context, key string) error {
	return s.f.write(func() error { return s.s.CancelTimer(ctx, key) })
}

func (s *faultyStore) ClaimTimers(ctx context.Context, c incident.Claim) ([]incident.Timer, error) {
	var timers []incident.Timer
	err := s.f.write(func() error {
		var err error
		timers, err = s.s.ClaimTimers(ctx, c)
		return err
	})
	if err != nil {
		return nil, err
	}
	return timers, nil
}

func (s *faultyStore) CompleteTimer(ctx context.Context, t incident.Timer) error {
	return s.f.write(func() error { return s.s.CompleteTimer(ctx, t) })
}

type faultyLog struct {
	f *Faults
	l notify.Log
}

var _ notify.Log = (*faultyLog)(nil)

func (l *faultyLog) Record(ctx context.Context, a notify.Attempt) error {
	return l.f.write(func() error { return l.l.Record(ctx, a) })
}

func (l *faultyLog) Attempts(ctx context.Context, id incident.ID) ([]notify.Attempt, error) {
	if err := l.f.read(); err != nil {
		return nil, err
	}
	return l.l.Attempts(ctx, id)
}

func (l *faultyLog) Bury(ctx context.Context, d notify.DeadLetter) error {
	return l.f.write(func() error { return l.l.Bury(ctx, d) })
}

func (l *faultyLog) DeadLetters(ctx context.Context) ([]notify.DeadLetter, error) {
	if err := l.f.read(); err != nil {
		return nil, err
	}
	return l.l.DeadLetters(ctx)
}

func (l *faultyLog) Exhume(ctx context.Context, receiver, key string) (notify.DeadLetter, bool, error) {
	var d notify.DeadLetter
	var ok bool
	err := l.f.write(func() error {
		var err error
		d, ok, err = l.l.Exhume(ctx, receiver, key)
		return err
	})
	return d, ok, err
}
