package gate_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alertkit/alertkit/internal/testenv"
	"github.com/alertkit/alertkit/slo/gate"
)

var inf = math.Inf(1)

// The worked examples of Prometheus's own tests of histogram_quantile
// (promql/promqltest/testdata/histograms.test), and its documented
// special cases.
func TestHistogramQuantile(t *testing.T) {
	// Bucket counts at 50m of the test file's series, which grow by a
	// step every 5m.
	positive := []gate.Bucket{{0.1, 50}, {0.2, 70}, {1, 110}, {inf, 120}}
	negative := []gate.Bucket{{-0.2, 10}, {-0.1, 20}, {0.3, 20}, {inf, 30}}
	middles := []gate.Bucket{{0, 0}, {2, 1}, {4, 2}, {6, 3}, {inf, 3}}
	zeroFirst := []gate.Bucket{{0, 0}, {0.1, 50}, {0.2, 70}, {1, 110}, {inf, 110}}
	negativeFirst := []gate.Bucket{{-0.25, 0}, {-0.2, 10}, {-0.1, 20}, {0.3, 20}, {inf, 20}}
	// sum by (le) over four instances: 0.1: 1+2+3+4, 0.2: 3+5+4+7, +Inf: 4+6+6+9.
	summed := []gate.Bucket{{0.1, 10}, {0.2, 19}, {inf, 25}}
	nonMonotonic := []gate.Bucket{{0.1, 20}, {1, 10}, {10, 50}, {100, 40}, {1000, 90}, {inf, 80}}
	sameBound := []gate.Bucket{{0.1, 1}, {0.2, 1}, {0.2, 1}, {0.2, 1}, {inf, 4}}
	for _, tt := range []struct {
		name    string
		q       float64
		buckets []gate.Bucket
		want    float64
	}{
		{"lowest bucket from 0", 0, positive, 0},
		{"lowest bucket at or below 0 gives its bound", 0, negative, -0.2},
		{"q 0.2 in the lowest bucket", 0.2, positive, 0.048},
		{"q 0.2 in a lowest bucket below 0", 0.2, negative, -0.2},
		{"q 0.5 interpolated", 0.5, positive, 0.15},
		{"q 0.5 interpolated below 0", 0.5, negative, -0.15},
		{"q 0.8 interpolated", 0.8, positive, 0.72},
		{"q 0.8 in +Inf gives the highest finite bound", 0.8, negative, 0.3},
		{"q 1 in +Inf", 1, positive, 1},
		{"q 1 in +Inf below 0", 1, negative, 0.3},
		{"q 1/6 in the middle of a bucket", 1. / 6, middles, 1},
		{"q 1/2 in the middle of a bucket", 0.5, middles, 3},
		{"q 5/6 in the middle of a bucket", 5. / 6, middles, 5},
		{"q 0 with an empty bucket at 0", 0, zeroFirst, 0},
		{"q 0.25 after an empty bucket at 0", 0.25, zeroFirst, 0.055},
		{"q 0.5 after an empty bucket at 0", 0.5, zeroFirst, 0.125},
		{"q 0.75 after an empty bucket at 0", 0.75, zeroFirst, 0.45},
		{"q 1 reaches a finite bucket", 1, zeroFirst, 1},
		{"q 0 with an empty negative bucket", 0, negativeFirst, -0.25},
		{"q 0.25 negative", 0.25, negativeFirst, -0.225},
		{"q 0.5 at a bound", 0.5, negativeFirst, -0.2},
		{"q 0.75 negative", 0.75, negativeFirst, -0.15},
		{"q 1 negative", 1, negativeFirst, -0.1},
		{"summed q 0.3", 0.3, summed, 0.075},
		{"summed q 0.5", 0.5, summed, 0.1 + 0.1*2.5/9},
		{"non-monotonic q 0.01", 0.01, nonMonotonic, 0.0045},
		{"non-monotonic q 0.5", 0.5, nonMonotonic, 8.5},
		{"non-monotonic q 0.99", 0.99, nonMonotonic, 979.75},
		{"same bound added up, q 0.5", 0.5, sameBound, 0.15},
		{"same bound added up, q 0.75", 0.75, sameBound, 0.2},
		{"same bound added up, q 1", 1, sameBound, 0.2},
		{"unsorted", 0.8, []gate.Bucket{{inf, 120}, {1, 110}, {0.1, 50}, {0.2, 70}}, 0.72},
		{"q below 0", -0.1, positive, math.Inf(-1)},
		{"q above 1", 1.01, positive, math.Inf(1)},
		{"q NaN", math.NaN(), positive, math.NaN()},
		{"no +Inf bucket", 0.5, []gate.Bucket{{0.1, 50}, {0.2, 70}}, math.NaN()},
		{"only +Inf", 0.5, []gate.Bucket{{inf, 5}}, math.NaN()},
		{"+Inf twice", 0.5, []gate.Bucket{{inf, 0}, {inf, 0}}, math.NaN()},
		{"no observations", 0.5, []gate.Bucket{{0.1, 0}, {0.2, 0}, {inf, 0}}, math.NaN()},
		{"no buckets", 0.5, nil, math.NaN()},
	} {
		t.Run(tt.name, func(t *testing.T) {
			in := append([]gate.Bucket(nil), tt.buckets...)
			got := gate.HistogramQuantile(tt.q, in)
			assert.Equal(t, tt.buckets, in, "the buckets are not changed")
			if math.IsNaN(tt.want) {
				assert.True(t, math.IsNaN(got), "got %v", got)
				return
			}
			assert.InDelta(t, tt.want, got, 1e-12)
		})
	}
}

