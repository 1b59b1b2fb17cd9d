package incident_test

import (
	"testing"

	"github.com/alertkit/alertkit/incident"
	"github.com/alertkit/alertkit/incident/storetest"
)

func TestMemoryStoreConformance(t *testing.T) {
	storetest.Run(t, func(*testing.T) incident.Store { return incident.NewMemoryStore() })
}
