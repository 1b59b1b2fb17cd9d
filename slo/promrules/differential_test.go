package promrules_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alertkit/alertkit/alert"
	"github.com/alertkit/alertkit/slo"
	"github.com/alertkit/alertkit/slo/promrules"
	"github.com/alertkit/alertkit/slo/series"
)

// inProcess runs a scenario through the in-process evaluator of package
// slo — the objective's events fed from the scenario's counters, errors
// being the series of a 5xx code — and returns the severities firing at
// each evaluation, every interval from the first.
func inProcess(t *testing.T, o *slo.Objective, sc promrules.Scenario) map[time.Duration][]slo.Severity {
	t.Helper()
	interval := sc.Interval
	if interval == 0 {
		interval = time.Minute
	}
	rule := slo.BurnRateRule{Objective: o}
	windows, err := rule.EventWindows()
	require.NoError(t, err)
	rule.Events = slo.NewEvents(windows...)
	e := slo.NewEvaluator(nil)
	require.NoError(t, e.AddBurnRate(rule))

	total, errors := map[time.Duration]float64{}, map[time.Duration]float64{}
	var last time.Duration
	for _, s := range sc.Series {
		labels, err := s.Labels()
		require.NoError(t, err)
		samples, err := s.Samples(interval)
		require.NoError(t, err)
		for _, smp := range samples {
			if smp.Stale {
				continue
			}
			total[smp.At] += smp.Value
			if strings.HasPrefix(string(labels["code"]), "5") {
				errors[smp.At] += smp.Value
			}
			last = max(last, smp.At)
		}
	}
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	out := map[time.Duration][]slo.Severity{}
	for at := time.Duration(0); at <= last; at += interval {
		require.NoError(t, rule.Events.AddCounters(start.Add(at), total[at]-errors[at], total[at]))
		if at == 0 {
			continue
		}
		alerts, err := e.Eval(start.Add(at))
		require.NoError(t, err)
		for _, a := range alerts {
			if a.StateAt(start.Add(at)) != alert.StateFiring {
				continue
			}
			sev := slo.SeverityPage
			if a.Labels["severity"] == "warning" {
				sev = slo.SeverityTicket
			}
			out[at] = append(out[at], sev)
		}
		slices.Sort(out[at])
	}
	return out
}

// The differential test: promtool, evaluating the generated rules, and the
// in-process evaluator, fed the same series, agree on which alerts fire —
// checked every ten minutes of every scenario, by a promtool test whose
// expectations are the in-process evaluator's results.
func TestPromtoolAgreesWithInProcess(t *testing.T) {
	bin := promtool(t)
	o, sli := promrules.TechShopAvailability()
	const (
		ok    = `http_requests_total{code="200"}`
		fails = `http_requests_total{code="503"}`
	)
	scenarios := append(promrules.TechShopScenarios(),
		promrules.Scenario{
			Name: "a 20x burn for three hours",
			// 10 of every 100 requests fail from the second hour to the fifth.
			Series: []promrules.Series{{Metric: ok, Values: "0+100x60 6090+90x179 22200+100x120"}, {Metric: fails, Values: "0x60 10+10x179 1800x120"}},
		},
		onAndOff(),
	)
	var derived []promrules.Scenario
	agreed := 0
	for _, sc := range scenarios {
		got := inProcess(t, o, sc)
		// The in-process evaluator meets the scenario's own expectations.
		for _, exp := range sc.Expect {
			var want []slo.Severity
			for _, a := range exp.Alerts {
				want = append(want, a.Severity)
			}
			slices.Sort(want)
			assert.Equal(t, want, got[exp.At], "%s at %s", sc.Name, slo.FormatDuration(exp.At))
		}
		// Its results every ten minutes become promtool's expectations.
		d := promrules.Scenario{Name: sc.Name + " (in-process)", Interval: sc.Interval, Series: sc.Series}
		var last time.Duration
		for at := range got {
			last = max(last, at)
		}
		for _, s := range sc.Series {
			samples, err := s.Samples(time.Minute)
			require.NoError(t, err)
			last = max(last, samples[len(samples)-1].At)
		}
		for at := 10 * time.Minute; at <= last; at += 10 * time.Minute {
			exp := promrules.Expectation{At: at}
			for _, sev := range got[at] {
				exp.Alerts = append(exp.Alerts, promrules.ExpectedAlert{Severity: sev})
			}
			d.Expect = append(d.Expect, exp)
			agreed++
		}
		derived = append(derived, d)
	}
	dir := t.TempDir()
	test, err := promrules.GenerateTest(o, sli, nil, derived...)
	require.NoError(t, err)
	rules, err := promrules.Generate(o, sli, nil)
	require.NoError(t, err)
	data, err := rules.YAML()
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, o.Name+".rules.yml"), data, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "test.yml"), test, 0o644))
	out, err := runPromtool(t, bin, dir, "test", "rules", "test.yml")
	require.NoError(t, err, "promtool and the in-process evaluator disagree:\n%s", out)
	assert.Contains(t, out, "SUCCESS")
	t.Logf("%d scenarios, %d evaluation times compared", len(derived), agreed)
}

// onAndOff is an hour of good requests, then four hours in which half the
// requests fail for ten minutes of every twenty, then two good hours: 100
// requests a minute.
func onAndOff() promrules.Scenario {
	var ok, fails []series.Value
	var good, bad float64
	for m := 0; m <= 7*60; m++ {
		if m > 0 {
			failing := m > 60 && m <= 300 && ((m-61)/10)%2 == 0
			if failing {
				good, bad = good+50, bad+50
			} else {
				good += 100
			}
		}
		ok = append(ok, series.Value{V: good})
		fails = append(fails, series.Value{V: bad})
	}
	return promrules.Scenario{Name: "on and off", Series: []promrules.Series{
		{Metric: `http_requests_total{code="200"}`, Values: series.Format(ok)},
		{Metric: `http_requests_total{code="503"}`, Values: series.Format(fails)},
	}}
}
