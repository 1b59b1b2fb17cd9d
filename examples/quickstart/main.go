// Command quickstart replays an alert stream through alertkit's whole
// pipeline — HTTP intake, severity, dedup, triage, routing, incidents,
// escalation and notifications — prints what each stage makes of it, the
// incidents' timelines, and searches the result with MQL.
//
// The stream in stream/ is real traffic, captured from Prometheus 2.42 and
// Alertmanager 0.25 (see alert/testdata/README.md), a cron job's event, a
// payload whose one malformed alert is refused while its neighbour is
// taken, and a GitLab outage, which its project's rule routes to its
// owner, who acknowledges it. The service is configured by
// quickstart.yaml. The replay runs on a fake clock set to the time of each
// request, and on for three quarters of an hour of escalation, so its
// output is the same on every run:
//
//	go run ./examples/quickstart
package main

import (
	"bytes"
	"cmp"
	"context"
	"embed"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/prometheus/common/model"

	"github.com/alertkit/alertkit/alert"
	"github.com/alertkit/alertkit/dedup"
	"github.com/alertkit/alertkit/incident"
	"github.com/alertkit/alertkit/internal/clock"
	"github.com/alertkit/alertkit/mql"
	"github.com/alertkit/alertkit/notify"
	"github.com/alertkit/alertkit/pipeline"
	"github.com/alertkit/alertkit/severity"
)

//go:embed stream/*.json
var stream embed.FS

//go:embed quickstart.yaml
var config []byte

// A step of the replay: at a time, a payload posted to an intake path —
// or, with act, what a person does (file then says what).
type request struct {
	at   string
	path string
	file string
	act  func(ctx context.Context, svc *pipeline.Service) error
}

var requests = []request{
	{"16:44:10.709", "/alerts/webhook", "alertmanager-firing.json", nil},
	{"16:44:16.706", "/api/v2/alerts", "prometheus-firing.json", nil},
	{"16:44:19.000", "/alerts/events", "backup-failed.json", nil},
	{"16:44:21.000", "/api/v2/alerts", "bad-label.json", nil},
	{"16:44:30.707", "/api/v2/alerts", "prometheus-resolved.json", nil},
	{"16:44:30.716", "/alerts/webhook", "alertmanager-resolved.json", nil},
	{"16:46:00.000", "/api/v2/alerts", "gitlab-down.json", nil},
	{"16:53:30.000", "", "vasiliy.vasiliyev acknowledges GitlabDown", acknowledge("GitlabDown", "vasiliy.vasiliyev")},
	{"17:05:00.000", "/api/v2/alerts", "gitlab-resolved.json", nil},
}

// acknowledge is a person acknowledging the incident of a trigger, as the
// incident API would have it done; the pipeline follows it up.
func acknowledge(trigger, who string) func(context.Context, *pipeline.Service) error {
	return func(ctx context.Context, svc *pipeline.Service) error {
		incs, err := svc.Incidents.Search(ctx, "trigger = "+trigger+" AND status = open", 1)
		if err != nil || len(incs) == 0 {
			return fmt.Errorf("no open incident of %s: %v", trigger, err)
		}
		inc, err := svc.Incidents.Acknowledge(ctx, incs[0].ID, who, "on it")
		if err != nil {
			return err
		}
		svc.Pipeline.Changed(ctx, inc, incident.EventAcknowledged)
		return nil
	}
}

