package pgstore

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/prometheus/common/model"

	"github.com/alertkit/alertkit/incident"
	"github.com/alertkit/alertkit/mql"
)

var _ incident.Store = (*Store)(nil)

// joinedStride spaces the join order of the members written by one update
// of an incident: member i of the write that makes version v joins at
// v*joinedStride + i, after every member of the earlier versions.
const joinedStride = 1 << 32

// Create stores a new incident and writes w with it, in one round trip:
// the statements go as one batch, which the database runs as one
// transaction.
func (s *Store) Create(ctx context.Context, inc *incident.Incident, w incident.Write) error {
	body, err := encodeIncident(inc)
	if err != nil {
		return fmt.Errorf("pgstore: create: %w", err)
	}
	token := newToken()
	batch := &pgx.Batch{}
	batch.Queue(`INSERT INTO alertkit_incidents
		(id, group_key, active_group, status, created_at, signature, version, events, writer, body)
		VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $8, $9)`,
		string(inc.ID), inc.GroupKey, activeGroup(inc), inc.Status.String(), nanos(inc.CreatedAt), signature(inc.Signature()),
		len(w.Events), token, body)
	if err := queueWrite(batch, inc.ID, token, 1, w); err != nil {
		return fmt.Errorf("pgstore: create incident %s: %w", inc.ID, err)
	}
	err = s.send(ctx, batch)
	switch {
	case uniqueViolation(err, "alertkit_incidents_active"):
		return fmt.Errorf("%w: %s", incident.ErrGroupActive, inc.GroupKey)
	case uniqueViolation(err, ""):
		// The primary key, whatever the engine names it.
		return fmt.Errorf("%w: %s", incident.ErrExists, inc.ID)
	case err != nil:
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

// newToken returns a token that marks one write of an incident.
func newToken() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// send runs a batch as one transaction, again when the database refuses
// it for a serialization failure or a deadlock.
func (s *Store) send(ctx context.Context, b *pgx.Batch) error {
	return s.again40001(ctx, func() error { return s.pool.SendBatch(ctx, b).Close() })
}

// mine is the condition of the statements that follow the write of an
// incident in its batch: the incident's row carries the write's token, so
// that they write nothing if the update was refused.
const mine = `EXISTS (SELECT 1 FROM alertkit_incidents WHERE id = $1 AND writer = $2)`

// queueWrite queues what an update writes besides the incident: members to
// insert or replace, history entries numbered after the ones the incident
// had (its events counter, which the write of the incident raised),
// timers to set and timers to cancel. A timer both set and cancelled is
// cancelled, as the memory store does.
func queueWrite(b *pgx.Batch, id incident.ID, token string, version int64, w incident.Write) error {
	for i := range w.Members {
		m := &w.Members[i]
		body, err := encodeMember(m)
		if err != nil {
			return err
		}
		b.Queue(`INSERT INTO alertkit_members (incident_id, fingerprint, joined, body)
			SELECT $1, $3, $4, $5 WHERE `+mine+`
			ON CONFLICT (incident_id, fingerprint) DO UPDATE SET body = excluded.body`,
			string(id), token, int64(m.Fingerprint), version*joinedStride+int64(i), body)
	}
	for i := range w.Events {
		body, err := encodeEvent(&w.Events[i])
		if err != nil {
			return err
		}
		// The counter already counts this write's events: entry i of n is
		// number events - (n-1-i).
		b.Queue(`INSERT INTO alertkit_history (incident_id, seq, body)
			SELECT id, events - $3, $4 FROM alertkit_incidents WHERE id = $1 AND writer = $2`,
			string(id), token, int64(len(w.Events)-1-i), body)
	}
	for _, t := range w.Timers {
		if slices.Contains(w.Cancel, t.Key) {
			continue
		}
		b.Queue(`INSERT INTO alertkit_timers (timer_key, kind, incident_id, due, data, owner, lease_until, attempts, avail)
			SELECT $3, $4, $5, $6, $7, '', 0, 0, $6 WHERE `+mine+`
			ON CONFLICT (timer_key) DO UPDATE SET kind = excluded.kind, incident_id = excluded.incident_id, due = excluded.due,
				data = excluded.data, owner = '', lease_until = 0, attempts = 0, avail = excluded.due`,
			string(id), token, t.Key, t.Kind, string(t.Incident), nanos(t.Due), t.Data)
	}
	if len(w.Cancel) > 0 {
		b.Queue(`DELETE FROM alertkit_timers WHERE timer_key = ANY($3) AND `+mine, string(id), token, w.Cancel)
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
// version, in one round trip.
func (s *Store) Update(ctx context.Context, inc *incident.Incident, w incident.Write) error {
	body, err := encodeIncident(inc)
	if err != nil {
		return fmt.Errorf("pgstore: update: %w", err)
	}
	token := newToken()
	batch := &pgx.Batch{}
	updated := false
	var events int64
	batch.Queue(`UPDATE alertkit_incidents SET active_group = $3, status = $4, signature = $5, version = version + 1,
			events = events + $6, writer = $7, body = $8
		WHERE id = $1 AND version = $2 AND group_key = $9 RETURNING events`,
		string(inc.ID), inc.Version, activeGroup(inc), inc.Status.String(), signature(inc.Signature()),
		len(w.Events), token, body, inc.GroupKey).Query(func(rows pgx.Rows) error {
		for rows.Next() {
			updated = true
			if err := rows.Scan(&events); err != nil {
				return err
			}
		}
		return rows.Err()
	})
	if err := queueWrite(batch, inc.ID, token, inc.Version+1, w); err != nil {
		return fmt.Errorf("pgstore: update incident %s: %w", inc.ID, err)
	}
	err = s.send(ctx, batch)
	switch {
	case uniqueViolation(err, "alertkit_incidents_active"):
		return fmt.Errorf("%w: %s", incident.ErrGroupActive, inc.GroupKey)
	case err != nil:
		return wrap("update incident "+string(inc.ID), err)
	case !updated:
		return s.whyNotUpdated(ctx, inc)
	}
	inc.Version++
	s.foldIfLong(ctx, inc.ID, events, len(w.Events))
	return nil
}

// whyNotUpdated tells a missing incident, a stale version and a changed
// group key apart.
func (s *Store) whyNotUpdated(ctx context.Context, inc *incident.Incident) error {
	var stored int64
	var group string
	err := s.pool.QueryRow(ctx, `SELECT version, group_key FROM alertkit_incidents WHERE id = $1`, string(inc.ID)).Scan(&stored, &group)
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
	byID, err := s.membersOf(ctx, id)
	if err != nil {
		return nil, wrap("members of "+string(id), err)
	}
	out := byID[id]
	if out == nil {
		out = []incident.Member{}
	}
	if len(out) == 0 {
		if err := s.exists(ctx, id); err != nil {
			return nil, err
		}
	}
	return out, nil
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
	token := newToken()
	batch := &pgx.Batch{}
	found := false
	var counter int64
	batch.Queue(`UPDATE alertkit_incidents SET events = events + $2, writer = $3 WHERE id = $1 RETURNING events`,
		string(id), len(events), token).Query(func(rows pgx.Rows) error {
		for rows.Next() {
			found = true
			if err := rows.Scan(&counter); err != nil {
				return err
			}
		}
		return rows.Err()
	})
	if err := queueWrite(batch, id, token, 0, incident.Write{Events: events}); err != nil {
		return fmt.Errorf("pgstore: history of %s: %w", id, err)
	}
	if err := s.send(ctx, batch); err != nil {
		return wrap("history of "+string(id), err)
	}
	if !found {
		return notFound(id)
	}
	s.foldIfLong(ctx, id, counter, len(events))
	return nil
}

// foldIfLong folds the oldest entries of an incident's history into one,
// if it outgrew the cap, after a write that took its counter of entries
// to events with n of them. It looks only when the counter crosses a
// tenth of the cap, so that most writes cost nothing more. The write it
// follows is done: a fold that fails is left to the next, and the entries
// are all there meanwhile.
func (s *Store) foldIfLong(ctx context.Context, id incident.ID, events int64, n int) {
	if s.maxHistory <= 0 || n == 0 || events <= int64(s.maxHistory) {
		return
	}
	step := int64(max(1, s.maxHistory/10))
	if (events-int64(n))/step == events/step {
		return
	}
	_ = s.again40001(ctx, func() error {
		return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
			// The incident's row serializes folds of its history.
			if _, err := tx.Exec(ctx, `SELECT 1 FROM alertkit_incidents WHERE id = $1 FOR UPDATE`, string(id)); err != nil {
				return err
			}
			var count int
			if err := tx.QueryRow(ctx, `SELECT count(*) FROM alertkit_history WHERE incident_id = $1`, string(id)).Scan(&count); err != nil {
				return err
			}
			k := incident.FoldPoint(count, s.maxHistory)
			if k == 0 {
				return nil
			}
			rows, err := tx.Query(ctx, `DELETE FROM alertkit_history WHERE incident_id = $1 AND seq IN
				(SELECT seq FROM alertkit_history WHERE incident_id = $1 ORDER BY seq LIMIT $2) RETURNING seq, body`, string(id), k)
			if err != nil {
				return err
			}
			old, err := scanEvents(id, rows)
			if err != nil {
				return err
			}
			slices.SortFunc(old, func(a, b incident.Event) int { return cmp.Compare(a.Seq, b.Seq) })
			folded := incident.FoldHistory(old, incident.DefaultActor)
			body, err := encodeEvent(&folded)
			if err != nil {
				return err
			}
			_, err = tx.Exec(ctx, `INSERT INTO alertkit_history (incident_id, seq, body) VALUES ($1, $2, $3)`, string(id), folded.Seq, body)
			return err
		})
	})
}

// scanEvents reads rows of seq and body, and closes them.
func scanEvents(id incident.ID, rows pgx.Rows) ([]incident.Event, error) {
	defer rows.Close()
	var out []incident.Event
	for rows.Next() {
		var seq int64
		var body string
		if err := rows.Scan(&seq, &body); err != nil {
			return nil, err
		}
		e, err := decodeEvent(id, seq, body)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// HistoryPage returns the newest q.Limit entries of an incident's history
// before q.Before, oldest first.
func (s *Store) HistoryPage(ctx context.Context, id incident.ID, q incident.HistoryQuery) ([]incident.Event, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = incident.DefaultHistoryLimit
	}
	before := q.Before
	if before <= 0 {
		before = math.MaxInt64
	}
	rows, err := s.pool.Query(ctx, `SELECT seq, body FROM alertkit_history WHERE incident_id = $1 AND seq < $2
		ORDER BY seq DESC LIMIT $3`, string(id), before, limit)
	if err != nil {
		return nil, wrap("history of "+string(id), err)
	}
	out, err := scanEvents(id, rows)
	if err != nil {
		return nil, wrap("history of "+string(id), err)
	}
	slices.Reverse(out)
	if len(out) == 0 {
		if err := s.exists(ctx, id); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// History returns an incident's history, oldest first.
func (s *Store) History(ctx context.Context, id incident.ID) ([]incident.Event, error) {
	rows, err := s.pool.Query(ctx, `SELECT seq, body FROM alertkit_history WHERE incident_id = $1 ORDER BY seq`, string(id))
	if err != nil {
		return nil, wrap("history of "+string(id), err)
	}
	out, err := scanEvents(id, rows)
	if err != nil {
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
	if statuses := queryStatuses(f.Query); statuses != nil {
		add("status = ANY($%d)", statuses)
	}
	return where, args
}

// queryStatuses returns the statuses an MQL query limits incidents to —
// status = X or status IN (…), alone or as a term of an AND — so that the
// database selects by them; nil if the query does not say. The query is
// still matched on every incident selected.
func queryStatuses(q *mql.Query) []string {
	if q == nil {
		return nil
	}
	terms := []mql.Expr{q.Expr()}
	if and, ok := q.Expr().(*mql.And); ok {
		terms = and.Terms
	}
	for _, t := range terms {
		p, ok := t.(*mql.Predicate)
		if !ok || p.Label || p.Name != "status" || (p.Op != mql.OpEqual && p.Op != mql.OpIn) {
			continue
		}
		var out []string
		for _, v := range p.Values {
			st, err := incident.ParseStatus(strings.ToLower(v))
			if err != nil {
				return nil // a value the database would not know: leave it to the match
			}
			out = append(out, st.String())
		}
		return out
	}
	return nil
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
			ids := make([]incident.ID, len(page))
			for i, inc := range page {
				ids[i] = inc.ID
			}
			if members, err = s.membersOf(ctx, ids...); err != nil {
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

// membersOf returns the members of incidents, each in join order.
func (s *Store) membersOf(ctx context.Context, ids ...incident.ID) (map[incident.ID][]incident.Member, error) {
	keys := make([]string, len(ids))
	for i, id := range ids {
		keys[i] = string(id)
	}
	rows, err := s.pool.Query(ctx, `SELECT incident_id, body FROM alertkit_members WHERE incident_id = ANY($1) ORDER BY incident_id, joined`, keys)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make(map[incident.ID][]incident.Member, len(ids))
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
