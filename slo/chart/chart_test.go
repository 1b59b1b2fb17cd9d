package chart_test

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"math"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	goldenfile "github.com/alertkit/alertkit/internal/golden"
	"github.com/alertkit/alertkit/slo"
	"github.com/alertkit/alertkit/slo/chart"
)

const day = 24 * time.Hour

// now is the right edge of every chart here.
var now = time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)

// traffic makes the events of every interval of step from from (not
// included) to to: a daily cycle of 400 requests a minute at midnight to
// 1120 at noon, of which errorPPM(at) in a million fail. Counts are whole
// numbers; the failures of a fraction of a request are carried over to
// the next interval, so that the error ratio is exact over time.
func traffic(from, to time.Time, step time.Duration, errorPPM func(at time.Time) int64) []chart.Point {
	var points []chart.Point
	var carry int64
	for at := from.Add(step); !at.After(to); at = at.Add(step) {
		m := int64(at.Hour()*60 + at.Minute())
		total := (400 + min(m, 1440-m)) * int64(step) / int64(time.Minute)
		carry += total * errorPPM(at)
		bad := carry / 1_000_000
		carry %= 1_000_000
		points = append(points, chart.Point{At: at, Good: float64(total - bad), Total: float64(total)})
	}
	return points
}

// during is errorPPM of ppm from from (not included) to to, else base.
func during(base int64, spans ...span) func(time.Time) int64 {
	return func(at time.Time) int64 {
		for _, s := range spans {
			if at.After(s.from) && !at.After(s.to) {
				return s.ppm
			}
		}
		return base
	}
}

type span struct {
	from, to time.Time
	ppm      int64
}

// TechShop's availability objective over June 2025, after a steady May:
// 0.1% of requests fail (a burn of 0.2×), except in an incident on 12 June
// from 14:00 to 17:00, when 10% do (20×), and from 20 to 23 June, when 1%
// do (2×).
func techShop() (*slo.Objective, []chart.Point, *chart.Options) {
	o := &slo.Objective{Name: "availability", Target: 0.995, Description: "Requests to the TechShop storefront answered without a 5xx."}
	june := now.Add(-30 * day)
	points := traffic(june.Add(-30*day), now, time.Minute, during(1000,
		span{june.Add(11*day + 14*time.Hour), june.Add(11*day + 17*time.Hour), 100_000},
		span{june.Add(19 * day), june.Add(23 * day), 10_000},
	))
	return o, points, &chart.Options{Windows: slo.DefaultWindows()}
}

// A 99.9% objective over 7 days that burns 0.8× all the time, then 20×
// for 2 hours and 5× for 12: it ends overspent.
func overspent() (*slo.Objective, []chart.Point, *chart.Options) {
	o := &slo.Objective{Name: "checkout-latency", Target: 0.999, Period: 7 * day}
	start := now.Add(-7 * day)
	points := traffic(start.Add(-7*day), now, time.Minute, during(800,
		span{start.Add(day + 10*time.Hour), start.Add(day + 12*time.Hour), 20_000},
		span{start.Add(4*day + 8*time.Hour), start.Add(4*day + 20*time.Hour), 5_000},
	))
	return o, points, nil
}

// A 95% objective over 28 days without any event.
func empty() (*slo.Objective, []chart.Point, *chart.Options) {
	return &slo.Objective{Name: "search-latency", Target: 0.95, Period: 28 * day}, nil, &chart.Options{Now: now}
}

// chartCase is an objective, its events and options, made fresh.
type chartCase struct {
	name string
	make func() (*slo.Objective, []chart.Point, *chart.Options)
}

var cases = []chartCase{
	{"techshop-availability", techShop},
	{"overspent-7d", overspent},
	{"no-events", empty},
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	goldenfile.Check(t, filepath.Join("testdata", name), got)
}

