package series

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// MaxSamples is the most values that Parse expands a values string to,
// missing ones included: "1x999999" is the longest single term. It keeps a
// short string from asking for gigabytes.
const MaxSamples = 1_000_000

// Value is one sample of a series, one interval after the previous one.
type Value struct {
	// V is the sample's value; 0 when Missing or Stale.
	V float64
	// Missing is a scrape without this series ("_"): no sample at all, so
	// queries still see the previous sample for the lookback period.
	Missing bool
	// Stale is a staleness marker ("stale"): the series ends here, and
	// queries no longer see the previous sample.
	Stale bool
}

// String returns the value in the notation: "1.5", "_", "stale".
func (v Value) String() string { return Format([]Value{v}) }

// Parse expands a values string in promtool's notation into one Value per
// interval. Terms are separated by spaces, tabs or newlines (promtool 2
// takes no newline, nor the digit separator of 1_000):
//
//	7         one value; also -2, 0.25, 1e3, 1_000, Inf, -Inf, NaN
//	a+bxn     a, a+b, …, a+n·b: n+1 values, each the previous plus b
//	a-bxn     a, a-b, …, a-n·b: n+1 values
//	axn       a, n+1 times (the same as a+0xn)
//	_         one missing sample
//	_xn       n missing samples (not n+1)
//	stale     a staleness marker
//
// Like promtool, each value of a+bxn is the previous one plus b in
// floating point, so 0.1+0.1x2 is 0.1, 0.2, 0.30000000000000004. Inf and
// NaN cannot take "x" directly, because promtool reads "Infx3" as one word:
// write Inf+0x3. An integer with a leading zero that promtool would read as
// octal ("010" is 8 to it) is refused rather than read either way.
//
// An empty string is no values. More than MaxSamples values is an error
// wrapping ErrTooManySamples. Every error is a *SyntaxError naming the term
// and its offset.
func Parse(values string) ([]Value, error) {
	p := valueParser{input: values}
	for i := 0; i < len(values); {
		if isSpace(values[i]) {
			i++
			continue
		}
		j := i
		for j < len(values) && !isSpace(values[j]) {
			j++
		}
		p.term++
		p.offset = i
		if err := p.parseTerm(values[i:j]); err != nil {
			return nil, err
		}
		i = j
	}
	return p.out, nil
}

// valueParser expands the terms of one values string.
type valueParser struct {
	input  string
	term   int // the current term's number, from 1
	offset int // where it starts
	out    []Value
}

func (p *valueParser) errorf(format string, args ...any) error {
	return &SyntaxError{Input: p.input, Term: p.term, Offset: p.offset, Msg: fmt.Sprintf(format, args...)}
}

// room checks that n more values fit under MaxSamples.
func (p *valueParser) room(n uint64) error {
	if n > uint64(MaxSamples-len(p.out)) {
		return &SyntaxError{Input: p.input, Term: p.term, Offset: p.offset,
			Msg: fmt.Sprintf("the values expand to more than MaxSamples (%d)", MaxSamples), Err: ErrTooManySamples}
	}
	return nil
}

// parseTerm expands one term, t, which holds no space.
func (p *valueParser) parseTerm(t string) error {
	switch {
	case t == "_":
		return p.repeat(Value{Missing: true}, 1)
	case t[0] == '_':
		if t[1] != 'x' {
			return p.errorf("unexpected %q after \"_\": a missing sample is \"_\", or \"_xN\" for N of them", t[1:])
		}
		n, err := p.count(t[2:])
		if err != nil {
			return err
		}
		return p.repeat(Value{Missing: true}, n)
	case t == "stale":
		return p.repeat(Value{Stale: true}, 1)
	case strings.HasPrefix(t, "stale") && strings.ContainsRune("x+-", rune(t[5])):
		return p.errorf("%q: \"stale\" stands alone; it cannot be repeated or stepped", t)
	}

	a, pos, err := p.number(t, 0, true)
	if err != nil {
		return err
	}
	if pos == len(t) {
		return p.repeat(Value{V: a}, 1)
	}
	switch c := t[pos]; c {
	case 'x':
		n, err := p.count(t[pos+1:])
		if err != nil {
			return err
		}
		return p.repeat(Value{V: a}, n+1)
	case '+', '-':
		b, end, err := p.number(t, pos+1, false)
		if err != nil {
			return err
		}
		if math.IsInf(b, 0) || math.IsNaN(b) {
			return p.errorf("step %q: a step cannot be Inf or NaN", t[pos:end])
		}
		if c == '-' {
			b = -b
		}
		if end == len(t) {
			return p.errorf("missing \"x\" and count after step %q", t[pos:end])
		}
		if t[end] != 'x' {
			return p.errorf("unexpected %q after step %q: want \"x\" and a count", t[end:], t[pos:end])
		}
		n, err := p.count(t[end+1:])
		if err != nil {
			return err
		}
		if err := p.room(n + 1); err != nil {
			return err
		}
		for range n + 1 {
			p.out = append(p.out, Value{V: a})
			a += b
		}
		return nil
	default:
		return p.errorf("unexpected %q after %q", t[pos:], t[:pos])
	}
}

