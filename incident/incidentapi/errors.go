package incidentapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/alertkit/alertkit/incident"
	"github.com/alertkit/alertkit/mql"
)

// ErrorBody is the body of every error response.
type ErrorBody struct {
	// Error says what was wrong, beginning with the field at fault, if
	// one was: "assignee: missing".
	Error string `json:"error"`
	// Field names the body's field, or the query parameter, at fault.
	Field string `json:"field,omitempty"`
	// Position is where a search query goes wrong.
	Position *Position `json:"position,omitempty"`
}

// Position is a place in a search query: a byte offset from 0, and a line
// and a column (in characters) from 1.
type Position struct {
	Offset int `json:"offset"`
	Line   int `json:"line"`
	Column int `json:"column"`
}

// apiError is a refusal that the API makes itself, with its status and
// body.
type apiError struct {
	status int
	body   ErrorBody
	err    error // the error it tells of, if any
}

func (e *apiError) Error() string { return e.body.Error }

func (e *apiError) Unwrap() error { return e.err }

// badRequest is a 400 naming the field at fault ("" for none).
func badRequest(field, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if field != "" {
		msg = field + ": " + msg
	}
	return &apiError{status: http.StatusBadRequest, body: ErrorBody{Error: msg, Field: field}}
}

// queryError is the 400 of a search query that does not parse.
func queryError(err error) error {
	var pe *mql.ParseError
	if !errors.As(err, &pe) {
		return badRequest("q", "%v", err)
	}
	return &apiError{status: http.StatusBadRequest, body: ErrorBody{
		Error:    "q: " + pe.Error(),
		Field:    "q",
		Position: &Position{Offset: pe.Pos.Offset, Line: pe.Pos.Line, Column: pe.Pos.Column},
	}}
}

// classify maps an error to its status and the body the client sees. Only
// the API's own refusals and the Manager's errors about the request are
// shown; anything else is an internal error, whose text stays in the log.
func classify(r *http.Request, err error) (int, *ErrorBody) {
	id := r.PathValue("id")
	var ae *apiError
	var te *incident.TransitionError
	switch {
	case errors.As(err, &ae):
		return ae.status, &ae.body
	case errors.Is(err, incident.ErrNotFound):
		return http.StatusNotFound, &ErrorBody{Error: "incident " + id + " not found"}
	case errors.As(err, &te):
		return http.StatusConflict, &ErrorBody{Error: te.Error()}
	case errors.Is(err, incident.ErrConflict):
		return http.StatusConflict, &ErrorBody{Error: "incident " + id + " changed while it was being updated; try again"}
	case errors.Is(err, incident.ErrGroupActive):
		return http.StatusConflict, &ErrorBody{Error: "incident " + id + " cannot reopen: its group has opened another incident since"}
	case errors.Is(err, incident.ErrAlertsActive), errors.Is(err, incident.ErrNotOwner), errors.Is(err, incident.ErrNoHandover):
		return http.StatusConflict, &ErrorBody{Error: err.Error()}
	case errors.Is(err, incident.ErrInvalid):
		return http.StatusBadRequest, &ErrorBody{Error: err.Error()}
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return http.StatusServiceUnavailable, &ErrorBody{Error: "request cancelled or timed out"}
	}
	return http.StatusInternalServerError, &ErrorBody{Error: "internal error"}
}

// fail answers a request with the error of its handler.
func (a *API) fail(w http.ResponseWriter, r *http.Request, actor string, err error) {
	status, body := classify(r, err)
	level := slog.LevelDebug
	if status == http.StatusInternalServerError {
		level = slog.LevelError
	}
	a.log(r, level, actor, status, err)
	a.writeJSON(w, r, status, body)
}

// refuse answers a request that reached no endpoint.
func (a *API) refuse(w http.ResponseWriter, r *http.Request, body *ErrorBody, status int) {
	a.log(r, slog.LevelDebug, "", status, errors.New(body.Error))
	a.writeJSON(w, r, status, body)
}

func (a *API) log(r *http.Request, level slog.Level, actor string, status int, err error) {
	a.opts.Logger.LogAttrs(r.Context(), level, "incidentapi: request failed",
		slog.String("method", r.Method),
		slog.String("path", r.URL.Path),
		slog.String("actor", actor),
		slog.Int("status", status),
		slog.String("error", err.Error()))
}

// writeJSON writes a response: v as JSON, and a newline; for HEAD, the
// headers only.
func (a *API) writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		a.log(r, slog.LevelError, "", status, fmt.Errorf("encoding the response: %w", err))
		status, b = http.StatusInternalServerError, []byte(`{"error":"internal error"}`)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(append(b, '\n'))
	}
}
