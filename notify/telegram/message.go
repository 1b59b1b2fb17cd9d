package telegram

import (
	"math"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/prometheus/common/model"

	"github.com/alertkit/alertkit/incident"
	"github.com/alertkit/alertkit/notify"
)

// DefaultMessage is the default template of a message: the incident card.
// A bold title line with an emoji for the reason (🔥 opened, 🚨 an
// escalation, 👀 acknowledged, ✅ resolved, 🔁 a hand-over, 📋 a digest),
// the note, the status, severity, service level, alerts, duration and
// owner, the label summary, the summaries of the first alerts, and links
// to the runbooks and the incident; a digest lists its incidents, one a
// line. It is an html/template, whose escaping is what Telegram's HTML
// asks for.
const DefaultMessage = `{{ if eq .Reason "digest" -}}
📋 <b>Digest</b>
<i>{{ with .Note }}{{ . }}{{ else }}{{ len .Items }} incident{{ if ne (len .Items) 1 }}s{{ end }}{{ end }}</i>
{{ range .Items }}
{{ template "emoji" .Status }} {{ with .SeverityName }}<b>{{ . }}</b> {{ end -}}
{{ if match "^https?://" .URL }}<a href="{{ .URL }}">{{ .Title }}</a>{{ else }}{{ .Title }}{{ end -}}
{{ " · " }}{{ .Alerts }} alert{{ if ne .Alerts 1 }}s{{ end }}, {{ if .Active }}{{ .Active }} active{{ else }}resolved{{ end }}
{{- end }}
{{- else -}}
{{ if eq .Reason "opened" }}🔥{{ else if eq .Reason "escalation" }}🚨{{ else if eq .Reason "acknowledged" }}👀{{ else if eq .Reason "resolved" }}✅{{ else }}🔁{{ end -}}
{{ " " }}<b>{{ with .Incident.SeverityName }}{{ . }} · {{ end }}{{ .Incident.Title }}</b>
{{- with .Note }}
<i>{{ . }}</i>{{ end }}
{{ with .Incident }}
Status: <b>{{ .Status }}</b>{{ with .SeverityName }} · Severity: <b>{{ . }}</b>{{ end }}{{ with .ServiceLevel }} · Service level: <b>{{ . }}</b>{{ end }}
Alerts: <b>{{ .Alerts }}</b> ({{ if .Active }}{{ .Active }} active{{ else }}all resolved{{ end }})
{{- end }} · {{ if .Incident.ResolvedAt.IsZero }}For{{ else }}Lasted{{ end }} <b>{{ duration .Duration }}</b>
{{- with .Incident.Owner }} · Owner: <b>{{ . }}</b>{{ end }}
{{- with .Incident.Summary }}
{{ range . }}
{{ .Name }}: <code>{{ join ", " .Values }}</code>
{{- end }}
{{- end }}
{{- $any := false }}
{{- range $i, $a := .Incident.Members }}{{ if lt $i 3 }}{{ range $k, $v := .Annotations }}{{ if eq $k "summary" }}{{ $any = true }}{{ end }}{{ end }}{{ end }}{{ end }}
{{- if $any }}
{{ range $i, $a := .Incident.Members }}{{ if lt $i 3 }}{{ range $k, $v := .Annotations }}{{ if eq $k "summary" }}
• {{ $v }}{{ end }}{{ end }}{{ end }}{{ end }}
{{- end }}
{{- if or .Incident.Runbooks .Incident.URL }}
{{ range .Incident.Runbooks }}
📖 {{ if match "^https?://" .URL }}<a href="{{ .URL }}">{{ .Title }}</a>{{ else }}{{ .Title }}{{ end }}
{{- end }}
{{- if match "^https?://" .Incident.URL }}
🔗 <a href="{{ .Incident.URL }}">Incident {{ .Incident.ID }}</a>
{{- end }}
{{- end }}
{{- end }}
{{- define "emoji" }}{{ if eq . "open" }}🔥{{ else if eq . "acknowledged" }}👀{{ else if eq . "resolved" }}✅{{ else }}▫️{{ end }}{{ end }}`

// defaultMessage is DefaultMessage parsed.
var defaultMessage = notify.MustParseHTML("message", DefaultMessage)

// limits cap what a template sees of a notification's outside input.
type limits struct {
	text  int // characters of a label, annotation, title or note
	list  int // values of a label, labels of a set, alerts, runbooks, people
	url   int // bytes of a URL; a longer one is dropped, not cut
	items int // incidents of a digest
}

