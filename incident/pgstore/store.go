package pgstore

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/prometheus/common/model"

	"github.com/alertkit/alertkit/incident"
)

var _ incident.Store = (*Store)(nil)

// joinedStride spaces the join order of the members written by one update
// of an incident: member i of the write that makes version v joins at
// v*joinedStride + i, after every member of the earlier versions.
const joinedStride = 1 << 32

// Create stores a new incident and writes w with it.
func (s *Store) Create(ctx context.Context, inc *incident.Incident, w incident.Write) error {
	body, err := encodeIncident(inc)
	if err != nil {
		return fmt.Errorf("pgstore: create: %w", err)
	}
	err = s.tx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO alertkit_incidents
			(id, group_key, active_group, status, created_at, signature, version, events, body)
			VALUES ($1, $2, $3, $4, $5, $6, 1, 0, $7)`,
			string(inc.ID), inc.GroupKey, activeGroup(inc), inc.Status.String(), nanos(inc.CreatedAt), signature(inc.Signature()), body)
		switch {
		case uniqueViolation(err, "alertkit_incidents_pkey"):
			return fmt.Errorf("%w: %s", incident.ErrExists, inc.ID)
		case uniqueViolation(err, "alertkit_incidents_active"):
			return fmt.Errorf("%w: %s", incident.ErrGroupActive, inc.GroupKey)
		case err != nil:
			return err
		}
		return s.write(ctx, tx, inc.ID, 1, w)
	})
	if err != nil {
		return wrap("create incident "+string(inc.ID), err)
	}
	inc.Version = 1
	return nil
}

func activeGroup(inc *incident.Incident) *string {
	if inc.Status.Active() {
		return &inc.GroupKey
	}
	return nil
}

// write applies what an update writes besides the incident, in its
// transaction: the incident's row is locked by then, which orders the
// members and the history of concurrent writers.
func (s *Store) write(ctx context.Context, tx pgx.Tx, id incident.ID, version int64, w incident.Write) error {
	batch := &pgx.Batch{}
	for i := range w.Members {
		m := &w.Members[i]
		body, err := encodeMember(m)
		if err != nil {
			return err
		}
		batch.Queue(`INSERT INTO alertkit_members (incident_id, fingerprint, joined, body) VALUES ($1, $2, $3, $4)
			ON CONFLICT (incident_id, fingerprint) DO UPDATE SET body = excluded.body`,
			string(id), int64(m.Fingerprint), version*joinedStride+int64(i), body)
	}
	if len(w.Events) > 0 {
		if err := s.queueEvents(ctx, tx, batch, id, w.Events); err != nil {
			return err
		}
	}
	for _, t := range w.Timers {
		queueTimer(batch, t)
	}
	if len(w.Cancel) > 0 {
		batch.Queue(`DELETE FROM alertkit_timers WHERE timer_key = ANY($1)`, w.Cancel)
	}
	if batch.Len() == 0 {
		return nil
	}
	return tx.SendBatch(ctx, batch).Close()
}

// queueEvents numbers events after the incident's history, counting them in
// its row, and queues their insertion.
func (s *Store) queueEvents(ctx context.Context, tx pgx.Tx, batch *pgx.Batch, id incident.ID, events []incident.Event) error {
	var last int64
	err := tx.QueryRow(ctx, `UPDATE alertkit_incidents SET events = events + $2 WHERE id = $1 RETURNING events`,
		string(id), len(events)).Scan(&last)
	if errors.Is(err, pgx.ErrNoRows) {
		return notFound(id)
	}
	if err != nil {
		return err
	}
	first := last - int64(len(events)) + 1
	for i := range events {
		body, err := encodeEvent(&events[i])
		if err != nil {
			return err
		}
		batch.Queue(`INSERT INTO alertkit_history (incident_id, seq, body) VALUES ($1, $2, $3)`, string(id), first+int64(i), body)
	}
	return nil
}

// signature is how an incident's signature is stored and compared: its
// SHA-256, which a TEXT column takes whatever the labels hold.
func signature(sig string) string {
	sum := sha256.Sum256([]byte(sig))
	return hex.EncodeToString(sum[:16])
}

func notFound(id incident.ID) error { return fmt.Errorf("%w: incident %s", incident.ErrNotFound, id) }

// Get returns an incident.
func (s *Store) Get(ctx context.Context, id incident.ID) (*incident.Incident, error) {
	var body string
	var version int64
	err := s.pool.QueryRow(ctx, `SELECT body, version FROM alertkit_incidents WHERE id = $1`, string(id)).Scan(&body, &version)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound(id)
	}
	if err != nil {
		return nil, wrap("get incident "+string(id), err)
	}
	inc, err := decodeIncident(body, version)
	return inc, wrap("get incident "+string(id), err)
}

// Update replaces an incident and writes w, if inc.Version is the stored
// version.
func (s *Store) Update(ctx context.Context, inc *incident.Incident, w incident.Write) error {
	body, err := encodeIncident(inc)
	if err != nil {
		return fmt.Errorf("pgstore: update: %w", err)
	}
	err = s.tx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE alertkit_incidents SET active_group = $3, status = $4, signature = $5, version = version + 1, body = $6
			WHERE id = $1 AND version = $2 AND group_key = $7`,
			string(inc.ID), inc.Version, activeGroup(inc), inc.Status.String(), signature(inc.Signature()), body, inc.GroupKey)
		if uniqueViolation(err, "alertkit_incidents_active") {
			return fmt.Errorf("%w: %s", incident.ErrGroupActive, inc.GroupKey)
		}
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return s.whyNotUpdated(ctx, tx, inc)
		}
		return s.write(ctx, tx, inc.ID, inc.Version+1, w)
	})
	if err != nil {
		return wrap("update incident "+string(inc.ID), err)
	}
	inc.Version++
	return nil
}

