package incidentapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"path"
	"time"

	"github.com/alertkit/alertkit/alert"
	"github.com/alertkit/alertkit/incident"
	"github.com/alertkit/alertkit/mql"
	"github.com/alertkit/alertkit/notify"
	"github.com/alertkit/alertkit/route"
)

// AnonymousActor is the actor of every request when Options.AllowAnonymous
// is set and Options.Authenticate is not.
const AnonymousActor = "api"

// DefaultMaxBody is the largest request body accepted when Options.MaxBody
// is zero: 64 KiB.
const DefaultMaxBody = 64 << 10

// DefaultChallenge is the WWW-Authenticate header of a 401 when
// Options.Challenge is empty.
const DefaultChallenge = `Bearer realm="alertkit"`

// Options configure an API. Authenticate, or AllowAnonymous, is required;
// every other zero field means the default.
type Options struct {
	// Authenticate returns who makes a request: the actor that the
	// incident's history records. It is called for every request that
	// reaches an endpoint; an error, or an empty actor, is answered with
	// 401 and logged at level Warn, and its text is not sent to the client.
	Authenticate func(r *http.Request) (actor string, err error)
	// AllowAnonymous, when Authenticate is nil, serves every request as
	// AnonymousActor. Without either, New fails: an API that anyone may
	// act through must be asked for.
	AllowAnonymous bool
	// Challenge is the WWW-Authenticate header of a 401. Default
	// DefaultChallenge.
	Challenge string
	// Authorize decides whether an authenticated actor may take an action
	// on an incident: nil lets it, an error wrapping ErrForbidden refuses
	// it with 403 and the error's text, any other error is answered 500
	// (and logged). Reading is open to every authenticated actor. Default:
	// a zero Policy's Authorize — set a Policy's hooks to tell it who is on
	// call, who belongs to which team, and who has which role.
	Authorize func(ctx context.Context, req *Request) error
	// ReservedActors are names, besides those alertkit writes itself
	// ("alertkit" or the Manager's actor, "escalator", "notify", "api"),
	// that no person may act as or be assigned: the host's own bots. A
	// request whose actor is reserved, or whose name is not printable
	// text (see MaxNameBytes), is answered 403 and logged at Warn.
	ReservedActors []string

	// Changed is called after each successful action, with the incident as
	// it became and the kind of history entry the action made (for
	// comment, the incident as it is). The host follows up on it: tells
	// the receivers of an incident that it was acknowledged or resolved,
	// restarts an escalation (pipeline.Pipeline.Changed does the latter;
	// the pipeline's Manager writes the follow-ups with the change
	// itself). It runs before the response is written, with
	// the request's context stripped of its cancellation, so that a client
	// hanging up does not cut it short; it should hand slow work off.
	Changed func(ctx context.Context, inc *incident.Incident, kind incident.EventKind)

	// Log, when set, adds the delivery attempts of an incident to its
	// detail and serves GET /incidents/{id}/deliveries.
	Log notify.Log
	// Runbooks, when set, adds the runbooks of an incident to its detail
	// and serves GET /incidents/{id}/runbooks.
	Runbooks *route.Runbooks
	// Parser parses the search queries. Default: mql's default mapping of
	// fields to labels, as Manager.Search.
	Parser *mql.Parser
	// URL, when set, gives every incident a link to it in the host's
	// interface (the field url).
	URL func(incident.ID) string

	// Now returns the time: the time of a search (MQL's age field) and of
	// the runbooks' match, and what a snooze's until must follow. Give it
	// the Manager's clock. Default time.Now.
	Now func() time.Time
	// Logger receives a record for every request that fails: at level
	// Error for a 500, with the error that the client does not see; Warn
	// for a 401; Debug for the other refusals. Default slog.Default().
	Logger *slog.Logger
	// MaxBody is the largest request body accepted, in bytes; a larger one
	// is answered with 413. Default DefaultMaxBody.
	MaxBody int64
	// Budget bounds the bytes of the request bodies read at once: a body
	// reserves its Content-Length (MaxBody when it has none) before it is
	// read, and a request the budget cannot hold is answered 503 with
	// Retry-After, unread. Give the intake's handlers the same budget to
	// bound the bodies of the whole service. Default: a budget of the
	// API's own of DefaultBudget.
	Budget *alert.BodyBudget
}

// DefaultBudget is the size of the API's body budget when Options.Budget
// is nil: 4 MiB, 64 bodies of DefaultMaxBody at once.
const DefaultBudget = 4 << 20

// API is the HTTP API of an incident Manager: search, read, and act on
// incidents. It is an http.Handler; see the package documentation for its
// endpoints.
//
// An API may serve many requests at once.
type API struct {
	m    *incident.Manager
	opts Options
	mux  *http.ServeMux
}

var _ http.Handler = (*API)(nil)

