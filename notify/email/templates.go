package email

import "github.com/alertkit/alertkit/notify"

// The default templates. They see notify.Data: the Notification's fields,
// and Now, the time of the notification.
const (
	// DefaultSubject is notify.DefaultTitle, "[OPEN] S2 TargetDown in
	// horns-and-hooves", and "[DIGEST] 3 incidents" for a digest.
	DefaultSubject = `{{ if eq .Reason "digest" }}[DIGEST] {{ len .Items }} incidents{{ else }}` + notify.DefaultTitle + `{{ end }}`

	// DefaultText is the text part: the incident card as plain text.
	DefaultText = `{{ with .Note }}{{ . }}

{{ end }}{{ if eq .Reason "digest" }}{{ range .Items }}
- [{{ .Status | toUpper }}]{{ with .SeverityName }} {{ . }}{{ end }} {{ .Title }}
  {{ .Alerts }} alert{{ if ne .Alerts 1 }}s{{ end }}, {{ .Active }} active{{ with .Owner }}, owner {{ . }}{{ end }}{{ with .URL }}
  {{ . }}{{ end }}
{{ end }}{{ else }}{{ with .Incident }}Status:        {{ .Status }}{{ with .SeverityName }}
Severity:      {{ . }}{{ end }}{{ with .ServiceLevel }}
Service level: {{ . }}{{ end }}
Alerts:        {{ .Alerts }} ({{ .Active }} active){{ end }}
Duration:      {{ duration .Duration }}{{ with .Incident.Owner }}
Owner:         {{ . }}{{ end }}
{{ with .Incident.Summary }}
Labels:
{{ range . }}  {{ .Name }} = {{ join ", " .Values }}
{{ end }}{{ end }}{{ with .Incident.Members }}
Alert list:
{{ range . }}{{ $summary := "" }}{{ range $name, $value := .Annotations }}{{ if eq $name "summary" }}{{ $summary = $value }}{{ end }}{{ end }}  [{{ .State }}] {{ if $summary }}{{ $summary }}{{ else }}{{ labels .Labels }}{{ end }}{{ if not .StartsAt.IsZero }}{{ if .EndsAt.IsZero }} (for {{ duration ($.Now.Sub .StartsAt) }}){{ else }} (lasted {{ duration (.EndsAt.Sub .StartsAt) }}){{ end }}{{ end }}
{{ end }}{{ with $.Incident.Truncated }}  … and {{ . }} more
{{ end }}{{ end }}{{ with .Incident.Runbooks }}
{{ range . }}Runbook: {{ .Title }}{{ with .URL }} {{ . }}{{ end }}
{{ end }}{{ end }}{{ with .Incident.URL }}
{{ . }}
{{ end }}{{ end }}`

	// DefaultHTML is the HTML part: the incident card as a table with
	// inline styles, which mail clients render, and a digest's incidents
	// as a list.
	DefaultHTML = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ template "heading" . }}</title>