// whyNotUpdated tells a missing incident, a stale version and a changed
// group key apart.
func (s *Store) whyNotUpdated(ctx context.Context, tx pgx.Tx, inc *incident.Incident) error {
	var stored int64
	var group string
	err := tx.QueryRow(ctx, `SELECT version, group_key FROM alertkit_incidents WHERE id = $1`, string(inc.ID)).Scan(&stored, &group)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return notFound(inc.ID)
	case err != nil:
		return err
	case stored != inc.Version:
		return &incident.ConflictError{ID: inc.ID, Have: inc.Version, Stored: stored}
	case group != inc.GroupKey:
		return fmt.Errorf("incident %s: the group key cannot change", inc.ID)
	}
	return fmt.Errorf("incident %s: not updated", inc.ID)
}

// LatestByGroup returns the newest incident of a group.
func (s *Store) LatestByGroup(ctx context.Context, groupKey string) (*incident.Incident, error) {
	var body string
	var version int64
	err := s.pool.QueryRow(ctx, `SELECT body, version FROM alertkit_incidents WHERE group_key = $1 ORDER BY id DESC LIMIT 1`,
		groupKey).Scan(&body, &version)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("%w: no incident of group %s", incident.ErrNotFound, groupKey)
	}
	if err != nil {
		return nil, wrap("latest of group "+groupKey, err)
	}
	inc, err := decodeIncident(body, version)
	return inc, wrap("latest of group "+groupKey, err)
}

// Member returns one member of an incident.
func (s *Store) Member(ctx context.Context, id incident.ID, fp model.Fingerprint) (*incident.Member, error) {
	var body string
	err := s.pool.QueryRow(ctx, `SELECT body FROM alertkit_members WHERE incident_id = $1 AND fingerprint = $2`,
		string(id), int64(fp)).Scan(&body)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("%w: alert %s in incident %s", incident.ErrNotFound, fp, id)
	}
	if err != nil {
		return nil, wrap("member of "+string(id), err)
	}
	m, err := decodeMember(body)
	if err != nil {
		return nil, wrap("member of "+string(id), err)
	}
	return &m, nil
}

// Members returns the members of an incident, in the order they joined.
func (s *Store) Members(ctx context.Context, id incident.ID) ([]incident.Member, error) {
	out, err := s.members(ctx, s.pool, id)
	if err != nil {
		return nil, wrap("members of "+string(id), err)
	}
	if len(out) == 0 {
		if err := s.exists(ctx, id); err != nil {
			return nil, err
		}
	}
	return out, nil
}

type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