// levels are the limits a message is rendered with, one after the other
// while the template's output passes notify.MaxRendered. The first cuts
// only texts that no message could show; the others cut what they must.
var levels = []limits{
	{text: MaxLength, list: math.MaxInt, url: math.MaxInt, items: math.MaxInt},
	{text: 1024, list: 100, url: 4096, items: 400},
	{text: 256, list: 30, url: 2048, items: 150},
	{text: 64, list: 10, url: 1024, items: 60},
	{text: 24, list: 4, url: 512, items: 25},
}

// clipper makes a copy of a notification within its limits, and notes
// whether it left out anything.
type clipper struct {
	limits
	lossy bool
}

// clip returns a copy of n whose texts are valid UTF-8 and within l, and
// whether anything was cut or left out.
func clip(n *notify.Notification, l limits) (*notify.Notification, bool) {
	cl := &clipper{limits: l}
	c := *n
	c.Note = cl.str(n.Note)
	c.People = cl.strs(n.People)
	c.Teams = cl.strs(n.Teams)
	c.Incident = cl.snapshot(&n.Incident)
	c.Items = nil
	for i := range n.Items[:cl.keep(len(n.Items), l.items)] {
		c.Items = append(c.Items, cl.snapshot(&n.Items[i]))
	}
	return &c, cl.lossy
}

// keep is how many of n things to keep, at most limit.
func (cl *clipper) keep(n, limit int) int {
	if n > limit {
		cl.lossy = true
		return limit
	}
	return n
}

func (cl *clipper) snapshot(s *notify.Snapshot) notify.Snapshot {
	c := *s
	c.Status, c.ServiceLevel, c.Title = cl.str(s.Status), cl.str(s.ServiceLevel), cl.str(s.Title)
	c.Project, c.Team, c.Owner = cl.str(s.Project), cl.str(s.Team), cl.str(s.Owner)
	c.Group = cl.labels(s.Group)
	c.URL = cl.link(s.URL)
	c.Summary = nil
	for _, lv := range s.Summary[:cl.keep(len(s.Summary), cl.list)] {
		c.Summary = append(c.Summary, incident.LabelValues{Name: cl.str(lv.Name), Values: cl.strs(lv.Values)})
	}
	c.Members = nil
	for _, a := range s.Members[:cl.keep(len(s.Members), cl.list)] {
		a.Labels, a.Annotations = cl.labels(a.Labels), cl.labels(a.Annotations)
		a.State, a.GeneratorURL = cl.str(a.State), cl.link(a.GeneratorURL)
		c.Members = append(c.Members, a)
	}
	c.Truncated = s.Truncated + len(s.Members) - len(c.Members)
	c.Runbooks = nil
	for _, r := range s.Runbooks[:cl.keep(len(s.Runbooks), cl.list)] {
		c.Runbooks = append(c.Runbooks, notify.Link{Title: cl.str(r.Title), URL: cl.link(r.URL)})
	}
	return c
}

// str cuts a text to l.text characters, ending with "…" if it was cut,
// and makes it valid UTF-8.
func (cl *clipper) str(s string) string {
	if len(s) <= cl.text { // no more characters than bytes
		return valid(s)
	}
	n, last := 0, 0 // characters seen; where the last one kept starts
	for i := range s {
		if n == cl.text-1 {
			last = i
		}
		if n == cl.text {
			cl.lossy = true
			return valid(s[:last]) + "…"
		}
		n++
	}
	return valid(s)
}

func valid(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

func (cl *clipper) strs(ss []string) []string {
	if ss == nil {
		return nil
	}
	out := make([]string, 0, min(len(ss), cl.list))
	for _, s := range ss[:cl.keep(len(ss), cl.list)] {
		out = append(out, cl.str(s))
	}
	return out
}

// labels keeps the first l.list labels of a set by name.
func (cl *clipper) labels(ls model.LabelSet) model.LabelSet {
	if ls == nil {
		return nil
	}
	names := make([]model.LabelName, 0, len(ls))
	for name := range ls {
		names = append(names, name)
	}
	slices.Sort(names)
	out := make(model.LabelSet, min(len(names), cl.list))
	for _, name := range names[:cl.keep(len(names), cl.list)] {
		out[model.LabelName(cl.str(string(name)))] = model.LabelValue(cl.str(string(ls[name])))
	}
	return out
}

// link drops a URL that is too long or not valid UTF-8: a cut one would
// lead nowhere.
func (cl *clipper) link(u string) string {
	if len(u) > cl.url || !utf8.ValidString(u) {
		cl.lossy = u != "" || cl.lossy
		return ""
	}
	return u
}
