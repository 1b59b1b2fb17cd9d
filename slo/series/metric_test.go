package series_test

import (
	"testing"

	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alertkit/alertkit/slo/series"
)

// metricCase is a descriptor and the labels it reads as.
type metricCase struct {
	name, metric string
	want         model.LabelSet
}

// metricCases are shared with the test against promtool; every one has a
// metric name or a job label, which that test selects by.
func metricCases() []metricCase {
	return []metricCase{
		{"docs example", `series_name{label1="value1", label2="value2"}`,
			model.LabelSet{"__name__": "series_name", "label1": "value1", "label2": "value2"}},
		{"docs goroutines", `go_goroutines{job="prometheus", instance="localhost:9090"}`,
			model.LabelSet{"__name__": "go_goroutines", "job": "prometheus", "instance": "localhost:9090"}},
		{"name alone", `up`, model.LabelSet{"__name__": "up"}},
		{"name and empty braces", `up{}`, model.LabelSet{"__name__": "up"}},
		{"recording rule name", `job:http_errors:ratio_rate5m{job="api"}`,
			model.LabelSet{"__name__": "job:http_errors:ratio_rate5m", "job": "api"}},
		{"keyword as a name", `sum{job="a"}`, model.LabelSet{"__name__": "sum", "job": "a"}},
		{"name as a label", `{__name__="up", job="a"}`, model.LabelSet{"__name__": "up", "job": "a"}},
		{"keyword name as a label", `{__name__="on"}`, model.LabelSet{"__name__": "on"}},
		{"no name", `{job="a"}`, model.LabelSet{"job": "a"}},
		{"spaces everywhere", " up{ job = \"a\" ,\tzone='b' } ", model.LabelSet{"__name__": "up", "job": "a", "zone": "b"}},
		{"spaces around braces", ` { job="a" } `, model.LabelSet{"job": "a"}},
		{"trailing comma", `up{job="a",}`, model.LabelSet{"__name__": "up", "job": "a"}},
		{"single quotes", `up{job='a "quoted" b', x='it\'s'}`, model.LabelSet{"__name__": "up", "job": `a "quoted" b`, "x": "it's"}},
		{"double quotes", `up{job="it's \"x\""}`, model.LabelSet{"__name__": "up", "job": `it's "x"`}},
		{"backticks", "up{re=`^a\\.b\\n$`}", model.LabelSet{"__name__": "up", "re": `^a\.b\n$`}},
		{"escapes", `up{job="\a\b\f\n\r\t\v\\"}`, model.LabelSet{"__name__": "up", "job": "\a\b\f\n\r\t\v\\"}},
		{"numeric escapes", `up{job="\x41\102\u00e9\U0001F600"}`, model.LabelSet{"__name__": "up", "job": "ABé😀"}},
		{"byte escapes of UTF-8", `up{job="\xc3\xa9"}`, model.LabelSet{"__name__": "up", "job": "é"}},
		{"UTF-8 value", `up{job="café ☕"}`, model.LabelSet{"__name__": "up", "job": "café ☕"}},
		{"empty value is no label", `up{job="a", zone=""}`, model.LabelSet{"__name__": "up", "job": "a"}},
	}
}

// metricCasesV3 need the quoted names of Prometheus 3, or a promtool
// newer than Debian's 2.42.
func metricCasesV3() []metricCase {
	return []metricCase{
		{"quoted name", `{"http.server.duration", job="a"}`, model.LabelSet{"__name__": "http.server.duration", "job": "a"}},
		{"quoted name last", `{job="a", "http.server.duration"}`, model.LabelSet{"__name__": "http.server.duration", "job": "a"}},
		{"quoted label name", `up{"service.name"="checkout", job="a"}`, model.LabelSet{"__name__": "up", "service.name": "checkout", "job": "a"}},
		{"quoted plain label name", `up{"job"="a"}`, model.LabelSet{"__name__": "up", "job": "a"}},
		// promtool 2.42 ends a raw string at a newline, contrary to the docs.
		{"backticks across lines", "up{job=`a\nb`}", model.LabelSet{"__name__": "up", "job": "a\nb"}},
	}
}

