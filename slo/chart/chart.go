package chart

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/alertkit/alertkit/slo"
)

// The defaults of Options.
const (
	DefaultWidth      = 800
	DefaultHeight     = 480
	DefaultBurnWindow = time.Hour
)

// The sizes a chart may have, in pixels.
const (
	minWidth, maxWidth   = 400, 4096
	minHeight, maxHeight = 300, 4096
)

// Point is the events of one interval: its counts, not running totals.
type Point struct {
	// At is when the interval ends.
	At time.Time
	// Good of the Total events of the interval were good.
	Good  float64
	Total float64
}

// Options shape a chart. The zero value means the defaults.
type Options struct {
	// Width and Height are the size of the picture in pixels, 0 meaning
	// DefaultWidth and DefaultHeight: Width 400 to 4096, Height 300 to
	// 4096.
	Width, Height int
	// Title is drawn at the top; "" means "<name>: <target> over
	// <period>", such as "availability: 99.5% over 30d".
	Title string
	// Now is the right edge of the time axis, which spans the objective's
	// period up to it; zero means the time of the last point, and must
	// not be zero without points. Points after Now lie outside the
	// picture and are not drawn.
	Now time.Time
	// BurnWindow is how far back the burn-rate line looks at each point:
	// 0 means DefaultBurnWindow. It may not be longer than the period.
	BurnWindow time.Duration
	// Windows, if any, are alerting windows whose burn-rate thresholds are
	// drawn as dashed lines on the burn-rate panel; they are completed and
	// checked with [slo.Objective.Windows].
	Windows []slo.Window
}

// SVG draws the error budget of the objective over its period, from the
// events of points, as an SVG document: the budget remaining over the
// rolling period, and the burn rate over the rolling burn window, at each
// point; points from before the picture count in both. Points must be in
// time order, one interval each, with finite counts, Good at most Total;
// an error names the first point that is not. opts may be nil. The same
// input gives the same bytes.
func SVG(o *slo.Objective, points []Point, opts *Options) ([]byte, error) {
	c, err := newChart(o, points, opts)
	if err != nil {
		return nil, err
	}
	return c.render(), nil
}

// chart is everything one drawing needs, checked and computed.
type chart struct {
	o          *slo.Objective
	period     time.Duration
	burnWindow time.Duration
	start, now time.Time
	title      string
	width      int
	height     int
	windows    []slo.Window
	sum        summary

	// budget and burn are the downsampled series: x in pixels, the
	// budget remaining as a share, the burn rate as a multiple.
	budget, burn []sample
	// plotLeft and plotWidth place the time axis.
	plotLeft, plotWidth float64
}

// newChart checks the input and computes the series.
func newChart(o *slo.Objective, points []Point, opts *Options) (*chart, error) {
	if o == nil {
		return nil, errors.New("chart: no objective")
	}
	if err := o.Validate(); err != nil {
		return nil, fmt.Errorf("chart: %w", err)
	}
	if opts == nil {
		opts = &Options{}
	}
	c := &chart{o: o, period: o.PeriodOrDefault(), width: opts.Width, height: opts.Height, burnWindow: opts.BurnWindow, title: opts.Title, now: opts.Now}
	if c.width == 0 {
		c.width = DefaultWidth
	}
	if c.height == 0 {
		c.height = DefaultHeight
	}
	if c.burnWindow == 0 {
		c.burnWindow = DefaultBurnWindow
	}
	if c.title == "" {
		c.title = fmt.Sprintf("%s: %s over %s", o.Name, slo.FormatPercent(o.Target), slo.FormatDuration(c.period))
	}
	switch {
	case c.width < minWidth || c.width > maxWidth:
		return nil, fmt.Errorf("chart: options: width %d: want %d to %d pixels, or 0 for %d", opts.Width, minWidth, maxWidth, DefaultWidth)
	case c.height < minHeight || c.height > maxHeight:
		return nil, fmt.Errorf("chart: options: height %d: want %d to %d pixels, or 0 for %d", opts.Height, minHeight, maxHeight, DefaultHeight)
	case c.burnWindow < 0:
		return nil, fmt.Errorf("chart: options: burn window %s: negative", opts.BurnWindow)
	case c.burnWindow > c.period:
		return nil, fmt.Errorf("chart: options: burn window %s: longer than the objective's period (%s)", slo.FormatDuration(c.burnWindow), slo.FormatDuration(c.period))
	}
	if len(opts.Windows) > 0 {
		ws, err := o.Windows(opts.Windows)
		if err != nil {
			return nil, fmt.Errorf("chart: options: %w", err)
		}
		c.windows = ws
	}
	if err := checkPoints(points); err != nil {
		return nil, err
	}
	if c.now.IsZero() {
		if len(points) == 0 {
			return nil, errors.New("chart: no points and no Options.Now: nothing places the time axis")
		}
		c.now = points[len(points)-1].At
	}
	c.start = c.now.Add(-c.period)
	c.sum = summarize(o, points, c.now, c.period, c.burnWindow)
	c.plotLeft, c.plotWidth = marginLeft, float64(c.width-marginLeft-marginRight)
	c.series(points)
	return c, nil
}

