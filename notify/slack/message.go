package slack

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/alertkit/alertkit/incident"
	"github.com/alertkit/alertkit/notify"
	"github.com/alertkit/alertkit/severity"
)

// The limits of a message, from Slack's Block Kit reference, and the
// shares of them the card gives its parts. Lengths count UTF-16 code
// units, as Slack's clients do, which is never fewer than characters.
const (
	maxBlocks   = 50   // blocks in a message
	maxHeader   = 150  // a header's plain_text
	maxSection  = 3000 // a section's text
	maxField    = 2000 // a section field's text
	maxFields   = 10   // fields in a section
	maxFallback = 3000 // the notification text (Slack cuts text at 40,000)
	// maxDigestText caps the item lines of a digest across its sections:
	// Slack refuses messages whose blocks hold much more text
	// (msg_blocks_too_long) even within the documented limits.
	maxDigestText = 12000

	maxLine      = 300  // a label's values, an alert's summary, a digest item's title
	maxNote      = 1500 // the note in the first section
	maxCustom    = 1800 // Config.Text's output in the first section
	maxMentions  = 20   // people and teams mentioned
	shownValues  = 10   // values of a label in the summary
	shownAlerts  = 3    // alerts in the alerts section
	shownRunbook = 5    // runbook links
	moreRoom     = 60   // kept free in a section for "and N more … not shown"
)

// message is the JSON of an incoming webhook's payload, and of
// chat.postMessage and chat.update.
type message struct {
	Channel  string  `json:"channel,omitempty"`
	TS       string  `json:"ts,omitempty"`
	ThreadTS string  `json:"thread_ts,omitempty"`
	Text     string  `json:"text"`
	Blocks   []block `json:"blocks,omitempty"`
	// Parse "none" keeps Slack from linking names in text by itself;
	// chat.update would otherwise default to "client".
	Parse       string `json:"parse,omitempty"`
	UnfurlLinks *bool  `json:"unfurl_links,omitempty"`
	UnfurlMedia *bool  `json:"unfurl_media,omitempty"`
}

// block is a Block Kit block: a header, a section or a context.
type block struct {
	Type     string    `json:"type"`
	Text     *textObj  `json:"text,omitempty"`
	Fields   []textObj `json:"fields,omitempty"`
	Elements []textObj `json:"elements,omitempty"`
}

// textObj is a text object. Every mrkdwn one is verbatim: Slack then
// links no URL, channel name or mention that the text does not spell out
// as <…> — and escaping leaves no <…> but the sender's own.
type textObj struct {
	Type     string `json:"type"`
	Text     string `json:"text"`
	Verbatim bool   `json:"verbatim,omitempty"`
}

func header(s string) block {
	return block{Type: "header", Text: &textObj{Type: "plain_text", Text: s}}
}

func mrkdwn(s string) textObj { return textObj{Type: "mrkdwn", Text: s, Verbatim: true} }

func section(s string) block {
	t := mrkdwn(s)
	return block{Type: "section", Text: &t}
}

func contextBlock(s string) block { return block{Type: "context", Elements: []textObj{mrkdwn(s)}} }

// size is the length of s in UTF-16 code units.
func size(s string) int {
	n := 0
	for _, r := range s {
		n++
		if r > 0xFFFF {
			n++
		}
	}
	return n
}

// entity is a rune as mrkdwn text: Slack's control characters &, < and >
// become HTML entities, so that outside text never becomes a link, a
// mention (<!channel>) or markup.
func entity(r rune) string {
	switch r {
	case '&':
		return "&amp;"
	case '<':
		return "&lt;"
	case '>':
		return "&gt;"
	}
	return string(r)
}

// esc escapes s for mrkdwn and cuts it to at most n code units, ending
// with "…" if it was cut, never inside an entity.
func esc(s string, n int) string { return fit(s, n, entity) }

// cut cuts plain text to at most n code units, ending with "…" if it was
// cut.
func cut(s string, n int) string { return fit(s, n, func(r rune) string { return string(r) }) }

func fit(s string, n int, conv func(rune) string) string {
	if n <= 0 {
		return ""
	}
	var b strings.Builder
	used, whole := 0, true
	for _, r := range s {
		p := conv(r)
		if used+size(p) > n {
			whole = false
			break
		}
		b.WriteString(p)
		used += size(p)
	}
	if whole {
		return b.String()
	}
	// Cut again, leaving room for the ellipsis.
	out := []rune{}
	used = 0
	for _, r := range s {
		p := conv(r)
		if used+size(p) > n-1 {
			break
		}
		out = append(out, []rune(p)...)
		used += size(p)
	}
	return string(out) + "…"
}

