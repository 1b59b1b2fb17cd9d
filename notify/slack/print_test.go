package slack_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/alertkit/alertkit/notify/notifytest"
	"github.com/alertkit/alertkit/notify/slack"
)

// TestPrinting: a Sender shows an operator where it posts, and neither its
// webhook's token nor its bot's; its Config shows its fields, secrets as
// "<secret>".
func TestPrinting(t *testing.T) {
	const hookToken, botToken = "W3BH00KT0K3N", "xoxb-B0TT0K3N"
	tests := []struct {
		name string
		cfg  *slack.Config
		want string
	}{
		{"a webhook", &slack.Config{WebhookURL: "https://hooks.slack.com/services/T0/B0/" + hookToken}, "slack.Sender{url=https://hooks.slack.com/…}"},
		{"a bot", &slack.Config{Token: botToken, Channel: "#ops"}, "slack.Sender{api=https://slack.com/… channel=#ops}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSender(t, tt.cfg, nil)
			require.Equal(t, tt.want, s.String())
			require.Equal(t, tt.want, fmt.Sprint(s))
			notifytest.SecretsHidden(t, s, hookToken, botToken)
			notifytest.SecretsHidden(t, tt.cfg, hookToken, botToken)
			notifytest.SecretsHidden(t, *tt.cfg, hookToken, botToken)
		})
	}
	require.Equal(t, "<nil>", fmt.Sprint((*slack.Sender)(nil)))
	require.Equal(t, `slack.Config{WebhookURL:notify.Secret(""), Token:notify.Secret("<secret>"), Channel:"#ops", APIURL:"", Mentions:map[string]string(nil), Title:"", Text:""}`,
		fmt.Sprintf("%#v", slack.Config{Token: botToken, Channel: "#ops"}))
}
