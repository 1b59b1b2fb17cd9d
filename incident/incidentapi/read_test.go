package incidentapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alertkit/alertkit/incident"
	"github.com/alertkit/alertkit/incident/incidentapi"
)

func TestNew(t *testing.T) {
	m := incident.NewManager(incident.NewMemoryStore(), nil)
	for _, tc := range []struct {
		name string
		m    *incident.Manager
		opts *incidentapi.Options
		want string
	}{
		{name: "nil manager", opts: &incidentapi.Options{AllowAnonymous: true}, want: "incidentapi: nil Manager"},
		{name: "nil options", m: m,
			want: "incidentapi: Options.Authenticate is nil: set it, or set AllowAnonymous to serve every request as api"},
		{name: "no authentication", m: m, opts: &incidentapi.Options{MaxBody: 10},
			want: "incidentapi: Options.Authenticate is nil: set it, or set AllowAnonymous to serve every request as api"},
		{name: "negative body limit", m: m, opts: &incidentapi.Options{AllowAnonymous: true, MaxBody: -1},
			want: "incidentapi: Options.MaxBody -1: negative"},
		{name: "anonymous", m: m, opts: &incidentapi.Options{AllowAnonymous: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			api, err := incidentapi.New(tc.m, tc.opts)
			if tc.want != "" {
				require.EqualError(t, err, tc.want)
				require.Nil(t, api)
				return
			}
			require.NoError(t, err)
			require.NotNil(t, api)
		})
	}
}

