package telegram

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxLength is the most characters a Telegram message shows, counted after
// its tags are removed and its entities decoded, in UTF-16 code units as
// Telegram counts them (an emoji outside the Basic Multilingual Plane
// counts as two).
const MaxLength = 4096

// kind is what a token of a message is.
type kind int

const (
	text    kind = iota // characters as they are
	entity              // &lt; &#34; …: one character
	open                // <b>, <a href="…">
	closing             // </b>
)

// token is a piece of a message in Telegram's HTML.
type token struct {
	kind kind
	raw  string // as written in the message
	name string // the tag's name, in lower case
	// width is the visible length in UTF-16 code units, chars in
	// characters.
	width, chars int
}

// tokenize reads a message in Telegram's HTML: text, the four named
// entities and numeric ones, and tags, each closed in order. It does not
// judge tag names: Telegram does, and adds tags now and then.
func tokenize(s string) ([]token, error) {
	var toks []token
	var stack []string
	start := 0 // of the pending text
	flush := func(end int) {
		if end > start {
			w, c := measure(s[start:end])
			toks = append(toks, token{kind: text, raw: s[start:end], width: w, chars: c})
		}
	}
	for i := 0; i < len(s); {
		switch s[i] {
		case '&':
			n, r, err := readEntity(s[i:])
			if err != nil {
				return nil, fmt.Errorf("byte %d: %w", i, err)
			}
			flush(i)
			toks = append(toks, token{kind: entity, raw: s[i : i+n], width: utf16Len(r), chars: 1})
			i += n
			start = i
		case '<':
			n, name, closes, err := readTag(s[i:])
			if err != nil {
				return nil, fmt.Errorf("byte %d: %w", i, err)
			}
			flush(i)
			if closes {
				if len(stack) == 0 {
					return nil, fmt.Errorf("byte %d: </%s> closes nothing", i, name)
				}
				if top := stack[len(stack)-1]; top != name {
					return nil, fmt.Errorf("byte %d: </%s> closes <%s>", i, name, top)
				}
				stack = stack[:len(stack)-1]
				toks = append(toks, token{kind: closing, raw: s[i : i+n], name: name})
			} else {
				stack = append(stack, name)
				toks = append(toks, token{kind: open, raw: s[i : i+n], name: name})
			}
			i += n
			start = i
		case '>':
			return nil, fmt.Errorf("byte %d: a > outside a tag", i)
		default:
			i++
		}
	}
	flush(len(s))
	if len(stack) > 0 {
		return nil, fmt.Errorf("<%s> is not closed", stack[len(stack)-1])
	}
	return toks, nil
}

// readEntity reads the entity at the start of s: &lt;, &gt;, &amp;, &quot;
// or a numeric one; its length and the character it stands for.
func readEntity(s string) (int, rune, error) {
	end := strings.IndexByte(s, ';')
	if end < 0 || end > 12 {
		return 0, 0, fmt.Errorf("an & that starts no entity")
	}
	switch name := s[1:end]; name {
	case "lt":
		return end + 1, '<', nil
	case "gt":
		return end + 1, '>', nil
	case "amp":
		return end + 1, '&', nil
	case "quot":
		return end + 1, '"', nil
	default:
		var v uint64
		var err error
		switch {
		case strings.HasPrefix(name, "#x"), strings.HasPrefix(name, "#X"):
			v, err = strconv.ParseUint(name[2:], 16, 32)
		case strings.HasPrefix(name, "#"):
			v, err = strconv.ParseUint(name[1:], 10, 32)
		default:
			return 0, 0, fmt.Errorf("an & that starts no entity Telegram knows")
		}
		if err != nil || v == 0 || !utf8.ValidRune(rune(v)) {
			return 0, 0, fmt.Errorf("a numeric entity that is no character")
		}
		return end + 1, rune(v), nil
	}
}

