package promrules

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v3"

	"github.com/alertkit/alertkit/slo"
)

// File is a Prometheus rule file: what rule_files in prometheus.yml names.
type File struct {
	Groups []Group `json:"groups" yaml:"groups"`
}

// Group is a rule group: its rules are evaluated in order, every Interval
// (Prometheus's global evaluation_interval when 0).
type Group struct {
	Name     string         `json:"name" yaml:"name"`
	Interval model.Duration `json:"interval,omitempty" yaml:"interval,omitempty"`
	Rules    []Rule         `json:"rules" yaml:"rules"`
}

// Rule is a recording rule (Record) or an alerting rule (Alert).
type Rule struct {
	Record string `json:"record,omitempty" yaml:"record,omitempty"`
	Alert  string `json:"alert,omitempty" yaml:"alert,omitempty"`
	Expr   string `json:"expr" yaml:"expr"`
	// For is how long an alert's condition must hold before it fires.
	For model.Duration `json:"for,omitempty" yaml:"for,omitempty"`
	// KeepFiringFor keeps an alert firing that long after its condition
	// stopped holding (Prometheus 2.42 or later).
	KeepFiringFor model.Duration    `json:"keep_firing_for,omitempty" yaml:"keep_firing_for,omitempty"`
	Labels        map[string]string `json:"labels,omitempty" yaml:"labels,omitempty"`
	Annotations   map[string]string `json:"annotations,omitempty" yaml:"annotations,omitempty"`
}

// YAML writes the rule file, indented by two spaces.
func (f *File) YAML() ([]byte, error) {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(f); err != nil {
		return nil, fmt.Errorf("rule file: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("rule file: %w", err)
	}
	return b.Bytes(), nil
}

// Options shape the rules; the zero value means the defaults.
type Options struct {
	// Windows are the alerting windows; nil means slo.DefaultWindows,
	// scaled to the objective's period.
	Windows []slo.Window
	// GroupName names the rule group; default "slo-<name>".
	GroupName string
	// Interval is the group's evaluation interval; 0 leaves it to
	// Prometheus's global evaluation_interval.
	Interval time.Duration
	// AlertName is the alertname of both alerts; default the objective's
	// name in CamelCase followed by BudgetBurn: "AvailabilityBudgetBurn".
	AlertName string
	// Labels and Annotations are added to both alerts. Labels may not set
	// severity (set it per alert) or slo.
	Labels      model.LabelSet
	Annotations model.LabelSet
	// RunbookURL, if set, is the alerts' runbook_url annotation.
	RunbookURL string
	// Page and Ticket shape the two alerts.
	Page, Ticket AlertOptions
	// RuleFile is the rule file's name as GenerateTest lists it under
	// rule_files, relative to the test file; default
	// "<name>.rules.yml", the name made safe for a file.
	RuleFile string
}

// AlertOptions shape the alert of one severity.
type AlertOptions struct {
	// Disable leaves the alert out.
	Disable bool
	// For and KeepFiringFor are the alerting rule's; 0 means none. Neither
	// is needed by default: the short window already asks the burn to
	// go on, and alertkit's severity package holds a new alert before it
	// notifies (two minutes for a critical one on Gold, fifteen for a
	// warning).
	For, KeepFiringFor time.Duration
	// Labels override the alert's labels, severity included; Annotations
	// its annotations.
	Labels      model.LabelSet
	Annotations model.LabelSet
}

// The severity label of each alert, as the severity package's
// DefaultPolicy reads it: critical is S2, warning S4.
var severityLabel = map[slo.Severity]model.LabelValue{slo.SeverityPage: "critical", slo.SeverityTicket: "warning"}

// Names of the recording rules; the error ratio's take the window after
// "rate": slo:error_ratio:rate5m.
const (
	RecordErrorRatio      = "slo:error_ratio:rate"
	RecordObjective       = "slo:objective:ratio"
	RecordErrorBudget     = "slo:error_budget:ratio"
	RecordPeriod          = "slo:period:seconds"
	RecordBurnRate        = "slo:burn_rate:rate"
	RecordBudgetRemaining = "slo:error_budget_remaining:ratio"
)

// LabelSLO is the label that carries the objective's name on every rule.
const LabelSLO = "slo"

// Generate writes an objective's rules: the error ratio over every window
// the alerts need and over the period, the objective's metadata, and an
// alert per severity that ORs its windows. See the package documentation.
func Generate(o *slo.Objective, sli SLI, opts *Options) (*File, error) {
	g, err := newGenerator(o, sli, opts)
	if err != nil {
		return nil, err
	}
	return g.file(), nil
}

// generator holds what Generate and GenerateTest derive from their
// arguments, checked.
type generator struct {
	o       *slo.Objective
	sli     SLI
	opts    Options
	windows []slo.Window
	// dur is the PromQL duration of every window, the period included.
	dur       map[time.Duration]string
	period    time.Duration
	alertName string
	// series are the labels of every recorded series: slo and the
	// objective's.
	series model.LabelSet
}

func newGenerator(o *slo.Objective, sli SLI, opts *Options) (*generator, error) {
	if o == nil {
		return nil, errors.New("promrules: no objective")
	}
	g := &generator{o: o, sli: sli, dur: map[time.Duration]string{}, period: o.PeriodOrDefault()}
	if opts != nil {
		g.opts = *opts
	}
	var errs []error
	if err := o.Validate(); err != nil {
		errs = append(errs, err)
	}
	if err := sli.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("slo %s: %w", o.Name, err))
	}
	if err := checkLabels(o.Labels, "slo "+o.Name+": labels", LabelSLO, "severity"); err != nil {
		errs = append(errs, err)
	}
	if err := g.checkOptions(); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	ws, err := o.Windows(g.opts.Windows)
	if err != nil {
		return nil, err
	}
	g.windows = ws
	for i, w := range ws {
		for _, d := range []struct {
			name string
			d    time.Duration
		}{{"long", w.Long}, {"short", w.Short}} {
			s, err := promDuration(d.d)
			if err != nil {
				return nil, fmt.Errorf("slo %s: window %d: %s window %s: PromQL writes only whole milliseconds", o.Name, i+1, d.name, d.d)
			}
			g.dur[d.d] = s
		}
	}
	if g.dur[g.period], err = promDuration(g.period); err != nil {
		return nil, fmt.Errorf("slo %s: period %s: PromQL writes only whole milliseconds", o.Name, g.period)
	}
	g.series = model.LabelSet{LabelSLO: model.LabelValue(o.Name)}
	maps.Copy(g.series, o.Labels)
	return g, nil
}

