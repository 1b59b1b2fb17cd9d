package incidentapi

import (
	"time"

	"github.com/prometheus/common/model"

	"github.com/alertkit/alertkit/incident"
	"github.com/alertkit/alertkit/notify"
	"github.com/alertkit/alertkit/route"
	"github.com/alertkit/alertkit/severity"
)

// Incident is an incident as the API shows it: in lists, and at the head
// of its Detail. Times are UTC; those that have not happened yet are left
// out.
type Incident struct {
	ID incident.ID `json:"id"`
	// URL links to the incident in the host's interface, with Options.URL.
	URL string `json:"url,omitempty"`
	// Status is open, acknowledged, snoozed, resolved or closed.
	Status string `json:"status"`
	// Severity is "S1" to "S9", or "" when no alert carried one.
	Severity string `json:"severity"`
	// Title is the incident in a line: its triggers, and its project.
	Title string `json:"title"`
	// Group holds the group labels and their values; GroupKey identifies
	// the group.
	Group    map[string]string `json:"group"`
	GroupKey string            `json:"group_key"`
	// Owner is the one person responsible, "" for nobody.
	Owner    string   `json:"owner"`
	Team     string   `json:"team"`
	Project  string   `json:"project"`
	Triggers []string `json:"triggers"`
	Counts   Counts   `json:"counts"`

	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
	AckedAt    time.Time `json:"acked_at,omitzero"`
	ResolvedAt time.Time `json:"resolved_at,omitzero"`
	ClosedAt   time.Time `json:"closed_at,omitzero"`
	// QuietSince is when the last active alert resolved.
	QuietSince time.Time `json:"quiet_since,omitzero"`

	// Snooze is set while the incident is snoozed, Handover while a
	// hand-over waits to be accepted, and Escalation once an escalation
	// policy took the incident on.
	Snooze     *Snooze     `json:"snooze,omitempty"`
	Handover   *Handover   `json:"handover,omitempty"`
	Escalation *Escalation `json:"escalation,omitempty"`

	// Version counts the incident's updates.
	Version int64 `json:"version"`
}

// Counts count an incident's alerts: all of them, the conditions among them
// (lasting), and those not resolved (active).
type Counts struct {
	Alerts  int `json:"alerts"`
	Lasting int `json:"lasting"`
	Active  int `json:"active"`
}

// Snooze is a snooze in effect. Until is left out when it is forever.
type Snooze struct {
	Until       time.Time `json:"until,omitzero"`
	Forever     bool      `json:"forever"`
	ResolveIfOK bool      `json:"resolve_if_ok"`
	Comment     string    `json:"comment,omitempty"`
	By          string    `json:"by"`
	At          time.Time `json:"at"`
}

// Handover is a hand-over waiting for its new owner to accept it.
type Handover struct {
	From string    `json:"from"`
	To   string    `json:"to"`
	Note string    `json:"note,omitempty"`
	At   time.Time `json:"at"`
}

// Escalation is where an incident's escalation stands: its policy, its mode
// (page, batch or retrospective), the steps taken, and whether the policy
// ran out.
type Escalation struct {
	Policy    string `json:"policy"`
	Mode      string `json:"mode"`
	Steps     int    `json:"steps"`
	Exhausted bool   `json:"exhausted"`
}

// Detail is an incident with everything about it: GET /incidents/{id}, and
// the answer to every action.
type Detail struct {
	Incident
	// Summary is each label with its values across the alerts, the
	// triggers first.
	Summary incident.Summary `json:"summary"`
	Members []Member         `json:"members"`
	// History is the newest DetailHistory entries of the history, oldest
	// first; HistoryNext, when set, is the before of the older ones, which
	// GET /incidents/{id}/history?before= pages through.
	History     []Event   `json:"history"`
	HistoryNext int64     `json:"history_next,omitempty"`
	Runbooks    []Runbook `json:"runbooks,omitzero"`
	// Deliveries are the notifications' delivery attempts, oldest first;
	// left out without Options.Log.
	Deliveries []Delivery `json:"deliveries,omitzero"`
}