// HistogramQuantile agrees with a real Prometheus, to the last bit: promtool
// evaluates histogram_quantile on the same buckets and compares its result
// with ours.
func TestHistogramQuantileAgreesWithPromtool(t *testing.T) {
	promtool := testenv.Command(t, "ALERTKIT_PROMTOOL", "install Debian's prometheus package (it has promtool) to run this test", "promtool")
	rng := rand.New(rand.NewPCG(1, 2))
	layouts := [][]float64{
		{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}, // client_golang's defaults
		{0.1, 0.3, 1.2, 5},
		{0, 0.5, 1},
		{-1, -0.5, 0.25, 2},
	}
	quantiles := []float64{0, 0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 0.999, 1}
	var file strings.Builder
	file.WriteString("tests:\n")
	cases := 0
	for h := range 40 {
		bounds := layouts[h%len(layouts)]
		buckets := make([]gate.Bucket, 0, len(bounds)+1)
		var count uint64
		for _, b := range bounds {
			if rng.IntN(4) > 0 {
				count += rng.Uint64N(1000)
			}
			buckets = append(buckets, gate.Bucket{UpperBound: b, Count: count})
		}
		count += rng.Uint64N(20)
		buckets = append(buckets, gate.Bucket{UpperBound: inf, Count: count})
		fmt.Fprintf(&file, "  - interval: 1m\n    input_series:\n")
		for _, b := range buckets {
			fmt.Fprintf(&file, "      - series: 'h%d_bucket{le=\"%s\"}'\n        values: '%d'\n", h, strconv.FormatFloat(b.UpperBound, 'g', -1, 64), b.Count)
		}
		fmt.Fprintf(&file, "    promql_expr_test:\n")
		for _, q := range quantiles {
			v := gate.HistogramQuantile(q, buckets)
			if math.IsNaN(v) {
				continue
			}
			cases++
			fmt.Fprintf(&file, "      - expr: histogram_quantile(%v, h%d_bucket)\n        eval_time: 0m\n        exp_samples:\n          - labels: '{}'\n            value: %s\n",
				q, h, strconv.FormatFloat(v, 'g', -1, 64))
		}
	}
	require.Greater(t, cases, 300)
	path := filepath.Join(t.TempDir(), "quantiles_test.yml")
	require.NoError(t, os.WriteFile(path, []byte(file.String()), 0o600))
	out, err := exec.Command(promtool, "test", "rules", path).CombinedOutput()
	require.NoError(t, err, "promtool disagrees:\n%s", out)
}
