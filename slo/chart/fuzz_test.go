package chart_test

import (
	"testing"
	"time"

	"github.com/alertkit/alertkit/slo"
	"github.com/alertkit/alertkit/slo/chart"
)

// Whatever the points and options, SVG either refuses them or draws a
// well-formed picture with every line inside its plot.
func FuzzSVG(f *testing.F) {
	f.Add([]byte{1, 10, 10, 1, 9, 10, 60, 0, 10}, 0.995, uint16(60), uint16(1), uint16(0), uint16(0), 1.0, false)
	f.Add([]byte{5, 0, 255, 5, 255, 255}, 0.999, uint16(7*24*60), uint16(60), uint16(400), uint16(300), 1e6, true)
	f.Add([]byte{0, 1, 1, 0, 1, 1}, 0.5, uint16(1), uint16(1), uint16(4096), uint16(4096), 1e-300, false)
	f.Add([]byte{255, 3, 200, 1, 2, 2}, 0.9, uint16(30), uint16(0), uint16(500), uint16(300), 1e300, true)
	f.Fuzz(func(t *testing.T, data []byte, target float64, periodMinutes, burnMinutes, width, height uint16, scale float64, withNow bool) {
		if len(data) > 3*2000 {
			return
		}
		o := &slo.Objective{Name: "fuzz", Target: target, Period: time.Duration(periodMinutes) * time.Minute}
		opts := &chart.Options{Width: int(width), Height: int(height), BurnWindow: time.Duration(burnMinutes) * time.Minute}
		at := now
		var points []chart.Point
		for i := 0; i+2 < len(data); i += 3 {
			at = at.Add(time.Duration(data[i]) * time.Minute)
			points = append(points, chart.Point{At: at, Good: float64(data[i+1]) * scale, Total: float64(data[i+2]) * scale})
		}
		if withNow {
			opts.Now = now.Add(time.Duration(len(data)) * time.Minute)
			if periodMinutes%2 == 0 {
				opts.Windows = slo.DefaultWindows()[:1]
			}
		}
		svg, err := chart.SVG(o, points, opts)
		if err != nil {
			if svg != nil {
				t.Fatalf("an error and a picture: %v", err)
			}
			return
		}
		checkDrawing(t, svg)
	})
}
