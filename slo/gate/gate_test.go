package gate_test

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/alertkit/alertkit/slo/gate"
)

func TestValidate(t *testing.T) {
	for _, tt := range []struct {
		name string
		edit func(*gate.Gate)
		want string
	}{
		{"valid", func(*gate.Gate) {}, ""},
		{"only a window", func(g *gate.Gate) { *g = gate.Gate{Window: time.Minute} },
			"gate: checks nothing: set max_error_rate, max_latency, max_resource or baseline"},
		{"no window", func(g *gate.Gate) { g.Window = 0 },
			"gate checkout: window: missing: give the observation window, such as 5m"},
		{"a short window", func(g *gate.Gate) { g.Window = 10 * time.Millisecond },
			"gate checkout: window 10ms: want at least 1s"},
		{"a negative resolution", func(g *gate.Gate) { g.Resolution = -time.Second },
			"gate checkout: resolution -1s: negative"},
		{"a resolution that does not divide the window", func(g *gate.Gate) { g.Resolution = 7 * time.Second },
			"gate checkout: resolution 7s: want a divisor of the window (5m0s)"},
		{"too many slots", func(g *gate.Gate) { g.Resolution = 100 * time.Millisecond },
			"gate checkout: resolution 100ms: cuts the window (5m0s) into 3000 slots, more than 600"},
		{"a resolution of the whole window", func(g *gate.Gate) { g.Resolution = g.Window }, ""},
		{"an error rate above 1", func(g *gate.Gate) { g.MaxErrorRate = 1.5 },
			"gate checkout: max_error_rate 1.5: want a share in [0, 1], such as 0.01 for 1%"},
		{"an error rate in percent", func(g *gate.Gate) { g.MaxErrorRate = -1 },
			"gate checkout: max_error_rate -1: want a share in [0, 1], such as 0.01 for 1%"},
		{"a NaN error rate", func(g *gate.Gate) { g.MaxErrorRate = math.NaN() },
			"gate checkout: max_error_rate NaN: want a share in [0, 1], such as 0.01 for 1%"},
		{"a quantile in percent", func(g *gate.Gate) { g.MaxLatency.Quantile = 99 },
			"gate checkout: max_latency.quantile 99: want a share in (0, 1], such as 0.99"},
		{"a negative latency", func(g *gate.Gate) { g.MaxLatency.Max = -time.Second },
			"gate checkout: max_latency.max -1s: negative"},
		{"a resource limit of 0", func(g *gate.Gate) { g.MaxResource["memory_bytes"] = 0 },
			"gate checkout: max_resource.memory_bytes 0: want a positive limit (leave the gauge out to not check it)"},
		{"a resource without a name", func(g *gate.Gate) { g.MaxResource[""] = 1 },
			"gate checkout: max_resource: a gauge without a name"},
		{"an aggregation of an unchecked gauge", func(g *gate.Gate) {
			g.ResourceAggregation = map[string]gate.Aggregation{"memory": gate.AggregateMean}
		}, "gate checkout: resource_aggregation.memory: not a gauge of max_resource"},
		{"an unknown aggregation", func(g *gate.Gate) {
			g.ResourceAggregation = map[string]gate.Aggregation{"cpu": "p95"}
		}, `gate checkout: resource_aggregation.cpu "p95": want max or mean`},
		{"negative min_requests", func(g *gate.Gate) { g.MinRequests = -1 },
			"gate checkout: min_requests -1: negative"},
		{"a coverage in percent", func(g *gate.Gate) { g.MinCoverage = 80 },
			"gate checkout: min_coverage 80: want a share in [0, 1], such as 0.8"},
		{"a baseline comparing nothing", func(g *gate.Gate) { g.Baseline = &gate.Baseline{} },
			"gate checkout: baseline: compares nothing: set error_rate_factor or latency_factor"},
		{"a baseline tolerance without its factor", func(g *gate.Gate) {
			g.Baseline = &gate.Baseline{ErrorRateTolerance: 0.01, LatencyFactor: 2, LatencyTolerance: time.Millisecond}
		}, "gate checkout: baseline.error_rate_tolerance: set without error_rate_factor"},
		{"bad baseline numbers", func(g *gate.Gate) {
			g.Baseline = &gate.Baseline{ErrorRateFactor: -2, ErrorRateTolerance: 2, LatencyFactor: math.Inf(1), LatencyTolerance: -time.Second}
		}, "gate checkout: baseline.error_rate_factor -2: want a positive number\n" +
			"gate checkout: baseline.error_rate_tolerance 2: want a share in [0, 1], such as 0.005\n" +
			"gate checkout: baseline.latency_factor +Inf: want a positive number\n" +
			"gate checkout: baseline.latency_tolerance -1s: negative"},
		{"a baseline alone is a check", func(g *gate.Gate) {
			*g = gate.Gate{Window: time.Minute, Baseline: &gate.Baseline{LatencyFactor: 1.2}}
		}, ""},
		{"every error at once", func(g *gate.Gate) {
			g.Window, g.MaxErrorRate, g.MinCoverage = 0, 2, 2
		}, "gate checkout: window: missing: give the observation window, such as 5m\n" +
			"gate checkout: max_error_rate 2: want a share in [0, 1], such as 0.01 for 1%\n" +
			"gate checkout: min_coverage 2: want a share in [0, 1], such as 0.8"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			g := canaryGate()
			tt.edit(&g)
			err := g.Validate()
			if tt.want == "" {
				assert.NoError(t, err)
				return
			}
			assert.EqualError(t, err, tt.want)
		})
	}
}

