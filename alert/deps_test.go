package alert_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDependenciesStayLight guards the cost of importing alert: the modules
// it compiles are alertkit's own, prometheus/common's model and what that
// needs, and nothing else (no gRPC, no OpenTelemetry, no Alertmanager).
func TestDependenciesStayLight(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{with .Module}}{{.Path}}{{end}}", ".").Output()
	require.NoError(t, err)
	var modules []string
	for m := range strings.FieldsSeq(string(out)) {
		if !slices.Contains(modules, m) {
			modules = append(modules, m)
		}
	}
	slices.Sort(modules)
	assert.Equal(t, []string{
		"github.com/alertkit/alertkit",
		"github.com/prometheus/client_model",
		"github.com/prometheus/common",
		"google.golang.org/protobuf",
	}, modules)
}
