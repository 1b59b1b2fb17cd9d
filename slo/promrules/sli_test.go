package promrules_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alertkit/alertkit/slo/promrules"
)

const (
	errors5xx = `sum(rate(http_requests_total{code=~"5.."}[{{.window}}]))`
	requests  = `sum(rate(http_requests_total[{{.window}}]))`
)

func TestSLIValidate(t *testing.T) {
	for _, tt := range []struct {
		name string
		sli  promrules.SLI
		want string
	}{
		{name: "events", sli: promrules.SLI{ErrorQuery: errors5xx, TotalQuery: requests}},
		{name: "good events", sli: promrules.SLI{GoodQuery: `sum(rate(http_request_duration_seconds_bucket{le="0.3"}[{{.window}}]))`, TotalQuery: `sum(rate(http_request_duration_seconds_count[{{ .window }}]))`}},
		{name: "ratio", sli: promrules.SLI{ErrorRatioQuery: `1 - avg_over_time(up{job="shop"}[{{.window}}])`}},
		{name: "subquery and comment", sli: promrules.SLI{ErrorRatioQuery: "max_over_time(x[{{.window}}:1m]) # a ) in a comment\n"}},
		{name: "escaped quote", sli: promrules.SLI{ErrorRatioQuery: `sum(rate(x{path="a\"(b"}[{{.window}}]))`}},
		{name: "empty", want: "sli: empty: give error_query and total_query, good_query and total_query, or error_ratio_query"},
		{name: "error and good", sli: promrules.SLI{ErrorQuery: errors5xx, GoodQuery: errors5xx, TotalQuery: requests},
			want: "sli: error_query and good_query: give one of them, not both"},
		{name: "ratio with others", sli: promrules.SLI{ErrorRatioQuery: errors5xx, TotalQuery: requests},
			want: "sli: error_ratio_query is a whole ratio: give it alone, without error_query, good_query or total_query"},
		{name: "no total", sli: promrules.SLI{GoodQuery: errors5xx},
			want: "sli: total_query: missing (good_query needs it)"},
		{name: "total alone", sli: promrules.SLI{TotalQuery: requests},
			want: "sli: total_query needs error_query or good_query"},
		{name: "no placeholder", sli: promrules.SLI{ErrorQuery: `sum(rate(http_requests_total{code=~"5.."}[5m]))`, TotalQuery: requests},
			want: "sli: error_query: no {{.window}} where the range goes, as in rate(x[{{.window}}])"},
		{name: "unclosed parenthesis", sli: promrules.SLI{ErrorQuery: errors5xx, TotalQuery: `sum(rate(http_requests_total[{{.window}}])`},
			want: `sli: total_query: offset 3: "(" is never closed`},
		{name: "closes nothing", sli: promrules.SLI{ErrorQuery: errors5xx, TotalQuery: `rate(x[{{.window}}]))`},
			want: `sli: total_query: offset 20: ")" closes nothing`},
		{name: "crossed", sli: promrules.SLI{ErrorRatioQuery: `sum(rate(x{a="b"[{{.window}}])})`},
			want: `sli: error_ratio_query: offset 29: ")" does not close the "{" opened at offset 10`},
		{name: "unclosed string", sli: promrules.SLI{ErrorRatioQuery: `sum(rate(x{a="b}[{{.window}}]))`},
			want: `sli: error_ratio_query: offset 13: string opened by a double quote is never closed`},
		{name: "other template", sli: promrules.SLI{ErrorRatioQuery: `sum(rate(x{env="{{.env}}"}[{{.window}}]))`},
			want: `sli: error_ratio_query: offset 16: unknown template action "{{.env}}": only {{.window}} is replaced`},
		{name: "both queries wrong", sli: promrules.SLI{ErrorQuery: "rate(x[5m])", TotalQuery: "rate(x[{{.window}}]"},
			want: "sli: error_query: no {{.window}} where the range goes, as in rate(x[{{.window}}])\n" +
				`sli: total_query: offset 4: "(" is never closed`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.sli.Validate()
			if tt.want == "" {
				assert.NoError(t, err)
				return
			}
			assert.EqualError(t, err, tt.want)
		})
	}
}

func TestSLIErrorRatio(t *testing.T) {
	for _, tt := range []struct {
		name   string
		sli    promrules.SLI
		window time.Duration
		want   string
	}{
		{"events", promrules.SLI{ErrorQuery: errors5xx, TotalQuery: requests}, 5 * time.Minute,
			`(sum(rate(http_requests_total{code=~"5.."}[5m]))) / (sum(rate(http_requests_total[5m])))`},
		{"good", promrules.SLI{GoodQuery: "sum(rate(ok[{{ .window }}]))", TotalQuery: "sum(rate(all[{{.window}}]))"}, 36 * time.Hour,
			"1 - ((sum(rate(ok[1d12h]))) / (sum(rate(all[1d12h]))))"},
		{"ratio", promrules.SLI{ErrorRatioQuery: "  1 - avg_over_time(up[{{.window}}])\n"}, 72 * time.Hour,
			"1 - avg_over_time(up[3d])"},
		{"over lines", promrules.SLI{ErrorQuery: "sum(rate(bad[{{.window}}]))\n+ sum(rate(worse[{{.window}}]))", TotalQuery: "sum(rate(all[{{.window}}]))"}, time.Hour,
			"(\n  sum(rate(bad[1h]))\n  + sum(rate(worse[1h]))\n)\n/\n(\n  sum(rate(all[1h]))\n)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.sli.ErrorRatio(tt.window)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
	_, err := promrules.SLI{ErrorRatioQuery: "x[{{.window}}]"}.ErrorRatio(time.Microsecond)
	assert.EqualError(t, err, "sli: window: duration 1µs: want a positive whole number of milliseconds")
}
