package slo

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/prometheus/common/model"

	"github.com/alertkit/alertkit/alert"
)

// Operator compares a value with a threshold.
type Operator string

// The operators of a threshold rule.
const (
	OperatorGreater      Operator = ">"
	OperatorGreaterEqual Operator = ">="
	OperatorLess         Operator = "<"
	OperatorLessEqual    Operator = "<="
	OperatorEqual        Operator = "=="
	OperatorNotEqual     Operator = "!="
)

func (op Operator) holds(v, threshold float64) (bool, error) {
	switch op {
	case OperatorGreater:
		return v > threshold, nil
	case OperatorGreaterEqual:
		return v >= threshold, nil
	case OperatorLess:
		return v < threshold, nil
	case OperatorLessEqual:
		return v <= threshold, nil
	case OperatorEqual:
		return v == threshold, nil
	case OperatorNotEqual:
		return v != threshold, nil
	}
	return false, fmt.Errorf("operator %q: want one of > >= < <= == !=", op)
}

// ThresholdRule fires when a value passes a threshold for a while, as a
// Prometheus alerting rule with a comparison and a for clause does.
type ThresholdRule struct {
	// Name is the alert's name (its alertname label).
	Name string
	// Value returns the value at a time, and false when there is none
	// (the condition is then false). Gauge.Value, bound to an
	// aggregation, is one.
	Value     func(at time.Time) (float64, bool)
	Op        Operator
	Threshold float64
	// For is how long the condition must hold before the alert fires; it
	// is pending until then.
	For time.Duration
	// KeepFiringFor keeps a firing alert firing that long after the
	// condition stopped holding.
	KeepFiringFor time.Duration
	Labels        model.LabelSet
	// Annotations are the alert's; "{{ $value }}" in them is replaced by
	// the value, as in Prometheus's templates.
	Annotations model.LabelSet
}

// BurnRateRule alerts on an objective's error budget burning too fast:
// for each severity, a page or a ticket when the burn rate over both
// windows of one of its Windows passes the window's threshold.
type BurnRateRule struct {
	Objective *Objective
	// Events counts the objective's events over every window of
	// Windows: build it with NewEvents(rule.EventWindows()...).
	Events *Events
	// Windows are the conditions; nil means the DefaultWindows.
	Windows []Window
	// Name is the alertname; default the objective's name in
	// UpperCamelCase + "BudgetBurn": "AvailabilityBudgetBurn".
	Name string
	// For and KeepFiringFor apply to both alerts; zero by default, since
	// the short windows already hold the alert until the burning stops.
	For, KeepFiringFor time.Duration
	Labels             model.LabelSet
	Annotations        model.LabelSet
}

// EventWindows returns every window, long and short, that the rule's
// Events must keep, after completing the rule's Windows.
func (r *BurnRateRule) EventWindows() ([]time.Duration, error) {
	ws, err := r.Objective.Windows(r.Windows)
	if err != nil {
		return nil, err
	}
	var out []time.Duration
	for _, w := range ws {
		for _, d := range []time.Duration{w.Long, w.Short} {
			if !slices.Contains(out, d) {
				out = append(out, d)
			}
		}
	}
	slices.Sort(out)
	return out, nil
}

// AlertName is the default alertname of a burn-rate rule:
// "availability" → "AvailabilityBudgetBurn", "checkout-latency" →
// "CheckoutLatencyBudgetBurn".
func AlertName(objective string) string {
	var b strings.Builder
	up := true
	for _, r := range objective {
		switch {
		case r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9':
			if up && r >= 'a' && r <= 'z' {
				r -= 'a' - 'A'
			}
			if b.Len() == 0 && r >= '0' && r <= '9' {
				b.WriteString("SLO")
			}
			b.WriteRune(r)
			up = false
		default:
			up = true
		}
	}
	if b.Len() == 0 {
		b.WriteString("SLO")
	}
	return b.String() + "BudgetBurn"
}

// Options configure an Evaluator. A nil *Options, and every zero field,
// means the default.
type Options struct {
	// Source names the alerts' source; default "slo".
	Source string
	// Refresh, if set, gives every active alert a refresh deadline that
	// far after each evaluation: should the evaluator stop, the alerts
	// turn unknown downstream instead of firing forever. Set it to a few
	// evaluation intervals.
	Refresh time.Duration
}

// Evaluator evaluates threshold and burn-rate rules and turns their
// conditions into alerts with the pending → firing → resolved protocol, as
// Prometheus does for alerting rules: a condition that holds makes the
// alert pending, and firing once it has held For; one that stops holding
// resolves a firing alert (after KeepFiringFor) and drops a pending one.
//
// An Evaluator is safe for concurrent use; Eval is meant to be called at a
// steady interval.
type Evaluator struct {
	mu    sync.Mutex
	opts  Options
	rules []*evalRule
}

