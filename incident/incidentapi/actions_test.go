package incidentapi_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alertkit/alertkit/alert"
	"github.com/alertkit/alertkit/incident"
	"github.com/alertkit/alertkit/incident/incidentapi"
)

// TestActions runs every action, and checks the answer, the history entry
// it made, and the Changed hook, called once with the entry's kind.
func TestActions(t *testing.T) {
	for _, tc := range []struct {
		name string
		// setup runs before the action, as "token action body" requests
		// on the target.
		setup []string
		// target is a, b or b2; default a.
		target, token, action, body, contentType string
		// golden names the file of the answer, if it is kept.
		golden string
		// status, owner and handover are those of the answer.
		status, owner, handover string
		// event is the last entry of the history; changed the call of the
		// hook, "kind status".
		event, changed string
		check          func(t *testing.T, d *incidentapi.Incident)
	}{
		{name: "acknowledge", action: "acknowledge", body: `{"note":"on it"}`, golden: "acknowledge",
			status: "acknowledged", event: "10:00:00 vasiliy.vasiliyev acknowledged open → acknowledged: on it", changed: "acknowledged acknowledged"},
		{name: "acknowledge without a body", action: "acknowledge",
			status: "acknowledged", event: "10:00:00 vasiliy.vasiliyev acknowledged open → acknowledged", changed: "acknowledged acknowledged"},
		{name: "acknowledge with a charset", action: "acknowledge", body: `{"note":"on it"}`, contentType: "application/json; charset=utf-8",
			status: "acknowledged", event: "10:00:00 vasiliy.vasiliyev acknowledged open → acknowledged: on it", changed: "acknowledged acknowledged"},
		{name: "acknowledge with an empty object", action: "acknowledge", body: `{}`,
			status: "acknowledged", event: "10:00:00 vasiliy.vasiliyev acknowledged open → acknowledged", changed: "acknowledged acknowledged"},
		{name: "acknowledge a snoozed incident", setup: []string{`t-andrey snooze {"for":"1h"}`}, action: "acknowledge", body: `{"note":"on it"}`,
			status: "acknowledged", event: "10:00:00 vasiliy.vasiliyev acknowledged snoozed → acknowledged: on it", changed: "acknowledged acknowledged",
			check: func(t *testing.T, d *incidentapi.Incident) { assert.Nil(t, d.Snooze) }},
		{name: "unacknowledge", setup: []string{`t-vasiliy acknowledge {}`}, action: "unacknowledge", body: `{"note":"not mine after all"}`,
			status: "open", event: "10:00:00 vasiliy.vasiliyev unacknowledged acknowledged → open: not mine after all", changed: "unacknowledged open"},
		{name: "assign", action: "assign", body: `{"assignee":"andrey.polovov"}`, golden: "assign",
			status: "open", owner: "andrey.polovov", event: "10:00:00 vasiliy.vasiliyev assigned → andrey.polovov", changed: "assigned open"},
		{name: "assign trims spaces", action: "assign", body: `{"assignee":"  andrey.polovov\t"}`,
			status: "open", owner: "andrey.polovov", event: "10:00:00 vasiliy.vasiliyev assigned → andrey.polovov", changed: "assigned open"},
		{name: "reassign", setup: []string{`t-vasiliy assign {"assignee":"vasiliy.vasiliyev"}`}, action: "assign", body: `{"assignee":"andrey.polovov"}`,
			status: "open", owner: "andrey.polovov", event: "10:00:00 vasiliy.vasiliyev assigned vasiliy.vasiliyev → andrey.polovov", changed: "assigned open"},
		{name: "comment", action: "comment", body: `{"text":"the node is rebooting"}`, golden: "comment",
			status: "open", event: "10:00:00 vasiliy.vasiliyev commented: the node is rebooting", changed: "commented open"},
		{name: "comment a closed incident", target: "b", setup: []string{`t-vasiliy close {}`}, action: "comment", body: `{"text":"postmortem: OOM"}`,
			status: "closed", event: "10:00:00 vasiliy.vasiliyev commented: postmortem: OOM", changed: "commented closed"},
		{name: "snooze for an hour", action: "snooze", body: `{"for":"1h","resolve_if_ok":true,"comment":"node rebooting"}`, golden: "snooze",
			status: "snoozed", event: "10:00:00 vasiliy.vasiliyev snoozed open → snoozed: until 2026-11-23T11:00:00Z, resolve if OK: node rebooting",
			changed: "snoozed snoozed",
			check: func(t *testing.T, d *incidentapi.Incident) {
				assert.Equal(t, &incidentapi.Snooze{Until: start.Add(2 * time.Hour), ResolveIfOK: true, Comment: "node rebooting",
					By: "vasiliy.vasiliyev", At: start.Add(time.Hour)}, d.Snooze)
			}},
		{name: "snooze for a day", action: "snooze", body: `{"for":"1d"}`,
			status: "snoozed", event: "10:00:00 vasiliy.vasiliyev snoozed open → snoozed: until 2026-11-24T10:00:00Z", changed: "snoozed snoozed"},
		{name: "snooze for a Go duration", action: "snooze", body: `{"for":"1.5h"}`,
			status: "snoozed", event: "10:00:00 vasiliy.vasiliyev snoozed open → snoozed: until 2026-11-23T11:30:00Z", changed: "snoozed snoozed"},
		{name: "snooze until", action: "snooze", body: `{"until":"2026-11-23T14:00:00+02:00"}`,
			status: "snoozed", event: "10:00:00 vasiliy.vasiliyev snoozed open → snoozed: until 2026-11-23T12:00:00Z", changed: "snoozed snoozed",
			check: func(t *testing.T, d *incidentapi.Incident) {
				assert.Equal(t, start.Add(3*time.Hour), d.Snooze.Until)
				assert.Equal(t, time.UTC, d.Snooze.Until.Location())
			}},
		{name: "snooze forever", action: "snooze", body: `{"forever":true,"comment":"known, ticket OPS-1"}`,
			status: "snoozed", event: "10:00:00 vasiliy.vasiliyev snoozed open → snoozed: forever: known, ticket OPS-1", changed: "snoozed snoozed",
			check: func(t *testing.T, d *incidentapi.Incident) {
				assert.True(t, d.Snooze.Forever)
				assert.True(t, d.Snooze.Until.IsZero())
			}},
		{name: "snooze again", setup: []string{`t-vasiliy snooze {"for":"30m"}`}, action: "snooze", body: `{"for":"6h"}`,
			status: "snoozed", event: "10:00:00 vasiliy.vasiliyev snoozed snoozed → snoozed: until 2026-11-23T16:00:00Z", changed: "snoozed snoozed"},
		{name: "wake", setup: []string{`t-vasiliy snooze {"for":"1h"}`}, action: "wake",
			status: "open", event: "10:00:00 vasiliy.vasiliyev woke snoozed → open: woken by hand", changed: "woke open"},
		{name: "wake with an empty object", setup: []string{`t-vasiliy snooze {"for":"1h"}`}, action: "wake", body: "{}",
			status: "open", event: "10:00:00 vasiliy.vasiliyev woke snoozed → open: woken by hand", changed: "woke open"},
		{name: "hand over", setup: []string{`t-andrey assign {"assignee":"vasiliy.vasiliyev"}`}, action: "handover",
			body: `{"to":"andrey.polovov","note":"my shift ends; the node is rebooting"}`, golden: "handover",
			status: "open", owner: "andrey.polovov", handover: "vasiliy.vasiliyev → andrey.polovov",
			event:   "10:00:00 vasiliy.vasiliyev handed_over vasiliy.vasiliyev → andrey.polovov: my shift ends; the node is rebooting",
			changed: "handed_over open"},
		{name: "hand over an unowned incident", action: "handover", body: `{"to":"andrey.polovov"}`,
			status: "open", owner: "andrey.polovov", handover: "vasiliy.vasiliyev → andrey.polovov",
			event: "10:00:00 vasiliy.vasiliyev handed_over vasiliy.vasiliyev → andrey.polovov", changed: "handed_over open"},
		{name: "accept", setup: []string{`t-vasiliy handover {"to":"andrey.polovov"}`}, token: "t-andrey", action: "accept",
			status: "open", owner: "andrey.polovov",
			event: "10:00:00 andrey.polovov handover_accepted vasiliy.vasiliyev → andrey.polovov", changed: "handover_accepted open"},
		{name: "resolve by force", action: "resolve", body: `{"note":"fixed by hand","force":true}`, golden: "resolve",
			status: "resolved", event: "10:00:00 vasiliy.vasiliyev resolved open → resolved: fixed by hand", changed: "resolved resolved"},
		{name: "resolve an acknowledged incident", setup: []string{`t-vasiliy acknowledge {}`}, action: "resolve", body: `{"force":true}`,
			status: "resolved", event: "10:00:00 vasiliy.vasiliyev resolved acknowledged → resolved", changed: "resolved resolved"},
		{name: "close", target: "b", action: "close", body: `{"note":"postmortem done"}`,
			status: "closed", event: "10:00:00 vasiliy.vasiliyev closed resolved → closed: postmortem done", changed: "closed closed"},
		{name: "reopen", setup: []string{`t-vasiliy resolve {"force":true}`, `t-vasiliy close {}`}, action: "reopen", body: `{"note":"it is back"}`,
			status: "open", event: "10:00:00 vasiliy.vasiliyev reopened closed → open: it is back", changed: "reopened open",
			check: func(t *testing.T, d *incidentapi.Incident) {
				assert.True(t, d.ResolvedAt.IsZero())
				assert.True(t, d.ClosedAt.IsZero())
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, nil)
			id := e.target(tc.target)
			for _, s := range tc.setup {
				f := strings.SplitN(s, " ", 3)
				e.post(f[0], id, f[1], f[2])
			}
			e.takeChanged()
			w := e.do(request{method: http.MethodPost, path: "/incidents/" + string(id) + "/" + tc.action,
				body: tc.body, token: tc.token, contentType: tc.contentType})
			require.Equal(t, http.StatusOK, w.Code, "body: %s", w.Body)
			assert.Equal(t, "application/json", w.Header().Get("Content-Type"))

			var d incidentapi.Incident
			require.NoError(t, json.Unmarshal(w.Body.Bytes(), &d))
			assert.NotContains(t, w.Body.String(), `"history"`, "the answer is the incident, not its history")
			assert.Equal(t, id, d.ID)
			assert.Equal(t, tc.status, d.Status)
			assert.Equal(t, tc.owner, d.Owner)
			if tc.handover == "" {
				assert.Nil(t, d.Handover)
			} else if assert.NotNil(t, d.Handover) {
				assert.Equal(t, tc.handover, d.Handover.From+" → "+d.Handover.To)
			}
			assert.Equal(t, tc.event, e.lastEvent(id).String())
			assert.Equal(t, []string{string(id) + " " + tc.changed}, e.takeChanged(), "the Changed hook, once")
			assert.Equal(t, tc.status, e.get(id).Status.String(), "the store")
			if tc.check != nil {
				tc.check(t, &d)
			}
			if tc.golden != "" {
				golden(t, "actions/"+tc.golden, w.Body.Bytes())
			}
		})
	}
}

