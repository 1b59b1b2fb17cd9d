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

func TestErrors(t *testing.T) {
	ctx := context.Background()
	_, err := pgstore.Open(ctx, "postgres://%zz", nil)
	require.ErrorContains(t, err, "pgstore: ", "a malformed URL")

	s := open(t, schemaURL(t))
	inc := &incident.Incident{ID: "01BAD", GroupKey: "g", Status: incident.Status(42)}
	require.ErrorContains(t, s.Create(ctx, inc, incident.Write{}), "unknown status 42")

	inc.Status = incident.StatusOpen
	require.NoError(t, s.Create(ctx, inc, incident.Write{}))
	_, err = s.Pool().Exec(ctx, `UPDATE alertkit_incidents SET body = '{"id": "01BAD", "status": "sideways"}' WHERE id = '01BAD'`)
	require.NoError(t, err)
	_, err = s.Get(ctx, "01BAD")
	require.ErrorContains(t, err, `stored incident 01BAD: unknown status "sideways"`, "a damaged row names the incident")

	inc.GroupKey = "other"
	require.ErrorContains(t, s.Update(ctx, inc, incident.Write{}), "the group key cannot change")
}
