package pagerduty

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/alertkit/alertkit/notify"
)

// The limits of the Events API v2.
const (
	// MaxSummary is the most characters of payload.summary.
	MaxSummary = 1024
	// MaxDedupKey is the most characters of a dedup_key.
	MaxDedupKey = 255
	// MaxEvent is the most bytes of an event: PagerDuty's 512 KB, read as
	// 512,000 bytes.
	MaxEvent = 512 * 1000
)

// What custom_details show at most.
const (
	// maxAlerts is how many of the incident's alerts the details and the
	// links show.
	maxAlerts = 5
	// maxValues is how many values of a label the label summary shows.
	maxValues = 10
	// maxDetail is the most characters of a string in the details.
	maxDetail = 1024
)

// ErrDigest is the error, marked notify.Permanent, of a digest sent to
// PagerDuty: a digest is a summary to read, not a page, and PagerDuty has
// no event for it.
var ErrDigest = errors.New("a digest is not a page: route digests to a chat or email receiver")

// Options are what a Sender needs besides its Config.
type Options struct {
	// Client sends the requests; nil means http.DefaultClient. The
	// context of Notify bounds each request's time.
	Client *http.Client
	// Now reads the clock for Retry-After dates; nil means time.Now.
	Now func() time.Time
}

// Sender sends notifications to PagerDuty as Events API v2 alert events.
// A Sender may be used by many goroutines at once.
type Sender struct {
	cfg    Config
	c      *compiled
	client *http.Client
	now    func() time.Time
}

var _ notify.Notifier = (*Sender)(nil)

// New returns a Sender of a configuration, which it validates and copies.
func New(cfg *Config, opts *Options) (*Sender, error) {
	if cfg == nil {
		return nil, errors.New("pagerduty: no configuration")
	}
	c, err := cfg.compile()
	if err != nil {
		return nil, err
	}
	if opts == nil {
		opts = &Options{}
	}
	s := &Sender{cfg: *cfg, c: c, client: opts.Client, now: opts.Now}
	s.cfg.Severities = maps.Clone(cfg.Severities)
	if s.cfg.Client == "" {
		s.cfg.Client = DefaultClient
	}
	if s.now == nil {
		s.now = time.Now
	}
	return s, nil
}

