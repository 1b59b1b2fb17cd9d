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
	// S5 none: batch 24h, hold 15m
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
	fmt.Println(p.Responses.Response(severity.ServiceLevelPlatinum, severity.S5))

	_, err = severity.ParsePolicy([]byte("responses:\n  gold: [page 1m]\n"))
	fmt.Println(err)
	// Output:
	// page 1h
	// severity policy: line 2:9: responses.gold: 1 cells, want 9 (S1 to S9), or a mapping of the cells to change, as {S2: page 10m}
}

// A file names only what it changes. Here, critical alerts of services
// nobody has classified page within five minutes, after a 30-second hold;
// every other cell keeps its default.
func ExamplePolicyConfig() {
	p, err := severity.ParsePolicy([]byte(`
responses:
  unclassified: {S2: page 5m}
holds:
  unclassified: {S2: 30s}
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	c, err := p.Classify(model.LabelSet{"alertname": "CheckoutDown", "severity": "critical"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c.Response, "after", severity.FormatDuration(c.Hold))
	fmt.Println(c.Reason)

	c, _ = p.Classify(model.LabelSet{"alertname": "DiskFilling", "severity": "warning"})
	fmt.Println(c.Reason)
	// Output:
	// page 5m after 30s
	// severity=critical → S2; no service level → unclassified S2: page 5m, hold 30s (set in holds)
	// severity=warning → S4; no service level → unclassified S4: batch 24h, hold 15m
}

func ExamplePolicy_Describe() {
	p := severity.DefaultPolicy()
	p.Environments = map[string]int{"dev": 2}
	fmt.Println(p.Describe())
	// Output:
	// levels: severity_level, else impact × likelihood, else severity (critical S2, error S3, warning S4, info S6), else S5
	// matrix: the default, certain × deadly S1 to rare × negligible S9, a level milder a step
	// environments: env=dev 2 levels milder
	// service levels: the label service_level, else no service catalogue; an alert with neither is unclassified
	// responses (pending hold):
	//   platinum      S1 page 1m (12s), S2 page 5m (1m), S3 page 10m (2m), S4 page 30m (5m), S5–S7 batch 24h (15m), S8–S9 retrospective
	//   gold          S1 page 5m (1m), S2 page 10m (2m), S3 page 30m (5m), S4–S6 batch 24h (15m), S7–S9 retrospective
	//   silver        S1 page 10m (2m), S2 page 30m (5m), S3–S5 batch 24h (15m), S6–S9 retrospective
	//   none          S1–S4 batch 24h (15m), S5–S9 retrospective
	//   unclassified  S1 page 5m (1m), S2 page 10m (2m), S3 page 30m (5m), S4–S5 batch 24h (15m), S6–S9 retrospective
	// holds: a fifth of a page's deadline, at most 5m; 15m before a digest; none before a retrospective; none set
}
