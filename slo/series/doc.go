// Package series reads and writes the input series of rule tests in
// promtool's notation, so that a test of alertkit's rules is written as
// one for `promtool test rules` is:
//
//	s, err := series.ParseSeries(`http_requests_total{code="500"}`, "0+10x30 _x5 300 stale")
//	// s.Labels: {__name__="http_requests_total", code="500"}
//	// s.Values: 0, 10, …, 300 (31 values), 5 missing, 300, a staleness marker
//	v, ok := s.At(3) // {V: 30}, true
//	series.Format(s.Values) // "0+10x30 _x5 300 stale"
//
// # Values
//
// [Parse] expands a values string: a number is one value; a+bxn is a,
// a+b, …, a+n·b, so n+1 values, and a-bxn counts down; axn is a repeated
// n+1 times; _ is a missing sample and _xn is n of them (n, not n+1);
// stale is a staleness marker. Value i belongs at the test's start plus i
// intervals. [Format] writes values back compactly, and what it writes
// reads back as the same values, in Parse and in promtool.
//
// Parse reads what promtool reads, to the float: a+bxn adds b again for
// every value, as promtool does, rather than computing a+i·b. Where the two
// would part, Parse refuses: "010", which promtool reads as octal 8, and
// "Infx3", which it reads as one unknown word. It follows Prometheus 3,
// which also takes newlines between terms and 1_000; promtool 2 does not.
// At most [MaxSamples] values come out of one string.
//
// # Descriptors
//
// [ParseMetric] reads PromQL's series notation, name{label="value", ...},
// with single-quoted, double-quoted and backticked strings and the UTF-8
// names of Prometheus 3 ({"http.server.duration", "service.name"="api"}).
// It also reads the labels of expected samples, which may be "{}".
// [FormatMetric] writes a label set back.
//
// # Errors
//
// Every error is a [*SyntaxError] that quotes the input and says where:
// the term and its byte offset for values, the byte offset for a
// descriptor:
//
//	series: "1+2x": term 1 at offset 0: missing count after "x"
//
// # Concurrency
//
// The functions keep no state; a Series is a plain value.
package series
