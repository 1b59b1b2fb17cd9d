package notify_test

import (
	"testing"

	"github.com/alertkit/alertkit/internal/testenv"
)

// The notification stage knows nothing of the stages that decide whom to
// page: escalation, routing, the pipeline that joins them.
func TestDependencies(t *testing.T) {
	testenv.NotAbove(t, "escalate", "route", "pipeline")
}
