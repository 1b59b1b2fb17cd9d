package series_test

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alertkit/alertkit/slo/series"
)

// vals builds values: a float64 or an int is a sample, "_" a missing one,
// "stale" a staleness marker.
func vals(t testing.TB, items ...any) []series.Value {
	t.Helper()
	out := make([]series.Value, 0, len(items))
	for _, it := range items {
		switch it := it.(type) {
		case float64:
			out = append(out, series.Value{V: it})
		case int:
			out = append(out, series.Value{V: float64(it)})
		case string:
			switch it {
			case "_":
				out = append(out, series.Value{Missing: true})
			case "stale":
				out = append(out, series.Value{Stale: true})
			default:
				t.Fatalf("vals: %q", it)
			}
		default:
			t.Fatalf("vals: %T", it)
		}
	}
	return out
}

// repeat returns n copies of v.
func repeat(v any, n int) []any {
	out := make([]any, n)
	for i := range out {
		out[i] = v
	}
	return out
}

func concat(parts ...[]any) []any {
	var out []any
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// stepped returns n values from a on, each the previous plus b, as
// promtool expands a+bx(n-1).
func stepped(a, b float64, n int) []any {
	out := make([]any, n)
	for i := range out {
		out[i] = a
		a += b
	}
	return out
}

// sameValues reports whether got and want are the same values: the same
// flags, and the same float64 bit for bit or both NaN.
func sameValues(got, want []series.Value) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		g, w := got[i], want[i]
		if g.Missing != w.Missing || g.Stale != w.Stale {
			return false
		}
		if math.IsNaN(g.V) || math.IsNaN(w.V) {
			if !(math.IsNaN(g.V) && math.IsNaN(w.V)) {
				return false
			}
			continue
		}
		if math.Float64bits(g.V) != math.Float64bits(w.V) {
			return false
		}
	}
	return true
}

func requireSameValues(t *testing.T, want, got []series.Value) {
	t.Helper()
	if !sameValues(got, want) {
		t.Fatalf("values differ\nwant %d: %s\ngot  %d: %s", len(want), show(want), len(got), show(got))
	}
}

func show(vs []series.Value) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = v.String()
	}
	return strings.Join(parts, " ")
}

// parseCase is a values string and what it expands to.
type parseCase struct {
	name   string
	values string
	want   []any
}

