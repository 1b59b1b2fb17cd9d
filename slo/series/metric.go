package series

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/prometheus/common/model"
)

// keywords are the words PromQL does not take as a bare metric name:
// `on{}` is an error, `{__name__="on"}` is not.
var keywords = map[string]bool{
	"bool": true, "on": true, "ignoring": true, "group_left": true, "group_right": true,
	"atan2": true, "inf": true, "nan": true,
}

// newerKeywords are keywords of recent PromQL that FormatMetric also
// writes as {__name__="..."}, to be safe.
var newerKeywords = map[string]bool{"smoothed": true, "anchored": true}

// ParseMetric reads a series descriptor in PromQL's notation:
//
//	http_requests_total{job="api", code="500"}
//	job:errors:ratio5m                           a name alone
//	{__name__="up", job="api"}                   the name as a label
//	{"http.server.duration", "service.name"="checkout"}   UTF-8 names, quoted
//
// A label value is a double-quoted or single-quoted string with Go's
// escapes (\n, \t, \\, \", \', \x41, \101, \u00e9, \U0001F600; in a
// single-quoted string \' but not \", and the reverse), or a raw string in
// backticks, which has no escapes and may span lines (not in promtool 2).
// Label names that are not [a-zA-Z_][a-zA-Z0-9_]* are quoted the same ways,
// and so is a UTF-8 metric name, inside the braces (Prometheus 3). Space
// may surround every part but the metric name and its "{", and a comma may
// follow the last label.
//
// A label with an empty value is left out, since Prometheus holds it
// equal to no label at all. A label given twice, or the name given both
// before the braces and inside them, is an error, as is a bare name that is
// a PromQL keyword (bool, on, ignoring, group_left, group_right, atan2,
// Inf, NaN). "{}" is the empty label set, which expected samples of an
// aggregation carry; an empty string is an error. Every error is a
// *SyntaxError with the offset of what is wrong.
func ParseMetric(s string) (model.LabelSet, error) {
	p := metricParser{in: s}
	return p.parse()
}

// metricParser reads one descriptor.
type metricParser struct {
	in  string
	pos int
}

func (p *metricParser) errorf(at int, format string, args ...any) error {
	return &SyntaxError{Input: p.in, Offset: at, Msg: fmt.Sprintf(format, args...)}
}

func (p *metricParser) skipSpace() {
	for p.pos < len(p.in) && isSpace(p.in[p.pos]) {
		p.pos++
	}
}

func (p *metricParser) eof() bool { return p.pos >= len(p.in) }

// next describes what is at pos, for messages: `'x'`, "byte 0xff" (not
// UTF-8) or "end of input".
func (p *metricParser) next() string {
	if p.eof() {
		return "end of input"
	}
	r, w := utf8.DecodeRuneInString(p.in[p.pos:])
	if r == utf8.RuneError && w == 1 {
		return fmt.Sprintf("byte %#x", p.in[p.pos])
	}
	return strconv.QuoteRune(r)
}

func (p *metricParser) parse() (model.LabelSet, error) {
	ls := model.LabelSet{}
	seen := map[model.LabelName]bool{}
	p.skipSpace()
	if p.eof() {
		return nil, p.errorf(p.pos, "empty: want a metric name, labels in braces, or both")
	}
	if c := p.in[p.pos]; isLetter(c) || c == ':' {
		start := p.pos
		for !p.eof() && (isLetter(p.in[p.pos]) || isDigit(p.in[p.pos]) || p.in[p.pos] == ':') {
			p.pos++
		}
		name := p.in[start:p.pos]
		if keywords[strings.ToLower(name)] {
			return nil, p.errorf(start, "%q is a PromQL keyword, not a metric name: write {__name__=%q}", name, name)
		}
		ls[model.MetricNameLabel] = model.LabelValue(name)
		seen[model.MetricNameLabel] = true
		end := p.pos
		p.skipSpace()
		if p.eof() {
			return ls, nil
		}
		if p.in[p.pos] != '{' {
			return nil, p.errorf(p.pos, "unexpected %s after metric name %q: want \"{\"", p.next(), name)
		}
		if p.pos > end {
			// promtool reads what follows a space as the values.
			return nil, p.errorf(end, "space between metric name %q and \"{\"", name)
		}
	} else if c != '{' {
		return nil, p.errorf(p.pos, "unexpected %s: want a metric name or \"{\"", p.next())
	}
	p.pos++ // {
	for {
		p.skipSpace()
		if p.eof() {
			return nil, p.errorf(p.pos, "missing \"}\"")
		}
		if p.in[p.pos] == '}' {
			p.pos++
			break
		}
		if err := p.item(ls, seen); err != nil {
			return nil, err
		}
		p.skipSpace()
		if p.eof() {
			return nil, p.errorf(p.pos, "missing \"}\"")
		}
		switch p.in[p.pos] {
		case ',':
			p.pos++
			continue
		case '}':
			p.pos++
		default:
			return nil, p.errorf(p.pos, "unexpected %s after a label: want \",\" or \"}\"", p.next())
		}
		break
	}
	p.skipSpace()
	if !p.eof() {
		return nil, p.errorf(p.pos, "unexpected %s after \"}\"", p.next())
	}
	return ls, nil
}

