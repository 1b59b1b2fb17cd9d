package incident

import (
	"errors"
	"fmt"
)

// Errors a caller branches on, with errors.Is. Stores and the Manager
// return them wrapped, or as the typed errors below.
var (
	// ErrNotFound: no such incident, member or timer.
	ErrNotFound = errors.New("incident: not found")
	// ErrConflict: the incident changed since it was read; read it again.
	ErrConflict = errors.New("incident: version conflict")
	// ErrGroupActive: the group already has an active incident.
	ErrGroupActive = errors.New("incident: the group already has an active incident")
	// ErrExists: an incident with that ID exists.
	ErrExists = errors.New("incident: exists")
	// ErrLeaseLost: a timer was claimed by another worker, rescheduled or
	// cancelled since this worker claimed it.
	ErrLeaseLost = errors.New("incident: timer lease lost")

	// ErrTransition: the operation does not apply in the incident's status;
	// the error is a *TransitionError.
	ErrTransition = errors.New("incident: invalid transition")
	// ErrAlertsActive: Resolve was refused because alerts still fire.
	ErrAlertsActive = errors.New("incident: alerts are still active")
	// ErrNotOwner: a hand-over from someone who does not own the incident.
	ErrNotOwner = errors.New("incident: not the owner")
	// ErrNoHandover: nothing to accept, or not for this person.
	ErrNoHandover = errors.New("incident: no hand-over to accept")
	// ErrInvalid: an argument is wrong (an empty comment, a snooze without a
	// duration).
	ErrInvalid = errors.New("incident: invalid request")
)

// ConflictError is the ErrConflict of an update whose version is stale.
type ConflictError struct {
	ID ID
	// Have is the version the update was based on; Stored the one in the
	// store.
	Have, Stored int64
}

// Error says which versions clashed.
func (e *ConflictError) Error() string {
	return fmt.Sprintf("incident %s: version conflict: updating version %d, the store has %d", e.ID, e.Have, e.Stored)
}

// Is makes errors.Is(err, ErrConflict) true.
func (e *ConflictError) Is(target error) bool { return target == ErrConflict }

// TransitionError is an operation refused in the incident's status; it
// names the transition it would have made.
type TransitionError struct {
	ID       ID
	Op       string
	From, To Status
}

// Error says which transition is not allowed.
func (e *TransitionError) Error() string {
	return fmt.Sprintf("incident %s: cannot %s: %s → %s is not allowed", e.ID, e.Op, e.From, e.To)
}

// Is makes errors.Is(err, ErrTransition) true.
func (e *TransitionError) Is(target error) bool { return target == ErrTransition }
