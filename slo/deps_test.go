package slo_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/alertkit/alertkit/internal/testenv"
)

// TestDependenciesStayLight guards the cost of importing slo: the modules
// it compiles are alertkit's own, prometheus/common's model and what that
// needs, and nothing else (no gRPC, no OpenTelemetry, no Alertmanager).
func TestDependenciesStayLight(t *testing.T) {
	assert.Equal(t, []string{
		"github.com/alertkit/alertkit",
		"github.com/prometheus/client_model",
		"github.com/prometheus/common",
		"google.golang.org/protobuf",
	}, testenv.Modules(t))
}
