package pgstore

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/oklog/ulid/v2"

	"github.com/alertkit/alertkit/incident"
	"github.com/alertkit/alertkit/notify"
)

// Log is the delivery log in the database: a notify.Log that every
// replica writes to and reads from, so that a replica's Dispatcher.Follow
// finds the receivers an incident was delivered to, whichever replica
// delivered it. Unlike notify.MemoryLog it is not bounded: attempts are
// kept until Prune deletes them, dead letters until they are exhumed.
//
// A Log is safe for concurrent use.
type Log struct {
	s  *Store
	mu sync.Mutex // guards entropy
	// entropy makes the IDs of rows, increasing within the millisecond.
	entropy *ulid.MonotonicEntropy
}

var _ notify.Log = (*Log)(nil)

// DeliveryLog returns the delivery log kept in the Store's database.
func (s *Store) DeliveryLog() *Log {
	return &Log{s: s, entropy: ulid.Monotonic(rand.Reader, 0)}
}

// newID returns a ULID of the present: unique, and increasing along the
// rows this Log writes.
func (l *Log) newID() (string, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	id, err := ulid.New(ulid.Now(), l.entropy)
	if err != nil {
		return "", err
	}
	return id.String(), nil
}

// attemptBody is an attempt as stored, less its incident and time, which
// have columns of their own.
type attemptBody struct {
	Key        string    `json:"key"`
	Receiver   string    `json:"receiver"`
	Reason     string    `json:"reason"`
	Number     int       `json:"number"`
	LatencyNs  int64     `json:"latency_ns,omitempty"`
	Outcome    string    `json:"outcome"`
	StatusCode int       `json:"status_code,omitempty"`
	Error      string    `json:"error,omitempty"`
	RetryAt    time.Time `json:"retry_at,omitzero"`
}

// deadLetterBody is a dead letter as stored, less its time. The
// notification is kept in its own JSON form, as the outbox keeps it.
type deadLetterBody struct {
	Notification notify.Notification `json:"notification"`
	Attempts     int                 `json:"attempts"`
	Error        string              `json:"error"`
}

// Record adds an attempt.
func (l *Log) Record(ctx context.Context, a notify.Attempt) error {
	id, err := l.newID()
	if err != nil {
		return wrap("record attempt", err)
	}
	body, err := json.Marshal(attemptBody{
		Key: a.Key, Receiver: a.Receiver, Reason: string(a.Reason), Number: a.Number, LatencyNs: int64(a.Latency),
		Outcome: string(a.Outcome), StatusCode: a.StatusCode, Error: a.Error, RetryAt: a.RetryAt,
	})
	if err != nil {
		return fmt.Errorf("pgstore: record attempt of %s to %s: %w", a.Key, a.Receiver, err)
	}
	_, err = l.s.pool.Exec(ctx, `INSERT INTO alertkit_attempts (id, incident_id, attempted_at, body) VALUES ($1, $2, $3, $4)`,
		id, string(a.Incident), nanos(a.At), string(body))
	return wrap("record attempt of "+a.Key+" to "+a.Receiver, err)
}

// Attempts returns an incident's attempts, by every replica, oldest first;
// attempts of the same instant in the order they were recorded (as far as
// the replicas' clocks agree).
func (l *Log) Attempts(ctx context.Context, id incident.ID) ([]notify.Attempt, error) {
	rows, err := l.s.pool.Query(ctx, `SELECT attempted_at, body FROM alertkit_attempts WHERE incident_id = $1
		ORDER BY attempted_at, id`, string(id))
	if err != nil {
		return nil, wrap("attempts of "+string(id), err)
	}
	defer rows.Close()
	var out []notify.Attempt
	for rows.Next() {
		var at int64
		var data string
		if err := rows.Scan(&at, &data); err != nil {
			return nil, wrap("attempts of "+string(id), err)
		}
		var b attemptBody
		if err := json.Unmarshal([]byte(data), &b); err != nil {
			return nil, fmt.Errorf("pgstore: stored attempt of %s: %w", id, err)
		}
		out = append(out, notify.Attempt{
			Key: b.Key, Receiver: b.Receiver, Incident: id, Reason: notify.Reason(b.Reason), Number: b.Number,
			At: fromNanos(at), Latency: time.Duration(b.LatencyNs), Outcome: notify.Outcome(b.Outcome),
			StatusCode: b.StatusCode, Error: b.Error, RetryAt: b.RetryAt,
		})
	}
	return out, wrap("attempts of "+string(id), rows.Err())
}

