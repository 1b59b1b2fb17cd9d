package slack_test

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	goldenfile "github.com/alertkit/alertkit/internal/golden"
	"github.com/alertkit/alertkit/notify"
	"github.com/alertkit/alertkit/notify/notifytest"
	"github.com/alertkit/alertkit/notify/slack"
)

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	goldenfile.Check(t, filepath.Join("testdata", name), got)
}

func pretty(t *testing.T, raw []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := json.Indent(&buf, raw, "", "  "); err != nil {
		t.Fatalf("%v: %s", err, raw)
	}
	buf.WriteByte('\n')
	return buf.Bytes()
}

// The webhook payload of every sample notification.
func TestGoldenWebhook(t *testing.T) {
	for _, reason := range notify.Reasons() {
		t.Run(string(reason), func(t *testing.T) {
			f := newFake(t, webhookMode)
			s := newSender(t, f.config(), nil)
			if err := s.Notify(t.Context(), notifytest.Sample(reason)); err != nil {
				t.Fatal(err)
			}
			log := f.log()
			if len(log) != 1 {
				t.Fatalf("%d requests, want 1", len(log))
			}
			golden(t, string(reason)+".golden", pretty(t, log[0].Raw))
		})
	}
}

// With a bot token: the card is posted, an escalation replies in its
// thread, and acknowledging and resolving update the card and reply.
func TestGoldenUpdates(t *testing.T) {
	f := newFake(t, botMode)
	s := newSender(t, f.config(), nil)
	for _, reason := range []notify.Reason{notify.ReasonOpened, notify.ReasonEscalation, notify.ReasonAcknowledged, notify.ReasonResolved} {
		if err := s.Notify(t.Context(), notifytest.Sample(reason)); err != nil {
			t.Fatalf("%s: %v", reason, err)
		}
	}
	want := []string{
		"chat.postMessage",                      // opened: the card
		"chat.postMessage thread_ts=" + firstTS, // escalation: a reply
		"chat.update ts=" + firstTS,             // acknowledged: the card updated
		"chat.postMessage thread_ts=" + firstTS, // and the note replied
		"chat.update ts=" + firstTS,             // resolved
		"chat.postMessage thread_ts=" + firstTS,
	}
	var out bytes.Buffer
	log := f.log()
	got := calls(log)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("calls:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for i, r := range log {
		out.WriteString("POST " + r.Path + "\n")
		out.Write(pretty(t, r.Raw))
		if i < len(log)-1 {
			out.WriteByte('\n')
		}
	}
	golden(t, "updates.golden", out.Bytes())
	if f.received() != 4 {
		t.Errorf("%d messages posted, want 4", f.received())
	}
}

// calls names each call, with the ts it updates or replies to.
func calls(log []request) []string {
	var out []string
	for _, r := range log {
		c := strings.TrimPrefix(r.Path, "/api/")
		if ts, ok := r.Body["ts"].(string); ok {
			c += " ts=" + ts
		}
		if ts, ok := r.Body["thread_ts"].(string); ok {
			c += " thread_ts=" + ts
		}
		if ch, ok := r.Body["channel"].(string); ok && ch != channelID {
			c += " channel=" + ch
		}
		out = append(out, c)
	}
	return out
}

