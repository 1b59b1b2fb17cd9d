package promrules

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestRateQuery(t *testing.T) {
	const w = "[{{.window}}]"
	for _, tt := range []struct {
		in, want, err string
	}{
		{in: "http_requests_total", want: "sum(rate(http_requests_total" + w + "))"},
		{in: ` http_requests_total{code!~"5..", path="/a,b}"} `, want: `sum(rate(http_requests_total{code!~"5..", path="/a,b}"}` + w + "))"},
		{in: `{__name__="requests_total", job='shop',}`, want: `sum(rate({__name__="requests_total", job='shop',}` + w + "))"},
		{in: "job:requests:total", want: "sum(rate(job:requests:total" + w + "))"},
		{in: "sum(x)", want: "sum(rate(x" + w + "))"},
		{in: "sum by(code, method)(x{a=\"b\"})", want: "sum by (code, method) (rate(x{a=\"b\"}" + w + "))"},
		{in: "sum without (instance) (x)", want: "sum without (instance) (rate(x" + w + "))"},
		{in: "sum(x) by (region)", want: "sum by (region) (rate(x" + w + "))"},
		{in: "sum(rate(x[{{ .window }}]))", want: "sum(rate(x[{{ .window }}]))"},
		{in: "sum(rate(x[5m]))", err: "offset 10: the query has its own range; alertkit needs one per alerting window: write it as [{{.window}}], as in sum(rate(x[{{.window}}]))"},
		{in: "x offset 1h", err: "alertkit can make a rate over each window only of a counter's selector, such as http_requests_total{code!~\"5..\"}, or the sum of one; for other queries write the range as [{{.window}}]"},
		{in: "sum by (a) (x) by (b)", err: "alertkit can make a rate over each window only of a counter's selector, such as http_requests_total{code!~\"5..\"}, or the sum of one; for other queries write the range as [{{.window}}]"},
		{in: "max(x)", err: "alertkit can make a rate over each window only of a counter's selector, such as http_requests_total{code!~\"5..\"}, or the sum of one; for other queries write the range as [{{.window}}]"},
		{in: "sum(x) / sum(y)", err: "alertkit can make a rate over each window only of a counter's selector, such as http_requests_total{code!~\"5..\"}, or the sum of one; for other queries write the range as [{{.window}}]"},
		{in: "{}", err: "alertkit can make a rate over each window only of a counter's selector, such as http_requests_total{code!~\"5..\"}, or the sum of one; for other queries write the range as [{{.window}}]"},
		{in: "x{a=~b}", err: "alertkit can make a rate over each window only of a counter's selector, such as http_requests_total{code!~\"5..\"}, or the sum of one; for other queries write the range as [{{.window}}]"},
		{in: "sum(x", err: `offset 3: "(" is never closed`},
		{in: "x{env=\"{{.env}}\"}", err: "offset 7: unexpected template action"},
		{in: " ", err: "missing"},
	} {
		t.Run(tt.in, func(t *testing.T) {
			got, err := rateQuery(tt.in)
			if tt.err != "" {
				assert.EqualError(t, err, tt.err)
				return
			}
			if assert.NoError(t, err) {
				assert.Equal(t, tt.want, got)
				assert.NoError(t, checkQuery(got))
			}
		})
	}
}

func TestPromDuration(t *testing.T) {
	for d, want := range map[string]string{"5m": "5m", "72h": "3d", "90m": "1h30m", "1500ms": "1s500ms", "168h": "7d"} {
		got, err := promDuration(mustParse(t, d))
		assert.NoError(t, err)
		assert.Equal(t, want, got)
	}
	_, err := promDuration(0)
	assert.EqualError(t, err, "duration 0s: want a positive whole number of milliseconds")
}

func mustParse(t *testing.T, s string) time.Duration {
	t.Helper()
	d, err := time.ParseDuration(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// FuzzRateQuery feeds OpenSLO queries to rateQuery: what it makes of one
// passes checkQuery.
func FuzzRateQuery(f *testing.F) {
	for _, q := range []string{"http_requests_total", `sum by (code) (x{a="b"})`, "sum(x) without (i)", "sum(rate(x[5m]))", `{__name__="x"}`, "x[{{.window}}]"} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, q string) {
		got, err := rateQuery(q)
		if err != nil {
			return
		}
		if err := checkQuery(got); err != nil {
			t.Fatalf("%q → %q: %v", q, got, err)
		}
	})
}
