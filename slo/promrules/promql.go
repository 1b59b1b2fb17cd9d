package promrules

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/prometheus/common/model"

	"github.com/alertkit/alertkit/slo"
)

// Placeholder is where a query's range goes: rate(x[{{.window}}]). Spaces
// inside the braces are allowed, as Sloth's templates allow them.
const Placeholder = "{{.window}}"

var placeholderRE = regexp.MustCompile(`\{\{\s*\.window\s*\}\}`)

// expand puts a window's duration where the placeholders are.
func expand(query string, window string) string {
	return placeholderRE.ReplaceAllLiteralString(strings.TrimSpace(query), window)
}

// checkQuery is the light sanity check of a query with placeholders: it
// has one, no other template action, and its brackets, parentheses, braces
// and quotes are balanced. Errors give byte offsets into the query.
func checkQuery(q string) error {
	if strings.TrimSpace(q) == "" {
		return errors.New("missing")
	}
	locs := placeholderRE.FindAllStringIndex(q, -1)
	if len(locs) == 0 {
		return errors.New("no " + Placeholder + " where the range goes, as in rate(x[" + Placeholder + "])")
	}
	// Mask the placeholders with a duration of the same length, so that
	// offsets stay those of the query as written.
	masked := []byte(q)
	for _, l := range locs {
		copy(masked[l[0]:l[1]], "5m"+strings.Repeat(" ", l[1]-l[0]-2))
	}
	if i := strings.Index(string(masked), "{{"); i >= 0 {
		action := string(masked[i:])
		if j := strings.Index(action, "}}"); j >= 0 {
			action = action[:j+2]
		}
		return fmt.Errorf("offset %d: unknown template action %q: only %s is replaced", i, cut(action, 40), Placeholder)
	}
	return balanced(string(masked))
}

// checkPlain checks a query without placeholders: balanced, and none of
// them.
func checkPlain(q string) error {
	if strings.TrimSpace(q) == "" {
		return errors.New("missing")
	}
	if i := strings.Index(q, "{{"); i >= 0 {
		return fmt.Errorf("offset %d: unexpected template action", i)
	}
	return balanced(q)
}

// balanced checks that brackets, parentheses and braces pair up outside
// strings and comments, and that every string is closed.
func balanced(s string) error {
	type open struct {
		c  byte
		at int
	}
	var stack []open
	closer := map[byte]byte{'(': ')', '[': ']', '{': '}'}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"', '\'', '`':
			end := stringEnd(s, i)
			if end < 0 {
				return fmt.Errorf("offset %d: string opened by %s is never closed", i, quoteChar(c))
			}
			i = end
		case '#':
			for i < len(s) && s[i] != '\n' {
				i++
			}
		case '(', '[', '{':
			stack = append(stack, open{c, i})
		case ')', ']', '}':
			if len(stack) == 0 {
				return fmt.Errorf("offset %d: %q closes nothing", i, string(c))
			}
			top := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if closer[top.c] != c {
				return fmt.Errorf("offset %d: %q does not close the %q opened at offset %d", i, string(c), string(top.c), top.at)
			}
		}
	}
	if len(stack) > 0 {
		top := stack[len(stack)-1]
		return fmt.Errorf("offset %d: %q is never closed", top.at, string(top.c))
	}
	return nil
}

func quoteChar(c byte) string {
	switch c {
	case '"':
		return "a double quote"
	case '\'':
		return "a single quote"
	}
	return "a backquote"
}

// stringEnd returns the offset of the quote that closes the string opened
// at s[i], or -1. Double- and single-quoted strings have backslash escapes
// and end at a line's end; backquoted ones have neither.
func stringEnd(s string, i int) int {
	q := s[i]
	for j := i + 1; j < len(s); j++ {
		switch {
		case s[j] == q:
			return j
		case q == '`':
		case s[j] == '\\':
			j++
		case s[j] == '\n':
			return -1
		}
	}
	return -1
}

// promDuration writes a window as a PromQL duration: "5m", "1d", "1h30m".
func promDuration(d time.Duration) (string, error) {
	if d <= 0 || d%time.Millisecond != 0 {
		return "", fmt.Errorf("duration %s: want a positive whole number of milliseconds", d)
	}
	s := slo.FormatDuration(d)
	if back, err := model.ParseDuration(s); err != nil || time.Duration(back) != d {
		return "", fmt.Errorf("duration %s: cannot be written in PromQL", d)
	}
	return s, nil
}

// rateQuery turns a query without placeholders — an OpenSLO counter query —
// into one with them:
//
//   - a query with {{.window}} is used as written;
//   - a vector selector, name{matchers}, becomes sum(rate(name{matchers}[{{.window}}]));
//   - sum of one, with or without a by or without clause, becomes the same
//     sum of its rate: sum by (code) (rate(name{matchers}[{{.window}}])).
//
// Anything else is refused, saying why.
func rateQuery(q string) (string, error) {
	q = strings.TrimSpace(q)
	if placeholderRE.MatchString(q) {
		return q, checkQuery(q)
	}
	if err := checkPlain(q); err != nil {
		return "", err
	}
	if n := selectorLen(q, 0); n == len(q) && n > 0 {
		return "sum(rate(" + q + "[" + Placeholder + "]))", nil
	}
	if s, ok := sumOfSelector(q); ok {
		return s, nil
	}
	if i := rangeAt(q); i >= 0 {
		return "", fmt.Errorf("offset %d: the query has its own range; alertkit needs one per alerting window: write it as [%s], as in sum(rate(x[%s]))", i, Placeholder, Placeholder)
	}
	return "", fmt.Errorf("alertkit can make a rate over each window only of a counter's selector, such as http_requests_total{code!~\"5..\"}, or the sum of one; for other queries write the range as [%s]", Placeholder)
}

