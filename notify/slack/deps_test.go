package slack_test

import (
	"testing"

	"github.com/alertkit/alertkit/internal/testenv"
)

// A sender compiles notify and what notify needs, nothing of the stages
// that decide whom to page.
func TestDependencies(t *testing.T) {
	testenv.NotAbove(t, "escalate", "route", "pipeline", "incident/pgstore", "incident/incidentapi")
}
