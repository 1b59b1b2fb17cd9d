package promrules

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v3"

	"github.com/alertkit/alertkit/slo"
)

// Scenario is traffic, and the alerts it must raise: input series in
// promtool's notation, sampled every Interval from time 0, and the alerts
// expected to be firing at given times. It is plain data, so that the same
// scenarios can drive promtool (GenerateTest) and an in-process evaluator
// ([Series.Labels], [Series.Samples]).
type Scenario struct {
	Name string
	// Interval is the time between samples; 0 means a minute.
	Interval time.Duration
	Series   []Series
	Expect   []Expectation
}

// Series is one input series: Metric as PromQL writes a series,
// http_requests_total{code="200"}, and Values in promtool's expanding
// notation: "0+60x60 3600x120" is 0, 60, …, 3600, then 3600 a hundred and
// twenty more times. See [Series.Samples].
type Series struct {
	Metric string
	Values string
}

// Expectation is what must be firing At a time since the scenario's start:
// exactly Alerts, none if empty.
type Expectation struct {
	At     time.Duration
	Alerts []ExpectedAlert
}

// ExpectedAlert is a firing alert of the objective: its Severity, and
// Labels its series carries beyond the objective's — those of a query's
// "sum by (region)", say.
type ExpectedAlert struct {
	Severity slo.Severity
	Labels   model.LabelSet
}

// Sample is a value of a series At a time since the scenario's start; a
// Stale one ends the series, as Prometheus's staleness marker does.
type Sample struct {
	At    time.Duration
	Value float64
	Stale bool
}

// maxSamples bounds a series' expansion: a typo such as 0+1x100000000
// would otherwise fill the memory.
const maxSamples = 1 << 20

func (sc *Scenario) interval() time.Duration {
	if sc.Interval <= 0 {
		return time.Minute
	}
	return sc.Interval
}

