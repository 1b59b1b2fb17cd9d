package main

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alertkit/alertkit/internal/golden"
	"github.com/alertkit/alertkit/route/routetest"
)

// TestRoutes is what a service does in CI: check its routing rules with
// route tests in YAML.
func TestRoutes(t *testing.T) {
	routetest.RunFile(t, "routes_test.yaml")
}

func TestRun(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(&out))
	golden.Check(t, filepath.Join("testdata", "output.golden"), out.Bytes())
	assert.Contains(t, out.String(), "dropped by watchdog-is-a-heartbeat")
	assert.Contains(t, out.String(), "inhibited by node-down-hides-its-targets")
}
