package webhook_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/alertkit/alertkit/notify"
	"github.com/alertkit/alertkit/notify/notifytest"
	"github.com/alertkit/alertkit/notify/webhook"
)

// TestPrinting: a Sender shows an operator its URL's host and its format,
// and none of its secrets — not even the user info of its URL; its Config
// shows its fields, secrets as "<secret>".
func TestPrinting(t *testing.T) {
	cfg := fullConfig(webhook.FormatAlertmanager)
	cfg.URL = notify.Secret("https://user:" + urlToken + "@hooks.example.com/x/" + urlToken)
	s := newSender(t, cfg)
	require.Equal(t, "webhook.Sender{url=https://hooks.example.com/… format=alertmanager}", s.String())
	secrets := []string{urlToken, bearerToken, signingKey, tenantKey}
	notifytest.SecretsHidden(t, s, secrets...)
	notifytest.SecretsHidden(t, cfg, secrets...)
	notifytest.SecretsHidden(t, *cfg, secrets...)
	require.Equal(t, "{URL:<secret> Format: BearerToken: Headers:map[] SigningKey: MaxAlerts:0 ExternalURL:}", fmt.Sprint(webhook.Config{URL: "https://hooks.example.com/"}))
}
