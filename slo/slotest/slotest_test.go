package slotest_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alertkit/alertkit/slo/slotest"
)

// The TechShop objectives and a threshold rule, tested as a user would.
func TestTechShop(t *testing.T) {
	slotest.RunFile(t, "testdata/techshop_test.yaml")
}

func TestErrors(t *testing.T) {
	for _, tt := range []struct{ name, file, want string }{
		{"bad target", "objectives:\n  - {name: a, target: high, total: '0', good: '0'}\n", "t.yaml: line 2: target \"high\": want a share (0.995) or a percentage (99.5%)"},
		{"bad duration", "interval: soon\n", "t.yaml: line 1: \"soon\": want a duration such as 30s, 5m, 30d"},
		{"unknown key", "objectivs: []\n", "t.yaml: yaml: unmarshal errors:\n  line 1: field objectivs not found in type slotest.File"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := slotest.Parse([]byte(tt.file), "t.yaml")
			assert.EqualError(t, err, tt.want)
		})
	}
	for _, tt := range []struct{ name, file, want string }{
		{"bad series", "objectives:\n  - {name: a, target: 99%, total: '0+1x', good: '0'}\n",
			`t.yaml:2: objective a: total: series: "0+1x": term 1 at offset 0: missing count after "x"`},
		{"both good and errors", "objectives:\n  - {name: a, target: 99%, total: '0', good: '0', errors: '0'}\n",
			"t.yaml:2: objective a: give total, and one of good and errors"},
		{"impossible window", "objectives:\n  - {name: a, target: 90%, total: '0', good: '0'}\n",
			"t.yaml:2: slo a: window 1: page at 14.4× over 1h and 5m can never fire: a 90% objective burns at most 10× (when every event fails), so its burn rate never reaches 14.4×; lower the budget share, or lengthen the window"},
		{"bad operator", "thresholds:\n  - {name: q, series: '1', op: '=>', threshold: 1}\n",
			`t.yaml:2: slo: threshold rule q: operator "=>": want one of > >= < <= == !=`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f, err := slotest.Parse([]byte(tt.file), "t.yaml")
			require.NoError(t, err)
			_, err = f.Evaluate("t.yaml", 1)
			assert.EqualError(t, err, tt.want)
		})
	}
}
