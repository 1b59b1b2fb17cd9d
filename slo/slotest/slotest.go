package slotest

import (
	"bytes"
	"fmt"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v3"

	"github.com/alertkit/alertkit/alert"
	"github.com/alertkit/alertkit/slo"
	"github.com/alertkit/alertkit/slo/series"
)

// File is a rule test file.
type File struct {
	Interval   duration    `yaml:"interval"`
	Objectives []Objective `yaml:"objectives"`
	Thresholds []Threshold `yaml:"thresholds"`
	Tests      []Test      `yaml:"tests"`
}

// Objective is an objective of a test file with its input series.
type Objective struct {
	Name    string         `yaml:"name"`
	Target  target         `yaml:"target"`
	Period  duration       `yaml:"period"`
	Labels  model.LabelSet `yaml:"labels"`
	Windows []Window       `yaml:"windows"`
	Total   string         `yaml:"total"`
	Good    string         `yaml:"good"`
	Errors  string         `yaml:"errors"`
	line    int
}

// Window is an alerting window of a test file.
type Window struct {
	Severity    slo.Severity `yaml:"severity"`
	Long        duration     `yaml:"long"`
	Short       duration     `yaml:"short"`
	BudgetShare float64      `yaml:"budget_share"`
	Burn        float64      `yaml:"burn"`
}

// Threshold is a threshold rule of a test file with its input series.
type Threshold struct {
	Name          string          `yaml:"name"`
	Series        string          `yaml:"series"`
	Aggregation   slo.Aggregation `yaml:"aggregation"`
	Over          duration        `yaml:"over"`
	Op            slo.Operator    `yaml:"op"`
	Threshold     float64         `yaml:"threshold"`
	For           duration        `yaml:"for"`
	KeepFiringFor duration        `yaml:"keep_firing_for"`
	Labels        model.LabelSet  `yaml:"labels"`
	line          int
}

// Test is what must hold at a time.
type Test struct {
	At      duration          `yaml:"at"`
	Firing  []model.LabelSet  `yaml:"firing"`
	Pending *[]model.LabelSet `yaml:"pending"`
	line    int
}

type duration time.Duration

func (d *duration) UnmarshalYAML(n *yaml.Node) error {
	v, err := model.ParseDuration(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %q: want a duration such as 30s, 5m, 30d", n.Line, n.Value)
	}
	*d = duration(v)
	return nil
}

type target float64

func (t *target) UnmarshalYAML(n *yaml.Node) error {
	s := strings.TrimSpace(n.Value)
	pct := strings.HasSuffix(s, "%")
	v, err := strconv.ParseFloat(strings.TrimSuffix(s, "%"), 64)
	if err != nil {
		return fmt.Errorf("line %d: target %q: want a share (0.995) or a percentage (99.5%%)", n.Line, n.Value)
	}
	if pct {
		v /= 100
	}
	*t = target(v)
	return nil
}

// Parse reads a test file; name names it in errors.
func Parse(data []byte, name string) (*File, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	var f File
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	// Lines, for errors.
	if len(root.Content) > 0 {
		doc := root.Content[0]
		for i := 0; i+1 < len(doc.Content); i += 2 {
			items := doc.Content[i+1].Content
			switch doc.Content[i].Value {
			case "objectives":
				for j := range min(len(items), len(f.Objectives)) {
					f.Objectives[j].line = items[j].Line
				}
			case "thresholds":
				for j := range min(len(items), len(f.Thresholds)) {
					f.Thresholds[j].line = items[j].Line
				}
			case "tests":
				for j := range min(len(items), len(f.Tests)) {
					f.Tests[j].line = items[j].Line
				}
			}
		}
	}
	if f.Interval == 0 {
		f.Interval = duration(time.Minute)
	}
	return &f, nil
}

// Timeline is what the evaluator reported at each evaluation.
type Timeline struct {
	Interval time.Duration
	// Steps[i] holds the alerts of the evaluation at (i+1) × Interval.
	Steps [][]alert.Alert
}

