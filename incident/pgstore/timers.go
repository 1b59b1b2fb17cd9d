package pgstore

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"

	"github.com/alertkit/alertkit/incident"
)

const setTimer = `INSERT INTO alertkit_timers (timer_key, kind, incident_id, due, data, owner, lease_until, attempts, avail)
	VALUES ($1, $2, $3, $4, $5, '', 0, 0, $4)
	ON CONFLICT (timer_key) DO UPDATE SET kind = excluded.kind, incident_id = excluded.incident_id, due = excluded.due,
		data = excluded.data, owner = '', lease_until = 0, attempts = 0, avail = excluded.due`

// SetTimer creates or reschedules a timer, dropping any claim on it.
func (s *Store) SetTimer(ctx context.Context, t incident.Timer) error {
	_, err := s.pool.Exec(ctx, setTimer, t.Key, t.Kind, string(t.Incident), nanos(t.Due), t.Data)
	return wrap("set timer "+t.Key, err)
}

// CancelTimer removes a timer; cancelling an unknown key is not an error.
func (s *Store) CancelTimer(ctx context.Context, key string) error {
	_, err := s.pool.Exec(ctx, `DELETE FROM alertkit_timers WHERE timer_key = $1`, key)
	return wrap("cancel timer "+key, err)
}

// ClaimTimers leases due timers to a worker, earliest first: of the kinds
// the claim asks for, and none whose key starts with a prefix it skips
// (compared as plain text, so that a prefix's % and _ match only
// themselves). Rows another worker is claiming at the same moment are
// skipped, not waited for (FOR UPDATE SKIP LOCKED), so that replicas
// claiming at once take different timers.
func (s *Store) ClaimTimers(ctx context.Context, c incident.Claim) ([]incident.Timer, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if c.Owner == "" || c.Lease <= 0 {
		return nil, errors.New("pgstore: a claim needs an owner and a positive lease")
	}
	now := nanos(c.Now)
	until := c.Now.Add(c.Lease).UnixNano()
	args := []any{now, cmp.Or(c.Limit, 100), c.Owner, until}
	where := ""
	if len(c.Kinds) > 0 {
		args = append(args, c.Kinds)
		where += fmt.Sprintf(" AND kind = ANY($%d)", len(args))
	}
	for _, prefix := range c.Skip {
		args = append(args, prefix)
		where += fmt.Sprintf(" AND NOT starts_with(timer_key, $%d)", len(args))
	}
	var out []claimed
	err := s.again40001(ctx, func() error {
		rows, err := s.pool.Query(ctx, `WITH due AS (
				SELECT timer_key, avail FROM alertkit_timers WHERE avail <= $1`+where+`
				ORDER BY avail, timer_key LIMIT $2 FOR UPDATE SKIP LOCKED)
			UPDATE alertkit_timers AS t SET owner = $3, lease_until = $4, attempts = t.attempts + 1, avail = $4
			FROM due WHERE t.timer_key = due.timer_key
			RETURNING t.timer_key, t.kind, t.incident_id, t.due, t.data, t.owner, t.lease_until, t.attempts, due.avail`, args...)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (claimed, error) {
			var c claimed
			var id string
			var due, lease int64
			err := r.Scan(&c.t.Key, &c.t.Kind, &id, &due, &c.t.Data, &c.t.Owner, &lease, &c.t.Attempts, &c.was)
			c.t.Incident, c.t.Due, c.t.LeaseUntil = incident.ID(id), fromNanos(due), fromNanos(lease)
			return c, err
		})
		return err
	})
	if err != nil {
		return nil, wrap("claim timers", err)
	}
	slices.SortFunc(out, func(a, b claimed) int {
		return cmp.Or(cmp.Compare(a.was, b.was), cmp.Compare(a.t.Key, b.t.Key))
	})
	timers := make([]incident.Timer, len(out))
	for i, c := range out {
		timers[i] = c.t
	}
	return timers, nil
}

type claimed struct {
	t   incident.Timer
	was int64 // when it was available, for the order of the claim
}

// CompleteTimer removes a claimed timer, if the worker's lease still
// holds; otherwise it fails with incident.ErrLeaseLost.
func (s *Store) CompleteTimer(ctx context.Context, t incident.Timer) error {
	if t.Owner == "" {
		return fmt.Errorf("%w: %s", incident.ErrLeaseLost, t.Key)
	}
	tag, err := s.pool.Exec(ctx, `DELETE FROM alertkit_timers WHERE timer_key = $1 AND owner = $2 AND lease_until = $3`,
		t.Key, t.Owner, nanos(t.LeaseUntil))
	if err != nil {
		return wrap("complete timer "+t.Key, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("%w: %s", incident.ErrLeaseLost, t.Key)
	}
	return nil
}