// evalRule is a rule as the Evaluator keeps it: conditions that each
// make one alert.
type evalRule struct {
	name       string
	conditions []*condition
}

type condition struct {
	labels, annotations model.LabelSet
	holds               func(at time.Time) (bool, float64, error)
	forDur, keepFiring  time.Duration
	// period is the objective's, for "{{ $exhaustion }}".
	period time.Duration
	// state
	activeAt, firedAt, keepSince time.Time
	firing                       bool
	value                        float64
}

// NewEvaluator returns an Evaluator without rules.
func NewEvaluator(opts *Options) *Evaluator {
	e := &Evaluator{}
	if opts != nil {
		e.opts = *opts
	}
	if e.opts.Source == "" {
		e.opts.Source = "slo"
	}
	return e
}

// AddThreshold adds a threshold rule; errors name the rule and field.
func (e *Evaluator) AddThreshold(r ThresholdRule) error {
	what := "slo: threshold rule " + r.Name
	switch {
	case r.Name == "" || !utf8.ValidString(r.Name):
		return fmt.Errorf("slo: threshold rule %q: name: want a non-empty alert name", r.Name)
	case r.Value == nil:
		return fmt.Errorf("%s: value: missing", what)
	case math.IsNaN(r.Threshold):
		return fmt.Errorf("%s: threshold: NaN", what)
	case r.For < 0 || r.KeepFiringFor < 0:
		return fmt.Errorf("%s: for and keep_firing_for must not be negative", what)
	}
	if _, err := r.Op.holds(0, 0); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if err := r.Labels.Validate(); err != nil {
		return fmt.Errorf("%s: labels: %w", what, err)
	}
	labels := r.Labels.Clone()
	labels[model.AlertNameLabel] = model.LabelValue(r.Name)
	c := &condition{labels: labels, annotations: r.Annotations, forDur: r.For, keepFiring: r.KeepFiringFor,
		holds: func(at time.Time) (bool, float64, error) {
			v, ok := r.Value(at)
			if !ok {
				return false, 0, nil
			}
			held, err := r.Op.holds(v, r.Threshold)
			return held, v, err
		}}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.rules = append(e.rules, &evalRule{name: r.Name, conditions: []*condition{c}})
	return nil
}