func TestParseMetric(t *testing.T) {
	cases := append(metricCases(), metricCasesV3()...)
	cases = append(cases,
		metricCase{"empty braces", `{}`, model.LabelSet{}},
		metricCase{"single-quoted names", `{'http.server.duration', 'a.b'='c'}`, model.LabelSet{"__name__": "http.server.duration", "a.b": "c"}},
		metricCase{"backticked names", "{`a b`=`c`}", model.LabelSet{"a b": "c"}},
		metricCase{"only an empty value", `{job=""}`, model.LabelSet{}},
	)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := series.ParseMetric(tc.metric)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestParseMetricErrors(t *testing.T) {
	for _, tc := range []struct {
		name, metric, want string
	}{
		{"empty", ``, `series: "": at offset 0: empty: want a metric name, labels in braces, or both`},
		{"spaces", `  `, `series: "  ": at offset 2: empty: want a metric name, labels in braces, or both`},
		{"starts wrong", `1up`, `series: "1up": at offset 0: unexpected '1': want a metric name or "{"`},
		{"quoted name outside braces", `"up"`, `series: "\"up\"": at offset 0: unexpected '"': want a metric name or "{"`},
		{"keyword", `on{job="a"}`, `series: "on{job=\"a\"}": at offset 0: "on" is a PromQL keyword, not a metric name: write {__name__="on"}`},
		{"keyword any case", `Inf`, `series: "Inf": at offset 0: "Inf" is a PromQL keyword, not a metric name: write {__name__="Inf"}`},
		{"space before brace", `up {job="a"}`, `series: "up {job=\"a\"}": at offset 2: space between metric name "up" and "{"`},
		{"junk after name", `up x`, `series: "up x": at offset 3: unexpected 'x' after metric name "up": want "{"`},
		{"dotted name unquoted", `http.requests`, `series: "http.requests": at offset 4: unexpected '.' after metric name "http": want "{"`},
		{"values after", `up{job="a"} 1 2`, `series: "up{job=\"a\"} 1 2": at offset 12: unexpected '1' after "}"`},
		{"unclosed", `up{job="a"`, `series: "up{job=\"a\"": at offset 10: missing "}"`},
		{"unclosed empty", `up{`, `series: "up{": at offset 3: missing "}"`},
		{"comma first", `up{,}`, `series: "up{,}": at offset 3: unexpected ',': want a label name or "}"`},
		{"two commas", `up{a="1",,}`, `series: "up{a=\"1\",,}": at offset 9: unexpected ',': want a label name or "}"`},
		{"no comma", `up{a="1" b="2"}`, `series: "up{a=\"1\" b=\"2\"}": at offset 9: unexpected 'b' after a label: want "," or "}"`},
		{"no equals", `up{job}`, `series: "up{job}": at offset 6: unexpected '}' after label "job": want "="`},
		{"label at end", `up{job`, `series: "up{job": at offset 6: missing "=" and a value after label "job"`},
		{"matcher !=", `up{job!="a"}`, `series: "up{job!=\"a\"}": at offset 6: "!=" matches labels in a query; a series has only name="value"`},
		{"matcher =~", `up{job=~"a.*"}`, `series: "up{job=~\"a.*\"}": at offset 6: "=~" matches labels in a query; a series has only name="value"`},
		{"unquoted value", `up{job=api}`, `series: "up{job=api}": at offset 7: unexpected 'a' after job=: want a quoted value`},
		{"missing value", `up{job=}`, `series: "up{job=}": at offset 7: unexpected '}' after job=: want a quoted value`},
		{"value at end", `up{job=`, `series: "up{job=": at offset 7: unexpected end of input after job=: want a quoted value`},
		{"not UTF-8 outside strings", "up{job=\"a\"\xff}", `series: "up{job=\"a\"\xff}": at offset 10: unexpected byte 0xff after a label: want "," or "}"`},
		{"number value", `up{code=500}`, `series: "up{code=500}": at offset 8: unexpected '5' after code=: want a quoted value`},
		{"unterminated", `up{job="a}`, `series: "up{job=\"a}": at offset 7: unterminated string`},
		{"unterminated raw", "up{job=`a}", "series: \"up{job=`a}\": at offset 7: unterminated raw string"},
		{"newline in string", "up{job=\"a\nb\"}", `series: "up{job=\"a\nb\"}": at offset 9: newline in a quoted string: write \n, or use backticks`},
		{"unknown escape", `up{job="\q"}`, `series: "up{job=\"\\q\"}": at offset 8: unknown escape sequence \q`},
		{"other quote escaped", `up{job='\"'}`, `series: "up{job='\\\"'}": at offset 8: unknown escape sequence \"`},
		{"single quote escaped in double", `up{job="\'"}`, `series: "up{job=\"\\'\"}": at offset 8: unknown escape sequence \'`},
		{"short hex", `up{job="\x4"}`, `series: "up{job=\"\\x4\"}": at offset 8: escape sequence "\\x4\"": want 2 digits in base 16`},
		{"cut short", `up{job="\u12`, `series: "up{job=\"\\u12": at offset 8: escape sequence "\\u12" is cut short`},
		{"octal too big", `up{job="\777"}`, `series: "up{job=\"\\777\"}": at offset 8: escape sequence "\\777" is more than a byte`},
		{"bad octal", `up{job="\18"}`, `series: "up{job=\"\\18\"}": at offset 8: escape sequence "\\18\"": want 3 digits in base 8`},
		{"surrogate", `up{job="\uD800"}`, `series: "up{job=\"\\uD800\"}": at offset 8: escape sequence "\\uD800" is not a Unicode code point`},
		{"beyond Unicode", `up{job="\U00110000"}`, `series: "up{job=\"\\U00110000\"}": at offset 8: escape sequence "\\U00110000" is not a Unicode code point`},
		{"escaped invalid UTF-8", `up{job="\xff"}`, `series: "up{job=\"\\xff\"}": at offset 7: string is not valid UTF-8`},
		{"invalid UTF-8", "up{job=\"\xff\"}", `series: "up{job=\"\xff\"}": at offset 8: string is not valid UTF-8`},
		{"invalid UTF-8 raw", "up{job=`\xff`}", "series: \"up{job=`\\xff`}\": at offset 7: string is not valid UTF-8"},
		{"label twice", `up{job="a", job="b"}`, `series: "up{job=\"a\", job=\"b\"}": at offset 12: label "job" given twice`},
		{"label twice, once empty", `up{job="", job="b"}`, `series: "up{job=\"\", job=\"b\"}": at offset 11: label "job" given twice`},
		{"name twice", `up{__name__="down"}`, `series: "up{__name__=\"down\"}": at offset 3: metric name given twice`},
		{"quoted name twice", `up{"down"}`, `series: "up{\"down\"}": at offset 3: metric name given twice`},
		{"quoted names twice", `{"a", "b"}`, `series: "{\"a\", \"b\"}": at offset 6: metric name given twice`},
		{"empty quoted name", `{""}`, `series: "{\"\"}": at offset 1: empty metric name`},
		{"empty label name", `{""="a"}`, `series: "{\"\"=\"a\"}": at offset 1: empty label name`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := series.ParseMetric(tc.metric)
			require.Error(t, err)
			assert.Nil(t, got)
			assert.Equal(t, tc.want, err.Error())
			var se *series.SyntaxError
			require.ErrorAs(t, err, &se)
			assert.Zero(t, se.Term)
		})
	}
}

