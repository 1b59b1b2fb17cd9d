package dedup

import (
	"strconv"
	"strings"
	"time"
)

// Interval is one firing of a lasting alert, or one occurrence of an
// instant one (Start equal to End).
type Interval struct {
	Start time.Time
	// End is zero while the interval is open: the alert still fires, or its
	// state is unknown.
	End time.Time
}

// Open reports whether the interval has no end yet.
func (iv Interval) Open() bool { return iv.End.IsZero() }

// span is an Interval in unix nanoseconds, end 0 while open: a quarter of
// the size.
type span struct{ start, end int64 }

func (s span) interval() Interval {
	iv := Interval{Start: time.Unix(0, s.start).UTC()}
	if s.end != 0 {
		iv.End = time.Unix(0, s.end).UTC()
	}
	return iv
}

// Intervals is the firing history of an alert in bounded memory: the first
// interval, the most recent ones, and a count of those in between, so that
// an alert that fired a thousand times costs no more than one that fired
// five times.
type Intervals struct {
	first   span
	recent  []span // the latest intervals, oldest first
	omitted int    // intervals dropped between first and recent
	n       int    // intervals in all
	total   int64  // the duration of the closed intervals, in nanoseconds
	keep    int    // how many recent intervals to keep
}

// Len returns how many intervals there were in all.
func (iv *Intervals) Len() int { return iv.n }

// Omitted returns how many intervals between the first and the recent ones
// were summarised away.
func (iv *Intervals) Omitted() int { return iv.omitted }

// First returns the first interval; zero if there is none.
func (iv *Intervals) First() Interval {
	if iv.n == 0 {
		return Interval{}
	}
	return iv.first.interval()
}

// Last returns the latest interval; zero if there is none.
func (iv *Intervals) Last() Interval {
	if iv.n == 0 {
		return Interval{}
	}
	return iv.last().interval()
}

// Kept returns the intervals still known, oldest first: the first, then the
// recent ones. Omitted says how many lie between the first and the rest.
func (iv *Intervals) Kept() []Interval {
	if iv.n == 0 {
		return nil
	}
	out := make([]Interval, 0, 1+len(iv.recent))
	out = append(out, iv.first.interval())
	for _, s := range iv.recent {
		out = append(out, s.interval())
	}
	return out
}

// Total returns how long the alert fired in all intervals, counting an open
// one up to now.
func (iv *Intervals) Total(now time.Time) time.Duration {
	total := iv.total
	if iv.n > 0 && iv.last().end == 0 {
		total += now.UnixNano() - iv.last().start
	}
	return time.Duration(total)
}

// Format writes the intervals with times in layout: "a → b, c → d", an open
// interval as "a → …", and omitted ones as "→ [n] →" after the first:
// "15:09:47 → 15:13:47 → [8] → 17:34:02 → 17:35:32, 17:41:17 → 17:41:47".
func (iv *Intervals) Format(layout string) string {
	if iv.n == 0 {
		return ""
	}
	var b strings.Builder
	write := func(s span) {
		iv := s.interval()
		b.WriteString(iv.Start.Format(layout))
		if s.end == s.start {
			return // an occurrence
		}
		b.WriteString(" → ")
		if iv.Open() {
			b.WriteString("…")
		} else {
			b.WriteString(iv.End.Format(layout))
		}
	}
	write(iv.first)
	for i, s := range iv.recent {
		switch {
		case i == 0 && iv.omitted > 0:
			b.WriteString(" → [" + strconv.Itoa(iv.omitted) + "] → ")
		default:
			b.WriteString(", ")
		}
		write(s)
	}
	return b.String()
}

// String formats the intervals with times as 15:04:05.
func (iv *Intervals) String() string { return iv.Format(time.TimeOnly) }

func (iv *Intervals) last() span {
	if len(iv.recent) > 0 {
		return iv.recent[len(iv.recent)-1]
	}
	return iv.first
}

func (iv *Intervals) setLast(s span) {
	if len(iv.recent) > 0 {
		iv.recent[len(iv.recent)-1] = s
	} else {
		iv.first = s
	}
}

// isOpen reports whether the latest interval is open.
func (iv *Intervals) isOpen() bool { return iv.n > 0 && iv.last().end == 0 }

// add appends an interval, dropping the oldest recent one beyond the limit.
func (iv *Intervals) add(s span) {
	iv.n++
	if iv.n == 1 {
		iv.first = s
		return
	}
	if len(iv.recent) == iv.keep {
		copy(iv.recent, iv.recent[1:])
		iv.recent = iv.recent[:len(iv.recent)-1]
		iv.omitted++
	}
	iv.recent = append(iv.recent, s)
}

// open starts an interval at t.
func (iv *Intervals) open(t time.Time) { iv.add(span{start: t.UnixNano()}) }

// close ends the open interval at t (not before its start).
func (iv *Intervals) close(t time.Time) {
	s := iv.last()
	end := max(t.UnixNano(), s.start)
	if end == 0 {
		end = 1 // zero means open
	}
	s.end = end
	iv.total += s.end - s.start
	iv.setLast(s)
}

// point records an occurrence at t.
func (iv *Intervals) point(t time.Time) { iv.add(span{start: t.UnixNano(), end: t.UnixNano()}) }

// clone returns a copy that shares nothing with iv.
func (iv *Intervals) clone() Intervals {
	c := *iv
	c.recent = append([]span(nil), iv.recent...)
	return c
}
