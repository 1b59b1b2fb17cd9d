package incidentapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alertkit/alertkit/incident"
	"github.com/alertkit/alertkit/incident/incidentapi"
)

// The people of the authorization tests: the owner of incident a, the
// on-call its escalation pages, a member of its team (sre), a member of
// another team, an incident commander, and someone who has nothing to do
// with it.
const (
	owner     = "olga.owner"
	onCall    = "oscar.oncall"
	teammate  = "tina.team"
	dba       = "dan.dba"
	commander = "carl.commander"
	stranger  = "sam.stranger"
)

// authzEnv is the test environment with the bearer token as the actor's
// name, the default Policy fed by a directory, and incident a owned by
// owner.
func authzEnv(t *testing.T) *env {
	t.Helper()
	e := newEnv(t, func(o *incidentapi.Options) {
		o.Authenticate = func(r *http.Request) (string, error) {
			actor, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
			if !ok {
				return "", errors.New("no bearer token")
			}
			return actor, nil
		}
		o.ReservedActors = []string{"deploy-bot"}
		o.Authorize = (&incidentapi.Policy{
			Responders: func(_ context.Context, inc *incident.Incident) (incidentapi.Responders, error) {
				if inc.Team == "" {
					return incidentapi.Responders{}, nil // nobody answers for it
				}
				return incidentapi.Responders{People: []string{onCall}, Teams: []string{"dba"}}, nil
			},
			TeamsOf: func(_ context.Context, actor string) ([]string, error) {
				switch actor {
				case teammate:
					return []string{"sre"}, nil
				case dba:
					return []string{"dba"}, nil
				}
				return nil, nil
			},
			Roles: func(_ context.Context, actor string) ([]incidentapi.Role, error) {
				if actor == commander {
					return []incidentapi.Role{incidentapi.RoleIncidentCommander}, nil
				}
				return nil, nil
			},
		}).Authorize
	})
	e.post(commander, e.a, "assign", `{"assignee":"`+owner+`"}`)
	return e
}

// TestAuthorization takes every action on an owned incident as every kind
// of actor, and checks who is refused with 403 — and that a refused
// action changes nothing.
func TestAuthorization(t *testing.T) {
	everyone := []string{owner, onCall, teammate, dba, commander, stranger}
	responders := []string{owner, onCall, teammate, dba, commander}
	for _, tc := range []struct {
		name         string
		setup        []string // "actor action body" on incident a, before
		action, body string
		// allowed are the actors not refused with 403; status is what they
		// are answered (default 200), and statusOf overrides it per actor.
		allowed  []string
		status   int
		statusOf map[string]int
	}{
		{name: "acknowledge", action: "acknowledge", allowed: everyone},
		{name: "comment", action: "comment", body: `{"text":"seen from the CDN side too"}`, allowed: everyone},
		{name: "unacknowledge", setup: []string{commander + ` acknowledge {}`}, action: "unacknowledge", allowed: responders},
		{name: "snooze", action: "snooze", body: `{"for":"1h"}`, allowed: responders},
		{name: "snooze forever", action: "snooze", body: `{"forever":true}`, allowed: responders},
		{name: "wake", setup: []string{commander + ` snooze {"for":"1h"}`}, action: "wake", allowed: responders},
		{name: "take someone else's incident", action: "assign", body: `{"assignee":"$actor"}`, allowed: []string{owner, commander}},
		{name: "give it to someone", action: "assign", body: `{"assignee":"zoe.next"}`, allowed: []string{owner, commander}},
		// Only the owner hands over: the others that may act are told so
		// by the Manager, 409.
		{name: "hand over", action: "handover", body: `{"to":"zoe.next"}`, allowed: responders,
			statusOf: map[string]int{onCall: http.StatusConflict, teammate: http.StatusConflict, dba: http.StatusConflict, commander: http.StatusConflict}},
		{name: "accept", setup: []string{owner + ` handover {"to":"` + onCall + `"}`}, action: "accept", allowed: everyone,
			status: http.StatusConflict, statusOf: map[string]int{onCall: http.StatusOK}},
		{name: "resolve while alerts fire", action: "resolve", allowed: responders, status: http.StatusConflict},
		{name: "resolve by force", action: "resolve", body: `{"force":true}`, allowed: []string{commander}},
		{name: "close", setup: []string{commander + ` resolve {"force":true}`}, action: "close", allowed: []string{commander}},
		{name: "reopen", setup: []string{commander + ` resolve {"force":true}`}, action: "reopen", allowed: responders},
	} {
		for _, actor := range everyone {
			t.Run(tc.name+"/"+actor, func(t *testing.T) {
				e := authzEnv(t)
				for _, s := range tc.setup {
					f := strings.SplitN(s, " ", 3)
					e.post(f[0], e.a, f[1], f[2])
				}
				before := e.versions()
				w := e.do(request{method: http.MethodPost, path: "/incidents/" + string(e.a) + "/" + tc.action,
					body: strings.ReplaceAll(tc.body, "$actor", actor), token: actor})
				if !slices.Contains(tc.allowed, actor) {
					require.Equal(t, http.StatusForbidden, w.Code, "body: %s", w.Body)
					assert.Contains(t, w.Body.String(), `"error":"forbidden: `)
					assert.Equal(t, before, e.versions(), "a refused action changes nothing")
					return
				}
				want := tc.status
				if s, ok := tc.statusOf[actor]; ok {
					want = s
				} else if want == 0 {
					want = http.StatusOK
				}
				require.Equal(t, want, w.Code, "body: %s", w.Body)
			})
		}
	}
}