func TestGolden(t *testing.T) {
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			o, points, opts := tt.make()
			svg, err := chart.SVG(o, points, opts)
			require.NoError(t, err)
			golden(t, tt.name+".golden.svg", svg)
			checkDrawing(t, svg)

			again, err := chart.SVG(o, points, opts)
			require.NoError(t, err)
			assert.Equal(t, svg, again, "the same input draws the same bytes")
		})
	}
}

// element is an element of a parsed SVG, with its text.
type element struct {
	name  string
	attrs map[string]string
	text  string
}

// parse reads an SVG with encoding/xml, failing the test unless it is
// well-formed, and returns its elements in order.
func parse(t *testing.T, svg []byte) []element {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(svg))
	d.Strict = true
	var out []element
	var open []int
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err, "well-formed XML")
		switch tok := tok.(type) {
		case xml.StartElement:
			e := element{name: tok.Name.Local, attrs: map[string]string{}}
			for _, a := range tok.Attr {
				e.attrs[a.Name.Local] = a.Value
			}
			if len(out) == 0 {
				require.Equal(t, "svg", e.name)
				require.Equal(t, "http://www.w3.org/2000/svg", tok.Name.Space)
			}
			open = append(open, len(out))
			out = append(out, e)
		case xml.CharData:
			for _, i := range open {
				out[i].text += string(tok)
			}
		case xml.EndElement:
			open = open[:len(open)-1]
		}
	}
	require.NotEmpty(t, out)
	return out
}

func num(t *testing.T, s string) float64 {
	t.Helper()
	f, err := strconv.ParseFloat(s, 64)
	require.NoError(t, err, "number %q", s)
	return f
}

// coords reads the points of a path's d (M and L only) or a polyline's
// points.
func coords(t *testing.T, s string) [][2]float64 {
	t.Helper()
	var out [][2]float64
	for _, f := range strings.Fields(s) {
		f = strings.TrimLeft(f, "ML")
		x, y, ok := strings.Cut(f, ",")
		require.True(t, ok, "coordinate pair %q", f)
		out = append(out, [2]float64{num(t, x), num(t, y)})
	}
	return out
}

// checkDrawing checks what a person would see: a title and a description,
// two plots inside the picture, every line inside its plot, every text
// inside the picture.
func checkDrawing(t *testing.T, svg []byte) {
	t.Helper()
	els := parse(t, svg)
	root := els[0]
	w, h := num(t, root.attrs["width"]), num(t, root.attrs["height"])
	assert.Equal(t, "0 0 "+root.attrs["width"]+" "+root.attrs["height"], root.attrs["viewBox"])
	assert.Equal(t, "sans-serif", root.attrs["font-family"])
	assert.Equal(t, "title", els[1].name, "the title comes first, for screen readers")
	assert.NotEmpty(t, els[1].text)
	assert.Equal(t, "desc", els[2].name)
	assert.NotEmpty(t, els[2].text)

	type box struct{ left, top, right, bottom float64 }
	var plots []box
	for _, e := range els {
		if e.attrs["class"] == "plot" {
			x, y := num(t, e.attrs["x"]), num(t, e.attrs["y"])
			plots = append(plots, box{x, y, x + num(t, e.attrs["width"]), y + num(t, e.attrs["height"])})
		}
	}
	require.Len(t, plots, 2, "the budget and burn-rate plots")
	for _, p := range plots {
		assert.True(t, p.left > 0 && p.top > 0 && p.right < w && p.bottom < h, "plot %+v inside the picture", p)
	}
	assert.Less(t, plots[0].bottom, plots[1].top, "the budget plot above the burn plot")
	assert.Equal(t, plots[0].left, plots[1].left, "one time axis")
	assert.Equal(t, plots[0].right, plots[1].right, "one time axis")

	inside := func(what string, p box, xy [2]float64) {
		t.Helper()
		const slack = 0.05 // rounding to a tenth of a pixel
		if xy[0] < p.left-slack || xy[0] > p.right+slack || xy[1] < p.top-slack || xy[1] > p.bottom+slack {
			t.Errorf("%s: point %v outside its plot %+v", what, xy, p)
		}
	}
	for _, e := range els {
		switch {
		case e.name == "path" && strings.HasPrefix(e.attrs["class"], "budget"):
			for _, xy := range coords(t, e.attrs["d"]) {
				inside("budget line", plots[0], xy)
			}
		case e.name == "polyline" && e.attrs["class"] == "burn":
			for _, xy := range coords(t, e.attrs["points"]) {
				inside("burn line", plots[1], xy)
			}
		case e.name == "line" && e.attrs["class"] == "threshold":
			inside("threshold", plots[1], [2]float64{num(t, e.attrs["x1"]), num(t, e.attrs["y1"])})
			inside("threshold", plots[1], [2]float64{num(t, e.attrs["x2"]), num(t, e.attrs["y2"])})
		case e.name == "text" && e.attrs["x"] == "":
			assert.Contains(t, string(svg), "<tspan", "text %q placed by its lines", e.text)
		case e.name == "text" || e.name == "tspan":
			x, y := num(t, e.attrs["x"]), num(t, e.attrs["y"])
			assert.True(t, x >= 0 && x <= w && y > 0 && y <= h, "text %q at %v,%v inside the picture", e.text, x, y)
		}
	}
}