// A Gate reads from YAML, durations written as Go writes them, and from
// JSON, durations in nanoseconds as encoding/json writes them.
func TestGateDecodes(t *testing.T) {
	want := gate.Gate{
		Name:                "checkout",
		Window:              5 * time.Minute,
		Resolution:          15 * time.Second,
		MaxErrorRate:        0.01,
		MaxLatency:          gate.LatencyLimit{Quantile: 0.99, Max: 300 * time.Millisecond},
		MaxResource:         map[string]float64{"cpu": 0.8, "memory_bytes": 1.5e9},
		ResourceAggregation: map[string]gate.Aggregation{"cpu": gate.AggregateMean},
		MinRequests:         100,
		MinCoverage:         0.8,
		Baseline:            &gate.Baseline{ErrorRateFactor: 2, ErrorRateTolerance: 0.005, LatencyFactor: 1.5, LatencyTolerance: 50 * time.Millisecond},
	}
	var g gate.Gate
	dec := yaml.NewDecoder(strings.NewReader(`
name: checkout
window: 5m
resolution: 15s
max_error_rate: 0.01
max_latency: {quantile: 0.99, max: 300ms}
max_resource: {cpu: 0.8, memory_bytes: 1.5e9}
resource_aggregation: {cpu: mean}
min_requests: 100
min_coverage: 0.8
baseline: {error_rate_factor: 2, error_rate_tolerance: 0.005, latency_factor: 1.5, latency_tolerance: 50ms}
`))
	dec.KnownFields(true)
	require.NoError(t, dec.Decode(&g))
	assert.Equal(t, want, g)
	require.NoError(t, g.Validate())

	out, err := yaml.Marshal(want)
	require.NoError(t, err)
	var back gate.Gate
	require.NoError(t, yaml.Unmarshal(out, &back))
	assert.Equal(t, want, back, "%s", out)

	js, err := json.Marshal(want)
	require.NoError(t, err)
	back = gate.Gate{}
	require.NoError(t, json.Unmarshal(js, &back))
	assert.Equal(t, want, back, "%s", js)

	js, err = json.Marshal(gate.Gate{Window: time.Minute, MaxErrorRate: 0.1})
	require.NoError(t, err)
	assert.JSONEq(t, `{"window": 60000000000, "max_error_rate": 0.1}`, string(js), "zero fields are left out")
}