// flat puts s on one line.
func flat(s string) string { return strings.Join(strings.Fields(s), " ") }

// linkURL returns an http(s) URL for <url|text>, or "" for anything else
// (a javascript: URL, a relative one): "|" would end the URL, and the
// control characters must be entities there too.
func linkURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || size(raw) > maxField {
		return ""
	}
	return strings.NewReplacer("&", "&amp;", "<", "%3C", ">", "%3E", "|", "%7C").Replace(raw)
}

// link is <url|text>, or the text alone without a usable URL; text is
// mrkdwn already.
func link(rawURL, text string) string {
	if u := linkURL(rawURL); u != "" {
		return "<" + u + "|" + text + ">"
	}
	return text
}

// date is a time that Slack shows in each reader's time zone, with UTC
// as the fallback.
func date(t time.Time) string {
	return fmt.Sprintf("<!date^%d^{date_short_pretty} {time}|%s>", t.Unix(), t.UTC().Format("2006-01-02 15:04 UTC"))
}

// lines gathers the lines of a section's text within a limit, and counts
// those left out.
type lines struct {
	text  []string
	used  int
	limit int
	left  int
}

func newLines(limit int) *lines { return &lines{limit: limit} }

func (l *lines) add(line string) bool {
	if l.left > 0 || l.used+size(line)+1 > l.limit {
		l.left++
		return false
	}
	l.text = append(l.text, line)
	l.used += size(line) + 1
	return true
}

// String joins the lines and says how many were left out, in what.
func (l *lines) String(what string) string {
	s := strings.Join(l.text, "\n")
	if l.left > 0 {
		s += fmt.Sprintf("\n_%d more %s not shown_", l.left, what)
	}
	return s
}

// card is what a notification becomes: the message's text and blocks.
type card struct {
	text   string
	blocks []block
}

// rendered is the output of the templates.
type rendered struct {
	title string
	// text is Config.Text's output; custom says whether there is one.
	text   string
	custom bool
}

// mentions are the notification's people and teams: Slack mentions for
// those with an ID, escaped names for the others.
func (s *Sender) mentions(n *notify.Notification) string {
	var names []string
	seen := map[string]bool{}
	for _, name := range slices.Concat(n.People, n.Teams) {
		if strings.TrimSpace(name) != "" && !seen[name] {
			seen[name] = true
			names = append(names, name)
		}
	}
	var out []string
	for i, name := range names {
		if i == maxMentions {
			out = append(out, fmt.Sprintf("and %d more", len(names)-i))
			break
		}
		switch id := s.cfg.Mentions[name]; {
		case userID.MatchString(id):
			out = append(out, "<@"+id+">")
		case groupID.MatchString(id):
			out = append(out, "<!subteam^"+id+">")
		default:
			out = append(out, esc(flat(name), 50))
		}
	}
	return strings.Join(out, ", ")
}

// incidentCard is the incident card: a header, the note and the key
// facts, the label summary, the first alerts, the links, and the
// incident's ID and times.
func (s *Sender) incidentCard(n *notify.Notification, r rendered) card {
	snap := &n.Incident
	mentions := s.mentions(n)
	head := headerText(r.title, "Incident "+string(snap.ID))
	blocks := []block{header(head)}

	first := block{Type: "section"}
	var text []string
	switch {
	case r.custom:
		if t := strings.TrimSpace(r.text); t != "" {
			text = append(text, esc(t, maxCustom))
		}
	case n.Note != "":
		text = append(text, esc(strings.TrimSpace(n.Note), maxNote))
	}
	if mentions != "" {
		text = append(text, "*For:* "+mentions)
	}
	if len(text) > 0 {
		t := mrkdwn(strings.Join(text, "\n"))
		first.Text = &t
	}
	if !r.custom {
		first.Fields = facts(n)
	}
	if first.Text != nil || len(first.Fields) > 0 {
		blocks = append(blocks, first)
	}
	if t := labelSummary(snap.Summary); t != "" {
		blocks = append(blocks, section(t))
	}
	if t := alertLines(snap); t != "" {
		blocks = append(blocks, section(t))
	}
	if t := links(snap); t != "" {
		blocks = append(blocks, section(t))
	}
	blocks = append(blocks, contextBlock(incidentContext(snap)))

	return card{text: fallback(r, head, n.Note, mentions), blocks: blocks}
}