// summaryOf returns the summary line of an SVG.
func summaryOf(t *testing.T, svg []byte) string {
	t.Helper()
	for _, e := range parse(t, svg) {
		if e.attrs["class"] == "summary" {
			return e.text
		}
	}
	t.Fatal("no summary")
	return ""
}

var summaryRE = regexp.MustCompile(`^budget remaining (-?[0-9.]+)% · (?:burn ([0-9.]+)× \(last (\w+)\)|no events \(last (\w+)\)) · (?:exhausted in (\w+) at this rate|(budget exhausted)|(not burning))$`)

// parseDuration reads slo.FormatDuration's "71d16h".
func parseDuration(t *testing.T, s string) time.Duration {
	t.Helper()
	var d time.Duration
	for _, m := range regexp.MustCompile(`(\d+)(ms|d|h|m|s)`).FindAllStringSubmatch(s, -1) {
		n := time.Duration(num(t, m[1]))
		d += n * map[string]time.Duration{"d": day, "h": time.Hour, "m": time.Minute, "s": time.Second, "ms": time.Millisecond}[m[2]]
	}
	return d
}

// The numbers of the summary are those of the formulas, computed here from
// the events without the chart.
func TestSummaryMatchesMath(t *testing.T) {
	for _, tt := range append(cases[:len(cases):len(cases)],
		chartCase{"techshop-in-the-incident", func() (*slo.Objective, []chart.Point, *chart.Options) {
			o, points, opts := techShop()
			opts.Now = time.Date(2025, 6, 12, 16, 0, 0, 0, time.UTC)
			opts.BurnWindow = 30 * time.Minute
			return o, points, opts
		}},
		chartCase{"techshop-in-the-slow-burn", func() (*slo.Objective, []chart.Point, *chart.Options) {
			o, points, opts := techShop()
			opts.Now = time.Date(2025, 6, 22, 12, 0, 0, 0, time.UTC)
			opts.BurnWindow = 6 * time.Hour
			return o, points, opts
		}},
		chartCase{"overspent-before-the-second-incident", func() (*slo.Objective, []chart.Point, *chart.Options) {
			o, points, _ := overspent()
			return o, points, &chart.Options{Now: now.Add(-3 * day)}
		}},
	) {
		t.Run(tt.name, func(t *testing.T) {
			o, points, opts := tt.make()
			svg, err := chart.SVG(o, points, opts)
			require.NoError(t, err)
			got := summaryOf(t, svg)
			t.Log(got)
			m := summaryRE.FindStringSubmatch(got)
			require.NotNil(t, m, "summary %q", got)

			end, burnWindow := now, time.Hour
			if opts != nil && !opts.Now.IsZero() {
				end = opts.Now
			}
			if opts != nil && opts.BurnWindow != 0 {
				burnWindow = opts.BurnWindow
			}
			period := o.PeriodOrDefault()
			var good, total, burnGood, burnTotal float64
			for _, p := range points {
				if p.At.After(end.Add(-period)) && !p.At.After(end) {
					good += p.Good
					total += p.Total
				}
				if p.At.After(end.Add(-burnWindow)) && !p.At.After(end) {
					burnGood += p.Good
					burnTotal += p.Total
				}
			}
			// 100 * (1 - (1 - sli) / (1 - target)), 100 with no events.
			remaining := 100.0
			if total > 0 {
				remaining = 100 * (1 - (1-good/total)/(1-o.Target))
			}
			assert.InDelta(t, remaining, num(t, m[1]), 0.05+1e-9, "budget remaining in %q", got)

			if burnTotal == 0 {
				assert.Equal(t, slo.FormatDuration(burnWindow), m[4], "no events in %q", got)
				assert.Equal(t, "not burning", m[7])
				return
			}
			// (1 - sli) / (1 - target)
			burn := (1 - burnGood/burnTotal) / (1 - o.Target)
			assert.InDelta(t, burn, num(t, m[2]), 0.05+1e-9, "burn in %q", got)
			assert.Equal(t, slo.FormatDuration(burnWindow), m[3])
			if remaining <= 0 {
				assert.Equal(t, "budget exhausted", m[6], "in %q", got)
				return
			}
			// remaining × period / burn
			left := time.Duration(remaining / 100 * float64(period) / burn)
			assert.InDelta(t, float64(left), float64(o.TimeLeft(remaining/100, burn)), float64(time.Second), "slo.TimeLeft is remaining × period / burn")
			assert.InDelta(t, left.Hours(), parseDuration(t, m[5]).Hours(), 0.5, "time left in %q", got)
		})
	}
}

