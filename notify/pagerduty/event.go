package pagerduty

import (
	"bytes"
	"encoding/json"
	"strconv"
	"time"

	"github.com/prometheus/common/model"

	"github.com/alertkit/alertkit/incident"
	"github.com/alertkit/alertkit/notify"
)

// event is an Events API v2 alert event. An acknowledge or a resolve has
// only its first three fields.
type event struct {
	RoutingKey  string   `json:"routing_key"`
	EventAction string   `json:"event_action"`
	DedupKey    string   `json:"dedup_key"`
	Payload     *payload `json:"payload,omitempty"`
	Links       []link   `json:"links,omitempty"`
	Client      string   `json:"client,omitempty"`
	ClientURL   string   `json:"client_url,omitempty"`
}

// payload is a trigger's description of the problem.
type payload struct {
	Summary       string   `json:"summary"`
	Source        string   `json:"source"`
	Severity      string   `json:"severity"`
	Timestamp     string   `json:"timestamp,omitempty"`
	Component     string   `json:"component,omitempty"`
	Group         string   `json:"group,omitempty"`
	Class         string   `json:"class,omitempty"`
	CustomDetails *details `json:"custom_details"`
}

// link is a link PagerDuty shows on the alert and its incident.
type link struct {
	Href string `json:"href"`
	Text string `json:"text,omitempty"`
}

// details are payload.custom_details: the incident card.
type details struct {
	Reason       string      `json:"reason"`
	Note         string      `json:"note,omitempty"`
	Status       string      `json:"status"`
	Severity     string      `json:"severity,omitempty"`
	ServiceLevel string      `json:"service_level,omitempty"`
	Team         string      `json:"team,omitempty"`
	Owner        string      `json:"owner,omitempty"`
	People       []string    `json:"people,omitempty"`
	Teams        []string    `json:"teams,omitempty"`
	Alerts       int         `json:"alerts"`
	Active       int         `json:"active"`
	Labels       labelValues `json:"labels,omitempty"`
	FirstAlerts  []alertCard `json:"first_alerts,omitempty"`
	// Omitted says what was left out to fit PagerDuty's size limit.
	Omitted string `json:"omitted,omitempty"`
}

// alertCard is an alert of the details.
type alertCard struct {
	Labels   model.LabelSet `json:"labels"`
	State    string         `json:"state"`
	StartsAt string         `json:"starts_at,omitempty"`
	EndsAt   string         `json:"ends_at,omitempty"`
	Summary  string         `json:"summary,omitempty"`
}

// newDetails returns the details of a notification, with strings and
// lists cut to what a responder reads.
func newDetails(n *notify.Notification) *details {
	inc := &n.Incident
	d := &details{
		Reason: string(n.Reason), Note: cut(n.Note), Status: inc.Status,
		Severity: inc.SeverityName(), ServiceLevel: cut(inc.ServiceLevel),
		Team: cut(inc.Team), Owner: cut(inc.Owner),
		People: cutAll(n.People), Teams: cutAll(n.Teams),
		Alerts: inc.Alerts, Active: inc.Active,
	}
	for _, lv := range inc.Summary {
		vals := cutAll(lv.Values[:min(len(lv.Values), maxValues)])
		if more := len(lv.Values) - maxValues; more > 0 {
			vals = append(vals, "… "+strconv.Itoa(more)+" more")
		}
		d.Labels = append(d.Labels, incident.LabelValues{Name: cut(lv.Name), Values: vals})
	}
	for _, a := range inc.Members[:min(len(inc.Members), maxAlerts)] {
		c := alertCard{Labels: make(model.LabelSet, len(a.Labels)), State: a.State,
			StartsAt: stamp(a.StartsAt), EndsAt: stamp(a.EndsAt), Summary: cut(string(a.Annotations["summary"]))}
		for k, v := range a.Labels {
			c.Labels[k] = model.LabelValue(cut(string(v)))
		}
		d.FirstAlerts = append(d.FirstAlerts, c)
	}
	return d
}

// labelValues is the label summary as a JSON object of label → values, in
// the summary's order: the triggers first.
type labelValues []incident.LabelValues

// MarshalJSON writes {"trigger":["TargetDown"],"instance":[…],…}.
func (lv labelValues) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	buf.WriteByte('{')
	seen := map[string]bool{}
	for _, l := range lv {
		if seen[l.Name] {
			continue
		}
		seen[l.Name] = true
		if len(seen) > 1 {
			buf.WriteByte(',')
		}
		if err := enc.Encode(l.Name); err != nil {
			return nil, err
		}
		buf.WriteByte(':')
		vals := l.Values
		if vals == nil {
			vals = []string{}
		}
		if err := enc.Encode(vals); err != nil {
			return nil, err
		}
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// cut is s cut to maxDetail characters.
func cut(s string) string { return notify.Truncate(s, maxDetail) }

// cutAll cuts each string; nil stays nil.
func cutAll(ss []string) []string {
	if ss == nil {
		return nil
	}
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = cut(s)
	}
	return out
}

// stamp is t in RFC 3339, or "" for the zero time.
func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.RFC3339)
}
