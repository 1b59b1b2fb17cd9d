package slotest_test

import (
	"fmt"
	"time"

	"github.com/alertkit/alertkit/slo/slotest"
)

// A queue threshold over a few minutes: when is it pending, and when does
// it fire?
func ExampleFile_Evaluate() {
	f, err := slotest.Parse([]byte(`
interval: 1m
thresholds:
  - {name: QueueTooLong, series: '10 200x4 10x2', op: '>', threshold: 100, for: 2m}
`), "example.yaml")
	if err != nil {
		fmt.Println(err)
		return
	}
	tl, err := f.Evaluate("example.yaml", 7)
	if err != nil {
		fmt.Println(err)
		return
	}
	for i, alerts := range tl.Steps {
		at := slotest.Start.Add(tl.Interval * time.Duration(i+1))
		for _, a := range alerts {
			fmt.Printf("%s %s %s\n", at.Format("15:04"), a.Labels["alertname"], a.StateAt(at))
		}
	}
	// Output:
	// 00:01 QueueTooLong pending
	// 00:02 QueueTooLong pending
	// 00:03 QueueTooLong firing
	// 00:04 QueueTooLong firing
	// 00:05 QueueTooLong firing
	// 00:06 QueueTooLong resolved
}
