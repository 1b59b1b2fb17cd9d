package chart

import (
	"encoding/xml"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/alertkit/alertkit/slo"
)

// The margins around the plots, in pixels.
const (
	marginLeft  = 60
	marginRight = 20
)

// The colours.
const (
	colText      = "#212121"
	colSubtle    = "#616161"
	colFrame     = "#9e9e9e"
	colGrid      = "#eeeeee"
	colBudget    = "#1565c0"
	colOverspent = "#c62828"
	colOverShade = "#fdecea"
	colBurn      = "#00838f"
	colOne       = "#616161"
	colPage      = "#c62828"
	colTicket    = "#ef6c00"
)

// canvas writes SVG elements; the text it is given is escaped.
type canvas struct{ strings.Builder }

func (c *canvas) printf(format string, args ...any) { fmt.Fprintf(&c.Builder, format, args...) }

// text writes a text element at x, y with the given extra attributes.
func (c *canvas) text(x, y float64, attrs, s string) {
	c.printf(`<text x="%s" y="%s"%s>`, num(x), num(y), attrs)
	c.escape(s)
	c.WriteString("</text>\n")
}

// lines writes a text element of lines, one under the other from x, y,
// dy apart.
func (c *canvas) lines(x, y, dy float64, attrs string, lines []string) {
	if len(lines) == 1 {
		c.text(x, y, attrs, lines[0])
		return
	}
	c.printf(`<text%s>`, attrs)
	for i, l := range lines {
		c.printf(`<tspan x="%s" y="%s">`, num(x), num(y+float64(i)*dy))
		c.escape(l)
		c.WriteString("</tspan>")
	}
	c.WriteString("</text>\n")
}

// wrap joins words with sep into lines that fit width in a font of size
// px, at most most lines: the last one, or a word too long for a line, cut
// with "…". Every line but the last ends with sep, so that the lines joined
// are the text.
func wrap(words []string, sep string, width, px float64, most int) []string {
	var lines []string
	line := ""
	for _, w := range words {
		switch {
		case line == "":
			line = w
		case textWidth(line+sep+w, px) <= width:
			line += sep + w
		default:
			lines = append(lines, line+sep)
			line = w
		}
	}
	lines = append(lines, line)
	if len(lines) > most {
		lines = append(lines[:most-1], strings.Join(lines[most-1:], ""))
	}
	fits := int(width / (px * 0.6))
	for i, l := range lines {
		if r := []rune(l); len(r) > fits {
			lines[i] = string(r[:fits-1]) + "…"
		}
	}
	return lines
}

func (c *canvas) escape(s string) {
	_ = xml.EscapeText(c, []byte(s)) // a strings.Builder does not fail
}

// line writes a line element.
func (c *canvas) line(x1, y1, x2, y2 float64, attrs string) {
	c.printf(`<line x1="%s" y1="%s" x2="%s" y2="%s"%s/>`+"\n", num(x1), num(y1), num(x2), num(y2), attrs)
}

// num writes a coordinate to a tenth of a pixel, without a trailing ".0".
func num(v float64) string {
	v = math.Round(v*10) / 10
	if v == 0 {
		v = 0 // not -0
	}
	return strings.TrimSuffix(strconv.FormatFloat(v, 'f', 1, 64), ".0")
}

// textWidth guesses the width of s in a sans-serif font of size px.
func textWidth(s string, px float64) float64 {
	return float64(len([]rune(s))) * px * 0.6
}

// legendItem is one entry of the legend: a line sample and its meaning.
type legendItem struct {
	label, colour, dash string
}

// box is a plot's area.
type box struct{ left, top, right, bottom float64 }

func (b box) width() float64  { return b.right - b.left }
func (b box) height() float64 { return b.bottom - b.top }

