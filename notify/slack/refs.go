package slack

import (
	"container/list"
	"context"
	"sync"

	"github.com/alertkit/alertkit/incident"
)

// Refs remembers where an incident's first message went: its timestamp
// ("ts") in a channel, which chat.update and thread replies name. A store
// shared by replicas, or one that survives restarts, keeps updates and
// threads working across them; the default forgets on restart, and the
// next notification of an incident it forgot posts a new message.
//
// A Refs must be safe for concurrent use.
type Refs interface {
	// Get returns the ts of the incident's message in channel, and false
	// if there is none.
	Get(ctx context.Context, incident incident.ID, channel string) (ts string, ok bool, err error)
	// Set remembers the ts of the incident's message in channel.
	Set(ctx context.Context, incident incident.ID, channel, ts string) error
}

// DefaultMaxRefs is how many messages NewMemoryRefs remembers by default.
const DefaultMaxRefs = 10000

// MemoryRefs is a Refs in memory that remembers at most a number of
// messages, forgetting the oldest set first. It may be used by many
// goroutines at once.
type MemoryRefs struct {
	mu    sync.Mutex
	max   int
	order *list.List // of *memoryRef, the oldest first
	refs  map[refKey]*list.Element
}

type refKey struct {
	incident incident.ID
	channel  string
}

type memoryRef struct {
	key refKey
	ts  string
}

var _ Refs = (*MemoryRefs)(nil)

// NewMemoryRefs returns a MemoryRefs that remembers at most max messages;
// max <= 0 means DefaultMaxRefs.
func NewMemoryRefs(max int) *MemoryRefs {
	if max <= 0 {
		max = DefaultMaxRefs
	}
	return &MemoryRefs{max: max, order: list.New(), refs: map[refKey]*list.Element{}}
}

// Get returns the ts of the incident's message in channel.
func (m *MemoryRefs) Get(_ context.Context, id incident.ID, channel string) (string, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if e, ok := m.refs[refKey{id, channel}]; ok {
		return e.Value.(*memoryRef).ts, true, nil
	}
	return "", false, nil
}

// Set remembers the ts of the incident's message in channel, as the
// newest; past the limit, the oldest is forgotten.
func (m *MemoryRefs) Set(_ context.Context, id incident.ID, channel, ts string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	key := refKey{id, channel}
	if e, ok := m.refs[key]; ok {
		e.Value.(*memoryRef).ts = ts
		m.order.MoveToBack(e)
		return nil
	}
	m.refs[key] = m.order.PushBack(&memoryRef{key: key, ts: ts})
	for m.order.Len() > m.max {
		oldest := m.order.Front()
		m.order.Remove(oldest)
		delete(m.refs, oldest.Value.(*memoryRef).key)
	}
	return nil
}

// Len returns how many messages are remembered.
func (m *MemoryRefs) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.order.Len()
}
