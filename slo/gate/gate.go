package gate

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"time"
)

// Defaults of a Gate's fields left at zero.
const (
	// DefaultQuantile is the latency quantile checked when
	// LatencyLimit.Quantile is 0: the 99th percentile.
	DefaultQuantile = 0.99
	// DefaultMinRequests is the number of requests a check needs in the
	// window when Gate.MinRequests is 0.
	DefaultMinRequests = 100
	// DefaultSlots is how many slots a window is cut into when
	// Gate.Resolution is 0.
	DefaultSlots = 60
	// MaxSlots is the most slots a window may be cut into: Window /
	// Resolution may not exceed it.
	MaxSlots = 600
)

// Gate says whether a new version is healthy enough to get more traffic:
// its error rate, a latency quantile and its resource gauges, over a
// rolling observation window, against limits and, optionally, against the
// version it replaces. A field left at zero is not checked (or takes the
// default it names); at least one check must be set.
//
// In YAML:
//
//	name: checkout
//	window: 5m
//	max_error_rate: 0.01
//	max_latency: {quantile: 0.99, max: 300ms}
//	max_resource: {cpu: 0.8, memory_bytes: 1.5e9}
//	resource_aggregation: {cpu: mean}
//	min_requests: 100
//	min_coverage: 0.8
//	baseline: {error_rate_factor: 2, error_rate_tolerance: 0.005}
type Gate struct {
	// Name names the gate in errors: the service or the rollout.
	Name string `json:"name,omitempty" yaml:"name,omitempty"`
	// Window is the observation window: the checks read what was
	// recorded over the last Window. Required, at least a second.
	Window time.Duration `json:"window" yaml:"window"`
	// Resolution is the width of the slots the window is cut into, each
	// holding what was recorded in its time; data expires a slot at a
	// time, and coverage counts slots. Give at least the interval at
	// which samples arrive (a 15 s scrape: 15s or more), a divisor of
	// Window. 0 means Window / DefaultSlots.
	Resolution time.Duration `json:"resolution,omitempty" yaml:"resolution,omitempty"`
	// MaxErrorRate is the largest share of failed requests, such as 0.01
	// for 1%; 0 does not check it.
	MaxErrorRate float64 `json:"max_error_rate,omitempty" yaml:"max_error_rate,omitempty"`
	// MaxLatency limits a latency quantile.
	MaxLatency LatencyLimit `json:"max_latency,omitzero" yaml:"max_latency,omitempty"`
	// MaxResource limits named gauges — "cpu" (cores, or a share),
	// "memory_bytes" — by their maximum over the window, or their mean
	// (ResourceAggregation). Each limit must be positive.
	MaxResource map[string]float64 `json:"max_resource,omitempty" yaml:"max_resource,omitempty"`
	// ResourceAggregation says how a gauge of MaxResource is aggregated
	// over the window: AggregateMax (the default for a gauge not listed)
	// or AggregateMean.
	ResourceAggregation map[string]Aggregation `json:"resource_aggregation,omitempty" yaml:"resource_aggregation,omitempty"`
	// MinRequests is how many requests the error rate, and how many
	// latency observations the latency quantile, need in the window
	// before they say anything: with fewer, the check has not enough
	// data. 0 means DefaultMinRequests; 1 means no minimum.
	MinRequests int `json:"min_requests,omitempty" yaml:"min_requests,omitempty"`
	// MinCoverage is the share of the window's slots that must hold
	// samples of a check before it may pass, such as 0.8: a window that
	// started a minute ago, or whose data stopped, is not evidence of
	// health. 0 does not check it. See the package documentation.
	MinCoverage float64 `json:"min_coverage,omitempty" yaml:"min_coverage,omitempty"`
	// Baseline, when set, also compares the recorder with a baseline
	// recorder — the stable version — in Recorder.Compare.
	Baseline *Baseline `json:"baseline,omitempty" yaml:"baseline,omitempty"`
}

// LatencyLimit says that a latency quantile may not exceed Max: with
// Quantile 0.99 and Max 300ms, 99% of requests must take at most 300 ms.
type LatencyLimit struct {
	// Quantile is in (0, 1]; 0 means DefaultQuantile.
	Quantile float64 `json:"quantile,omitempty" yaml:"quantile,omitempty"`
	// Max is the limit; 0 does not check the latency.
	Max time.Duration `json:"max,omitempty" yaml:"max,omitempty"`
}

// Baseline compares a canary with the version it replaces, over the same
// window: the canary may be worse than the baseline by a factor plus a
// tolerance, and no more. The tolerance keeps a near-perfect baseline
// (0 errors) from failing every canary that has one.
type Baseline struct {
	// ErrorRateFactor k: the canary's error rate must be at most
	// k × the baseline's + ErrorRateTolerance. 0 does not compare error
	// rates.
	ErrorRateFactor float64 `json:"error_rate_factor,omitempty" yaml:"error_rate_factor,omitempty"`
	// ErrorRateTolerance is a share, such as 0.005 for half a percent.
	ErrorRateTolerance float64 `json:"error_rate_tolerance,omitempty" yaml:"error_rate_tolerance,omitempty"`
	// LatencyFactor k: the canary's latency quantile (the one of
	// MaxLatency) must be at most k × the baseline's + LatencyTolerance.
	// 0 does not compare latencies.
	LatencyFactor float64 `json:"latency_factor,omitempty" yaml:"latency_factor,omitempty"`
	// LatencyTolerance is added to the scaled baseline latency.
	LatencyTolerance time.Duration `json:"latency_tolerance,omitempty" yaml:"latency_tolerance,omitempty"`
}