// Prune deletes the attempts made before a time, and returns how many it
// deleted; dead letters stay until they are exhumed. The database keeps
// every attempt until then: call Prune from time to time, with the age
// after which nobody needs an incident's delivery log (Follow reads it to
// tell the receivers of an incident that it changed, so keep it longer
// than incidents last). It deletes in batches, so that no transaction
// grows with the log.
func (l *Log) Prune(ctx context.Context, before time.Time) (int, error) {
	const batch = 10_000
	total := 0
	for {
		tag, err := l.s.pool.Exec(ctx, `DELETE FROM alertkit_attempts WHERE id IN (
			SELECT id FROM alertkit_attempts WHERE attempted_at < $1 LIMIT $2)`, nanos(before), batch)
		if err != nil {
			return total, wrap("prune attempts", err)
		}
		total += int(tag.RowsAffected())
		if tag.RowsAffected() < batch {
			return total, nil
		}
	}
}

// Bury keeps a dead letter; one of the same receiver and key replaces it.
func (l *Log) Bury(ctx context.Context, d notify.DeadLetter) error {
	n := &d.Notification
	seq, err := l.newID()
	if err != nil {
		return wrap("bury "+n.Key, err)
	}
	body, err := json.Marshal(deadLetterBody{Notification: d.Notification, Attempts: d.Attempts, Error: d.Error})
	if err != nil {
		return fmt.Errorf("pgstore: bury %s to %s: %w", n.Key, n.Receiver, err)
	}
	_, err = l.s.pool.Exec(ctx, `INSERT INTO alertkit_dead_letters (receiver, notification_key, given_up_at, seq, body)
		VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (receiver, notification_key) DO UPDATE SET given_up_at = excluded.given_up_at, seq = excluded.seq, body = excluded.body`,
		n.Receiver, n.Key, nanos(d.At), seq, string(body))
	return wrap("bury "+n.Key+" to "+n.Receiver, err)
}

// DeadLetters returns the dead letters, oldest first.
func (l *Log) DeadLetters(ctx context.Context) ([]notify.DeadLetter, error) {
	rows, err := l.s.pool.Query(ctx, `SELECT given_up_at, body FROM alertkit_dead_letters ORDER BY given_up_at, seq`)
	if err != nil {
		return nil, wrap("dead letters", err)
	}
	defer rows.Close()
	var out []notify.DeadLetter
	for rows.Next() {
		var at int64
		var data string
		if err := rows.Scan(&at, &data); err != nil {
			return nil, wrap("dead letters", err)
		}
		d, err := decodeDeadLetter(at, data)
		if err != nil {
			return nil, wrap("dead letters", err)
		}
		out = append(out, d)
	}
	return out, wrap("dead letters", rows.Err())
}

// Exhume removes and returns the dead letter of a receiver and key; false
// if there is none.
func (l *Log) Exhume(ctx context.Context, receiver, key string) (notify.DeadLetter, bool, error) {
	var d notify.DeadLetter
	found := false
	// In a transaction, so that a letter that cannot be read stays buried.
	err := l.s.tx(ctx, func(tx pgx.Tx) error {
		var at int64
		var data string
		err := tx.QueryRow(ctx, `DELETE FROM alertkit_dead_letters WHERE receiver = $1 AND notification_key = $2
			RETURNING given_up_at, body`, receiver, key).Scan(&at, &data)
		if errors.Is(err, pgx.ErrNoRows) {
			found = false
			return nil
		}
		if err != nil {
			return err
		}
		d, err = decodeDeadLetter(at, data)
		found = err == nil
		return err
	})
	if err != nil {
		return notify.DeadLetter{}, false, wrap("exhume "+key+" to "+receiver, err)
	}
	return d, found, nil
}

func decodeDeadLetter(at int64, data string) (notify.DeadLetter, error) {
	var b deadLetterBody
	if err := json.Unmarshal([]byte(data), &b); err != nil {
		return notify.DeadLetter{}, fmt.Errorf("stored dead letter: %w", err)
	}
	return notify.DeadLetter{Notification: b.Notification, Attempts: b.Attempts, Error: b.Error, At: fromNanos(at)}, nil
}