// The numbers of the month, worked by hand: the budget spent is 0.2× over
// the 645 ordinary hours, 20× over the 3 of the incident and 2× over the 96
// of the slow burn, weighted by traffic; the last hour burns 0.2×.
func TestTechShopSummary(t *testing.T) {
	o, points, opts := techShop()
	svg, err := chart.SVG(o, points, opts)
	require.NoError(t, err)
	got := summaryOf(t, svg)
	m := summaryRE.FindStringSubmatch(got)
	require.NotNil(t, m, got)
	byHours := 100 * (1 - (0.2*645+20*3+2*96)/720)
	assert.InDelta(t, byHours, num(t, m[1]), 1.5, "roughly the hand-worked %.1f%%, traffic weighs the hours: %s", byHours, got)
	assert.Equal(t, "0.2", m[2])
	assert.Equal(t, "budget remaining 46.1% · burn 0.2× (last 1h) · exhausted in 68d14h at this rate", got)
}

func TestEscaping(t *testing.T) {
	o := &slo.Objective{Name: `a<b>&"c"`, Target: 0.99, Description: "</desc><script>alert(1)</script>"}
	title := `Checkout <&> "quoted" 'single' & more`
	svg, err := chart.SVG(o, []chart.Point{{At: now, Good: 9, Total: 10}}, &chart.Options{Title: title})
	require.NoError(t, err)
	els := parse(t, svg)
	assert.Equal(t, title, els[1].text)
	assert.Contains(t, els[2].text, o.Name)
	assert.Contains(t, els[2].text, o.Description)
	assert.NotContains(t, string(svg), "<script>")
	assert.Contains(t, string(svg), "Checkout &lt;&amp;&gt; &#34;quoted&#34;")
	for _, e := range els {
		assert.NotEqual(t, "script", e.name)
	}

	svg, err = chart.SVG(o, []chart.Point{{At: now, Good: 9, Total: 10}}, nil)
	require.NoError(t, err)
	assert.Equal(t, `a<b>&"c": 99% over 30d`, parse(t, svg)[1].text, "the default title names the objective")
}

