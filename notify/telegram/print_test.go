package telegram_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/alertkit/alertkit/notify/notifytest"
	"github.com/alertkit/alertkit/notify/telegram"
)

// TestPrinting: a Sender shows an operator its API's host and its chat,
// and not its token; its Config shows its fields, the token as
// "<secret>".
func TestPrinting(t *testing.T) {
	cfg := &telegram.Config{Token: testToken, ChatID: "-1001234567890", MessageThreadID: 7}
	s, err := telegram.New(cfg, nil)
	require.NoError(t, err)
	require.Equal(t, "telegram.Sender{api=https://api.telegram.org chat=-1001234567890 thread=7}", s.String())
	require.Equal(t, `&telegram.Sender{api:"https://api.telegram.org", chat:"-1001234567890", thread:"7"}`, fmt.Sprintf("%#v", s))
	notifytest.SecretsHidden(t, s, testToken)
	notifytest.SecretsHidden(t, cfg, testToken)
	notifytest.SecretsHidden(t, *cfg, testToken)
}
