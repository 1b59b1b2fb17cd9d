package pgstore

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/alertkit/alertkit/incident"
	"github.com/alertkit/alertkit/internal/worker"
	"github.com/alertkit/alertkit/route"
)

// Silences are the silences of a service, kept in the database so that a
// silence set on one replica mutes on all. Set, Expire and Delete change
// the database; each replica's route.Silences, which checks the alerts,
// follows it through Sync, or Run, which syncs every few seconds. A
// replica's route.Silences is then a copy of the database: set silences
// here, not on it, or the next Sync drops them.
//
// Silences are safe for concurrent use.
type Silences struct {
	s *Store
}

// Silences returns the silences kept in the Store's database.
func (s *Store) Silences() *Silences { return &Silences{s: s} }

// silenceBody is a silence as stored, less its ID and times, which have
// columns of their own.
type silenceBody struct {
	Match          string `json:"match"`
	CreatedBy      string `json:"created_by"`
	Comment        string `json:"comment"`
	NotifyResolved bool   `json:"notify_resolved,omitempty"`
}

// Set adds a silence, or replaces the one of the same ID, and returns it as
// stored. It is checked as route.Silences.Set checks it — a query, an end
// after its start, an author and a comment — and given an ID if it has
// none (a ULID, as route gives); an invalid silence is an error that says
// what is wrong, and nothing is written. The query is checked with the default mql.Parser:
// a Parser's FieldLabels change what a query reads, never whether it
// parses.
func (ss *Silences) Set(ctx context.Context, sil route.Silence) (route.Silence, error) {
	sil, err := route.NewSilences(nil).Set(sil)
	if err != nil {
		return route.Silence{}, fmt.Errorf("pgstore: %w", err)
	}
	body, err := json.Marshal(silenceBody{Match: sil.Match, CreatedBy: sil.CreatedBy, Comment: sil.Comment, NotifyResolved: sil.NotifyResolved})
	if err != nil {
		return route.Silence{}, fmt.Errorf("pgstore: silence %s: %w", sil.ID, err)
	}
	_, err = ss.s.pool.Exec(ctx, `INSERT INTO alertkit_silences (id, starts_at, ends_at, body) VALUES ($1, $2, $3, $4)
		ON CONFLICT (id) DO UPDATE SET starts_at = excluded.starts_at, ends_at = excluded.ends_at, body = excluded.body`,
		sil.ID, nanos(sil.StartsAt), nanos(sil.EndsAt), string(body))
	if err != nil {
		return route.Silence{}, wrap("set silence "+sil.ID, err)
	}
	return sil, nil
}

// Expire ends a silence at t, if it was to end later; one that had not
// begun by t ends when it starts. An unknown ID is an error that wraps
// incident.ErrNotFound.
func (ss *Silences) Expire(ctx context.Context, id string, t time.Time) error {
	at := nanos(t)
	tag, err := ss.s.pool.Exec(ctx, `UPDATE alertkit_silences
		SET ends_at = CASE WHEN starts_at > $2 THEN starts_at ELSE $2 END
		WHERE id = $1 AND ends_at > $2`, id, at)
	if err != nil {
		return wrap("expire silence "+id, err)
	}
	if tag.RowsAffected() > 0 {
		return nil
	}
	var n int
	if err := ss.s.pool.QueryRow(ctx, `SELECT count(*) FROM alertkit_silences WHERE id = $1`, id).Scan(&n); err != nil {
		return wrap("expire silence "+id, err)
	}
	if n == 0 {
		return fmt.Errorf("pgstore: %w: silence %s", incident.ErrNotFound, id)
	}
	return nil // it had ended by t
}

// List returns every silence, by ID.
func (ss *Silences) List(ctx context.Context) ([]route.Silence, error) {
	rows, err := ss.s.pool.Query(ctx, `SELECT id, starts_at, ends_at, body FROM alertkit_silences`)
	if err != nil {
		return nil, wrap("list silences", err)
	}
	defer rows.Close()
	var out []route.Silence
	for rows.Next() {
		var id, data string
		var starts, ends int64
		if err := rows.Scan(&id, &starts, &ends, &data); err != nil {
			return nil, wrap("list silences", err)
		}
		var b silenceBody
		if err := json.Unmarshal([]byte(data), &b); err != nil {
			return nil, fmt.Errorf("pgstore: stored silence %s: %w", id, err)
		}
		out = append(out, route.Silence{
			ID: id, Match: b.Match, StartsAt: fromNanos(starts), EndsAt: fromNanos(ends),
			CreatedBy: b.CreatedBy, Comment: b.Comment, NotifyResolved: b.NotifyResolved,
		})
	}
	if err := rows.Err(); err != nil {
		return nil, wrap("list silences", err)
	}
	// By ID as Go compares strings, whatever the database's collation.
	slices.SortFunc(out, func(a, b route.Silence) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

// Delete deletes the silences that ended before a time, and returns how
// many: garbage collection, which one replica or all may run.
func (ss *Silences) Delete(ctx context.Context, endedBefore time.Time) (int, error) {
	tag, err := ss.s.pool.Exec(ctx, `DELETE FROM alertkit_silences WHERE ends_at < $1`, nanos(endedBefore))
	if err != nil {
		return 0, wrap("delete silences", err)
	}
	return int(tag.RowsAffected()), nil
}

// Sync loads every silence from the database and replaces the set of into
// with them and the base silences — those of the configuration, which
// every replica has of its own (pipeline.File's silences: take them with
// into.List() before the first Sync) — at once (route.Silences.Replace);
// a stored silence of a base silence's ID wins. If a stored silence is
// invalid — changed in the database by hand — into is left as it was and
// the error names the silence.
func (ss *Silences) Sync(ctx context.Context, into *route.Silences, base ...route.Silence) error {
	list, err := ss.List(ctx)
	if err != nil {
		return err
	}
	for _, b := range base {
		if !slices.ContainsFunc(list, func(s route.Silence) bool { return s.ID == b.ID }) {
			list = append(list, b)
		}
	}
	if err := into.Replace(list); err != nil {
		return fmt.Errorf("pgstore: sync silences: %w", err)
	}
	return nil
}

// SyncOptions say how Silences.Run syncs. Every zero field means the
// default.
type SyncOptions struct {
	// Interval is how often it syncs; default 5s.
	Interval time.Duration
	// OnError, if set, hears the errors of a sync.
	OnError func(error)
	// Base are the silences of the configuration, kept as by Sync.
	Base []route.Silence
}

// Run syncs into at once and then every Options.Interval until ctx ends,
// and returns ctx.Err().
func (ss *Silences) Run(ctx context.Context, into *route.Silences, opts *SyncOptions) error {
	var o SyncOptions
	if opts != nil {
		o = *opts
	}
	if o.Interval <= 0 {
		o.Interval = 5 * time.Second
	}
	return worker.Run(ctx, o.Interval, func(ctx context.Context) error { return ss.Sync(ctx, into, o.Base...) }, o.OnError)
}