// checkPoints refuses points out of order and counts that are not counts.
func checkPoints(points []Point) error {
	var total float64
	for i, p := range points {
		at := p.At.Format(time.RFC3339Nano)
		switch {
		case p.At.IsZero():
			return fmt.Errorf("chart: points[%d]: no time", i)
		case i > 0 && !p.At.After(points[i-1].At):
			return fmt.Errorf("chart: points[%d] (%s): not after points[%d] (%s): points must be in time order, one per interval",
				i, at, i-1, points[i-1].At.Format(time.RFC3339Nano))
		case !(p.Good >= 0) || math.IsInf(p.Good, 0):
			return fmt.Errorf("chart: points[%d] (%s): good %v: want a finite count, 0 or more", i, at, p.Good)
		case !(p.Total >= 0) || math.IsInf(p.Total, 0):
			return fmt.Errorf("chart: points[%d] (%s): total %v: want a finite count, 0 or more", i, at, p.Total)
		case p.Good > p.Total:
			return fmt.Errorf("chart: points[%d] (%s): good %v is more than total %v", i, at, p.Good, p.Total)
		}
		total += p.Total
	}
	if math.IsInf(total, 0) {
		return errors.New("chart: points: the sum of their totals overflows a float64")
	}
	return nil
}

// summary is the state of the budget at Now.
type summary struct {
	// events says whether the period had any; remaining is the share of
	// the budget left over it.
	events    bool
	remaining float64
	// burnEvents says whether the burn window had any; burn is the burn
	// rate over it.
	burnEvents bool
	burn       float64
	// left is how long the remaining budget lasts at that burn rate.
	left time.Duration
}

// summarize sums the events of the period and of the burn window that end
// at now.
func summarize(o *slo.Objective, points []Point, now time.Time, period, burnWindow time.Duration) summary {
	var pGood, pTotal, bGood, bTotal float64
	for _, p := range points {
		if p.At.After(now) || !p.At.After(now.Add(-period)) {
			continue
		}
		pGood += p.Good
		pTotal += p.Total
		if p.At.After(now.Add(-burnWindow)) {
			bGood += p.Good
			bTotal += p.Total
		}
	}
	s := summary{events: pTotal > 0, remaining: 1, burnEvents: bTotal > 0}
	if s.events {
		s.remaining = o.BudgetRemaining(pGood / pTotal)
	}
	if s.burnEvents {
		s.burn = o.BurnRate(1 - bGood/bTotal)
	}
	s.left = o.TimeLeft(s.remaining, s.burn)
	return s
}

// text is the summary line: "budget remaining 62.4% · burn 1.8× (last
// 1h) · exhausted in 6d4h at this rate".
func (s summary) text(burnWindow time.Duration) string {
	parts := []string{"budget remaining " + formatShare(s.remaining)}
	if s.burnEvents {
		parts = append(parts, fmt.Sprintf("burn %s× (last %s)", formatBurn(s.burn), slo.FormatDuration(burnWindow)))
	} else {
		parts = append(parts, fmt.Sprintf("no events (last %s)", slo.FormatDuration(burnWindow)))
	}
	switch {
	case s.remaining <= 0:
		parts = append(parts, "budget exhausted")
	case s.burn <= 0 || s.left == math.MaxInt64:
		parts = append(parts, "not burning")
	default:
		parts = append(parts, "exhausted in "+slo.FormatDuration(roughly(s.left))+" at this rate")
	}
	return strings.Join(parts, " · ")
}

