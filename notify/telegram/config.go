package telegram

import (
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/alertkit/alertkit/notify"
)

// DefaultAPIURL is where the Bot API is, unless Config.APIURL says
// otherwise.
const DefaultAPIURL = "https://api.telegram.org"

// Config is a Telegram receiver: a bot, and the chat it posts to.
type Config struct {
	// Token is the bot's token from @BotFather, "123456789:AAE…". It is
	// part of every request's URL, and never shows in an error.
	Token notify.Secret `yaml:"token" json:"token"`
	// ChatID is the chat: its integer ID ("-1001234567890" for a
	// supergroup or channel, a user's ID for a private chat), or a public
	// channel's "@channelusername". It is a string; write an integer ID in
	// quotes in JSON.
	ChatID string `yaml:"chat_id" json:"chat_id"`
	// MessageThreadID is the topic of a forum supergroup to post in; 0 is
	// the chat itself (or the General topic).
	MessageThreadID int `yaml:"message_thread_id,omitempty" json:"message_thread_id,omitempty"`
	// APIURL is the Bot API's address, for a local Bot API server or a
	// proxy; empty is DefaultAPIURL.
	APIURL string `yaml:"api_url,omitempty" json:"api_url,omitempty"`
	// DisableNotification sends messages silently: members of the chat
	// get them without a sound.
	DisableNotification bool `yaml:"disable_notification,omitempty" json:"disable_notification,omitempty"`
	// Message overrides DefaultMessage: an html/template of the message,
	// in Telegram's HTML (<b>, <i>, <u>, <s>, <code>, <pre>, <a href>,
	// <blockquote>, <tg-spoiler>), that sees a notify.Data.
	Message string `yaml:"message,omitempty" json:"message,omitempty"`
}

var (
	// A bot token is the bot's ID, a colon and a key.
	tokenPattern = regexp.MustCompile(`^[0-9]+:[A-Za-z0-9_-]+$`)
	// A public username: a letter, then letters, digits and underscores.
	usernamePattern = regexp.MustCompile(`^@[A-Za-z][A-Za-z0-9_]{3,31}$`)
)

// Validate checks the configuration; errors name the field and say what
// is wrong, without quoting a value, which may be the token or read from
// the environment.
func (c *Config) Validate() error {
	switch {
	case c.Token == "":
		return errors.New("telegram: token: missing")
	case !tokenPattern.MatchString(c.Token.Reveal()):
		return errors.New("telegram: token: not a bot token (digits, a colon and letters, as @BotFather gives it)")
	case c.ChatID == "":
		return errors.New("telegram: chat_id: missing")
	case c.MessageThreadID < 0:
		return errors.New("telegram: message_thread_id: negative")
	}
	if _, err := c.chat(); err != nil {
		return err
	}
	if _, err := c.apiURL(); err != nil {
		return err
	}
	return nil
}

// chat returns the chat_id as the Bot API takes it: an integer, or a
// username as a string.
func (c *Config) chat() (any, error) {
	if strings.HasPrefix(c.ChatID, "@") {
		if !usernamePattern.MatchString(c.ChatID) {
			return nil, errors.New("telegram: chat_id: not a username (@ and 4 to 32 letters, digits or underscores, the first a letter)")
		}
		return c.ChatID, nil
	}
	id, err := strconv.ParseInt(c.ChatID, 10, 64)
	if err != nil || id == 0 || strings.HasPrefix(c.ChatID, "+") {
		return nil, errors.New("telegram: chat_id: neither an integer chat ID nor @channelusername")
	}
	return id, nil
}

// apiURL returns the API's address, without a slash at its end.
func (c *Config) apiURL() (string, error) {
	if c.APIURL == "" {
		return DefaultAPIURL, nil
	}
	u, err := url.Parse(c.APIURL)
	switch {
	case err != nil:
		// Its errors quote the URL.
		return "", errors.New("telegram: api_url: not a URL")
	case u.Scheme != "http" && u.Scheme != "https", u.Host == "":
		return "", errors.New("telegram: api_url: not an http or https URL")
	case u.User != nil, u.RawQuery != "", u.Fragment != "", u.ForceQuery:
		return "", errors.New("telegram: api_url: has a user, a query or a fragment")
	}
	return strings.TrimRight(c.APIURL, "/"), nil
}

// Options are what a Sender needs besides its configuration.
type Options struct {
	// Client sends the requests; nil is a client like
	// http.DefaultClient. The Sender does not follow redirects, so that
	// the token in the URL goes nowhere else.
	Client *http.Client
	// Now reads the clock, for Retry-After dates; nil is time.Now.
	Now func() time.Time
}
