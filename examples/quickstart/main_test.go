package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite testdata/output.golden")

// TestQuickstart runs the replay and compares its output with the golden
// file, which shows what a new user sees: every alert with its fingerprint,
// kind and state, the refusal of the bad payload, the final states, and MQL
// searches over them.
func TestQuickstart(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out))
	golden := filepath.Join("testdata", "output.golden")
	if *update {
		require.NoError(t, os.WriteFile(golden, out.Bytes(), 0o644))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err)
	assert.Equal(t, string(want), out.String())

	// The points of the replay, in case the golden file is rewritten blindly.
	s := out.String()
	assert.Contains(t, s, `refused: 400 Bad Request [0].labels: invalid label name "1x"`)
	assert.Contains(t, s, "823010fb37ef2986  IngressResponses5xx  lasting  unknown")
	assert.Contains(t, s, "f427be19e481184c  BackupFailed         instant  none")
	assert.Contains(t, s, "state not in (resolved, none)\n    → IngressResponses5xx{vhost=static.example.com}\n")
}
