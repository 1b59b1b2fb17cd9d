package incident

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

// DefaultMaxHistory is how many entries a store keeps of one incident's
// history, unless told otherwise: beyond it, the oldest are folded into one
// EventFolded entry that counts them, so that an incident commented on
// without end stays readable and bounded. Nothing is dropped unsaid: the
// folded entry says how many entries of which kinds, from when to when.
const DefaultMaxHistory = 1000

// HistoryQuery selects a page of an incident's history for
// Store.HistoryPage: the newest Limit entries before Before.
type HistoryQuery struct {
	// Before, when positive, selects the entries whose Seq is below it;
	// zero selects up to the newest. The Seq of a page's first entry is
	// the Before of the page that precedes it.
	Before int64
	// Limit caps the entries of the page; 0 means 100.
	Limit int
}

// DefaultHistoryLimit is the size of a page of history when
// HistoryQuery.Limit is zero.
const DefaultHistoryLimit = 100

// Fold is what an EventFolded entry stands for: older entries of the
// history, folded into it.
type Fold struct {
	// Entries counts them; Kinds counts them by kind.
	Entries int
	Kinds   map[EventKind]int
	// From and To are the times of the first and the last.
	From, To time.Time
}

// FoldHistory folds events, oldest first, into one EventFolded entry at the
// Seq of the first, which counts them — an EventFolded entry among them
// counts for those it stands for. Stores call it when a history outgrows
// its cap (see DefaultMaxHistory); actor is the name alertkit writes
// itself under.
func FoldHistory(events []Event, actor string) Event {
	f := &Fold{Kinds: map[EventKind]int{}}
	for _, e := range events {
		if e.Kind == EventFolded && e.Fold != nil {
			f.Entries += e.Fold.Entries
			for k, n := range e.Fold.Kinds {
				f.Kinds[k] += n
			}
			if f.From.IsZero() || e.Fold.From.Before(f.From) {
				f.From = e.Fold.From
			}
			f.To = later(f.To, e.Fold.To)
			continue
		}
		f.Entries++
		f.Kinds[e.Kind]++
		if f.From.IsZero() || e.At.Before(f.From) {
			f.From = e.At
		}
		f.To = later(f.To, e.At)
	}
	out := Event{Kind: EventFolded, Actor: actor, At: f.To, Fold: f}
	if len(events) > 0 {
		out.Incident, out.Seq = events[0].Incident, events[0].Seq
	}
	out.Note = f.String()
	return out
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// String says what a fold stands for: "1,200 older entries, 2026-11-23
// 09:00 to 12:41 UTC: 1,150 commented, 50 notified".
func (f *Fold) String() string {
	kinds := slices.Sorted(maps.Keys(f.Kinds))
	slices.SortStableFunc(kinds, func(a, b EventKind) int { return f.Kinds[b] - f.Kinds[a] })
	parts := make([]string, 0, len(kinds))
	for _, k := range kinds {
		parts = append(parts, thousands(f.Kinds[k])+" "+string(k))
	}
	return fmt.Sprintf("%s older entries, %s to %s: %s", thousands(f.Entries),
		f.From.UTC().Format("2006-01-02 15:04:05"), f.To.UTC().Format("2006-01-02 15:04:05 UTC"), strings.Join(parts, ", "))
}

// thousands writes n with commas between its thousands.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// FoldPoint says how many of the oldest entries of a history of n entries a
// store with a cap of max folds into one: none while n is within max, else
// enough that a tenth of max is free again, so that folding is rare.
func FoldPoint(n, max int) int {
	if max <= 0 || n <= max {
		return 0
	}
	keep := max - max/10 - 1 // the newest kept, beside the folded entry
	if keep < 1 {
		keep = 1
	}
	return n - keep
}