// render draws the chart.
func (c *chart) render() []byte {
	w, h := float64(c.width), float64(c.height)
	right := c.plotLeft + c.plotWidth

	legend := c.legend()
	rows := legendRows(legend, c.plotLeft, right)
	legendHeight := 18 * float64(len(rows))

	// Vertical layout: title, summary, then each panel under its
	// heading, the time labels, the legend.
	titleLines := wrap(strings.Fields(c.title), " ", w-32, 16, 2)
	summaryLines := wrap(strings.Split(c.sum.text(c.burnWindow), " · "), " · ", w-32, 12, 3)
	top1 := 74 + 20*float64(len(titleLines)-1) + 16*float64(len(summaryLines)-1)
	plots := h - top1 - 28 - 20 - legendHeight - 10
	budgetBox := box{c.plotLeft, top1, right, top1 + math.Floor(plots/2)}
	burnBox := box{c.plotLeft, budgetBox.bottom + 28, right, h - 20 - legendHeight - 10}

	var s canvas
	s.printf(`<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="11" role="img">`+"\n",
		c.width, c.height, c.width, c.height)
	s.WriteString("<title>")
	s.escape(c.title)
	s.WriteString("</title>\n<desc>")
	s.escape(c.description())
	s.WriteString("</desc>\n")
	s.printf(`<rect width="%d" height="%d" fill="#ffffff"/>`+"\n", c.width, c.height)
	s.lines(16, 24, 20, ` font-size="16" font-weight="bold" fill="`+colText+`"`, titleLines)
	s.lines(16, top1-30-16*float64(len(summaryLines)-1), 16, ` font-size="12" fill="`+colSubtle+`" class="summary"`, summaryLines)

	ticks := timeTicks(c.start, c.now, c.period, c.plotWidth)
	c.drawBudget(&s, budgetBox, ticks)
	c.drawBurn(&s, burnBox, ticks)

	// The time axis, under the burn-rate panel; between labels a week
	// or more apart, a mark for each day.
	if len(ticks) > 1 && ticks[1].at.Sub(ticks[0].at) >= 2*24*time.Hour && c.period <= time.Duration(c.plotWidth/4)*24*time.Hour {
		y, m, d := c.start.In(c.now.Location()).Date()
		for k := 0; ; k++ {
			t := time.Date(y, m, d+k, 0, 0, 0, 0, c.now.Location())
			if t.After(c.now) {
				break
			}
			if !t.Before(c.start) {
				x := c.x(t)
				s.line(x, burnBox.bottom, x, burnBox.bottom+2, ` stroke="`+colFrame+`"`)
			}
		}
	}
	for _, t := range ticks {
		x := c.x(t.at)
		s.line(x, burnBox.bottom, x, burnBox.bottom+4, ` stroke="`+colFrame+`"`)
		anchor := "middle"
		if x+textWidth(t.label, 11)/2 > w-8 {
			anchor = "end"
		}
		s.text(x, burnBox.bottom+16, ` text-anchor="`+anchor+`" fill="`+colText+`"`, t.label)
	}

	// The legend.
	y := h - 10 - legendHeight + 12
	for _, row := range rows {
		for _, it := range row {
			dash := ""
			if it.item.dash != "" {
				dash = ` stroke-dasharray="` + it.item.dash + `"`
			}
			s.line(it.x, y-4, it.x+18, y-4, ` stroke="`+it.item.colour+`" stroke-width="2"`+dash)
			s.text(it.x+24, y, ` fill="`+colText+`"`, it.item.label)
		}
		y += 18
	}
	s.WriteString("</svg>\n")
	return []byte(s.String())
}

// x places a time on the time axis.
func (c *chart) x(t time.Time) float64 {
	return c.plotLeft + float64(t.Sub(c.start))/float64(c.period)*c.plotWidth
}

// description is the text of the desc element.
func (c *chart) description() string {
	d := fmt.Sprintf("Error budget remaining and burn rate of the service level objective %s (%s of events good over a rolling %s) from %s to %s: %s.",
		c.o.Name, slo.FormatPercent(c.o.Target), slo.FormatDuration(c.period),
		c.start.Format(time.RFC3339), c.now.Format(time.RFC3339), c.sum.text(c.burnWindow))
	if c.o.Description != "" {
		d += " " + c.o.Description
	}
	return d
}

// legend lists what the lines mean.
func (c *chart) legend() []legendItem {
	items := []legendItem{
		{label: "budget remaining", colour: colBudget},
		{label: "overspent", colour: colOverspent},
		{label: "burn rate over " + slo.FormatDuration(c.burnWindow), colour: colBurn},
		{label: "1× (the budget lasts " + slo.FormatDuration(c.period) + ")", colour: colOne},
	}
	var page, ticket bool
	for _, w := range c.windows {
		page = page || w.Severity == slo.SeverityPage
		ticket = ticket || w.Severity == slo.SeverityTicket
	}
	if page {
		items = append(items, legendItem{label: "page threshold", colour: colPage, dash: "6 4"})
	}
	if ticket {
		items = append(items, legendItem{label: "ticket threshold", colour: colTicket, dash: "6 4"})
	}
	return items
}

// placed is a legend item at its place in a row.
type placed struct {
	item legendItem
	x    float64
}

