package pipelinetest_test

import (
	"os"
	"strings"
	"testing"

	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/require"

	"github.com/alertkit/alertkit/pipeline/pipelinetest"
)

// alerts are what the simulated sources fire: alerts of each route, some
// sharing an incident, some paging, some batched or only recorded.
var alerts = []model.LabelSet{
	{"alertname": "PostgresDown", "cluster": "main", "instance": "pg-1", "severity_level": "2", "service_level": "gold"},
	{"alertname": "PostgresDown", "cluster": "main", "instance": "pg-2", "severity_level": "2", "service_level": "gold"},
	{"alertname": "PostgresReplicationLag", "cluster": "eu", "severity_level": "3", "service_level": "platinum"},
	{"alertname": "CheckoutErrors", "team": "payments", "namespace": "pay", "severity_level": "1", "service_level": "gold"},
	{"alertname": "IngressErrors5xx", "namespace": "shop", "ingress": "site", "severity_level": "3", "service_level": "gold"},
	{"alertname": "NodePressure", "namespace": "shop", "node": "kube-3", "severity_level": "2", "service_level": "silver"},
	{"alertname": "DiskWillFill", "namespace": "infra", "severity_level": "5", "service_level": "gold"},
	{"alertname": "ShopSlow", "namespace": "shop", "severity_level": "5", "service_level": "gold"},
	{"alertname": "Watchdog", "prometheus": "main"},
}

func config(t *testing.T) []byte {
	t.Helper()
	data, err := os.ReadFile("testdata/service.yaml")
	require.NoError(t, err)
	return data
}

// reloaded is the service with another configuration: shorter waits.
func reloaded(t *testing.T) []byte {
	t.Helper()
	data := strings.ReplaceAll(string(config(t)), "wait: 10m", "wait: 5m")
	require.NotEqual(t, string(config(t)), data)
	return []byte(data)
}

func TestSimulationOnTheMemoryStore(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3} {
		t.Run("seed="+string(rune('0'+seed)), func(t *testing.T) {
			rep := pipelinetest.Run(t, pipelinetest.Options{
				Config: config(t), Reloads: [][]byte{reloaded(t)}, Alerts: alerts, Seed: seed, Steps: 1000,
			})
			t.Log(rep)
		})
	}
}

func TestSimulationOfReplicasOnTheMemoryStore(t *testing.T) {
	rep := pipelinetest.Run(t, pipelinetest.Options{
		Config: config(t), Reloads: [][]byte{reloaded(t)}, Alerts: alerts, Seed: 7, Steps: 1000, Replicas: 3,
	})
	t.Log(rep)
}