// fallback is the text of notifications: "header — note · mentions", or
// Config.Text's output and the mentions.
func fallback(r rendered, head, note, mentions string) string {
	var s string
	if r.custom {
		s = esc(strings.TrimSpace(r.text), maxFallback-size(mentions)-3)
	}
	if s == "" {
		s = esc(head, maxHeader*5)
		if note = flat(note); note != "" && !r.custom {
			s += " — " + esc(note, 1000)
		}
	}
	if mentions != "" {
		s += " · " + mentions
	}
	return s
}

// plural is "1 alert", "3 alerts".
func plural(n int, one string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + one + "s"
}

// headerText is the header: the title on one line, cut to Slack's
// limit, or fallback when the title template rendered nothing.
func headerText(title, fallback string) string {
	if t := flat(title); t != "" {
		return cut(t, maxHeader)
	}
	return cut(flat(fallback), maxHeader)
}

// facts are the key facts, as section fields.
func facts(n *notify.Notification) []textObj {
	snap := &n.Incident
	var out []textObj
	add := func(name, value string) {
		if value != "" && len(out) < maxFields {
			out = append(out, mrkdwn("*"+name+"*\n"+esc(flat(value), maxField-size(name)-3)))
		}
	}
	add("Status", snap.Status)
	add("Severity", snap.SeverityName())
	add("Service level", snap.ServiceLevel)
	add("Alerts", fmt.Sprintf("%d (%d active)", snap.Alerts, snap.Active))
	add("Duration", severity.FormatDuration(snap.Duration(n.At).Round(time.Second)))
	add("Owner", snap.Owner)
	return out
}

// labelSummary is each label with its values across the alerts.
func labelSummary(sum incident.Summary) string {
	if len(sum) == 0 {
		return ""
	}
	l := newLines(maxSection - moreRoom)
	l.add("*Labels*")
	for _, lv := range sum {
		values, more := lv.Values, 0
		if len(values) > shownValues {
			values, more = values[:shownValues], len(values)-shownValues
		}
		line := "*" + esc(flat(lv.Name), 100) + ":* " + esc(flat(strings.Join(values, ", ")), maxLine)
		if more > 0 {
			line += fmt.Sprintf(" _and %d more_", more)
		}
		l.add(line)
	}
	return l.String("labels")
}

// alertLines are the first alerts: their summary annotation, or the
// labels that tell them apart, and a link to their source.
func alertLines(snap *notify.Snapshot) string {
	if len(snap.Members) == 0 {
		return ""
	}
	l := newLines(maxSection - moreRoom)
	l.add("*Alerts*")
	shown := 0
	for _, a := range snap.Members[:min(len(snap.Members), shownAlerts)] {
		what := string(a.Annotations["summary"])
		if strings.TrimSpace(what) == "" {
			what = ownLabels(a, snap)
		}
		line := "• *" + esc(flat(a.State), 20) + ":* " + esc(flat(what), maxLine)
		if u := linkURL(a.GeneratorURL); u != "" {
			line += " <" + u + "|source>"
		}
		if l.add(line) {
			shown++
		}
	}
	l.left = 0 // counted below, with the alerts not in the snapshot
	total := max(snap.Alerts, len(snap.Members)+snap.Truncated)
	if rest := total - shown; rest > 0 {
		l.text = append(l.text, fmt.Sprintf("_and %d more_", rest))
	}
	return strings.Join(l.text, "\n")
}

// ownLabels are an alert's labels that its incident's group does not
// share, or its fingerprint.
func ownLabels(a notify.Alert, snap *notify.Snapshot) string {
	var parts []string
	for name, value := range a.Labels {
		if _, grouped := snap.Group[name]; !grouped {
			parts = append(parts, string(name)+"="+string(value))
		}
	}
	if len(parts) == 0 {
		return a.Fingerprint
	}
	slices.Sort(parts)
	return strings.Join(parts, ", ")
}

// links are the runbooks and the incident's page.
func links(snap *notify.Snapshot) string {
	var parts []string
	for _, rb := range snap.Runbooks[:min(len(snap.Runbooks), shownRunbook)] {
		title := "Runbook"
		if t := flat(rb.Title); t != "" {
			title += ": " + esc(t, 75)
		}
		parts = append(parts, link(rb.URL, title))
	}
	if u := linkURL(snap.URL); u != "" {
		parts = append(parts, "<"+u+"|Open the incident>")
	}
	return strings.Join(parts, "  ·  ")
}

