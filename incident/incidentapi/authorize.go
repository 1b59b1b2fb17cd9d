package incidentapi

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/alertkit/alertkit/incident"
)

// ErrForbidden is the error of an action the actor may not take. An
// Options.Authorize hook wraps it to refuse, with the reason the client
// reads: fmt.Errorf("%w: only the owner may snooze", ErrForbidden). It is
// answered 403.
var ErrForbidden = errors.New("forbidden")

// Action is what a person does to an incident through the API: the last
// element of the path POST /incidents/{id}/{action}.
type Action string

// The actions of the API.
const (
	ActionAcknowledge   Action = "acknowledge"
	ActionUnacknowledge Action = "unacknowledge"
	ActionAssign        Action = "assign"
	ActionComment       Action = "comment"
	ActionSnooze        Action = "snooze"
	ActionWake          Action = "wake"
	ActionHandover      Action = "handover"
	ActionAccept        Action = "accept"
	ActionResolve       Action = "resolve"
	ActionClose         Action = "close"
	ActionReopen        Action = "reopen"
)

// Request is an action an actor asks to take, as Options.Authorize sees it.
type Request struct {
	// Actor is who asks, as Options.Authenticate named them.
	Actor  string
	Action Action
	// Incident is the incident as it stands before the action.
	Incident *incident.Incident
	// Assignee is the new owner of an assign, and the recipient of a
	// handover; empty for the other actions.
	Assignee string
	// Force is set for a resolve that overrides the incident's active
	// alerts.
	Force bool
}

// Role is a power the host grants people beyond answering for their own
// incidents.
type Role string

// RoleIncidentCommander may take every action on every incident:
// reassign someone else's incident, resolve by force and close, besides
// what responders do.
const RoleIncidentCommander Role = "incident-commander"

// Responders are who answer for an incident besides its owner: the people
// on call for it, and its teams.
type Responders struct {
	People []string
	Teams  []string
}

// Policy is the default authorization, which a host can use as it is and
// feed from its directory and on-call schedules:
//
//   - anyone authenticated may comment and acknowledge;
//   - an incident's responders — its owner, the people Responders names
//     (its escalation's on-call), and the members (TeamsOf) of its team and
//     of the teams Responders names — may unacknowledge, snooze, wake,
//     resolve, reopen, hand it over, take it if nobody owns it, and give it
//     away if they own it;
//   - reassigning an incident someone else owns, resolving by force and
//     closing need RoleIncidentCommander, which may do everything;
//   - accept is left to the Manager, which takes it only from the
//     hand-over's recipient.
//
// Teams count only with TeamsOf, which tells their members. An incident
// nobody answers for — no owner, no responders, no team whose members are
// known — would be out of everyone's reach: every actor is its responder,
// and the first to take it becomes its owner. With every hook nil, then,
// an incident's owner acts on it, and anyone on an incident nobody owns. A Policy may be used by many goroutines at once if its
// hooks may.
type Policy struct {
	// Responders returns the people and teams answering for an incident
	// besides its owner and team, such as the on-call of the layers its
	// escalation pages (escalate.Escalator.Responders gives them). Nil
	// means none.
	Responders func(ctx context.Context, inc *incident.Incident) (Responders, error)
	// TeamsOf returns the teams an actor belongs to. Nil means none.
	TeamsOf func(ctx context.Context, actor string) ([]string, error)
	// Roles returns the roles granted to an actor. Nil means none.
	Roles func(ctx context.Context, actor string) ([]Role, error)
}