// Aggregation is how a gauge's samples over the window become one value.
type Aggregation string

// The aggregations of a gauge.
const (
	// AggregateMax is the largest sample: a spike counts.
	AggregateMax Aggregation = "max"
	// AggregateMean is the mean of the samples.
	AggregateMean Aggregation = "mean"
)

// Validate checks the gate; errors name the field, as written in YAML.
func (g *Gate) Validate() error {
	what := "gate"
	if g.Name != "" {
		what += " " + g.Name
	}
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf(what+": "+format, args...))
	}
	switch {
	case g.Window == 0:
		bad("window: missing: give the observation window, such as 5m")
	case g.Window < time.Second:
		bad("window %s: want at least 1s", g.Window)
	case g.Resolution < 0:
		bad("resolution %s: negative", g.Resolution)
	case g.Resolution > 0 && g.Window%g.Resolution != 0:
		bad("resolution %s: want a divisor of the window (%s)", g.Resolution, g.Window)
	case g.Resolution > 0 && g.Window/g.Resolution > MaxSlots:
		bad("resolution %s: cuts the window (%s) into %d slots, more than %d", g.Resolution, g.Window, g.Window/g.Resolution, MaxSlots)
	}
	if !isShare(g.MaxErrorRate) {
		bad("max_error_rate %v: want a share in [0, 1], such as 0.01 for 1%%", g.MaxErrorRate)
	}
	if q := g.MaxLatency.Quantile; !(q > 0 && q <= 1) && q != 0 {
		bad("max_latency.quantile %v: want a share in (0, 1], such as 0.99", q)
	}
	if g.MaxLatency.Max < 0 {
		bad("max_latency.max %s: negative", g.MaxLatency.Max)
	}
	for _, name := range sortedKeys(g.MaxResource) {
		switch limit := g.MaxResource[name]; {
		case name == "":
			bad("max_resource: a gauge without a name")
		case !(limit > 0) || math.IsInf(limit, 0):
			bad("max_resource.%s %v: want a positive limit (leave the gauge out to not check it)", name, limit)
		}
	}
	for _, name := range sortedKeys(g.ResourceAggregation) {
		a := g.ResourceAggregation[name]
		if _, ok := g.MaxResource[name]; !ok {
			bad("resource_aggregation.%s: not a gauge of max_resource", name)
		} else if a != AggregateMax && a != AggregateMean {
			bad("resource_aggregation.%s %q: want max or mean", name, a)
		}
	}
	if g.MinRequests < 0 {
		bad("min_requests %d: negative", g.MinRequests)
	}
	if !isShare(g.MinCoverage) {
		bad("min_coverage %v: want a share in [0, 1], such as 0.8", g.MinCoverage)
	}
	if b := g.Baseline; b != nil {
		if !(b.ErrorRateFactor >= 0) || math.IsInf(b.ErrorRateFactor, 0) {
			bad("baseline.error_rate_factor %v: want a positive number", b.ErrorRateFactor)
		}
		if !isShare(b.ErrorRateTolerance) {
			bad("baseline.error_rate_tolerance %v: want a share in [0, 1], such as 0.005", b.ErrorRateTolerance)
		} else if b.ErrorRateTolerance != 0 && b.ErrorRateFactor == 0 {
			bad("baseline.error_rate_tolerance: set without error_rate_factor")
		}
		if !(b.LatencyFactor >= 0) || math.IsInf(b.LatencyFactor, 0) {
			bad("baseline.latency_factor %v: want a positive number", b.LatencyFactor)
		}
		if b.LatencyTolerance < 0 {
			bad("baseline.latency_tolerance %s: negative", b.LatencyTolerance)
		} else if b.LatencyTolerance != 0 && b.LatencyFactor == 0 {
			bad("baseline.latency_tolerance: set without latency_factor")
		}
		if b.ErrorRateFactor == 0 && b.LatencyFactor == 0 {
			bad("baseline: compares nothing: set error_rate_factor or latency_factor")
		}
	}
	if len(errs) == 0 && g.MaxErrorRate == 0 && g.MaxLatency.Max == 0 && len(g.MaxResource) == 0 && g.Baseline == nil {
		bad("checks nothing: set max_error_rate, max_latency, max_resource or baseline")
	}
	return errors.Join(errs...)
}

// isShare reports whether v is in [0, 1].
func isShare(v float64) bool { return v >= 0 && v <= 1 }

// quantile is MaxLatency.Quantile, or DefaultQuantile.
func (g *Gate) quantile() float64 {
	if g.MaxLatency.Quantile == 0 {
		return DefaultQuantile
	}
	return g.MaxLatency.Quantile
}

// minRequests is MinRequests, or DefaultMinRequests.
func (g *Gate) minRequests() int {
	if g.MinRequests == 0 {
		return DefaultMinRequests
	}
	return g.MinRequests
}

// slots is how many slots the window is cut into, and their width.
func (g *Gate) slots() (int, time.Duration) {
	if g.Resolution > 0 {
		return int(g.Window / g.Resolution), g.Resolution
	}
	return DefaultSlots, g.Window / DefaultSlots
}

// aggregation is how the gauge name is aggregated.
func (g *Gate) aggregation(name string) Aggregation {
	if a := g.ResourceAggregation[name]; a != "" {
		return a
	}
	return AggregateMax
}

// sortedKeys returns the keys of m in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
