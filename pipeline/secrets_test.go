package pipeline_test

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/alertkit/alertkit/pipeline"
)

// TestErrorsHideEnvironmentValues: a secret read from the environment
// into the wrong field — a token where a URL, a chat or an address goes —
// is refused by an error that names the field and never quotes the value.
func TestErrorsHideEnvironmentValues(t *testing.T) {
	data, err := os.ReadFile("testdata/service.yaml")
	require.NoError(t, err)
	base := string(data)
	const receiver = `    webhook: {url: "${ALERTKIT_TEST_HOOK}/ops"}`
	require.Contains(t, base, receiver)
	t.Setenv("ALERTKIT_TEST_HOOK", "http://127.0.0.1:1")

	tests := []struct {
		name string
		// secret is what ${ALERTKIT_TEST_SECRET} holds.
		secret string
		// receiver replaces the first receiver's channel.
		receiver string
		// field is what the error must name.
		field string
	}{
		{"slack: a token as the api_url", "xoxb-1234-S3CR3TT0K3N", `    slack: {token: "${ALERTKIT_TEST_SECRET}", channel: C0ALERTS1, api_url: "${ALERTKIT_TEST_SECRET}"}`, "api_url"},
		{"slack: a token as a mention", "xoxb-1234-S3CR3TT0K3N", `    slack: {token: t, channel: C0ALERTS1, mentions: {alice: "${ALERTKIT_TEST_SECRET}"}}`, "mentions"},
		{"slack: a webhook URL that is not one", "hooks.slack.com/services/T0/B0/S3CR3TT0K3N", `    slack: {webhook_url: "${ALERTKIT_TEST_SECRET}"}`, "webhook_url"},
		{"telegram: a token as the api_url", "123456:S3CR3TT0K3N", `    telegram: {token: "1:x", chat_id: "1", api_url: "${ALERTKIT_TEST_SECRET}"}`, "api_url"},
		{"telegram: an api_url that does not parse", "https://api.telegram.org/%zzS3CR3TT0K3N", `    telegram: {token: "1:x", chat_id: "1", api_url: "${ALERTKIT_TEST_SECRET}"}`, "api_url"},
		{"telegram: an api_url with a query", "https://api.telegram.org/?key=S3CR3TT0K3N", `    telegram: {token: "1:x", chat_id: "1", api_url: "${ALERTKIT_TEST_SECRET}"}`, "api_url"},
		{"telegram: a token as the chat", "123456:S3CR3TT0K3N", `    telegram: {token: "${ALERTKIT_TEST_SECRET}", chat_id: "${ALERTKIT_TEST_SECRET}"}`, "chat_id"},
		{"pagerduty: a key as the url", "S3CR3TT0K3N", `    pagerduty: {routing_key: "${ALERTKIT_TEST_SECRET}", url: "${ALERTKIT_TEST_SECRET}"}`, "url"},
		{"pagerduty: a key as a severity", "S3CR3TT0K3N", `    pagerduty: {routing_key: k, severities: {S1: "${ALERTKIT_TEST_SECRET}"}}`, "severities"},
		{"webhook: a token for a scheme", "s3cr3t:S3CR3TT0K3N", `    webhook: {url: "${ALERTKIT_TEST_SECRET}"}`, "url"},
		{"webhook: a host that does not parse", "https://S3CR3TT0K3N host/", `    webhook: {url: "${ALERTKIT_TEST_SECRET}"}`, "url"},
		{"webhook: a token as the external_url", "S3CR3TT0K3N", `    webhook: {url: "https://hooks.example.com/", format: alertmanager, external_url: "${ALERTKIT_TEST_SECRET}"}`, "external_url"},
		{"webhook: a token as the format", "S3CR3TT0K3N", `    webhook: {url: "https://hooks.example.com/", format: "${ALERTKIT_TEST_SECRET}"}`, "format"},
		{"webhook: a header name with the key in it", "S3CR3TT0K3N", `    webhook: {url: "https://hooks.example.com/", headers: {"X-Api-Key ${ALERTKIT_TEST_SECRET}": v}}`, "headers"},
		{"email: a password as the smarthost", "S3CR3TT0K3N", `    email: {smarthost: "${ALERTKIT_TEST_SECRET}", from: a@example.com, to: [b@example.com]}`, "smarthost"},
		{"email: a bad port", "smtp.example.com:S3CR3TT0K3N", `    email: {smarthost: "${ALERTKIT_TEST_SECRET}", from: a@example.com, to: [b@example.com]}`, "smarthost"},
		{"email: a password as the from", "S3CR3TT0K3N", `    email: {smarthost: "smtp.example.com:587", from: "${ALERTKIT_TEST_SECRET}", to: [b@example.com]}`, "from"},
		{"email: two addresses in one", "a@example.com, S3CR3TT0K3N@example.com", `    email: {smarthost: "smtp.example.com:587", from: a@example.com, to: ["${ALERTKIT_TEST_SECRET}"]}`, "to[0]"},
		{"email: a password as the hello", "S3CR3T T0K3N", `    email: {smarthost: "smtp.example.com:587", from: a@example.com, to: [b@example.com], hello: "${ALERTKIT_TEST_SECRET}"}`, "hello"},
		{"a secret as a receiver's name", "S3CR3TT0K3N", receiver + "\n    telegram: {token: \"1:x\", chat_id: \"1\"}", "receivers[0]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("ALERTKIT_TEST_SECRET", tt.secret)
			config := strings.Replace(base, receiver, tt.receiver, 1)
			if tt.field == "receivers[0]" {
				config = strings.Replace(config, "  - name: ops\n", "  - name: \"${ALERTKIT_TEST_SECRET}\"\n", 1)
			}
			f, err := pipeline.ParseFile([]byte(config), "service.yaml", "testdata")
			if err == nil {
				_, err = f.Build(pipeline.BuildOptions{})
			}
			require.Error(t, err)
			require.Contains(t, err.Error(), tt.field, "the error names the field")
			// Every secret holds S3CR3T; url.Parse lowers a scheme's case.
			require.NotContains(t, strings.ToLower(err.Error()), "s3cr3t", "the error quotes the value read from the environment")
		})
	}
}
