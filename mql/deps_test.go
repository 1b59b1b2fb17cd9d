package mql_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/alertkit/alertkit/internal/testenv"
)

// TestDependenciesStayLight guards the cost of importing mql: participle,
// Alertmanager's two light matcher packages, prometheus/common, and nothing
// else (no gRPC, no OpenTelemetry).
func TestDependenciesStayLight(t *testing.T) {
	assert.Equal(t, []string{
		"github.com/alecthomas/participle/v2",
		"github.com/alertkit/alertkit",
		"github.com/prometheus/alertmanager",
		"github.com/prometheus/client_model",
		"github.com/prometheus/common",
		"google.golang.org/protobuf",
	}, testenv.Modules(t))
}
