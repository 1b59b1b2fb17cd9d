package promrules_test

import (
	"math"
	"testing"
	"time"

	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alertkit/alertkit/slo"
	"github.com/alertkit/alertkit/slo/promrules"
)

func TestSeriesSamples(t *testing.T) {
	type s = promrules.Sample
	m := time.Minute
	for _, tt := range []struct {
		values string
		want   []promrules.Sample
		err    string
	}{
		{values: "7", want: []s{{At: 0, Value: 7}}},
		{values: "1+2x3", want: []s{{0, 1, false}, {m, 3, false}, {2 * m, 5, false}, {3 * m, 7, false}}},
		{values: "9-1x2  -2+4x1", want: []s{{0, 9, false}, {m, 8, false}, {2 * m, 7, false}, {3 * m, -2, false}, {4 * m, 2, false}}},
		{values: "5x2", want: []s{{0, 5, false}, {m, 5, false}, {2 * m, 5, false}}},
		{values: "1 _ 3 _x2 4", want: []s{{0, 1, false}, {2 * m, 3, false}, {5 * m, 4, false}}},
		{values: "1e3+1.5e-1x1 .5 +Inf", want: []s{{0, 1000, false}, {m, 1000.15, false}, {2 * m, 0.5, false}, {3 * m, math.Inf(1), false}}},
		{values: "", want: nil},
		{values: "1 two", err: `values: "two": want a number, _, stale, or a+bxn`},
		{values: "1+x3", err: `values: "1+x3": want a+bxn, a-bxn or axn with numbers a and b`},
		{values: "1+1x-3", err: `values: "1+1x-3": the count after x must be a whole number`},
		{values: "0+1x2000000", err: `values: "0+1x2000000": more than 1048576 samples`},
		{values: "_x1048575 1 2", err: "values: more than 1048576 samples"},
	} {
		t.Run(tt.values, func(t *testing.T) {
			got, err := promrules.Series{Values: tt.values}.Samples(time.Minute)
			if tt.err != "" {
				assert.EqualError(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
	got, err := promrules.Series{Values: "1 stale NaN"}.Samples(time.Second)
	require.NoError(t, err)
	require.Len(t, got, 3)
	assert.True(t, got[1].Stale && math.IsNaN(got[1].Value))
	assert.True(t, !got[2].Stale && math.IsNaN(got[2].Value))
	assert.Equal(t, 2*time.Second, got[2].At)
}

func TestSeriesLabels(t *testing.T) {
	for _, tt := range []struct {
		metric string
		want   model.Metric
		err    string
	}{
		{metric: `http_requests_total{code="200", method="GET"}`, want: model.Metric{"__name__": "http_requests_total", "code": "200", "method": "GET"}},
		{metric: ` up `, want: model.Metric{"__name__": "up"}},
		{metric: `{__name__="up", job="shop",}`, want: model.Metric{"__name__": "up", "job": "shop"}},
		{metric: "x{path=\"a\\\"b\", raw=`c\\d`, empty=\"\"}", want: model.Metric{"__name__": "x", "path": `a"b`, "raw": `c\d`}},
		{metric: `{job="shop"}`, err: `metric "{job=\"shop\"}": no metric name`},
		{metric: `x{code=~"5.."}`, err: `metric "x{code=~\"5..\"}": offset 6: want = after label code`},
		{metric: `x{code='200'}`, err: `metric "x{code='200'}": offset 7: want the value of label code in double quotes`},
		{metric: `x{code="200"`, err: `metric "x{code=\"200\"": offset 12: want , or } after the value of label code`},
		{metric: `x{code="200", code="500"}`, err: `metric "x{code=\"200\", code=\"500\"}": offset 14: label code given twice`},
		{metric: `x{code="200} `, err: `metric "x{code=\"200}": offset 7: the value of label code is never closed`},
		{metric: `x y`, err: `metric "x y": offset 2: want { after the metric name`},
		{metric: `x{} y`, err: `metric "x{} y": offset 3: unexpected text after }`},
		{metric: `9x`, err: `metric "9x": invalid metric name "9x"`},
	} {
		t.Run(tt.metric, func(t *testing.T) {
			got, err := promrules.Series{Metric: tt.metric}.Labels()
			if tt.err != "" {
				assert.EqualError(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestScenarioValidate(t *testing.T) {
	for _, sc := range promrules.TechShopScenarios() {
		assert.NoError(t, sc.Validate(), sc.Name)
	}
	sc := promrules.Scenario{
		Name:     "broken",
		Interval: -time.Second,
		Series:   []promrules.Series{{Metric: `up{job="a"}`, Values: "1"}, {Metric: `up{ job="a" }`, Values: "x"}, {Metric: `up{job="a"}`, Values: "1"}},
		Expect: []promrules.Expectation{
			{At: -time.Minute},
			{At: time.Minute, Alerts: []promrules.ExpectedAlert{{Severity: "sms"}, {Severity: slo.SeverityPage}, {Severity: slo.SeverityPage}, {Severity: slo.SeverityPage, Labels: model.LabelSet{"region": "eu"}}}},
		},
	}
	assert.EqualError(t, sc.Validate(), `scenario "broken": interval -1s: want a positive whole number of milliseconds`+"\n"+
		`scenario "broken": series 2: values: "x": want a number, _, stale, or a+bxn`+"\n"+
		`scenario "broken": series 3: up{job="a"} is series 1 again`+"\n"+
		`scenario "broken": expectation 1: at -1m0s: want 0 or a positive whole number of milliseconds`+"\n"+
		`scenario "broken": expectation 2: severity "sms": want page or ticket`+"\n"+
		`scenario "broken": expectation 2: page expected twice`)
	assert.EqualError(t, (&promrules.Scenario{Name: "empty"}).Validate(), `scenario "empty": no series`)
}

func TestGenerateTestGolden(t *testing.T) {
	o, sli := promrules.TechShopAvailability()
	b, err := promrules.GenerateTest(o, sli, nil, promrules.TechShopScenarios()...)
	require.NoError(t, err)
	golden(t, "availability.test.yml", b)
}

func TestGenerateTestErrors(t *testing.T) {
	o, sli := promrules.TechShopAvailability()
	outage := promrules.TechShopScenarios()[1]
	_, err := promrules.GenerateTest(o, sli, nil)
	assert.EqualError(t, err, "slo availability: no scenario to test")
	_, err = promrules.GenerateTest(o, sli, &promrules.Options{Ticket: promrules.AlertOptions{Disable: true}}, outage)
	assert.EqualError(t, err, `slo availability: scenario "total outage": expectation 2: no ticket alert to expect (disabled, or no ticket window)`+"\n"+
		`scenario "total outage": expectation 3: no ticket alert to expect (disabled, or no ticket window)`)
	_, err = promrules.GenerateTest(o, sli, &promrules.Options{Annotations: model.LabelSet{"value": "{{ $value }}"}}, outage)
	assert.EqualError(t, err, "slo availability: page annotation value is a template: a test cannot expect its text")
	_, err = promrules.GenerateTest(o, sli, nil, promrules.Scenario{Name: "x", Series: []promrules.Series{{Metric: "up", Values: "1 1x"}}})
	assert.EqualError(t, err, `slo availability: scenario "x": series 1: values: "1x": the count after x must be a whole number`)
	_, err = promrules.GenerateTest(&slo.Objective{Name: "x"}, sli, nil, outage)
	assert.EqualError(t, err, "slo x: target 0: want a share in (0, 1), such as 0.995 for 99.5%")
}
