package slack_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/prometheus/common/model"

	"github.com/alertkit/alertkit/incident"
	"github.com/alertkit/alertkit/notify"
	"github.com/alertkit/alertkit/notify/notifytest"
	"github.com/alertkit/alertkit/notify/slack"
)

// send sends a notification through a sender of the fake end and returns
// the request's body.
func send(t *testing.T, m mode, edit func(*slack.Config), n *notify.Notification) map[string]any {
	t.Helper()
	f := newFake(t, m)
	cfg := f.config()
	if edit != nil {
		edit(cfg)
	}
	s := newSender(t, cfg, nil)
	if err := s.Notify(t.Context(), n); err != nil {
		t.Fatal(err)
	}
	log := f.log()
	if len(log) == 0 {
		t.Fatal("nothing sent")
	}
	return log[len(log)-1].Body
}

// Outside text never becomes markup, a link or a mention. The fake end
// also checks that the only <…> in any text are the sender's own.
func TestEscaping(t *testing.T) {
	n := notifytest.Sample(notify.ReasonOpened)
	n.Note = "<!channel> ping & <script>alert(1)</script> @here <http://evil.example|click>"
	n.People = []string{"<!everyone>", "vasiliy.vasiliyev"}
	n.Incident.Title = "<@U0EVIL> & co"
	n.Incident.Owner = "<!here|here>"
	n.Incident.Status = "open <b>"
	n.Incident.Summary = incident.Summary{{Name: "<x>", Values: []string{"a&b", "<!subteam^S0EVIL>"}}}
	n.Incident.Runbooks = []notify.Link{
		{Title: "<b>bold</b>", URL: "javascript:alert(1)"},
		{Title: "pipes", URL: "https://runbooks.example.com/a?x=1&y=<2>|z"},
	}
	n.Incident.URL = "/relative/incident"
	n.Incident.Members[0].GeneratorURL = "data:text/html,<script>"
	n.Incident.Members[1].Annotations = model.LabelSet{"summary": "line one\n> quoted\n<!date^0^x|y>"}

	for _, m := range []mode{webhookMode, botMode} {
		body := send(t, m, nil, n)
		all := strings.Join(texts(body), "\n")
		for _, want := range []string{
			"&lt;!channel&gt; ping &amp; &lt;script&gt;alert(1)&lt;/script&gt; @here &lt;http://evil.example|click&gt;",
			"&lt;!everyone&gt;, <@U024BE7LH>",
			"&lt;!here|here&gt;",
			"open &lt;b&gt;",
			"*&lt;x&gt;:* a&amp;b, &lt;!subteam^S0EVIL&gt;",
			"Runbook: &lt;b&gt;bold&lt;/b&gt;",
			"<https://runbooks.example.com/a?x=1&amp;y=%3C2%3E%7Cz|Runbook: pipes>",
			"line one &gt; quoted &lt;!date^0^x|y&gt;",
		} {
			if !strings.Contains(all, want) {
				t.Errorf("no %q in\n%s", want, all)
			}
		}
		for _, bad := range []string{"javascript:", "data:text", "/relative/incident", "Open the incident"} {
			if strings.Contains(all, bad) {
				t.Errorf("%q is shown or linked:\n%s", bad, all)
			}
		}
		// The header is plain text: shown as it is, never parsed.
		if h := blockTexts(body, "header"); len(h) != 1 || h[0] != "[OPEN <B>] S2 <@U0EVIL> & co" {
			t.Errorf("header %q", h)
		}
	}
}

