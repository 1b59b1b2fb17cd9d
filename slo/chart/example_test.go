package chart_test

import (
	"fmt"
	"strings"
	"time"

	"github.com/alertkit/alertkit/slo"
	"github.com/alertkit/alertkit/slo/chart"
)

func ExampleSVG() {
	o := &slo.Objective{Name: "availability", Target: 0.995} // over 30 days
	end := time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)

	// 1000 requests every 5 minutes for 30 days, 1 of them failed; in the
	// last hour, 30 of them.
	var points []chart.Point
	for at := end.Add(-30*24*time.Hour + 5*time.Minute); !at.After(end); at = at.Add(5 * time.Minute) {
		bad := 1.0
		if end.Sub(at) < time.Hour {
			bad = 30
		}
		points = append(points, chart.Point{At: at, Good: 1000 - bad, Total: 1000})
	}

	svg, err := chart.SVG(o, points, &chart.Options{Windows: slo.DefaultWindows()})
	if err != nil {
		fmt.Println(err)
		return
	}
	// os.WriteFile("availability.svg", svg, 0o644) to open it in a browser.
	lines := strings.SplitN(string(svg), "\n", 3)
	fmt.Println(lines[0])
	fmt.Println(lines[1])
	fmt.Println(len(svg) < 16<<10)
	// Output:
	// <svg xmlns="http://www.w3.org/2000/svg" width="800" height="480" viewBox="0 0 800 480" font-family="sans-serif" font-size="11" role="img">
	// <title>availability: 99.5% over 30d</title>
	// true
}
