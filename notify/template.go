package notify

import (
	"bytes"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"
	"time"
	"unicode/utf8"

	amtemplate "github.com/prometheus/alertmanager/template"
	"github.com/prometheus/common/model"

	"github.com/alertkit/alertkit/severity"
)

// Data is what a template sees: the Notification's fields, and Now, the
// time of rendering.
type Data struct {
	*Notification
	Now time.Time
}

// Duration is how long the incident has lasted at Now.
func (d Data) Duration() time.Duration { return d.Incident.Duration(d.Now) }

// MaxRendered caps what a template may produce: a runaway template is an
// error, not a megabyte message.
const MaxRendered = 64 << 10

// Template renders a part of a message — a title, a body — from a
// Notification. It uses text/template, or html/template for HTML, whose
// escaping then protects the message from the labels' contents. Its
// functions are Alertmanager's template functions (toUpper, join, match,
// reReplaceAll, humanizeDuration, date, tz, since, …) and:
//
//	duration   a time.Duration as "1h30m", "45s"
//	labels     a label set as `a="1", b="2"`, sorted
//	truncate   truncate N s: s cut to N characters, with "…"
//	short      the end of an incident ID, enough to tell incidents apart
//
// A Template may be used by many goroutines at once.
type Template struct {
	name string
	text *texttemplate.Template
	html *htmltemplate.Template
}

var funcs = func() map[string]any {
	m := map[string]any{}
	for name, f := range amtemplate.DefaultFuncs {
		m[name] = f
	}
	m["duration"] = func(d time.Duration) string { return severity.FormatDuration(d.Round(time.Second)) }
	m["labels"] = func(ls model.LabelSet) string {
		s := ls.String() // {a="1", b="2"}
		return strings.TrimSuffix(strings.TrimPrefix(s, "{"), "}")
	}
	m["truncate"] = truncate
	m["short"] = func(id any) string {
		s := fmt.Sprint(id)
		return s[max(0, len(s)-6):]
	}
	return m
}()

// ParseText parses a text template; name names it in errors.
func ParseText(name, text string) (*Template, error) {
	t, err := texttemplate.New(name).Option("missingkey=error").Funcs(funcs).Parse(text)
	if err != nil {
		return nil, fmt.Errorf("template %s: %w", name, err)
	}
	return &Template{name: name, text: t}, nil
}

// ParseHTML parses an HTML template, whose output is escaped by context.
func ParseHTML(name, text string) (*Template, error) {
	t, err := htmltemplate.New(name).Option("missingkey=error").Funcs(funcs).Parse(text)
	if err != nil {
		return nil, fmt.Errorf("template %s: %w", name, err)
	}
	return &Template{name: name, html: t}, nil
}

// MustParseText is ParseText for templates written in the program: it
// panics on an error.
func MustParseText(name, text string) *Template {
	t, err := ParseText(name, text)
	if err != nil {
		panic(err)
	}
	return t
}

// MustParseHTML is ParseHTML for templates written in the program: it
// panics on an error.
func MustParseHTML(name, text string) *Template {
	t, err := ParseHTML(name, text)
	if err != nil {
		panic(err)
	}
	return t
}

// Name returns the template's name.
func (t *Template) Name() string { return t.name }

// ErrTooLong is the error of a template whose output passes MaxRendered.
var ErrTooLong = errors.New("output too long")

// limited is a buffer that refuses to grow past MaxRendered.
type limited struct{ bytes.Buffer }

func (l *limited) Write(p []byte) (int, error) {
	if l.Len()+len(p) > MaxRendered {
		return 0, ErrTooLong
	}
	return l.Buffer.Write(p)
}

// Render renders a notification at a time.
func (t *Template) Render(n *Notification, now time.Time) (string, error) {
	var buf limited
	data := Data{Notification: n, Now: now}
	var err error
	if t.html != nil {
		err = t.html.Execute(&buf, data)
	} else {
		err = t.text.Execute(&buf, data)
	}
	if errors.Is(err, ErrTooLong) {
		return "", fmt.Errorf("template %s: %w: more than %d bytes", t.name, ErrTooLong, MaxRendered)
	}
	if err != nil {
		return "", fmt.Errorf("template %s: %w", t.name, err)
	}
	return buf.String(), nil
}

// truncate cuts s to n characters, ending with "…" if it was cut.
func truncate(n int, s string) string {
	if n <= 0 {
		return ""
	}
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i := 0
	for pos := range s {
		if i == n-1 {
			return s[:pos] + "…"
		}
		i++
	}
	return s
}

// Truncate cuts s to n characters, ending with "…" if it was cut: for
// senders whose channels limit a message's length.
func Truncate(s string, n int) string { return truncate(n, s) }

// The default templates, from which senders build their messages: a title
// line and the incident card.
const (
	DefaultTitle = `[{{ .Incident.Status | toUpper }}]{{ with .Incident.SeverityName }} {{ . }}{{ end }} {{ .Incident.Title }}`
	DefaultText  = `{{ with .Note }}{{ . }}
{{ end }}{{ if eq .Reason "digest" }}{{ len .Items }} incidents:
{{ range .Items }}- [{{ .Status }}]{{ with .SeverityName }} {{ . }}{{ end }} {{ .Title }} ({{ .Alerts }} alerts){{ with .URL }} {{ . }}{{ end }}
{{ end }}{{ else }}{{ with .Incident }}Status: {{ .Status }}{{ with .SeverityName }} · Severity: {{ . }}{{ end }}{{ with .ServiceLevel }} · Service level: {{ . }}{{ end }}
Alerts: {{ .Alerts }} ({{ .Active }} active){{ end }} · For {{ duration .Duration }}{{ with .Incident.Owner }} · Owner: {{ . }}{{ end }}
{{ range .Incident.Summary }}{{ .Name }} = {{ join ", " .Values }}
{{ end }}{{ range .Incident.Runbooks }}Runbook: {{ .Title }}{{ with .URL }} {{ . }}{{ end }}
{{ end }}{{ with .Incident.URL }}{{ . }}
{{ end }}{{ end }}`
)

// The parsed default templates.
var (
	DefaultTitleTemplate = MustParseText("title", DefaultTitle)
	DefaultTextTemplate  = MustParseText("text", DefaultText)
)