// incidentContext is the incident's ID, team and times.
func incidentContext(snap *notify.Snapshot) string {
	parts := []string{"Incident `" + esc(flat(string(snap.ID)), 100) + "`"}
	if snap.Team != "" {
		parts = append(parts, "team "+esc(flat(snap.Team), 100))
	}
	if !snap.CreatedAt.IsZero() {
		parts = append(parts, "started "+date(snap.CreatedAt))
	}
	if !snap.AckedAt.IsZero() {
		parts = append(parts, "acknowledged "+date(snap.AckedAt))
	}
	if !snap.ResolvedAt.IsZero() {
		parts = append(parts, "resolved "+date(snap.ResolvedAt))
	}
	return strings.Join(parts, " · ")
}

// digestCard lists a digest's incidents, a line each, in as many sections
// as Slack's limits allow, and says how many were left out.
func (s *Sender) digestCard(n *notify.Notification, r rendered) card {
	mentions := s.mentions(n)
	count := plural(len(n.Items), "incident")
	title := "Digest: " + count
	if r.custom || s.cfg.Title != "" {
		title = r.title
	}
	head := headerText(title, "Digest: "+count)
	blocks := []block{header(head)}

	var text []string
	switch {
	case r.custom:
		if t := strings.TrimSpace(r.text); t != "" {
			text = append(text, esc(t, maxCustom))
		}
	case n.Note != "":
		text = append(text, esc(strings.TrimSpace(n.Note), maxNote))
	}
	if mentions != "" {
		text = append(text, "*For:* "+mentions)
	}
	if len(text) > 0 {
		blocks = append(blocks, section(strings.Join(text, "\n")))
	}

	// The items' sections take what is left of the blocks, but for the
	// context and a line saying how many were left out.
	room := maxBlocks - len(blocks) - 2
	budget := maxDigestText
	cur := newLines(maxSection)
	shown := 0
	flush := func() {
		if len(cur.text) > 0 {
			blocks = append(blocks, section(strings.Join(cur.text, "\n")))
			room--
			cur = newLines(maxSection)
		}
	}
	for i := range n.Items {
		line := digestLine(&n.Items[i])
		if size(line)+1 > budget {
			break
		}
		if !cur.add(line) {
			flush()
			if room == 0 || !cur.add(line) {
				break
			}
		}
		budget -= size(line) + 1
		shown++
	}
	flush()
	if left := len(n.Items) - shown; left > 0 {
		blocks = append(blocks, section(fmt.Sprintf("_%d more incidents not shown_", left)))
	}
	blocks = append(blocks, contextBlock("Digest · "+count+" · "+date(n.At)))

	return card{text: fallback(r, head, n.Note, mentions), blocks: blocks}
}

// digestLine is an incident of a digest: its title, linked to its page,
// its status, severity and alerts.
func digestLine(it *notify.Snapshot) string {
	title := esc(flat(it.Title), maxLine)
	if title == "" {
		title = "Incident " + esc(flat(string(it.ID)), 100)
	}
	facts := []string{"*" + esc(flat(it.Status), 20) + "*"}
	if sev := it.SeverityName(); sev != "" {
		facts = append(facts, sev)
	}
	facts = append(facts, fmt.Sprintf("%s (%d active)", plural(it.Alerts, "alert"), it.Active))
	return "• " + link(it.URL, title) + " — " + strings.Join(facts, " · ")
}

// replyWords name a reason in a thread reply.
var replyWords = map[notify.Reason]string{
	notify.ReasonOpened:       "Opened",
	notify.ReasonEscalation:   "Escalation",
	notify.ReasonAcknowledged: "Acknowledged",
	notify.ReasonResolved:     "Resolved",
	notify.ReasonHandover:     "Handed over",
}

// reply is the short thread reply under an incident's first message: the
// reason, the note (or the title), and the mentions.
func (s *Sender) reply(n *notify.Notification, r rendered) card {
	body := strings.TrimSpace(n.Note)
	if body == "" {
		body = flat(r.title)
	}
	mentions := s.mentions(n)
	line := "*" + replyWords[n.Reason] + "*: " + esc(body, maxNote)
	text := replyWords[n.Reason] + ": " + esc(flat(body), 1000)
	if mentions != "" {
		line += "\n*For:* " + mentions
		text += " · " + mentions
	}
	return card{text: text, blocks: []block{section(line)}}
}