// Mentions: IDs for names that have one, text for the others, each once.
func TestMentions(t *testing.T) {
	n := notifytest.Sample(notify.ReasonEscalation)
	n.People = []string{"vasiliy.vasiliyev", "anna.petrova", "vasiliy.vasiliyev", ""}
	n.Teams = []string{"sre", "dba"}
	body := send(t, webhookMode, func(c *slack.Config) {
		c.Mentions = map[string]string{"vasiliy.vasiliyev": "W024BE7LH", "sre": "S0614TZR7", "dba": "U0DBA0001"}
	}, n)
	want := "*For:* <@W024BE7LH>, anna.petrova, <!subteam^S0614TZR7>, <@U0DBA0001>"
	if s := blockTexts(body, "section")[0]; !strings.HasSuffix(s, want) {
		t.Errorf("first section %q, want it to end with %q", s, want)
	}

	many := notifytest.Sample(notify.ReasonOpened)
	many.People = nil
	for i := range 30 {
		many.People = append(many.People, fmt.Sprintf("person%02d", i))
	}
	body = send(t, webhookMode, nil, many)
	if s := blockTexts(body, "section")[0]; !strings.Contains(s, "person19, and 11 more") || strings.Contains(s, "person20") {
		t.Errorf("mentions of 30 people: %q", s)
	}
}

// Everything outside input can make long stays within Slack's limits, cut
// with "…" and saying what was left out; the fake end checks each limit.
func TestLimits(t *testing.T) {
	long := strings.Repeat("<&> 😀 ", 2000) // escapes grow; the emoji is two UTF-16 units
	n := notifytest.Sample(notify.ReasonOpened)
	n.Note = long
	n.People = []string{long}
	n.Incident.Title = strings.Repeat("长", 1000)
	n.Incident.Owner = long
	n.Incident.Status = long
	n.Incident.ServiceLevel = long
	n.Incident.Team = long
	n.Incident.Summary = nil
	for i := range 300 {
		lv := incident.LabelValues{Name: fmt.Sprintf("label%03d", i)}
		for j := range 50 {
			lv.Values = append(lv.Values, fmt.Sprintf("value-%d-%s", j, strings.Repeat("x", 100)))
		}
		n.Incident.Summary = append(n.Incident.Summary, lv)
	}
	n.Incident.Alerts, n.Incident.Truncated = 500, 480
	n.Incident.Members = nil
	for i := range 20 {
		n.Incident.Members = append(n.Incident.Members, notify.Alert{
			Fingerprint: fmt.Sprint(i), State: "firing",
			Annotations: model.LabelSet{"summary": model.LabelValue(long)},
		})
	}
	for i := range 50 {
		n.Incident.Runbooks = append(n.Incident.Runbooks, notify.Link{Title: long, URL: fmt.Sprintf("https://runbooks.example.com/%d", i)})
	}

	for _, m := range []mode{webhookMode, botMode} {
		body := send(t, m, nil, n)
		sections := blockTexts(body, "section")
		all := strings.Join(sections, "\n")
		for _, want := range []string{"more labels not shown", "_and 497 more_", "…"} {
			if !strings.Contains(all, want) {
				t.Errorf("no %q in the sections", want)
			}
		}
		if h := blockTexts(body, "header")[0]; length(h) != 150 || !strings.HasSuffix(h, "…") {
			t.Errorf("header of %d characters: %q", length(h), h)
		}
		if c := strings.Count(all, "<https://runbooks.example.com/"); c != 5 {
			t.Errorf("%d runbooks linked, want 5", c)
		}
	}

	// A digest of many incidents: as many as fit, and how many did not.
	d := notifytest.Sample(notify.ReasonDigest)
	d.Items = nil
	for i := range 1000 {
		it := notifytest.Sample(notify.ReasonOpened).Incident
		it.ID = incident.ID(fmt.Sprintf("01KAV7Z1S4X7B2WQ5A%04d", i))
		it.Title = fmt.Sprintf("%d: %s", i, strings.Repeat("<&>", 50))
		it.URL = fmt.Sprintf("https://alerts.example.com/incidents/%s", it.ID)
		d.Items = append(d.Items, it)
	}
	for _, m := range []mode{webhookMode, botMode} {
		body := send(t, m, nil, d)
		sections := blockTexts(body, "section")
		shown := 0
		size := 0
		for _, s := range sections {
			shown += strings.Count(s, "• ")
			size += length(s)
		}
		last := sections[len(sections)-1]
		if want := fmt.Sprintf("_%d more incidents not shown_", 1000-shown); last != want {
			t.Errorf("last section %q, want %q", last, want)
		}
		if shown < 20 || size > 12000+3000 {
			t.Errorf("%d incidents shown, in %d characters", shown, size)
		}
		if h := blockTexts(body, "header")[0]; h != "Digest: 1000 incidents" {
			t.Errorf("header %q", h)
		}
	}
}