// A month of points a second draws at most two points a pixel column on
// each line and stays small.
func TestSizeBound(t *testing.T) {
	if testing.Short() {
		t.Skip("2.6 million points")
	}
	o := &slo.Objective{Name: "availability", Target: 0.995}
	start := now.Add(-30 * day)
	points := make([]chart.Point, 0, 30*86400)
	for at := start.Add(time.Second); !at.After(now); at = at.Add(time.Second) {
		s := at.Sub(start)
		p := chart.Point{At: at, Good: 20, Total: 20}
		switch {
		case s%(997*time.Second) == 0:
			p.Good = 0 // a burst of failures now and then
		case s > 12*day && s < 12*day+3*time.Hour && s%10 == 0:
			p.Good = 18
		}
		points = append(points, p)
	}
	svg, err := chart.SVG(o, points, nil)
	require.NoError(t, err)
	assert.Less(t, len(svg), 96<<10, "bytes")
	checkDrawing(t, svg)

	columns := float64(chart.DefaultWidth - 80) // the plot's width
	for _, e := range parse(t, svg) {
		switch {
		case e.name == "path" && strings.HasPrefix(e.attrs["class"], "budget"):
			assert.LessOrEqual(t, float64(len(coords(t, e.attrs["d"]))), 2*columns+10, "budget points")
		case e.name == "polyline":
			assert.LessOrEqual(t, float64(len(coords(t, e.attrs["points"]))), 2*columns, "burn points")
		}
	}
	t.Logf("%d points: %d bytes", len(points), len(svg))
}

func TestErrors(t *testing.T) {
	o := &slo.Objective{Name: "availability", Target: 0.995}
	at := func(h int) time.Time { return now.Add(time.Duration(h) * time.Hour) }
	ok := []chart.Point{{At: at(-2), Good: 1, Total: 1}, {At: at(-1), Good: 1, Total: 1}}
	for _, tt := range []struct {
		name   string
		o      *slo.Objective
		points []chart.Point
		opts   *chart.Options
		want   string
	}{
		{"no objective", nil, ok, nil, "chart: no objective"},
		{"invalid objective", &slo.Objective{Name: "a", Target: 99.5}, ok, nil, "chart: slo a: target 99.5: want a share in (0, 1), such as 0.995 for 99.5%"},
		{"out of order", o, []chart.Point{{At: at(-1), Good: 1, Total: 1}, {At: at(-2), Good: 1, Total: 1}}, nil,
			"chart: points[1] (2025-06-30T22:00:00Z): not after points[0] (2025-06-30T23:00:00Z): points must be in time order, one per interval"},
		{"same time twice", o, []chart.Point{{At: at(-1), Good: 1, Total: 1}, {At: at(-1), Good: 1, Total: 1}}, nil,
			"chart: points[1] (2025-06-30T23:00:00Z): not after points[0] (2025-06-30T23:00:00Z): points must be in time order, one per interval"},
		{"no time", o, []chart.Point{{Good: 1, Total: 1}}, nil, "chart: points[0]: no time"},
		{"negative good", o, []chart.Point{ok[0], {At: at(0), Good: -1, Total: 1}}, nil, "chart: points[1] (2025-07-01T00:00:00Z): good -1: want a finite count, 0 or more"},
		{"negative total", o, []chart.Point{{At: at(0), Good: 0, Total: -3}}, nil, "chart: points[0] (2025-07-01T00:00:00Z): total -3: want a finite count, 0 or more"},
		{"NaN", o, []chart.Point{{At: at(0), Good: math.NaN(), Total: 3}}, nil, "chart: points[0] (2025-07-01T00:00:00Z): good NaN: want a finite count, 0 or more"},
		{"infinite", o, []chart.Point{{At: at(0), Good: 1, Total: math.Inf(1)}}, nil, "chart: points[0] (2025-07-01T00:00:00Z): total +Inf: want a finite count, 0 or more"},
		{"good over total", o, []chart.Point{ok[0], ok[1], {At: at(0), Good: 11, Total: 10}}, nil, "chart: points[2] (2025-07-01T00:00:00Z): good 11 is more than total 10"},
		{"overflow", o, []chart.Point{{At: at(-1), Good: 1e308, Total: 1e308}, {At: at(0), Good: 1e308, Total: 1e308}}, nil, "chart: points: the sum of their totals overflows a float64"},
		{"nothing places the axis", o, nil, nil, "chart: no points and no Options.Now: nothing places the time axis"},
		{"narrow", o, ok, &chart.Options{Width: 100}, "chart: options: width 100: want 400 to 4096 pixels, or 0 for 800"},
		{"huge", o, ok, &chart.Options{Height: 100000}, "chart: options: height 100000: want 300 to 4096 pixels, or 0 for 480"},
		{"negative burn window", o, ok, &chart.Options{BurnWindow: -time.Hour}, "chart: options: burn window -1h0m0s: negative"},
		{"long burn window", o, ok, &chart.Options{BurnWindow: 31 * day}, "chart: options: burn window 31d: longer than the objective's period (30d)"},
		{"bad window", o, ok, &chart.Options{Windows: []slo.Window{{Severity: "sms", Long: time.Hour, Burn: 2}}}, `chart: options: slo availability: window 1: severity "sms": want page or ticket`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			svg, err := chart.SVG(tt.o, tt.points, tt.opts)
			assert.EqualError(t, err, tt.want)
			assert.Nil(t, svg)
		})
	}
}