// New returns the API of a Manager. It fails if m is nil, if neither
// Options.Authenticate nor Options.AllowAnonymous is set, or if MaxBody is
// negative.
func New(m *incident.Manager, opts *Options) (*API, error) {
	if m == nil {
		return nil, errors.New("incidentapi: nil Manager")
	}
	a := &API{m: m, mux: http.NewServeMux()}
	if opts != nil {
		a.opts = *opts
	}
	if a.opts.Authenticate == nil && !a.opts.AllowAnonymous {
		return nil, errors.New("incidentapi: Options.Authenticate is nil: set it, or set AllowAnonymous to serve every request as " + AnonymousActor)
	}
	if a.opts.MaxBody < 0 {
		return nil, fmt.Errorf("incidentapi: Options.MaxBody %d: negative", a.opts.MaxBody)
	}
	if a.opts.MaxBody == 0 {
		a.opts.MaxBody = DefaultMaxBody
	}
	if a.opts.Authorize == nil {
		a.opts.Authorize = (&Policy{}).Authorize
	}
	if a.opts.Budget == nil {
		a.opts.Budget = alert.NewBodyBudget(DefaultBudget)
	}
	if a.opts.Challenge == "" {
		a.opts.Challenge = DefaultChallenge
	}
	if a.opts.Parser == nil {
		a.opts.Parser = &mql.Parser{}
	}
	if a.opts.Now == nil {
		a.opts.Now = time.Now
	}
	if a.opts.Logger == nil {
		a.opts.Logger = slog.Default()
	}
	a.routes()
	return a, nil
}

func (a *API) routes() {
	a.handle("GET /snooze-presets", a.getSnoozePresets)
	a.handle("GET /incidents", a.getIncidents)
	a.handle("GET /incidents/{id}", a.getDetail)
	a.handle("GET /incidents/{id}/members", a.getMembers)
	a.handle("GET /incidents/{id}/history", a.getHistory)
	a.handle("GET /incidents/{id}/similar", a.getSimilar)
	if a.opts.Runbooks != nil {
		a.handle("GET /incidents/{id}/runbooks", a.getRunbooks)
	}
	if a.opts.Log != nil {
		a.handle("GET /incidents/{id}/deliveries", a.getDeliveries)
	}
	for _, act := range actions {
		a.mux.HandleFunc("POST /incidents/{id}/"+string(act.name), a.serve(func(w http.ResponseWriter, r *http.Request, actor string) (any, error) {
			return a.act(w, r, actor, act)
		}))
	}
}

func (a *API) handle(pattern string, h handler) {
	a.mux.HandleFunc(pattern, a.serve(h))
}

// handler serves an endpoint for an authenticated actor: it returns the
// response body, or an error that fail turns into one.
type handler func(w http.ResponseWriter, r *http.Request, actor string) (any, error)

// serve authenticates a request, runs h and writes what it returns, or its
// error.
func (a *API) serve(h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		actor, err := a.authenticate(r)
		if err != nil {
			a.opts.Logger.LogAttrs(r.Context(), slog.LevelWarn, "incidentapi: authentication failed",
				slog.String("method", r.Method),
				slog.String("path", r.URL.Path),
				slog.String("remote", r.RemoteAddr),
				slog.String("error", err.Error()))
			w.Header().Set("WWW-Authenticate", a.opts.Challenge)
			a.writeJSON(w, r, http.StatusUnauthorized, &ErrorBody{Error: "authentication failed"})
			return
		}
		if a.opts.Authenticate != nil {
			if err := checkName(actor, a.reserved()); err != nil {
				a.opts.Logger.LogAttrs(r.Context(), slog.LevelWarn, "incidentapi: actor refused",
					slog.String("method", r.Method),
					slog.String("path", r.URL.Path),
					slog.String("remote", r.RemoteAddr),
					slog.String("actor", fmt.Sprintf("%.64q", actor)),
					slog.String("error", err.Error()))
				a.writeJSON(w, r, http.StatusForbidden, &ErrorBody{Error: "actor: " + err.Error()})
				return
			}
		}
		v, err := h(w, r, actor)
		if err != nil {
			a.fail(w, r, actor, err)
			return
		}
		a.writeJSON(w, r, http.StatusOK, v)
	}
}

func (a *API) authenticate(r *http.Request) (string, error) {
	if a.opts.Authenticate == nil {
		return AnonymousActor, nil
	}
	actor, err := a.opts.Authenticate(r)
	if err == nil && actor == "" {
		err = errors.New("empty actor from Options.Authenticate")
	}
	return actor, err
}

// ServeHTTP serves the API. Paths are those of the package documentation,
// from the root: a host mounts the API under a prefix with
// http.StripPrefix.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if p := r.URL.Path; p == "" || path.Clean(p) != p {
		// The mux would redirect to the clean path, but without the
		// prefix the API is mounted under.
		a.refuse(w, r, &ErrorBody{Error: "no endpoint " + p}, http.StatusNotFound)
		return
	}
	if h, pattern := a.mux.Handler(r); pattern == "" {
		// No endpoint: learn from the mux whether the path is unknown or
		// the method wrong, and say so in JSON.
		var c capture
		h.ServeHTTP(&c, r)
		switch c.status {
		case http.StatusNotFound:
			a.refuse(w, r, &ErrorBody{Error: "no endpoint " + r.URL.Path}, http.StatusNotFound)
			return
		case http.StatusMethodNotAllowed:
			allow := c.header.Get("Allow")
			w.Header().Set("Allow", allow)
			a.refuse(w, r, &ErrorBody{Error: "method " + r.Method + " not allowed; use " + allow}, http.StatusMethodNotAllowed)
			return
		}
	}
	a.mux.ServeHTTP(w, r)
}

// capture records the status and headers of the mux's own answers.
type capture struct {
	header http.Header
	status int
}

func (c *capture) Header() http.Header {
	if c.header == nil {
		c.header = http.Header{}
	}
	return c.header
}

func (c *capture) WriteHeader(status int) {
	if c.status == 0 {
		c.status = status
	}
}

func (c *capture) Write(b []byte) (int, error) {
	c.WriteHeader(http.StatusOK)
	return len(b), nil
}