// legendRows lays the legend out in rows that fit between left and right.
func legendRows(items []legendItem, left, right float64) [][]placed {
	var rows [][]placed
	var row []placed
	x := left
	for _, it := range items {
		width := 24 + textWidth(it.label, 11) + 18
		if len(row) > 0 && x+width-18 > right {
			rows = append(rows, row)
			row, x = nil, left
		}
		row = append(row, placed{it, x})
		x += width
	}
	return append(rows, row)
}

// heading writes a panel's heading above it.
func heading(s *canvas, b box, text string) {
	s.text(b.left, b.top-7, ` font-size="12" font-weight="bold" fill="`+colSubtle+`"`, text)
}

// frame writes the border of a plot.
func frame(s *canvas, b box) {
	s.printf(`<rect x="%s" y="%s" width="%s" height="%s" fill="none" stroke="%s" class="plot"/>`+"\n",
		num(b.left), num(b.top), num(b.width()), num(b.height()), colFrame)
}

// noEvents writes a note in an empty plot.
func noEvents(s *canvas, b box) {
	s.text((b.left+b.right)/2, b.top+b.height()/3, ` text-anchor="middle" font-size="13" fill="`+colSubtle+`"`, "no events in this period")
}

// yLabel is a label of a value axis.
type yLabel struct {
	y    float64
	text string
}

// spaced keeps the labels, in order of priority, that are at least 12
// pixels from every label kept before them.
func spaced(labels []yLabel) []yLabel {
	var out []yLabel
next:
	for _, l := range labels {
		for _, o := range out {
			if math.Abs(o.y-l.y) < 12 {
				continue next
			}
		}
		out = append(out, l)
	}
	return out
}

// drawBudget draws the panel of the remaining budget: 100% at the top, 0%
// emphasised, below it the overspent part in the warning colour.
func (c *chart) drawBudget(s *canvas, b box, ticks []timeTick) {
	heading(s, b, "Error budget remaining, over the rolling "+slo.FormatDuration(c.period))
	lo := 0.0 // percent
	for _, p := range c.budget {
		lo = min(lo, p.v*100)
	}
	n := max(2, min(10, int(b.height()/32)))
	step := niceStep((100 - lo) / float64(n))
	if lo < 0 {
		// A little room under the lowest point, down to a tick.
		lo = math.Floor((lo-(100-lo)/40)/step) * step
	}
	y := func(pct float64) float64 { return b.top + (100-pct)/(100-lo)*b.height() }
	zero := y(0)

	if lo < 0 {
		s.printf(`<rect x="%s" y="%s" width="%s" height="%s" fill="%s"/>`+"\n",
			num(b.left), num(zero), num(b.width()), num(b.bottom-zero), colOverShade)
	}
	labels := []yLabel{{zero, "0%"}, {b.top, "100%"}}
	for k := math.Ceil(lo / step); k*step < 100; k++ {
		if v := k * step; v != 0 {
			labels = append(labels, yLabel{y(v), strconv.FormatFloat(v, 'f', -1, 64) + "%"})
		}
	}
	labels = spaced(labels)
	for _, t := range ticks {
		x := c.x(t.at)
		s.line(x, b.top, x, b.bottom, ` stroke="`+colGrid+`"`)
	}
	for _, l := range labels {
		if l.y != zero && l.y != b.top {
			s.line(b.left, l.y, b.right, l.y, ` stroke="`+colGrid+`"`)
		}
		s.line(b.left-4, l.y, b.left, l.y, ` stroke="`+colFrame+`"`)
		s.text(b.left-6, l.y+4, ` text-anchor="end" fill="`+colText+`"`, l.text)
	}
	frame(s, b)
	s.line(b.left, zero, b.right, zero, ` stroke="`+colText+`" stroke-width="1.5"`)
	if len(c.budget) == 0 {
		noEvents(s, b)
		return
	}

	// The line, split where it crosses 0 so that the overspent part is
	// drawn in the warning colour.
	var above, below strings.Builder
	var prevX, prevV float64
	for i, p := range flat(c.budget, func(v float64) float64 { return y(v * 100) }) {
		px, py, pv := p.x, y(p.v*100), p.v
		switch {
		case i == 0:
			moveTo(pick(pv < 0, &below, &above), px, py)
		case (prevV < 0) == (pv < 0):
			lineTo(pick(pv < 0, &below, &above), px, py)
		default:
			f := prevV / (prevV - pv)
			cx := prevX + f*(px-prevX)
			lineTo(pick(prevV < 0, &below, &above), cx, zero)
			moveTo(pick(pv < 0, &below, &above), cx, zero)
			lineTo(pick(pv < 0, &below, &above), px, py)
		}
		prevX, prevV = px, pv
	}
	for _, part := range []struct {
		d      string
		colour string
		class  string
	}{{above.String(), colBudget, "budget"}, {below.String(), colOverspent, "budget overspent"}} {
		if part.d != "" {
			s.printf(`<path d="%s" fill="none" stroke="%s" stroke-width="2" stroke-linejoin="round" stroke-linecap="round" class="%s"/>`+"\n",
				part.d, part.colour, part.class)
		}
	}
}

