package severity_test

import (
	"fmt"

	"github.com/prometheus/common/model"

	"github.com/alertkit/alertkit/severity"
)

func ExamplePolicy_Classify() {
	p := severity.DefaultPolicy()
	p.Environments = map[string]int{"dev": 2}
	for _, ls := range []model.LabelSet{
		{"alertname": "CheckoutDown", "impact": "deadly", "likelihood": "possible", "service_level": "platinum"},
		{"alertname": "CheckoutDown", "impact": "deadly", "likelihood": "possible", "service_level": "platinum", "env": "dev"},
		{"alertname": "DiskFull", "severity_level": "4", "service_level": "gold"},
		{"alertname": "Oops", "severity": "urgent"},
	} {
		c, err := p.Classify(ls)
		if err != nil {
			fmt.Println("error:", err)
		}
		fmt.Printf("%s %s: %s, hold %s\n", c.Level, c.ServiceLevel, c.Response, severity.FormatDuration(c.Hold))
	}
	// Output:
	// S3 platinum: page 10m, hold 2m
	// S5 platinum: batch 24h, hold 15m
	// S4 gold: batch 24h, hold 15m
	// error: label severity: unknown severity "urgent" (the policy knows critical, error, info, warning)
	// S5 none: retrospective, hold 0s
}

func ExampleParsePolicy() {
	p, err := severity.ParsePolicy([]byte(`
environments: {dev: 2}
responses:
  platinum: [page 1m, page 5m, page 10m, page 30m, page 1h, batch 24h, batch 24h, retrospective, retrospective]
  gold:     [page 5m, page 10m, page 30m, batch 24h, batch 24h, batch 24h, retrospective, retrospective, retrospective]
  silver:   [page 10m, page 30m, batch 24h, batch 24h, batch 24h, retrospective, retrospective, retrospective, retrospective]
  none:     [batch 24h, batch 24h, batch 24h, batch 24h, retrospective, retrospective, retrospective, retrospective, retrospective]
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p.Responses.Response(severity.Platinum, severity.S5))

	_, err = severity.ParsePolicy([]byte("responses:\n  gold: [page 1m]\n"))
	fmt.Println(err)
	// Output:
	// page 1h
	// severity policy: line 2: responses.gold: 1 cells, want 9 (S1 to S9)
}
