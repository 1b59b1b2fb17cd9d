package slo

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/common/model"
)

// DefaultPeriod is the period of an Objective that gives none: 30 days.
const DefaultPeriod = 30 * 24 * time.Hour

// Objective is a service level objective: the share of events that must
// be good (Target) over a rolling Period. Its error budget is the share
// that may be bad: 1 - Target.
type Objective struct {
	// Name names it in alerts and rules: "availability".
	Name string `json:"name" yaml:"name"`
	// Target is the share of good events, in (0, 1): 0.995 for 99.5%.
	Target float64 `json:"target" yaml:"target"`
	// Period is the rolling window the objective holds over; 0 means
	// DefaultPeriod.
	Period time.Duration `json:"period,omitempty" yaml:"period,omitempty"`
	// Description says what it means, for people.
	Description string `json:"description,omitempty" yaml:"description,omitempty"`
	// Labels are added to its alerts: service, team.
	Labels model.LabelSet `json:"labels,omitempty" yaml:"labels,omitempty"`
}

// Validate checks the objective; errors name the field.
func (o *Objective) Validate() error {
	var errs []error
	if o.Name == "" {
		errs = append(errs, errors.New("slo: name: missing"))
	} else if !model.LabelValue(o.Name).IsValid() {
		errs = append(errs, fmt.Errorf("slo %s: name: not valid UTF-8", o.Name))
	}
	what := "slo " + o.Name
	if !(o.Target > 0 && o.Target < 1) || math.IsNaN(o.Target) {
		errs = append(errs, fmt.Errorf("%s: target %v: want a share in (0, 1), such as 0.995 for 99.5%%", what, o.Target))
	}
	if o.Period < 0 {
		errs = append(errs, fmt.Errorf("%s: period %s: negative", what, o.Period))
	}
	if err := o.Labels.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("%s: labels: %w", what, err))
	}
	return errors.Join(errs...)
}

// period is Period, or DefaultPeriod.
func (o *Objective) period() time.Duration {
	if o.Period <= 0 {
		return DefaultPeriod
	}
	return o.Period
}

// PeriodOrDefault returns the objective's period, DefaultPeriod if unset.
func (o *Objective) PeriodOrDefault() time.Duration { return o.period() }

// ErrorBudget is the share of events that may be bad: 1 - Target.
func (o *Objective) ErrorBudget() float64 { return 1 - o.Target }

// BurnRate is how fast an error ratio (bad events / all events) spends the
// error budget: (1 - sli) / (1 - target). At 1 the budget lasts exactly the
// period; at 10, a tenth of it.
func (o *Objective) BurnRate(errorRatio float64) float64 { return errorRatio / o.ErrorBudget() }

// MaxBurn is the fastest the budget can burn, when every event is bad:
// 1 / (1 - target). A 99.9% objective burns at most 1000×, a 90% one 10×.
func (o *Objective) MaxBurn() float64 { return 1 / o.ErrorBudget() }

// BudgetRemaining is the share of the error budget left when the share of
// good events over the period is sli: 1 - (1 - sli) / (1 - target). It is
// negative once the budget is overspent.
func (o *Objective) BudgetRemaining(sli float64) float64 { return 1 - (1-sli)/o.ErrorBudget() }

// TimeToExhaustion is how long a whole error budget lasts at a constant
// burn rate: period / burn — (1 - target) × period / (1 - sli). A burn of
// 0 or less never exhausts it: the result is the largest Duration.
func (o *Objective) TimeToExhaustion(burn float64) time.Duration {
	return o.TimeLeft(1, burn)
}

// TimeLeft is how long the remaining share of the budget lasts at a
// constant burn rate: remaining × period / burn; 0 if nothing remains.
func (o *Objective) TimeLeft(remaining, burn float64) time.Duration {
	switch {
	case remaining <= 0:
		return 0
	case burn <= 0:
		return math.MaxInt64
	}
	d := remaining * float64(o.period()) / burn
	if d >= math.MaxInt64 {
		return math.MaxInt64
	}
	return time.Duration(d)
}

// BudgetConsumed is the share of the error budget spent by burning at a
// rate over a window: burn × window / period. An alert that fires when the
// burn over its long window passes its threshold has spent at least this
// much when it fires.
func (o *Objective) BudgetConsumed(burn float64, window time.Duration) float64 {
	return burn * float64(window) / float64(o.period())
}

// FormatPercent writes a share as a percentage without trailing zeros:
// 0.995 → "99.5%", 0.99999 → "99.999%".
func FormatPercent(share float64) string {
	s := strconv.FormatFloat(share*100, 'f', 6, 64)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return s + "%"
}

// FormatDuration writes a duration in the largest whole units: "30d",
// "6h", "1h30m", "43m12s".
func FormatDuration(d time.Duration) string {
	if d == math.MaxInt64 {
		return "forever"
	}
	if d <= 0 {
		return "0s"
	}
	var b strings.Builder
	for _, u := range []struct {
		d    time.Duration
		name string
	}{{24 * time.Hour, "d"}, {time.Hour, "h"}, {time.Minute, "m"}, {time.Second, "s"}, {time.Millisecond, "ms"}} {
		if n := d / u.d; n > 0 {
			b.WriteString(strconv.FormatInt(int64(n), 10) + u.name)
			d -= n * u.d
		}
	}
	if b.Len() == 0 {
		return d.String()
	}
	return b.String()
}
