package route

import (
	"crypto/rand"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/oklog/ulid/v2"

	"github.com/alertkit/alertkit/mql"
)

// Silence mutes the alerts its query selects, from StartsAt until EndsAt:
// they are recorded and grouped as usual, but nobody is notified.
type Silence struct {
	// ID identifies the silence; Silences.Set gives one if empty.
	ID string
	// Match is the MQL query of the silenced alerts. It may not be empty.
	Match              string
	StartsAt, EndsAt   time.Time
	CreatedBy, Comment string
	// NotifyResolved lets the resolved notification of a silenced alert go
	// out: the silence mutes the alert while it fires, not the news that it
	// is over (Alertmanager's long-standing request #226).
	NotifyResolved bool
}

// Active reports whether the silence is in force at t.
func (s *Silence) Active(t time.Time) bool { return !t.Before(s.StartsAt) && t.Before(s.EndsAt) }

// mutes reports whether the silence, in force, mutes a subject at t.
func (s *silence) mutes(subject mql.Subject, t time.Time) bool {
	if !s.Active(t) || !s.query.Match(subject) {
		return false
	}
	if s.NotifyResolved {
		if v, ok := subject.Field(0, mql.FieldState); ok && v.Str == "resolved" {
			return false
		}
	}
	return true
}

// Silences holds the silences of a service. It is safe for concurrent use;
// checking an alert is lock-free and, through an index of the silences'
// equalities, does not test every silence.
type Silences struct {
	parser *mql.Parser
	mu     sync.Mutex // serialises writers
	all    map[string]*silence
	snap   atomic.Pointer[silenceSet] // nil when a write made it stale
}

type silence struct {
	Silence
	query *mql.Query
}

type silenceSet struct {
	list  []*silence
	index *index
}

// NewSilences returns an empty set of silences whose queries parser reads
// (nil for the default Parser).
func NewSilences(parser *mql.Parser) *Silences {
	if parser == nil {
		parser = &mql.Parser{}
	}
	return &Silences{parser: parser, all: map[string]*silence{}}
}

// Set adds a silence, or replaces the one of the same ID, and returns it as
// stored. A silence needs a query, an end after its start, an author and a
// comment, as Alertmanager requires.
func (s *Silences) Set(sil Silence) (Silence, error) {
	q, err := s.check(&sil)
	if err != nil {
		return Silence{}, err
	}
	if sil.ID == "" {
		sil.ID = newSilenceID(sil.StartsAt)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.all[sil.ID] = &silence{Silence: sil, query: q}
	s.snap.Store(nil)
	return sil, nil
}

// newSilenceID returns a ULID of a silence's start; of now for a start a
// ULID cannot hold (before 1970).
func newSilenceID(start time.Time) string {
	id, err := ulid.New(ulid.Timestamp(start), rand.Reader)
	if err != nil {
		id = ulid.Make()
	}
	return id.String()
}

func (s *Silences) check(sil *Silence) (*mql.Query, error) {
	what := "silence"
	if sil.ID != "" {
		what += " " + sil.ID
	}
	switch {
	case strings.TrimSpace(sil.Match) == "":
		return nil, fmt.Errorf("%s: empty match: a silence must say which alerts it mutes", what)
	case sil.StartsAt.IsZero() || sil.EndsAt.IsZero():
		return nil, fmt.Errorf("%s: a silence needs a start and an end", what)
	case !sil.EndsAt.After(sil.StartsAt):
		return nil, fmt.Errorf("%s: ends at %s, not after it starts at %s", what,
			sil.EndsAt.Format(time.RFC3339), sil.StartsAt.Format(time.RFC3339))
	case strings.TrimSpace(sil.CreatedBy) == "":
		return nil, fmt.Errorf("%s: missing author (CreatedBy)", what)
	case strings.TrimSpace(sil.Comment) == "":
		return nil, fmt.Errorf("%s: missing comment: say why", what)
	}
	q, err := s.parser.Parse(sil.Match)
	if err != nil {
		return nil, fmt.Errorf("%s: mql: %w", what, err)
	}
	if q.Match(mql.Labels{}) {
		// As Alertmanager refuses a silence whose every matcher matches
		// the empty string: it would mute every alert, or nearly.
		return nil, fmt.Errorf("%s: %q matches an alert with no labels at all, so it would mute every alert or nearly: name what it mutes", what, sil.Match)
	}
	return q, nil
}

// Replace checks every silence of list as Set does and, if every one
// passes, replaces the whole set with them at once: a check sees the old
// set or the new one, never a mix. If one fails, or two share an ID, the
// set is left as it was and the error names the silence. A silence without
// an ID is given one, as by Set. Replace is for replicas that load the set
// from a database; a silence unchanged since the last Replace is not parsed
// again, and a list equal to the set leaves it as it is.
func (s *Silences) Replace(list []Silence) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	all := make(map[string]*silence, len(list))
	same := len(list) == len(s.all)
	for i, sil := range list {
		if old, ok := s.all[sil.ID]; ok && sil.ID != "" && equalSilence(&old.Silence, &sil) {
			if _, dup := all[sil.ID]; dup {
				return fmt.Errorf("silence %s: listed twice", sil.ID)
			}
			all[sil.ID] = old
			continue
		}
		same = false
		q, err := s.check(&sil)
		if err != nil {
			if sil.ID == "" {
				return fmt.Errorf("item %d: %w", i, err)
			}
			return err
		}
		if sil.ID == "" {
			sil.ID = newSilenceID(sil.StartsAt)
		}
		if _, dup := all[sil.ID]; dup {
			return fmt.Errorf("silence %s: listed twice", sil.ID)
		}
		all[sil.ID] = &silence{Silence: sil, query: q}
	}
	if same {
		return nil // every silence is one the set has: nothing to rebuild
	}
	s.all = all
	s.snap.Store(nil)
	return nil
}