func pick(cond bool, yes, no *strings.Builder) *strings.Builder {
	if cond {
		return yes
	}
	return no
}

func moveTo(b *strings.Builder, x, y float64) {
	if b.Len() > 0 {
		b.WriteByte(' ')
	}
	b.WriteString("M" + num(x) + "," + num(y))
}

func lineTo(b *strings.Builder, x, y float64) {
	b.WriteString(" L" + num(x) + "," + num(y))
}

// niceStep is the smallest of 1, 2, 2.5 and 5 times a power of ten that
// is at least raw.
func niceStep(raw float64) float64 {
	p := math.Pow10(int(math.Floor(math.Log10(raw))))
	for _, m := range []float64{1, 2, 2.5, 5} {
		if m*p >= raw {
			return m * p
		}
	}
	return 10 * p
}

// drawBurn draws the panel of the burn rate, on a log scale: from the
// power of ten at or under the smallest burn drawn, 0.1× or lower but not
// under 0.001×, to the one at or over the largest, 10× or higher. Smaller
// burns, 0 among them, lie on the bottom edge.
func (c *chart) drawBurn(s *canvas, b box, ticks []timeTick) {
	heading(s, b, "Burn rate over the last "+slo.FormatDuration(c.burnWindow)+", rolling (log scale)")
	smallest, largest := 0.1, 10.0
	for _, p := range c.burn {
		if p.v > 0 {
			smallest = min(smallest, p.v)
		}
		largest = max(largest, p.v)
	}
	for _, w := range c.windows {
		smallest = min(smallest, w.Burn)
		largest = max(largest, w.Burn)
	}
	lo := max(-3, math.Floor(math.Log10(smallest)))
	hi := max(1, math.Ceil(math.Log10(largest)-1e-9))
	y := func(v float64) float64 {
		l := lo
		if v > 0 {
			l = min(max(math.Log10(v), lo), hi)
		}
		return b.top + (hi-l)/(hi-lo)*b.height()
	}

	decade := b.height() / (hi - lo)
	for _, t := range ticks {
		x := c.x(t.at)
		s.line(x, b.top, x, b.bottom, ` stroke="`+colGrid+`"`)
	}
	every := math.Ceil(14 / decade)
	for e := lo; e <= hi; e++ {
		v := math.Pow10(int(e))
		if e > lo && e < hi && e != 0 {
			s.line(b.left, y(v), b.right, y(v), ` stroke="`+colGrid+`"`)
		}
		if decade >= 30 && e < hi {
			for _, m := range []float64{2, 5} {
				s.line(b.left-2, y(m*v), b.left, y(m*v), ` stroke="`+colFrame+`"`)
			}
		}
		if math.Mod(e, every) != 0 {
			continue
		}
		s.line(b.left-4, y(v), b.left, y(v), ` stroke="`+colFrame+`"`)
		weight := ""
		if e == 0 {
			weight = ` font-weight="bold"`
		}
		s.text(b.left-6, y(v)+4, ` text-anchor="end" fill="`+colText+`"`+weight, strconv.FormatFloat(v, 'f', -1, 64)+"×")
	}
	frame(s, b)
	s.line(b.left, y(1), b.right, y(1), ` stroke="`+colOne+`" stroke-width="1.2"`)

	// The thresholds, highest first, each labelled above its line at the
	// right; labels too close to the one above are moved down.
	labelY := math.Inf(-1)
	for _, w := range sortedByBurn(c.windows) {
		colour := colTicket
		if w.Severity == slo.SeverityPage {
			colour = colPage
		}
		ly := y(w.Burn)
		s.line(b.left, ly, b.right, ly, ` stroke="`+colour+`" stroke-width="1.2" stroke-dasharray="6 4" class="threshold"`)
		labelY = max(ly-3, labelY+11)
		label := fmt.Sprintf("%s %s× (%s)", w.Severity, slo.FormatBurn(w.Burn), slo.FormatDuration(w.Long))
		s.text(b.right-4, labelY, ` text-anchor="end" font-size="10" fill="`+colour+`"`, label)
	}

	if len(c.burn) == 0 {
		noEvents(s, b)
		return
	}
	var d strings.Builder
	for i, p := range flat(c.burn, y) {
		if i > 0 {
			d.WriteByte(' ')
		}
		d.WriteString(num(p.x) + "," + num(y(p.v)))
	}
	s.printf(`<polyline points="%s" fill="none" stroke="%s" stroke-width="1.5" stroke-linejoin="round" stroke-linecap="round" class="burn"/>`+"\n", d.String(), colBurn)
}