// At returns the alerts of the evaluation at a time since the start.
func (tl *Timeline) At(d time.Duration) ([]alert.Alert, bool) {
	if d <= 0 || d%tl.Interval != 0 || int(d/tl.Interval) > len(tl.Steps) {
		return nil, false
	}
	return tl.Steps[int(d/tl.Interval)-1], true
}

// Start is the time the series of a test file start at; the evaluations
// are at Start + interval, Start + 2 × interval, and so on.
var Start = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// Evaluate runs the file's objectives and thresholds over their series,
// for steps evaluations (or as far as the last test if steps is 0).
func (f *File) Evaluate(name string, steps int) (*Timeline, error) {
	interval := time.Duration(f.Interval)
	if steps == 0 {
		for _, t := range f.Tests {
			steps = max(steps, int(time.Duration(t.At)/interval))
		}
	}
	e := slo.NewEvaluator(nil)
	var feeds []func(i int, at time.Time) error
	for _, o := range f.Objectives {
		feed, err := o.rule(e, name)
		if err != nil {
			return nil, err
		}
		feeds = append(feeds, feed)
	}
	for _, th := range f.Thresholds {
		feed, err := th.rule(e, name, interval)
		if err != nil {
			return nil, err
		}
		feeds = append(feeds, feed)
	}
	tl := &Timeline{Interval: interval}
	// The first sample is at Start, and sets the counters' baseline.
	for i := 0; i <= steps; i++ {
		at := Start.Add(time.Duration(i) * interval)
		for _, feed := range feeds {
			if err := feed(i, at); err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
		}
		if i == 0 {
			continue
		}
		alerts, err := e.Eval(at)
		if err != nil {
			return nil, fmt.Errorf("%s: at %s: %w", name, slo.FormatDuration(at.Sub(Start)), err)
		}
		tl.Steps = append(tl.Steps, alerts)
	}
	return tl, nil
}

func (o *Objective) rule(e *slo.Evaluator, name string) (func(int, time.Time) error, error) {
	where := fmt.Sprintf("%s:%d: objective %s", name, o.line, o.Name)
	obj := &slo.Objective{Name: o.Name, Target: float64(o.Target), Period: time.Duration(o.Period), Labels: o.Labels}
	if err := obj.Validate(); err != nil {
		return nil, fmt.Errorf("%s:%d: %w", name, o.line, err)
	}
	var ws []slo.Window
	for _, w := range o.Windows {
		ws = append(ws, slo.Window{Severity: w.Severity, Long: time.Duration(w.Long), Short: time.Duration(w.Short), BudgetShare: w.BudgetShare, Burn: w.Burn})
	}
	rule := slo.BurnRateRule{Objective: obj, Windows: ws}
	windows, err := rule.EventWindows()
	if err != nil {
		return nil, fmt.Errorf("%s:%d: %w", name, o.line, err)
	}
	rule.Events = slo.NewEvents(windows...)
	if err := e.AddBurnRate(rule); err != nil {
		return nil, fmt.Errorf("%s:%d: %w", name, o.line, err)
	}
	if o.Total == "" || (o.Good == "") == (o.Errors == "") {
		return nil, fmt.Errorf("%s: give total, and one of good and errors", where)
	}
	total, err := series.Parse(o.Total)
	if err != nil {
		return nil, fmt.Errorf("%s: total: %w", where, err)
	}
	other, field := o.Good, "good"
	if o.Errors != "" {
		other, field = o.Errors, "errors"
	}
	part, err := series.Parse(other)
	if err != nil {
		return nil, fmt.Errorf("%s: %s: %w", where, field, err)
	}
	return func(i int, at time.Time) error {
		if i >= len(total) || i >= len(part) || total[i].Missing || part[i].Missing || total[i].Stale || part[i].Stale {
			return nil
		}
		good := part[i].V
		if field == "errors" {
			good = total[i].V - part[i].V
		}
		if err := rule.Events.AddCounters(at, good, total[i].V); err != nil {
			return fmt.Errorf("objective %s: sample %d: %w", o.Name, i, err)
		}
		return nil
	}, nil
}

