package incidentapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/prometheus/common/model"

	"github.com/alertkit/alertkit/incident"
)

// NoteRequest is the body of acknowledge, unacknowledge, close and reopen:
// an optional note for the history.
type NoteRequest struct {
	Note string `json:"note,omitempty"`
}

// AssignRequest is the body of assign: the new owner.
type AssignRequest struct {
	Assignee string `json:"assignee"`
}

// CommentRequest is the body of comment.
type CommentRequest struct {
	Text string `json:"text"`
}

// SnoozeRequest is the body of snooze: exactly one of For (a duration:
// "30m", "1h", "1d", "1h30m"), Until (an RFC 3339 time in the future) and
// Forever.
type SnoozeRequest struct {
	For     string `json:"for,omitempty"`
	Until   string `json:"until,omitempty"`
	Forever bool   `json:"forever,omitempty"`
	// ResolveIfOK closes the incident if all its alerts resolve while it
	// is snoozed.
	ResolveIfOK bool   `json:"resolve_if_ok,omitempty"`
	Comment     string `json:"comment,omitempty"`
}

// HandoverRequest is the body of handover: the actor, who owns the
// incident, passes it to To.
type HandoverRequest struct {
	To   string `json:"to"`
	Note string `json:"note,omitempty"`
}

// ResolveRequest is the body of resolve. Force resolves the incident even
// while some of its alerts still fire.
type ResolveRequest struct {
	Note  string `json:"note,omitempty"`
	Force bool   `json:"force,omitempty"`
}

// EmptyRequest is the body of wake and accept: nothing, or {}.
type EmptyRequest struct{}

// MaxTextBytes is the longest comment or note accepted.
const MaxTextBytes = 16 << 10

// action is an endpoint POST /incidents/{id}/{name}, which makes a history
// entry of a kind.
type action struct {
	name Action
	kind incident.EventKind
	// do decodes a body, has the action authorized and takes it; it
	// returns the incident as it became.
	do func(a *API, ctx context.Context, r *Request, body []byte) (*incident.Incident, error)
}

// body is a request body: check validates it, and fills in what
// authorization needs from it.
type body interface {
	check(a *API, r *Request) error
}

// withBody makes an action's do from a function of its decoded body.
func withBody[T any, P interface {
	*T
	body
}](f func(a *API, ctx context.Context, r *Request, req P) (*incident.Incident, error)) func(*API, context.Context, *Request, []byte) (*incident.Incident, error) {
	return func(a *API, ctx context.Context, r *Request, b []byte) (*incident.Incident, error) {
		req := P(new(T))
		if err := decode(b, req); err != nil {
			return nil, err
		}
		if err := req.check(a, r); err != nil {
			return nil, err
		}
		if err := a.authorize(ctx, r); err != nil {
			return nil, err
		}
		return f(a, ctx, r, req)
	}
}

// authorize reads the incident and asks Options.Authorize.
func (a *API) authorize(ctx context.Context, r *Request) error {
	inc, err := a.m.Store().Get(ctx, r.Incident.ID)
	if err != nil {
		return err
	}
	r.Incident = inc
	if err := a.opts.Authorize(ctx, r); err != nil {
		if errors.Is(err, ErrForbidden) {
			return &apiError{status: http.StatusForbidden, body: ErrorBody{Error: err.Error()}, err: err}
		}
		return fmt.Errorf("authorizing %s of incident %s by %s: %w", r.Action, inc.ID, r.Actor, err)
	}
	return nil
}

func (req *NoteRequest) check(*API, *Request) error { return text("note", req.Note) }

func (req *AssignRequest) check(a *API, r *Request) (err error) {
	r.Assignee, err = a.name("assignee", req.Assignee)
	return err
}

func (req *CommentRequest) check(*API, *Request) error {
	if strings.TrimSpace(req.Text) == "" {
		return badRequest("text", "missing")
	}
	return text("text", req.Text)
}

func (req *SnoozeRequest) check(*API, *Request) error { return text("comment", req.Comment) }

func (*EmptyRequest) check(*API, *Request) error { return nil }

func (req *HandoverRequest) check(a *API, r *Request) (err error) {
	if r.Assignee, err = a.name("to", req.To); err != nil {
		return err
	}
	if r.Assignee == r.Actor {
		return badRequest("to", "%q is you: hand over to someone else", r.Assignee)
	}
	return text("note", req.Note)
}

func (req *ResolveRequest) check(_ *API, r *Request) error {
	r.Force = req.Force
	return text("note", req.Note)
}

