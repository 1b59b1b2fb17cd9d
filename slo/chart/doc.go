// Package chart draws the error budget of an [slo.Objective] over its
// period as an SVG picture that a browser opens as it is: the budget
// remaining over the rolling period and the burn rate over a rolling
// window, at each interval of events.
//
//	// Good and total events of each interval, in time order.
//	points := []chart.Point{{At: t1, Good: 9991, Total: 10000}, {At: t2, Good: 9987, Total: 10000}}
//	svg, err := chart.SVG(objective, points, &chart.Options{Windows: slo.DefaultWindows()})
//	err = os.WriteFile("availability.svg", svg, 0o644)
//
// # The picture
//
// Under the title, a summary says where the budget stands at Now: "budget
// remaining 46.1% · burn 0.2× (last 1h) · exhausted in 68d14h at this
// rate", with the slo package's formulas and formats.
//
// The upper panel is the share of the budget remaining at each point,
// 1 - (1 - sli) / (1 - target), where sli is the share of good events in
// the period that ends at that point; points from before the picture count
// in it. 100% is at the top and 0% is emphasised; an overspent budget goes
// below 0, in red on a light red ground.
//
// The lower panel is the burn rate over [Options.BurnWindow] at each
// point, on a log scale: the burn rates that matter span decades — 0.2×
// for a quiet month, 1× that spends the budget in exactly its period, the
// 14.4× of a page, the 200× of a total outage of a 99.5% objective — and a
// linear scale would flatten all but the largest. The scale reaches from
// the power of ten at or under the lowest burn drawn (0.1× or lower, down
// to 0.001×; lower burns are drawn on the bottom edge, and so is a burn of
// 0) to the one at or over the highest (10× or higher). The alerting
// thresholds of [Options.Windows] are dashed lines.
//
// The time axis is labelled in hours or in dates, in the time zone of Now.
//
// # Size
//
// Each line keeps at most two points per pixel column, the lowest and the
// highest, and none inside a flat run: a month of points a second draws in
// about 32 KB.
//
// # Determinism
//
// The same input gives the same bytes: coordinates are rounded to a tenth
// of a pixel and nothing depends on the clock or on map order, so that
// pictures can be kept as golden files.
//
// # Concurrency
//
// SVG may be called by many goroutines at once; it does not change its
// arguments.
package chart