// TestRead checks every read endpoint, and every error that reading can
// meet, with the exact bodies: the long ones in testdata.
func TestRead(t *testing.T) {
	e := newEnv(t, nil)
	a, b, b2 := string(e.a), string(e.b), string(e.b2)
	q := func(s string) string { return url.QueryEscape(s) }
	for _, tc := range []struct {
		name, method, path string
		status             int
		// golden names the file of a long body; body is a short one.
		golden, body string
		allow        string
	}{
		{name: "snooze presets", path: "/snooze-presets", status: 200,
			body: `{"presets":[{"for":"30m","seconds":1800,"label":"30 minutes"},{"for":"1h","seconds":3600,"label":"1 hour"},` +
				`{"for":"3h","seconds":10800,"label":"3 hours"},{"for":"6h","seconds":21600,"label":"6 hours"}]}`},
		{name: "search all", path: "/incidents", status: 200, golden: "search"},
		{name: "search by status", path: "/incidents?q=" + q("status = open"), status: 200, golden: "search-open"},
		{name: "search by label of an alert", path: "/incidents?q=" + q(`~instance = "10.244.37.15:9403"`), status: 200, golden: "search-instance"},
		{name: "search by severity", path: "/incidents?q=" + q("severity <= S2 AND team = sre"), status: 200, golden: "search-instance"},
		{name: "search as the package documentation", path: "/incidents?q=status+IN+(open,+acknowledged)+AND+severity+<=+S2&limit=50",
			status: 200, golden: "search-instance"},
		{name: "search finds none", path: "/incidents?q=" + q("trigger = DiskFull"), status: 200, body: `{"incidents":[]}`},
		{name: "search first page", path: "/incidents?limit=2", status: 200, golden: "search-page1"},
		{name: "search next page", path: "/incidents?limit=2&before=" + b, status: 200, golden: "search-page2"},
		{name: "search syntax error", path: "/incidents?q=" + q("status = open AND"), status: 400,
			body: `{"error":"q: 1:18: expected a field or label after AND, got end of query","field":"q","position":{"offset":17,"line":1,"column":18}}`},
		{name: "search invalid severity", path: "/incidents?q=" + q("severity <= S12"), status: 400,
			body: `{"error":"q: 1:13: invalid severity \"S12\" (want S1 to S9)","field":"q","position":{"offset":12,"line":1,"column":13}}`},
		{name: "search limit not a number", path: "/incidents?limit=ten", status: 400,
			body: `{"error":"limit: want a whole number from 1 to 1000, got \"ten\"","field":"limit"}`},
		{name: "search limit zero", path: "/incidents?limit=0", status: 400,
			body: `{"error":"limit: want a whole number from 1 to 1000, got \"0\"","field":"limit"}`},
		{name: "search limit too high", path: "/incidents?limit=1001", status: 400,
			body: `{"error":"limit: want a whole number from 1 to 1000, got \"1001\"","field":"limit"}`},
		{name: "incident", path: "/incidents/" + a, status: 200, golden: "incident"},
		{name: "resolved incident", path: "/incidents/" + b, status: 200, golden: "incident-resolved"},
		{name: "members", path: "/incidents/" + a + "/members", status: 200, golden: "members"},
		{name: "history", path: "/incidents/" + b + "/history", status: 200, golden: "history"},
		{name: "runbooks", path: "/incidents/" + a + "/runbooks", status: 200,
			body: `{"runbooks":[{"title":"A scrape target is down","priority":10,"file":"runbooks/target-down.md","match":"trigger = TargetDown",` +
				`"body":"1. Is the pod running? kubectl -n {{ namespace }} get pods\n"}]}`},
		{name: "no runbooks", path: "/incidents/" + b + "/runbooks", status: 200, body: `{"runbooks":[]}`},
		{name: "deliveries", path: "/incidents/" + a + "/deliveries", status: 200, golden: "deliveries"},
		{name: "no deliveries", path: "/incidents/" + b + "/deliveries", status: 200, body: `{"deliveries":[]}`},
		{name: "similar", path: "/incidents/" + b2 + "/similar", status: 200, golden: "similar"},
		{name: "similar limited", path: "/incidents/" + b2 + "/similar?limit=1", status: 200, golden: "similar"},
		{name: "nothing similar", path: "/incidents/" + a + "/similar", status: 200,
			body: `{"count":0,"recent":[]}`},
		{name: "similar bad limit", path: "/incidents/" + a + "/similar?limit=101", status: 400,
			body: `{"error":"limit: want a whole number from 1 to 100, got \"101\"","field":"limit"}`},
		{name: "head", method: http.MethodHead, path: "/incidents/" + a, status: 200},

		{name: "unknown incident", path: "/incidents/01NOPE", status: 404, body: `{"error":"incident 01NOPE not found"}`},
		{name: "members of unknown", path: "/incidents/01NOPE/members", status: 404, body: `{"error":"incident 01NOPE not found"}`},
		{name: "history of unknown", path: "/incidents/01NOPE/history", status: 404, body: `{"error":"incident 01NOPE not found"}`},
		{name: "runbooks of unknown", path: "/incidents/01NOPE/runbooks", status: 404, body: `{"error":"incident 01NOPE not found"}`},
		{name: "deliveries of unknown", path: "/incidents/01NOPE/deliveries", status: 404, body: `{"error":"incident 01NOPE not found"}`},
		{name: "similar of unknown", path: "/incidents/01NOPE/similar", status: 404, body: `{"error":"incident 01NOPE not found"}`},
		{name: "no endpoint", path: "/alerts", status: 404, body: `{"error":"no endpoint /alerts"}`},
		{name: "unknown sub-resource", path: "/incidents/" + a + "/timeline", status: 404, body: `{"error":"no endpoint /incidents/` + a + `/timeline"}`},
		{name: "unknown action", method: http.MethodPost, path: "/incidents/" + a + "/escalate", status: 404,
			body: `{"error":"no endpoint /incidents/` + a + `/escalate"}`},
		{name: "double slash", path: "//incidents", status: 404, body: `{"error":"no endpoint //incidents"}`},
		{name: "dot dot", path: "/alerts/../incidents", status: 404, body: `{"error":"no endpoint /alerts/../incidents"}`},
		{name: "trailing slash", path: "/incidents/", status: 404, body: `{"error":"no endpoint /incidents/"}`},
		{name: "post to a collection", method: http.MethodPost, path: "/incidents", status: 405, allow: "GET, HEAD",
			body: `{"error":"method POST not allowed; use GET, HEAD"}`},
		{name: "delete an incident", method: http.MethodDelete, path: "/incidents/" + a, status: 405, allow: "GET, HEAD",
			body: `{"error":"method DELETE not allowed; use GET, HEAD"}`},
		{name: "get an action", path: "/incidents/" + a + "/acknowledge", status: 405, allow: "POST",
			body: `{"error":"method GET not allowed; use POST"}`},
		{name: "post to history", method: http.MethodPost, path: "/incidents/" + a + "/history", status: 405, allow: "GET, HEAD",
			body: `{"error":"method POST not allowed; use GET, HEAD"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			method := tc.method
			if method == "" {
				method = http.MethodGet
			}
			w := e.do(request{method: method, path: tc.path})
			require.Equal(t, tc.status, w.Code, "body: %s", w.Body)
			assert.Equal(t, "application/json", w.Header().Get("Content-Type"))
			assert.Equal(t, tc.allow, w.Header().Get("Allow"))
			switch {
			case tc.golden != "":
				golden(t, tc.golden, w.Body.Bytes())
			case method == http.MethodHead:
				assert.Empty(t, w.Body.String())
			default:
				assert.Equal(t, tc.body+"\n", w.Body.String())
			}
		})
	}
	assert.Empty(t, e.takeChanged(), "reading changed nothing")
}

// TestOptional checks that the endpoints of optional parts are absent
// without them, and their fields left out of the detail.
func TestOptional(t *testing.T) {
	e := newEnv(t, func(o *incidentapi.Options) {
		o.Log, o.Runbooks, o.URL = nil, nil, nil
	})
	for _, path := range []string{"/runbooks", "/deliveries"} {
		w := e.do(request{method: http.MethodGet, path: "/incidents/" + string(e.a) + path})
		assert.Equal(t, http.StatusNotFound, w.Code, path)
	}
	w := e.do(request{method: http.MethodGet, path: "/incidents/" + string(e.a)})
	require.Equal(t, http.StatusOK, w.Code)
	assert.NotContains(t, w.Body.String(), `"runbooks"`)
	assert.NotContains(t, w.Body.String(), `"deliveries"`)
	assert.NotContains(t, w.Body.String(), `"url"`)
}

// TestAuthentication checks that every endpoint authenticates, answers 401
// without saying why, and logs why.
func TestAuthentication(t *testing.T) {
	e := newEnv(t, nil)
	a := "/incidents/" + string(e.a)
	for _, tc := range []struct {
		name, token, logged string
	}{
		{name: "no token", token: "-", logged: "no bearer token"},
		{name: "unknown token", token: "t-mallory", logged: "unknown token t-mallory"},
		{name: "empty actor", token: "t-nobody", logged: "empty actor from Options.Authenticate"},
	} {
		for _, req := range []request{
			{method: http.MethodGet, path: "/incidents"},
			{method: http.MethodGet, path: a},
			{method: http.MethodGet, path: a + "/history"},
			{method: http.MethodGet, path: "/snooze-presets"},
			{method: http.MethodPost, path: a + "/acknowledge", body: `{"note":"on it"}`},
			{method: http.MethodPost, path: "/incidents/01NOPE/acknowledge"},
		} {
			t.Run(tc.name+" "+req.method+" "+req.path, func(t *testing.T) {
				e.logs.Reset()
				req.token = tc.token
				w := e.do(req)
				require.Equal(t, http.StatusUnauthorized, w.Code)
				assert.Equal(t, `{"error":"authentication failed"}`+"\n", w.Body.String())
				assert.Equal(t, `Bearer realm="alertkit"`, w.Header().Get("WWW-Authenticate"))
				assert.Contains(t, e.logs.String(), "level=WARN msg=\"incidentapi: authentication failed\"")
				assert.Contains(t, e.logs.String(), tc.logged)
			})
		}
	}
	assert.Empty(t, e.takeChanged())
	assert.Equal(t, "open", e.get(e.a).Status.String(), "nothing was done")

	t.Run("challenge", func(t *testing.T) {
		e := newEnv(t, func(o *incidentapi.Options) { o.Challenge = `Cookie realm="ops"` })
		w := e.do(request{method: http.MethodGet, path: "/incidents", token: "-"})
		assert.Equal(t, `Cookie realm="ops"`, w.Header().Get("WWW-Authenticate"))
	})
	t.Run("anonymous", func(t *testing.T) {
		e := newEnv(t, func(o *incidentapi.Options) { o.Authenticate, o.AllowAnonymous = nil, true })
		w := e.do(request{method: http.MethodPost, path: a + "/acknowledge", token: "-"})
		require.Equal(t, http.StatusOK, w.Code, "body: %s", w.Body)
		assert.Equal(t, incidentapi.AnonymousActor, e.lastEvent(e.a).Actor)
	})
}

// TestInternalErrors checks that a failing store is a 500 whose body says
// nothing of the failure, which goes to the log, and that a cancelled
// request is a 503.
func TestInternalErrors(t *testing.T) {
	secret := errors.New("dial tcp 10.0.0.5:5432: password authentication failed for user alertkit")
	for _, tc := range []struct {
		name      string
		get, list error
		req       request
	}{
		{name: "get", get: secret, req: request{method: http.MethodGet, path: "/incidents/{a}"}},
		{name: "action", get: secret, req: request{method: http.MethodPost, path: "/incidents/{a}/acknowledge"}},
		{name: "search", list: secret, req: request{method: http.MethodGet, path: "/incidents"}},
		{name: "similar", list: secret, req: request{method: http.MethodGet, path: "/incidents/{a}/similar"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, nil)
			e.store.fail(tc.get, nil, tc.list)
			tc.req.path = replaceID(tc.req.path, e.a)
			w := e.do(tc.req)
			require.Equal(t, http.StatusInternalServerError, w.Code)
			assert.Equal(t, `{"error":"internal error"}`+"\n", w.Body.String())
			assert.Contains(t, e.logs.String(), "level=ERROR")
			assert.Contains(t, e.logs.String(), "password authentication failed")
			assert.Contains(t, e.logs.String(), "actor=vasiliy.vasiliyev")
			assert.Empty(t, e.takeChanged())
		})
	}
	t.Run("cancelled", func(t *testing.T) {
		e := newEnv(t, nil)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		for _, req := range []request{
			{method: http.MethodGet, path: "/incidents", ctx: ctx},
			{method: http.MethodPost, path: replaceID("/incidents/{a}/acknowledge", e.a), ctx: ctx},
		} {
			w := e.do(req)
			require.Equal(t, http.StatusServiceUnavailable, w.Code, req.path)
			assert.Equal(t, `{"error":"request cancelled or timed out"}`+"\n", w.Body.String())
		}
		assert.Empty(t, e.takeChanged())
	})
}

// TestLongHistory comments on an incident far beyond the store's cap:
// every answer stays small, the detail holds the newest entries, and
// paging back through the history reaches every entry kept, the oldest
// folded into one that counts them.
func TestLongHistory(t *testing.T) {
	e := newEnv(t, nil)
	note := strings.Repeat("x", 1000)
	const comments = incident.DefaultMaxHistory + 500
	for i := range comments {
		w := e.do(request{method: http.MethodPost, path: "/incidents/" + string(e.a) + "/comment", body: `{"text":"` + note + `"}`})
		require.Equal(t, http.StatusOK, w.Code, "comment %d: %s", i, w.Body)
		require.Less(t, w.Body.Len(), 2000, "an action answers with the incident, not its history")
	}

	w := e.do(request{method: http.MethodGet, path: "/incidents/" + string(e.a)})
	require.Equal(t, http.StatusOK, w.Code)
	var d incidentapi.Detail
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &d))
	require.Len(t, d.History, incidentapi.DetailHistory)
	require.NotZero(t, d.HistoryNext)
	assert.Equal(t, d.History[0].Seq, d.HistoryNext)

	// Page back to the beginning.
	seen := len(d.History)
	before := d.HistoryNext
	var first incidentapi.Event
	for before != 0 {
		w := e.do(request{method: http.MethodGet, path: fmt.Sprintf("/incidents/%s/history?limit=300&before=%d", e.a, before)})
		require.Equal(t, http.StatusOK, w.Code, "body: %s", w.Body)
		var page incidentapi.HistoryResult
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), &page))
		require.LessOrEqual(t, len(page.History), 300)
		require.NotEmpty(t, page.History)
		require.Less(t, page.History[len(page.History)-1].Seq, before)
		seen += len(page.History)
		first, before = page.History[0], page.Next
	}
	assert.LessOrEqual(t, seen, incident.DefaultMaxHistory, "the store's cap holds")
	assert.Equal(t, "folded", first.Kind)
	assert.Equal(t, comments+3, first.Folded+seen-1, "the folded entry counts every entry it stands for")
	assert.Contains(t, first.Note, "older entries")

	for _, q := range []string{"before=0", "before=x", "limit=0", "limit=1001"} {
		w := e.do(request{method: http.MethodGet, path: "/incidents/" + string(e.a) + "/history?" + q})
		assert.Equal(t, http.StatusBadRequest, w.Code, "%s: %s", q, w.Body)
	}
}

// TestTextLimits checks that comments and notes longer than MaxTextBytes
// are refused, naming the field.
func TestTextLimits(t *testing.T) {
	e := newEnv(t, nil)
	long := strings.Repeat("x", incidentapi.MaxTextBytes+1)
	for _, tc := range []struct{ action, body, want string }{
		{"comment", `{"text":"` + long + `"}`, `text: 16385 bytes is longer than the limit of 16384`},
		{"acknowledge", `{"note":"` + long + `"}`, `note: 16385 bytes is longer than the limit of 16384`},
		{"snooze", `{"for":"1h","comment":"` + long + `"}`, `comment: 16385 bytes is longer than the limit of 16384`},
	} {
		w := e.do(request{method: http.MethodPost, path: "/incidents/" + string(e.a) + "/" + tc.action, body: tc.body})
		require.Equal(t, http.StatusBadRequest, w.Code, "%s: %s", tc.action, w.Body)
		assert.Contains(t, w.Body.String(), tc.want)
	}
}
