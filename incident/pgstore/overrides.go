package pgstore

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/oklog/ulid/v2"

	"github.com/alertkit/alertkit/escalate"
	"github.com/alertkit/alertkit/incident"
)

// Overrides are the overrides of on-call schedules set while the service
// runs — someone covering a layer for a while — kept in the database so
// that every replica's Escalator puts the same person on call. Add and
// Remove change the database; Sync sets the Escalator's schedules from
// it. The overrides of the configuration are not stored: Sync is given
// them.
//
// Overrides are safe for concurrent use.
type Overrides struct {
	s *Store
}

// Overrides returns the schedule overrides kept in the Store's database.
func (s *Store) Overrides() *Overrides { return &Overrides{s: s} }

// Add stores an override of a schedule and returns its ID. It needs a
// layer, a person, and an end after its start; whether the schedule has
// the layer is checked by Sync, which knows the schedules.
func (ov *Overrides) Add(ctx context.Context, schedule string, o escalate.Override) (string, error) {
	switch {
	case schedule == "":
		return "", errors.New("pgstore: override: missing schedule")
	case o.Layer == "":
		return "", fmt.Errorf("pgstore: schedule %s: override: missing layer", schedule)
	case o.Person == "":
		return "", fmt.Errorf("pgstore: schedule %s: override of %s: no person", schedule, o.Layer)
	case o.From.IsZero() || o.To.IsZero():
		return "", fmt.Errorf("pgstore: schedule %s: override of %s: an override needs a start and an end", schedule, o.Layer)
	case !o.To.After(o.From):
		return "", fmt.Errorf("pgstore: schedule %s: override of %s: ends at %s, not after it starts at %s",
			schedule, o.Layer, o.To.Format(time.RFC3339), o.From.Format(time.RFC3339))
	}
	id := ulid.Make().String()
	_, err := ov.s.pool.Exec(ctx, `INSERT INTO alertkit_overrides (schedule, id, layer, person, from_at, to_at, note)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, schedule, id, o.Layer, o.Person, nanos(o.From), nanos(o.To), o.Note)
	if err != nil {
		return "", wrap("add override of "+schedule, err)
	}
	return id, nil
}

// Remove deletes an override of a schedule. An unknown one is an error
// that wraps incident.ErrNotFound.
func (ov *Overrides) Remove(ctx context.Context, schedule, id string) error {
	tag, err := ov.s.pool.Exec(ctx, `DELETE FROM alertkit_overrides WHERE schedule = $1 AND id = $2`, schedule, id)
	if err != nil {
		return wrap("remove override "+id+" of "+schedule, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("pgstore: %w: override %s of schedule %s", incident.ErrNotFound, id, schedule)
	}
	return nil
}

// List returns the stored overrides of a schedule, by start, then by the
// order they were added in.
func (ov *Overrides) List(ctx context.Context, schedule string) ([]escalate.Override, error) {
	stored, err := ov.load(ctx, schedule)
	if err != nil {
		return nil, err
	}
	var out []escalate.Override
	for _, o := range stored[schedule] {
		out = append(out, o.Override)
	}
	return out, nil
}

type storedOverride struct {
	id string
	escalate.Override
}

// load reads the overrides of a schedule, or of every schedule if it is
// empty, each schedule's by start then ID.
func (ov *Overrides) load(ctx context.Context, schedule string) (map[string][]storedOverride, error) {
	query := `SELECT schedule, id, layer, person, from_at, to_at, note FROM alertkit_overrides`
	var args []any
	op := "overrides"
	if schedule != "" {
		query += ` WHERE schedule = $1`
		args = append(args, schedule)
		op = "overrides of " + schedule
	}
	rows, err := ov.s.pool.Query(ctx, query+` ORDER BY schedule, from_at, id`, args...)
	if err != nil {
		return nil, wrap(op, err)
	}
	defer rows.Close()
	out := map[string][]storedOverride{}
	for rows.Next() {
		var name string
		var o storedOverride
		var from, to int64
		if err := rows.Scan(&name, &o.id, &o.Layer, &o.Person, &from, &to, &o.Note); err != nil {
			return nil, wrap(op, err)
		}
		o.From, o.To = fromNanos(from), fromNanos(to)
		out[name] = append(out[name], o)
	}
	return out, wrap(op, rows.Err())
}

// Sync sets the overrides of the Escalator's schedules to those of the
// configuration followed by those stored. base holds the configuration's
// overrides of every schedule Sync sets, by schedule name; list every
// schedule of the configuration, even one without overrides, so that
// removing its last stored override takes effect. The schedules Sync sets
// are those of base, and those with stored overrides that the Escalator
// has; stored overrides of a schedule it does not have (one another
// service runs, or one no longer configured) are left alone.
//
// A schedule whose overrides are unchanged is left as it is. A stored
// override of a layer the schedule does not have is an error that names
// it, and the schedule keeps its overrides; the other schedules are set
// all the same, and the errors joined.
//
// Sync sets no timers: an Escalator that passes the baton at shift
// changes needs StartBaton to be called again for the hand-offs at the
// start and end of an override (see escalate.Escalator.SetOverrides).
func (ov *Overrides) Sync(ctx context.Context, e *escalate.Escalator, base map[string][]escalate.Override) error {
	stored, err := ov.load(ctx, "")
	if err != nil {
		return err
	}
	names := slices.Collect(maps.Keys(base))
	for name := range stored {
		if _, ok := base[name]; ok {
			continue
		}
		if _, ok := e.Schedule(name); ok {
			names = append(names, name)
		}
	}
	slices.Sort(names) // errors in a stable order
	var errs []error
	for _, name := range names {
		if err := setOverrides(e, name, base[name], stored[name]); err != nil {
			errs = append(errs, fmt.Errorf("pgstore: sync overrides: %w", err))
		}
	}
	return errors.Join(errs...)
}

// setOverrides sets a schedule's overrides to base followed by stored, if
// they differ from those it has.
func setOverrides(e *escalate.Escalator, name string, base []escalate.Override, stored []storedOverride) error {
	s, ok := e.Schedule(name)
	if !ok {
		return fmt.Errorf("no schedule %q", name)
	}
	want := slices.Clone(base)
	for _, o := range stored {
		if _, ok := s.Layer(o.Layer); !ok {
			return fmt.Errorf("schedule %s: stored override %s: no layer %q (it has %s)",
				name, o.id, o.Layer, strings.Join(s.LayerNames(), ", "))
		}
		want = append(want, o.Override)
	}
	if slices.EqualFunc(s.Overrides, want, equalOverride) {
		return nil
	}
	return e.SetOverrides(name, want)
}

// equalOverride reports whether two overrides say the same, whatever the
// time zones of their times.
func equalOverride(a, b escalate.Override) bool {
	return a.Layer == b.Layer && a.Person == b.Person && a.Note == b.Note && a.From.Equal(b.From) && a.To.Equal(b.To)
}
