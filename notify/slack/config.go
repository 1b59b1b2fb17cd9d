package slack

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/alertkit/alertkit/notify"
)

// DefaultAPIURL is the base of Slack's Web API methods.
const DefaultAPIURL = "https://slack.com/api/"

// Config is a Slack receiver: an incoming webhook, or a bot token and a
// channel. Exactly one of WebhookURL and Token is set.
//
// The zero value is not valid; Validate says what is missing.
type Config struct {
	// WebhookURL is an incoming webhook's URL, which embeds its token
	// ("https://hooks.slack.com/services/T…/B…/…"). The webhook posts to
	// the channel it was created for; messages are never updated.
	WebhookURL notify.Secret `yaml:"webhook_url,omitempty" json:"webhook_url,omitempty"`

	// Token is a bot token ("xoxb-…") with the chat:write scope, sent as
	// "Authorization: Bearer <token>" to chat.postMessage and chat.update.
	Token notify.Secret `yaml:"token,omitempty" json:"token,omitempty"`
	// Channel is where a bot posts: a channel ID ("C0123ABCD") is best,
	// because chat.update takes IDs only; with a name ("#ops") the sender
	// uses the ID Slack answers with.
	Channel string `yaml:"channel,omitempty" json:"channel,omitempty"`
	// APIURL is the base of the Web API methods; empty means
	// DefaultAPIURL.
	APIURL string `yaml:"api_url,omitempty" json:"api_url,omitempty"`

	// Mentions maps the names of people and teams (a Notification's
	// People and Teams) to Slack IDs: a user ("U…" or "W…") is mentioned
	// as <@U…>, a user group ("S…") as <!subteam^S…>. A name without an
	// ID is shown as text.
	Mentions map[string]string `yaml:"mentions,omitempty" json:"mentions,omitempty"`

	// Title is a text template for the message's header; empty means
	// notify.DefaultTitle ("[OPEN] S2 TargetDown in horns-and-hooves").
	Title string `yaml:"title,omitempty" json:"title,omitempty"`
	// Text is a text template that replaces the card's first section (the
	// note and the key facts) and the notification text; empty means the
	// built card. Its output is escaped: it cannot add markup or mentions.
	Text string `yaml:"text,omitempty" json:"text,omitempty"`
}

// Options are what is not configuration. The zero value means the
// defaults.
type Options struct {
	// Client sends the requests; nil means http.DefaultClient. The
	// context of Notify bounds each request's time.
	Client *http.Client
	// Now returns the time, for reading Retry-After dates; nil means
	// time.Now. Messages are rendered at the Notification's At.
	Now func() time.Time
	// Refs remembers each incident's first message, for updates and
	// thread replies with a bot token; nil means NewMemoryRefs(0), which
	// forgets on restart. Unused with a webhook.
	Refs Refs
	// Logger receives a record, at level Warn, when a message was posted
	// but Refs failed to remember it. Default: no logging.
	Logger *slog.Logger
}

var (
	userID    = regexp.MustCompile(`^[UW][A-Z0-9]{2,}$`)
	groupID   = regexp.MustCompile(`^S[A-Z0-9]{2,}$`)
	channelID = regexp.MustCompile(`^[CGD][A-Z0-9]{6,}$`)
)

// Validate checks the configuration; each error names its field
// ("slack: channel: missing") and says what is wrong, without quoting the
// value, which may be a secret or read from the environment. A mention
// is named by its key.
func (c *Config) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf("slack: "+format, args...)) }
	switch {
	case c.WebhookURL == "" && c.Token == "":
		bad("webhook_url or token: missing")
	case c.WebhookURL != "" && c.Token != "":
		bad("webhook_url and token: both set; configure one")
	case c.WebhookURL != "":
		// The URL is a secret: errors never quote it.
		if !httpURL(c.WebhookURL.Reveal()) {
			bad("webhook_url: not an absolute http(s) URL")
		}
		if c.Channel != "" {
			bad("channel: not used with webhook_url (an incoming webhook posts to its own channel)")
		}
		if c.APIURL != "" {
			bad("api_url: not used with webhook_url")
		}
	default:
		if strings.TrimSpace(c.Channel) == "" {
			bad("channel: missing")
		}
		if c.APIURL != "" && !httpURL(c.APIURL) {
			bad("api_url: not an absolute http(s) URL")
		}
	}
	names := make([]string, 0, len(c.Mentions))
	for name := range c.Mentions {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		id := c.Mentions[name]
		switch {
		case strings.TrimSpace(name) == "":
			bad("mentions: an empty name")
		case !userID.MatchString(id) && !groupID.MatchString(id):
			bad("mentions: %q: not a user ID (U…, W…) or a user group ID (S…)", name)
		}
	}
	if _, _, err := c.templates(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// templates parses the title and text templates; a nil text means the
// built card.
func (c *Config) templates() (title, text *notify.Template, err error) {
	title = notify.DefaultTitleTemplate
	if c.Title != "" {
		if title, err = notify.ParseText("title", c.Title); err != nil {
			return nil, nil, templateError("title", err)
		}
	}
	if c.Text != "" {
		if text, err = notify.ParseText("text", c.Text); err != nil {
			return nil, nil, templateError("text", err)
		}
	}
	return title, text, nil
}

// templateError names the field of a template's error, with the
// position text/template gives ("slack: title: template: title:1: …").
func templateError(field string, err error) error {
	if inner := errors.Unwrap(err); inner != nil {
		err = inner
	}
	return fmt.Errorf("slack: %s: %w", field, err)
}

func httpURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}