// AddBurnRate adds a burn-rate rule: one alert for pages and one for
// tickets, labelled severity="critical" and severity="warning" (which the
// severity package reads as S2 and S4) and slo="<name>".
func (e *Evaluator) AddBurnRate(r BurnRateRule) error {
	if r.Objective == nil {
		return errors.New("slo: burn-rate rule: objective: missing")
	}
	o := r.Objective
	if err := o.Validate(); err != nil {
		return err
	}
	ws, err := o.Windows(r.Windows)
	if err != nil {
		return err
	}
	if r.Events == nil {
		return fmt.Errorf("slo %s: burn-rate rule: events: missing", o.Name)
	}
	have := r.Events.Windows()
	for _, w := range ws {
		for _, d := range []time.Duration{w.Long, w.Short} {
			if !slices.Contains(have, d) {
				return fmt.Errorf("slo %s: burn-rate rule: the events keep no %s window, which %s needs", o.Name, FormatDuration(d), w)
			}
		}
	}
	name := cmp.Or(r.Name, AlertName(o.Name))
	if !utf8.ValidString(name) {
		return fmt.Errorf("slo %s: burn-rate rule: name %q: not valid UTF-8", o.Name, name)
	}
	if err := r.Labels.Validate(); err != nil {
		return fmt.Errorf("slo %s: burn-rate rule: labels: %w", o.Name, err)
	}
	rule := &evalRule{name: name}
	for _, sev := range []Severity{SeverityPage, SeverityTicket} {
		var mine []Window
		for _, w := range ws {
			if w.Severity == sev {
				mine = append(mine, w)
			}
		}
		if len(mine) == 0 {
			continue
		}
		labels := model.LabelSet{}
		maps.Copy(labels, o.Labels)
		maps.Copy(labels, r.Labels)
		labels[model.AlertNameLabel] = model.LabelValue(name)
		labels["slo"] = model.LabelValue(o.Name)
		labels["severity"] = "critical"
		if sev == SeverityTicket {
			labels["severity"] = "warning"
		}
		annotations := model.LabelSet{
			"summary": model.LabelValue(fmt.Sprintf("%s: the error budget of %s is burning fast (%s)", o.Name, FormatPercent(o.Target), sev)),
			"description": model.LabelValue(fmt.Sprintf("The burn rate of %s is {{ $value }}× its sustainable rate, above the %s threshold; at this rate the budget of %s lasts {{ $exhaustion }}.",
				o.Name, sev, FormatDuration(o.period()))),
		}
		maps.Copy(annotations, r.Annotations)
		rule.conditions = append(rule.conditions, &condition{
			labels: labels, annotations: annotations, forDur: r.For, keepFiring: r.KeepFiringFor, period: o.period(),
			holds: burnCondition(o, r.Events, mine),
		})
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.rules = append(e.rules, rule)
	return nil
}

// burnCondition holds when, for one of the windows, the burn rate over
// both its long and its short window passes its threshold; its value is
// the highest long-window burn rate among the windows that hold, or among
// all when none does.
func burnCondition(o *Objective, ev *Events, ws []Window) func(time.Time) (bool, float64, error) {
	return func(at time.Time) (bool, float64, error) {
		var held bool
		var worst float64
		for _, w := range ws {
			long, okLong, err := ev.ErrorRatio(w.Long, at)
			if err != nil {
				return false, 0, err
			}
			short, okShort, err := ev.ErrorRatio(w.Short, at)
			if err != nil {
				return false, 0, err
			}
			bLong, bShort := o.BurnRate(long), o.BurnRate(short)
			hold := okLong && okShort && bLong > w.Burn && bShort > w.Burn
			switch {
			case hold && (!held || bLong > worst):
				held, worst = true, bLong
			case !held && bLong > worst:
				worst = bLong
			}
		}
		return held, worst, nil
	}
}

// Eval evaluates every rule at a time and returns the alerts: those
// pending or firing, and those that resolved at this evaluation, once.
// Errors of rules are joined; their alerts keep their state.
func (e *Evaluator) Eval(at time.Time) ([]alert.Alert, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []alert.Alert
	var errs []error
	for _, r := range e.rules {
		for _, c := range r.conditions {
			held, v, err := c.holds(at)
			if err != nil {
				errs = append(errs, fmt.Errorf("slo: rule %s: %w", r.name, err))
				continue
			}
			if a, ok := e.step(c, held, v, at); ok {
				out = append(out, a)
			}
		}
	}
	return out, errors.Join(errs...)
}

// step moves a condition's alert along and returns it, if it is to be
// reported.
func (e *Evaluator) step(c *condition, held bool, v float64, at time.Time) (alert.Alert, bool) {
	if held {
		c.value, c.keepSince = v, time.Time{}
		if c.activeAt.IsZero() {
			c.activeAt = at
		}
		if !c.firing && at.Sub(c.activeAt) >= c.forDur {
			c.firing, c.firedAt = true, at
		}
		return e.alert(c, at, false), true
	}
	switch {
	case c.activeAt.IsZero():
		return alert.Alert{}, false
	case !c.firing:
		c.activeAt = time.Time{} // a pending alert is dropped
		return alert.Alert{}, false
	case c.keepFiring > 0:
		// Kept firing for KeepFiringFor from the first evaluation at
		// which the condition no longer held, as Prometheus does.
		if c.keepSince.IsZero() {
			c.keepSince = at
		}
		if at.Sub(c.keepSince) < c.keepFiring {
			return e.alert(c, at, false), true
		}
	}
	a := e.alert(c, at, true)
	c.activeAt, c.firedAt, c.keepSince, c.firing = time.Time{}, time.Time{}, time.Time{}, false
	return a, true
}

func (e *Evaluator) alert(c *condition, at time.Time, resolved bool) alert.Alert {
	a := alert.Alert{
		Labels: c.labels, Kind: alert.KindLasting, Pending: !c.firing,
		StartsAt: c.activeAt, UpdatedAt: at, Source: e.opts.Source,
		Annotations: expand(c.annotations, c.value, c.period),
	}
	if resolved {
		a.EndsAt = at
	} else if e.opts.Refresh > 0 {
		a.RefreshBy = at.Add(e.opts.Refresh)
	}
	return a
}

// expand fills in "{{ $value }}" and, for burn rates, "{{ $exhaustion }}":
// how long a whole budget of the period lasts at the burn rate v.
func expand(ann model.LabelSet, v float64, period time.Duration) model.LabelSet {
	if len(ann) == 0 {
		return nil
	}
	out := make(model.LabelSet, len(ann))
	exhaustion := "forever"
	if v > 0 && period > 0 {
		d := time.Duration(float64(period) / v)
		switch {
		case d >= 24*time.Hour:
			d = d.Round(time.Hour)
		case d >= time.Hour:
			d = d.Round(time.Minute)
		default:
			d = d.Round(time.Second)
		}
		exhaustion = FormatDuration(d)
	}
	for k, s := range ann {
		t := strings.ReplaceAll(string(s), "{{ $value }}", strconv.FormatFloat(v, 'g', 6, 64))
		t = strings.ReplaceAll(t, "{{ $exhaustion }}", exhaustion)
		out[k] = model.LabelValue(t)
	}
	return out
}
