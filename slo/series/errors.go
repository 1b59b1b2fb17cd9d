package series

import (
	"errors"
	"fmt"
	"unicode/utf8"
)

// ErrTooManySamples is the reason of a [SyntaxError] whose values would
// expand to more than [MaxSamples] values.
var ErrTooManySamples = errors.New("more than MaxSamples values")

// SyntaxError reports a values string or a series descriptor that cannot be
// read, with where.
//
// In a values string, Term is the number of the space-separated term, from
// 1, and Offset the byte offset where that term starts. In a descriptor,
// Term is 0 and Offset is the byte offset of what is wrong.
type SyntaxError struct {
	// Input is the values string or the descriptor.
	Input string
	// Term is the term's number, from 1; 0 in a descriptor.
	Term int
	// Offset is a byte offset in Input.
	Offset int
	// Msg says what is wrong.
	Msg string
	// Err is ErrTooManySamples when the values are too many, else nil.
	Err error
}

// Error returns `series: "1+2x": term 1 at offset 0: missing count after
// "x"` for values and `series: "up{job=}": at offset 7: ...` for a
// descriptor. An input longer than 64 bytes is cut short in the message.
func (e *SyntaxError) Error() string {
	if e.Term > 0 {
		return fmt.Sprintf("series: %s: term %d at offset %d: %s", quoteShort(e.Input), e.Term, e.Offset, e.Msg)
	}
	return fmt.Sprintf("series: %s: at offset %d: %s", quoteShort(e.Input), e.Offset, e.Msg)
}

// Unwrap returns Err.
func (e *SyntaxError) Unwrap() error { return e.Err }

// quoteShort quotes s, or its first 60 bytes followed by "..." when it is
// longer than 64.
func quoteShort(s string) string {
	const max, keep = 64, 60
	if len(s) <= max {
		return fmt.Sprintf("%q", s)
	}
	cut := keep
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%q...", s[:cut])
}
