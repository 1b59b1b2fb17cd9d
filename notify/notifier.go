package notify

import "context"

// Notifier delivers a notification to one kind of receiver: a Slack
// channel, PagerDuty, an SMTP server, a webhook. It returns nil once the
// receiver has accepted it, and an error that Retryable classifies
// otherwise. It must return when ctx ends, and be safe for concurrent use.
// The dispatcher calls it again with the same Notification, and the same
// Key, after a failure or a crash.
type Notifier interface {
	Notify(ctx context.Context, n *Notification) error
}

// NotifierFunc adapts a function to Notifier.
type NotifierFunc func(ctx context.Context, n *Notification) error

// Notify calls f.
func (f NotifierFunc) Notify(ctx context.Context, n *Notification) error { return f(ctx, n) }
