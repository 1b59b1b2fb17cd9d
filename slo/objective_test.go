package slo_test

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alertkit/alertkit/slo"
)

const day = 24 * time.Hour

// The SRE Workbook's worked numbers for a 99.9% objective over 30 days.
func TestWorkbookNumbers(t *testing.T) {
	o := &slo.Objective{Name: "availability", Target: 0.999}
	require.NoError(t, o.Validate())
	assert.InDelta(t, 0.001, o.ErrorBudget(), 1e-12)
	assert.InDelta(t, 1000, o.MaxBurn(), 1e-9)
	for _, tt := range []struct {
		burn float64
		want time.Duration
	}{
		{1, 30 * day},
		{2, 15 * day},
		{10, 3 * day},
		{1000, 43*time.Minute + 12*time.Second},
	} {
		assert.InDelta(t, float64(tt.want), float64(o.TimeToExhaustion(tt.burn)), float64(time.Millisecond), "burn %v", tt.burn)
	}
	assert.Equal(t, time.Duration(math.MaxInt64), o.TimeToExhaustion(0), "no burn, no end")

	five9s := &slo.Objective{Name: "five-nines", Target: 0.99999}
	assert.InDelta(t, 25.92, five9s.TimeToExhaustion(five9s.MaxBurn()).Seconds(), 1e-6, "a total outage exhausts 99.999% in about 26 s")

	// Budget consumed by each default alert when it fires.
	for _, tt := range []struct {
		period time.Duration
		burn   float64
		window time.Duration
		want   float64
	}{
		{30 * day, 14.4, time.Hour, 0.02},
		{30 * day, 6, 6 * time.Hour, 0.05},
		{30 * day, 3, day, 0.10},
		{30 * day, 1, 3 * day, 0.10},
		{7 * day, 14.4, time.Hour, 14.4 / 168},
		{7 * day, 3.36, time.Hour, 0.02},
	} {
		o := &slo.Objective{Name: "x", Target: 0.999, Period: tt.period}
		assert.InDelta(t, tt.want, o.BudgetConsumed(tt.burn, tt.window), 1e-12, "%v over %s in %s", tt.burn, tt.window, tt.period)
	}
}

// The TechShop formulas: remaining budget, burn rate and hours
// until exhaustion from the availability SLI.
func TestTechShopFormulas(t *testing.T) {
	o := &slo.Objective{Name: "availability", Target: 0.995}
	for _, tt := range []struct {
		sli                    float64
		remaining, burn, hours float64
	}{
		{1, 1, 0, math.Inf(1)},
		{0.995, 0, 1, 720},
		{0.999, 0.8, 0.2, 3600},
		{0.99, -1, 2, 360},
		{0.9, -19, 20, 36},
	} {
		// 100 * (1 - ((1 - sli) / (1 - 0.995)))
		assert.InDelta(t, tt.remaining*100, 100*o.BudgetRemaining(tt.sli), 1e-9, "remaining at %v", tt.sli)
		// (1 - sli) / (1 - 0.995)
		assert.InDelta(t, tt.burn, o.BurnRate(1-tt.sli), 1e-9, "burn at %v", tt.sli)
		// (1 - 0.995) * 30 * 24 / (1 - sli)
		hours := o.TimeToExhaustion(o.BurnRate(1 - tt.sli)).Hours()
		if math.IsInf(tt.hours, 1) {
			assert.Equal(t, time.Duration(math.MaxInt64), o.TimeToExhaustion(o.BurnRate(1-tt.sli)))
			continue
		}
		assert.InDelta(t, tt.hours, hours, 1e-6, "hours at %v", tt.sli)
	}
}