// parseCases are shared with the test against promtool.
func parseCases() []parseCase {
	return []parseCase{
		// The examples of promtool's documentation ("Unit testing for
		// rules", <series>), then those of its example test file.
		{"docs a+bxn", "-2+4x3", []any{-2, 2, 6, 10}},
		{"docs a-bxn", " 1-2x4", []any{1, -1, -3, -5, -7}},
		{"docs axn", " 1x4", []any{1, 1, 1, 1, 1}},
		{"docs missing and stale", " 1 _x3 stale", []any{1, "_", "_", "_", "stale"}},
		{"docs up node_exporter", "1+0x6 0 0 0 0 0 0 0 0", concat(repeat(1, 7), repeat(0, 8))},
		{"docs goroutines prometheus", "10+10x2 30+20x5", []any{10, 20, 30, 30, 50, 70, 90, 110, 130}},
		{"docs goroutines node_exporter", "10+10x7 10+30x4", []any{10, 20, 30, 40, 50, 60, 70, 80, 10, 40, 70, 100, 130}},

		{"one value", "7", []any{7}},
		{"values", "1 2 3", []any{1, 2, 3}},
		{"spaces and tabs", "  1\t2\r3 \t 4  ", []any{1, 2, 3, 4}},
		{"empty", "", nil},
		{"only spaces", "   ", nil},
		{"x0 is one value", "5x0", []any{5}},
		{"step x0 is one value", "5+3x0", []any{5}},
		{"step x1", "5+3x1", []any{5, 8}},
		{"_x0 is nothing", "1 _x0 2", []any{1, 2}},
		{"_x1 is one missing", "_x1", []any{"_"}},
		{"_xn is n missing", "_x4", repeat("_", 4)},
		{"stale alone", "stale", []any{"stale"}},
		{"stale between", "1 stale 2", []any{1, "stale", 2}},
		{"negative start", "-5+5x2", []any{-5, 0, 5}},
		{"negative repeat", "-3x2", []any{-3, -3, -3}},
		{"plus sign", "+4 +4x1 +4+1x1", []any{4, 4, 4, 4, 5}},
		{"floats", "0.5 .25 5. 1e3 1E-2 2.5e+2", []any{0.5, 0.25, 5.0, 1000.0, 0.01, 250.0}},
		{"float step adds each time", "0.1+0.1x3", []any{0.1, 0.2, 0.30000000000000004, 0.4}},
		{"float step down", "1-0.25x4", []any{1.0, 0.75, 0.5, 0.25, 0.0}},
		{"exponent step", "1e3+1e3x2", []any{1000, 2000, 3000}},
		{"exponent sign before step", "1e+2+1x1", []any{100, 101}},
		{"infinities", "Inf -Inf +Inf inf INF", []any{math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(1), math.Inf(1)}},
		{"NaN", "NaN nan", []any{math.NaN(), math.NaN()}},
		{"Inf with a step", "Inf+0x2 -Inf-1x1", []any{math.Inf(1), math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)}},
		{"NaN with a step", "NaN+1x1", []any{math.NaN(), math.NaN()}},
		{"negative zero", "-0 0", []any{math.Copysign(0, -1), 0}},
		{"leading zeros that are not octal", "007 08 09.5 00", []any{7, 8, 9.5, 0}},
		{"0x3 is zero, four times", "0x3", []any{0, 0, 0, 0}},
		{"count with leading zero", "1x03", []any{1, 1, 1, 1}},
		{"big integer", "9007199254740993", []any{9007199254740992.0}},
		{"huge integer", "99999999999999999999", []any{1e20}},
		{"tiny", "1e-320", []any{1e-320}},
		{"a counter with a reset", "0+60x3 0+60x2", []any{0, 60, 120, 180, 0, 60, 120}},
		{"a gap and a stale end", "1+1x2 _x2 4+1x1 stale", []any{1, 2, 3, "_", "_", 4, 5, "stale"}},
	}
}

// parseCasesV3 need a promtool newer than Debian's 2.42.
func parseCasesV3() []parseCase {
	return []parseCase{
		{"digit separators", "1_000 1_000.5 1_0x1", []any{1000, 1000.5, 10, 10}},
		// promtool 2.42 does not take a newline for a space.
		{"newlines", "1\n2\r\n3\n", []any{1, 2, 3}},
	}
}

func TestParse(t *testing.T) {
	for _, tc := range append(parseCases(), parseCasesV3()...) {
		t.Run(tc.name, func(t *testing.T) {
			got, err := series.Parse(tc.values)
			require.NoError(t, err)
			requireSameValues(t, vals(t, tc.want...), got)
		})
	}
}