// TestAuthorizationOfUnownedIncidents checks who may take an incident
// nobody owns, and that anyone may act on one nobody answers for.
func TestAuthorizationOfUnownedIncidents(t *testing.T) {
	for _, tc := range []struct {
		name    string
		target  string
		allowed []string
	}{
		// Incident b2 has no owner, and no team: nobody answers for it.
		{name: "nobody answers for it", target: "b2", allowed: []string{owner, onCall, teammate, dba, commander, stranger}},
	} {
		for _, actor := range []string{owner, onCall, teammate, dba, commander, stranger} {
			t.Run(tc.name+"/"+actor, func(t *testing.T) {
				e := authzEnv(t)
				w := e.do(request{method: http.MethodPost, path: "/incidents/" + string(e.target(tc.target)) + "/snooze",
					body: `{"for":"1h"}`, token: actor})
				want := http.StatusForbidden
				if slices.Contains(tc.allowed, actor) {
					want = http.StatusOK
				}
				require.Equal(t, want, w.Code, "body: %s", w.Body)
			})
		}
	}

	// Incident a, before anyone owns it: its responders take it, others
	// may not.
	for _, actor := range []string{onCall, teammate, dba, commander, stranger, owner} {
		t.Run("take/"+actor, func(t *testing.T) {
			e := newEnvAs(t)
			w := e.do(request{method: http.MethodPost, path: "/incidents/" + string(e.a) + "/assign",
				body: `{"assignee":"` + actor + `"}`, token: actor})
			want := http.StatusOK
			if actor == stranger || actor == owner {
				want = http.StatusForbidden
			}
			require.Equal(t, want, w.Code, "body: %s", w.Body)
			if want == http.StatusOK {
				assert.Equal(t, actor, e.get(e.a).Owner)
			}
		})
	}
}

// newEnvAs is authzEnv before incident a is assigned.
func newEnvAs(t *testing.T) *env {
	t.Helper()
	e := authzEnv(t)
	require.NoError(t, e.store.Update(e.ctx, withOwner(e.get(e.a), ""), incident.Write{}))
	return e
}

func withOwner(inc *incident.Incident, owner string) *incident.Incident {
	inc.Owner = owner
	return inc
}

