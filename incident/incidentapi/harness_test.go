package incidentapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/require"

	"github.com/alertkit/alertkit/alert"
	"github.com/alertkit/alertkit/dedup"
	"github.com/alertkit/alertkit/incident"
	"github.com/alertkit/alertkit/incident/incidentapi"
	"github.com/alertkit/alertkit/internal/clock"
	goldenfile "github.com/alertkit/alertkit/internal/golden"
	"github.com/alertkit/alertkit/notify"
	"github.com/alertkit/alertkit/route"
)

// start is 09:00 of the day of the tests' incidents.
var start = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

// tokens are the bearer tokens that the tests' Authenticate knows.
var tokens = map[string]string{
	"t-vasiliy": "vasiliy.vasiliyev",
	"t-andrey":  "andrey.polovov",
	"t-nobody":  "", // Authenticate answers an empty actor
}

// env is the dedup and incident stages on a fake clock, with the API over
// them, and three incidents made the way a pipeline makes them:
//
//   - a (09:00): two TargetDown alerts of namespace shop, S2, team sre, open;
//   - b (09:05): KubePodCrashLooping of namespace billing, S3, resolved at
//     09:10;
//   - b2 (09:50): the same alert firing again, too late to reopen b: a new
//     incident, similar to b.
//
// The clock then reads 10:00.
type env struct {
	t     testing.TB
	ctx   context.Context
	clock *clock.Fake
	dedup *dedup.Deduper
	store *faultyStore
	m     *incident.Manager
	log   *notify.MemoryLog
	api   *incidentapi.API

	a, b, b2 incident.ID

	mu      sync.Mutex
	changed []string // "id kind status"
	logs    bytes.Buffer
}

