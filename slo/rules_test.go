package slo_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alertkit/alertkit/alert"
	"github.com/alertkit/alertkit/slo"
)

var t0 = time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)

func TestEventsWindows(t *testing.T) {
	ev := slo.NewEvents(5*time.Minute, time.Hour)
	for i := 1; i <= 120; i++ { // a minute of 100 events, i of them bad, for two hours
		require.NoError(t, ev.Add(t0.Add(time.Duration(i)*time.Minute), float64(100-i%10), 100))
	}
	at := t0.Add(120 * time.Minute)
	good, total, err := ev.Over(5*time.Minute, at)
	require.NoError(t, err)
	assert.Equal(t, 500.0, total)
	assert.Equal(t, 500.0-(6+7+8+9+0), good, "minutes 116–120")
	good, total, err = ev.Over(time.Hour, at)
	require.NoError(t, err)
	assert.Equal(t, 6000.0, total)
	assert.Equal(t, 6000.0-6*45, good)

	// Events are counted at the time they are reported: half a minute on,
	// the window still holds the five reports of minutes 116–120; a
	// minute on, four.
	_, total, err = ev.Over(5*time.Minute, at.Add(30*time.Second))
	require.NoError(t, err)
	assert.Equal(t, 500.0, total)
	_, total, err = ev.Over(5*time.Minute, at.Add(time.Minute))
	require.NoError(t, err)
	assert.Equal(t, 400.0, total)

	// Events spread within a slot: the oldest slot counts in proportion
	// to its overlap with the window.
	spread := slo.NewEventsSlots(2, time.Hour) // 30-minute slots
	for s := 1; s <= 3600; s++ {
		require.NoError(t, spread.Add(t0.Add(time.Duration(s)*time.Second), 1, 1))
	}
	_, total, err = spread.Over(time.Hour, t0.Add(75*time.Minute))
	require.NoError(t, err)
	assert.InDelta(t, 2700, total, 1e-9, "(15m, 75m]: the 15 minutes of (0, 30m] in proportion, and (30m, 60m]")

	// Long after, nothing.
	_, total, err = ev.Over(time.Hour, at.Add(2*time.Hour))
	require.NoError(t, err)
	assert.Zero(t, total)

	_, _, err = ev.Over(6*time.Hour, at)
	assert.EqualError(t, err, "slo: events: no window 6h (have [5m0s 1h0m0s])")
	assert.EqualError(t, ev.Add(at, 2, 1), "slo: events: 2 good of only 1")
	assert.EqualError(t, ev.Add(at, -1, 1), "slo: events: negative counts: -1 good of 1")
}

func TestEventsCounters(t *testing.T) {
	ev := slo.NewEvents(10 * time.Minute)
	series := []struct{ good, total float64 }{{0, 0}, {99, 100}, {198, 200}, {10, 10} /* reset */, {100, 110}}
	for i, s := range series {
		require.NoError(t, ev.AddCounters(t0.Add(time.Duration(i)*time.Minute), s.good, s.total))
	}
	good, total, err := ev.Over(10*time.Minute, t0.Add(4*time.Minute))
	require.NoError(t, err)
	assert.Equal(t, 100.0+100+10+100, total)
	assert.Equal(t, 99.0+99+10+90, good)
}

func TestGauge(t *testing.T) {
	g := slo.NewGauge(10 * time.Minute)
	for i, v := range []float64{3, 9, 1, 5} {
		require.NoError(t, g.Set(t0.Add(time.Duration(i+1)*time.Minute), v))
	}
	at := t0.Add(4 * time.Minute)
	for agg, want := range map[slo.Aggregation]float64{slo.AggregationLast: 5, slo.AggregationAvg: 4.5, slo.AggregationMin: 1, slo.AggregationMax: 9} {
		v, ok := g.Value(agg, at)
		assert.True(t, ok)
		assert.Equal(t, want, v, agg)
	}
	_, ok := g.Value(slo.AggregationMax, at.Add(time.Hour))
	assert.False(t, ok, "the samples left the window")
	assert.Error(t, g.Set(at, 0*1/zero()))
}

