package incident_test

import (
	"testing"

	"github.com/alertkit/alertkit/internal/testenv"
)

// The incident stage knows the alerts it gathers, not the stages after it.
func TestDependencies(t *testing.T) {
	testenv.NotAbove(t, "route", "escalate", "notify", "pipeline", "severity")
}
