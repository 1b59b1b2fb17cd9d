package promrules_test

import (
	"testing"
	"time"

	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alertkit/alertkit/slo"
	"github.com/alertkit/alertkit/slo/promrules"
)

func TestImportSloth(t *testing.T) {
	specs, err := promrules.ImportSloth(read(t, "sloth/techshop.yml"), "techshop.yml")
	require.NoError(t, err)
	require.Len(t, specs, 4)
	techshop := model.LabelSet{"service": "techshop", "team": "shop-sre", "tier": "1"}
	assert.Equal(t, promrules.Spec{
		Objective: slo.Objective{Name: "availability", Target: 0.995, Description: "HTTP requests answered without a server error.", Labels: techshop},
		SLI: promrules.SLI{
			ErrorQuery: `sum(rate(http_requests_total{job="techshop",code=~"5.."}[{{.window}}]))`,
			TotalQuery: `sum(rate(http_requests_total{job="techshop"}[{{ .window }}]))`,
		},
		Options: promrules.Options{
			AlertName:   "TechShopAvailabilityBurn",
			Labels:      model.LabelSet{"category": "availability"},
			Annotations: model.LabelSet{"runbook_url": "https://runbooks.example.com/techshop/availability"},
			Page:        promrules.AlertOptions{Labels: model.LabelSet{"severity": "critical", "route": "oncall"}, Annotations: model.LabelSet{}},
			Ticket:      promrules.AlertOptions{Labels: model.LabelSet{"severity": "warning"}, Annotations: model.LabelSet{}},
		},
	}, specs[0])

	latency := specs[1]
	assert.Equal(t, 0.95, latency.Objective.Target)
	assert.Equal(t, model.LabelSet{"service": "techshop", "team": "shop-sre", "tier": "1", "category": "latency"}, latency.Objective.Labels)
	assert.Equal(t, "(\n  sum(rate(http_request_duration_seconds_count{job=\"techshop\"}[{{.window}}]))\n  -\n  sum(rate(http_request_duration_seconds_bucket{job=\"techshop\",le=\"0.3\"}[{{.window}}]))\n)\n", latency.SLI.ErrorQuery)
	assert.True(t, latency.Options.Page.Disable)
	assert.Equal(t, model.LabelSet{"summary": "TechShop is slow"}, latency.Options.Ticket.Annotations)

	checkout := specs[2]
	assert.Equal(t, 0.99, checkout.Objective.Target)
	assert.Equal(t, "sum(rate(checkout_failures_total[{{.window}}]))\n/\nsum(rate(checkout_attempts_total[{{.window}}]))\n", checkout.SLI.ErrorRatioQuery)
	assert.Equal(t, 30*time.Second, checkout.Options.Interval)

	search := specs[3]
	assert.Equal(t, "availability", search.Objective.Name)
	assert.Equal(t, 0.999, search.Objective.Target, "99.9 / 100 is rounded")
	assert.Equal(t, model.LabelSet{"service": "search"}, search.Objective.Labels)
	assert.True(t, search.Options.Ticket.Disable)

	for _, s := range specs {
		f, err := s.Generate()
		require.NoError(t, err, s.Objective.Name)
		require.NotEmpty(t, f.Groups[0].Rules)
	}
	f, err := specs[0].Generate()
	require.NoError(t, err)
	page := f.Groups[0].Rules[len(f.Groups[0].Rules)-2]
	assert.Equal(t, "TechShopAvailabilityBurn", page.Alert)
	assert.Equal(t, map[string]string{"severity": "critical", "route": "oncall", "category": "availability", "slo": "availability", "service": "techshop", "team": "shop-sre", "tier": "1"}, page.Labels)
}