// Options change what they say, and only that.
func TestOptions(t *testing.T) {
	o := &slo.Objective{Name: "availability", Target: 0.995, Period: 2 * day}
	points := traffic(now.Add(-4*day), now, 5*time.Minute, during(1000, span{now.Add(-5 * time.Hour), now.Add(-4 * time.Hour), 50_000}))
	for _, tt := range []struct {
		name  string
		opts  *chart.Options
		check func(t *testing.T, svg []byte)
	}{
		{"defaults", nil, func(t *testing.T, svg []byte) {
			els := parse(t, svg)
			assert.Equal(t, "800", els[0].attrs["width"])
			assert.Equal(t, "480", els[0].attrs["height"])
			assert.Equal(t, "availability: 99.5% over 2d", els[1].text)
			assert.Contains(t, els[2].text, "from 2025-06-29T00:00:00Z to 2025-07-01T00:00:00Z")
			assert.Contains(t, summaryOf(t, svg), "(last 1h)")
			assert.NotContains(t, string(svg), `class="threshold"`)
		}},
		{"size", &chart.Options{Width: 1200, Height: 600}, func(t *testing.T, svg []byte) {
			assert.Equal(t, "0 0 1200 600", parse(t, svg)[0].attrs["viewBox"])
		}},
		{"smallest", &chart.Options{Width: 400, Height: 300, Windows: slo.DefaultWindows()[:2]}, func(t *testing.T, svg []byte) {
			assert.Equal(t, "0 0 400 300", parse(t, svg)[0].attrs["viewBox"])
		}},
		{"long title", &chart.Options{Title: strings.Repeat("<long> ", 60) + strings.Repeat("x", 300)}, func(t *testing.T, svg []byte) {
			els := parse(t, svg)
			assert.Equal(t, strings.Repeat("<long> ", 60)+strings.Repeat("x", 300), els[1].text, "whole in the title element")
			var shown string
			for _, e := range els {
				if e.name == "text" && e.attrs["font-size"] == "16" {
					shown = e.text
				}
			}
			assert.True(t, strings.HasPrefix(shown, "<long> <long>"), shown)
			assert.True(t, strings.HasSuffix(shown, "…"), "cut to two lines: %s", shown)
			assert.Equal(t, 2, strings.Count(string(svg), `<tspan x="16"`), "two lines of title")
		}},
		{"long word", &chart.Options{Title: strings.Repeat("x", 300)}, func(t *testing.T, svg []byte) {
			assert.Contains(t, string(svg), `fill="#212121">xxxxxxxx`)
			assert.Contains(t, string(svg), "xxx…</text>")
		}},
		{"burn window", &chart.Options{BurnWindow: 6 * time.Hour}, func(t *testing.T, svg []byte) {
			assert.Contains(t, summaryOf(t, svg), "(last 6h)")
			assert.Contains(t, string(svg), "Burn rate over the last 6h")
		}},
		{"now", &chart.Options{Now: now.Add(-day)}, func(t *testing.T, svg []byte) {
			assert.Contains(t, parse(t, svg)[2].text, "from 2025-06-28T00:00:00Z to 2025-06-30T00:00:00Z")
		}},
		{"windows", &chart.Options{Windows: []slo.Window{{Severity: slo.SeverityPage, Long: time.Hour, Burn: 14.4}, {Severity: slo.SeverityTicket, Long: 6 * time.Hour, BudgetShare: 0.25}}}, func(t *testing.T, svg []byte) {
			assert.Equal(t, 2, strings.Count(string(svg), `class="threshold"`))
			assert.Contains(t, string(svg), "page 14.4× (1h)")
			assert.Contains(t, string(svg), "ticket 2× (6h)")
			assert.Contains(t, string(svg), "page threshold")
			assert.Contains(t, string(svg), "ticket threshold")
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			svg, err := chart.SVG(o, points, tt.opts)
			require.NoError(t, err)
			checkDrawing(t, svg)
			tt.check(t, svg)
		})
	}
}

