package pgstore

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/alertkit/alertkit/incident"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Options configure a Store. A nil *Options, and every zero field, means
// the default.
type Options struct {
	// Retries is how many times a transaction that the database refused
	// for a serialization failure or a deadlock is run again; default 10.
	Retries int
	// MaxHistory is how many entries of an incident's history the store
	// keeps before it folds the oldest into one (incident.FoldHistory);
	// default incident.DefaultMaxHistory, negative keeps them all.
	MaxHistory int
}

// Store keeps alertkit's state in PostgreSQL — or in an engine that
// speaks its protocol and standard SQL, as CockroachDB and YugabyteDB do —
// so that several replicas of a service share it. It is an incident.Store;
// DeliveryLog is the notify.Log and Silences the silences kept beside it.
//
// A Store is safe for concurrent use, by many goroutines and many
// processes at once.
type Store struct {
	pool    *pgxpool.Pool
	own     bool // Close closes the pool
	retries int
	// maxHistory caps each incident's history; negative: no cap.
	maxHistory int
}

// Open connects to the database at url (a PostgreSQL URL or keyword/value
// string, as pgx reads it), applies the schema's migrations, and returns
// the Store. Close closes the connections.
func Open(ctx context.Context, url string, opts *Options) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("pgstore: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("pgstore: %w", err)
	}
	s, err := New(ctx, pool, opts)
	if err != nil {
		pool.Close()
		return nil, err
	}
	s.own = true
	return s, nil
}

// New returns a Store over a pool the host made, after applying the
// schema's migrations. Closing the Store leaves the pool open.
func New(ctx context.Context, pool *pgxpool.Pool, opts *Options) (*Store, error) {
	s := &Store{pool: pool, retries: 10, maxHistory: incident.DefaultMaxHistory}
	if opts != nil && opts.Retries > 0 {
		s.retries = opts.Retries
	}
	if opts != nil && opts.MaxHistory != 0 {
		s.maxHistory = opts.MaxHistory
	}
	if err := s.migrate(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// Close closes the connections, if Open made them.
func (s *Store) Close() {
	if s.own {
		s.pool.Close()
	}
}

// Pool returns the connection pool.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Migration is a step of the schema.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// Migrations returns the steps of the schema, in order.
func Migrations() ([]Migration, error) {
	entries, err := fs.ReadDir(migrations, "migrations")
	if err != nil {
		return nil, err
	}
	var out []Migration
	for _, e := range entries {
		num, name, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || !strings.HasSuffix(name, ".sql") {
			return nil, fmt.Errorf("pgstore: migration %s: want NNN_name.sql", e.Name())
		}
		data, err := migrations.ReadFile(path.Join("migrations", e.Name()))
		if err != nil {
			return nil, err
		}
		out = append(out, Migration{Version: v, Name: strings.TrimSuffix(name, ".sql"), SQL: string(data)})
	}
	slices.SortFunc(out, func(a, b Migration) int { return a.Version - b.Version })
	return out, nil
}

// migrate applies the migrations the database lacks. Each runs in a
// transaction with its record in alertkit_migrations; its statements are
// idempotent (IF NOT EXISTS), so that replicas starting at once, which may
// race and fail on the catalogue, simply try again and find it done.
func (s *Store) migrate(ctx context.Context) error {
	steps, err := Migrations()
	if err != nil {
		return err
	}
	const bootstrap = `CREATE TABLE IF NOT EXISTS alertkit_migrations (
		version INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`
	if err := s.again(ctx, func() error { _, err := s.pool.Exec(ctx, bootstrap); return err }); err != nil {
		return fmt.Errorf("pgstore: migrations: %w", err)
	}
	for _, m := range steps {
		err := s.again(ctx, func() error {
			return s.tx(ctx, func(tx pgx.Tx) error {
				var n int
				if err := tx.QueryRow(ctx, `SELECT count(*) FROM alertkit_migrations WHERE version = $1`, m.Version).Scan(&n); err != nil {
					return err
				}
				if n > 0 {
					return nil
				}
				for _, stmt := range statements(m.SQL) {
					if _, err := tx.Exec(ctx, stmt); err != nil {
						return err
					}
				}
				_, err := tx.Exec(ctx, `INSERT INTO alertkit_migrations (version, name, applied_at) VALUES ($1, $2, $3)
					ON CONFLICT (version) DO NOTHING`, m.Version, m.Name, time.Now().UnixNano())
				return err
			})
		})
		if err != nil {
			return fmt.Errorf("pgstore: migration %03d_%s: %w", m.Version, m.Name, err)
		}
	}
	return nil
}

// again runs a step of the migrations up to five times while it fails on a
// race with another replica creating the same objects.
func (s *Store) again(ctx context.Context, op func() error) error {
	var err error
	for i := range 5 {
		if err = op(); err == nil || !racedOnCatalogue(err) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(i+1) * 50 * time.Millisecond):
		}
	}
	return err
}

// racedOnCatalogue reports the errors of concurrent CREATE … IF NOT
// EXISTS: a duplicate object, or a unique violation in the catalogue.
func racedOnCatalogue(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "23505" || pe.Code == "42P07" || pe.Code == "42710" || retryable(err))
}

// statements splits a migration into its statements, at semicolons that
// end a line; comments are dropped.
func statements(sql string) []string {
	var out []string
	var cur strings.Builder
	for line := range strings.Lines(sql) {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "--") || trimmed == "" {
			continue
		}
		if i := strings.Index(line, "--"); i >= 0 {
			line = line[:i] + "\n"
		}
		cur.WriteString(line)
		if strings.HasSuffix(strings.TrimSpace(line), ";") {
			out = append(out, strings.TrimSuffix(strings.TrimSpace(cur.String()), ";"))
			cur.Reset()
		}
	}
	if rest := strings.TrimSpace(cur.String()); rest != "" {
		out = append(out, rest)
	}
	return out
}

// tx runs fn in a transaction, and runs it again when the database refuses
// it for a serialization failure or a deadlock, as CockroachDB asks its
// clients to do.
func (s *Store) tx(ctx context.Context, fn func(pgx.Tx) error) error {
	return s.again40001(ctx, func() error { return pgx.BeginFunc(ctx, s.pool, fn) })
}

// again40001 runs a statement, again when the database refuses it for a
// serialization failure or a deadlock.
func (s *Store) again40001(ctx context.Context, op func() error) error {
	var err error
	for range s.retries {
		err = op()
		if !retryable(err) || ctx.Err() != nil {
			return err
		}
	}
	return err
}

// retryable reports a serialization failure or a deadlock.
func retryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}

// uniqueViolation reports a unique violation of a constraint or index.
func uniqueViolation(err error, name string) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505" && (name == "" || pe.ConstraintName == name ||
		strings.Contains(pe.Message, name))
}

// wrap says which operation failed on the database; context errors are
// returned as they are, for errors.Is.
func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return fmt.Errorf("pgstore: %s: %w", op, err)
}

func nanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func fromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}
