package series_test

import (
	"errors"
	"fmt"

	"github.com/alertkit/alertkit/slo/series"
)

func Example() {
	s, err := series.ParseSeries(`http_requests_total{job="api", code="500"}`, "0+10x3 _x2 40 stale")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(series.FormatMetric(s.Labels))
	for i := range s.Values {
		v, _ := s.At(i)
		fmt.Print(v, ";")
	}
	fmt.Println()
	fmt.Println(series.Format(s.Values))

	_, err = series.Parse("1+2x")
	fmt.Println(err)
	_, err = series.Parse("0+1x2000000")
	fmt.Println(errors.Is(err, series.ErrTooManySamples))
	// Output:
	// http_requests_total{code="500", job="api"}
	// 0;10;20;30;_;_;40;stale;
	// 0+10x3 _x2 40 stale
	// series: "1+2x": term 1 at offset 0: missing count after "x"
	// true
}

func ExampleFormat() {
	vs, _ := series.Parse("1 1 1 1 2 4 6 8 _ _ _ 0.5")
	fmt.Println(series.Format(vs))
	// Output:
	// 1x3 2+2x3 _x3 0.5
}