func (th *Threshold) rule(e *slo.Evaluator, name string, interval time.Duration) (func(int, time.Time) error, error) {
	where := fmt.Sprintf("%s:%d: threshold %s", name, th.line, th.Name)
	values, err := series.Parse(th.Series)
	if err != nil {
		return nil, fmt.Errorf("%s: series: %w", where, err)
	}
	over := time.Duration(th.Over)
	if over == 0 {
		over = interval
	}
	g := slo.NewGauge(over)
	agg := th.Aggregation
	if agg == "" {
		agg = slo.AggregationLast
	}
	if !slices.Contains([]slo.Aggregation{slo.AggregationLast, slo.AggregationAvg, slo.AggregationMin, slo.AggregationMax}, agg) {
		return nil, fmt.Errorf("%s: aggregation %q: want last, avg, min or max", where, agg)
	}
	err = e.AddThreshold(slo.ThresholdRule{
		Name: th.Name, Value: func(at time.Time) (float64, bool) { return g.Value(agg, at) },
		Op: th.Op, Threshold: th.Threshold, For: time.Duration(th.For), KeepFiringFor: time.Duration(th.KeepFiringFor), Labels: th.Labels,
	})
	if err != nil {
		return nil, fmt.Errorf("%s:%d: %w", name, th.line, err)
	}
	return func(i int, at time.Time) error {
		if i >= len(values) || values[i].Missing || values[i].Stale {
			return nil
		}
		return g.Set(at, values[i].V)
	}, nil
}

// RunFile reads a test file and runs its tests, each as a subtest.
func RunFile(t *testing.T, path string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	Run(t, data, path)
}

// Run runs the tests of a file's contents; name names it in messages.
func Run(t *testing.T, data []byte, name string) {
	t.Helper()
	f, err := Parse(data, name)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Tests) == 0 {
		t.Fatalf("%s: no tests", name)
	}
	tl, err := f.Evaluate(name, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, test := range f.Tests {
		at := time.Duration(test.At)
		t.Run("at "+slo.FormatDuration(at), func(t *testing.T) {
			alerts, ok := tl.At(at)
			if !ok {
				t.Fatalf("%s:%d: at %s: not an evaluation time (a positive multiple of %s)", name, test.line, slo.FormatDuration(at), slo.FormatDuration(tl.Interval))
			}
			now := Start.Add(at)
			check := func(state alert.State, want []model.LabelSet) {
				got := describe(alerts, state, now)
				var missing []string
				for _, w := range want {
					if !slices.ContainsFunc(alerts, func(a alert.Alert) bool { return a.StateAt(now) == state && contains(a.Labels, w) }) {
						missing = append(missing, w.String())
					}
				}
				extra := 0
				for _, a := range alerts {
					if a.StateAt(now) == state && !slices.ContainsFunc(want, func(w model.LabelSet) bool { return contains(a.Labels, w) }) {
						extra++
					}
				}
				if len(missing) > 0 || extra > 0 {
					t.Errorf("%s:%d: at %s, %s alerts: want %v, got %v", name, test.line, slo.FormatDuration(at), state, labelSets(want), got)
				}
			}
			check(alert.StateFiring, test.Firing)
			if test.Pending != nil {
				check(alert.StatePending, *test.Pending)
			}
		})
	}
}

func contains(labels, want model.LabelSet) bool {
	for k, v := range want {
		if labels[k] != v {
			return false
		}
	}
	return true
}

func describe(alerts []alert.Alert, state alert.State, at time.Time) []string {
	var out []string
	for _, a := range alerts {
		if a.StateAt(at) == state {
			out = append(out, a.Labels.String())
		}
	}
	sort.Strings(out)
	return out
}

func labelSets(ls []model.LabelSet) []string {
	var out []string
	for _, l := range ls {
		out = append(out, l.String())
	}
	sort.Strings(out)
	return out
}