func (g *generator) checkOptions() error {
	what := "slo " + g.o.Name + ": options"
	var errs []error
	g.alertName = g.opts.AlertName
	if g.alertName == "" {
		g.alertName = DefaultAlertName(g.o.Name)
	} else if !model.LegacyValidation.IsValidMetricName(g.alertName) {
		errs = append(errs, fmt.Errorf("%s: alert name %q: want a metric name such as AvailabilityBudgetBurn", what, g.alertName))
	}
	if g.opts.Interval < 0 || g.opts.Interval%time.Millisecond != 0 {
		errs = append(errs, fmt.Errorf("%s: interval %s: want a positive whole number of milliseconds", what, g.opts.Interval))
	}
	if err := checkLabels(g.opts.Labels, what+": labels", LabelSLO, "severity"); err != nil {
		errs = append(errs, err)
	}
	if err := checkLabels(g.opts.Annotations, what+": annotations"); err != nil {
		errs = append(errs, err)
	}
	for _, a := range []struct {
		name string
		ao   AlertOptions
	}{{"page", g.opts.Page}, {"ticket", g.opts.Ticket}} {
		w := what + ": " + a.name
		if err := checkLabels(a.ao.Labels, w+": labels", LabelSLO); err != nil {
			errs = append(errs, err)
		}
		if err := checkLabels(a.ao.Annotations, w+": annotations"); err != nil {
			errs = append(errs, err)
		}
		for _, d := range []struct {
			name string
			d    time.Duration
		}{{"for", a.ao.For}, {"keep_firing_for", a.ao.KeepFiringFor}} {
			if d.d < 0 || d.d%time.Millisecond != 0 {
				errs = append(errs, fmt.Errorf("%s: %s %s: want 0 or a positive whole number of milliseconds", w, d.name, d.d))
			}
		}
	}
	return errors.Join(errs...)
}

// checkLabels checks label (or annotation) names as Prometheus 2 does, and
// refuses the reserved ones.
func checkLabels(ls model.LabelSet, what string, reserved ...model.LabelName) error {
	var errs []error
	for _, name := range slices.Sorted(maps.Keys(ls)) {
		switch {
		case !model.LegacyValidation.IsValidLabelName(string(name)) || strings.HasPrefix(string(name), "__"):
			errs = append(errs, fmt.Errorf("%s: invalid name %q: want letters, digits and underscores, not starting with a digit or __", what, name))
		case slices.Contains(reserved, name):
			errs = append(errs, fmt.Errorf("%s: %s: set by alertkit", what, name))
		case !ls[name].IsValid():
			errs = append(errs, fmt.Errorf("%s: %s: value not valid UTF-8", what, name))
		}
	}
	return errors.Join(errs...)
}

