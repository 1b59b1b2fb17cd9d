package bench

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/alertmanager/config"
	"github.com/prometheus/alertmanager/dispatch"
	"github.com/prometheus/common/model"

	"github.com/alertkit/alertkit/alert"
	"github.com/alertkit/alertkit/route"
)

// Three Alertmanager configurations of the kinds people run, for the
// differential test: the same alerts must reach the same receivers, with
// the same grouping and timings, through Alertmanager's own dispatch.Route
// and through route.FromAlertmanager.
var amConfigs = map[string]string{
	// A Kubernetes cluster's: the Watchdog to a null receiver, critical
	// alerts paged and passed on, platform namespaces to the platform team,
	// teams by label with nested severities.
	"kubernetes": `
route:
  receiver: default
  group_by: [namespace]
  group_wait: 30s
  group_interval: 5m
  repeat_interval: 12h
  routes:
    - matchers: [alertname = Watchdog]
      receiver: "null"
    - matchers: [alertname = InfoInhibitor]
      receiver: "null"
    - matchers: [severity = critical]
      receiver: pager
      group_wait: 10s
      continue: true
    - matchers: ['namespace =~ "kube-.*|monitoring"']
      receiver: platform
      group_by: [alertname, namespace]
      routes:
        - matchers: [severity = info]
          receiver: platform-low
          repeat_interval: 24h
    - matchers: [team = payments]
      receiver: payments
      routes:
        - matchers: [severity = critical, env = prod]
          receiver: payments-pager
        - matchers: ['env != prod']
          receiver: payments-dev
          group_by: ['...']
    - matchers: ['team =~ "web|mobile"']
      receiver: frontend
      continue: true
    - matchers: [alertname =~ "Ingress.*"]
      receiver: ingress
receivers:
  - name: default
  - name: "null"
  - name: pager
  - name: platform
  - name: platform-low
  - name: payments
  - name: payments-pager
  - name: payments-dev
  - name: frontend
  - name: ingress
`,
	// An older configuration in the deprecated match and match_re syntax,
	// three levels deep, with group_by all.
	"legacy": `
route:
  receiver: ops
  group_by: [alertname, cluster, service]
  routes:
    - match_re:
        service: ^(foo1|foo2|baz)$
      receiver: team-x-mails
      routes:
        - match:
            severity: critical
          receiver: team-x-pager
    - match:
        service: files
      receiver: team-y-mails
      routes:
        - match:
            severity: critical
          receiver: team-y-pager
          continue: true
        - match_re:
            cluster: "eu-.*"
          receiver: team-y-eu
    - match:
        service: database
      receiver: team-db-pager
      group_by: [alertname, cluster, database]
      routes:
        - match:
            owner: team-x
          receiver: team-x-pager
          continue: true
        - match:
            owner: team-y
          receiver: team-y-pager
    - match_re:
        alertname: "Disk.*|Memory.*"
      match:
        cluster: us-1
      receiver: capacity
      group_by: ['...']
receivers:
  - name: ops
  - name: team-x-mails
  - name: team-x-pager
  - name: team-y-mails
  - name: team-y-pager
  - name: team-y-eu
  - name: team-db-pager
  - name: capacity
`,
	// Negative and empty matchers, regular expressions with alternatives and
	// classes, and continue chains.
	"matchers": `
route:
  receiver: catch-all
  routes:
    - matchers: ['env = ""']
      receiver: unlabelled
    - matchers: ['severity !~ "critical|warning"', 'team != sre']
      receiver: low
      continue: true
    - matchers: ['alertname =~ "[A-Z][a-z]+Down"', 'team = sre']
      receiver: sre-down
      continue: true
    - matchers: ['team = sre']
      receiver: sre
      routes:
        - matchers: ['service =~ "api|web"', 'env = prod']
          receiver: sre-prod-api
        - matchers: ['service !~ "api|web"']
          receiver: sre-other
    - matchers: ['severity = critical']
      receiver: critical
receivers:
  - name: catch-all
  - name: unlabelled
  - name: low
  - name: sre-down
  - name: sre
  - name: sre-prod-api
  - name: sre-other
  - name: critical
`,
}