// Notify sends n to PagerDuty as one event: a trigger for an opened
// incident, an escalation step or a hand-over; an acknowledge or a resolve
// for an acknowledged or resolved incident. A digest is refused with
// ErrDigest. It returns nil once PagerDuty answered that it processed the
// event.
func (s *Sender) Notify(ctx context.Context, n *notify.Notification) error {
	if err := n.Validate(); err != nil {
		return notify.Permanent(fmt.Errorf("pagerduty: %w", err))
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("pagerduty: %w", err)
	}
	body, err := s.encode(n)
	if err != nil {
		return err
	}
	req, err := http.NewRequest(http.MethodPost, s.c.url, bytes.NewReader(body))
	if err != nil {
		return notify.Permanent(errors.New("pagerduty: url: cannot make a request of it"))
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	status, answer, err := notify.Do(ctx, s.client, req, s.now)
	if err != nil {
		var se *notify.StatusError
		if errors.As(err, &se) {
			se.Body = describe(s.scrub(answer))
			return fmt.Errorf("pagerduty: %w", se)
		}
		return fmt.Errorf("pagerduty: %w", err)
	}
	var a pdAnswer
	if json.Unmarshal(answer, &a) != nil || a.Status != "success" {
		// A 2xx that does not say success is not PagerDuty's: a proxy or a
		// portal. The event may not have arrived; sending it again is safe,
		// since its dedup_key folds repeats into one alert.
		return fmt.Errorf("pagerduty: %w", &notify.StatusError{
			StatusCode: status, Status: fmt.Sprintf("%d %s", status, http.StatusText(status)),
			Body: "the answer does not say success: " + cmp.Or(describe(s.scrub(answer)), "empty"), Retry: true,
		})
	}
	return nil
}

// action returns the event_action of a reason.
func action(r notify.Reason) (string, error) {
	switch r {
	case notify.ReasonOpened, notify.ReasonEscalation, notify.ReasonHandover:
		return "trigger", nil
	case notify.ReasonAcknowledged:
		return "acknowledge", nil
	case notify.ReasonResolved:
		return "resolve", nil
	case notify.ReasonDigest:
		return "", ErrDigest
	}
	return "", fmt.Errorf("unknown reason %q", r)
}

// Severity returns the PagerDuty severity of a level, 1 (S1) to 9 (S9),
// or of an unknown level (0 or any other), by the Sender's table.
func (s *Sender) Severity(level int) string {
	if level < 1 || level > 9 {
		level = 0
	}
	return s.c.severities[level]
}

// encode returns the event of n as JSON.
func (s *Sender) encode(n *notify.Notification) ([]byte, error) {
	act, err := action(n.Reason)
	if err != nil {
		return nil, notify.Permanent(fmt.Errorf("pagerduty: %w", err))
	}
	key := string(n.Incident.ID)
	if utf8.RuneCountInString(key) > MaxDedupKey {
		return nil, notify.Permanent(fmt.Errorf("pagerduty: incident ID longer than %d characters cannot be a dedup_key", MaxDedupKey))
	}
	ev := &event{RoutingKey: s.cfg.RoutingKey.Reveal(), EventAction: act, DedupKey: key}
	if act == "trigger" {
		if err := s.trigger(ev, n); err != nil {
			return nil, err
		}
	}
	b, err := marshal(ev)
	if err != nil {
		return nil, notify.Permanent(fmt.Errorf("pagerduty: encoding the event: %w", err))
	}
	if len(b) > MaxEvent && ev.Payload != nil {
		// Outside input — many labels, long values — made it too big: keep
		// the counts and leave the lists out.
		d := ev.Payload.CustomDetails
		d.Labels, d.FirstAlerts = nil, nil
		d.Omitted = "the label summary and the alerts, to keep the event within PagerDuty's size limit"
		if b, err = marshal(ev); err != nil {
			return nil, notify.Permanent(fmt.Errorf("pagerduty: encoding the event: %w", err))
		}
	}
	if len(b) > MaxEvent {
		return nil, notify.Permanent(fmt.Errorf("pagerduty: the event is %d bytes, more than PagerDuty's %d", len(b), MaxEvent))
	}
	return b, nil
}

// trigger fills in what a trigger event has beyond its key: the payload,
// the links and the client.
func (s *Sender) trigger(ev *event, n *notify.Notification) error {
	inc := &n.Incident
	summary, err := s.c.summary.Render(n, n.At)
	if err != nil {
		return notify.Permanent(fmt.Errorf("pagerduty: %w", err))
	}
	summary = strings.Join(strings.Fields(summary), " ")
	if summary == "" {
		// PagerDuty refuses an event without a summary.
		summary = strings.Join(strings.Fields(inc.Title), " ")
		if summary == "" {
			summary = "incident " + string(inc.ID)
		}
	}
	source := s.cfg.Source
	if source == "" {
		source = inc.Project
	}
	if source == "" {
		source = "alertkit"
	}
	p := &payload{
		Summary:   notify.Truncate(summary, MaxSummary),
		Source:    source,
		Severity:  s.Severity(inc.Severity),
		Component: s.cfg.Component, Group: s.cfg.Group, Class: s.cfg.Class,
		CustomDetails: newDetails(n),
	}
	if !n.At.IsZero() {
		p.Timestamp = n.At.Format(time.RFC3339)
	}
	ev.Payload = p
	ev.Links = links(inc)
	ev.Client = s.cfg.Client
	ev.ClientURL = s.cfg.ClientURL
	if ev.ClientURL == "" && httpURL(inc.URL) {
		ev.ClientURL = inc.URL
	}
	return nil
}

// links are the incident's page, its runbooks and the first alerts'
// sources. Those that are not http(s) URLs are left out: PagerDuty would
// refuse the whole event for one of them.
func links(inc *notify.Snapshot) []link {
	var out []link
	seen := map[string]bool{}
	add := func(href, text string) {
		if !httpURL(href) || seen[href] {
			return
		}
		seen[href] = true
		out = append(out, link{Href: href, Text: notify.Truncate(text, maxDetail)})
	}
	add(inc.URL, "Incident "+string(inc.ID))
	for _, rb := range inc.Runbooks {
		title := rb.Title
		if title == "" {
			title = "Runbook"
		}
		add(rb.URL, title)
	}
	for _, a := range inc.Members[:min(len(inc.Members), maxAlerts)] {
		add(a.GeneratorURL, "Source: "+alertName(&a))
	}
	return out
}

// alertName is "TargetDown on 10.244.37.14:9403", or the alert's
// fingerprint when it has neither label.
func alertName(a *notify.Alert) string {
	name := string(a.Labels["alertname"])
	if name == "" {
		name = "alert " + a.Fingerprint
	}
	if inst := a.Labels["instance"]; inst != "" {
		name += " on " + string(inst)
	}
	return name
}

// marshal encodes an event without escaping <, > and &: PagerDuty reads
// JSON, not HTML, and the text arrives the same.
func marshal(ev *event) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(ev); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// pdAnswer is PagerDuty's answer: {"status":"success","message":"Event
// processed","dedup_key":"…"}, or {"status":"invalid event","message":
// "Event object is invalid","errors":["…"]}.
type pdAnswer struct {
	Status   string   `json:"status"`
	Message  string   `json:"message"`
	DedupKey string   `json:"dedup_key"`
	Errors   []string `json:"errors"`
}

// describe words PagerDuty's answer for an error: "invalid event: Event
// object is invalid: …", or else the start of the body, on one line.
func describe(body []byte) string {
	var a pdAnswer
	if json.Unmarshal(body, &a) == nil && (a.Status != "" || a.Message != "") {
		var parts []string
		for _, p := range append([]string{a.Status, a.Message}, a.Errors...) {
			if p = strings.TrimSpace(p); p != "" && !containsFold(parts, p) {
				parts = append(parts, p)
			}
		}
		return oneLine(strings.Join(parts, ": "))
	}
	return oneLine(string(body))
}

func containsFold(ss []string, s string) bool {
	for _, x := range ss {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// oneLine is s on one line, cut to 512 characters.
func oneLine(s string) string {
	return notify.Truncate(strings.Join(strings.Fields(s), " "), 512)
}

// scrub hides the routing key, should an answer echo it.
func (s *Sender) scrub(answer []byte) []byte {
	key := s.cfg.RoutingKey.Reveal()
	return bytes.ReplaceAll(answer, []byte(key), []byte(s.cfg.RoutingKey.String()))
}