// item reads one label, name="value", or a quoted metric name alone.
func (p *metricParser) item(ls model.LabelSet, seen map[model.LabelName]bool) error {
	start := p.pos
	var name string
	quoted := false
	switch c := p.in[p.pos]; {
	case isLetter(c):
		for !p.eof() && (isLetter(p.in[p.pos]) || isDigit(p.in[p.pos])) {
			p.pos++
		}
		name = p.in[start:p.pos]
	case c == '"' || c == '\'' || c == '`':
		s, err := p.str()
		if err != nil {
			return err
		}
		name, quoted = s, true
	default:
		return p.errorf(p.pos, "unexpected %s: want a label name or \"}\"", p.next())
	}
	p.skipSpace()
	if quoted && (p.eof() || p.in[p.pos] == ',' || p.in[p.pos] == '}') {
		// {"http.server.duration", ...}: the metric name.
		if name == "" {
			return p.errorf(start, "empty metric name")
		}
		if seen[model.MetricNameLabel] {
			return p.errorf(start, "metric name given twice")
		}
		seen[model.MetricNameLabel] = true
		ls[model.MetricNameLabel] = model.LabelValue(name)
		return nil
	}
	if name == "" {
		return p.errorf(start, "empty label name")
	}
	if p.eof() {
		return p.errorf(p.pos, "missing \"=\" and a value after label %q", name)
	}
	op := p.pos
	if strings.HasPrefix(p.in[op:], "!=") || strings.HasPrefix(p.in[op:], "=~") || strings.HasPrefix(p.in[op:], "!~") {
		return p.errorf(op, "%q matches labels in a query; a series has only name=\"value\"", p.in[op:op+2])
	}
	if p.in[op] != '=' {
		return p.errorf(op, "unexpected %s after label %q: want \"=\"", p.next(), name)
	}
	p.pos++
	p.skipSpace()
	if p.eof() || !strings.ContainsRune("\"'`", rune(p.in[p.pos])) {
		return p.errorf(p.pos, "unexpected %s after %s=: want a quoted value", p.next(), name)
	}
	value, err := p.str()
	if err != nil {
		return err
	}
	ln := model.LabelName(name)
	if seen[ln] {
		if ln == model.MetricNameLabel {
			return p.errorf(start, "metric name given twice")
		}
		return p.errorf(start, "label %q given twice", name)
	}
	seen[ln] = true
	if value != "" {
		ls[ln] = model.LabelValue(value)
	}
	return nil
}

// str reads a quoted string at pos and returns what it says.
func (p *metricParser) str() (string, error) {
	start := p.pos
	q := p.in[p.pos]
	p.pos++
	if q == '`' {
		end := strings.IndexByte(p.in[p.pos:], '`')
		if end < 0 {
			return "", p.errorf(start, "unterminated raw string")
		}
		s := p.in[p.pos : p.pos+end]
		if !utf8.ValidString(s) {
			return "", p.errorf(start, "string is not valid UTF-8")
		}
		p.pos += end + 1
		return s, nil
	}
	var b strings.Builder
	for {
		if p.eof() {
			return "", p.errorf(start, "unterminated string")
		}
		c := p.in[p.pos]
		switch {
		case c == q:
			p.pos++
			s := b.String()
			if !utf8.ValidString(s) {
				return "", p.errorf(start, "string is not valid UTF-8")
			}
			return s, nil
		case c == '\n':
			return "", p.errorf(p.pos, "newline in a quoted string: write \\n, or use backticks")
		case c == '\\':
			if err := p.escape(&b, q); err != nil {
				return "", err
			}
		default:
			r, w := utf8.DecodeRuneInString(p.in[p.pos:])
			if r == utf8.RuneError && w == 1 {
				return "", p.errorf(p.pos, "string is not valid UTF-8")
			}
			b.WriteString(p.in[p.pos : p.pos+w])
			p.pos += w
		}
	}
}