</head>
<body style="margin:0;padding:0;background-color:#f6f8fa">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background-color:#f6f8fa">
<tr><td align="center" style="padding:24px 12px">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="max-width:640px;background-color:#ffffff;border:1px solid #d0d7de;border-radius:6px;font-family:-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;font-size:14px;line-height:20px;color:#1f2328">
<tr><td style="padding:14px 20px;border-radius:6px 6px 0 0;background-color:{{ if eq .Reason "digest" }}#57606a{{ else }}{{ template "color" .Incident.Status }}{{ end }};color:#ffffff;font-size:18px;line-height:24px;font-weight:bold">{{ template "heading" . }}</td></tr>
{{- with .Note }}
<tr><td style="padding:16px 20px 0">{{ . }}</td></tr>
{{- end }}
{{- if eq .Reason "digest" }}
<tr><td style="padding:16px 20px 0">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="border-collapse:collapse;font-size:14px;line-height:20px">
{{- range .Items }}
<tr>
<td style="padding:6px 8px;border:1px solid #d0d7de;vertical-align:top;white-space:nowrap;font-weight:bold;color:{{ template "color" .Status }}">{{ .Status }}</td>
<td style="padding:6px 8px;border:1px solid #d0d7de;vertical-align:top;white-space:nowrap">{{ .SeverityName }}</td>
<td style="padding:6px 8px;border:1px solid #d0d7de;vertical-align:top">{{ if .URL }}<a href="{{ .URL }}" style="color:#0969da">{{ .Title }}</a>{{ else }}{{ .Title }}{{ end }}<br><span style="color:#656d76;font-size:12px">{{ .Alerts }} alert{{ if ne .Alerts 1 }}s{{ end }}, {{ .Active }} active{{ with .Owner }}, owner {{ . }}{{ end }}</span></td>
</tr>
{{- end }}
</table>
</td></tr>
{{- else }}
<tr><td style="padding:16px 20px 0">
<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="font-size:14px;line-height:20px">
{{- with .Incident }}
<tr><td style="padding:2px 16px 2px 0;color:#656d76">Status</td><td style="padding:2px 0;font-weight:bold;color:{{ template "color" .Status }}">{{ .Status }}</td></tr>
{{- with .SeverityName }}
<tr><td style="padding:2px 16px 2px 0;color:#656d76">Severity</td><td style="padding:2px 0">{{ . }}</td></tr>
{{- end }}
{{- with .ServiceLevel }}
<tr><td style="padding:2px 16px 2px 0;color:#656d76">Service level</td><td style="padding:2px 0">{{ . }}</td></tr>
{{- end }}
<tr><td style="padding:2px 16px 2px 0;color:#656d76">Alerts</td><td style="padding:2px 0">{{ .Alerts }} ({{ .Active }} active)</td></tr>
{{- end }}
<tr><td style="padding:2px 16px 2px 0;color:#656d76">Duration</td><td style="padding:2px 0">{{ duration .Duration }}</td></tr>
{{- with .Incident.Owner }}
<tr><td style="padding:2px 16px 2px 0;color:#656d76">Owner</td><td style="padding:2px 0">{{ . }}</td></tr>
{{- end }}
</table>
</td></tr>
{{- with .Incident.Summary }}
<tr><td style="padding:16px 20px 0">
<div style="font-weight:bold;padding-bottom:6px">Labels</div>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="border-collapse:collapse;font-size:13px;line-height:18px">
{{- range . }}
<tr><td style="padding:4px 8px;border:1px solid #d0d7de;background-color:#f6f8fa;vertical-align:top;white-space:nowrap;font-family:Menlo,Consolas,monospace">{{ .Name }}</td><td style="padding:4px 8px;border:1px solid #d0d7de">{{ join ", " .Values }}</td></tr>
{{- end }}
</table>
</td></tr>
{{- end }}
{{- with .Incident.Members }}
<tr><td style="padding:16px 20px 0">
<div style="font-weight:bold;padding-bottom:6px">Alerts</div>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="border-collapse:collapse;font-size:13px;line-height:18px">
{{- range . }}{{ $summary := "" }}{{ range $name, $value := .Annotations }}{{ if eq $name "summary" }}{{ $summary = $value }}{{ end }}{{ end }}
<tr>
<td style="padding:4px 8px;border:1px solid #d0d7de;vertical-align:top;white-space:nowrap;font-weight:bold;color:{{ if eq .State "firing" }}#cf222e{{ else }}#1a7f37{{ end }}">{{ .State }}</td>
<td style="padding:4px 8px;border:1px solid #d0d7de;vertical-align:top">{{ if $summary }}{{ $summary }}{{ else }}{{ labels .Labels }}{{ end }}{{ with .GeneratorURL }} <a href="{{ . }}" style="color:#0969da">source</a>{{ end }}</td>
<td style="padding:4px 8px;border:1px solid #d0d7de;vertical-align:top;white-space:nowrap;color:#656d76">{{ if not .StartsAt.IsZero }}{{ if .EndsAt.IsZero }}for {{ duration ($.Now.Sub .StartsAt) }}{{ else }}lasted {{ duration (.EndsAt.Sub .StartsAt) }}{{ end }}{{ end }}</td>
</tr>
{{- end }}
{{- with $.Incident.Truncated }}
<tr><td colspan="3" style="padding:4px 8px;border:1px solid #d0d7de;color:#656d76">… and {{ . }} more</td></tr>
{{- end }}
</table>
</td></tr>
{{- end }}
{{- with .Incident.Runbooks }}
<tr><td style="padding:16px 20px 0">
<div style="font-weight:bold;padding-bottom:6px">Runbooks</div>
{{- range . }}
<div>{{ if .URL }}<a href="{{ .URL }}" style="color:#0969da">{{ .Title }}</a>{{ else }}{{ .Title }}{{ end }}</div>
{{- end }}
</td></tr>
{{- end }}
{{- with .Incident.URL }}
<tr><td style="padding:20px 20px 0"><a href="{{ . }}" style="display:inline-block;padding:8px 16px;border-radius:6px;background-color:#0969da;color:#ffffff;font-weight:bold;text-decoration:none">Open the incident</a></td></tr>
{{- end }}
{{- end }}
<tr><td style="padding:20px 20px 16px;color:#656d76;font-size:12px;line-height:16px">Sent by alertkit{{ with .Receiver }} to receiver {{ . }}{{ end }}.</td></tr>
</table>
</td></tr>
</table>
</body>
</html>
{{- define "heading" }}{{ if eq .Reason "digest" }}{{ len .Items }} incidents{{ else }}{{ with .Incident.SeverityName }}{{ . }} · {{ end }}{{ .Incident.Title }}{{ end }}{{ end }}
{{- define "color" }}{{ if eq . "open" }}#cf222e{{ else if eq . "acknowledged" }}#9a6700{{ else if eq . "snoozed" }}#0969da{{ else if or (eq . "resolved") (eq . "closed") }}#1a7f37{{ else }}#57606a{{ end }}{{ end }}
`
)