// equalSilence reports whether two silences say the same, whatever the
// time zones of their times.
func equalSilence(a, b *Silence) bool {
	return a.ID == b.ID && a.Match == b.Match && a.StartsAt.Equal(b.StartsAt) && a.EndsAt.Equal(b.EndsAt) &&
		a.CreatedBy == b.CreatedBy && a.Comment == b.Comment && a.NotifyResolved == b.NotifyResolved
}

// Expire ends a silence at t, if it was to end later.
func (s *Silences) Expire(id string, t time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	sil, ok := s.all[id]
	if !ok {
		return fmt.Errorf("silence %s: not found", id)
	}
	if sil.EndsAt.After(t) {
		c := *sil
		c.EndsAt = t
		if t.Before(c.StartsAt) {
			c.EndsAt = c.StartsAt // expired before it began
		}
		s.all[id] = &c
		s.snap.Store(nil)
	}
	return nil
}

// Delete forgets silences that ended before t: garbage collection.
func (s *Silences) Delete(endedBefore time.Time) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for id, sil := range s.all {
		if sil.EndsAt.Before(endedBefore) {
			delete(s.all, id)
			n++
		}
	}
	if n > 0 {
		s.snap.Store(nil)
	}
	return n
}

// List returns every silence, by ID.
func (s *Silences) List() []Silence {
	set := s.current()
	out := make([]Silence, len(set.list))
	for i, sil := range set.list {
		out[i] = sil.Silence
	}
	return out
}

// current returns the snapshot, rebuilding it after a write.
func (s *Silences) current() *silenceSet {
	if set := s.snap.Load(); set != nil {
		return set
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if set := s.snap.Load(); set != nil {
		return set
	}
	set := &silenceSet{}
	ids := make([]string, 0, len(s.all))
	for id := range s.all {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	queries := make([]*mql.Query, len(ids))
	for i, id := range ids {
		set.list = append(set.list, s.all[id])
		queries[i] = s.all[id].query
	}
	set.index = newIndex(queries, s.parser)
	s.snap.Store(set)
	return set
}

// Mutes returns the ID of a silence in force at t that mutes the subject. A
// silence with NotifyResolved does not mute a subject whose state is
// resolved.
func (s *Silences) Mutes(subject mql.Subject, t time.Time) (string, bool) {
	set := s.current()
	var buf [16]int32
	for _, i := range set.index.candidates(subject, buf[:0]) {
		if sil := set.list[i]; sil.mutes(subject, t) {
			return sil.ID, true
		}
	}
	return "", false
}

// Muting returns the IDs of every silence in force at t that mutes the
// subject.
func (s *Silences) Muting(subject mql.Subject, t time.Time) []string {
	set := s.current()
	var ids []string
	for _, i := range set.index.candidates(subject, nil) {
		if sil := set.list[i]; sil.mutes(subject, t) {
			ids = append(ids, sil.ID)
		}
	}
	return ids
}
