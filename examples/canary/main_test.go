package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alertkit/alertkit/internal/golden"
)

// TestCanary runs the three rollouts and compares their output with the
// golden file, which shows what a reader sees: every step's verdict with
// its numbers, the rollback workflow step by step, and the pages of the
// failed rollback.
func TestCanary(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out))
	golden.Check(t, filepath.Join("testdata", "output.golden"), out.Bytes())

	// The points of each run, in case the golden file is rewritten blindly.
	runs := strings.Split(out.String(), "\nrun ")
	require.Len(t, runs, 4, "a header and three runs")
	healthy, regressed, failed := runs[1], runs[2], runs[3]

	t.Run("run 1 is promoted", func(t *testing.T) {
		for _, share := range []string{"5%", "25%", "50%"} {
			assert.Contains(t, healthy, "→ v1.5.0 is healthy at "+share)
		}
		assert.Contains(t, healthy, "→ promoted: v1.5.0 is the stable version")
		assert.Equal(t, 4, strings.Count(healthy, "  healthy: checked "), "four healthy steps")
		assert.NotContains(t, healthy, "roll back")
		assert.NotContains(t, healthy, "page →")
	})

	t.Run("run 2 rolls back with the gate's reasons", func(t *testing.T) {
		inOrder(t, regressed,
			"→ v1.5.0 is healthy at 5%: on to 25%",
			"unhealthy: checked 1m unhealthy",
			"the gate's reasons:",
			"error rate 4.42% > 1% over 5m (53 of 1200 requests failed)",
			"p99 latency 885ms > 300ms over 5m (1200 requests)",
			"→ roll back: the gate says unhealthy at 25%",
			"identify current version", "fetch previous stable version", "scale down new pods",
			"deploy previous image", "wait for pods ready", "run smoke tests  ",
			"→ rolled back: checkout runs v1.4.2 on 20 of 20 pods",
		)
		assert.NotContains(t, regressed, "50%: v1.5.0")
		assert.NotContains(t, regressed, "→ promoted")
		assert.NotContains(t, regressed, "page →")
	})

	t.Run("run 3 pages the on-call, then the team lead", func(t *testing.T) {
		inOrder(t, failed,
			"→ roll back: the gate says unhealthy at 25%",
			"wait for pods ready            0 of 5 new pods ready after 5m",
			"mark rollback failed",
			`alertname="RollbackFailed"`,
			"→ incident 5HRZ39 open",
			"S2 on gold (severity_level): page 10m, held 2m first",
			"14:13:11  page → anna.petrova (the on-call of checkout/L1): step 1 of checkout/page 10m",
			"14:23:11  page → marie.dubois (the team lead): step 2 of checkout/page 10m: nobody acknowledged within 10m",
			"marie.dubois (the team lead) acknowledges incident 5HRZ39",
		)
		assert.Equal(t, 2, strings.Count(failed, "page →"), "two pages, no more")
		assert.NotContains(t, failed, "run smoke tests", "the workflow stops at the pods")
		assert.NotContains(t, failed, "rolled back:")
	})
}

// inOrder asserts that s holds each of the parts, one after the other.
func inOrder(t *testing.T, s string, parts ...string) {
	t.Helper()
	rest := s
	for _, p := range parts {
		i := strings.Index(rest, p)
		if !assert.GreaterOrEqual(t, i, 0, "%q missing, or out of order", p) {
			return
		}
		rest = rest[i+len(p):]
	}
}
