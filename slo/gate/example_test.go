package gate_test

import (
	"fmt"
	"time"

	"github.com/alertkit/alertkit/slo/gate"
)

// A canary walks from 5% to 25% of the traffic. Every 5 seconds it
// reports its requests, a sample of 100 latencies and its CPU; every minute
// the rollout asks the gate. At 5% it needs 4 minutes to cover 80% of the
// window, then it is healthy and moves on; at 25% it fails within the
// first minute, and rolls back.
func Example() {
	canary, err := gate.New(gate.Gate{
		Name:         "checkout",
		Window:       5 * time.Minute,
		MaxErrorRate: 0.01,
		MaxLatency:   gate.LatencyLimit{Quantile: 0.99, Max: 300 * time.Millisecond},
		MaxResource:  map[string]float64{"cpu": 0.8},
		MinRequests:  100,
		MinCoverage:  0.8,
	}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	start := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	type tick struct {
		requests, failed int
		latencies        []time.Duration
		cpu              float64
	}
	steps := []struct {
		weight int
		tick   func(i int) tick
	}{
		{5, func(i int) tick {
			k := tick{requests: 100, cpu: 0.30 + float64(i%10)/100}
			if i%10 == 0 {
				k.failed = 1
			}
			for j := range 100 {
				k.latencies = append(k.latencies, time.Duration(50+j)*time.Millisecond)
			}
			return k
		}},
		{25, func(i int) tick {
			k := tick{requests: 500, failed: 11 + (i+1)%2, cpu: 0.45}
			if i == 7 {
				k.cpu = 0.93
			}
			for range 98 {
				k.latencies = append(k.latencies, 120*time.Millisecond)
			}
			k.latencies = append(k.latencies, 412*time.Millisecond, 600*time.Millisecond)
			return k
		}},
	}
	at := start
	for _, step := range steps {
		canary.Reset() // a new step, a new window
		i := 0
		for minute := 1; ; minute++ {
			var now time.Time
			for range 12 {
				k := step.tick(i)
				i++
				_ = canary.Requests(at, k.requests, k.failed)
				for _, d := range k.latencies {
					_ = canary.Latency(at, d)
				}
				_ = canary.Gauge(at, "cpu", k.cpu)
				now, at = at, at.Add(5*time.Second)
			}
			v := canary.Evaluate(now)
			fmt.Printf("%d%% after %dm: %s", step.weight, minute, v.Status)
			if v.Status == gate.StatusNotEnoughData {
				fmt.Printf(": %s, …\n", v.Reasons[0])
				continue
			}
			if v.Status == gate.StatusHealthy {
				fmt.Printf(": error rate %.2f%%, p99 %s, cpu max %.2f\n", 100*v.ErrorRate, v.Latency, v.Resources["cpu"])
				fmt.Println("promote")
				break
			}
			fmt.Println()
			for _, r := range v.Reasons {
				fmt.Println("  " + r)
			}
			fmt.Println("roll back to 0%")
			return
		}
	}
	// Output:
	// 5% after 1m: not enough data: error rate: data covers 20% of 5m, less than the 80% required, …
	// 5% after 2m: not enough data: error rate: data covers 40% of 5m, less than the 80% required, …
	// 5% after 3m: not enough data: error rate: data covers 60% of 5m, less than the 80% required, …
	// 5% after 4m: healthy: error rate 0.10%, p99 148ms, cpu max 0.39
	// promote
	// 25% after 1m: unhealthy
	//   error rate 2.3% > 1% over 5m (138 of 6000 requests failed)
	//   p99 latency 412ms > 300ms over 5m (1200 requests)
	//   cpu max 0.93 > 0.8 over 5m
	// roll back to 0%
}

// The canary against the stable version, over the same window: its error
// rate may be at most twice the stable version's, plus half a percent.
func ExampleRecorder_Compare() {
	g := gate.Gate{
		Window:      5 * time.Minute,
		Baseline:    &gate.Baseline{ErrorRateFactor: 2, ErrorRateTolerance: 0.005},
		MinCoverage: 0.8,
	}
	canary, err := gate.New(g, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	stable, _ := gate.New(g, nil)
	at := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	for i := range 60 {
		_ = stable.Requests(at, 1900, 8) // 0.42% fail
		_ = canary.Requests(at, 100, 2)  // 2% fail
		if i < 59 {
			at = at.Add(5 * time.Second)
		}
	}
	v := canary.Compare(at, stable)
	fmt.Println(v.Status)
	fmt.Println(v.Reasons[0])
	// Output:
	// unhealthy
	// error rate 2% > 2 × baseline 0.421% + 0.5% = 1.342% over 5m
}
