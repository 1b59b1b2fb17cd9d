package incidentapi_test

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"testing"

	"github.com/alertkit/alertkit/incident/incidentapi"
)

// fuzzActions are the actions FuzzActions posts to, by number.
var fuzzActions = []string{
	"acknowledge", "unacknowledge", "assign", "comment", "snooze", "wake",
	"handover", "accept", "resolve", "close", "reopen",
}

// FuzzActions posts arbitrary bodies to every action: the API answers
// each with JSON, never with a 500, and never panics.
func FuzzActions(f *testing.F) {
	for i, body := range []string{
		`{"note":"on it"}`, `{}`, `{"assignee":"andrey.polovov"}`, `{"text":"rebooting"}`,
		`{"for":"1h","resolve_if_ok":true,"comment":"later"}`, `{}`, `{"to":"andrey.polovov","note":"bye"}`,
		``, `{"note":"fixed","force":true}`, `{"note":"done"}`, `{"note":"again"}`,
	} {
		f.Add(uint8(i), []byte(body), uint8(0))
	}
	for _, body := range []string{
		`{"until":"2026-11-23T12:00:00Z"}`, `{"until":"9999-12-31T23:59:59-23:59"}`, `{"for":"292y"}`,
		`{"for":"9223372036854775807ns"}`, `{"forever":true,"for":"1h"}`, `{"note":"\ud800"}`, `{"note":` + "\"\xff\"}",
		`null`, `[]`, `{"note":{"a":[1,2,{}]}}`, `{"assignee":"\u0000"}`, `{"to":"vasiliy.vasiliyev"}`, `{} x`,
	} {
		f.Add(uint8(4), []byte(body), uint8(0))
		f.Add(uint8(6), []byte(body), uint8(3))
		f.Add(uint8(10), []byte(body), uint8(1))
	}
	f.Fuzz(func(t *testing.T, action uint8, body []byte, state uint8) {
		// Each input runs on new incidents, so that a failure repeats.
		e := newEnv(t, func(o *incidentapi.Options) {
			o.Logger, o.Changed = slog.New(slog.DiscardHandler), nil
		})
		id, token := e.a, "t-vasiliy"
		switch state % 4 {
		case 1: // resolved
			id = e.b
		case 2:
			e.post(token, id, "snooze", `{"for":"1h"}`)
		case 3: // the new owner acts on a hand-over in flight
			e.post(token, id, "handover", `{"to":"andrey.polovov"}`)
			token = "t-andrey"
		}
		name := fuzzActions[int(action)%len(fuzzActions)]
		w := e.do(request{method: http.MethodPost, path: "/incidents/" + string(id) + "/" + name, body: string(body), token: token})
		if w.Code >= 500 {
			t.Fatalf("POST %s %q: %d %s", name, body, w.Code, w.Body)
		}
		var answer map[string]any
		if err := json.Unmarshal(w.Body.Bytes(), &answer); err != nil {
			t.Fatalf("POST %s %q: %d, not JSON: %v: %s", name, body, w.Code, err, w.Body)
		}
		if msg, _ := answer["error"].(string); (w.Code != http.StatusOK) != (msg != "") {
			t.Fatalf("POST %s %q: %d with error %q", name, body, w.Code, msg)
		}
	})
}