// The time axis is labelled in hours for a short period, in dates for a
// long one, in the time zone of Now.
func TestTimeAxis(t *testing.T) {
	labels := func(t *testing.T, period time.Duration, end time.Time) []string {
		o := &slo.Objective{Name: "a", Target: 0.99, Period: period}
		svg, err := chart.SVG(o, nil, &chart.Options{Now: end})
		require.NoError(t, err)
		var out []string
		for _, e := range parse(t, svg) {
			if e.name == "text" && regexp.MustCompile(`^(\d\d:\d\d|[A-Z][a-z][a-z] \d+)$`).MatchString(e.text) {
				out = append(out, e.text)
			}
		}
		return out
	}
	assert.Equal(t, []string{"01:00", "02:00", "03:00", "04:00", "05:00", "06:00", "07:00"}, labels(t, 6*time.Hour, now.Add(7*time.Hour)))
	assert.Equal(t, []string{"Jun 30", "03:00", "06:00", "09:00", "12:00", "15:00", "18:00", "21:00", "Jul 1"}, labels(t, day, now))
	assert.Equal(t, []string{"Jun 2", "Jun 9", "Jun 16", "Jun 23", "Jun 30"}, labels(t, 30*day, now), "Mondays")
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip("no time zone data:", err)
	}
	assert.Equal(t, []string{"03:00", "04:00", "05:00", "06:00", "07:00", "08:00", "09:00"}, labels(t, 6*time.Hour, now.Add(7*time.Hour).In(berlin)))
}

// Points after Now are outside the picture; points before its period still
// count in the rolling budget of the first points drawn.
func TestNowCutsTheSeries(t *testing.T) {
	o := &slo.Objective{Name: "availability", Target: 0.995, Period: day}
	points := traffic(now.Add(-3*day), now.Add(day), time.Hour, during(1000))
	svg, err := chart.SVG(o, points, &chart.Options{Now: now})
	require.NoError(t, err)
	checkDrawing(t, svg)
	assert.Equal(t, "budget remaining 80% · burn 0.2× (last 1h) · exhausted in 4d at this rate", summaryOf(t, svg))
	var line [][2]float64
	for _, e := range parse(t, svg) {
		if e.attrs["class"] == "budget" {
			line = coords(t, e.attrs["d"])
		}
	}
	require.NotEmpty(t, line)
	assert.Equal(t, [2]float64{60, line[0][1]}, line[0], "from the left edge")
	assert.Equal(t, [2]float64{780, line[0][1]}, line[len(line)-1], "to the right edge")
	for _, xy := range line {
		assert.Equal(t, line[0][1], xy[1], "80%% from the left edge on, with the day before: %v", line)
	}
}
