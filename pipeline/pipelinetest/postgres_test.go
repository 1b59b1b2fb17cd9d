package pipelinetest_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/alertkit/alertkit/incident"
	"github.com/alertkit/alertkit/incident/pgstore"
	"github.com/alertkit/alertkit/internal/pgtest"
	"github.com/alertkit/alertkit/internal/testenv"
	"github.com/alertkit/alertkit/notify"
	"github.com/alertkit/alertkit/pipeline/pipelinetest"
)

// postgres is a Backend on a schema of its own: each replica opens a
// connection pool of its own, as a process does; a blink ends every
// connection of the run, as a database restart does.
func postgres(t *testing.T) func() (*pipelinetest.Backend, error) {
	return func() (*pipelinetest.Backend, error) {
		b := make([]byte, 4)
		_, _ = rand.Read(b)
		app := "alertkit_sim_" + hex.EncodeToString(b)
		u, err := url.Parse(pgtest.Schema(t))
		if err != nil {
			return nil, err
		}
		q := u.Query()
		q.Set("pool_max_conns", "4")
		q.Set("application_name", app+"_checks")
		u.RawQuery = q.Encode()
		ctx := context.Background()
		// The checks read through a store of their own, which a blink
		// spares; the migrations run once, here.
		checks, err := pgstore.Open(ctx, u.String(), nil)
		if err != nil {
			return nil, err
		}
		q.Set("application_name", app)
		u.RawQuery = q.Encode()
		first := true
		return &pipelinetest.Backend{
			Open: func() (incident.Store, notify.Log, error) {
				if first {
					first = false
					return checks, checks.DeliveryLog(), nil
				}
				s, err := pgstore.Open(ctx, u.String(), nil)
				if err != nil {
					return nil, nil, err
				}
				return s, s.DeliveryLog(), nil
			},
			Blink: func() error {
				conn, err := pgx.Connect(ctx, testenv.Postgres(t))
				if err != nil {
					return err
				}
				defer conn.Close(ctx)
				_, err = conn.Exec(ctx, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1", app)
				return err
			},
			Close: checks.Close,
		}, nil
	}
}

// Three replicas on one PostgreSQL database, killed and restarted, the
// database restarting under them.
func TestSimulationOfReplicasOnPostgreSQL(t *testing.T) {
	rep := pipelinetest.Run(t, pipelinetest.Options{
		Config: config(t), Reloads: [][]byte{reloaded(t)}, Alerts: alerts, Seed: 11, Steps: 1000, Replicas: 3,
		Backend: postgres(t), ShrinkFor: 1,
	})
	require.Positive(t, rep.Blinks)
	t.Log(rep)
}
