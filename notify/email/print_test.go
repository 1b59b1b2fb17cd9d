package email_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/alertkit/alertkit/notify/email"
	"github.com/alertkit/alertkit/notify/notifytest"
)

// TestPrinting: a Sender shows an operator its server and addresses, and
// not its password; its Config shows its fields, the password as
// "<secret>".
func TestPrinting(t *testing.T) {
	cfg := &email.Config{Smarthost: "smtp.example.com:587", From: "Alertkit <alertkit@example.com>",
		To: []string{"ops@example.com", "sre@example.com"}, Username: "alertkit", Password: fakePassword}
	s := newSender(t, cfg, nil)
	require.Equal(t, "email.Sender{smarthost=smtp.example.com:587 from=alertkit@example.com to=ops@example.com,sre@example.com}", s.String())
	notifytest.SecretsHidden(t, s, fakePassword)
	notifytest.SecretsHidden(t, cfg, fakePassword)
	notifytest.SecretsHidden(t, *cfg, fakePassword)
}
