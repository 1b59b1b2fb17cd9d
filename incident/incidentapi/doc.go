// Package incidentapi is the HTTP API of the incident workflow: with it,
// people and their tools search incidents, read them with their alerts,
// history, runbooks and deliveries, and act on them — acknowledge, assign,
// comment, snooze, hand over, resolve, close, reopen. A Go service builds
// it over its [incident.Manager] and mounts it under a prefix of its own:
//
//	api, err := incidentapi.New(manager, &incidentapi.Options{
//		Authenticate: func(r *http.Request) (string, error) { return sessions.User(r) },
//		Changed: func(ctx context.Context, inc *incident.Incident, kind incident.EventKind) {
//			follow(ctx, inc, kind) // tell the receivers: acknowledged, resolved
//		},
//		Log:      deliveryLog, // optional
//		Runbooks: runbooks,    // optional
//		Now:      clock.Now,
//	})
//	if err != nil { ... }
//	mux.Handle("/api/", http.StripPrefix("/api", api))
//
// # Endpoints
//
// Paths are relative to where the API is mounted. Requests and responses
// are JSON; every response type is a type of this package, whose fields
// carry the JSON names.
//
//	GET  /incidents                   SearchResult      search by q, limit and before, newest first
//	GET  /incidents/{id}              Detail            the incident and all about it, its newest history
//	GET  /incidents/{id}/members      MembersResult     its alerts, in the order they joined
//	GET  /incidents/{id}/history      HistoryResult     a page of its history (limit, before), oldest first
//	GET  /incidents/{id}/runbooks     RunbooksResult    its runbooks, highest priority first
//	GET  /incidents/{id}/deliveries   DeliveriesResult  its notifications' delivery attempts
//	GET  /incidents/{id}/similar      SimilarResult     incidents of its project and triggers (limit)
//	GET  /snooze-presets              PresetsResult     the durations a snooze dialog offers
//
//	POST /incidents/{id}/acknowledge    NoteRequest      {"note": "on it"}
//	POST /incidents/{id}/unacknowledge  NoteRequest      {"note": "not mine"}
//	POST /incidents/{id}/assign         AssignRequest    {"assignee": "andrey.polovov"}
//	POST /incidents/{id}/comment        CommentRequest   {"text": "the node is rebooting"}
//	POST /incidents/{id}/snooze         SnoozeRequest    {"for": "1h", "resolve_if_ok": true, "comment": "reboot"}
//	POST /incidents/{id}/wake           EmptyRequest     {}
//	POST /incidents/{id}/handover       HandoverRequest  {"to": "andrey.polovov", "note": "shift ends"}
//	POST /incidents/{id}/accept         EmptyRequest     {}
//	POST /incidents/{id}/resolve        ResolveRequest   {"note": "fixed", "force": false}
//	POST /incidents/{id}/close          NoteRequest      {"note": "postmortem done"}
//	POST /incidents/{id}/reopen         NoteRequest      {"note": "it is back"}
//
// The GET endpoints answer HEAD too. The runbooks and deliveries endpoints
// exist only with Options.Runbooks and Options.Log, and so do the fields
// runbooks and deliveries of a Detail.
//
// # Search
//
// GET /incidents selects incidents by MQL in q (empty selects all): a label
// predicate holds when any alert of the incident satisfies it, and status,
// assignee (the owner), team, severity and age are the incident's own.
//
//	GET /incidents?q=status+IN+(open,+acknowledged)+AND+severity+<=+S2&limit=50
//
// A page holds limit incidents, 1 to 1000, DefaultSearchLimit by default.
// When it is full, next is the ID to pass as before for the next page.
//
// # History
//
// A Detail holds the newest DetailHistory entries of the incident's
// history; when there are older ones, history_next is the before of
// GET /incidents/{id}/history?before=, whose pages of limit entries (1 to
// MaxHistoryLimit, DefaultHistoryLimit by default), oldest first, lead
// back to the beginning with their next. The store keeps at most
// incident.DefaultMaxHistory entries of one incident: the oldest are then
// folded into one entry of kind folded, whose folded field counts them and
// whose note says of which kinds and when — nothing goes unsaid.
//
// # Actions
//
// An action is done by the actor that Options.Authenticate returns, whom
// the incident's history records, and answers with the [Incident] as the
// action left it — not its Detail, whose history may be long. Comments and
// notes are at most MaxTextBytes. Every field of a body is optional unless said
// otherwise, and so is the body itself: an empty body is {}. The body must
// be sent as application/json even when empty; a browser on another origin
// cannot send that without the API's origin allowing it (CORS), so a page
// elsewhere cannot act in a signed-in user's name.
//
//   - acknowledge takes an open or snoozed incident in hand, which stops
//     its escalation; it does not change the owner.
//   - assign (assignee required) makes someone the owner.
//   - comment (text required) adds to the history.
//   - snooze takes exactly one of for, a duration ("30m", "1h", "1d",
//     "1h30m", "1.5h"), until, an RFC 3339 time in the future, and
//     forever: true. With resolve_if_ok the incident closes if its alerts
//     all resolve meanwhile. GET /snooze-presets lists the usual fors.
//   - handover (to required) is the actor passing their incident, or one
//     that nobody owns, to someone else, who owns it at once and accepts it
//     with accept. An incident that someone else owns is reassigned with
//     assign instead.
//   - resolve is refused while alerts still fire, unless force is true.
//
// # Authorization
//
// Options.Authorize decides who may take which action on which incident;
// reading is open to every authenticated actor. By default a [Policy]
// decides, fed by the host's hooks: anyone may comment and acknowledge;
// the incident's responders — its owner, its on-call, its team — may
// unacknowledge, snooze, wake, resolve, reopen, hand over, and take an
// incident nobody owns; reassigning someone else's incident, resolving by
// force and closing need [RoleIncidentCommander]. A refusal is 403:
//
//	{"error": "forbidden: olga.owner owns incident 01M83T4CM01S1D9JQ8GS4GHR5R: reassigning it needs the incident-commander role"}
//
// An actor's name is checked before anything else: at most MaxNameBytes of
// printable UTF-8, without surrounding spaces, control characters or
// format characters (bidirectional overrides, zero-width spaces), and not a
// name alertkit writes itself ("alertkit", "escalator", "notify", "api")
// or one of Options.ReservedActors, in any case — so that no one can write
// a history entry that reads as alertkit's. The same holds for an assignee
// and a hand-over's recipient.
//
// After each successful action the API calls Options.Changed, once, with
// the incident and the kind of history entry the action made:
// incident.EventAcknowledged, EventUnacknowledged, EventAssigned,
// EventCommented, EventSnoozed, EventWoke, EventHandedOver,
// EventHandoverAccepted, EventResolved, EventClosed or EventReopened.
//
// # Responses
//
// Times are RFC 3339 in UTC; a time that has not happened (acked_at of an
// unacknowledged incident) is left out, and so are the snooze, handover and
// escalation of an incident that has none. Severities are "S1" to "S9", or
// "" when unknown. An incident in a Detail, shortened:
//
//	{
//	  "id": "01M83T4CM01S1D9JQ8GS4GHR5R",
//	  "status": "snoozed", "severity": "S2", "title": "TargetDown in shop",
//	  "group": {"alertname": "TargetDown", "namespace": "shop"},
//	  "owner": "vasiliy.vasiliyev", "team": "sre", "project": "shop",
//	  "triggers": ["TargetDown"], "counts": {"alerts": 2, "lasting": 2, "active": 2},
//	  "created_at": "2026-11-23T09:00:00Z", "updated_at": "2026-11-23T10:00:00Z",
//	  "snooze": {"until": "2026-11-23T11:00:00Z", "forever": false, "resolve_if_ok": true,
//	             "comment": "node rebooting", "by": "vasiliy.vasiliyev", "at": "2026-11-23T10:00:00Z"},
//	  "version": 3,
//	  "summary": [{"name": "trigger", "values": ["TargetDown"]}, ...],
//	  "members": [{"fingerprint": "706df4776e58d80d", "trigger": "TargetDown", "labels": {...},
//	               "annotations": {...}, "kind": "lasting", "state": "firing", "severity": "S2",
//	               "starts_at": "2026-11-23T09:00:00Z", "firings": 1, ...}],
//	  "history": [{"seq": 4, "at": "2026-11-23T10:00:00Z", "kind": "snoozed",
//	               "actor": "vasiliy.vasiliyev", "note": "...", "from": "open", "to": "snoozed"}, ...],
//	  "runbooks": [{"title": "A scrape target is down", "priority": 10,
//	                "file": "runbooks/target-down.md", "match": "trigger = TargetDown", "body": "..."}],
//	  "deliveries": [{"key": "n1", "receiver": "slack-ops", "reason": "opened", "number": 1,
//	                  "at": "2026-11-23T09:00:02Z", "latency_seconds": 0.25,
//	                  "outcome": "delivered", "status_code": 200}]
//	}
//
// # Errors
//
// An error is answered with a status and an [ErrorBody]:
// {"error": "what was wrong"}, with the field at fault, if there is one,
// and where a search query goes wrong.
//
//	400  malformed JSON, an unknown field, a wrong type or value, naming the field:
//	     {"error": "for: want a duration such as 30m, 1h or 1d, got \"soon\"", "field": "for"}
//	     {"error": "q: 1:18: expected a field or label after AND, got end of query", "field": "q",
//	      "position": {"offset": 17, "line": 1, "column": 18}}
//	401  Authenticate failed: {"error": "authentication failed"}, with WWW-Authenticate
//	403  the actor may not take the action (Options.Authorize), or may not go by that name:
//	     {"error": "actor: \"alertkit\" is a name alertkit writes itself"}
//	404  no such incident, or no such endpoint
//	405  a method the endpoint does not take, with Allow
//	409  the action does not apply now: a transition the status does not allow
//	     (incident.TransitionError), a resolve while alerts fire (ErrAlertsActive),
//	     a hand-over by someone who is not the owner (ErrNotOwner), an accept with no
//	     hand-over to the actor (ErrNoHandover), a reopen after the group opened another
//	     incident (ErrGroupActive), a version conflict (ErrConflict)
//	413  a body larger than Options.MaxBody
//	415  a POST whose Content-Type is not application/json
//	500  anything else: {"error": "internal error"}; the error is logged, not sent
//	503  the request was cancelled or timed out before it was done, or the bodies in
//	     flight fill Options.Budget (with Retry-After)
//
// # Concurrency
//
// An API may serve many requests at once; it calls Options.Authenticate,
// Options.Authorize and Options.Changed concurrently. Authorization sees the
// incident as it stands just before the action: an action racing a change
// of owner is judged on the owner it read.
package incidentapi
