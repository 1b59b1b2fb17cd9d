package dedup

import (
	"fmt"
	"testing"
	"time"

	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/require"

	"github.com/alertkit/alertkit/alert"
)

// TestRecordsYieldsWithNoLockHeld checks, from within yield, that no shard
// is locked: a yield that calls the Deduper, or takes its time, holds up
// no report.
func TestRecordsYieldsWithNoLockHeld(t *testing.T) {
	d := New(nil)
	start := time.Date(2026, 10, 3, 9, 0, 0, 0, time.UTC)
	for i := range 200 {
		ls := model.LabelSet{"alertname": "A", "n": model.LabelValue(fmt.Sprint(i))}
		d.Ingest([]alert.Alert{{Labels: ls, StartsAt: start, UpdatedAt: start}})
	}
	visited := 0
	for r := range d.Records {
		visited++
		for i := range d.shards {
			sh := &d.shards[i]
			require.True(t, sh.mu.TryLock(), "shard %d is locked while yield has the record of %s", i, r.Alert.Labels)
			sh.mu.Unlock()
		}
	}
	require.Equal(t, 200, visited)
}