func zero() float64 { return 0 }

// run feeds a minute of events at a time — total events, the error ratio
// given by errors(minute) — and evaluates every minute, returning what
// each evaluation reported, as "minute: alertname/severity state".
func run(t *testing.T, o *slo.Objective, minutes int, errors func(minute int) float64) []string {
	t.Helper()
	rule := slo.BurnRateRule{Objective: o}
	windows, err := rule.EventWindows()
	require.NoError(t, err)
	rule.Events = slo.NewEvents(windows...)
	e := slo.NewEvaluator(nil)
	require.NoError(t, e.AddBurnRate(rule))
	var out []string
	state := map[string]string{}
	for m := 1; m <= minutes; m++ {
		at := t0.Add(time.Duration(m) * time.Minute)
		bad := errors(m) * 1000
		require.NoError(t, rule.Events.Add(at, 1000-bad, 1000))
		alerts, err := e.Eval(at)
		require.NoError(t, err)
		seen := map[string]bool{}
		for _, a := range alerts {
			key := fmt.Sprintf("%s/%s", a.Labels["alertname"], a.Labels["severity"])
			s := a.StateAt(at).String()
			seen[key] = true
			if state[key] != s {
				out = append(out, fmt.Sprintf("%d: %s %s", m, key, s))
				state[key] = s
			}
		}
		for key, s := range state {
			if !seen[key] && s != "resolved" && s != "" {
				out = append(out, fmt.Sprintf("%d: %s gone", m, key))
				delete(state, key)
			}
		}
	}
	return out
}

func TestBurnRateAlerts(t *testing.T) {
	o := &slo.Objective{Name: "availability", Target: 0.995}

	// 0.1% errors: a burn of 0.2, nothing to say.
	assert.Empty(t, run(t, o, 24*60, func(int) float64 { return 0.001 }))

	// After three good days, a total outage of 30 minutes. The 1h/5m page
	// fires when the hour's error ratio passes 14.4 × 0.5% = 7.2%: at 5 of
	// 60 minutes. The tickets fire at 22 minutes, when the day's ratio
	// passes 3 × 0.5% (and the three days', 1 × 0.5%). After the outage,
	// the page holds until the 6h/30m condition clears — 30 minutes —
	// and the 3d/6h ticket until the 6-hour window holds a single bad
	// minute.
	const good = 3 * 24 * 60
	got := run(t, o, good+7*60, func(m int) float64 {
		if m > good && m <= good+30 {
			return 1
		}
		return 0
	})
	assert.Equal(t, []string{
		fmt.Sprintf("%d: AvailabilityBudgetBurn/critical firing", good+5),
		fmt.Sprintf("%d: AvailabilityBudgetBurn/warning firing", good+22),
		fmt.Sprintf("%d: AvailabilityBudgetBurn/critical resolved", good+60),
		fmt.Sprintf("%d: AvailabilityBudgetBurn/warning resolved", good+389),
	}, got)

	// After three good days, a slow burn of 4× (2% errors): no page (4 <
	// 6), a ticket once the day's burn passes 3× — after 18 hours, when the
	// three days' burn passes 1× too.
	got = run(t, o, good+20*60, func(m int) float64 {
		if m > good {
			return 0.02
		}
		return 0
	})
	assert.Equal(t, []string{fmt.Sprintf("%d: AvailabilityBudgetBurn/warning firing", good+1081)}, got)

	// With no history at all, the 3-day window holds only what there is:
	// a 4× burn after an hour of good events passes 1× over "3 days" and
	// over 6 hours once it has lasted a third of the hour: at minute 81.
	got = run(t, o, 100, func(m int) float64 {
		if m > 60 {
			return 0.02
		}
		return 0
	})
	assert.Equal(t, []string{"81: AvailabilityBudgetBurn/warning firing"}, got)
}