// readTag reads the tag at the start of s: its length, its name, and
// whether it closes.
func readTag(s string) (n int, name string, closes bool, err error) {
	i := 1
	if i < len(s) && s[i] == '/' {
		closes = true
		i++
	}
	j := i
	for j < len(s) && (isLetter(s[j]) || j > i && (s[j] == '-' || s[j] >= '0' && s[j] <= '9')) {
		j++
	}
	if j == i {
		return 0, "", false, fmt.Errorf("a < that starts no tag")
	}
	name = strings.ToLower(s[i:j])
	if closes {
		for j < len(s) && isSpace(s[j]) {
			j++
		}
		if j == len(s) || s[j] != '>' {
			return 0, "", false, fmt.Errorf("</%s is not ended by >", name)
		}
		return j + 1, name, true, nil
	}
	// Attributes: name, name=value, name="value", name='value'.
	for j < len(s) {
		switch c := s[j]; {
		case c == '>':
			return j + 1, name, false, nil
		case c == '"' || c == '\'':
			k := strings.IndexByte(s[j+1:], c)
			if k < 0 {
				return 0, "", false, fmt.Errorf("<%s has an unterminated attribute value", name)
			}
			if strings.ContainsRune(s[j+1:j+1+k], '<') {
				return 0, "", false, fmt.Errorf("<%s has a < in an attribute value", name)
			}
			j += k + 2
		case c == '<':
			return 0, "", false, fmt.Errorf("<%s is not ended by >", name)
		default:
			j++
		}
	}
	return 0, "", false, fmt.Errorf("<%s is not ended by >", name)
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isSpace(c byte) bool  { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// utf16Len is how many UTF-16 code units a character takes.
func utf16Len(r rune) int {
	if r >= 0x10000 {
		return 2
	}
	return 1
}

// measure returns the width of text in UTF-16 code units, and its
// characters.
func measure(s string) (width, chars int) {
	for _, r := range s {
		width += utf16Len(r)
		chars++
	}
	return width, chars
}

// blank reports whether a message shows nothing but spaces.
func blank(toks []token) bool {
	for _, t := range toks {
		switch t.kind {
		case text:
			if strings.TrimFunc(t.raw, unicode.IsSpace) != "" {
				return false
			}
		case entity:
			return false
		}
	}
	return true
}

// fit returns a message that Telegram shows in at most limit UTF-16 code
// units. A longer one is cut between characters or entities — at the end
// of a line, or of a word, when one is near — and ends with "…", the tags
// still open closed (those left empty dropped), and a line saying how many
// characters were left out. Lossy says that the notification was cut
// before it was rendered: the count is then a lower bound, and a message
// that fits says so too.
func fit(s string, toks []token, limit int, lossy bool) string {
	total, chars := 0, 0
	for _, t := range toks {
		total += t.width
		chars += t.chars
	}
	if total <= limit && !lossy {
		return s
	}
	if total+measureSuffix(lossy, -1) <= limit {
		return s + suffix(lossy, -1)
	}
	// That suffix is shorter than a count's, so the budget ends inside
	// the message.
	budget := limit - 1 - measureSuffix(lossy, chars) // "…" and the count
	for {
		out := cut(toks, max(budget, 0), chars, lossy)
		if w := width(out); w <= limit || budget <= 0 {
			return out
		}
		budget-- // never reached: the count cannot be longer than chars
	}
}

// suffix is the line that ends a cut message: left characters were left
// out, at least that many if lossy, an unknown number if left < 0.
func suffix(lossy bool, left int) string {
	switch {
	case left < 0:
		return "\n<i>(labels and lists cut)</i>"
	case lossy:
		return "\n<i>(at least " + strconv.Itoa(left) + " more characters)</i>"
	default:
		return "\n<i>(" + strconv.Itoa(left) + " more characters)</i>"
	}
}

// measureSuffix is the width of a suffix.
func measureSuffix(lossy bool, left int) int {
	return width(suffix(lossy, left))
}

// width is the visible width of a message this package made.
func width(s string) int {
	toks, err := tokenize(s)
	if err != nil {
		return math.MaxInt
	}
	w := 0
	for _, t := range toks {
		w += t.width
	}
	return w
}

// A point in a message: before byte off of token tok.
type point struct{ tok, off, width int }

// cut keeps the first budget code units of a message of chars characters.
func cut(toks []token, budget, chars int, lossy bool) string {
	// Find where the budget ends, and the last line end and word end
	// before it.
	end, line, word := point{len(toks), 0, 0}, point{-1, 0, 0}, point{-1, 0, 0}
	w := 0
scan:
	for i, t := range toks {
		switch t.kind {
		case entity:
			if w+t.width > budget {
				end = point{i, 0, w}
				break scan
			}
			w += t.width
		case text:
			for off, r := range t.raw {
				if r == '\n' {
					line = point{i, off, w}
				} else if r == ' ' {
					word = point{i, off, w}
				}
				if w+utf16Len(r) > budget {
					end = point{i, off, w}
					break scan
				}
				w += utf16Len(r)
			}
		}
	}
	switch {
	case line.tok >= 0 && line.width >= budget-budget/8:
		end = line
	case word.tok >= 0 && word.width >= budget-budget/32:
		end = word
	}

	type opened struct {
		name  string
		at    int // where its tag starts in b
		shown int // the width kept when it opened
	}
	var (
		b     strings.Builder
		stack []opened
		kept  int // characters
		shown int // width
	)
	for i := 0; i < end.tok; i++ {
		t := toks[i]
		switch t.kind {
		case open:
			stack = append(stack, opened{t.name, b.Len(), shown})
		case closing:
			stack = stack[:len(stack)-1]
		}
		b.WriteString(t.raw)
		kept += t.chars
		shown += t.width
	}
	if end.tok < len(toks) && toks[end.tok].kind == text {
		part := toks[end.tok].raw[:end.off]
		w, c := measure(part)
		b.WriteString(part)
		kept += c
		shown += w
	}
	out := b.String()
	// Tags opened with nothing in them yet are dropped, the others closed
	// after the ellipsis.
	for len(stack) > 0 && stack[len(stack)-1].shown == shown {
		out = out[:stack[len(stack)-1].at]
		stack = stack[:len(stack)-1]
	}
	trimmed := strings.TrimRightFunc(out, unicode.IsSpace)
	kept -= utf8.RuneCountInString(out[len(trimmed):])
	out = trimmed + "…"
	for i := len(stack) - 1; i >= 0; i-- {
		out += "</" + stack[i].name + ">"
	}
	return out + suffix(lossy, chars-kept)
}
