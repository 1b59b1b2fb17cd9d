// Command quickstart replays a captured alert stream through alertkit's HTTP
// intake, prints what it takes in, and searches the result with MQL.
//
// The stream in stream/ is real traffic, captured from Prometheus 2.42 and
// Alertmanager 0.25 (see alert/testdata/README.md), plus a cron job's event
// and one malformed payload. The replay runs on a fake clock set to the time
// each request was received, so its output is the same on every run:
//
//	go run ./examples/quickstart
package main

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"io"
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
	"github.com/alertkit/alertkit/internal/clock"
	"github.com/alertkit/alertkit/mql"
)

//go:embed stream/*.json
var stream embed.FS

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

// day is the date of the capture; the end of the replay is a minute after
// the last request.
const (
	day = "2026-11-23T"
	end = "16:45:30.000"
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

	// The pipeline of this stage: remember the latest report of each alert,
	// by fingerprint, and print every alert as it comes in.
	var mu sync.Mutex
	latest := map[model.Fingerprint]alert.Alert{}
	ingest := func(_ context.Context, alerts []alert.Alert) error {
		mu.Lock()
		defer mu.Unlock()
		for _, a := range alerts {
			latest[a.Fingerprint()] = a
			fmt.Fprintf(w, "  %s\t%s\t%s\t%s\t%s\t%s\n", a.Fingerprint(), a.Trigger(), a.Kind,
				a.StateAt(clk.Now()), a.Source, brief(a.Labels))
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
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Shutdown(ctx)
	base := "http://" + ln.Addr().String()

	fmt.Fprintf(w, "alertkit quickstart: replaying %d requests of %s through the HTTP intake\n", len(requests), strings.TrimSuffix(day, "T"))
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

	// Alerts whose source stopped refreshing them are unknown by now.
	clk.Set(at(end))
	fmt.Fprintf(w, "\nstate of every alert at %s, from its latest report:\n", end)
	fps := slices.Sorted(func(yield func(model.Fingerprint) bool) {
		for fp := range latest {
			if !yield(fp) {
				return
			}
		}
	})
	for _, fp := range fps {
		a := latest[fp]
		fmt.Fprintf(w, "  %s\t%s\t%s\t%s\t%s\n", fp, a.Trigger(), a.Kind, a.StateAt(clk.Now()), why(a, clk.Now()))
	}
	if err := w.Flush(); err != nil {
		return err
	}

	// Search them with MQL.
	fmt.Fprintf(w, "\nsearch with MQL at %s:\n", end)
	for _, query := range searches {
		q, err := mql.Parse(query)
		if err != nil {
			return err
		}
		var found []string
		for _, fp := range fps {
			a := latest[fp]
			if q.MatchAlert(&a, clk.Now()) {
				found = append(found, a.Trigger()+brace(brief(a.Labels)))
			}
		}
		fmt.Fprintf(w, "  %s\n    → %s\n", query, strings.Join(found, ", "))
	}
	return w.Flush()
}

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

// why explains a state.
func why(a alert.Alert, now time.Time) string {
	switch a.StateAt(now) {
	case alert.StateResolved:
		return "ended " + a.EndsAt.Format("15:04:05.000")
	case alert.StateUnknown:
		return "not refreshed since " + a.UpdatedAt.Format("15:04:05.000") + ", deadline " + a.RefreshBy.Format("15:04:05.000")
	case alert.StateNone:
		return "happened " + a.StartsAt.Format("15:04:05")
	}
	return "since " + a.StartsAt.Format("15:04:05")
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
