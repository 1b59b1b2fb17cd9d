// Command quickstart replays a captured alert stream through alertkit's HTTP
// intake, the dedup stage, the incident stage, severity and escalation,
// prints what each makes of it, and searches the result with MQL.
//
// The stream in stream/ is real traffic, captured from Prometheus 2.42 and
// Alertmanager 0.25 (see alert/testdata/README.md), plus a cron job's event
// and one malformed payload. The replay runs on a fake clock set to the time
// each request was received, then runs on for three quarters of an hour of
// escalation, so its output is the same on every run:
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
	"github.com/alertkit/alertkit/escalate"
	"github.com/alertkit/alertkit/incident"
	"github.com/alertkit/alertkit/internal/clock"
	"github.com/alertkit/alertkit/mql"
	"github.com/alertkit/alertkit/severity"
)

//go:embed stream/*.json
var stream embed.FS

//go:embed oncall.yaml
var oncall []byte

// A request of the replay: at a time, a payload posted to an intake path.
type request struct {
	at   string
	path string
	file string
}

var requests = []request{
	{"16:44:10.709", "/alerts/webhook", "alertmanager-firing.json"},
	{"16:44:16.706", "/api/v2/alerts", "prometheus-firing.json"},
	{"16:44:19.000", "/alerts/events", "backup-failed.json"},
	{"16:44:21.000", "/api/v2/alerts", "bad-label.json"},
	{"16:44:30.707", "/api/v2/alerts", "prometheus-resolved.json"},
	{"16:44:30.716", "/alerts/webhook", "alertmanager-resolved.json"},
}

// day is the date of the capture; the sweep runs a minute after the last
// request, and the escalation until later.
const (
	day   = "2026-11-23T"
	end   = "16:45:30.000"
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

	// The pipeline: the intake hands each batch to the dedup stage, whose
	// changes go to the incident stage, which groups alerts by alertname
	// and namespace. The first alert of an incident engages its
	// escalation, as the response matrix says for its severity and service
	// level; the service catalogue says horns-and-hooves is a Gold service.
	deduper := dedup.New(&dedup.Options{Now: clk.Now})
	incidents := incident.NewManager(incident.NewMemoryStore(), &incident.Options{
		Now:     clk.Now,
		Entropy: rand.NewChaCha8([32]byte{}), // repeatable incident IDs
	})
	levels := severity.DefaultPolicy()
	levels.Catalog = func(ls model.LabelSet) (severity.ServiceLevel, bool) {
		return severity.Gold, ls["namespace"] == "horns-and-hooves"
	}
	cfg, err := escalate.ParseConfig(oncall, "oncall.yaml")
	if err != nil {
		return err
	}
	pager := escalate.NotifierFunc(func(_ context.Context, p escalate.Page) error {
		who := append(slices.Clone(p.People), p.Teams...)
		if p.Kind == escalate.Digest {
			who = []string{"the digest"}
		}
		fmt.Fprintf(w, "  %s  page %s → %s: %s\n", clk.Now().Format("15:04:05.000"), short(p.Incident), strings.Join(who, ", "), p.Reason)
		return nil
	})
	escalator := escalate.New(incidents, pager, &escalate.Options{Now: clk.Now})
	if err := escalator.Load(cfg); err != nil {
		return err
	}
	if err := escalator.StartBaton(ctx); err != nil {
		return err
	}
	var mu sync.Mutex
	apply := func(changes []dedup.Change) error {
		for i := range changes {
			c := &changes[i]
			inc, err := incidents.Observe(ctx, c, nil)
			if err != nil {
				return err
			}
			to := "no incident"
			if inc != nil {
				to = fmt.Sprintf("incident %s %s", short(inc.ID), inc.Status)
			}
			fmt.Fprintf(w, "  %s\t%s\t%s\t%s\t%s\t%s\t→ %s\n", c.Fingerprint, c.Alert.Trigger(), c.Alert.Kind,
				describe(c), c.Alert.Source, brief(c.Alert.Labels), to)
			if inc != nil && inc.Escalation == nil {
				class, err := levels.Classify(c.Alert.Labels)
				if err != nil {
					return err
				}
				plan, err := escalator.PlanFor(class, "sre")
				if err != nil {
					return err
				}
				if err := escalator.Engage(ctx, inc.ID, plan); err != nil {
					return err
				}
				fmt.Fprintf(w, "    escalation of %s: %s on %s (%s), %s%s\n", short(inc.ID), class.Level, class.ServiceLevel,
					class.From, class.Response, held(plan.Hold))
			}
		}
		return nil
	}
	ingest := func(_ context.Context, alerts []alert.Alert) error {
		mu.Lock()
		defer mu.Unlock()
		changes := deduper.Ingest(alerts)
		if repeats := len(alerts) - len(changes); repeats > 0 {
			fmt.Fprintf(w, "  %d of %d alerts already known, unchanged: nothing to do\n", repeats, len(alerts))
		}
		return apply(changes)
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
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Shutdown(ctx)
	base := "http://" + ln.Addr().String()

	fmt.Fprintf(w, "alertkit quickstart: replaying %d requests of %s through the HTTP intake, dedup, incidents and escalation\n",
		len(requests), strings.TrimSuffix(day, "T"))
	for _, r := range requests {
		body, err := stream.ReadFile("stream/" + r.file)
		if err != nil {
			return err
		}
		clk.Set(at(r.at))
		fmt.Fprintf(w, "\n%s  POST %s  %s\n", r.at, r.path, r.file)
		status, reason, err := post(ctx, base+r.path, body)
		if err != nil {
			return err
		}
		if reason != "" {
			fmt.Fprintf(w, "  refused: %s %s", status, reason)
		} else {
			fmt.Fprintf(w, "  → %s\n", status)
		}
		if err := w.Flush(); err != nil {
			return err
		}
	}

	// A minute later, the sweep finds the alerts whose source stopped
	// refreshing them: unknown, not resolved.
	clk.Set(at(end))
	fmt.Fprintf(w, "\n%s  sweep\n", end)
	mu.Lock()
	err = apply(deduper.Sweep(clk.Now()))
	mu.Unlock()
	if err != nil {
		return err
	}
	if err := w.Flush(); err != nil {
		return err
	}

	// The escalator's timers, as a host would run them every few seconds:
	// the pending hold of each incident runs out, and pages go out.
	fmt.Fprintf(w, "\nthe clock runs on until %s: the escalation\n", until)
	for clk.Now().Before(at(until)) {
		clk.Advance(time.Second)
		if _, err := incidents.ProcessTimers(ctx, "quickstart", time.Minute); err != nil {
			return err
		}
		if _, err := escalator.ProcessTimers(ctx); err != nil {
			return err
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}

	var records []dedup.Record
	for r := range deduper.Records {
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

	if err := printIncidents(ctx, w, incidents); err != nil {
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
	for _, name := range []model.LabelName{"instance", "vhost", "db"} {
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