// formatShare writes a share of the budget as a percentage to a tenth of a
// percent: "62.4%".
func formatShare(share float64) string {
	r := math.Round(share*1000) / 1000
	if r == 0 {
		r = 0 // not -0
	}
	return slo.FormatPercent(r)
}

// formatBurn writes a burn rate to a tenth from 1 up, to a hundredth
// below: "1.8", "20", "0.23".
func formatBurn(b float64) string {
	switch {
	case b >= 1:
		return slo.FormatBurn(math.Round(b*10) / 10)
	case b > 0 && b < 0.005:
		return "<0.01"
	default:
		return slo.FormatBurn(math.Round(b*100) / 100)
	}
}

// roughly rounds a duration to its two largest units: 6d4h, 3h12m, 5m7s.
func roughly(d time.Duration) time.Duration {
	switch {
	case d >= 24*time.Hour:
		return d.Round(time.Hour)
	case d >= time.Hour:
		return d.Round(time.Minute)
	case d >= time.Minute:
		return d.Round(time.Second)
	default:
		return d.Round(time.Millisecond)
	}
}

// sample is one drawn point of a series.
type sample struct {
	i int     // index of the point, to keep the order
	x float64 // pixels
	v float64
}

// series computes the budget remaining over the rolling period and the
// burn rate over the rolling burn window at every point in the picture,
// and keeps at most two of each per pixel column: the smallest and the
// largest.
func (c *chart) series(points []Point) {
	cols := int(c.plotWidth)
	budget := downsampler{cols: cols}
	burn := downsampler{cols: cols}
	var pj, bj int // the first points inside each window
	var pTotal, pBad, bTotal, bBad float64
	for i, p := range points {
		if p.At.After(c.now) {
			break
		}
		bad := p.Total - p.Good
		pTotal += p.Total
		pBad += bad
		bTotal += p.Total
		bBad += bad
		for ; pj <= i && !points[pj].At.After(p.At.Add(-c.period)); pj++ {
			pTotal -= points[pj].Total
			pBad -= points[pj].Total - points[pj].Good
		}
		for ; bj <= i && !points[bj].At.After(p.At.Add(-c.burnWindow)); bj++ {
			bTotal -= points[bj].Total
			bBad -= points[bj].Total - points[bj].Good
		}
		if pj > i {
			pTotal, pBad = 0, 0 // no rounding left behind
		}
		if bj > i {
			bTotal, bBad = 0, 0
		}
		if p.At.Before(c.start) {
			continue
		}
		frac := float64(p.At.Sub(c.start)) / float64(c.period)
		col := min(int(frac*float64(cols)), cols-1)
		x := c.plotLeft + frac*c.plotWidth

		remaining := 1.0
		if pTotal > 0 {
			remaining = c.o.BudgetRemaining(1 - ratio(pBad, pTotal))
		}
		rate := 0.0
		if bTotal > 0 {
			rate = c.o.BurnRate(ratio(bBad, bTotal))
		}
		budget.add(col, sample{i: i, x: x, v: remaining})
		burn.add(col, sample{i: i, x: x, v: rate})
	}
	c.budget = budget.done()
	c.burn = burn.done()
}

// ratio is bad / total within [0, 1], whatever the rounding of running
// sums.
func ratio(bad, total float64) float64 {
	return min(max(bad/total, 0), 1)
}

// downsampler keeps the smallest and the largest sample of each pixel
// column, in their order.
type downsampler struct {
	cols   int
	col    int
	n      int
	lo, hi sample
	out    []sample
}

func (d *downsampler) add(col int, s sample) {
	if d.n > 0 && col != d.col {
		d.flush()
	}
	if d.n == 0 {
		d.col, d.lo, d.hi = col, s, s
	}
	d.n++
	if s.v < d.lo.v {
		d.lo = s
	}
	if s.v > d.hi.v {
		d.hi = s
	}
}

func (d *downsampler) flush() {
	switch {
	case d.n == 0:
	case d.lo.i == d.hi.i:
		d.out = append(d.out, d.lo)
	case d.lo.i < d.hi.i:
		d.out = append(d.out, d.lo, d.hi)
	default:
		d.out = append(d.out, d.hi, d.lo)
	}
	d.n = 0
}

func (d *downsampler) done() []sample {
	d.flush()
	return d.out
}