// target returns incident a, b or b2 by name, a for "", and any other
// name as an ID.
func (e *env) target(name string) incident.ID {
	switch name {
	case "", "a":
		return e.a
	case "b":
		return e.b
	case "b2":
		return e.b2
	}
	return incident.ID(name)
}

// versions returns the versions of the incidents and the lengths of their
// histories.
func (e *env) versions() []int64 {
	e.t.Helper()
	var v []int64
	for _, id := range []incident.ID{e.a, e.b, e.b2} {
		h, err := e.store.MemoryStore.History(e.ctx, id)
		require.NoError(e.t, err)
		v = append(v, e.get(id).Version, int64(len(h)))
	}
	return v
}

// TestActionErrors checks the refusals of the actions, with their exact
// bodies; none changes anything or calls the Changed hook.
func TestActionErrors(t *testing.T) {
	long := strings.Repeat("x", incidentapi.MaxNameBytes+1)
	for _, tc := range []struct {
		name   string
		setup  []string
		target string
		token  string
		action string
		body   string
		// contentType overrides application/json; "-" sends none.
		contentType string
		status      int
		// want is the body; {a} stands for the ID of incident a, {b} and
		// {b2} for the others'.
		want string
	}{
		// 400: the body.
		{name: "truncated JSON", action: "acknowledge", body: `{"note":`, status: 400,
			want: `{"error":"malformed JSON: unexpected end of the body"}`},
		{name: "invalid JSON", action: "acknowledge", body: `{"note": on it}`, status: 400,
			want: `{"error":"malformed JSON at byte 10: invalid character 'o' looking for beginning of value"}`},
		{name: "wrong type", action: "acknowledge", body: `{"note": 42}`, status: 400,
			want: `{"error":"note: want a string, got a number","field":"note"}`},
		{name: "wrong type of a flag", action: "resolve", body: `{"force": "yes"}`, status: 400,
			want: `{"error":"force: want true or false, got a string","field":"force"}`},
		{name: "not an object", action: "acknowledge", body: `["on it"]`, status: 400,
			want: `{"error":"want a JSON object, got an array"}`},
		{name: "a string", action: "comment", body: `"on it"`, status: 400,
			want: `{"error":"want a JSON object, got a string"}`},
		{name: "two objects", action: "acknowledge", body: `{} {}`, status: 400,
			want: `{"error":"malformed JSON: data after the object"}`},
		{name: "unknown field", action: "acknowledge", body: `{"comment":"on it"}`, status: 400,
			want: `{"error":"comment: unknown field","field":"comment"}`},
		{name: "wake takes no note", setup: []string{`t-vasiliy snooze {"for":"1h"}`}, action: "wake", body: `{"note":"back"}`, status: 400,
			want: `{"error":"note: unknown field","field":"note"}`},
		{name: "assign to nobody", action: "assign", body: `{}`, status: 400,
			want: `{"error":"assignee: missing","field":"assignee"}`},
		{name: "assign to spaces", action: "assign", body: `{"assignee":"  "}`, status: 400,
			want: `{"error":"assignee: missing","field":"assignee"}`},
		{name: "assign to a control character", action: "assign", body: `{"assignee":"andrey\u0007"}`, status: 400,
			want: `{"error":"assignee: contains the unprintable character U+0007 at byte 6","field":"assignee"}`},
		{name: "assign to a long name", action: "assign", body: `{"assignee":"` + long + `"}`, status: 400,
			want: `{"error":"assignee: longer than 256 bytes","field":"assignee"}`},
		{name: "empty comment", action: "comment", body: `{"text":" \n"}`, status: 400,
			want: `{"error":"text: missing","field":"text"}`},
		{name: "comment without a body", action: "comment", status: 400,
			want: `{"error":"text: missing","field":"text"}`},
		{name: "snooze without a length", action: "snooze", body: `{"comment":"later"}`, status: 400,
			want: `{"error":"snooze for a duration, until a time, or forever: give exactly one of for, until and forever"}`},
		{name: "snooze not forever", action: "snooze", body: `{"forever":false}`, status: 400,
			want: `{"error":"snooze for a duration, until a time, or forever: give exactly one of for, until and forever"}`},
		{name: "snooze for and forever", action: "snooze", body: `{"for":"1h","forever":true}`, status: 400,
			want: `{"error":"snooze for a duration, until a time, or forever: give exactly one of for, until and forever"}`},
		{name: "snooze for and until", action: "snooze", body: `{"for":"1h","until":"2026-11-23T12:00:00Z"}`, status: 400,
			want: `{"error":"snooze for a duration, until a time, or forever: give exactly one of for, until and forever"}`},
		{name: "snooze for a while", action: "snooze", body: `{"for":"a while"}`, status: 400,
			want: `{"error":"for: want a duration such as 30m, 1h or 1d, got \"a while\"","field":"for"}`},
		{name: "snooze for a number", action: "snooze", body: `{"for":3600}`, status: 400,
			want: `{"error":"for: want a string, got a number","field":"for"}`},
		{name: "snooze for a negative time", action: "snooze", body: `{"for":"-1h"}`, status: 400,
			want: `{"error":"for: want a positive duration, got \"-1h\"","field":"for"}`},
		{name: "snooze for no time", action: "snooze", body: `{"for":"0s"}`, status: 400,
			want: `{"error":"for: want a positive duration, got \"0s\"","field":"for"}`},
		{name: "snooze until tomorrow", action: "snooze", body: `{"until":"tomorrow"}`, status: 400,
			want: `{"error":"until: want an RFC 3339 time such as 2026-11-23T18:00:00Z, got \"tomorrow\"","field":"until"}`},
		{name: "snooze until the past", action: "snooze", body: `{"until":"2026-11-23T09:30:00Z"}`, status: 400,
			want: `{"error":"until: 2026-11-23T09:30:00Z is not in the future","field":"until"}`},
		{name: "snooze until now", action: "snooze", body: `{"until":"2026-11-23T12:00:00+02:00"}`, status: 400,
			want: `{"error":"until: 2026-11-23T12:00:00+02:00 is not in the future","field":"until"}`},
		{name: "snooze past year 9999", action: "snooze", body: `{"until":"9999-12-31T23:00:00-05:00"}`, status: 400,
			want: `{"error":"until: want an RFC 3339 time such as 2026-11-23T18:00:00Z, got \"9999-12-31T23:00:00-05:00\"","field":"until"}`},
		{name: "hand over to nobody", action: "handover", body: `{"note":"bye"}`, status: 400,
			want: `{"error":"to: missing","field":"to"}`},
		{name: "hand over to yourself", action: "handover", body: `{"to":"vasiliy.vasiliyev"}`, status: 400,
			want: `{"error":"to: \"vasiliy.vasiliyev\" is you: hand over to someone else","field":"to"}`},

		// 401, 404.
		{name: "no token", token: "-", action: "acknowledge", body: `{}`, status: 401,
			want: `{"error":"authentication failed"}`},
		{name: "unknown incident", target: "01NOPE", action: "acknowledge", body: `{}`, status: 404,
			want: `{"error":"incident 01NOPE not found"}`},
		{name: "comment an unknown incident", target: "01NOPE", action: "comment", body: `{"text":"hello"}`, status: 404,
			want: `{"error":"incident 01NOPE not found"}`},

		// 409: transitions that do not apply.
		{name: "acknowledge a resolved incident", target: "b", action: "acknowledge", body: `{}`, status: 409,
			want: `{"error":"incident {b}: cannot acknowledge: resolved → acknowledged is not allowed"}`},
		{name: "acknowledge twice", setup: []string{`t-andrey acknowledge {}`}, action: "acknowledge", body: `{}`, status: 409,
			want: `{"error":"incident {a}: cannot acknowledge: acknowledged → acknowledged is not allowed"}`},
		{name: "unacknowledge an open incident", action: "unacknowledge", status: 409,
			want: `{"error":"incident {a}: cannot unacknowledge: open → open is not allowed"}`},
		{name: "wake an open incident", action: "wake", status: 409,
			want: `{"error":"incident {a}: cannot wake: open → open is not allowed"}`},
		{name: "snooze a resolved incident", target: "b", action: "snooze", body: `{"for":"1h"}`, status: 409,
			want: `{"error":"incident {b}: cannot snooze: resolved → snoozed is not allowed"}`},
		{name: "close an open incident", action: "close", body: `{}`, status: 409,
			want: `{"error":"incident {a}: cannot close: open → closed is not allowed"}`},
		{name: "reopen an open incident", action: "reopen", body: `{}`, status: 409,
			want: `{"error":"incident {a}: cannot reopen: open → open is not allowed"}`},
		{name: "resolve a resolved incident", target: "b", action: "resolve", body: `{"force":true}`, status: 409,
			want: `{"error":"incident {b}: cannot resolve: resolved → resolved is not allowed"}`},
		{name: "assign a closed incident", setup: []string{`t-vasiliy resolve {"force":true}`, `t-vasiliy close {}`},
			action: "assign", body: `{"assignee":"andrey.polovov"}`, status: 409,
			want: `{"error":"incident {a}: cannot assign: closed → closed is not allowed"}`},
		{name: "hand over a resolved incident", target: "b", action: "handover", body: `{"to":"andrey.polovov"}`, status: 409,
			want: `{"error":"incident {b}: cannot hand over: resolved → resolved is not allowed"}`},
		{name: "resolve while alerts fire", action: "resolve", body: `{"note":"done"}`, status: 409,
			want: `{"error":"incident: alerts are still active: incident {a} has 2 active alerts; resolve with force to override"}`},
		{name: "hand over someone else's incident", setup: []string{`t-vasiliy assign {"assignee":"andrey.polovov"}`},
			action: "handover", body: `{"to":"anna.ivanova"}`, status: 409,
			want: `{"error":"incident: not the owner: andrey.polovov owns incident {a}, not vasiliy.vasiliyev"}`},
		{name: "accept nothing", action: "accept", status: 409,
			want: `{"error":"incident: no hand-over to accept: incident {a} has no hand-over to vasiliy.vasiliyev"}`},
		{name: "accept someone else's hand-over", setup: []string{`t-vasiliy handover {"to":"andrey.polovov"}`},
			action: "accept", body: `{}`, status: 409,
			want: `{"error":"incident: no hand-over to accept: incident {a} has no hand-over to vasiliy.vasiliyev"}`},
		{name: "reopen when the group has a new incident", target: "b", action: "reopen", body: `{}`, status: 409,
			want: `{"error":"incident {b} cannot reopen: its group has opened another incident since"}`},

		// 413, 415.
		{name: "body too large", action: "comment", body: `{"text":"` + strings.Repeat("x", incidentapi.DefaultMaxBody) + `"}`, status: 413,
			want: `{"error":"body larger than 65536 bytes"}`},
		{name: "text", action: "acknowledge", body: `on it`, contentType: "text/plain", status: 415,
			want: `{"error":"unsupported Content-Type \"text/plain\"; use application/json"}`},
		{name: "text without a body", action: "acknowledge", contentType: "text/plain", status: 415,
			want: `{"error":"unsupported Content-Type \"text/plain\"; use application/json"}`},
		{name: "a form", action: "acknowledge", body: `note=on+it`, contentType: "application/x-www-form-urlencoded", status: 415,
			want: `{"error":"unsupported Content-Type \"application/x-www-form-urlencoded\"; use application/json"}`},
		{name: "a malformed media type", action: "acknowledge", body: `{}`, contentType: "application/", status: 415,
			want: `{"error":"unsupported Content-Type \"application/\"; use application/json"}`},
		{name: "no Content-Type and no body", action: "wake", contentType: "-", status: 415,
			want: `{"error":"missing Content-Type; use application/json"}`},
		{name: "JSON without a Content-Type", action: "acknowledge", body: `{"note":"on it"}`, contentType: "-", status: 415,
			want: `{"error":"missing Content-Type; use application/json"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, nil)
			id := e.target(tc.target)
			for _, s := range tc.setup {
				f := strings.SplitN(s, " ", 3)
				e.post(f[0], id, f[1], f[2])
			}
			e.takeChanged()
			before := e.versions()
			w := e.do(request{method: http.MethodPost, path: "/incidents/" + string(id) + "/" + tc.action,
				body: tc.body, token: tc.token, contentType: tc.contentType})
			want := strings.NewReplacer("{a}", string(e.a), "{b2}", string(e.b2), "{b}", string(e.b)).Replace(tc.want)
			assert.Equal(t, tc.status, w.Code)
			assert.Equal(t, want+"\n", w.Body.String())
			assert.Equal(t, "application/json", w.Header().Get("Content-Type"))
			assert.Empty(t, e.takeChanged(), "the Changed hook")
			assert.Equal(t, before, e.versions(), "no incident changed")
		})
	}
}

// TestConflict checks that a version conflict that reaches the API is a
// 409.
func TestConflict(t *testing.T) {
	e := newEnv(t, nil)
	e.store.fail(nil, &incident.ConflictError{ID: e.a, Have: 3, Stored: 4}, nil)
	w := e.do(request{method: http.MethodPost, path: "/incidents/" + string(e.a) + "/comment", body: `{"text":"hello"}`})
	assert.Equal(t, http.StatusConflict, w.Code)
	assert.Equal(t, `{"error":"incident `+string(e.a)+` changed while it was being updated; try again"}`+"\n", w.Body.String())
	assert.Empty(t, e.takeChanged())
}

// TestBodyLimit checks Options.MaxBody: a body of the limit passes, one a
// byte longer does not, whether or not its length is announced.
func TestBodyLimit(t *testing.T) {
	e := newEnv(t, func(o *incidentapi.Options) { o.MaxBody = 32 })
	fits := `{"text":"` + strings.Repeat("x", 32-len(`{"text":""}`)) + `"}`
	require.Len(t, fits, 32)
	over := `{"text":"` + strings.Repeat("x", 33-len(`{"text":""}`)) + `"}`
	for _, tc := range []struct {
		name    string
		body    string
		chunked bool
		status  int
	}{
		{name: "at the limit", body: fits, status: http.StatusOK},
		{name: "over the limit", body: over, status: http.StatusRequestEntityTooLarge},
		{name: "at the limit, chunked", body: fits, chunked: true, status: http.StatusOK},
		{name: "over the limit, chunked", body: over, chunked: true, status: http.StatusRequestEntityTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var body io.Reader = strings.NewReader(tc.body)
			if tc.chunked {
				body = io.MultiReader(body) // no length known
			}
			r := httptest.NewRequest(http.MethodPost, "/incidents/"+string(e.a)+"/comment", body)
			r.Header.Set("Authorization", "Bearer t-vasiliy")
			r.Header.Set("Content-Type", "application/json")
			if tc.chunked {
				r.ContentLength = -1
			}
			w := httptest.NewRecorder()
			e.api.ServeHTTP(w, r)
			require.Equal(t, tc.status, w.Code, "body: %s", w.Body)
			if tc.status != http.StatusOK {
				assert.Equal(t, `{"error":"body larger than 32 bytes"}`+"\n", w.Body.String())
			}
		})
	}
}

// TestBodyBudget checks that the bodies read at once are bounded in
// total: with the budget shared with an intake full, an action is
// answered 503 with Retry-After, unread, and goes through once the
// budget has room.
func TestBodyBudget(t *testing.T) {
	budget := alert.NewBodyBudget(64)
	e := newEnv(t, func(o *incidentapi.Options) { o.MaxBody = 32; o.Budget = budget })
	require.True(t, budget.TryReserve(60), "a body of the intake, in flight")
	before := e.versions()
	w := e.do(request{method: http.MethodPost, path: "/incidents/" + string(e.a) + "/comment", body: `{"text":"busy?"}`})
	require.Equal(t, http.StatusServiceUnavailable, w.Code, "body: %s", w.Body)
	assert.Equal(t, "1", w.Header().Get("Retry-After"))
	assert.JSONEq(t, `{"error":"busy: the request bodies in flight fill the server's budget; retry later"}`, w.Body.String())
	assert.Equal(t, before, e.versions())

	budget.Release(60)
	w = e.do(request{method: http.MethodPost, path: "/incidents/" + string(e.a) + "/comment", body: `{"text":"busy?"}`})
	require.Equal(t, http.StatusOK, w.Code, "body: %s", w.Body)
	assert.Zero(t, budget.InFlight(), "released when the request is done")
}

// TestConcurrentActions acknowledges an incident from many requests at
// once: one succeeds, the others find it acknowledged, and the Changed hook
// hears of it once.
func TestConcurrentActions(t *testing.T) {
	e := newEnv(t, nil)
	const n = 16
	codes := make(chan int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			token := []string{"t-vasiliy", "t-andrey"}[i%2]
			r := httptest.NewRequest(http.MethodPost, "/incidents/"+string(e.a)+"/acknowledge", strings.NewReader(`{}`))
			r.Header.Set("Authorization", "Bearer "+token)
			r.Header.Set("Content-Type", "application/json")
			w := httptest.NewRecorder()
			e.api.ServeHTTP(w, r)
			codes <- w.Code
		})
	}
	wg.Wait()
	close(codes)
	count := map[int]int{}
	for c := range codes {
		count[c]++
	}
	assert.Equal(t, map[int]int{http.StatusOK: 1, http.StatusConflict: n - 1}, count)
	assert.Equal(t, []string{string(e.a) + " acknowledged acknowledged"}, e.takeChanged())
}

// TestChangedContext checks that the Changed hook gets the request's
// values, without its cancellation, and is not called when an action
// fails.
func TestChangedContext(t *testing.T) {
	type key struct{}
	var got context.Context
	e := newEnv(t, func(o *incidentapi.Options) {
		o.Changed = func(ctx context.Context, _ *incident.Incident, _ incident.EventKind) { got = ctx }
	})
	ctx, cancel := context.WithCancel(context.WithValue(context.Background(), key{}, "trace-1"))
	defer cancel()
	w := e.do(request{method: http.MethodPost, path: "/incidents/" + string(e.a) + "/acknowledge", ctx: ctx})
	require.Equal(t, http.StatusOK, w.Code, "body: %s", w.Body)
	require.NotNil(t, got)
	assert.Equal(t, "trace-1", got.Value(key{}))
	cancel()
	assert.NoError(t, got.Err(), "the hook's context outlives the request")
}