func TestImportSlothErrors(t *testing.T) {
	const head = "version: prometheus/v1\nservice: shop\n"
	const events = "    sli:\n      events:\n        error_query: sum(rate(e[{{.window}}]))\n        total_query: sum(rate(t[{{.window}}]))\n"
	for _, tt := range []struct {
		name, yaml, want string
	}{
		{"syntax", "version: prometheus/v1\nslos: [\n", "spec.yml:2: did not find expected node content"},
		{"tab", "version: prometheus/v1\n\tservice: x\n", "spec.yml:2: found a tab character that violates indentation"},
		{"empty", "", "spec.yml: no SLO"},
		{"not a mapping", "- 1\n", "spec.yml:1: want a mapping"},
		{"version", "version: prometheus/v2\n", `spec.yml:1: version: "prometheus/v2": want prometheus/v1`},
		{"no version", "service: shop\n", "spec.yml:1: version: missing (want prometheus/v1)"},
		{"unknown field", head + "owner: me\n", "spec.yml:3: owner: unknown field (want version, service, labels, slos)"},
		{"no service", "version: prometheus/v1\nslos: []\n", "spec.yml:1: service: missing"},
		{"no slos", head, "spec.yml:1: slos: no SLO"},
		{"slos not a list", head + "slos: {}\n", "spec.yml:3: slos: want a list"},
		{"label name", head + "labels:\n  cost-centre: x\nslos: []\n", "spec.yml:4: labels.cost-centre: invalid label name: want letters, digits and underscores, not starting with a digit or __"},
		{"slo label", head + "labels:\n  slo: x\n", "spec.yml:4: labels.slo: alertkit sets the slo label to the SLO's name"},
		{"service label", head + "labels:\n  service: other\n", `spec.yml:4: labels.service: "other", but the service is "shop"`},
		{"duplicate key", head + "labels:\n  a: x\n  a: y\n", "spec.yml:5: labels.a: given twice"},
		{"no name", head + "slos:\n  - objective: 99\n" + events, "spec.yml:4: slos[0].name: missing"},
		{"same name", head + "slos:\n  - name: a\n    objective: 99\n" + events + "  - name: a\n    objective: 98\n" + events,
			`spec.yml:10: slos[1].name: "a": the name of the SLO on line 4 too`},
		{"no objective", head + "slos:\n  - name: a\n" + events, "spec.yml:4: slos[0].objective: missing (want a percentage such as 99.9)"},
		{"objective 100", head + "slos:\n  - name: a\n    objective: 100\n" + events, "spec.yml:5: slos[0].objective: 100: want a percentage in (0, 100), such as 99.9"},
		{"objective share", head + "slos:\n  - name: a\n    objective: \"99.9\"\n" + events, "spec.yml:5: slos[0].objective: want a number"},
		{"objective nan", head + "slos:\n  - name: a\n    objective: .nan\n" + events, "spec.yml:5: slos[0].objective: .nan: want a finite number"},
		{"severity label", head + "slos:\n  - name: a\n    objective: 99\n    labels:\n      severity: page\n" + events,
			"spec.yml:7: slos[0].labels.severity: alertkit sets severity per alert (critical for the page, warning for the ticket); change it in the page's or the ticket's labels"},
		{"info labels", head + "slos:\n  - name: a\n    objective: 99\n    infoLabels:\n      owner: me\n" + events,
			"spec.yml:6: slos[0].infoLabels: not imported: alertkit writes no info series; move them to labels"},
		{"no sli", head + "slos:\n  - name: a\n    objective: 99\n", "spec.yml:4: slos[0].sli: missing"},
		{"plugin", head + "slos:\n  - name: a\n    objective: 99\n    sli:\n      plugin:\n        id: sloth-common/kubernetes/apiserver/availability\n",
			`spec.yml:7: slos[0].sli.plugin: SLI plugins ("sloth-common/kubernetes/apiserver/availability") run inside Sloth and cannot be imported: write the plugin's queries as sli.events`},
		{"events and raw", head + "slos:\n  - name: a\n    objective: 99\n" + events + "      raw:\n        error_ratio_query: x[{{.window}}]\n",
			"spec.yml:10: slos[0].sli: events and raw: give one of them"},
		{"no total query", head + "slos:\n  - name: a\n    objective: 99\n    sli:\n      events:\n        error_query: sum(rate(e[{{.window}}]))\n",
			"spec.yml:8: slos[0].sli.events.total_query: missing"},
		{"query without window", head + "slos:\n  - name: a\n    objective: 99\n    sli:\n      events:\n        error_query: sum(rate(e[5m]))\n        total_query: sum(rate(t[{{.window}}]))\n",
			"spec.yml:8: slos[0].sli.events.error_query: no {{.window}} where the range goes, as in rate(x[{{.window}}])"},
		{"unbalanced query", head + "slos:\n  - name: a\n    objective: 99\n    sli:\n      raw:\n        error_ratio_query: |\n          sum(rate(e[{{.window}}]))\n          / sum(rate(t[{{.window}}])\n",
			"spec.yml:8: slos[0].sli.raw.error_ratio_query: offset 31: \"(\" is never closed"},
		{"empty sli", head + "slos:\n  - name: a\n    objective: 99\n    sli: {}\n",
			"spec.yml:6: slos[0].sli: want events (error_query and total_query) or raw (error_ratio_query)"},
		{"alert name", head + "slos:\n  - name: a\n    objective: 99\n" + events + "    alerting:\n      name: My Alert\n",
			`spec.yml:11: slos[0].alerting.name: "My Alert": want a metric name such as AvailabilityBudgetBurn`},
		{"disable", head + "slos:\n  - name: a\n    objective: 99\n" + events + "    alerting:\n      page_alert:\n        disable: yes\n",
			"spec.yml:12: slos[0].alerting.page_alert.disable: want true or false"},
		{"alert field", head + "slos:\n  - name: a\n    objective: 99\n" + events + "    alerting:\n      ticket_alert:\n        for: 5m\n",
			"spec.yml:12: slos[0].alerting.ticket_alert.for: unknown field (want disable, labels, annotations)"},
		{"alerting severity", head + "slos:\n  - name: a\n    objective: 99\n" + events + "    alerting:\n      labels:\n        severity: critical\n",
			"spec.yml:12: slos[0].alerting.labels.severity: alertkit sets severity per alert (critical for the page, warning for the ticket); change it in the page's or the ticket's labels"},
		{"annotation name", head + "slos:\n  - name: a\n    objective: 99\n" + events + "    alerting:\n      annotations:\n        runbook-url: x\n",
			"spec.yml:12: slos[0].alerting.annotations.runbook-url: invalid annotation name: want letters, digits and underscores, not starting with a digit"},
		{"labels not strings", head + "slos:\n  - name: a\n    objective: 99\n" + events + "    alerting:\n      labels:\n        team: [a, b]\n",
			"spec.yml:12: slos[0].alerting.labels.team: want a string"},
		{"interval per group", head + "slos:\n  - name: a\n    objective: 99\n" + events + "    interval:\n      alert: 1m\n",
			"spec.yml:11: slos[0].interval.alert: alertkit writes one rule group per SLO: give its interval as slos[0].interval.all"},
		{"interval", head + "slos:\n  - name: a\n    objective: 99\n" + events + "    interval:\n      all: soon\n",
			`spec.yml:11: slos[0].interval.all: "soon": want a duration such as 30s or 1m`},
		{"second document", head + "slos:\n  - name: a\n    objective: 99\n" + events + "---\nversion: prometheus/v1\nservice: other\nslos:\n  - name: b\n    objective: 101\n" + events,
			"spec.yml:15: slos[0].objective: 101: want a percentage in (0, 100), such as 99.9"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			specs, err := promrules.ImportSloth([]byte(tt.yaml), "spec.yml")
			assert.EqualError(t, err, tt.want)
			assert.Nil(t, specs)
		})
	}
}

// Anchors and aliases read as the nodes they name; an alias of its own
// ancestor is refused, not followed for ever.
func TestImportSlothAliases(t *testing.T) {
	specs, err := promrules.ImportSloth([]byte(`
version: prometheus/v1
service: shop
slos:
  - name: a
    objective: 99
    labels: &team {team: shop-sre}
    sli: &sli
      events:
        error_query: sum(rate(e[{{.window}}]))
        total_query: sum(rate(t[{{.window}}]))
  - name: b
    objective: 98
    labels: *team
    sli: *sli
`), "aliases.yml")
	require.NoError(t, err)
	require.Len(t, specs, 2)
	assert.Equal(t, specs[0].SLI, specs[1].SLI)
	assert.Equal(t, model.LabelSet{"service": "shop", "team": "shop-sre"}, specs[1].Objective.Labels)

	_, err = promrules.ImportSloth([]byte("version: prometheus/v1\nservice: shop\nslos: &s\n  - *s\n"), "cycle.yml")
	assert.EqualError(t, err, "cycle.yml:3: slos[0]: want a mapping")
}
