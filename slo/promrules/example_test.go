package promrules_test

import (
	"fmt"
	"time"

	"github.com/prometheus/common/model"

	"github.com/alertkit/alertkit/slo"
	"github.com/alertkit/alertkit/slo/promrules"
)

// A rule file for a 99.9% objective that pages when 2% of the budget goes
// in an hour.
func ExampleGenerate() {
	o := &slo.Objective{Name: "checkout", Target: 0.999, Labels: model.LabelSet{"service": "shop"}}
	sli := promrules.SLI{
		ErrorQuery: `sum(rate(http_requests_total{handler="/checkout", code=~"5.."}[{{.window}}]))`,
		TotalQuery: `sum(rate(http_requests_total{handler="/checkout"}[{{.window}}]))`,
	}
	f, err := promrules.Generate(o, sli, &promrules.Options{
		Windows:    []slo.Window{{Severity: slo.SeverityPage, Long: time.Hour, BudgetShare: 0.02}},
		RunbookURL: "https://runbooks.example.com/checkout",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	b, err := f.YAML()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(string(b))
	// Output:
	// groups:
	//   - name: slo-checkout
	//     rules:
	//       - record: slo:error_ratio:rate5m
	//         expr: (sum(rate(http_requests_total{handler="/checkout", code=~"5.."}[5m]))) / (sum(rate(http_requests_total{handler="/checkout"}[5m])))
	//         labels:
	//           service: shop
	//           slo: checkout
	//       - record: slo:error_ratio:rate1h
	//         expr: (sum(rate(http_requests_total{handler="/checkout", code=~"5.."}[1h]))) / (sum(rate(http_requests_total{handler="/checkout"}[1h])))
	//         labels:
	//           service: shop
	//           slo: checkout
	//       - record: slo:error_ratio:rate30d
	//         expr: (sum(rate(http_requests_total{handler="/checkout", code=~"5.."}[30d]))) / (sum(rate(http_requests_total{handler="/checkout"}[30d])))
	//         labels:
	//           service: shop
	//           slo: checkout
	//       - record: slo:objective:ratio
	//         expr: vector(0.999)
	//         labels:
	//           service: shop
	//           slo: checkout
	//       - record: slo:error_budget:ratio
	//         expr: vector(0.001)
	//         labels:
	//           service: shop
	//           slo: checkout
	//       - record: slo:period:seconds
	//         expr: vector(2592000)
	//         labels:
	//           service: shop
	//           slo: checkout
	//       - record: slo:burn_rate:rate30d
	//         expr: slo:error_ratio:rate30d{slo="checkout", service="shop"} / 0.001
	//         labels:
	//           service: shop
	//           slo: checkout
	//       - record: slo:error_budget_remaining:ratio
	//         expr: 1 - slo:burn_rate:rate30d{slo="checkout", service="shop"}
	//         labels:
	//           service: shop
	//           slo: checkout
	//       - alert: CheckoutBudgetBurn
	//         expr: (slo:error_ratio:rate1h{slo="checkout", service="shop"} > (14.4 * 0.001) and slo:error_ratio:rate5m{slo="checkout", service="shop"} > (14.4 * 0.001))
	//         labels:
	//           service: shop
	//           severity: critical
	//           slo: checkout
	//         annotations:
	//           burn: "14.4"
	//           description: 'SLO checkout: 99.9% of events must be good over 30d, an error budget of 0.1%. The budget burns at 14.4× or more over 1h and 5m (2% of it gone in 1h).'
	//           long_window: 1h
	//           runbook_url: https://runbooks.example.com/checkout
	//           summary: 'SLO checkout is burning its error budget fast: 14.4× or more, so that it lasts 2d2h or less'
}

// Sloth specs import as they are; what Sloth runs as plugins is refused.
func ExampleImportSloth() {
	specs, err := promrules.ImportSloth([]byte(`
version: "prometheus/v1"
service: "shop"
slos:
  - name: "requests-availability"
    objective: 99.9
    sli:
      events:
        error_query: sum(rate(http_requests_total{code=~"5.."}[{{.window}}]))
        total_query: sum(rate(http_requests_total[{{.window}}]))
    alerting:
      name: ShopAvailability
      ticket_alert:
        disable: true
`), "shop.yml")
	if err != nil {
		fmt.Println(err)
		return
	}
	s := specs[0]
	fmt.Println(s.Objective.Name, s.Objective.Target, s.Objective.Labels, s.Options.AlertName, s.Options.Ticket.Disable)

	_, err = promrules.ImportSloth([]byte(`
version: "prometheus/v1"
service: "k8s-apiserver"
slos:
  - name: "requests-availability"
    objective: 99.9
    sli:
      plugin:
        id: "sloth-common/kubernetes/apiserver/availability"
`), "apiserver.yml")
	fmt.Println(err)
	// Output:
	// requests-availability 0.999 {service="shop"} ShopAvailability true
	// apiserver.yml:8: slos[0].sli.plugin: SLI plugins ("sloth-common/kubernetes/apiserver/availability") run inside Sloth and cannot be imported: write the plugin's queries as sli.events
}