// TestActorNames checks that an actor must be a printable name of its own:
// not one alertkit writes itself, not one a reader would read as another.
func TestActorNames(t *testing.T) {
	for _, tc := range []struct {
		name, actor string
		want        string // the error, after "actor: "; "" for accepted
	}{
		{name: "a person", actor: "vasiliy.vasiliyev"},
		{name: "a name in Cyrillic", actor: "Василий Васильев"},
		{name: "alertkit's own name", actor: "alertkit", want: `"alertkit" is a name alertkit writes itself`},
		{name: "the escalator, in capitals", actor: "Escalator", want: `"Escalator" is a name alertkit writes itself`},
		{name: "the dispatcher", actor: "notify", want: `"notify" is a name alertkit writes itself`},
		{name: "the anonymous actor", actor: "api", want: `"api" is a name alertkit writes itself`},
		{name: "a name the host reserves", actor: "deploy-bot", want: `"deploy-bot" is a name alertkit writes itself`},
		{name: "too long", actor: strings.Repeat("a", 8000), want: "longer than 256 bytes"},
		{name: "a right-to-left override", actor: "vasiliy\u202eveyilisav", want: "contains the format character U+202E at byte 7 (bidirectional controls and invisible characters are refused)"},
		{name: "a zero-width space", actor: "vasi\u200bliy", want: "contains the format character U+200B at byte 4 (bidirectional controls and invisible characters are refused)"},
		{name: "a newline", actor: "vasiliy\n10:00:00 alertkit resolved", want: "contains the unprintable character U+000A at byte 7"},
		{name: "surrounding spaces", actor: " vasiliy", want: "begins or ends with a space"},
		{name: "invalid UTF-8", actor: "vasiliy\xff", want: "not valid UTF-8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := authzEnv(t)
			before := e.versions()
			w := e.do(request{method: http.MethodPost, path: "/incidents/" + string(e.a) + "/comment",
				body: `{"text":"looking"}`, token: tc.actor})
			if tc.want == "" {
				require.Equal(t, http.StatusOK, w.Code, "body: %s", w.Body)
				assert.Equal(t, tc.actor, e.lastEvent(e.a).Actor)
				return
			}
			require.Equal(t, http.StatusForbidden, w.Code, "body: %s", w.Body)
			var body incidentapi.ErrorBody
			require.NoError(t, json.Unmarshal(w.Body.Bytes(), &body))
			assert.Equal(t, "actor: "+tc.want, body.Error)
			assert.Equal(t, before, e.versions(), "nothing is written")
			assert.Contains(t, e.logs.String(), "incidentapi: actor refused")
		})
	}

	t.Run("reserved names cannot be assigned", func(t *testing.T) {
		e := authzEnv(t)
		for _, who := range []string{"escalator", "ALERTKIT", "deploy-bot"} {
			w := e.do(request{method: http.MethodPost, path: "/incidents/" + string(e.a) + "/assign",
				body: `{"assignee":"` + who + `"}`, token: commander})
			require.Equal(t, http.StatusBadRequest, w.Code, "body: %s", w.Body)
			assert.Contains(t, w.Body.String(), "is a name alertkit writes itself")
		}
	})
}

// TestAuthorizeHookErrors checks that a hook that cannot decide is an
// internal error, whose text stays in the log.
func TestAuthorizeHookErrors(t *testing.T) {
	e := newEnv(t, func(o *incidentapi.Options) {
		o.Authorize = (&incidentapi.Policy{Roles: func(context.Context, string) ([]incidentapi.Role, error) {
			return nil, errors.New("directory at ldap.internal:636 unreachable")
		}}).Authorize
	})
	w := e.do(request{method: http.MethodPost, path: "/incidents/" + string(e.a) + "/snooze", body: `{"for":"1h"}`})
	require.Equal(t, http.StatusInternalServerError, w.Code)
	assert.JSONEq(t, `{"error":"internal error"}`, w.Body.String())
	assert.Contains(t, e.logs.String(), "ldap.internal:636")
	assert.Equal(t, incident.StatusOpen, e.get(e.a).Status)
}