// rangeAt returns the offset of the first "[" outside strings, or -1.
func rangeAt(q string) int {
	for i := 0; i < len(q); i++ {
		switch q[i] {
		case '"', '\'', '`':
			if e := stringEnd(q, i); e > 0 {
				i = e
			}
		case '[':
			return i
		}
	}
	return -1
}

// sumOfSelector recognises sum [by|without (labels)] (selector) [by|without
// (labels)] and returns the sum of its rate.
func sumOfSelector(q string) (string, bool) {
	i := skipSpace(q, 0)
	if !strings.HasPrefix(q[i:], "sum") {
		return "", false
	}
	i = skipSpace(q, i+3)
	grouping, i, ok := groupingClause(q, i)
	if !ok || i >= len(q) || q[i] != '(' {
		return "", false
	}
	start := skipSpace(q, i+1)
	n := selectorLen(q, start)
	if n == 0 {
		return "", false
	}
	sel := q[start : start+n]
	i = skipSpace(q, start+n)
	if i >= len(q) || q[i] != ')' {
		return "", false
	}
	i = skipSpace(q, i+1)
	if grouping == "" {
		grouping, i, ok = groupingClause(q, i)
		if !ok {
			return "", false
		}
	}
	if i != len(q) {
		return "", false
	}
	if grouping == "" {
		return "sum(rate(" + sel + "[" + Placeholder + "]))", true
	}
	return "sum " + grouping + " (rate(" + sel + "[" + Placeholder + "]))", true
}

// groupingClause reads an optional "by (a, b)" or "without (a)" at q[i:]
// and returns it normalised, and the offset after it and its spaces.
func groupingClause(q string, i int) (string, int, bool) {
	var kw string
	for _, k := range []string{"by", "without"} {
		if strings.HasPrefix(q[i:], k) && (i+len(k) == len(q) || !isNameChar(q[i+len(k)])) {
			kw = k
		}
	}
	if kw == "" {
		return "", i, true
	}
	i = skipSpace(q, i+len(kw))
	if i >= len(q) || q[i] != '(' {
		return "", i, false
	}
	end := strings.IndexByte(q[i:], ')')
	if end < 0 {
		return "", i, false
	}
	var names []string
	for name := range strings.SplitSeq(q[i+1:i+end], ",") {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		if !model.LegacyValidation.IsValidLabelName(name) {
			return "", i, false
		}
		names = append(names, name)
	}
	return kw + " (" + strings.Join(names, ", ") + ")", skipSpace(q, i+end+1), true
}

// selectorLen returns the length of the vector selector at q[i:] —
// name, name{matchers} or {matchers} — or 0 if there is none.
func selectorLen(q string, i int) int {
	j := i
	for j < len(q) && (isNameChar(q[j]) || q[j] == ':') {
		if j == i && q[j] >= '0' && q[j] <= '9' {
			return 0
		}
		j++
	}
	name := q[i:j]
	if name != "" && !model.LegacyValidation.IsValidMetricName(name) {
		return 0
	}
	switch name {
	case "sum", "rate", "by", "without", "and", "or", "unless", "offset", "bool", "on", "ignoring":
		return 0
	}
	k := skipSpace(q, j)
	if k >= len(q) || q[k] != '{' {
		if name == "" {
			return 0
		}
		return j - i
	}
	n := matchersLen(q, k)
	if n == 0 {
		return 0
	}
	if name == "" && n == 2 { // {} selects nothing
		return 0
	}
	return k + n - i
}

// matchersLen returns the length of {l="v", m=~"w"} at q[i:], or 0.
func matchersLen(q string, i int) int {
	j := skipSpace(q, i+1)
	for {
		if j < len(q) && q[j] == '}' {
			return j + 1 - i
		}
		start := j
		for j < len(q) && isNameChar(q[j]) {
			j++
		}
		if !model.LegacyValidation.IsValidLabelName(q[start:j]) {
			return 0
		}
		j = skipSpace(q, j)
		switch {
		case strings.HasPrefix(q[j:], "=~"), strings.HasPrefix(q[j:], "!="), strings.HasPrefix(q[j:], "!~"):
			j += 2
		case strings.HasPrefix(q[j:], "="):
			j++
		default:
			return 0
		}
		j = skipSpace(q, j)
		if j >= len(q) || (q[j] != '"' && q[j] != '\'' && q[j] != '`') {
			return 0
		}
		end := stringEnd(q, j)
		if end < 0 {
			return 0
		}
		j = skipSpace(q, end+1)
		if j < len(q) && q[j] == ',' {
			j = skipSpace(q, j+1)
			continue
		}
		if j < len(q) && q[j] == '}' {
			return j + 1 - i
		}
		return 0
	}
}

func isNameChar(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func skipSpace(q string, i int) int {
	for i < len(q) && (q[i] == ' ' || q[i] == '\t' || q[i] == '\n' || q[i] == '\r') {
		i++
	}
	return i
}

// cut shortens s to about n bytes, at a character's start, for an error
// message.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
