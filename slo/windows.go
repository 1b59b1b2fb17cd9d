package slo

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"
)

// Severity is what a burn-rate alert asks for: a page (a person, now) or a
// ticket (a person, in working hours).
type Severity string

// The severities of burn-rate alerts.
const (
	SeverityPage   Severity = "page"
	SeverityTicket Severity = "ticket"
)

// Window is one condition of multiwindow, multi-burn-rate alerting (the
// Google SRE Workbook, "Alerting on SLOs"): alert when the burn rate over
// both the Long window and the Short one passes Burn. The long window
// says the budget really is burning; the short one, that it still is, so
// that the alert resolves soon after the burning stops.
type Window struct {
	Severity Severity `json:"severity" yaml:"severity"`
	// Long and Short are the two windows; Short 0 means Long / 12.
	Long  time.Duration `json:"long" yaml:"long"`
	Short time.Duration `json:"short,omitempty" yaml:"short,omitempty"`
	// BudgetShare is the share of the period's error budget spent when
	// the alert fires: the burn over Long is BudgetShare × period / Long.
	// It gives Burn when Burn is 0.
	BudgetShare float64 `json:"budget_share,omitempty" yaml:"budget_share,omitempty"`
	// Burn is the threshold of the burn rate.
	Burn float64 `json:"burn,omitempty" yaml:"burn,omitempty"`
}

// String describes the window: "page at 14.4× over 1h and 5m".
func (w Window) String() string {
	return fmt.Sprintf("%s at %s× over %s and %s", w.Severity, FormatBurn(w.Burn), FormatDuration(w.Long), FormatDuration(w.Short))
}

// FormatBurn writes a burn rate with up to 3 significant decimals: 14.4,
// 6, 0.233.
func FormatBurn(b float64) string {
	return strconv.FormatFloat(math.Round(b*1000)/1000, 'f', -1, 64)
}

// DefaultWindows are the SRE Workbook's four conditions, by the share of
// the budget each alert stands for: a page when 2% of the budget went in an
// hour, a page when 5% went in six hours, a ticket when 10% went in a day,
// a ticket when 10% went in three days — each with a short window of a
// twelfth of its long one. Over 30 days these are the Workbook's burn rates
// 14.4, 6, 3 and 1; over another period, the burn rates that spend the same
// shares of its budget (7 days: 3.36, 1.4, 0.7, 0.233).
func DefaultWindows() []Window {
	return []Window{
		{Severity: SeverityPage, Long: time.Hour, Short: 5 * time.Minute, BudgetShare: 0.02},
		{Severity: SeverityPage, Long: 6 * time.Hour, Short: 30 * time.Minute, BudgetShare: 0.05},
		{Severity: SeverityTicket, Long: 24 * time.Hour, Short: 2 * time.Hour, BudgetShare: 0.10},
		{Severity: SeverityTicket, Long: 72 * time.Hour, Short: 6 * time.Hour, BudgetShare: 0.10},
	}
}

// Windows completes and checks alerting windows for the objective — the
// DefaultWindows if ws is empty: each gets its short window and burn rate,
// and a window whose burn rate can never be reached is refused, with why.
func (o *Objective) Windows(ws []Window) ([]Window, error) {
	if len(ws) == 0 {
		ws = DefaultWindows()
	}
	out := make([]Window, len(ws))
	var errs []error
	for i, w := range ws {
		w, err := o.window(w)
		if err != nil {
			errs = append(errs, fmt.Errorf("slo %s: window %d: %w", o.Name, i+1, err))
			continue
		}
		out[i] = w
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, nil
}

// window completes and checks one window.
func (o *Objective) window(w Window) (Window, error) {
	period := o.period()
	if w.Short == 0 {
		w.Short = w.Long / 12
	}
	switch {
	case w.Severity != SeverityPage && w.Severity != SeverityTicket:
		return w, fmt.Errorf("severity %q: want page or ticket", w.Severity)
	case w.Long <= 0:
		return w, fmt.Errorf("long window %s: want a positive duration", w.Long)
	case w.Short <= 0 || w.Short >= w.Long:
		return w, fmt.Errorf("short window %s: want a positive duration shorter than the long one (%s)", w.Short, FormatDuration(w.Long))
	case w.Long > period:
		return w, fmt.Errorf("long window %s: longer than the objective's period (%s)", FormatDuration(w.Long), FormatDuration(period))
	case w.Burn == 0 && !(w.BudgetShare > 0 && w.BudgetShare <= 1):
		return w, errors.New("give a burn rate, or a budget share in (0, 1]")
	case w.Burn < 0 || math.IsNaN(w.Burn) || math.IsInf(w.Burn, 0):
		return w, fmt.Errorf("burn rate %v: want a positive number", w.Burn)
	}
	if w.Burn == 0 {
		w.Burn = w.BudgetShare * float64(period) / float64(w.Long)
	} else if w.BudgetShare == 0 {
		w.BudgetShare = o.BudgetConsumed(w.Burn, w.Long)
	}
	if limit := o.MaxBurn(); w.Burn > limit*(1+1e-9) {
		return w, fmt.Errorf("%s can never fire: a %s objective burns at most %s× (when every event fails), so its burn rate never reaches %s×; lower the budget share, or lengthen the window",
			w, FormatPercent(o.Target), FormatBurn(limit), FormatBurn(w.Burn))
	}
	return w, nil
}
