// Command routing shows alertkit's switch on a realistic rule set: for a few
// alerts, their severity and response, where they go, in which group, their
// runbooks, and whether they are dropped, inhibited or muted. The same rules
// are unit-tested in routes_test.yaml, which main_test.go runs with
// routetest.RunFile:
//
//	go run ./examples/routing
//	go test ./examples/routing
package main

import (
	"embed"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/prometheus/common/model"

	"github.com/alertkit/alertkit/alert"
	"github.com/alertkit/alertkit/route"
	"github.com/alertkit/alertkit/severity"
)

//go:embed routes.yaml severity.yaml runbooks
var files embed.FS

// The alerts to route, on Monday 23 November 2026 at noon UTC, while a
// NodeDown fires on kube-3.
var (
	at     = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	firing = model.LabelSet{"alertname": "NodeDown", "node": "kube-3"}
	alerts = []model.LabelSet{
		{"alertname": "GitlabDown", "namespace": "horns-and-hooves", "server": "gitlab", "severity": "critical"},
		{"alertname": "PostgresDown", "cluster": "main", "team": "db", "impact": "deadly", "likelihood": "likely", "service_level": "gold"},
		{"alertname": "IngressResponses5xx", "namespace": "shop", "severity_level": "3", "service_level": "silver"},
		{"alertname": "CheckoutDown", "namespace": "shop", "env": "staging", "severity": "page", "service_level": "platinum"},
		{"alertname": "TargetDown", "node": "kube-3", "instance": "10.244.37.14:9403"},
		{"alertname": "Watchdog", "prometheus": "kube-prometheus/main"},
	}
)

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "routing:", err)
		os.Exit(1)
	}
}

func run(out io.Writer) error {
	data, err := files.ReadFile("routes.yaml")
	if err != nil {
		return err
	}
	cfg, err := route.Parse(data, "routes.yaml")
	if err != nil {
		return err
	}
	router, err := route.Compile(cfg, nil)
	if err != nil {
		return err
	}
	policyData, err := files.ReadFile("severity.yaml")
	if err != nil {
		return err
	}
	policy, err := severity.ParsePolicy(policyData)
	if err != nil {
		return err
	}
	runbooks, err := route.LoadRunbooks(files, "runbooks", router.Parser())
	if err != nil {
		return err
	}
	triage, err := route.NewTriage(cfg.Triage, router.Parser())
	if err != nil {
		return err
	}
	inhibitor, err := route.NewInhibitor(cfg.Inhibit, router.Parser())
	if err != nil {
		return err
	}
	inhibitor.Observe(&route.Subject{Alert: &alert.Alert{Labels: firing, StartsAt: at.Add(-time.Hour)}, At: at})

	for _, ls := range alerts {
		a := &alert.Alert{Labels: ls, StartsAt: at.Add(-time.Minute), UpdatedAt: at}
		s := &route.Subject{Alert: a, At: at}
		fmt.Fprintf(out, "%s\n", ls)

		verdict := triage.Apply(s)
		if verdict.Drop {
			fmt.Fprintf(out, "  dropped by %s\n\n", strings.Join(verdict.Rules, ", "))
			continue
		}
		class, err := policy.Classify(ls)
		if err != nil {
			fmt.Fprintf(out, "  classification: %v\n", err)
		}
		if verdict.Severity != 0 {
			class = policy.WithLevel(class, verdict.Severity)
		}
		s.Class = class
		service := class.ServiceLevel.String() + " service"
		if class.Unclassified {
			service = "no service level"
		}
		fmt.Fprintf(out, "  %s (from %s), %s: %s, pending hold %s\n",
			class.Level, class.From, service, class.Response, severity.FormatDuration(class.Hold))
		if rule, _, inhibited := inhibitor.Inhibited(s); inhibited {
			fmt.Fprintf(out, "  inhibited by %s\n", rule)
		}
		for _, rt := range router.Route(s) {
			var targets []string
			for _, t := range rt.Targets {
				targets = append(targets, t.String())
			}
			muted := ""
			if rt.Muted {
				muted = ", muted " + rt.MutedBy
			}
			fmt.Fprintf(out, "  → %s via %s, group %s%s\n", strings.Join(targets, ", "), rt.ID, rt.GroupKey, muted)
		}
		for _, rb := range runbooks.For(s) {
			fmt.Fprintf(out, "  runbook: %s\n", rb.Title)
		}
		fmt.Fprintln(out)
	}

	// Why did the ingress alert not go to the owner of GitLab? Ask.
	a := &alert.Alert{Labels: alerts[2], StartsAt: at}
	class, _ := policy.Classify(a.Labels)
	s := &route.Subject{Alert: a, Class: class, At: at}
	fmt.Fprintf(out, "how the rules saw %s:\n%s", alerts[2], route.FormatSteps(router.Explain(s)))
	return nil
}