// diffLabelValues are the values the generated alerts draw from: the ones
// the configurations mention, and others.
var diffLabelValues = map[string][]string{
	"alertname": {"Watchdog", "InfoInhibitor", "TargetDown", "NodeDown", "IngressResponses5xx", "DiskFull", "MemoryHigh", "KubePodCrashLooping", "down", "HostDown"},
	"severity":  {"critical", "warning", "info", "", "none"},
	"namespace": {"kube-system", "monitoring", "kube-", "shop", "payments", ""},
	"team":      {"payments", "web", "mobile", "sre", "db", ""},
	"env":       {"prod", "dev", "staging", ""},
	"service":   {"foo1", "foo2", "baz", "files", "database", "api", "web", "foo", ""},
	"cluster":   {"eu-1", "eu-west", "us-1", "us-2", ""},
	"owner":     {"team-x", "team-y", "team-z", ""},
	"database":  {"orders", "users", ""},
}

func generateLabelSets(rng *rand.Rand, n int) []model.LabelSet {
	names := make([]string, 0, len(diffLabelValues))
	for name := range diffLabelValues {
		names = append(names, name)
	}
	slices.Sort(names)
	out := make([]model.LabelSet, n)
	for i := range out {
		ls := model.LabelSet{}
		for _, name := range names {
			values := diffLabelValues[name]
			if v := values[rng.IntN(len(values))]; v != "" && (name == "alertname" || rng.IntN(4) > 0) {
				ls[model.LabelName(name)] = model.LabelValue(v)
			}
		}
		out[i] = ls
	}
	return out
}

// amResult describes where Alertmanager routes an alert.
func amResult(routes []*dispatch.Route) []string {
	var out []string
	for _, r := range routes {
		by := "..."
		if !r.RouteOpts.GroupByAll {
			var names []string
			for n := range r.RouteOpts.GroupBy {
				names = append(names, string(n))
			}
			slices.Sort(names)
			by = strings.Join(names, ",")
		}
		out = append(out, fmt.Sprintf("%s by [%s] wait %s interval %s repeat %s", r.RouteOpts.Receiver, by,
			r.RouteOpts.GroupWait, r.RouteOpts.GroupInterval, r.RouteOpts.RepeatInterval))
	}
	return out
}

func alertkitResult(routes []route.Route) []string {
	var out []string
	for _, r := range routes {
		var names []string
		for _, n := range r.Grouping.By {
			names = append(names, string(n))
		}
		slices.Sort(names)
		names = slices.Compact(names)
		out = append(out, fmt.Sprintf("%s by [%s] wait %s interval %s repeat %s", r.Targets[0].Name, strings.Join(names, ","),
			r.Timing.Wait, r.Timing.Interval, r.Timing.Repeat))
	}
	return out
}

func TestRoutingAgreesWithAlertmanager(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	for name, text := range amConfigs {
		t.Run(name, func(t *testing.T) {
			amCfg, err := config.Load(text)
			if err != nil {
				t.Fatalf("alertmanager refuses the config: %v", err)
			}
			amRoute := dispatch.NewRoute(amCfg.Route, nil)

			cfg, err := route.FromAlertmanager([]byte(text), name+".yml")
			if err != nil {
				t.Fatal(err)
			}
			router, err := route.Compile(cfg, nil)
			if err != nil {
				t.Fatal(err)
			}
			rng := rand.New(rand.NewPCG(uint64(len(name)), 7))
			receivers := map[string]int{}
			for _, ls := range generateLabelSets(rng, 5000) {
				want := amResult(amRoute.Match(ls))
				got := alertkitResult(router.Route(&route.Subject{Alert: &alert.Alert{Labels: ls}, At: now}))
				if !slices.Equal(want, got) {
					t.Fatalf("alert %s:\nalertmanager: %v\nalertkit:     %v", ls, want, got)
				}
				for _, w := range want {
					receivers[strings.Fields(w)[0]]++
				}
			}
			for _, r := range amCfg.Receivers {
				if receivers[r.Name] == 0 {
					t.Errorf("no generated alert reached receiver %s: the test does not cover it", r.Name)
				}
			}
		})
	}
}