// escape reads the escape sequence at pos (a backslash) inside a string
// quoted with q.
func (p *metricParser) escape(b *strings.Builder, q byte) error {
	at := p.pos
	p.pos++
	if p.eof() {
		return p.errorf(at, "unterminated string")
	}
	c := p.in[p.pos]
	p.pos++
	if c == q {
		b.WriteByte(q)
		return nil
	}
	if simple := strings.IndexByte(`abfnrtv\`, c); simple >= 0 {
		b.WriteByte("\a\b\f\n\r\t\v\\"[simple])
		return nil
	}
	var digits, base int
	switch {
	case '0' <= c && c <= '7':
		digits, base = 3, 8
		p.pos-- // the first digit is part of the number
	case c == 'x':
		digits, base = 2, 16
	case c == 'u':
		digits, base = 4, 16
	case c == 'U':
		digits, base = 8, 16
	default:
		r, _ := utf8.DecodeRuneInString(p.in[p.pos-1:])
		return p.errorf(at, "unknown escape sequence \\%c", r)
	}
	if p.pos+digits > len(p.in) {
		return p.errorf(at, "escape sequence %q is cut short", p.in[at:])
	}
	text := p.in[p.pos : p.pos+digits]
	n, err := strconv.ParseUint(text, base, 32)
	if err != nil {
		return p.errorf(at, "escape sequence %q: want %d digits in base %d", p.in[at:p.pos+digits], digits, base)
	}
	p.pos += digits
	switch c {
	case 'u', 'U':
		if n > unicode.MaxRune || 0xD800 <= n && n < 0xE000 {
			return p.errorf(at, "escape sequence %q is not a Unicode code point", p.in[at:p.pos])
		}
		b.WriteRune(rune(n))
	default:
		if n > 255 {
			return p.errorf(at, "escape sequence %q is more than a byte", p.in[at:p.pos])
		}
		b.WriteByte(byte(n))
	}
	return nil
}

// FormatMetric writes a label set in the notation ParseMetric reads, the
// labels sorted by name: `up{instance="a:9100", job="node"}`. A metric name
// that is not [a-zA-Z_:][a-zA-Z0-9_:]*, or that is a PromQL keyword, is
// written as {__name__="..."}, which every version of promtool reads;
// label names outside [a-zA-Z_][a-zA-Z0-9_]* are quoted, which needs
// Prometheus 3. Labels with empty values are left out; the empty set is
// "{}".
func FormatMetric(ls model.LabelSet) string {
	var b strings.Builder
	names := make([]string, 0, len(ls))
	for n, v := range ls {
		if v != "" && n != model.MetricNameLabel {
			names = append(names, string(n))
		}
	}
	sort.Strings(names)
	name := string(ls[model.MetricNameLabel])
	if name != "" && (!model.LegacyValidation.IsValidMetricName(name) || keywords[strings.ToLower(name)] || newerKeywords[strings.ToLower(name)]) {
		names = append([]string{string(model.MetricNameLabel)}, names...)
		name = ""
	}
	b.WriteString(name)
	if name != "" && len(names) == 0 {
		return b.String()
	}
	b.WriteByte('{')
	for i, n := range names {
		if i > 0 {
			b.WriteString(", ")
		}
		if model.LegacyValidation.IsValidLabelName(n) {
			b.WriteString(n)
		} else {
			b.WriteString(strconv.Quote(n))
		}
		b.WriteByte('=')
		b.WriteString(strconv.Quote(string(ls[model.LabelName(n)])))
	}
	b.WriteByte('}')
	return b.String()
}