// Validate checks the scenario's series and expectations; errors name the
// series or expectation.
func (sc *Scenario) Validate() error {
	what := "scenario " + strconv.Quote(sc.Name)
	var errs []error
	if sc.Interval < 0 || sc.Interval%time.Millisecond != 0 {
		errs = append(errs, fmt.Errorf("%s: interval %s: want a positive whole number of milliseconds", what, sc.Interval))
	}
	if len(sc.Series) == 0 {
		errs = append(errs, fmt.Errorf("%s: no series", what))
	}
	seen := map[model.Fingerprint]int{}
	for i, s := range sc.Series {
		m, err := s.Labels()
		if err == nil {
			_, err = s.Samples(sc.interval())
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: series %d: %w", what, i+1, err))
			continue
		}
		if j, dup := seen[m.Fingerprint()]; dup {
			errs = append(errs, fmt.Errorf("%s: series %d: %s is series %d again", what, i+1, strings.TrimSpace(s.Metric), j+1))
		}
		seen[m.Fingerprint()] = i
	}
	for i, e := range sc.Expect {
		if e.At < 0 || e.At%time.Millisecond != 0 {
			errs = append(errs, fmt.Errorf("%s: expectation %d: at %s: want 0 or a positive whole number of milliseconds", what, i+1, e.At))
		}
		seen := map[string]bool{}
		for _, a := range e.Alerts {
			key := string(a.Severity) + a.Labels.String()
			if a.Severity != slo.SeverityPage && a.Severity != slo.SeverityTicket {
				errs = append(errs, fmt.Errorf("%s: expectation %d: severity %q: want page or ticket", what, i+1, a.Severity))
			} else if seen[key] {
				labels := ""
				if len(a.Labels) > 0 {
					labels = a.Labels.String()
				}
				errs = append(errs, fmt.Errorf("%s: expectation %d: %s%s expected twice", what, i+1, a.Severity, labels))
			}
			seen[key] = true
			if err := checkLabels(a.Labels, fmt.Sprintf("%s: expectation %d: labels", what, i+1)); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// Labels parses the series' Metric: a metric name and label matchers with
// "=" and double-quoted (or backquoted) values, as
// http_requests_total{code="200", method="GET"}; {__name__="up"} names the
// metric too.
func (s Series) Labels() (model.Metric, error) {
	q := strings.TrimSpace(s.Metric)
	m := model.Metric{}
	i := 0
	for i < len(q) && (isNameChar(q[i]) || q[i] == ':') {
		i++
	}
	if i > 0 {
		if !model.LegacyValidation.IsValidMetricName(q[:i]) {
			return nil, fmt.Errorf("metric %q: invalid metric name %q", cut(q, 80), q[:i])
		}
		m[model.MetricNameLabel] = model.LabelValue(q[:i])
	}
	i = skipSpace(q, i)
	if i < len(q) {
		if q[i] != '{' {
			return nil, fmt.Errorf("metric %q: offset %d: want { after the metric name", cut(q, 80), i)
		}
		n, err := parseLabels(q, i, m)
		if err != nil {
			return nil, fmt.Errorf("metric %q: %w", cut(q, 80), err)
		}
		if i += n; skipSpace(q, i) != len(q) {
			return nil, fmt.Errorf("metric %q: offset %d: unexpected text after }", cut(q, 80), i)
		}
	}
	if m[model.MetricNameLabel] == "" {
		return nil, fmt.Errorf("metric %q: no metric name", cut(q, 80))
	}
	if !model.LegacyValidation.IsValidMetricName(string(m[model.MetricNameLabel])) {
		return nil, fmt.Errorf("metric %q: invalid metric name %q", cut(q, 80), m[model.MetricNameLabel])
	}
	return m, nil
}

// parseLabels reads {l="v", …} at q[i:] into m and returns its length.
func parseLabels(q string, i int, m model.Metric) (int, error) {
	j := skipSpace(q, i+1)
	for {
		if j < len(q) && q[j] == '}' {
			return j + 1 - i, nil
		}
		start := j
		for j < len(q) && isNameChar(q[j]) {
			j++
		}
		name := q[start:j]
		if !model.LegacyValidation.IsValidLabelName(name) {
			return 0, fmt.Errorf("offset %d: want a label name", start)
		}
		j = skipSpace(q, j)
		if j >= len(q) || q[j] != '=' || strings.HasPrefix(q[j:], "=~") {
			return 0, fmt.Errorf("offset %d: want = after label %s", j, name)
		}
		j = skipSpace(q, j+1)
		if j >= len(q) || (q[j] != '"' && q[j] != '`') {
			return 0, fmt.Errorf("offset %d: want the value of label %s in double quotes", j, name)
		}
		end := stringEnd(q, j)
		if end < 0 {
			return 0, fmt.Errorf("offset %d: the value of label %s is never closed", j, name)
		}
		v, err := strconv.Unquote(q[j : end+1])
		if err != nil {
			return 0, fmt.Errorf("offset %d: value of label %s: %w", j, name, err)
		}
		if _, dup := m[model.LabelName(name)]; dup {
			return 0, fmt.Errorf("offset %d: label %s given twice", start, name)
		}
		if !model.LabelValue(v).IsValid() {
			return 0, fmt.Errorf("offset %d: value of label %s: not valid UTF-8", j, name)
		}
		if v != "" { // as Prometheus, an empty value is no label
			m[model.LabelName(name)] = model.LabelValue(v)
		}
		j = skipSpace(q, end+1)
		if j < len(q) && q[j] == ',' {
			j = skipSpace(q, j+1)
			continue
		}
		if j >= len(q) || q[j] != '}' {
			return 0, fmt.Errorf("offset %d: want , or } after the value of label %s", j, name)
		}
	}
}

var numberRE = regexp.MustCompile(`^[+-]?((\d+\.?\d*|\.\d+)([eE][+-]?\d+)?|(?i:inf|nan))$`)

// Samples expands the series' Values, one every interval from time 0, as
// promtool does:
//
//	7            one sample, 7
//	1+2x3        1 3 5 7: a start, a step and a count of steps
//	9-1x2        9 8 7
//	5x2          5 5 5
//	_            no sample at this step;  _x3: none at three steps
//	stale        a staleness marker
//
// Numbers may be signed, fractional, with an exponent, Inf or NaN.
func (s Series) Samples(interval time.Duration) ([]Sample, error) {
	if interval <= 0 {
		return nil, fmt.Errorf("values: interval %s: want a positive duration", interval)
	}
	var out []Sample
	step := 0
	add := func(v float64, stale bool) error {
		if step >= maxSamples {
			return fmt.Errorf("values: more than %d samples", maxSamples)
		}
		out = append(out, Sample{At: time.Duration(step) * interval, Value: v, Stale: stale})
		step++
		return nil
	}
	for _, tok := range strings.Fields(s.Values) {
		if err := expandToken(tok, add, func(n uint64) error {
			if uint64(step)+n > maxSamples {
				return fmt.Errorf("values: more than %d samples", maxSamples)
			}
			step += int(n)
			return nil
		}); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func expandToken(tok string, add func(float64, bool) error, skip func(uint64) error) error {
	bad := func(why string) error { return fmt.Errorf("values: %q: %s", cut(tok, 40), why) }
	switch {
	case tok == "_":
		return skip(1)
	case tok == "stale":
		return add(math.NaN(), true)
	case numberRE.MatchString(tok):
		v, _ := strconv.ParseFloat(tok, 64)
		return add(v, false)
	}
	x := strings.LastIndexByte(tok, 'x')
	if x <= 0 {
		return bad("want a number, _, stale, or a+bxn")
	}
	n, err := strconv.ParseUint(tok[x+1:], 10, 64)
	if err != nil {
		return bad("the count after x must be a whole number")
	}
	if n >= maxSamples {
		return fmt.Errorf("values: %q: more than %d samples", cut(tok, 40), maxSamples)
	}
	head := tok[:x]
	if head == "_" {
		return skip(n)
	}
	start, delta := head, "0"
	for i := 1; i < len(head); i++ {
		if (head[i] == '+' || head[i] == '-') && head[i-1] != 'e' && head[i-1] != 'E' {
			start, delta = head[:i], head[i:]
			break
		}
	}
	if !numberRE.MatchString(start) || !numberRE.MatchString(delta) {
		return bad("want a+bxn, a-bxn or axn with numbers a and b")
	}
	a, _ := strconv.ParseFloat(start, 64)
	b, _ := strconv.ParseFloat(delta, 64)
	for i := uint64(0); i <= n; i++ {
		if err := add(a, false); err != nil {
			return err
		}
		a += b
	}
	return nil
}

// promtool's unit-test file.
type testFile struct {
	RuleFiles          []string       `yaml:"rule_files"`
	EvaluationInterval model.Duration `yaml:"evaluation_interval"`
	Tests              []testGroup    `yaml:"tests"`
}

type testGroup struct {
	Name          string          `yaml:"name,omitempty"`
	Interval      model.Duration  `yaml:"interval"`
	InputSeries   []inputSeries   `yaml:"input_series"`
	AlertRuleTest []alertRuleTest `yaml:"alert_rule_test"`
}

type inputSeries struct {
	Series string `yaml:"series"`
	Values string `yaml:"values"`
}

type alertRuleTest struct {
	EvalTime  model.Duration `yaml:"eval_time"`
	Alertname string         `yaml:"alertname"`
	ExpAlerts []expAlert     `yaml:"exp_alerts"`
}

type expAlert struct {
	ExpLabels      map[string]string `yaml:"exp_labels"`
	ExpAnnotations map[string]string `yaml:"exp_annotations"`
}

// GenerateTest writes a promtool unit-test file (promtool test rules) that
// runs the scenarios against the rules Generate writes for the same
// arguments, which it lists under rule_files as Options.RuleFile. Each
// expectation becomes an alert_rule_test of the alert name, whose expected
// labels and annotations are the alert's. Annotations given as templates
// cannot be expected, and are refused.
func GenerateTest(o *slo.Objective, sli SLI, opts *Options, scenarios ...Scenario) ([]byte, error) {
	g, err := newGenerator(o, sli, opts)
	if err != nil {
		return nil, err
	}
	if len(scenarios) == 0 {
		return nil, fmt.Errorf("slo %s: no scenario to test", o.Name)
	}
	alerts := map[slo.Severity]Rule{}
	for _, sev := range []slo.Severity{slo.SeverityPage, slo.SeverityTicket} {
		r, ok := g.alert(sev)
		if !ok {
			continue
		}
		_, rendered, templated := g.annotations(sev, g.severityWindows(sev))
		if len(templated) > 0 {
			return nil, fmt.Errorf("slo %s: %s annotation %s is a template: a test cannot expect its text", o.Name, sev, templated[0])
		}
		r.Annotations = rendered
		alerts[sev] = r
	}
	eval := g.opts.Interval
	if eval == 0 {
		eval = time.Minute
	}
	tf := testFile{RuleFiles: []string{g.ruleFile()}, EvaluationInterval: model.Duration(eval)}
	var errs []error
	for _, sc := range scenarios {
		if err := sc.Validate(); err != nil {
			errs = append(errs, err)
			continue
		}
		tg := testGroup{Name: sc.Name, Interval: model.Duration(sc.interval())}
		for _, s := range sc.Series {
			tg.InputSeries = append(tg.InputSeries, inputSeries{Series: strings.TrimSpace(s.Metric), Values: strings.Join(strings.Fields(s.Values), " ")})
		}
		for i, e := range sc.Expect {
			t := alertRuleTest{EvalTime: model.Duration(e.At), Alertname: g.alertName, ExpAlerts: []expAlert{}}
			for _, a := range e.Alerts {
				r, ok := alerts[a.Severity]
				if !ok {
					errs = append(errs, fmt.Errorf("scenario %q: expectation %d: no %s alert to expect (disabled, or no %s window)", sc.Name, i+1, a.Severity, a.Severity))
					continue
				}
				ls := map[string]string{}
				for k, v := range a.Labels {
					ls[string(k)] = string(v)
				}
				maps.Copy(ls, r.Labels)
				t.ExpAlerts = append(t.ExpAlerts, expAlert{ExpLabels: ls, ExpAnnotations: r.Annotations})
			}
			tg.AlertRuleTest = append(tg.AlertRuleTest, t)
		}
		tf.Tests = append(tf.Tests, tg)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("slo %s: %w", o.Name, err)
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "# promtool test rules: scenarios of SLO %s, written by alertkit\n", o.Name)
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&tf); err != nil {
		return nil, fmt.Errorf("slo %s: test file: %w", o.Name, err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("slo %s: test file: %w", o.Name, err)
	}
	return b.Bytes(), nil
}

// ruleFile is Options.RuleFile, or the objective's name made safe for a
// file name.
func (g *generator) ruleFile() string {
	if g.opts.RuleFile != "" {
		return g.opts.RuleFile
	}
	name := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-', r == '_':
			return r
		case r >= 'A' && r <= 'Z':
			return r + 'a' - 'A'
		}
		return '_'
	}, g.o.Name)
	return name + ".rules.yml"
}

// TechShopAvailability is TechShop's availability objective — 99.5% of
// HTTP requests answered without a 5xx over 30 days — and its SLI over
// http_requests_total{code}: the objective of [TechShopScenarios].
func TechShopAvailability() (*slo.Objective, SLI) {
	return &slo.Objective{
			Name:        "availability",
			Target:      0.995,
			Description: "HTTP requests answered without a server error",
			Labels:      model.LabelSet{"service": "techshop"},
		}, SLI{
			ErrorQuery: `sum(rate(http_requests_total{code=~"5.."}[{{.window}}]))`,
			TotalQuery: `sum(rate(http_requests_total[{{.window}}]))`,
		}
}

// TechShopScenarios are clear-cut scenarios of [TechShopAvailability] with
// the default windows, at 100 requests a minute sampled every minute:
//
//   - all good: six hours without errors raise nothing;
//   - total outage: after an hour, every request fails; ten minutes in,
//     it pages (and, at 200×, opens a ticket too);
//   - slow burn: after six good hours, 2% of requests fail for a day — a
//     4× burn; four hours in, a tenth of the budget is gone over the 3-day
//     window and it opens a ticket, but it never pages;
//   - recovery: a ten-minute outage pages; the page resolves within the
//     hour once the short windows are clean, the ticket within hours.
func TechShopScenarios() []Scenario {
	const (
		ok    = `http_requests_total{code="200"}`
		fails = `http_requests_total{code="500"}`
	)
	page, ticket := ExpectedAlert{Severity: slo.SeverityPage}, ExpectedAlert{Severity: slo.SeverityTicket}
	return []Scenario{
		{
			Name:   "all good",
			Series: []Series{{ok, "0+100x360"}, {fails, "0x360"}},
			Expect: []Expectation{{At: 10 * time.Minute}, {At: time.Hour}, {At: 6 * time.Hour}},
		},
		{
			Name: "total outage",
			// Good for an hour, then every request fails.
			Series: []Series{{ok, "0+100x60 6000x59"}, {fails, "0x60 100+100x59"}},
			Expect: []Expectation{
				{At: time.Hour},
				{At: 70 * time.Minute, Alerts: []ExpectedAlert{page, ticket}},
				{At: 2 * time.Hour, Alerts: []ExpectedAlert{page, ticket}},
			},
		},
		{
			Name: "slow burn",
			// Six good hours, then a day with 2 of every 100 requests failing.
			Series: []Series{{ok, "0+100x360 36098+98x1439"}, {fails, "0x360 2+2x1439"}},
			Expect: []Expectation{
				{At: 6 * time.Hour},
				{At: 7 * time.Hour},
				{At: 10 * time.Hour, Alerts: []ExpectedAlert{ticket}},
				{At: 30 * time.Hour, Alerts: []ExpectedAlert{ticket}},
			},
		},
		{
			Name: "recovery",
			// Good for an hour, ten minutes of total outage, good again.
			Series: []Series{{ok, "0+100x60 6000x9 6100+100x409"}, {fails, "0x60 100+100x9 1000x409"}},
			Expect: []Expectation{
				{At: 70 * time.Minute, Alerts: []ExpectedAlert{page, ticket}},
				{At: 2 * time.Hour, Alerts: []ExpectedAlert{ticket}},
				{At: 8 * time.Hour},
			},
		},
	}
}
