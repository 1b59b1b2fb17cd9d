package series_test

import (
	"testing"

	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alertkit/alertkit/slo/series"
)

func TestParseSeries(t *testing.T) {
	s, err := series.ParseSeries(`http_requests_total{job="api", code="500"}`, "0+10x3 _ stale")
	require.NoError(t, err)
	assert.Equal(t, model.LabelSet{"__name__": "http_requests_total", "job": "api", "code": "500"}, s.Labels)
	requireSameValues(t, vals(t, 0, 10, 20, 30, "_", "stale"), s.Values)

	for _, tc := range []struct {
		i    int
		want series.Value
		ok   bool
	}{
		{0, series.Value{V: 0}, true},
		{3, series.Value{V: 30}, true},
		{4, series.Value{Missing: true}, true},
		{5, series.Value{Stale: true}, true},
		{6, series.Value{}, false},
		{-1, series.Value{}, false},
	} {
		v, ok := s.At(tc.i)
		assert.Equal(t, tc.want, v, "At(%d)", tc.i)
		assert.Equal(t, tc.ok, ok, "At(%d)", tc.i)
	}

	var zero series.Series
	_, ok := zero.At(0)
	assert.False(t, ok, "a zero Series has no values")

	s, err = series.ParseSeries(`{job="api"}`, "")
	require.NoError(t, err, "a series without a name, or without values, is allowed")
	assert.Empty(t, s.Values)
}

func TestParseSeriesErrors(t *testing.T) {
	for _, tc := range []struct {
		name, metric, values, want string
	}{
		{"bad descriptor", `up{job=}`, "1", `series: "up{job=}": at offset 7: unexpected '}' after job=: want a quoted value`},
		{"no labels", `{}`, "1", `series: "{}": at offset 0: a series needs a metric name or a label`},
		{"only empty labels", `{job=""}`, "1", `series: "{job=\"\"}": at offset 0: a series needs a metric name or a label`},
		{"bad values", `up`, "1 2 x", `series: "1 2 x": term 3 at offset 4: unknown word "x": want a number, "_" or "stale"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := series.ParseSeries(tc.metric, tc.values)
			require.Error(t, err)
			assert.Equal(t, tc.want, err.Error())
			assert.Zero(t, s)
		})
	}
}