// day is the date of the capture; the replay runs until later.
const (
	day   = "2026-11-23T"
	until = "17:30:00.000"
)

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, out io.Writer) error {
	clk := clock.NewFake(at(requests[0].at))
	w := tabwriter.NewWriter(out, 0, 8, 2, ' ', 0)
	var mu sync.Mutex // the HTTP handlers and the clock's loop both write
	seen := 0         // changes the pipeline has taken, under mu
	ingesting := false
	var swept time.Time // the last sweep that changed something

	// The receivers print what they are sent; a service would have Slack,
	// PagerDuty or email here (see quickstart.yaml). Each receiver sends on
	// its own, at once: what they are sent in one tick is printed after
	// it, in order of time and receiver.
	var sentMu sync.Mutex
	var sent []string
	printer := func(name string) notify.Notifier {
		return notify.NotifierFunc(func(_ context.Context, n *notify.Notification) error {
			who := append(slices.Clone(n.People), n.Teams...)
			to := ""
			if len(who) > 0 {
				to = " for " + strings.Join(who, ", ")
			}
			what := n.Incident.Title
			if n.Reason == notify.ReasonDigest {
				what = fmt.Sprintf("%d incidents", len(n.Items))
			}
			sentMu.Lock()
			defer sentMu.Unlock()
			sent = append(sent, fmt.Sprintf("  %s  notify %s: %s %s, incident %s%s — %s\n", clk.Now().Format("15:04:05.000"), name, n.Reason, what, short(n.Incident.ID), to, n.Note))
			return nil
		})
	}
	file, err := pipeline.ParseFile(config, "quickstart.yaml", ".")
	if err != nil {
		return err
	}
	svc, err := file.Build(pipeline.BuildOptions{
		Now:       clk.Now,
		Entropy:   rand.NewChaCha8([32]byte{}), // repeatable incident IDs
		Logger:    slog.New(slog.DiscardHandler),
		Receivers: map[string]notify.Notifier{"pager": printer("pager"), "chat-sre": printer("chat-sre"), "chat-ops": printer("chat-ops")},
		OnChange: func(o pipeline.Outcome) {
			if o.Change.Restates() {
				return // nothing new of the alert, checked against the store
			}
			seen++
			if now := clk.Now(); !ingesting && !swept.Equal(now) {
				swept = now
				fmt.Fprintf(w, "\n%s  the sweep: alerts past their refresh deadline are unknown, not resolved\n", now.Format("15:04:05.000"))
			}
			c := o.Change
			to := "no incident"
			if o.Incident != nil {
				to = fmt.Sprintf("incident %s %s", short(o.Incident.ID), o.Incident.Status)
			}
			fmt.Fprintf(w, "  %s\t%s\t%s\t%s\t%s\t%s\t→ %s\n", c.Fingerprint, c.Alert.Trigger(), c.Alert.Kind,
				describe(c), c.Alert.Source, brief(c.Alert.Labels), to)
			if o.Plan != nil {
				fmt.Fprintf(w, "    %s on %s (%s), %s%s: route %s\n", o.Class.Level, o.Class.ServiceLevel, o.Class.From, o.Class.Response, held(o.Plan.Hold), o.Routes[0].ID)
			}
		},
	})
	if err != nil {
		return err
	}
	if err := svc.Escalator.StartBaton(ctx); err != nil {
		return err
	}
	p := svc.Pipeline
	ingest := func(ctx context.Context, alerts []alert.Alert) error {
		mu.Lock()
		defer mu.Unlock()
		before := seen
		ingesting = true
		err := p.Ingest(ctx, alerts)
		ingesting = false
		if err != nil {
			return err
		}
		// Repeats change nothing: say so.
		if repeats := len(alerts) - (seen - before); repeats > 0 {
			fmt.Fprintf(w, "  %d of %d alerts already known, unchanged: nothing to do\n", repeats, len(alerts))
		}
		return nil
	}

	opts := &alert.HandlerOptions{Decode: alert.DecodeOptions{Now: clk.Now}}
	mux := http.NewServeMux()
	mux.Handle("POST /api/v2/alerts", alert.PrometheusHandler(ingest, opts))
	mux.Handle("POST /alerts/webhook", alert.WebhookHandler(ingest, opts))
	mux.Handle("POST /alerts/events", alert.EventHandler(ingest, opts))

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := alert.NewServer(ln.Addr().String(), mux)
	go func() { _ = srv.Serve(ln) }()
	defer srv.Shutdown(ctx)
	base := "http://" + ln.Addr().String()

	fmt.Fprintf(w, "alertkit quickstart: %s, the requests of a Prometheus, an Alertmanager and a cron job through the whole pipeline\n",
		strings.TrimSuffix(day, "T"))
	fmt.Fprintf(w, "(intake → severity → dedup → triage → route → incidents → escalation → notifications), on a clock that runs until %s\n", until)

	// The replay: requests and people's actions at their times, and the
	// pipeline's timers every second between them, as a service runs them.
	next := 0
	for !clk.Now().After(at(until)) {
		now := clk.Now()
		for next < len(requests) && !at(requests[next].at).After(now) {
			r := requests[next]
			next++
			if r.act != nil {
				mu.Lock()
				fmt.Fprintf(w, "\n%s  %s\n", r.at, r.file)
				err := r.act(ctx, svc)
				mu.Unlock()
				if err != nil {
					return err
				}
				continue
			}
			body, err := stream.ReadFile("stream/" + r.file)
			if err != nil {
				return err
			}
			mu.Lock()
			fmt.Fprintf(w, "\n%s  POST %s  %s\n", r.at, r.path, r.file)
			mu.Unlock()
			status, reason, err := post(ctx, base+r.path, body)
			if err != nil {
				return err
			}
			mu.Lock()
			if reason != "" {
				fmt.Fprintf(w, "  refused: %s %s", status, reason)
			} else {
				fmt.Fprintf(w, "  → %s\n", status)
			}
			mu.Unlock()
		}
		mu.Lock()
		err := p.Tick(ctx)
		sentMu.Lock()
		slices.Sort(sent)
		for _, line := range sent {
			fmt.Fprint(w, line)
		}
		sent = sent[:0]
		sentMu.Unlock()
		mu.Unlock()
		if err != nil {
			return err
		}
		// To the next second, or the next request if sooner.
		step := now.Truncate(time.Second).Add(time.Second)
		if next < len(requests) && at(requests[next].at).Before(step) {
			step = at(requests[next].at)
		}
		clk.Set(step)
	}
	if err := w.Flush(); err != nil {
		return err
	}

	var records []dedup.Record
	for r := range svc.Dedup.Records {
		records = append(records, r)
	}
	slices.SortFunc(records, func(a, b dedup.Record) int { return cmp.Compare(a.Fingerprint, b.Fingerprint) })
	fmt.Fprintf(w, "\nevery alert at %s, once each however many times it was sent:\n", until)
	for _, r := range records {
		fmt.Fprintf(w, "  %s\t%s\t%s\t%s\t%s\n", r.Fingerprint, r.Alert.Trigger(), r.Alert.Kind, r.State, r.Firings.Format("15:04:05.000"))
	}
	if err := w.Flush(); err != nil {
		return err
	}

	if err := printIncidents(ctx, w, svc.Incidents); err != nil {
		return err
	}

	// Search the alerts with MQL.
	fmt.Fprintf(w, "\nsearch the alerts with MQL:\n")
	for _, query := range searches {
		q, err := mql.Parse(query)
		if err != nil {
			return err
		}
		var found []string
		for _, r := range records {
			if q.MatchAlert(&r.Alert, clk.Now()) {
				found = append(found, r.Alert.Trigger()+brace(brief(r.Alert.Labels)))
			}
		}
		fmt.Fprintf(w, "  %s\n    → %s\n", query, strings.Join(found, ", "))
	}
	return w.Flush()
}

