package pagerduty

import (
	"errors"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/alertkit/alertkit/notify"
)

// DefaultURL is the Events API v2 endpoint.
const DefaultURL = "https://events.pagerduty.com/v2/enqueue"

// DefaultClient is the client name PagerDuty shows beside a triggered alert.
const DefaultClient = "alertkit"

// DefaultSummary is the default template of an event's summary: the
// incident's title line — status, severity name, triggers and project — and,
// for an escalation step or a hand-over, the note that says why.
const DefaultSummary = notify.DefaultTitle +
	`{{ if or (eq .Reason "escalation") (eq .Reason "handover") }}{{ with .Note }} — {{ . }}{{ end }}{{ end }}`

// Config is the configuration of a PagerDuty receiver: an Events API v2
// integration of a PagerDuty service, and how events to it read.
//
//	routing_key: 0123456789abcdef0123456789abcdef
//	component: checkout
//	severities: {S3: critical}
type Config struct {
	// RoutingKey is the integration key of an Events API v2 integration on
	// a PagerDuty service or ruleset. Required.
	RoutingKey notify.Secret `yaml:"routing_key" json:"routing_key"`
	// URL is the Events API endpoint; empty means DefaultURL.
	URL string `yaml:"url,omitempty" json:"url,omitempty"`
	// Source is payload.source, the affected system; empty means the
	// incident's project, or "alertkit" when it has none.
	Source string `yaml:"source,omitempty" json:"source,omitempty"`
	// Component, Group and Class are payload.component, payload.group and
	// payload.class; each is left out when empty.
	Component string `yaml:"component,omitempty" json:"component,omitempty"`
	Group     string `yaml:"group,omitempty" json:"group,omitempty"`
	Class     string `yaml:"class,omitempty" json:"class,omitempty"`
	// Severities overrides entries of the level → PagerDuty severity table
	// (see DefaultSeverities): keys are "S1" to "S9" and "unknown", values
	// "critical", "error", "warning" or "info".
	Severities map[string]string `yaml:"severities,omitempty" json:"severities,omitempty"`
	// Client is the monitoring client's name PagerDuty shows; empty means
	// DefaultClient.
	Client string `yaml:"client,omitempty" json:"client,omitempty"`
	// ClientURL is the link PagerDuty shows with Client; empty means the
	// incident's URL, when it has one.
	ClientURL string `yaml:"client_url,omitempty" json:"client_url,omitempty"`
	// Summary overrides DefaultSummary: a notify text template of
	// payload.summary. Its output is put on one line and cut to MaxSummary
	// characters.
	Summary string `yaml:"summary,omitempty" json:"summary,omitempty"`
}

// The PagerDuty severities, from the most to the least severe.
var pdSeverities = []string{"critical", "error", "warning", "info"}

// unknownLevel is the key of the severity table for a level outside 1–9.
const unknownLevel = "unknown"

// DefaultSeverities returns the default level → PagerDuty severity table,
// a fresh map on each call:
//
//	S1, S2    critical
//	S3, S4    error
//	S5, S6    warning
//	S7 to S9  info
//	unknown   error
func DefaultSeverities() map[string]string {
	return map[string]string{
		"S1": "critical", "S2": "critical",
		"S3": "error", "S4": "error",
		"S5": "warning", "S6": "warning",
		"S7": "info", "S8": "info", "S9": "info",
		unknownLevel: "error",
	}
}

// Validate checks the configuration; an error names the field by its
// configuration name, as "pagerduty: routing_key: missing", and says what
// is wrong without quoting the value, which may be a secret or read from
// the environment.
func (c *Config) Validate() error {
	_, err := c.compile()
	return err
}

// compiled is what a Sender keeps of its Config.
type compiled struct {
	url        string
	summary    *notify.Template
	severities [10]string // by level; [0] is unknown
}

// compile checks the configuration and fills in its defaults.
func (c *Config) compile() (*compiled, error) {
	key := c.RoutingKey.Reveal()
	switch {
	case key == "":
		return nil, fmt.Errorf("pagerduty: routing_key: missing")
	case strings.IndexFunc(key, unicode.IsSpace) >= 0:
		return nil, fmt.Errorf("pagerduty: routing_key: contains whitespace")
	}
	out := &compiled{url: c.URL}
	if out.url == "" {
		out.url = DefaultURL
	}
	if !httpURL(out.url) {
		return nil, fmt.Errorf("pagerduty: url: not an absolute http or https URL")
	}
	if c.ClientURL != "" && !httpURL(c.ClientURL) {
		return nil, fmt.Errorf("pagerduty: client_url: not an absolute http or https URL")
	}
	table := DefaultSeverities()
	for _, k := range slices.Sorted(maps.Keys(c.Severities)) {
		level, ok := levelKey(k)
		if !ok {
			return nil, errors.New("pagerduty: severities: a key is not a level (S1 to S9, or unknown)")
		}
		v := c.Severities[k]
		if !slices.Contains(pdSeverities, v) {
			return nil, fmt.Errorf("pagerduty: severities: %s: not critical, error, warning or info", level)
		}
		table[level] = v
	}
	out.severities[0] = table[unknownLevel]
	for i := 1; i <= 9; i++ {
		out.severities[i] = table["S"+strconv.Itoa(i)]
	}
	text := c.Summary
	if text == "" {
		text = DefaultSummary
	}
	t, err := notify.ParseText("summary", text)
	if err != nil {
		return nil, fmt.Errorf("pagerduty: %w", err)
	}
	out.summary = t
	return out, nil
}

// levelKey reads a key of the severity table, "S3" or "unknown" in any
// case, and returns it as the table spells it.
func levelKey(k string) (string, bool) {
	if strings.EqualFold(k, unknownLevel) {
		return unknownLevel, true
	}
	if len(k) == 2 && (k[0] == 'S' || k[0] == 's') && k[1] >= '1' && k[1] <= '9' {
		return "S" + k[1:], true
	}
	return "", false
}

// httpURL reports whether s is an absolute http or https URL.
func httpURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}