// DefaultAlertName is the alert name Generate gives an objective: its
// name's words in CamelCase, then BudgetBurn — "checkout-availability"
// becomes "CheckoutAvailabilityBudgetBurn". Characters a metric name
// cannot hold are dropped; a name that would start with a digit starts
// with SLO.
func DefaultAlertName(name string) string {
	var b strings.Builder
	upper := true
	for _, r := range name {
		switch {
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			if upper {
				r = unicode.ToUpper(r)
			}
			b.WriteRune(r)
			upper = false
		default:
			upper = true
		}
	}
	s := b.String()
	if s == "" || s[0] >= '0' && s[0] <= '9' {
		s = "SLO" + s
	}
	return s + "BudgetBurn"
}

func windowDurations(ws []slo.Window) []time.Duration {
	var ds []time.Duration
	for _, w := range ws {
		ds = append(ds, w.Long, w.Short)
	}
	slices.Sort(ds)
	return slices.Compact(ds)
}

// selector selects the objective's recorded series of a rule.
func (g *generator) selector(record string) string {
	parts := []string{LabelSLO + "=" + strconv.Quote(g.o.Name)}
	for _, name := range slices.Sorted(maps.Keys(g.o.Labels)) {
		parts = append(parts, string(name)+"="+strconv.Quote(string(g.o.Labels[name])))
	}
	return record + "{" + strings.Join(parts, ", ") + "}"
}

func (g *generator) seriesLabels() map[string]string {
	m := map[string]string{}
	for k, v := range g.series {
		m[string(k)] = string(v)
	}
	return m
}

func (g *generator) file() *File {
	group := Group{Name: g.opts.GroupName, Interval: model.Duration(g.opts.Interval)}
	if group.Name == "" {
		group.Name = "slo-" + g.o.Name
	}
	durs := append(windowDurations(g.windows), g.period)
	slices.Sort(durs)
	for _, d := range slices.Compact(durs) {
		group.Rules = append(group.Rules, Rule{
			Record: RecordErrorRatio + g.dur[d],
			Expr:   g.sli.errorRatio(g.dur[d]),
			Labels: g.seriesLabels(),
		})
	}
	budget := g.o.ErrorBudget()
	periodRatio := g.selector(RecordErrorRatio + g.dur[g.period])
	burn := RecordBurnRate + g.dur[g.period]
	group.Rules = append(group.Rules,
		Rule{Record: RecordObjective, Expr: "vector(" + num(g.o.Target) + ")", Labels: g.seriesLabels()},
		Rule{Record: RecordErrorBudget, Expr: "vector(" + num(budget) + ")", Labels: g.seriesLabels()},
		Rule{Record: RecordPeriod, Expr: "vector(" + num(g.period.Seconds()) + ")", Labels: g.seriesLabels()},
		Rule{Record: burn, Expr: periodRatio + " / " + num(budget), Labels: g.seriesLabels()},
		Rule{Record: RecordBudgetRemaining, Expr: "1 - " + g.selector(burn), Labels: g.seriesLabels()},
	)
	for _, sev := range []slo.Severity{slo.SeverityPage, slo.SeverityTicket} {
		if r, ok := g.alert(sev); ok {
			group.Rules = append(group.Rules, r)
		}
	}
	return &File{Groups: []Group{group}}
}

func (g *generator) alertOptions(sev slo.Severity) AlertOptions {
	if sev == slo.SeverityPage {
		return g.opts.Page
	}
	return g.opts.Ticket
}

// severityWindows returns the windows of a severity, or none if its alert
// is disabled.
func (g *generator) severityWindows(sev slo.Severity) []slo.Window {
	if g.alertOptions(sev).Disable {
		return nil
	}
	var ws []slo.Window
	for _, w := range g.windows {
		if w.Severity == sev {
			ws = append(ws, w)
		}
	}
	return ws
}

