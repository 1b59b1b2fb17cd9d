// Package telegram sends notifications to a Telegram chat — a group, a
// supergroup's forum topic, a channel, or a person — through a bot of the
// Bot API: one sendMessage request a notification, in Telegram's HTML.
//
// A receiver names the bot's token and the chat:
//
//	telegram:
//	  token: "123456789:AAE-your-bots-token"  # from @BotFather
//	  chat_id: "-1001234567890"   # or "@channelusername"
//	  message_thread_id: 42       # a forum topic, if any
//	  disable_notification: false
//
// and in Go:
//
//	s, err := telegram.New(&telegram.Config{
//		Token:  notify.Secret(os.Getenv("TELEGRAM_BOT_TOKEN")),
//		ChatID: "-1001234567890",
//	}, nil)
//	err = s.Notify(ctx, n)
//
// The bot must be a member of the chat (an administrator of a channel).
// The token is part of every request's path, /bot<token>/sendMessage; it
// is a [notify.Secret] and never shows in an error, nor when a Sender,
// "telegram.Sender{api=https://api.telegram.org chat=-1001234567890}", or
// its Config is printed or logged.
//
// # Messages
//
// A message is the incident card of [DefaultMessage], or the template of
// Config.Message. Reasons become:
//
//   - opened: 🔥 and the card: title, note, status, severity, service
//     level, alerts, duration, owner, the label summary, the summaries of
//     the first three alerts, the runbooks and the incident's link.
//   - escalation: 🚨 and the card, the note saying which step.
//   - acknowledged: 👀 and the card.
//   - resolved: ✅ and the card, with how long the incident lasted.
//   - handover: 🔁 and the card, the note saying who hands over to whom.
//   - digest: 📋, the note, and one line an incident, linked.
//
// Notification.People and Teams are not mentioned: alertkit's names are
// not Telegram usernames.
//
// Templates are html/templates ([notify.ParseHTML]): they escape what
// they insert as Telegram's HTML parse mode requires — <, > and & as
// &lt;, &gt; and &amp;, quotes as numeric entities, which Telegram
// decodes too — so labels and annotations show as text, whatever markup
// they carry, and a link cannot run a script. A template writes only
// Telegram's tags: <b>, <i>, <u>, <s>, <code>, <pre>, <a href>,
// <blockquote>, <tg-spoiler> and their aliases; HTML that a template
// leaves unbalanced is refused before it is sent. Link previews are
// disabled: runbooks and dashboards would otherwise fill the chat.
//
// # Limits
//
// A message shows at most [MaxLength] characters, counted as Telegram
// does once its tags are removed and its entities decoded. A longer one is
// cut at a line's end when one is near, never inside a tag or an entity,
// its open tags closed, and ends with "…" and how many characters were
// left out.
//
// A template sees texts — labels, annotations, titles, notes — of at most
// MaxLength characters, made valid UTF-8. Should its output still pass
// [notify.MaxRendered] (thousands of label values, a digest of thousands
// of incidents), it is rendered again from less: texts of 1024 characters
// and lists of 100, then fewer, down to 24 characters and 4 items. The
// count then says "at least", and a message that fits says that labels
// and lists were cut.
//
// # Errors
//
// Notify returns nil once the Bot API answers "ok": true. Flood control
// (HTTP 429) and server errors are retryable, after the answer's
// parameters.retry_after or its Retry-After header, whichever is longer;
// other refusals (400 for a chat or topic not found, 401 for a revoked
// token, 403 for a bot removed from the chat) are permanent, with
// Telegram's description. A group that became a supergroup is refused
// with its new chat ID.
//
// # Concurrency
//
// A Sender may be used by many goroutines at once.
package telegram
