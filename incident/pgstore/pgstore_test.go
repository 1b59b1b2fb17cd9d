package pgstore_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/alertkit/alertkit/incident"
	"github.com/alertkit/alertkit/incident/pgstore"
	"github.com/alertkit/alertkit/incident/storetest"
	"github.com/alertkit/alertkit/internal/pgtest"
)

// schemaURL is a schema of the test's own: every test starts from an
// empty database.
func schemaURL(t testing.TB) string { return pgtest.Schema(t) }

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