// alert writes the alerting rule of a severity.
func (g *generator) alert(sev slo.Severity) (Rule, bool) {
	ws := g.severityWindows(sev)
	if len(ws) == 0 {
		return Rule{}, false
	}
	budget := num(g.o.ErrorBudget())
	var conds []string
	for _, w := range ws {
		threshold := "(" + num(w.Burn) + " * " + budget + ")"
		conds = append(conds, "("+g.selector(RecordErrorRatio+g.dur[w.Long])+" > "+threshold+
			" and "+g.selector(RecordErrorRatio+g.dur[w.Short])+" > "+threshold+")")
	}
	ao := g.alertOptions(sev)
	annotations, _, _ := g.annotations(sev, ws)
	return Rule{
		Alert:         g.alertName,
		Expr:          strings.Join(conds, "\nor\n"),
		For:           model.Duration(ao.For),
		KeepFiringFor: model.Duration(ao.KeepFiringFor),
		Labels:        g.alertLabels(sev),
		Annotations:   annotations,
	}, true
}

func (g *generator) alertLabels(sev slo.Severity) map[string]string {
	ls := model.LabelSet{"severity": severityLabel[sev]}
	maps.Copy(ls, g.series)
	maps.Copy(ls, g.opts.Labels)
	maps.Copy(ls, g.alertOptions(sev).Labels)
	ls[LabelSLO] = model.LabelValue(g.o.Name)
	m := map[string]string{}
	for k, v := range ls {
		m[string(k)] = string(v)
	}
	return m
}

// annotations say what burns, how fast, and what share of the budget is
// gone when the alert fires. It returns them as the rule writes them, and
// as Prometheus renders them: the generated ones are plain text (a "{{" in
// the objective's name or description is escaped), so that a promtool
// test can expect them; those of the options are used as written, and
// templated lists the ones that are templates.
func (g *generator) annotations(sev slo.Severity, ws []slo.Window) (rule, rendered map[string]string, templated []string) {
	o := g.o
	slowest := slices.MinFunc(ws, func(a, b slo.Window) int { return cmp.Compare(a.Burn, b.Burn) })
	lasts := roundDuration(o.TimeToExhaustion(slowest.Burn))
	var conds, longs, burns []string
	for _, w := range ws {
		conds = append(conds, fmt.Sprintf("at %s× or more over %s and %s (%s of it gone in %s)",
			slo.FormatBurn(w.Burn), slo.FormatDuration(w.Long), slo.FormatDuration(w.Short),
			percent(o.BudgetConsumed(w.Burn, w.Long)), slo.FormatDuration(w.Long)))
		longs = append(longs, slo.FormatDuration(w.Long))
		burns = append(burns, slo.FormatBurn(w.Burn))
	}
	about := ""
	if d := strings.TrimSpace(o.Description); d != "" {
		about = " (" + d + ")"
	}
	pace := "fast"
	if sev == slo.SeverityTicket {
		pace = "steadily"
	}
	rendered = map[string]string{
		"summary": fmt.Sprintf("SLO %s is burning its error budget %s: %s× or more, so that it lasts %s or less",
			o.Name, pace, slo.FormatBurn(slowest.Burn), slo.FormatDuration(lasts)),
		"description": fmt.Sprintf("SLO %s%s: %s of events must be good over %s, an error budget of %s. The budget burns %s.",
			o.Name, about, slo.FormatPercent(o.Target), slo.FormatDuration(g.period), slo.FormatPercent(o.ErrorBudget()), strings.Join(conds, ", or ")),
		"long_window": strings.Join(longs, ", "),
		"burn":        strings.Join(burns, ", "),
	}
	rule = map[string]string{}
	for k, v := range rendered {
		rule[k] = strings.ReplaceAll(v, "{{", `{{ "{{" }}`)
	}
	given := model.LabelSet{}
	if g.opts.RunbookURL != "" {
		given["runbook_url"] = model.LabelValue(g.opts.RunbookURL)
	}
	maps.Copy(given, g.opts.Annotations)
	maps.Copy(given, g.alertOptions(sev).Annotations)
	for _, k := range slices.Sorted(maps.Keys(given)) {
		v := string(given[k])
		rule[string(k)], rendered[string(k)] = v, v
		if strings.Contains(v, "{{") {
			templated = append(templated, string(k))
		}
	}
	return rule, rendered, templated
}

// num writes a number with at most 12 significant digits, so that 1 -
// 0.995 is 0.005.
func num(v float64) string {
	r, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 12, 64), 64)
	return strconv.FormatFloat(r, 'f', -1, 64)
}

// percent writes a share as a percentage with at most two decimals.
func percent(share float64) string {
	return slo.FormatPercent(math.Round(share*1e4) / 1e4)
}

// roundDuration rounds to the minute, for people.
func roundDuration(d time.Duration) time.Duration {
	if d == math.MaxInt64 || d < time.Minute {
		return d
	}
	return d.Round(time.Minute)
}
