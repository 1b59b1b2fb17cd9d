package series_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/alertkit/alertkit/internal/testenv"
	"github.com/alertkit/alertkit/slo/series"
)

// A promtool test file, as much of it as these tests write.
type (
	ptFile struct {
		RuleFiles          []string  `yaml:"rule_files"`
		EvaluationInterval string    `yaml:"evaluation_interval"`
		Tests              []ptGroup `yaml:"tests"`
	}
	ptGroup struct {
		Name        string     `yaml:"name"`
		Interval    string     `yaml:"interval"`
		InputSeries []ptSeries `yaml:"input_series"`
		Exprs       []ptExpr   `yaml:"promql_expr_test"`
	}
	ptSeries struct {
		Series string `yaml:"series"`
		Values string `yaml:"values"`
	}
	ptExpr struct {
		Expr     string     `yaml:"expr"`
		EvalTime string     `yaml:"eval_time"`
		Samples  []ptSample `yaml:"exp_samples"`
	}
	ptSample struct {
		Labels string  `yaml:"labels"`
		Value  float64 `yaml:"value"`
	}
)

// promtool returns the path of promtool and its major version.
func promtool(t *testing.T) (string, int) {
	t.Helper()
	bin := testenv.Command(t, "ALERTKIT_PROMTOOL", "install Debian's prometheus package, which has promtool, to run this test", "promtool")
	out, err := exec.Command(bin, "--version").CombinedOutput()
	require.NoError(t, err, "%s --version: %s", bin, out)
	m := regexp.MustCompile(`version (\d+)\.`).FindSubmatch(out)
	require.NotNil(t, m, "%s --version: %s", bin, out)
	major, _ := strconv.Atoi(string(m[1]))
	return bin, major
}

// runPromtool writes the test file and runs `promtool test rules` on it.
func runPromtool(t *testing.T, bin string, file ptFile) {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "rules.yml"), []byte("groups: []\n"), 0o600))
	file.RuleFiles = []string{"rules.yml"}
	file.EvaluationInterval = "1m"
	data, err := yaml.Marshal(file)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "test.yml"), data, 0o600))
	cmd := exec.Command(bin, "test", "rules", "test.yml")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("promtool test rules: %v\n%s\ntest file:\n%s", err, out, data)
	}
}

// TestValuesAgainstPromtool has promtool check, sample by sample, that it
// expands every values string of the table as Parse does.
//
// Samples are 2m apart, so the 5m lookback of an instant query reaches the
// two before, and a range of 1m holds only the sample at its end. At each
// step i, and one past the end (of the values and a last sample that
// shows where they end):
//   - count_over_time(m[1m]) is 1 where there is a sample, NaN included,
//     and nothing where it is missing or stale (ranges skip staleness
//     markers);
//   - m == m is what an instant query sees: the latest sample within the
//     lookback unless it is a staleness marker, and nothing for NaN;
//   - m != m is where that sample is NaN.
func TestValuesAgainstPromtool(t *testing.T) {
	bin, major := promtool(t)
	cases := parseCases()
	if major >= 3 {
		cases = append(cases, parseCasesV3()...)
	}
	const interval = 2 * time.Minute
	for n, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			runPromtool(t, bin, ptFile{Tests: []ptGroup{valuesGroup(t, n, tc, interval)}})
		})
	}
}

// valuesGroup is the test group that checks one values string, as series
// number n.
func valuesGroup(t *testing.T, n int, tc parseCase, interval time.Duration) ptGroup {
	t.Helper()
	// A last sample shows where the values end.
	const last = 12345
	want, err := series.Parse(tc.values)
	require.NoError(t, err)
	want = append(want, series.Value{V: last})

	sel := fmt.Sprintf(`m{case="%d"}`, n)
	labels := fmt.Sprintf(`{case="%d"}`, n)
	group := ptGroup{
		Name:        tc.name,
		Interval:    interval.String(),
		InputSeries: []ptSeries{{Series: sel, Values: tc.values + " " + strconv.Itoa(last)}},
	}
	for i := 0; i <= len(want); i++ {
		at := (time.Duration(i) * interval).String()
		present := []ptSample{}
		if i < len(want) && !want[i].Missing && !want[i].Stale {
			present = append(present, ptSample{Labels: labels, Value: 1})
		}
		seen, isNaN := []ptSample{}, []ptSample{}
		if v, ok := looksBack(want, i); ok {
			if math.IsNaN(v) {
				isNaN = append(isNaN, ptSample{Labels: labels, Value: 1})
			} else {
				seen = append(seen, ptSample{Labels: labels, Value: v})
			}
		}
		group.Exprs = append(group.Exprs,
			ptExpr{Expr: fmt.Sprintf("count by (case) (count_over_time(%s[1m]))", sel), EvalTime: at, Samples: present},
			ptExpr{Expr: fmt.Sprintf("sum by (case) (%s == %s)", sel, sel), EvalTime: at, Samples: seen},
			ptExpr{Expr: fmt.Sprintf("count by (case) (%s != %s)", sel, sel), EvalTime: at, Samples: isNaN},
		)
	}
	return group
}

// looksBack returns what an instant query sees at step i: the latest
// sample at i, i-1 or i-2, unless it is a staleness marker.
func looksBack(vs []series.Value, i int) (float64, bool) {
	for j := min(i, len(vs)-1); j >= 0 && j >= i-2; j-- {
		switch v := vs[j]; {
		case v.Missing:
			continue
		case v.Stale:
			return 0, false
		default:
			return v.V, true
		}
	}
	return 0, false
}

// TestMetricsAgainstPromtool has promtool check that it reads every
// descriptor of the table as the labels that ParseMetric reads, written
// back by FormatMetric.
func TestMetricsAgainstPromtool(t *testing.T) {
	bin, major := promtool(t)
	cases := metricCases()
	if major >= 3 {
		cases = append(cases, metricCasesV3()...)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := series.ParseMetric(tc.metric)
			require.NoError(t, err)
			runPromtool(t, bin, ptFile{Tests: []ptGroup{{
				Interval:    "1m",
				InputSeries: []ptSeries{{Series: tc.metric, Values: "1"}},
				Exprs: []ptExpr{{
					Expr:     `{__name__=~".+"} or {job=~".+"}`,
					EvalTime: "0s",
					Samples:  []ptSample{{Labels: series.FormatMetric(got), Value: 1}},
				}},
			}}})
		})
	}
}

// TestFormatAgainstPromtool has promtool check that it reads what Format
// writes for random lists of values as those values.
func TestFormatAgainstPromtool(t *testing.T) {
	bin, _ := promtool(t)
	rng := rand.New(rand.NewPCG(42, 2026))
	for n := range 20 {
		text := series.Format(randomValues(rng))
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			t.Parallel()
			runPromtool(t, bin, ptFile{Tests: []ptGroup{valuesGroup(t, n, parseCase{name: text, values: text}, 2*time.Minute)}})
		})
	}
}
