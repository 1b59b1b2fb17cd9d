// Package slack sends notifications to Slack, as Block Kit messages that
// show the incident card: through an incoming webhook, or with a bot
// token, which also updates an incident's message as it is acknowledged
// and resolved and keeps the rest of its story in the message's thread.
//
//	# a receiver through an incoming webhook
//	webhook_url: https://hooks.slack.com/services/T0000/B0000/XXXXXXXX
//
//	# or with a bot token (scope chat:write), in a channel the bot is in
//	token: xoxb-0000-0000-XXXXXXXX
//	channel: C0123ABCD
//	mentions:
//	  vasiliy.vasiliyev: U024BE7LH
//	  sre: S0614TZR7
//
// In Go:
//
//	s, err := slack.New(&slack.Config{
//		Token:    notify.Secret(os.Getenv("SLACK_TOKEN")),
//		Channel:  "C0123ABCD",
//		Mentions: map[string]string{"vasiliy.vasiliyev": "U024BE7LH", "sre": "S0614TZR7"},
//	}, nil)
//	if err != nil {
//		return err
//	}
//	err = s.Notify(ctx, n) // nil once Slack accepted it; notify.Retryable classifies the rest
//
// # Modes
//
// An incoming webhook ([Config.WebhookURL]) posts to the channel it was
// made for: every notification is a new message, and Slack answers 200
// "ok". A bot token ([Config.Token], [Config.Channel]) calls
// chat.postMessage and chat.update with "Authorization: Bearer <token>",
// and Slack answers {"ok": true, "channel": …, "ts": …} or
// {"ok": false, "error": …}.
//
// # Messages
//
// A message is Block Kit blocks with a text for notifications. The card
// of an incident is a header ("[ACKNOWLEDGED] S2 TargetDown in
// horns-and-hooves", from [Config.Title]); a section with the note, the
// mentions and the key facts — status, severity, service level, alerts and
// how many are active, duration, owner; the label summary; the first
// three alerts, by their summary annotation; links to the runbooks and
// the incident; and a context line with the incident's ID and times.
// [Config.Text] replaces the note and facts, and the notification text.
//
// A digest is a header, the note, and a line per incident — its title
// linked to its page, status, severity and alerts.
//
// People and teams of the notification are mentioned by the IDs of
// [Config.Mentions] (<@U…>, <!subteam^S…>); those without one are named in
// text. Labels, annotations, notes and the templates' output are outside
// input: Slack's control characters &, < and > are escaped, mrkdwn text
// objects are verbatim, and link_names is never set, so that neither
// "<!channel>" nor "@channel" in a label pings anyone, and no label makes
// a link. Only http and https URLs are linked.
//
// # Updates and threads
//
// With a bot token, the sender remembers the ts of each incident's first
// message in [Refs] ([NewMemoryRefs] by default: bounded, and forgotten on
// restart; give a shared, lasting one in [Options.Refs] for replicas).
// Then:
//
//   - opened, escalation: with a remembered message, a reply in its
//     thread instead of a new card — a notification sent again after a
//     crash, or the next step of an escalation, does not flood the channel;
//     the reply mentions whom it addresses, which notifies them;
//   - acknowledged, resolved, handover: the message is updated to the new
//     card (chat.update), and the note is replied in its thread;
//   - digest: a new message.
//
// Without a remembered message, or with one that can no longer be updated,
// the card is posted anew and remembered. Notifications of one incident
// are expected one at a time, as the dispatcher sends them; two sent at
// once before the first message is remembered both post a card.
//
// # Errors
//
// Webhook: 400 invalid_payload, 403 action_prohibited, 404
// channel_not_found, 410 channel_is_archived are permanent; 429 and 5xx
// are retried after Retry-After. Web API: HTTP 429 with Retry-After, 5xx,
// and the codes ratelimited, internal_error, fatal_error,
// service_unavailable, request_timeout and team_added_to_org are retried;
// every other code — channel_not_found, not_in_channel, invalid_auth,
// account_inactive, token_revoked, msg_too_long, invalid_blocks, and codes
// unknown to this package — is permanent, as an [APIError]. Errors start
// with "slack: " and never show the token or the webhook's URL; nor does
// printing or logging a Sender, "slack.Sender{url=https://hooks.slack.com/…}",
// or its Config. A redirect to another host is not followed.
//
// # Limits
//
// Messages keep within Slack's limits: at most 50 blocks, a header of 150
// characters, sections of 3000, fields of 2000. Long notes and values are
// cut with "…", never inside an escape; a summary shows ten values a label,
// and sections and digests say how many labels, alerts or incidents they
// left out. A digest's lines hold at most 12,000 characters in all, below
// the total Slack refuses as msg_blocks_too_long.
//
// # Concurrency
//
// A Sender may be used by many goroutines at once.
package slack
