package alert

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Rejection is one alert of a payload that was not taken: its index in the
// payload and why.
type Rejection struct {
	// Index is the alert's index in the payload (0 for a single event
	// object), or in the batch given to an IngestFunc.
	Index int
	// Err says why, naming the field: from a decoder, a *FieldError or
	// *LimitError with the alert's path, as
	// "[3].labels: invalid label name \"1x\"".
	Err error
}

// RejectedError reports the alerts of a payload that were not taken; the
// others were. The decoders return it beside the alerts they did take, and
// an IngestFunc may return it for the alerts of its batch that it could not
// record (see Rejected).
//
// A RejectedError does not unwrap to the errors of its rejections, so that
// errors.As(err, &limitErr) on a decoder's error still means that the
// payload as a whole was refused.
type RejectedError struct {
	// Rejections are the alerts not taken, in index order, each once.
	Rejections []Rejection
	// Total is how many alerts the payload had.
	Total int
}

// maxNamedRejections bounds how many rejections Error names, and
// maxReasonBytes how much of each reason it quotes, so that the answer to a
// payload of thousands of bad alerts stays short enough to read and to log.
const (
	maxNamedRejections = 10
	maxReasonBytes     = 256
)

// Error returns "2 of 5 alerts refused: [1].labels: invalid label name
// \"1x\"; [3].startsAt: missing", naming the first ten rejections and
// counting the rest ("; and 4 more"). A reason that does not name the
// alert's path is given after its index, as "[2]: duplicate key".
func (e *RejectedError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d of %d alerts refused", len(e.Rejections), e.Total)
	for i, r := range e.Rejections {
		if i == maxNamedRejections {
			fmt.Fprintf(&b, "; and %d more", len(e.Rejections)-i)
			break
		}
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		b.WriteString(r.reason())
	}
	return b.String()
}

// reason is the text of one rejection, at most maxReasonBytes long, with the
// alert's path or index first.
func (r Rejection) reason() string {
	var s string
	switch {
	case r.Err == nil:
		s = fmt.Sprintf("[%d]: refused", r.Index)
	case namesPath(r.Err):
		s = r.Err.Error()
	default:
		s = fmt.Sprintf("[%d]: %s", r.Index, r.Err)
	}
	if len(s) <= maxReasonBytes {
		return s
	}
	cut := maxReasonBytes
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}

// namesPath reports whether err, a decoder's error, starts with the path
// of what it is about.
func namesPath(err error) bool {
	switch e := err.(type) {
	case *FieldError:
		return e.Path != ""
	case *LimitError:
		return e.Path != ""
	}
	return false
}

// Rejected returns the error of a batch of len(errs) alerts of which some
// were not taken: errs[i] is why the alert at index i was not, nil when it
// was. It returns nil when every errs[i] is nil, and otherwise a
// *RejectedError. An IngestFunc that records alerts one by one returns it
// to say which of its batch it could not record:
//
//	errs := make([]error, len(alerts))
//	for i := range alerts {
//		errs[i] = store.Put(ctx, &alerts[i])
//	}
//	return alert.Rejected(errs)
//
// The reasons need not name the index: the RejectedError carries it.
func Rejected(errs []error) error {
	var list []Rejection
	for i, err := range errs {
		if err != nil {
			list = append(list, Rejection{Index: i, Err: err})
		}
	}
	return rejected(list, len(errs))
}

// rejected returns a *RejectedError of the alerts in list, or nil when list
// is empty; as an error, so that no nil *RejectedError is ever returned as a
// non-nil error.
func rejected(list []Rejection, total int) error {
	if len(list) == 0 {
		return nil
	}
	return &RejectedError{Rejections: list, Total: total}
}