func (s *Store) members(ctx context.Context, q querier, id incident.ID) ([]incident.Member, error) {
	rows, err := q.Query(ctx, `SELECT body FROM alertkit_members WHERE incident_id = $1 ORDER BY joined`, string(id))
	if err != nil {
		return nil, err
	}
	out := []incident.Member{}
	for rows.Next() {
		var body string
		if err := rows.Scan(&body); err != nil {
			rows.Close()
			return nil, err
		}
		m, err := decodeMember(body)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

func (s *Store) exists(ctx context.Context, id incident.ID) error {
	var n int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM alertkit_incidents WHERE id = $1`, string(id)).Scan(&n); err != nil {
		return wrap("incident "+string(id), err)
	}
	if n == 0 {
		return notFound(id)
	}
	return nil
}

// AppendHistory appends to an incident's history without changing it.
func (s *Store) AppendHistory(ctx context.Context, id incident.ID, events ...incident.Event) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(events) == 0 {
		return s.exists(ctx, id)
	}
	err := s.tx(ctx, func(tx pgx.Tx) error {
		batch := &pgx.Batch{}
		if err := s.queueEvents(ctx, tx, batch, id, events); err != nil {
			return err
		}
		return tx.SendBatch(ctx, batch).Close()
	})
	return wrap("history of "+string(id), err)
}

// History returns an incident's history, oldest first.
func (s *Store) History(ctx context.Context, id incident.ID) ([]incident.Event, error) {
	rows, err := s.pool.Query(ctx, `SELECT seq, body FROM alertkit_history WHERE incident_id = $1 ORDER BY seq`, string(id))
	if err != nil {
		return nil, wrap("history of "+string(id), err)
	}
	var out []incident.Event
	for rows.Next() {
		var seq int64
		var body string
		if err := rows.Scan(&seq, &body); err != nil {
			rows.Close()
			return nil, wrap("history of "+string(id), err)
		}
		e, err := decodeEvent(id, seq, body)
		if err != nil {
			rows.Close()
			return nil, wrap("history of "+string(id), err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, wrap("history of "+string(id), err)
	}
	if len(out) == 0 {
		if err := s.exists(ctx, id); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// searchPage is how many incidents a search reads at a time.
const searchPage = 500

// Search returns the incidents a filter selects, newest first. The
// database selects by ID, creation time and signature; an MQL query is
// then matched here, on each incident with its members, page by page.
func (s *Store) Search(ctx context.Context, f incident.Filter) ([]*incident.Incident, error) {
	var out []*incident.Incident
	limit := cmp.Or(f.Limit, 100)
	err := s.scan(ctx, f, func(inc *incident.Incident) bool {
		out = append(out, inc)
		return limit < 0 || len(out) < limit
	})
	return out, err
}

// Count returns how many incidents a filter selects, ignoring Limit.
func (s *Store) Count(ctx context.Context, f incident.Filter) (int, error) {
	if f.Query == nil {
		where, args := conditions(f, "")
		var n int
		err := s.pool.QueryRow(ctx, `SELECT count(*) FROM alertkit_incidents`+where, args...).Scan(&n)
		return n, wrap("count", err)
	}
	n := 0
	err := s.scan(ctx, f, func(*incident.Incident) bool { n++; return true })
	return n, err
}

// conditions is the WHERE clause of a filter, less its query, with the
// arguments it takes; before, if set, overrides f.Before.
func conditions(f incident.Filter, before incident.ID) (string, []any) {
	var where string
	var args []any
	add := func(cond string, arg any) {
		args = append(args, arg)
		if where == "" {
			where = " WHERE "
		} else {
			where += " AND "
		}
		where += fmt.Sprintf(cond, len(args))
	}
	if before == "" {
		before = f.Before
	}
	if before != "" {
		add("id < $%d", string(before))
	}
	if !f.CreatedFrom.IsZero() {
		add("created_at >= $%d", f.CreatedFrom.UnixNano())
	}
	if !f.CreatedTo.IsZero() {
		add("created_at < $%d", f.CreatedTo.UnixNano())
	}
	if f.Signature != "" {
		add("signature = $%d", signature(f.Signature))
	}
	return where, args
}

// scan visits the incidents a filter selects, newest first, until visit
// returns false.
func (s *Store) scan(ctx context.Context, f incident.Filter, visit func(*incident.Incident) bool) error {
	at := f.At
	if at.IsZero() {
		at = time.Now()
	}
	var after incident.ID // the last incident of the previous page
	for {
		where, args := conditions(f, after)
		args = append(args, searchPage)
		rows, err := s.pool.Query(ctx, `SELECT body, version FROM alertkit_incidents`+where+
			fmt.Sprintf(` ORDER BY id DESC LIMIT $%d`, len(args)), args...)
		if err != nil {
			return wrap("search", err)
		}
		page, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*incident.Incident, error) {
			var body string
			var version int64
			if err := r.Scan(&body, &version); err != nil {
				return nil, err
			}
			return decodeIncident(body, version)
		})
		if err != nil {
			return wrap("search", err)
		}
		var members map[incident.ID][]incident.Member
		if f.Query != nil && len(page) > 0 {
			if members, err = s.membersOf(ctx, page); err != nil {
				return wrap("search", err)
			}
		}
		for _, inc := range page {
			if f.Query != nil && !f.Query.Match(incident.View{Incident: inc, Members: members[inc.ID], At: at}) {
				continue
			}
			if !visit(inc) {
				return nil
			}
		}
		if len(page) < searchPage {
			return nil
		}
		after = page[len(page)-1].ID
	}
}

// membersOf returns the members of a page of incidents, each in join order.
func (s *Store) membersOf(ctx context.Context, page []*incident.Incident) (map[incident.ID][]incident.Member, error) {
	ids := make([]string, len(page))
	for i, inc := range page {
		ids[i] = string(inc.ID)
	}
	rows, err := s.pool.Query(ctx, `SELECT incident_id, body FROM alertkit_members WHERE incident_id = ANY($1) ORDER BY incident_id, joined`, ids)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make(map[incident.ID][]incident.Member, len(page))
	for rows.Next() {
		var id, body string
		if err := rows.Scan(&id, &body); err != nil {
			return nil, err
		}
		m, err := decodeMember(body)
		if err != nil {
			return nil, err
		}
		out[incident.ID(id)] = append(out[incident.ID(id)], m)
	}
	return out, rows.Err()
}