// Member is an alert of an incident, as the incident last heard of it.
type Member struct {
	Fingerprint string            `json:"fingerprint"`
	Trigger     string            `json:"trigger"`
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations"`
	// Kind is lasting (a condition) or instant (an event).
	Kind string `json:"kind"`
	// State is pending, firing, resolved or unknown.
	State    string `json:"state"`
	Flapping bool   `json:"flapping"`
	Severity string `json:"severity"`
	// StartsAt and EndsAt are those of its latest firing; Firings counts
	// its firings, or an event's occurrences.
	StartsAt  time.Time `json:"starts_at"`
	EndsAt    time.Time `json:"ends_at,omitzero"`
	Firings   int       `json:"firings"`
	JoinedAt  time.Time `json:"joined_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Event is an entry of an incident's history.
type Event struct {
	Seq   int64     `json:"seq"`
	At    time.Time `json:"at"`
	Kind  string    `json:"kind"`
	Actor string    `json:"actor"`
	Note  string    `json:"note,omitempty"`
	// Alert is the fingerprint of the alert concerned, if any.
	Alert string `json:"alert,omitempty"`
	// From and To are the people of a hand-over or an assignment, or the
	// statuses of a transition.
	From string `json:"from,omitempty"`
	To   string `json:"to,omitempty"`
	// Folded, on an entry of kind folded, counts the older entries it
	// stands for; its note says of which kinds, and when.
	Folded int `json:"folded,omitempty"`
}

// Runbook is a runbook that applies to an incident, highest priority first.
type Runbook struct {
	Title    string `json:"title"`
	Priority int    `json:"priority"`
	// File is the runbook's path in its file system; Match its MQL.
	File  string `json:"file"`
	Match string `json:"match"`
	// Body is its Markdown.
	Body string `json:"body"`
}

// Delivery is an attempt to deliver a notification about an incident.
type Delivery struct {
	// Key identifies the notification; Number counts its attempts from 1.
	Key      string `json:"key"`
	Receiver string `json:"receiver"`
	// Reason is opened, escalation, acknowledged, resolved, handover or
	// digest.
	Reason string    `json:"reason"`
	Number int       `json:"number"`
	At     time.Time `json:"at"`
	// LatencySeconds is how long the attempt took.
	LatencySeconds float64 `json:"latency_seconds"`
	// Outcome is delivered, failed (tried again at RetryAt) or dead.
	Outcome string `json:"outcome"`
	// StatusCode is the receiver's HTTP status or SMTP reply code, if it
	// answered.
	StatusCode int       `json:"status_code,omitempty"`
	Error      string    `json:"error,omitempty"`
	RetryAt    time.Time `json:"retry_at,omitzero"`
}

// MembersResult is the answer of GET /incidents/{id}/members, in the order
// the alerts joined.
type MembersResult struct {
	Members []Member `json:"members"`
}

// HistoryResult is the answer of GET /incidents/{id}/history: a page of
// the history, oldest first.
type HistoryResult struct {
	History []Event `json:"history"`
	// Next, when set, is the before of the page of older entries; it is
	// left out on the page that begins the history.
	Next int64 `json:"next,omitempty"`
}

// RunbooksResult is the answer of GET /incidents/{id}/runbooks, highest
// priority first.
type RunbooksResult struct {
	Runbooks []Runbook `json:"runbooks"`
}

// DeliveriesResult is the answer of GET /incidents/{id}/deliveries, oldest
// first.
type DeliveriesResult struct {
	Deliveries []Delivery `json:"deliveries"`
}

// SearchResult is the answer of GET /incidents: the incidents found, newest
// first. Next, when set, is the before of the next page.
type SearchResult struct {
	Incidents []Incident  `json:"incidents"`
	Next      incident.ID `json:"next,omitempty"`
}

// SimilarResult is the answer of GET /incidents/{id}/similar: how many
// incidents had the same project and triggers, the newest of them, and
// their mean times to acknowledge and to resolve, left out when none was
// acknowledged, or resolved.
type SimilarResult struct {
	Count       int        `json:"count"`
	MTTASeconds float64    `json:"mtta_seconds,omitempty"`
	MTTRSeconds float64    `json:"mttr_seconds,omitempty"`
	Recent      []Incident `json:"recent"`
}

// Preset is a duration that a snooze dialog offers: For is the value of
// the snooze action's for.
type Preset struct {
	For     string `json:"for"`
	Seconds int64  `json:"seconds"`
	Label   string `json:"label"`
}

// PresetsResult is the answer of GET /snooze-presets.
type PresetsResult struct {
	Presets []Preset `json:"presets"`
}

func (a *API) incident(inc *incident.Incident) Incident {
	out := Incident{
		ID:       inc.ID,
		Status:   inc.Status.String(),
		Severity: severityName(inc.Severity),
		Title:    inc.Title(),
		Group:    labelMap(inc.Group),
		GroupKey: inc.GroupKey,
		Owner:    inc.Owner,
		Team:     inc.Team,
		Project:  inc.Project,
		Triggers: append([]string{}, inc.Triggers...),
		Counts:   Counts{Alerts: inc.Alerts, Lasting: inc.Lasting, Active: inc.Active},

		CreatedAt:  utc(inc.CreatedAt),
		UpdatedAt:  utc(inc.UpdatedAt),
		AckedAt:    utc(inc.AckedAt),
		ResolvedAt: utc(inc.ResolvedAt),
		ClosedAt:   utc(inc.ClosedAt),
		QuietSince: utc(inc.QuietSince),
		Version:    inc.Version,
	}
	if a.opts.URL != nil {
		out.URL = a.opts.URL(inc.ID)
	}
	if s := inc.Snooze; s != nil {
		out.Snooze = &Snooze{Until: utc(s.Until), Forever: s.Forever, ResolveIfOK: s.ResolveIfOK, Comment: s.Comment, By: s.By, At: utc(s.At)}
	}
	if h := inc.Handover; h != nil {
		out.Handover = &Handover{From: h.From, To: h.To, Note: h.Note, At: utc(h.At)}
	}
	if e := inc.Escalation; e != nil {
		out.Escalation = &Escalation{Policy: e.Policy, Mode: e.Mode, Steps: e.Steps, Exhausted: e.Exhausted}
	}
	return out
}

func (a *API) incidents(list []*incident.Incident) []Incident {
	out := make([]Incident, 0, len(list))
	for _, inc := range list {
		out = append(out, a.incident(inc))
	}
	return out
}

func members(list []incident.Member) []Member {
	out := make([]Member, 0, len(list))
	for i := range list {
		m := &list[i]
		out = append(out, Member{
			Fingerprint: m.Fingerprint.String(),
			Trigger:     m.Trigger(),
			Labels:      labelMap(m.Labels),
			Annotations: labelMap(m.Annotations),
			Kind:        m.Kind.String(),
			State:       m.State.String(),
			Flapping:    m.Flapping,
			Severity:    severityName(m.Severity),
			StartsAt:    utc(m.StartsAt),
			EndsAt:      utc(m.EndsAt),
			Firings:     m.Firings,
			JoinedAt:    utc(m.JoinedAt),
			UpdatedAt:   utc(m.UpdatedAt),
		})
	}
	return out
}

func events(list []incident.Event) []Event {
	out := make([]Event, 0, len(list))
	for _, e := range list {
		ev := Event{Seq: e.Seq, At: utc(e.At), Kind: string(e.Kind), Actor: e.Actor, Note: e.Note, From: e.From, To: e.To}
		if e.Alert != 0 {
			ev.Alert = e.Alert.String()
		}
		if e.Fold != nil {
			ev.Folded = e.Fold.Entries
		}
		out = append(out, ev)
	}
	return out
}

func runbooks(list []*route.Runbook) []Runbook {
	out := make([]Runbook, 0, len(list))
	for _, rb := range list {
		out = append(out, Runbook{Title: rb.Title, Priority: rb.Priority, File: rb.File, Match: rb.Match, Body: rb.Body})
	}
	return out
}

func deliveries(list []notify.Attempt) []Delivery {
	out := make([]Delivery, 0, len(list))
	for _, at := range list {
		out = append(out, Delivery{
			Key:            at.Key,
			Receiver:       at.Receiver,
			Reason:         string(at.Reason),
			Number:         at.Number,
			At:             utc(at.At),
			LatencySeconds: at.Latency.Seconds(),
			Outcome:        string(at.Outcome),
			StatusCode:     at.StatusCode,
			Error:          at.Error,
			RetryAt:        utc(at.RetryAt),
		})
	}
	return out
}

// severityName is "S3", or "" for an unknown level.
func severityName(level int) string {
	if l := severity.Level(level); l.Valid() {
		return l.String()
	}
	return ""
}

// labelMap returns a label set as a map that is never nil, so that it
// encodes as {} rather than null.
func labelMap(ls model.LabelSet) map[string]string {
	m := make(map[string]string, len(ls))
	for k, v := range ls {
		m[string(k)] = string(v)
	}
	return m
}

func utc(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC()
}
