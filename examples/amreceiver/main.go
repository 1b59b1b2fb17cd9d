// Command amreceiver is an alerting service built with alertkit: it is an
// Alertmanager webhook receiver *and* accepts Prometheus's alerts directly
// (POST /api/v2/alerts, as if it were an Alertmanager), runs them through
// the whole pipeline — severity, dedup, triage, silences, routing,
// incidents, escalation, notifications — and serves the incident API and
// its own metrics. One YAML file configures it (alertkit.yaml).
//
//	AMRECEIVER_NOTIFY_URL=http://chat-bridge:8080 go run ./examples/amreceiver -config examples/amreceiver/alertkit.yaml
//
// Endpoints:
//
//	POST /api/v2/alerts        Prometheus's alerts (alerting.alertmanagers in prometheus.yml)
//	POST /alerts/webhook       Alertmanager's webhook (webhook_configs in alertmanager.yml)
//	POST /alerts/events        events of anything else (cron jobs, scripts)
//	     /api/incidents…       the incident API (package incident/incidentapi)
//	GET  /metrics              alertkit's metrics and the Go runtime's
//	GET  /-/healthy            200 while it runs
//
// The incident API needs a bearer token, AMRECEIVER_TOKEN; an action needs
// the X-Actor header too, naming who acts. Who may take which action is the
// incident API's default policy: anyone may comment and acknowledge; the
// incident's owner and the people its escalation pages may snooze, resolve,
// hand over and take it; the people listed in AMRECEIVER_COMMANDERS
// (comma-separated) may also reassign, resolve by force and close.
//
// With -postgres (or AMRECEIVER_POSTGRES), the state is kept in
// PostgreSQL (package incident/pgstore) and any number of replicas may
// run, each with its own -replica name: list them all in Prometheus's
// alertmanagers and in Alertmanager's webhook receivers. Without it, the
// state is in memory.
package main

import (
	"context"
	"crypto/subtle"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/alertkit/alertkit/alert"
	"github.com/alertkit/alertkit/incident"
	"github.com/alertkit/alertkit/incident/incidentapi"
	"github.com/alertkit/alertkit/incident/pgstore"
	"github.com/alertkit/alertkit/pipeline"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stderr, nil); err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintln(os.Stderr, "amreceiver:", err)
		os.Exit(1)
	}
}

// run serves until ctx ends; ready, if set, hears the address it listens
// on once it does.
func run(ctx context.Context, args []string, logOut io.Writer, ready func(addr string)) error {
	fs := flag.NewFlagSet("amreceiver", flag.ContinueOnError)
	fs.SetOutput(logOut)
	config := fs.String("config", "examples/amreceiver/alertkit.yaml", "the configuration file")
	listen := fs.String("listen", "127.0.0.1:9095", "the address to listen on")
	tick := fs.Duration("tick", time.Second, "how often timers run: sweeps, escalation steps, retries")
	postgres := fs.String("postgres", os.Getenv("AMRECEIVER_POSTGRES"), "a PostgreSQL URL to keep the state in, shared by replicas; empty keeps it in memory")
	host, _ := os.Hostname()
	replica := fs.String("replica", host, "this replica's name, different for each replica on one database")
	if err := fs.Parse(args); err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(logOut, &slog.HandlerOptions{Level: slog.LevelInfo}))

	file, err := pipeline.LoadFile(*config)
	if err != nil {
		return err
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	opts := pipeline.BuildOptions{Registerer: reg, Logger: logger, Replica: *replica, Interval: *tick}
	var store *pgstore.Store
	if *postgres != "" {
		if store, err = pgstore.Open(ctx, *postgres, nil); err != nil {
			return err
		}
		defer store.Close()
		opts.Store, opts.Log = store, store.DeliveryLog()
	}
	svc, err := file.Build(opts)
	if err != nil {
		return err
	}
	if _, err := svc.Pipeline.Restore(ctx); err != nil {
		return err
	}
	if store != nil {
		// Silences set in the database mute on every replica, beside the file's.
		go func() {
			_ = store.Silences().Run(ctx, svc.Silences, &pgstore.SyncOptions{
				OnError: func(err error) { logger.Error("amreceiver: silences", "error", err) },
				Base:    svc.Silences.List(),
			})
		}()
	}
	if err := svc.Escalator.StartBaton(ctx); err != nil {
		return err
	}

	token := os.Getenv("AMRECEIVER_TOKEN")
	var commanders []string
	for _, name := range strings.Split(os.Getenv("AMRECEIVER_COMMANDERS"), ",") {
		if name = strings.TrimSpace(name); name != "" {
			commanders = append(commanders, name)
		}
	}
	// The intake's handlers and the incident API share one budget of
	// request bodies in flight, which bounds the memory they take at once.
	budget := alert.NewBodyBudget(alert.DefaultInFlightBytes)
	api, err := incidentapi.New(svc.Incidents, &incidentapi.Options{
		Authenticate: func(r *http.Request) (string, error) {
			if token == "" {
				return "", errors.New("AMRECEIVER_TOKEN is not set: the incident API is closed")
			}
			got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
			if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(token)) != 1 {
				return "", errors.New("wrong or missing bearer token")
			}
			if actor := r.Header.Get("X-Actor"); actor != "" {
				return actor, nil
			}
			if r.Method == http.MethodGet || r.Method == http.MethodHead {
				return "reader", nil
			}
			return "", errors.New("no X-Actor header: an action needs to know who acts")
		},
		Authorize: (&incidentapi.Policy{
			Responders: func(_ context.Context, inc *incident.Incident) (incidentapi.Responders, error) {
				people, teams := svc.Escalator.Responders(inc, time.Now())
				return incidentapi.Responders{People: people, Teams: teams}, nil
			},
			Roles: func(_ context.Context, actor string) ([]incidentapi.Role, error) {
				if slices.Contains(commanders, actor) {
					return []incidentapi.Role{incidentapi.RoleIncidentCommander}, nil
				}
				return nil, nil
			},
		}).Authorize,
		Budget:   budget,
		Changed:  svc.Pipeline.Changed,
		Log:      svc.Log,
		Runbooks: svc.Runbooks,
		URL:      svc.URL,
		Logger:   logger,
	})
	if err != nil {
		return err
	}

	intake := &alert.HandlerOptions{
		Logger:      logger,
		BearerToken: os.Getenv("AMRECEIVER_INTAKE_TOKEN"),
		Budget:      budget,
	}
	mux := http.NewServeMux()
	mux.Handle("POST /api/v2/alerts", alert.PrometheusHandler(svc.Pipeline.Ingest, intake))
	mux.Handle("POST /alerts/webhook", alert.WebhookHandler(svc.Pipeline.Ingest, intake))
	mux.Handle("POST /alerts/events", alert.EventHandler(svc.Pipeline.Ingest, intake))
	mux.Handle("/api/", http.StripPrefix("/api", api))
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
	mux.HandleFunc("GET /-/healthy", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })

	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	srv := alert.NewServer(ln.Addr().String(), mux)
	errc := make(chan error, 2)
	go func() { errc <- srv.Serve(ln) }()
	go func() { errc <- svc.Pipeline.Run(ctx) }()
	logger.Info("amreceiver: listening", "addr", ln.Addr().String(), "config", *config)
	if ready != nil {
		ready(ln.Addr().String())
	}

	select {
	case <-ctx.Done():
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return err
		}
	}
	shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	return errors.Join(srv.Shutdown(shutdown), ctx.Err())
}
