package incident

import (
	"context"
	"time"

	"github.com/prometheus/common/model"

	"github.com/alertkit/alertkit/mql"
)

// Write is what an update writes besides the incident itself, atomically
// with it: members to insert or replace (by fingerprint), history to
// append, and timers to set or cancel.
type Write struct {
	Members []Member
	Events  []Event
	Timers  []Timer
	Cancel  []string // keys of timers to cancel
}

// Timer is work due at a time — waking a snoozed incident, resolving one
// after a quiet period, and, for other packages, escalation steps, digests
// and heartbeat deadlines. Timers live in the Store, so that several
// replicas share them: a worker claims due timers with a lease, does the
// work and completes them; if it dies, the lease expires and another worker
// claims them. A timer may therefore run more than once; handlers are
// written to be repeated.
type Timer struct {
	// Key identifies the timer: setting a timer of an existing key
	// reschedules it.
	Key string
	// Kind says which handler runs it: "wake", "resolve", "escalate", …
	Kind     string
	Incident ID
	Due      time.Time
	// Data is for the handler.
	Data string

	// Owner and LeaseUntil are set by ClaimTimers; Attempts counts claims.
	Owner      string
	LeaseUntil time.Time
	Attempts   int
}

// Claim says which due timers a worker takes.
type Claim struct {
	// Now is the time: timers due at or before it, not leased or with an
	// expired lease, are claimed.
	Now time.Time
	// Owner names the worker; Lease is how long the claim holds.
	Owner string
	Lease time.Duration
	// Limit caps the number claimed; 0 means 100.
	Limit int
	// Kinds restricts the claim to timers of these kinds; empty means any.
	Kinds []string
	// Skip lists key prefixes the claim leaves alone: a timer whose key
	// starts with any of them is not claimed, however due. A worker that
	// has no room for some timers' work (a receiver whose attempts are all
	// under way) skips them, so that the claim reaches the others and they
	// stay free for other workers. The prefixes are plain text: no
	// character is special.
	Skip []string
}

// Filter selects incidents for Search and Count. The zero Filter selects
// every incident.
type Filter struct {
	// Query selects by MQL; nil selects all.
	Query *mql.Query
	// At is the time of the query, for the age field; zero means now.
	At time.Time
	// CreatedFrom and CreatedTo bound the creation time, From inclusive and
	// To exclusive; zero means unbounded.
	CreatedFrom, CreatedTo time.Time
	// Signature, when set, selects incidents similar to one with this
	// Signature.
	Signature string
	// Before, when set, selects incidents older than this ID, to page
	// through results.
	Before ID
	// Limit caps Search's results, newest first; 0 means 100, negative
	// means no limit.
	Limit int
}

// Store keeps incidents, their members, their history and timers. The
// memory store is in this package; a PostgreSQL one shares state between
// replicas. Every Store passes incident/storetest.
//
// A Store may be used by many goroutines at once. It returns copies: what
// a caller changes is stored only through Update.
type Store interface {
	// Create stores a new incident and writes w with it. It fails with
	// ErrExists for a known ID, and with ErrGroupActive if the incident is
	// active and its group already has an active incident.
	Create(ctx context.Context, inc *Incident, w Write) error
	// Get returns an incident.
	Get(ctx context.Context, id ID) (*Incident, error)
	// Update replaces an incident and writes w, if inc.Version is the
	// stored version; it then increments inc.Version. Otherwise it fails
	// with a *ConflictError. Reactivating an incident whose group has
	// another active incident fails with ErrGroupActive.
	Update(ctx context.Context, inc *Incident, w Write) error
	// LatestByGroup returns the newest incident of a group.
	LatestByGroup(ctx context.Context, groupKey string) (*Incident, error)
	// Member returns one member of an incident.
	Member(ctx context.Context, id ID, fp model.Fingerprint) (*Member, error)
	// Members returns the members of an incident, in the order they joined.
	Members(ctx context.Context, id ID) ([]Member, error)
	// AppendHistory appends to an incident's history without changing it.
	AppendHistory(ctx context.Context, id ID, events ...Event) error
	// History returns an incident's history, oldest first.
	History(ctx context.Context, id ID) ([]Event, error)
	// HistoryPage returns a page of an incident's history, oldest first:
	// the newest q.Limit entries before q.Before.
	HistoryPage(ctx context.Context, id ID, q HistoryQuery) ([]Event, error)
	// Search returns the incidents a filter selects, newest first.
	Search(ctx context.Context, f Filter) ([]*Incident, error)
	// Count returns how many incidents a filter selects, ignoring Limit.
	Count(ctx context.Context, f Filter) (int, error)

	// SetTimer creates or reschedules a timer, dropping any claim on it.
	SetTimer(ctx context.Context, t Timer) error
	// CancelTimer removes a timer; cancelling an unknown key is not an error.
	CancelTimer(ctx context.Context, key string) error
	// ClaimTimers leases due timers to a worker, earliest first.
	ClaimTimers(ctx context.Context, c Claim) ([]Timer, error)
	// CompleteTimer removes a claimed timer, if the worker's lease still
	// holds; otherwise it fails with ErrLeaseLost.
	CompleteTimer(ctx context.Context, t Timer) error
}