// printIncidents prints every incident with its label summary and history.
func printIncidents(ctx context.Context, w *tabwriter.Writer, m *incident.Manager) error {
	all, err := m.Store().Search(ctx, incident.Filter{Limit: -1})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\nincidents, newest first:\n")
	for _, inc := range all {
		view, err := m.View(ctx, inc.ID)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "\n  incident %s  %s  %s\n", short(inc.ID), inc.Status, inc.GroupKey)
		fmt.Fprintf(w, "    alerts: %d, active: %d, opened %s\n", inc.Alerts, inc.Active, inc.CreatedAt.Format("15:04:05.000"))
		for line := range strings.SplitSeq(incident.Summarize(view.Members).String(), "\n") {
			fmt.Fprintf(w, "    %s\n", line)
		}
		history, err := m.Store().History(ctx, inc.ID)
		if err != nil {
			return err
		}
		// Deliveries to several receivers at one instant are recorded in
		// the order they ended: print them in order of their notes.
		for i := 0; i < len(history); {
			j := i + 1
			for j < len(history) && history[i].Kind == incident.EventNotified && history[j].Kind == incident.EventNotified && history[j].At.Equal(history[i].At) {
				j++
			}
			slices.SortFunc(history[i:j], func(a, b incident.Event) int { return strings.Compare(a.Note, b.Note) })
			i = j
		}
		for _, e := range history {
			fmt.Fprintf(w, "    %s\n", e.String())
		}
	}
	return w.Flush()
}

// describe says what a change is: "new firing", "firing → resolved".
func describe(c *dedup.Change) string {
	switch {
	case c.New:
		return "new " + c.State.String()
	case c.Occurred:
		return "occurred again"
	}
	return c.From.String() + " → " + c.State.String()
}

// held says how long the first page waits, if at all.
func held(d time.Duration) string {
	if d == 0 {
		return ""
	}
	return ", held " + severity.FormatDuration(d) + " first"
}

// short is the end of an incident ID, enough to tell them apart here.
func short(id incident.ID) string { return string(id[len(id)-6:]) }

var searches = []string{
	`trigger = TargetDown and state = resolved`,
	`project = horns-and-hooves and state not in (resolved, none)`,
	`~instance =~ "10\\.244\\.37\\..*" or ~db = orders`,
}

func brace(s string) string {
	if s == "" {
		return ""
	}
	return "{" + s + "}"
}

// post sends body and returns the response status, and its text if refused.
func post(ctx context.Context, url string, body []byte) (status, reason string, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return "", "", err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", "", err
	}
	defer resp.Body.Close()
	text, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", "", err
	}
	if resp.StatusCode != http.StatusOK {
		if resp.StatusCode != http.StatusBadRequest {
			return "", "", errors.New(resp.Status + ": " + string(text))
		}
		return resp.Status, string(text), nil
	}
	return resp.Status, "", nil
}

// brief prints the labels that tell alerts of one trigger apart.
func brief(ls model.LabelSet) string {
	var parts []string
	for _, name := range []model.LabelName{"instance", "vhost", "db", "server"} {
		if v, ok := ls[name]; ok {
			parts = append(parts, string(name)+"="+string(v))
		}
	}
	return strings.Join(parts, " ")
}

func at(hms string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, day+hms+"Z")
	if err != nil {
		panic(err) // the replay's own constants
	}
	return t
}
