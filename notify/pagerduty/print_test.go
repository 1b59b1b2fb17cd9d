package pagerduty_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/alertkit/alertkit/notify/notifytest"
	"github.com/alertkit/alertkit/notify/pagerduty"
)

// TestPrinting: a Sender shows an operator where it sends events, and not
// its routing key; its Config shows its fields, the key as "<secret>".
func TestPrinting(t *testing.T) {
	cfg := &pagerduty.Config{RoutingKey: testKey, Component: "checkout"}
	s, err := pagerduty.New(cfg, nil)
	require.NoError(t, err)
	require.Equal(t, "pagerduty.Sender{url=https://events.pagerduty.com/… component=checkout}", s.String())
	notifytest.SecretsHidden(t, s, testKey)
	notifytest.SecretsHidden(t, cfg, testKey)
	notifytest.SecretsHidden(t, *cfg, testKey)
	require.Equal(t, "{RoutingKey:<secret> URL: Source: Component:checkout Group: Class: Severities:map[] Client: ClientURL: Summary:}", fmt.Sprintf("%+v", cfg))
}
