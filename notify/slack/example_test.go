package slack_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/alertkit/alertkit/notify"
	"github.com/alertkit/alertkit/notify/notifytest"
	"github.com/alertkit/alertkit/notify/slack"
)

// An incoming webhook: every notification is a new message, its header
// the incident's title and its text what a notification shows.
func Example() {
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m struct {
			Text   string `json:"text"`
			Blocks []struct {
				Type string `json:"type"`
				Text struct {
					Text string `json:"text"`
				} `json:"text"`
			} `json:"blocks"`
		}
		json.NewDecoder(r.Body).Decode(&m)
		fmt.Println(r.Method, r.URL.Path)
		fmt.Println("header:", m.Blocks[0].Text.Text)
		fmt.Println("text:", m.Text)
		io.WriteString(w, "ok")
	}))
	defer hook.Close()

	s, err := slack.New(&slack.Config{
		WebhookURL: notify.Secret(hook.URL + "/services/T0000/B0000/XXXXXXXX"),
		Mentions:   map[string]string{"vasiliy.vasiliyev": "U024BE7LH"},
	}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := s.Notify(context.Background(), notifytest.Sample(notify.ReasonOpened)); err != nil {
		fmt.Println(err)
	}
	// Output:
	// POST /services/T0000/B0000/XXXXXXXX
	// header: [OPEN] S2 TargetDown in horns-and-hooves
	// text: [OPEN] S2 TargetDown in horns-and-hooves — a new incident · <@U024BE7LH>, sre
}

// With a bot token, an incident keeps one message: acknowledging and
// resolving update it, and the notes go to its thread.
func Example_updates() {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m struct {
			Channel  string `json:"channel"`
			TS       string `json:"ts"`
			ThreadTS string `json:"thread_ts"`
			Text     string `json:"text"`
		}
		json.NewDecoder(r.Body).Decode(&m)
		switch {
		case m.TS != "":
			fmt.Printf("%s ts=%s\n", r.URL.Path, m.TS)
		case m.ThreadTS != "":
			fmt.Printf("%s thread_ts=%s: %s\n", r.URL.Path, m.ThreadTS, m.Text)
		default:
			fmt.Printf("%s: %s\n", r.URL.Path, m.Text)
		}
		json.NewEncoder(w).Encode(map[string]any{"ok": true, "channel": "C0123ABCD", "ts": "1795452330.000100"})
	}))
	defer api.Close()

	s, err := slack.New(&slack.Config{Token: "xoxb-0000", Channel: "C0123ABCD", APIURL: api.URL}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range []notify.Reason{notify.ReasonOpened, notify.ReasonAcknowledged, notify.ReasonResolved} {
		if err := s.Notify(context.Background(), notifytest.Sample(r)); err != nil {
			fmt.Println(err)
		}
	}
	// Output:
	// /chat.postMessage: [OPEN] S2 TargetDown in horns-and-hooves — a new incident · vasiliy.vasiliyev, sre
	// /chat.update ts=1795452330.000100
	// /chat.postMessage thread_ts=1795452330.000100: Acknowledged: acknowledged by vasiliy.vasiliyev: looking · vasiliy.vasiliyev, sre
	// /chat.update ts=1795452330.000100
	// /chat.postMessage thread_ts=1795452330.000100: Resolved: all alerts resolved · vasiliy.vasiliyev, sre
}