// repeat appends n copies of v.
func (p *valueParser) repeat(v Value, n uint64) error {
	if err := p.room(n); err != nil {
		return err
	}
	for range n {
		p.out = append(p.out, v)
	}
	return nil
}

// count reads the count after "x": decimal digits only.
func (p *valueParser) count(s string) (uint64, error) {
	if s == "" {
		return 0, p.errorf("missing count after \"x\"")
	}
	if !allDigits(s) {
		return 0, p.errorf("count %q is not a whole number", s)
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil || n > MaxSamples {
		// Too many whatever they expand to; n+1 cannot overflow below.
		return 0, p.room(math.MaxUint64)
	}
	return n, nil
}

// number reads a number at t[pos:] and returns it with the offset after it.
// A sign is allowed when signed (a term's first value), not in a step,
// which follows its own "+" or "-".
func (p *valueParser) number(t string, pos int, signed bool) (float64, int, error) {
	neg := false
	if signed && pos < len(t) && (t[pos] == '+' || t[pos] == '-') {
		neg = t[pos] == '-'
		pos++
	}
	start := pos
	switch {
	case pos < len(t) && isLetter(t[pos]):
		end := pos
		for end < len(t) && (isLetter(t[end]) || isDigit(t[end]) || t[end] == ':') {
			end++
		}
		word := t[pos:end]
		var f float64
		switch strings.ToLower(word) {
		case "inf":
			f = math.Inf(1)
		case "nan":
			f = math.NaN()
		default:
			return 0, 0, p.badWord(t, start, word, signed)
		}
		if neg {
			f = -f
		}
		return f, end, nil
	case pos < len(t) && (isDigit(t[pos]) || t[pos] == '.' && pos+1 < len(t) && isDigit(t[pos+1])):
		end := pos
		for end < len(t) {
			c := t[end]
			if isDigit(c) || c == '.' || c == '_' {
				end++
				continue
			}
			if c == 'e' || c == 'E' {
				end++
				if end < len(t) && (t[end] == '+' || t[end] == '-') {
					end++
				}
				continue
			}
			break
		}
		f, err := p.decimal(t[pos:end])
		if err != nil {
			return 0, 0, err
		}
		if neg {
			f = -f
		}
		return f, end, nil
	}
	if pos > 0 {
		return 0, 0, p.errorf("want a number after %q", t[:pos])
	}
	return 0, 0, p.errorf("unexpected %q: want a number, \"_\" or \"stale\"", t)
}

// badWord explains a word at t[start:] that is not Inf or NaN; first is
// whether it is the term's first value rather than a step.
func (p *valueParser) badWord(t string, start int, word string, first bool) error {
	lower := strings.ToLower(word)
	if (strings.HasPrefix(lower, "inf") || strings.HasPrefix(lower, "nan")) && len(word) > 4 && word[3] == 'x' && allDigits(word[4:]) {
		if first {
			return p.errorf("%q is one word to promtool: write %s+0%s", t, t[:start+3], t[start+3:])
		}
		return p.errorf("step %q: a step cannot be Inf or NaN", word)
	}
	if word == "stale" {
		if first && start == 0 {
			return p.errorf("unexpected %q after \"stale\"", t[len(word):])
		}
		return p.errorf("%q: \"stale\" stands alone; it takes no sign and cannot be a step", t)
	}
	return p.errorf("unknown word %q: want a number, \"_\" or \"stale\"", word)
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return s != ""
}

// decimal converts a decimal literal as promtool does: an integer first
// (base prefixes allowed, so a leading 0 means octal), else a float. A
// literal that reads differently as an integer and as a decimal is refused.
func (p *valueParser) decimal(s string) (float64, error) {
	f, err := strconv.ParseFloat(s, 64)
	if errors.Is(err, strconv.ErrRange) {
		return 0, p.errorf("number %q is out of range", s)
	}
	if err != nil {
		return 0, p.errorf("bad number %q", s)
	}
	if n, err := strconv.ParseInt(s, 0, 64); err == nil && float64(n) != f {
		return 0, p.errorf("number %q is octal to promtool (%d): write %d, or %s without the leading zero", s, n, n, strings.TrimLeft(s, "0_"))
	}
	return f, nil
}

// Format writes values in the notation that Parse reads, compactly: runs
// of missing samples as "_xn", runs of equal values as "axn", and runs of
// equal steps as "a+bxn" or "a-bxn" when shorter than the values one by
// one. Numbers are written exactly (the shortest text that reads back as
// the same float64), and a run is compacted only when promtool's repeated
// addition reproduces each of its values bit for bit, so
// Parse(Format(v)) equals v, with two caveats: every NaN reads back as the
// same NaN, and a Value with Missing or Stale set reads back with V = 0
// (Missing wins over Stale). What it writes, promtool reads the same.
func Format(values []Value) string {
	var b strings.Builder
	for i := 0; i < len(values); {
		if i > 0 {
			b.WriteByte(' ')
		}
		v := values[i]
		switch {
		case v.Missing:
			n := 1
			for i+n < len(values) && values[i+n].Missing {
				n++
			}
			if n == 1 {
				b.WriteString("_")
			} else {
				b.WriteString("_x" + strconv.Itoa(n))
			}
			i += n
		case v.Stale:
			b.WriteString("stale")
			i++
		default:
			text, n := run(values, i)
			b.WriteString(text)
			i += n
		}
	}
	return b.String()
}

// run returns the text for the values from i on, and how many it covers:
// a compact term for a run of equal values or equal steps, or the single
// value at i.
func run(values []Value, i int) (string, int) {
	a := values[i].V
	single := formatNumber(a)

	// Equal values.
	same := 1
	for i+same < len(values) && isNumber(values[i+same]) && sameFloat(values[i+same].V, a) {
		same++
	}
	// Equal steps, replayed by repeated addition as Parse does. The
	// difference of two values is often a shade off the step that made
	// them (0.0010000000000000009 for 0.001); a shorter step that replays
	// as far is written instead.
	stepped, step := 1, 0.0
	if i+1 < len(values) && isNumber(values[i+1]) {
		step = values[i+1].V - a
		if !math.IsInf(step, 0) && !math.IsNaN(step) {
			stepped = replay(values, i, step)
			for prec := 1; prec < 17 && stepped > 2; prec++ {
				short, _ := strconv.ParseFloat(strconv.FormatFloat(step, 'g', prec, 64), 64)
				if short == step {
					break
				}
				if replay(values, i, short) >= stepped {
					step = short
					break
				}
			}
		}
	}

	var text string
	n := same
	switch {
	case same >= stepped && same > 1:
		if math.IsInf(a, 0) || math.IsNaN(a) {
			// "Infx3" is one word to promtool; Inf+0 is Inf, NaN+0 NaN.
			text = single + "+0x" + strconv.Itoa(same-1)
		} else {
			text = single + "x" + strconv.Itoa(same-1)
		}
	case stepped > same:
		n = stepped
		sign := "+"
		if math.Signbit(step) {
			sign, step = "-", -step
		}
		text = single + sign + formatNumber(step) + "x" + strconv.Itoa(stepped-1)
	default:
		return single, 1
	}
	// Worth it only if shorter than the values one by one.
	plain := n - 1
	for j := i; j < i+n; j++ {
		plain += len(formatNumber(values[j].V))
	}
	if len(text) < plain {
		return text, n
	}
	return single, 1
}

// replay returns how many values from i on are values[i].V plus step,
// added again for each, as Parse expands a+bxn.
func replay(values []Value, i int, step float64) int {
	n, x := 1, values[i].V
	for i+n < len(values) && isNumber(values[i+n]) {
		x += step
		if !sameFloat(x, values[i+n].V) {
			break
		}
		n++
	}
	return n
}

// isNumber reports whether v is a sample with a value.
func isNumber(v Value) bool { return !v.Missing && !v.Stale }

// sameFloat reports whether x and y are the same float64, bit for bit, or
// both NaN.
func sameFloat(x, y float64) bool {
	if math.IsNaN(x) || math.IsNaN(y) {
		return math.IsNaN(x) && math.IsNaN(y)
	}
	return math.Float64bits(x) == math.Float64bits(y)
}

// formatNumber writes f as the shortest text that reads back as f: "Inf",
// "-Inf", "NaN", "-0", "1500", "0.25", "1e-07".
func formatNumber(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "Inf"
	case math.IsInf(f, -1):
		return "-Inf"
	case math.IsNaN(f):
		return "NaN"
	}
	plain := strconv.FormatFloat(f, 'f', -1, 64)
	if exp := strconv.FormatFloat(f, 'g', -1, 64); len(exp) < len(plain) {
		return exp
	}
	return plain
}

func isSpace(c byte) bool  { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
func isDigit(c byte) bool  { return '0' <= c && c <= '9' }
func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_' }
