package route_test

import (
	"testing"

	"github.com/alertkit/alertkit/internal/testenv"
)

// Routing knows alerts and the incidents its runbooks are for, nothing of
// escalation or notifications.
func TestDependencies(t *testing.T) {
	testenv.NotAbove(t, "escalate", "notify", "pipeline")
}