func TestFormatMetric(t *testing.T) {
	for _, tc := range []struct {
		name string
		ls   model.LabelSet
		want string
	}{
		{"empty", model.LabelSet{}, `{}`},
		{"nil", nil, `{}`},
		{"name alone", model.LabelSet{"__name__": "up"}, `up`},
		{"sorted labels", model.LabelSet{"__name__": "up", "job": "a", "instance": "b:9100"}, `up{instance="b:9100", job="a"}`},
		{"no name", model.LabelSet{"job": "a"}, `{job="a"}`},
		{"escapes", model.LabelSet{"job": "a\"b\\c\nd\te\x00"}, `{job="a\"b\\c\nd\te\x00"}`},
		{"UTF-8 value", model.LabelSet{"job": "café ☕"}, `{job="café ☕"}`},
		{"dotted name", model.LabelSet{"__name__": "http.server.duration", "job": "a"}, `{__name__="http.server.duration", job="a"}`},
		{"keyword name", model.LabelSet{"__name__": "bool"}, `{__name__="bool"}`},
		{"newer keyword name", model.LabelSet{"__name__": "smoothed"}, `{__name__="smoothed"}`},
		{"dotted label", model.LabelSet{"__name__": "up", "service.name": "checkout"}, `up{"service.name"="checkout"}`},
		{"empty values left out", model.LabelSet{"__name__": "up", "zone": ""}, `up`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := series.FormatMetric(tc.ls)
			assert.Equal(t, tc.want, got)
			back, err := series.ParseMetric(got)
			require.NoError(t, err)
			want := model.LabelSet{}
			for n, v := range tc.ls {
				if v != "" {
					want[n] = v
				}
			}
			assert.Equal(t, want, back)
		})
	}
}

// TestMetricRoundTrip: every descriptor of the tables reads back the same
// after FormatMetric.
func TestMetricRoundTrip(t *testing.T) {
	for _, tc := range append(metricCases(), metricCasesV3()...) {
		t.Run(tc.name, func(t *testing.T) {
			text := series.FormatMetric(tc.want)
			back, err := series.ParseMetric(text)
			require.NoError(t, err, text)
			assert.Equal(t, tc.want, back, text)
			assert.NotContains(t, text, "\n", "FormatMetric writes one line")
		})
	}
}