func TestParseErrors(t *testing.T) {
	long := strings.Repeat("1 ", 40) + "x"
	for _, tc := range []struct {
		name, values, want string
	}{
		{"missing count", "1+2x", `series: "1+2x": term 1 at offset 0: missing count after "x"`},
		{"missing count after a value", "1x", `series: "1x": term 1 at offset 0: missing count after "x"`},
		{"missing count after _", "1 _x", `series: "1 _x": term 2 at offset 2: missing count after "x"`},
		{"step without count", "1 1+2", `series: "1 1+2": term 2 at offset 2: missing "x" and count after step "+2"`},
		{"junk after step", "1+2y3", `series: "1+2y3": term 1 at offset 0: unexpected "y3" after step "+2": want "x" and a count`},
		{"float count", "1x3.5", `series: "1x3.5": term 1 at offset 0: count "3.5" is not a whole number`},
		{"negative count", "1x-1", `series: "1x-1": term 1 at offset 0: count "-1" is not a whole number`},
		{"separated count", "1x1_000", `series: "1x1_000": term 1 at offset 0: count "1_000" is not a whole number`},
		{"two counts", "1x3x4", `series: "1x3x4": term 1 at offset 0: count "3x4" is not a whole number`},
		{"letters after a number", "1 2a", `series: "1 2a": term 2 at offset 2: unexpected "a" after "2"`},
		{"comma separated", "1,2", `series: "1,2": term 1 at offset 0: unexpected ",2" after "1"`},
		{"unknown word", "1 up", `series: "1 up": term 2 at offset 2: unknown word "up": want a number, "_" or "stale"`},
		{"x alone", "x3", `series: "x3": term 1 at offset 0: unknown word "x3": want a number, "_" or "stale"`},
		{"Stale is lowercase", "Stale", `series: "Stale": term 1 at offset 0: unknown word "Stale": want a number, "_" or "stale"`},
		{"punctuation", "(1)", `series: "(1)": term 1 at offset 0: unexpected "(1)": want a number, "_" or "stale"`},
		{"lone dot", ".", `series: ".": term 1 at offset 0: unexpected ".": want a number, "_" or "stale"`},
		{"double sign", "--1", `series: "--1": term 1 at offset 0: want a number after "-"`},
		{"signed step", "1+-2x3", `series: "1+-2x3": term 1 at offset 0: want a number after "1+"`},
		{"sign alone", "1 +", `series: "1 +": term 2 at offset 2: want a number after "+"`},
		{"Infx3", "Infx3", `series: "Infx3": term 1 at offset 0: "Infx3" is one word to promtool: write Inf+0x3`},
		{"-NaNx2", "-NaNx2", `series: "-NaNx2": term 1 at offset 0: "-NaNx2" is one word to promtool: write -NaN+0x2`},
		{"Inf step", "1+Infx3", `series: "1+Infx3": term 1 at offset 0: step "Infx3": a step cannot be Inf or NaN`},
		{"NaN step", "1-NaN", `series: "1-NaN": term 1 at offset 0: step "-NaN": a step cannot be Inf or NaN`},
		{"stale repeated", "stalex3", `series: "stalex3": term 1 at offset 0: "stalex3": "stale" stands alone; it cannot be repeated or stepped`},
		{"stale stepped", "stale+1x2", `series: "stale+1x2": term 1 at offset 0: "stale+1x2": "stale" stands alone; it cannot be repeated or stepped`},
		{"stale with junk", "stale!", `series: "stale!": term 1 at offset 0: unexpected "!" after "stale"`},
		{"Inf with a capital X", "InfX3", `series: "InfX3": term 1 at offset 0: unknown word "InfX3": want a number, "_" or "stale"`},
		{"stale signed", "-stale", `series: "-stale": term 1 at offset 0: "-stale": "stale" stands alone; it takes no sign and cannot be a step`},
		{"_ with a number", "_3", `series: "_3": term 1 at offset 0: unexpected "3" after "_": a missing sample is "_", or "_xN" for N of them`},
		{"_ with a step", "_+1x3", `series: "_+1x3": term 1 at offset 0: unexpected "+1x3" after "_": a missing sample is "_", or "_xN" for N of them`},
		{"octal", "1 010", `series: "1 010": term 2 at offset 2: number "010" is octal to promtool (8): write 8, or 10 without the leading zero`},
		{"octal step", "0+010x2", `series: "0+010x2": term 1 at offset 0: number "010" is octal to promtool (8): write 8, or 10 without the leading zero`},
		{"two dots", "1.2.3", `series: "1.2.3": term 1 at offset 0: bad number "1.2.3"`},
		{"bare exponent", "1e", `series: "1e": term 1 at offset 0: bad number "1e"`},
		{"doubled separator", "1__0", `series: "1__0": term 1 at offset 0: bad number "1__0"`},
		{"trailing separator", "1_", `series: "1_": term 1 at offset 0: bad number "1_"`},
		{"out of range", "1e400", `series: "1e400": term 1 at offset 0: number "1e400" is out of range`},
		{"long input is cut", long, `series: "1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 "...: term 41 at offset 80: unknown word "x": want a number, "_" or "stale"`},
		{"too many in one term", "1x1000000", `series: "1x1000000": term 1 at offset 0: the values expand to more than MaxSamples (1000000)`},
		{"too many _", "_x1000001", `series: "_x1000001": term 1 at offset 0: the values expand to more than MaxSamples (1000000)`},
		{"too many in all", "1x499999 2+1x499999 3", `series: "1x499999 2+1x499999 3": term 3 at offset 20: the values expand to more than MaxSamples (1000000)`},
		{"count beyond uint64", "1x99999999999999999999", `series: "1x99999999999999999999": term 1 at offset 0: the values expand to more than MaxSamples (1000000)`},
		{"count at uint64 max", "1+1x18446744073709551615", `series: "1+1x18446744073709551615": term 1 at offset 0: the values expand to more than MaxSamples (1000000)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := series.Parse(tc.values)
			require.Error(t, err)
			assert.Nil(t, got)
			assert.Equal(t, tc.want, err.Error())
			var se *series.SyntaxError
			require.ErrorAs(t, err, &se)
			assert.Equal(t, tc.values, se.Input)
			assert.Equal(t, strings.Contains(tc.want, "MaxSamples"), errors.Is(err, series.ErrTooManySamples))
		})
	}
}

func TestParseMaxSamples(t *testing.T) {
	got, err := series.Parse("_x1 0+1x999998")
	require.NoError(t, err)
	require.Len(t, got, series.MaxSamples)
	assert.True(t, got[0].Missing)
	assert.Equal(t, 999998.0, got[len(got)-1].V)
}

func TestFormat(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	negZero := math.Copysign(0, -1)
	for _, tc := range []struct {
		name   string
		values []any
		want   string
	}{
		{"empty", nil, ""},
		{"one", []any{1}, "1"},
		{"two differ", []any{1, 2}, "1 2"},
		{"two equal stay plain", []any{1, 1}, "1 1"},
		{"three equal", []any{1, 1, 1}, "1x2"},
		{"equal long numbers", []any{123456, 123456}, "123456x1"},
		{"steps up", []any{0, 10, 20, 30}, "0+10x3"},
		{"steps down", []any{1, -1, -3, -5, -7}, "1-2x4"},
		{"docs a+bxn", []any{-2, 2, 6, 10}, "-2+4x3"},
		{"two runs", []any{10, 20, 30, 30, 50, 70, 90, 110, 130}, "10+10x2 30+20x5"},
		{"a reset", []any{10, 20, 30, 40, 50, 60, 70, 80, 10, 40, 70, 100, 130}, "10+10x7 10+30x4"},
		{"a run after a value", []any{5, 6, 6, 6, 6}, "5 6x3"},
		{"missing", []any{1, "_", "_", "_", "stale"}, "1 _x3 stale"},
		{"one missing", []any{"_", 1}, "_ 1"},
		{"stale twice", []any{"stale", "stale"}, "stale stale"},
		{"floats", []any{0.5, 0.25, 1e-7, 1e21, 1234567.5}, "0.5 0.25 1e-07 1e+21 1234567.5"},
		{"float steps replayed", []any{0.1, 0.2, 0.30000000000000004, 0.4}, "0.1+0.1x3"},
		{"float steps that promtool would not reproduce", []any{0.1, 0.2, 0.3}, "0.1 0.2 0.3"},
		{"a step written short", stepped(-21.108104324851855, 0.001, 6), "-21.108104324851855+0.001x5"},
		{"a step that needs many digits", stepped(5, 0.1+1e-16, 4), "5+0.1000000000000005x3"},
		{"specials", []any{inf, -inf, nan, negZero}, "Inf -Inf NaN -0"},
		{"repeated specials", []any{inf, inf, inf, nan, nan, nan}, "Inf+0x2 NaN+0x2"},
		{"negative zero repeated", []any{negZero, negZero, negZero}, "-0x2"},
		{"large integers", []any{1e15, 2e15, 3e15, 4e15}, "1e+15+1e+15x3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			vs := vals(t, tc.values...)
			got := series.Format(vs)
			assert.Equal(t, tc.want, got)
			back, err := series.Parse(got)
			require.NoError(t, err)
			requireSameValues(t, vs, back)
		})
	}
}

func TestFormatFlags(t *testing.T) {
	// V is not written for a missing or stale sample, and Missing wins.
	got := series.Format([]series.Value{{V: 3, Missing: true}, {V: 4, Stale: true}, {Missing: true, Stale: true}})
	assert.Equal(t, "_ stale _", got)
}

// TestRoundTrip: Parse(Format(v)) is v for random lists of values, and
// Format is stable: formatting what it parsed gives the same text.
func TestRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(2026, 11))
	for i := range 3000 {
		vs := randomValues(rng)
		text := series.Format(vs)
		back, err := series.Parse(text)
		require.NoError(t, err, "list %d: %q", i, text)
		if !sameValues(back, vs) {
			t.Fatalf("list %d: %q\nwant %s\ngot  %s", i, text, show(vs), show(back))
		}
		require.Equal(t, text, series.Format(back), "list %d", i)
	}
}

// TestRoundTripIntegerRuns: runs with integer starts and steps come back
// as one term each.
func TestRoundTripIntegerRuns(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	for range 500 {
		a, b, n := rng.IntN(2001)-1000, rng.IntN(201)-100, 2+rng.IntN(500)
		if b == 0 {
			continue
		}
		var vs []series.Value
		for i := range n + 1 {
			vs = append(vs, series.Value{V: float64(a + i*b)})
		}
		text := series.Format(vs)
		assert.NotContains(t, text, " ", "one term for %d%+dx%d", a, b, n)
		back, err := series.Parse(text)
		require.NoError(t, err)
		requireSameValues(t, vs, back)
	}
}

// randomValues returns up to about 80 values made of runs: missing
// samples, staleness markers, integer and float steps, repeats, and
// arbitrary float64s, special ones included.
func randomValues(rng *rand.Rand) []series.Value {
	var vs []series.Value
	for range rng.IntN(12) {
		switch rng.IntN(9) {
		case 0:
			for range 1 + rng.IntN(5) {
				vs = append(vs, series.Value{Missing: true})
			}
		case 1:
			vs = append(vs, series.Value{Stale: true})
		case 2: // integer steps
			a, b := float64(rng.IntN(2001)-1000), float64(rng.IntN(21)-10)
			for range 1 + rng.IntN(10) {
				vs = append(vs, series.Value{V: a})
				a += b
			}
		case 3: // float steps, accumulated as promtool does
			steps := []float64{0.1, 0.25, 1e-3, 3.7, -0.2, 1e10}
			a, b := rng.NormFloat64()*100, steps[rng.IntN(len(steps))]
			for range 1 + rng.IntN(10) {
				vs = append(vs, series.Value{V: a})
				a += b
			}
		case 4: // float steps, computed as a+i·b
			a, b := rng.Float64(), rng.Float64()
			n := 1 + rng.IntN(8)
			for i := range n {
				vs = append(vs, series.Value{V: a + float64(i)*b})
			}
		case 5: // repeats
			v := specials[rng.IntN(len(specials))]
			if rng.IntN(2) == 0 {
				v = float64(rng.IntN(100))
			}
			for range 1 + rng.IntN(6) {
				vs = append(vs, series.Value{V: v})
			}
		case 6: // any float64, NaN payloads aside
			f := math.Float64frombits(rng.Uint64())
			if math.IsNaN(f) {
				f = math.NaN()
			}
			vs = append(vs, series.Value{V: f})
		case 7:
			vs = append(vs, series.Value{V: specials[rng.IntN(len(specials))]})
		case 8: // a normal-looking gauge
			for range 1 + rng.IntN(5) {
				vs = append(vs, series.Value{V: math.Round(rng.NormFloat64()*1000) / 100})
			}
		}
	}
	return vs
}

var specials = []float64{
	math.Inf(1), math.Inf(-1), math.NaN(), math.Copysign(0, -1), 0,
	math.MaxFloat64, -math.MaxFloat64, math.SmallestNonzeroFloat64, 1e-7, 1e21,
}
