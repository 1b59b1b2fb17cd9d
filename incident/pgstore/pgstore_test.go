package pgstore_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/alertkit/alertkit/incident"
	"github.com/alertkit/alertkit/incident/pgstore"
	"github.com/alertkit/alertkit/incident/storetest"
	"github.com/alertkit/alertkit/internal/testenv"
)

// schemaURL creates a schema of its own for the test, dropped when it ends,
// and returns the server's URL with that schema as the search_path: every
// test starts from an empty database.
func schemaURL(t testing.TB) string {
	t.Helper()
	base := testenv.Postgres(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, base)
	require.NoError(t, err, "connecting to %s", testenv.PostgresEnv)
	defer conn.Close(ctx)
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "alertkit_test_" + hex.EncodeToString(b)
	_, err = conn.Exec(ctx, "CREATE SCHEMA "+schema)
	require.NoError(t, err)
	t.Cleanup(func() {
		conn, err := pgx.Connect(context.Background(), base)
		if err != nil {
			t.Errorf("dropping schema %s: %v", schema, err)
			return
		}
		defer conn.Close(context.Background())
		if _, err := conn.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("dropping schema %s: %v", schema, err)
		}
	})
	return withParam(t, base, "search_path", schema)
}

func withParam(t testing.TB, base, key, value string) string {
	t.Helper()
	if strings.Contains(base, "://") {
		u, err := url.Parse(base)
		require.NoError(t, err)
		q := u.Query()
		q.Set(key, value)
		u.RawQuery = q.Encode()
		return u.String()
	}
	return base + " " + key + "=" + value // keyword/value form
}

func open(t testing.TB, url string) *pgstore.Store {
	t.Helper()
	s, err := pgstore.Open(context.Background(), url, nil)
	require.NoError(t, err)
	t.Cleanup(s.Close)
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) incident.Store { return open(t, schemaURL(t)) })
}