// Authorize says whether req may be taken: nil, an error wrapping
// ErrForbidden with the reason, or the error of a hook.
func (p *Policy) Authorize(ctx context.Context, req *Request) error {
	switch req.Action {
	case ActionComment, ActionAcknowledge, ActionAccept:
		return nil
	}
	if p.Roles != nil {
		roles, err := p.Roles(ctx, req.Actor)
		if err != nil {
			return fmt.Errorf("roles of %s: %w", req.Actor, err)
		}
		if slices.Contains(roles, RoleIncidentCommander) {
			return nil
		}
	}
	inc := req.Incident
	switch {
	case req.Action == ActionResolve && req.Force:
		return forbidden("resolving by force needs the %s role", RoleIncidentCommander)
	case req.Action == ActionClose:
		return forbidden("closing needs the %s role", RoleIncidentCommander)
	case req.Action == ActionAssign && inc.Owner != "" && inc.Owner != req.Actor:
		return forbidden("%s owns incident %s: reassigning it needs the %s role", inc.Owner, inc.ID, RoleIncidentCommander)
	}
	ok, err := p.responder(ctx, req.Actor, inc)
	if err != nil {
		return err
	}
	if !ok {
		return forbidden("%s does not answer for incident %s: its owner, its on-call and its team do", req.Actor, inc.ID)
	}
	return nil
}

// responder says whether actor answers for inc.
func (p *Policy) responder(ctx context.Context, actor string, inc *incident.Incident) (bool, error) {
	if inc.Owner == actor {
		return true, nil
	}
	var rs Responders
	if p.Responders != nil {
		var err error
		if rs, err = p.Responders(ctx, inc); err != nil {
			return false, fmt.Errorf("responders of incident %s: %w", inc.ID, err)
		}
	}
	if slices.Contains(rs.People, actor) {
		return true, nil
	}
	// Teams count only when the policy can tell their members.
	var teams []string
	if p.TeamsOf != nil {
		teams = rs.Teams
		if inc.Team != "" {
			teams = append(slices.Clip(teams), inc.Team)
		}
	}
	if inc.Owner == "" && len(rs.People) == 0 && len(teams) == 0 {
		return true, nil // nobody answers for it: anyone may
	}
	if len(teams) == 0 {
		return false, nil
	}
	mine, err := p.TeamsOf(ctx, actor)
	if err != nil {
		return false, fmt.Errorf("teams of %s: %w", actor, err)
	}
	for _, t := range mine {
		if slices.Contains(teams, t) {
			return true, nil
		}
	}
	return false, nil
}

func forbidden(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrForbidden, fmt.Sprintf(format, args...))
}

// MaxNameBytes is the longest name accepted: of an actor, an assignee or a
// hand-over's recipient.
const MaxNameBytes = 256

// systemActors are the names alertkit writes in histories itself, which no
// person may go by: the Manager's default actor, the escalation and
// notification stages, and the anonymous actor.
var systemActors = []string{incident.DefaultActor, "escalator", "notify", AnonymousActor}

// checkName checks the name of a person: not blank, at most MaxNameBytes,
// UTF-8 of printable characters only (no control or format characters,
// which include the bidirectional controls that make a name read as
// another), without surrounding spaces, and not one of reserved, in any
// case. The error says which rule it breaks.
func checkName(s string, reserved []string) error {
	switch {
	case s == "":
		return errors.New("missing")
	case len(s) > MaxNameBytes:
		return fmt.Errorf("longer than %d bytes", MaxNameBytes)
	case !utf8.ValidString(s):
		return errors.New("not valid UTF-8")
	case strings.TrimSpace(s) != s:
		return errors.New("begins or ends with a space")
	}
	for i, r := range s {
		switch {
		case unicode.Is(unicode.Cf, r):
			return fmt.Errorf("contains the format character %U at byte %d (bidirectional controls and invisible characters are refused)", r, i)
		case !unicode.IsPrint(r) && r != ' ':
			return fmt.Errorf("contains the unprintable character %U at byte %d", r, i)
		}
	}
	for _, name := range reserved {
		if strings.EqualFold(s, name) {
			return fmt.Errorf("%q is a name alertkit writes itself", s)
		}
	}
	return nil
}

// reserved returns the names no person may use with this API.
func (a *API) reserved() []string {
	names := append(slices.Clone(systemActors), a.m.Actor())
	return append(names, a.opts.ReservedActors...)
}