// flat leaves out the samples inside runs that y draws at one height,
// which add nothing to a line.
// A single sample is drawn as a dot: a line that goes nowhere, with round
// ends.
func flat(samples []sample, y func(float64) float64) []sample {
	if len(samples) == 1 {
		return []sample{samples[0], samples[0]}
	}
	out := make([]sample, 0, len(samples))
	for i, p := range samples {
		h := num(y(p.v))
		if i > 0 && i < len(samples)-1 && h == num(y(samples[i-1].v)) && h == num(y(samples[i+1].v)) {
			continue
		}
		out = append(out, p)
	}
	return out
}

// sortedByBurn returns the windows from the highest burn rate down,
// windows of equal burn in their order.
func sortedByBurn(ws []slo.Window) []slo.Window {
	out := append([]slo.Window(nil), ws...)
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].Burn > out[j-1].Burn; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// timeTick is a labelled time on the time axis.
type timeTick struct {
	at    time.Time
	label string
}

// tickSteps are the steps of the time axis, from which the smallest that
// leaves about 90 pixels between labels is taken.
var tickSteps = []time.Duration{
	time.Second, 5 * time.Second, 10 * time.Second, 15 * time.Second, 30 * time.Second,
	time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute, 15 * time.Minute, 30 * time.Minute,
	time.Hour, 2 * time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour,
	24 * time.Hour, 2 * 24 * time.Hour, 7 * 24 * time.Hour, 14 * 24 * time.Hour, 28 * 24 * time.Hour,
	56 * 24 * time.Hour, 91 * 24 * time.Hour, 182 * 24 * time.Hour, 364 * 24 * time.Hour,
}

// timeTicks places the ticks of the time axis from start to end, in the
// time zone of end: whole hours or minutes of the day, labelled "15:04"
// (midnight by its date), or whole days, labelled by their date; steps of
// 7 days and more fall on Mondays.
func timeTicks(start, end time.Time, period time.Duration, width float64) []timeTick {
	most := max(2, int(width/90))
	step := tickSteps[len(tickSteps)-1]
	for _, s := range tickSteps {
		if period/s <= time.Duration(most) {
			step = s
			break
		}
	}
	loc := end.Location()
	start = start.In(loc)
	dateLayout := "Jan 2"
	if period > 300*24*time.Hour {
		dateLayout = "Jan 2 2006"
	}
	var out []timeTick
	y, m, d := start.Date()
	if step < 24*time.Hour {
		layout := "15:04"
		if step < time.Minute {
			layout = "15:04:05"
		}
		midnight := time.Date(y, m, d, 0, 0, 0, 0, loc)
		for k := int64(start.Sub(midnight) / step); ; k++ {
			wall := time.Duration(k) * step
			t := time.Date(y, m, d, int(wall/time.Hour), int(wall%time.Hour/time.Minute), int(wall%time.Minute/time.Second), 0, loc)
			if t.After(end) {
				break
			}
			if t.Before(start) || len(out) > 0 && !t.After(out[len(out)-1].at) {
				continue
			}
			label := t.Format(layout)
			if t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 {
				label = t.Format(dateLayout)
			}
			out = append(out, timeTick{t, label})
		}
		return out
	}
	days := int64(step / (24 * time.Hour))
	for k := 0; ; k++ {
		t := time.Date(y, m, d+k, 0, 0, 0, 0, loc)
		if t.After(end) {
			break
		}
		if t.Before(start) {
			continue
		}
		// Days since Monday 5 January 1970.
		n := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC).Unix()/86400 - 4
		if n%days == 0 {
			out = append(out, timeTick{t, t.Format(dateLayout)})
		}
	}
	return out
}