func TestDefaultWindows(t *testing.T) {
	burns := func(period time.Duration) []string {
		o := &slo.Objective{Name: "x", Target: 0.999, Period: period}
		ws, err := o.Windows(nil)
		require.NoError(t, err)
		var out []string
		for _, w := range ws {
			out = append(out, w.String())
		}
		return out
	}
	assert.Equal(t, []string{
		"page at 14.4× over 1h and 5m", "page at 6× over 6h and 30m",
		"ticket at 3× over 1d and 2h", "ticket at 1× over 3d and 6h",
	}, burns(30*day))
	assert.Equal(t, []string{
		"page at 3.36× over 1h and 5m", "page at 1.4× over 6h and 30m",
		"ticket at 0.7× over 1d and 2h", "ticket at 0.233× over 3d and 6h",
	}, burns(7*day), "the same budget shares of a 7-day budget")
	assert.Equal(t, []string{
		"page at 13.44× over 1h and 5m", "page at 5.6× over 6h and 30m",
		"ticket at 2.8× over 1d and 2h", "ticket at 0.933× over 3d and 6h",
	}, burns(28*day))
}

func TestImpossibleWindows(t *testing.T) {
	o := &slo.Objective{Name: "batch-jobs", Target: 0.9}
	_, err := o.Windows(nil)
	assert.EqualError(t, err, "slo batch-jobs: window 1: page at 14.4× over 1h and 5m can never fire: a 90% objective burns at most 10× (when every event fails), so its burn rate never reaches 14.4×; lower the budget share, or lengthen the window")

	ws, err := o.Windows([]slo.Window{{Severity: slo.SeverityPage, Long: 2 * time.Hour, BudgetShare: 0.02}})
	require.NoError(t, err, "7.2× over 2h is possible for 90%")
	assert.InDelta(t, 7.2, ws[0].Burn, 1e-9)
	assert.Equal(t, 10*time.Minute, ws[0].Short)

	for _, tt := range []struct {
		w    slo.Window
		want string
	}{
		{slo.Window{Severity: "sms", Long: time.Hour, Burn: 2}, `slo batch-jobs: window 1: severity "sms": want page or ticket`},
		{slo.Window{Severity: slo.SeverityPage, Long: time.Hour, Short: 2 * time.Hour, Burn: 2}, "slo batch-jobs: window 1: short window 2h0m0s: want a positive duration shorter than the long one (1h)"},
		{slo.Window{Severity: slo.SeverityPage, Long: 40 * day, Burn: 2}, "slo batch-jobs: window 1: long window 40d: longer than the objective's period (30d)"},
		{slo.Window{Severity: slo.SeverityPage, Long: time.Hour}, "slo batch-jobs: window 1: give a burn rate, or a budget share in (0, 1]"},
		{slo.Window{Severity: slo.SeverityTicket, Long: time.Hour, Burn: math.NaN()}, "slo batch-jobs: window 1: burn rate NaN: want a positive number"},
	} {
		_, err := o.Windows([]slo.Window{tt.w})
		assert.EqualError(t, err, tt.want)
	}
}

func TestValidate(t *testing.T) {
	for _, tt := range []struct {
		o    slo.Objective
		want string
	}{
		{slo.Objective{Target: 0.99}, "slo: name: missing"},
		{slo.Objective{Name: "a", Target: 99.5}, "slo a: target 99.5: want a share in (0, 1), such as 0.995 for 99.5%"},
		{slo.Objective{Name: "a", Target: 1}, "slo a: target 1: want a share in (0, 1), such as 0.995 for 99.5%"},
		{slo.Objective{Name: "a", Target: 0.9, Period: -time.Hour}, "slo a: period -1h0m0s: negative"},
	} {
		assert.EqualError(t, tt.o.Validate(), tt.want)
	}
}

func TestFormat(t *testing.T) {
	assert.Equal(t, "99.5%", slo.FormatPercent(0.995))
	assert.Equal(t, "99.999%", slo.FormatPercent(0.99999))
	assert.Equal(t, "90%", slo.FormatPercent(0.9))
	assert.Equal(t, "43m12s", slo.FormatDuration(43*time.Minute+12*time.Second))
	assert.Equal(t, "30d", slo.FormatDuration(30*day))
	assert.Equal(t, "forever", slo.FormatDuration(math.MaxInt64))
}