func TestThresholdRule(t *testing.T) {
	g := slo.NewGauge(time.Minute)
	e := slo.NewEvaluator(&slo.Options{Refresh: 3 * time.Minute})
	require.NoError(t, e.AddThreshold(slo.ThresholdRule{
		Name:  "QueueTooLong",
		Value: func(at time.Time) (float64, bool) { return g.Value(slo.AggregationLast, at) },
		Op:    slo.OperatorGreater, Threshold: 100, For: 3 * time.Minute, KeepFiringFor: 2 * time.Minute,
		Labels:      model.LabelSet{"severity": "warning", "queue": "orders"},
		Annotations: model.LabelSet{"summary": "orders queue holds {{ $value }} messages"},
	}))
	values := []float64{50, 150, 150, 50 /* pending dropped */, 150, 160, 170, 180 /* fires */, 20, 20 /* kept */, 20 /* resolves */, 20}
	var got []string
	for i, v := range values {
		at := t0.Add(time.Duration(i+1) * time.Minute)
		require.NoError(t, g.Set(at, v))
		alerts, err := e.Eval(at)
		require.NoError(t, err)
		var states []string
		for _, a := range alerts {
			states = append(states, a.StateAt(at).String())
			if a.StateAt(at) == alert.StateFiring {
				assert.Equal(t, at.Add(3*time.Minute), a.RefreshBy)
			}
		}
		got = append(got, fmt.Sprintf("%d %v", i+1, states))
	}
	assert.Equal(t, []string{
		"1 []", "2 [pending]", "3 [pending]", "4 []",
		"5 [pending]", "6 [pending]", "7 [pending]", "8 [firing]",
		"9 [firing]", "10 [firing]", "11 [resolved]", "12 []",
	}, got)

	alerts, err := e.Eval(t0.Add(20 * time.Minute))
	require.NoError(t, err)
	assert.Empty(t, alerts)
}

func TestRuleErrors(t *testing.T) {
	e := slo.NewEvaluator(nil)
	o := &slo.Objective{Name: "availability", Target: 0.995}
	assert.EqualError(t, e.AddBurnRate(slo.BurnRateRule{Objective: o, Events: slo.NewEvents(time.Hour)}),
		"slo availability: burn-rate rule: the events keep no 5m window, which page at 14.4× over 1h and 5m needs")
	assert.EqualError(t, e.AddBurnRate(slo.BurnRateRule{Objective: &slo.Objective{Name: "batch", Target: 0.9}, Events: slo.NewEvents()}),
		"slo batch: window 1: page at 14.4× over 1h and 5m can never fire: a 90% objective burns at most 10× (when every event fails), so its burn rate never reaches 14.4×; lower the budget share, or lengthen the window")
	value := func(time.Time) (float64, bool) { return 0, true }
	assert.EqualError(t, e.AddThreshold(slo.ThresholdRule{Name: "x", Value: value, Op: "=>"}), `slo: threshold rule x: operator "=>": want one of > >= < <= == !=`)
	assert.EqualError(t, e.AddThreshold(slo.ThresholdRule{Value: value, Op: ">"}), `slo: threshold rule "": name: want a non-empty alert name`)
	assert.EqualError(t, e.AddThreshold(slo.ThresholdRule{Name: "x", Op: ">"}), "slo: threshold rule x: value: missing")
}

func TestAlertName(t *testing.T) {
	for in, want := range map[string]string{
		"availability": "AvailabilityBudgetBurn", "checkout-latency": "CheckoutLatencyBudgetBurn",
		"api_error rate": "ApiErrorRateBudgetBurn", "99th": "SLO99thBudgetBurn", "---": "SLOBudgetBurn",
	} {
		assert.Equal(t, want, slo.AlertName(in))
	}
}