// The templates of Config.Title and Config.Text: the header, and the first
// section and notification text, escaped.
func TestTemplates(t *testing.T) {
	custom := func(c *slack.Config) {
		c.Title = "{{ .Incident.Title }} <!channel> ({{ .Reason }})"
		c.Text = "{{ .Incident.Owner }} & <b>{{ .Note }}</b>"
	}
	for _, reason := range []notify.Reason{notify.ReasonOpened, notify.ReasonDigest} {
		body := send(t, webhookMode, custom, notifytest.Sample(reason))
		n := notifytest.Sample(reason)
		wantHeader := n.Incident.Title + " <!channel> (" + string(reason) + ")"
		if h := blockTexts(body, "header"); len(h) != 1 || h[0] != wantHeader {
			t.Errorf("%s: header %q, want %q", reason, h, wantHeader)
		}
		mentions := "<@U024BE7LH>, <!subteam^S0614TZR7>"
		if reason == notify.ReasonDigest {
			mentions = "<!subteam^S0614TZR7>"
		}
		wantText := "vasiliy.vasiliyev &amp; &lt;b&gt;" + n.Note + "&lt;/b&gt;"
		if got := body["text"]; got != wantText+" · "+mentions {
			t.Errorf("%s: text %q, want %q", reason, got, wantText+" · "+mentions)
		}
		if s := blockTexts(body, "section")[0]; s != wantText+"\n*For:* "+mentions {
			t.Errorf("%s: first section %q", reason, s)
		}
	}
	// With a custom text, the facts are the template's to show.
	body := send(t, webhookMode, custom, notifytest.Sample(notify.ReasonOpened))
	if blocks := body["blocks"].([]any); blocks[1].(map[string]any)["fields"] != nil {
		t.Errorf("fields with a custom text: %v", blocks[1])
	}

	// A template that fails as it runs is a permanent error, and nothing
	// is sent.
	f := newFake(t, webhookMode)
	cfg := f.config()
	cfg.Text = "{{ .Incident.Nope }}"
	s := newSender(t, cfg, nil)
	err := s.Notify(t.Context(), notifytest.Sample(notify.ReasonOpened))
	if err == nil || !strings.HasPrefix(err.Error(), "slack: template text: ") || !strings.Contains(err.Error(), "Nope") {
		t.Fatalf("error %v", err)
	}
	if retry, _ := notify.Retryable(err); retry {
		t.Error("a broken template is retryable")
	}
	if len(f.log()) != 0 {
		t.Error("a message was sent")
	}
}

// Rendering uses the notification's time, not the clock: a notification
// sent again is the same message.
func TestDeterministic(t *testing.T) {
	a := send(t, webhookMode, nil, notifytest.Sample(notify.ReasonAcknowledged))
	b := send(t, webhookMode, nil, notifytest.Sample(notify.ReasonAcknowledged))
	if fmt.Sprint(a) != fmt.Sprint(b) {
		t.Errorf("two renderings differ:\n%v\n%v", a, b)
	}
}

// Content that is missing leaves nothing empty: Slack refuses empty
// texts.
func TestSparse(t *testing.T) {
	n := &notify.Notification{
		Key: "k", Reason: notify.ReasonResolved, At: notifytest.At,
		Incident: notify.Snapshot{ID: "01KAV7Z1S4X7B2WQ5AR6KF"},
	}
	for _, m := range []mode{webhookMode, botMode} {
		body := send(t, m, func(c *slack.Config) { c.Title = "{{ if false }}x{{ end }}" }, n)
		if h := blockTexts(body, "header"); len(h) != 1 || h[0] != "Incident 01KAV7Z1S4X7B2WQ5AR6KF" {
			t.Errorf("header %q", h)
		}
	}
}