var actions = []action{
	{ActionAcknowledge, incident.EventAcknowledged, withBody(func(a *API, ctx context.Context, r *Request, req *NoteRequest) (*incident.Incident, error) {
		return a.m.Acknowledge(ctx, r.Incident.ID, r.Actor, req.Note)
	})},
	{ActionUnacknowledge, incident.EventUnacknowledged, withBody(func(a *API, ctx context.Context, r *Request, req *NoteRequest) (*incident.Incident, error) {
		return a.m.Unacknowledge(ctx, r.Incident.ID, r.Actor, req.Note)
	})},
	{ActionAssign, incident.EventAssigned, withBody(func(a *API, ctx context.Context, r *Request, _ *AssignRequest) (*incident.Incident, error) {
		return a.m.Assign(ctx, r.Incident.ID, r.Actor, r.Assignee)
	})},
	{ActionComment, incident.EventCommented, withBody(func(a *API, ctx context.Context, r *Request, req *CommentRequest) (*incident.Incident, error) {
		if err := a.m.Comment(ctx, r.Incident.ID, r.Actor, req.Text); err != nil {
			return nil, err
		}
		return a.m.Store().Get(ctx, r.Incident.ID)
	})},
	{ActionSnooze, incident.EventSnoozed, withBody(func(a *API, ctx context.Context, r *Request, req *SnoozeRequest) (*incident.Incident, error) {
		o, err := a.snoozeOptions(req)
		if err != nil {
			return nil, err
		}
		return a.m.Snooze(ctx, r.Incident.ID, r.Actor, o)
	})},
	{ActionWake, incident.EventWoke, withBody(func(a *API, ctx context.Context, r *Request, _ *EmptyRequest) (*incident.Incident, error) {
		return a.m.Wake(ctx, r.Incident.ID, r.Actor)
	})},
	{ActionHandover, incident.EventHandedOver, withBody(func(a *API, ctx context.Context, r *Request, req *HandoverRequest) (*incident.Incident, error) {
		return a.m.Handover(ctx, r.Incident.ID, r.Actor, incident.HandoverOptions{To: r.Assignee, Note: req.Note})
	})},
	{ActionAccept, incident.EventHandoverAccepted, withBody(func(a *API, ctx context.Context, r *Request, _ *EmptyRequest) (*incident.Incident, error) {
		return a.m.AcceptHandover(ctx, r.Incident.ID, r.Actor)
	})},
	{ActionResolve, incident.EventResolved, withBody(func(a *API, ctx context.Context, r *Request, req *ResolveRequest) (*incident.Incident, error) {
		return a.m.Resolve(ctx, r.Incident.ID, r.Actor, incident.ResolveOptions{Note: req.Note, Force: req.Force})
	})},
	{ActionClose, incident.EventClosed, withBody(func(a *API, ctx context.Context, r *Request, req *NoteRequest) (*incident.Incident, error) {
		return a.m.Close(ctx, r.Incident.ID, r.Actor, req.Note)
	})},
	{ActionReopen, incident.EventReopened, withBody(func(a *API, ctx context.Context, r *Request, req *NoteRequest) (*incident.Incident, error) {
		return a.m.Reopen(ctx, r.Incident.ID, r.Actor, req.Note)
	})},
}

// act serves POST /incidents/{id}/{name}: it reads the body, acts, tells
// Options.Changed, and answers with the incident as it became — not its
// detail, whose history may be long: GET /incidents/{id} and
// /incidents/{id}/history read that.
func (a *API) act(w http.ResponseWriter, r *http.Request, actor string, act action) (any, error) {
	n := min(r.ContentLength, a.opts.MaxBody)
	if n < 0 {
		n = a.opts.MaxBody // unknown: as much as it may be
	}
	if !a.opts.Budget.TryReserve(n) {
		w.Header().Set("Retry-After", "1")
		return nil, &apiError{status: http.StatusServiceUnavailable, body: ErrorBody{Error: "busy: the request bodies in flight fill the server's budget; retry later"}}
	}
	defer a.opts.Budget.Release(n)
	body, err := a.readBody(w, r)
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	req := &Request{Actor: actor, Action: act.name, Incident: &incident.Incident{ID: incident.ID(r.PathValue("id"))}}
	inc, err := act.do(a, ctx, req, body)
	if err != nil {
		return nil, err
	}
	if a.opts.Changed != nil {
		a.opts.Changed(context.WithoutCancel(ctx), inc, act.kind)
	}
	return a.incident(inc), nil
}

// snoozeOptions checks a snooze's body.
func (a *API) snoozeOptions(req *SnoozeRequest) (incident.SnoozeOptions, error) {
	o := incident.SnoozeOptions{Forever: req.Forever, ResolveIfOK: req.ResolveIfOK, Comment: req.Comment}
	given := 0
	for _, set := range []bool{req.For != "", req.Until != "", req.Forever} {
		if set {
			given++
		}
	}
	if given != 1 {
		return o, badRequest("", "snooze for a duration, until a time, or forever: give exactly one of for, until and forever")
	}
	switch {
	case req.For != "":
		d, err := parseDuration(req.For)
		if err != nil {
			return o, badRequest("for", "want a duration such as 30m, 1h or 1d, got %q", req.For)
		}
		if d <= 0 {
			return o, badRequest("for", "want a positive duration, got %q", req.For)
		}
		o.For = d
	case req.Until != "":
		t, err := time.Parse(time.RFC3339, req.Until)
		if err != nil || t.UTC().Year() > 9999 {
			return o, badRequest("until", "want an RFC 3339 time such as 2026-11-23T18:00:00Z, got %q", req.Until)
		}
		if !t.After(a.opts.Now()) {
			return o, badRequest("until", "%s is not in the future", req.Until)
		}
		o.Until = t
	}
	return o, nil
}

// parseDuration reads a duration as Prometheus writes them ("1h30m", "1d",
// "1w"), or as Go does ("1.5h").
func parseDuration(s string) (time.Duration, error) {
	if d, err := model.ParseDuration(s); err == nil {
		return time.Duration(d), nil
	}
	return time.ParseDuration(s)
}

// name checks the name of a person given in a body's field: see
// checkName. Surrounding spaces are trimmed.
func (a *API) name(field, s string) (string, error) {
	s = strings.TrimSpace(s)
	if err := checkName(s, a.reserved()); err != nil {
		return "", badRequest(field, "%v", err)
	}
	return s, nil
}

// text checks a comment or a note: at most MaxTextBytes, of UTF-8.
func text(field, s string) error {
	switch {
	case len(s) > MaxTextBytes:
		return badRequest(field, "%d bytes is longer than the limit of %d", len(s), MaxTextBytes)
	case !utf8.ValidString(s):
		return badRequest(field, "not valid UTF-8")
	}
	return nil
}
