package slotest_test

import (
	"os"
	"testing"

	"github.com/alertkit/alertkit/slo/slotest"
)

// FuzzParse: any file parses or fails with an error, and a parsed one
// evaluates or fails with an error — never a panic.
func FuzzParse(f *testing.F) {
	if data, err := os.ReadFile("testdata/techshop_test.yaml"); err == nil {
		f.Add(data)
	}
	f.Add([]byte("thresholds:\n  - {name: q, series: '1 2 3', op: '<', threshold: 2, for: 1m}\ntests:\n  - {at: 2m, firing: []}\n"))
	f.Add([]byte("interval: 30s\nobjectives:\n  - {name: a, target: 0.9, period: 7d, windows: [{severity: page, long: 2h, budget_share: 0.02}], total: '0+10x20', good: '0+9x20'}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := slotest.Parse(data, "fuzz.yaml")
		if err != nil {
			return
		}
		_, _ = file.Evaluate("fuzz.yaml", 50)
	})
}
