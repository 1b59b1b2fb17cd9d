package slo_test

import (
	"fmt"
	"time"

	"github.com/alertkit/alertkit/slo"
)

// The TechShop SLOs: availability 99.5% (non-5xx of all
// requests), latency (95% of requests under 300 ms) and error rate (under
// 1%), each over 30 days — what an hour of a given SLI does to their error
// budgets, and the windows that alert on them.
func Example_techShop() {
	slos := []struct {
		o   slo.Objective
		sli float64 // the share of good events measured over the last hour
	}{
		{slo.Objective{Name: "availability", Target: 0.995}, 0.98},
		{slo.Objective{Name: "latency", Target: 0.95}, 0.93},
		{slo.Objective{Name: "error-rate", Target: 0.99}, 0.995},
	}
	for _, s := range slos {
		o := s.o
		burn := o.BurnRate(1 - s.sli)
		fmt.Printf("%s %s: SLI %s → burn %s×, the budget lasts %s, an hour spends %s of it\n",
			o.Name, slo.FormatPercent(o.Target), slo.FormatPercent(s.sli), slo.FormatBurn(burn),
			slo.FormatDuration(o.TimeToExhaustion(burn).Round(time.Hour)), slo.FormatPercent(o.BudgetConsumed(burn, time.Hour)))
	}
	latency := slos[1].o
	windows, err := latency.Windows(nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, w := range windows {
		fmt.Println("latency:", w)
	}
	// Output:
	// availability 99.5%: SLI 98% → burn 4×, the budget lasts 7d12h, an hour spends 0.555556% of it
	// latency 95%: SLI 93% → burn 1.4×, the budget lasts 21d10h, an hour spends 0.194444% of it
	// error-rate 99%: SLI 99.5% → burn 0.5×, the budget lasts 60d, an hour spends 0.069444% of it
	// latency: page at 14.4× over 1h and 5m
	// latency: page at 6× over 6h and 30m
	// latency: ticket at 3× over 1d and 2h
	// latency: ticket at 1× over 3d and 6h
}
