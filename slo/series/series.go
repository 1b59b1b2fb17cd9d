package series

import "github.com/prometheus/common/model"

// Series is an input series of a rule test: its labels, and one value per
// interval from the start of the test.
type Series struct {
	Labels model.LabelSet
	Values []Value
}

// ParseSeries reads a series as a promtool test file gives it: the
// descriptor (see [ParseMetric]) and the values (see [Parse]). A series
// needs at least one label, its name or another.
func ParseSeries(metric, values string) (Series, error) {
	ls, err := ParseMetric(metric)
	if err != nil {
		return Series{}, err
	}
	if len(ls) == 0 {
		return Series{}, &SyntaxError{Input: metric, Msg: "a series needs a metric name or a label"}
	}
	vs, err := Parse(values)
	if err != nil {
		return Series{}, err
	}
	return Series{Labels: ls, Values: vs}, nil
}

// At returns the value at interval i, counted from 0, and whether the
// series reaches that far. A missing sample is a Value with Missing set,
// and ok is true for it.
func (s Series) At(i int) (v Value, ok bool) {
	if i < 0 || i >= len(s.Values) {
		return Value{}, false
	}
	return s.Values[i], true
}