// Each reason, in the order of an incident's life, with and without a
// remembered message.
func TestBotReasons(t *testing.T) {
	for _, tc := range []struct {
		name   string
		first  bool // the incident's message is remembered
		reason notify.Reason
		want   []string
	}{
		{"opened", false, notify.ReasonOpened, []string{"chat.postMessage"}},
		{"opened again", true, notify.ReasonOpened, []string{"chat.postMessage thread_ts=" + firstTS}},
		{"escalation", false, notify.ReasonEscalation, []string{"chat.postMessage"}},
		{"escalation in the thread", true, notify.ReasonEscalation, []string{"chat.postMessage thread_ts=" + firstTS}},
		{"acknowledged", false, notify.ReasonAcknowledged, []string{"chat.postMessage"}},
		{"acknowledged updates", true, notify.ReasonAcknowledged, []string{"chat.update ts=" + firstTS, "chat.postMessage thread_ts=" + firstTS}},
		{"handover updates", true, notify.ReasonHandover, []string{"chat.update ts=" + firstTS, "chat.postMessage thread_ts=" + firstTS}},
		{"resolved updates", true, notify.ReasonResolved, []string{"chat.update ts=" + firstTS, "chat.postMessage thread_ts=" + firstTS}},
		{"digest is new", true, notify.ReasonDigest, []string{"chat.postMessage"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, botMode)
			refs := slack.NewMemoryRefs(0)
			if tc.first {
				if err := refs.Set(t.Context(), notifytest.Sample(notify.ReasonOpened).Incident.ID, channelID, firstTS); err != nil {
					t.Fatal(err)
				}
			}
			s := newSender(t, f.config(), &slack.Options{Refs: refs})
			if err := s.Notify(t.Context(), notifytest.Sample(tc.reason)); err != nil {
				t.Fatal(err)
			}
			if got := calls(f.log()); strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("calls %q, want %q", got, tc.want)
			}
			if !tc.first && tc.reason != notify.ReasonDigest {
				ts, ok, _ := refs.Get(t.Context(), notifytest.Sample(tc.reason).Incident.ID, channelID)
				if !ok || ts != firstTS {
					t.Errorf("the message is not remembered: %q, %v", ts, ok)
				}
			}
		})
	}
}

// A channel configured by name: after a restart, the sender does not
// know its ID, which chat.update needs; the reply's answer tells it.
func TestChannelByName(t *testing.T) {
	f := newFake(t, botMode)
	cfg := f.config()
	cfg.Channel = "#ops"
	refs := slack.NewMemoryRefs(0)
	before := newSender(t, cfg, &slack.Options{Refs: refs})
	if err := before.Notify(t.Context(), notifytest.Sample(notify.ReasonOpened)); err != nil {
		t.Fatal(err)
	}
	after := newSender(t, cfg, &slack.Options{Refs: refs}) // a restart, with lasting refs
	for _, r := range []notify.Reason{notify.ReasonAcknowledged, notify.ReasonResolved} {
		if err := after.Notify(t.Context(), notifytest.Sample(r)); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{
		"chat.postMessage channel=#ops",
		"chat.postMessage thread_ts=" + firstTS + " channel=#ops", // the reply first, to learn the ID
		"chat.update ts=" + firstTS,                               // to the ID
		"chat.update ts=" + firstTS,                               // the ID known: the update first
		"chat.postMessage thread_ts=" + firstTS + " channel=#ops",
	}
	if got := calls(f.log()); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("calls:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// A message that can no longer be updated is posted anew, and the new one
// is remembered.
func TestUpdateGone(t *testing.T) {
	for _, code := range []string{"message_not_found", "cant_update_message", "edit_window_closed"} {
		t.Run(code, func(t *testing.T) {
			f := newFake(t, botMode)
			f.setOverride(func(r request) (answer, bool) {
				if r.Path == "/api/chat.update" {
					return answer{status: 200, body: `{"ok":false,"error":"` + code + `"}`}, true
				}
				return answer{}, false
			})
			refs := slack.NewMemoryRefs(0)
			id := notifytest.Sample(notify.ReasonOpened).Incident.ID
			refs.Set(t.Context(), id, channelID, "1795400000.000001")
			s := newSender(t, f.config(), &slack.Options{Refs: refs})
			if err := s.Notify(t.Context(), notifytest.Sample(notify.ReasonResolved)); err != nil {
				t.Fatal(err)
			}
			want := []string{"chat.update ts=1795400000.000001", "chat.postMessage"}
			if got := calls(f.log()); strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("calls %q, want %q", got, want)
			}
			if ts, _, _ := refs.Get(t.Context(), id, channelID); ts != firstTS {
				t.Errorf("remembered %q, want the new message %q", ts, firstTS)
			}
		})
	}
}
