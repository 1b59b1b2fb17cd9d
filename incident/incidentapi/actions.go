package incidentapi

import (
	"context"
	"net/http"
	"strings"
	"time"
	"unicode"

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

// MaxNameBytes is the longest assignee or hand-over recipient accepted.
const MaxNameBytes = 256

// action is an endpoint POST /incidents/{id}/{name}, which makes a history
// entry of a kind.
type action struct {
	name string
	kind incident.EventKind
	// do decodes a body and acts on an incident; it returns the incident
	// as it became.
	do func(a *API, ctx context.Context, id incident.ID, actor string, body []byte) (*incident.Incident, error)
}

// withBody makes an action's do from a function of its decoded body.
func withBody[T any](f func(a *API, ctx context.Context, id incident.ID, actor string, req *T) (*incident.Incident, error)) func(*API, context.Context, incident.ID, string, []byte) (*incident.Incident, error) {
	return func(a *API, ctx context.Context, id incident.ID, actor string, body []byte) (*incident.Incident, error) {
		var req T
		if err := decode(body, &req); err != nil {
			return nil, err
		}
		return f(a, ctx, id, actor, &req)
	}
}

var actions = []action{
	{"acknowledge", incident.EventAcknowledged, withBody(func(a *API, ctx context.Context, id incident.ID, actor string, req *NoteRequest) (*incident.Incident, error) {
		return a.m.Acknowledge(ctx, id, actor, req.Note)
	})},
	{"unacknowledge", incident.EventUnacknowledged, withBody(func(a *API, ctx context.Context, id incident.ID, actor string, req *NoteRequest) (*incident.Incident, error) {
		return a.m.Unacknowledge(ctx, id, actor, req.Note)
	})},
	{"assign", incident.EventAssigned, withBody(func(a *API, ctx context.Context, id incident.ID, actor string, req *AssignRequest) (*incident.Incident, error) {
		assignee, err := name("assignee", req.Assignee)
		if err != nil {
			return nil, err
		}
		return a.m.Assign(ctx, id, actor, assignee)
	})},
	{"comment", incident.EventCommented, withBody(func(a *API, ctx context.Context, id incident.ID, actor string, req *CommentRequest) (*incident.Incident, error) {
		if strings.TrimSpace(req.Text) == "" {
			return nil, badRequest("text", "missing")
		}
		if err := a.m.Comment(ctx, id, actor, req.Text); err != nil {
			return nil, err
		}
		return a.m.Store().Get(ctx, id)
	})},
	{"snooze", incident.EventSnoozed, withBody(func(a *API, ctx context.Context, id incident.ID, actor string, req *SnoozeRequest) (*incident.Incident, error) {
		o, err := a.snoozeOptions(req)
		if err != nil {
			return nil, err
		}
		return a.m.Snooze(ctx, id, actor, o)
	})},
	{"wake", incident.EventWoke, withBody(func(a *API, ctx context.Context, id incident.ID, actor string, _ *EmptyRequest) (*incident.Incident, error) {
		return a.m.Wake(ctx, id, actor)
	})},
	{"handover", incident.EventHandedOver, withBody(func(a *API, ctx context.Context, id incident.ID, actor string, req *HandoverRequest) (*incident.Incident, error) {
		to, err := name("to", req.To)
		if err != nil {
			return nil, err
		}
		if to == actor {
			return nil, badRequest("to", "%q is you: hand over to someone else", to)
		}
		return a.m.Handover(ctx, id, actor, to, req.Note)
	})},
	{"accept", incident.EventHandoverAccepted, withBody(func(a *API, ctx context.Context, id incident.ID, actor string, _ *EmptyRequest) (*incident.Incident, error) {
		return a.m.AcceptHandover(ctx, id, actor)
	})},
	{"resolve", incident.EventResolved, withBody(func(a *API, ctx context.Context, id incident.ID, actor string, req *ResolveRequest) (*incident.Incident, error) {
		return a.m.Resolve(ctx, id, actor, req.Note, req.Force)
	})},
	{"close", incident.EventClosed, withBody(func(a *API, ctx context.Context, id incident.ID, actor string, req *NoteRequest) (*incident.Incident, error) {
		return a.m.Close(ctx, id, actor, req.Note)
	})},
	{"reopen", incident.EventReopened, withBody(func(a *API, ctx context.Context, id incident.ID, actor string, req *NoteRequest) (*incident.Incident, error) {
		return a.m.Reopen(ctx, id, actor, req.Note)
	})},
}

// act serves POST /incidents/{id}/{name}: it reads the body, acts, tells
// Options.Changed, and answers with the incident's detail.
func (a *API) act(w http.ResponseWriter, r *http.Request, actor string, act action) (any, error) {
	body, err := a.readBody(w, r)
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	inc, err := act.do(a, ctx, incident.ID(r.PathValue("id")), actor, body)
	if err != nil {
		return nil, err
	}
	// The detail is taken before the hook sees the incident, so that the
	// answer is the incident as the action left it.
	var d *Detail
	ms, err := a.m.Store().Members(ctx, inc.ID)
	if err == nil {
		d, err = a.describe(ctx, incident.View{Incident: inc, Members: ms, At: a.opts.Now()})
	}
	if a.opts.Changed != nil {
		a.opts.Changed(context.WithoutCancel(ctx), inc, act.kind)
	}
	if err != nil {
		return nil, err
	}
	return d, nil
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

// name checks the name of a person: not blank, not too long, and free of
// control characters. Surrounding spaces are trimmed.
func name(field, s string) (string, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return "", badRequest(field, "missing")
	case len(s) > MaxNameBytes:
		return "", badRequest(field, "longer than %d bytes", MaxNameBytes)
	case strings.ContainsFunc(s, unicode.IsControl):
		return "", badRequest(field, "contains control characters")
	}
	return s, nil
}