func newEnv(t testing.TB, configure func(*incidentapi.Options)) *env {
	t.Helper()
	e := &env{t: t, ctx: context.Background(), clock: clock.NewFake(start)}
	e.store = &faultyStore{MemoryStore: incident.NewMemoryStore()}
	e.dedup = dedup.New(&dedup.Options{Now: e.clock.Now})
	e.m = incident.NewManager(e.store, &incident.Options{
		Now:     e.clock.Now,
		Entropy: rand.NewChaCha8([32]byte{7}),
	})
	e.log = notify.NewMemoryLog()

	e.a = e.fire(down("10.244.37.14:9403"), down("10.244.37.15:9403")).ID
	e.clock.Set(start.Add(5 * time.Minute))
	e.b = e.fire(crash()).ID
	e.clock.Set(start.Add(10 * time.Minute))
	e.resolve(crash())
	e.clock.Set(start.Add(50 * time.Minute))
	e.b2 = e.fire(crash()).ID
	e.clock.Set(start.Add(time.Hour))

	for _, at := range []notify.Attempt{
		{Key: "n1", Receiver: "slack-ops", Incident: e.a, Reason: notify.ReasonOpened, Number: 1, At: start.Add(2 * time.Second),
			Latency: 250 * time.Millisecond, Outcome: notify.OutcomeDelivered, StatusCode: 200},
		{Key: "n2", Receiver: "pd-sre", Incident: e.a, Reason: notify.ReasonOpened, Number: 1, At: start.Add(3 * time.Second),
			Latency: 1500 * time.Millisecond, Outcome: notify.OutcomeFailed, StatusCode: 503, Error: "pagerduty: 503 Service Unavailable",
			RetryAt: start.Add(33 * time.Second)},
	} {
		require.NoError(t, e.log.Record(e.ctx, at))
	}

	rb, err := route.ParseRunbook("runbooks/target-down.md", []byte(`---
title: A scrape target is down
mql: trigger = TargetDown
priority: 10
---
1. Is the pod running? kubectl -n {{ namespace }} get pods
`), nil)
	require.NoError(t, err)

	opts := &incidentapi.Options{
		Authenticate: func(r *http.Request) (string, error) {
			token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
			if !ok {
				return "", errors.New("no bearer token")
			}
			actor, ok := tokens[token]
			if !ok {
				return "", errors.New("unknown token " + token)
			}
			return actor, nil
		},
		Changed: func(_ context.Context, inc *incident.Incident, kind incident.EventKind) {
			e.mu.Lock()
			defer e.mu.Unlock()
			e.changed = append(e.changed, string(inc.ID)+" "+string(kind)+" "+inc.Status.String())
		},
		// vasiliy.vasiliyev commands incidents; andrey.polovov is of the
		// team sre.
		Authorize: (&incidentapi.Policy{
			Roles: func(_ context.Context, actor string) ([]incidentapi.Role, error) {
				if actor == "vasiliy.vasiliyev" {
					return []incidentapi.Role{incidentapi.RoleIncidentCommander}, nil
				}
				return nil, nil
			},
			TeamsOf: func(_ context.Context, actor string) ([]string, error) {
				if actor == "andrey.polovov" {
					return []string{"sre"}, nil
				}
				return nil, nil
			},
		}).Authorize,
		Log:      e.log,
		Runbooks: route.NewRunbooks([]*route.Runbook{rb}, nil),
		URL:      func(id incident.ID) string { return "https://alertkit.example/incidents/" + string(id) },
		Now:      e.clock.Now,
		Logger:   slog.New(slog.NewTextHandler(&e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	if configure != nil {
		configure(opts)
	}
	e.api, err = incidentapi.New(e.m, opts)
	require.NoError(t, err)
	return e
}

// summaries are the annotations of the alerts, by alertname.
var summaries = map[model.LabelValue]model.LabelSet{
	"TargetDown":          {"summary": "A scrape target is down", "runbook_url": "https://runbooks.example/TargetDown"},
	"KubePodCrashLooping": {"summary": "A pod restarts over and over"},
}

func down(instance string) model.LabelSet {
	return model.LabelSet{"alertname": "TargetDown", "namespace": "shop", "instance": model.LabelValue(instance),
		"team": "sre", "severity_level": "S2"}
}

func crash() model.LabelSet {
	return model.LabelSet{"alertname": "KubePodCrashLooping", "namespace": "billing", "pod": "api-7d9f", "severity_level": "S3"}
}

// fire reports alerts firing since now, and returns the incident of the
// last.
func (e *env) fire(labels ...model.LabelSet) *incident.Incident {
	e.t.Helper()
	var batch []alert.Alert
	for _, ls := range labels {
		batch = append(batch, alert.Alert{
			Labels:      ls,
			Annotations: summaries[ls["alertname"]],
			StartsAt:    e.clock.Now(), UpdatedAt: e.clock.Now(),
		})
	}
	return e.observe(e.dedup.Ingest(batch))
}

// resolve reports alerts resolved now.
func (e *env) resolve(labels ...model.LabelSet) {
	e.t.Helper()
	var batch []alert.Alert
	for _, ls := range labels {
		rec, ok := e.dedup.Get(alert.Fingerprint(ls))
		require.True(e.t, ok, "resolving an alert never seen: %v", ls)
		batch = append(batch, alert.Alert{Labels: ls, StartsAt: rec.Alert.StartsAt, EndsAt: e.clock.Now(), UpdatedAt: e.clock.Now()})
	}
	e.observe(e.dedup.Ingest(batch))
}

func (e *env) observe(changes []dedup.Change) *incident.Incident {
	e.t.Helper()
	var inc *incident.Incident
	for i := range changes {
		var err error
		inc, err = e.m.Observe(e.ctx, &changes[i], nil)
		require.NoError(e.t, err, "change %s", changes[i].String())
	}
	return inc
}

// request is an HTTP request to the API. By default it comes from
// vasiliy.vasiliyev, and a body, or a POST, is JSON.
type request struct {
	method, path, body string
	// token is the bearer token; "-" sends none. Default t-vasiliy.
	token string
	// contentType overrides the Content-Type; "-" sends none.
	contentType string
	ctx         context.Context
}

func (e *env) do(req request) *httptest.ResponseRecorder {
	e.t.Helper()
	var body io.Reader
	if req.body != "" {
		body = strings.NewReader(req.body)
	}
	r := httptest.NewRequest(req.method, "http://alertkit.example"+req.path, body)
	if req.ctx != nil {
		r = r.WithContext(req.ctx)
	}
	switch req.token {
	case "":
		r.Header.Set("Authorization", "Bearer t-vasiliy")
	case "-":
	default:
		r.Header.Set("Authorization", "Bearer "+req.token)
	}
	switch {
	case req.contentType == "-":
	case req.contentType != "":
		r.Header.Set("Content-Type", req.contentType)
	case req.body != "" || req.method == http.MethodPost:
		r.Header.Set("Content-Type", "application/json")
	}
	w := httptest.NewRecorder()
	e.api.ServeHTTP(w, r)
	return w
}

// post acts on an incident as an actor, and requires success.
func (e *env) post(token string, id incident.ID, action, body string) {
	e.t.Helper()
	w := e.do(request{method: http.MethodPost, path: "/incidents/" + string(id) + "/" + action, body: body, token: token})
	require.Equal(e.t, http.StatusOK, w.Code, "POST %s %s: %s", action, body, w.Body)
}

// takeChanged returns the calls of the Changed hook since the last call.
func (e *env) takeChanged() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	c := e.changed
	e.changed = nil
	return c
}

// history returns an incident's history as "actor kind from→to: note"
// lines.
func (e *env) lastEvent(id incident.ID) incident.Event {
	e.t.Helper()
	events, err := e.store.History(e.ctx, id)
	require.NoError(e.t, err)
	require.NotEmpty(e.t, events)
	return events[len(events)-1]
}

// golden compares a JSON response with testdata/<name>.golden, indented;
// with -update it rewrites the file.
func golden(t *testing.T, name string, body []byte) {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, json.Indent(&b, body, "", "  "), "response: %s", body)
	goldenfile.Check(t, filepath.Join("testdata", name+".golden"), b.Bytes())
}

// faultyStore is a MemoryStore that fails as a test tells it to.
type faultyStore struct {
	*incident.MemoryStore
	mu                         sync.Mutex
	getErr, appendErr, listErr error
}

func (s *faultyStore) fail(get, appendHistory, list error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.getErr, s.appendErr, s.listErr = get, appendHistory, list
}

func (s *faultyStore) errs() (get, appendHistory, list error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.getErr, s.appendErr, s.listErr
}

func (s *faultyStore) Get(ctx context.Context, id incident.ID) (*incident.Incident, error) {
	if err, _, _ := s.errs(); err != nil {
		return nil, err
	}
	return s.MemoryStore.Get(ctx, id)
}

func (s *faultyStore) AppendHistory(ctx context.Context, id incident.ID, events ...incident.Event) error {
	if _, err, _ := s.errs(); err != nil {
		return err
	}
	return s.MemoryStore.AppendHistory(ctx, id, events...)
}

func (s *faultyStore) Search(ctx context.Context, f incident.Filter) ([]*incident.Incident, error) {
	if _, _, err := s.errs(); err != nil {
		return nil, err
	}
	return s.MemoryStore.Search(ctx, f)
}

func (e *env) get(id incident.ID) *incident.Incident {
	e.t.Helper()
	inc, err := e.store.MemoryStore.Get(e.ctx, id)
	require.NoError(e.t, err)
	return inc
}

// replaceID puts an incident's ID in a path written with {a}.
func replaceID(path string, id incident.ID) string {
	return strings.ReplaceAll(path, "{a}", string(id))
}
