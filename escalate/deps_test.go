package escalate_test

import (
	"testing"

	"github.com/alertkit/alertkit/internal/testenv"
)

// The escalation stage pages through its own Notifier interface: it
// compiles none of the senders, nor the pipeline that joins them.
func TestDependencies(t *testing.T) {
	testenv.NotAbove(t, "notify", "pipeline", "incident/pgstore", "incident/incidentapi")
}
