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

// TestQuickstart runs the replay and compares its output with the golden
// file, which shows what a new user sees: every change of an alert and the
// incident it went to, the refusal of the bad payload, the escalation of
// each incident as its severity and service level say, the alerts and
// incidents at the end, and MQL searches over the alerts.
func TestQuickstart(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out))
	golden.Check(t, filepath.Join("testdata", "output.golden"), out.Bytes())

	// The points of the replay, in case the golden file is rewritten blindly.
	s := out.String()
	for _, want := range []string{
		`refused: 400 Bad Request 1 of 2 alerts refused: [1].labels: invalid label name "1x"`,            // the bad alert refused, by index and reason
		"DiskWillFill  lasting  new firing",                                                              // and its valid neighbour taken
		"3 of 4 alerts already known, unchanged: nothing to do",                                          // Prometheus repeating what Alertmanager sent
		"firing → unknown  prometheus",                                                                   // refresh deadline missed
		"alertkit resolved open → resolved: all alerts resolved",                                         // the TargetDown incident
		"resolved within the pending hold: nobody paged",                                                 // TargetDown, S2 on Gold, held 2m
		"notify pager: escalation GitlabDown in horns-and-hooves, incident HNVAX3 for vasiliy.vasiliyev", // the owner's rule
		"notify pager: acknowledged GitlabDown",                                                          // the acknowledgement, followed up
		"notify pager: resolved GitlabDown",                                                              // and the resolution
		"16:49:19.000  notify pager: escalation BackupFailed",                                            // the failed backup, S3 on Gold, after 5m
		"nobody on call for oncall:sre/L2, skipped",                                                      // L2 goes home at 18:00 in Berlin
		"queued for the digest: a batch response",                                                        // S4 on Gold is a batch
		"state not in (resolved, none)\n    → DiskWillFill{server=build-1}, IngressResponses5xx{vhost=static.example.com}\n",
	} {
		assert.Contains(t, s, want)
	}
	assert.Equal(t, 5, strings.Count(s, "\n  incident "), "five incidents")
}
