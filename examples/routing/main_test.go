package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alertkit/alertkit/route/routetest"
)

var update = flag.Bool("update", false, "rewrite testdata/output.golden")

// TestRoutes is what a service does in CI: check its routing rules with
// route tests in YAML.
func TestRoutes(t *testing.T) {
	routetest.RunFile(t, "routes_test.yaml")
}

func TestRun(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(&out))
	golden := filepath.Join("testdata", "output.golden")
	if *update {
		require.NoError(t, os.WriteFile(golden, out.Bytes(), 0o644))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err)
	assert.Equal(t, string(want), out.String())
	assert.Contains(t, out.String(), "dropped by watchdog-is-a-heartbeat")
	assert.Contains(t, out.String(), "inhibited by node-down-hides-its-targets")
}
