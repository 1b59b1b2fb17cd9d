package pgstore

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/prometheus/common/model"

	"github.com/alertkit/alertkit/alert"
	"github.com/alertkit/alertkit/incident"
)

// The bodies of rows, as JSON with names of their own, so that renaming a
// Go field never loses stored data. Times keep their nanoseconds.

type incidentBody struct {
	ID         string         `json:"id"`
	GroupKey   string         `json:"group_key"`
	Group      model.LabelSet `json:"group"`
	Status     string         `json:"status"`
	Severity   int            `json:"severity,omitempty"`
	Service    string         `json:"service_level,omitempty"`
	Owner      string         `json:"owner,omitempty"`
	Team       string         `json:"team,omitempty"`
	Project    string         `json:"project,omitempty"`
	Triggers   []string       `json:"triggers"`
	Alerts     int            `json:"alerts,omitempty"`
	Lasting    int            `json:"lasting,omitempty"`
	Active     int            `json:"active,omitempty"`
	Flapping   int            `json:"flapping,omitempty"`
	QuietSince time.Time      `json:"quiet_since,omitzero"`
	Reopened   int            `json:"reopened,omitempty"`
	CreatedAt  time.Time      `json:"created_at,omitzero"`
	UpdatedAt  time.Time      `json:"updated_at,omitzero"`
	AckedAt    time.Time      `json:"acked_at,omitzero"`
	ResolvedAt time.Time      `json:"resolved_at,omitzero"`
	ClosedAt   time.Time      `json:"closed_at,omitzero"`
	Snooze     *snoozeBody    `json:"snooze,omitempty"`
	Handover   *handoverBody  `json:"handover,omitempty"`
	Escalation *escBody       `json:"escalation,omitempty"`
}

type snoozeBody struct {
	Until       time.Time `json:"until,omitzero"`
	Forever     bool      `json:"forever,omitempty"`
	ResolveIfOK bool      `json:"resolve_if_ok,omitempty"`
	Comment     string    `json:"comment,omitempty"`
	By          string    `json:"by,omitempty"`
	At          time.Time `json:"at,omitzero"`
}

type handoverBody struct {
	From string    `json:"from"`
	To   string    `json:"to"`
	Note string    `json:"note,omitempty"`
	At   time.Time `json:"at,omitzero"`
}

type escBody struct {
	Policy    string        `json:"policy,omitempty"`
	Mode      string        `json:"mode,omitempty"`
	Hold      time.Duration `json:"hold,omitempty"`
	Steps     int           `json:"steps,omitempty"`
	Exhausted bool          `json:"exhausted,omitempty"`
	Firing    int           `json:"firing,omitempty"`
	LastPage  time.Time     `json:"last_page,omitzero"`
}

func encodeIncident(inc *incident.Incident) (string, error) {
	b := incidentBody{
		ID: string(inc.ID), GroupKey: inc.GroupKey, Group: inc.Group, Status: inc.Status.String(),
		Severity: inc.Severity, Service: inc.ServiceLevel, Owner: inc.Owner, Team: inc.Team, Project: inc.Project, Triggers: inc.Triggers,
		Alerts: inc.Alerts, Lasting: inc.Lasting, Active: inc.Active, Flapping: inc.Flapping, QuietSince: inc.QuietSince, Reopened: inc.Reopened,
		CreatedAt: inc.CreatedAt, UpdatedAt: inc.UpdatedAt, AckedAt: inc.AckedAt, ResolvedAt: inc.ResolvedAt, ClosedAt: inc.ClosedAt,
	}
	if !validStatus(inc.Status) {
		return "", fmt.Errorf("incident %s: unknown status %d", inc.ID, inc.Status)
	}
	if s := inc.Snooze; s != nil {
		b.Snooze = &snoozeBody{Until: s.Until, Forever: s.Forever, ResolveIfOK: s.ResolveIfOK, Comment: s.Comment, By: s.By, At: s.At}
	}
	if h := inc.Handover; h != nil {
		b.Handover = &handoverBody{From: h.From, To: h.To, Note: h.Note, At: h.At}
	}
	if e := inc.Escalation; e != nil {
		b.Escalation = &escBody{Policy: e.Policy, Mode: e.Mode, Hold: e.Hold, Steps: e.Steps, Exhausted: e.Exhausted, Firing: e.Firing, LastPage: e.LastPage}
	}
	data, err := json.Marshal(b)
	return string(data), err
}

func validStatus(s incident.Status) bool {
	_, err := s.MarshalText()
	return err == nil
}

func decodeIncident(data string, version int64) (*incident.Incident, error) {
	var b incidentBody
	if err := json.Unmarshal([]byte(data), &b); err != nil {
		return nil, fmt.Errorf("stored incident: %w", err)
	}
	status, err := incident.ParseStatus(b.Status)
	if err != nil {
		return nil, fmt.Errorf("stored incident %s: %w", b.ID, err)
	}
	inc := &incident.Incident{
		ID: incident.ID(b.ID), GroupKey: b.GroupKey, Group: b.Group, Status: status,
		Severity: b.Severity, ServiceLevel: b.Service, Owner: b.Owner, Team: b.Team, Project: b.Project, Triggers: b.Triggers,
		Alerts: b.Alerts, Lasting: b.Lasting, Active: b.Active, Flapping: b.Flapping, QuietSince: b.QuietSince, Reopened: b.Reopened,
		CreatedAt: b.CreatedAt, UpdatedAt: b.UpdatedAt, AckedAt: b.AckedAt, ResolvedAt: b.ResolvedAt, ClosedAt: b.ClosedAt,
		Version: version,
	}
	if s := b.Snooze; s != nil {
		inc.Snooze = &incident.Snooze{Until: s.Until, Forever: s.Forever, ResolveIfOK: s.ResolveIfOK, Comment: s.Comment, By: s.By, At: s.At}
	}
	if h := b.Handover; h != nil {
		inc.Handover = &incident.Handover{From: h.From, To: h.To, Note: h.Note, At: h.At}
	}
	if e := b.Escalation; e != nil {
		inc.Escalation = &incident.Escalation{Policy: e.Policy, Mode: e.Mode, Hold: e.Hold, Steps: e.Steps, Exhausted: e.Exhausted, Firing: e.Firing, LastPage: e.LastPage}
	}
	return inc, nil
}

type memberBody struct {
	Fingerprint string         `json:"fingerprint"`
	Labels      model.LabelSet `json:"labels"`
	Added       model.LabelSet `json:"added,omitempty"`
	Annotations model.LabelSet `json:"annotations"`
	Kind        alert.Kind     `json:"kind"`
	State       alert.State    `json:"state"`
	Flapping    bool           `json:"flapping,omitempty"`
	StartsAt    time.Time      `json:"starts_at,omitzero"`
	EndsAt      time.Time      `json:"ends_at,omitzero"`
	RefreshBy   time.Time      `json:"refresh_by,omitzero"`
	Every       time.Duration  `json:"refresh_every,omitempty"`
	Firings     int            `json:"firings,omitempty"`
	Severity    int            `json:"severity,omitempty"`
	Service     string         `json:"service_level,omitempty"`
	JoinedAt    time.Time      `json:"joined_at,omitzero"`
	UpdatedAt   time.Time      `json:"updated_at,omitzero"`
	ChangedAt   time.Time      `json:"changed_at,omitzero"`
}

func encodeMember(m *incident.Member) (string, error) {
	data, err := json.Marshal(memberBody{
		Fingerprint: m.Fingerprint.String(), Labels: m.Labels, Added: m.Added, Annotations: m.Annotations, Kind: m.Kind, State: m.State,
		Flapping: m.Flapping, StartsAt: m.StartsAt, EndsAt: m.EndsAt, RefreshBy: m.RefreshBy, Firings: m.Firings, Severity: m.Severity,
		Service: m.ServiceLevel, Every: m.RefreshEvery,
		JoinedAt: m.JoinedAt, UpdatedAt: m.UpdatedAt, ChangedAt: m.ChangedAt,
	})
	if err != nil {
		return "", fmt.Errorf("alert %s: %w", m.Fingerprint, err)
	}
	return string(data), nil
}

func decodeMember(data string) (incident.Member, error) {
	var b memberBody
	if err := json.Unmarshal([]byte(data), &b); err != nil {
		return incident.Member{}, fmt.Errorf("stored member: %w", err)
	}
	fp, err := model.FingerprintFromString(b.Fingerprint)
	if err != nil {
		return incident.Member{}, fmt.Errorf("stored member: fingerprint %q: %w", b.Fingerprint, err)
	}
	return incident.Member{
		Fingerprint: fp, Labels: b.Labels, Added: b.Added, Annotations: b.Annotations, Kind: b.Kind, State: b.State,
		Flapping: b.Flapping, StartsAt: b.StartsAt, EndsAt: b.EndsAt, RefreshBy: b.RefreshBy, Firings: b.Firings, Severity: b.Severity,
		ServiceLevel: b.Service, RefreshEvery: b.Every,
		JoinedAt: b.JoinedAt, UpdatedAt: b.UpdatedAt, ChangedAt: b.ChangedAt,
	}, nil
}

type eventBody struct {
	At    time.Time `json:"at,omitzero"`
	Kind  string    `json:"kind"`
	Actor string    `json:"actor,omitempty"`
	Note  string    `json:"note,omitempty"`
	Alert string    `json:"alert,omitempty"`
	From  string    `json:"from,omitempty"`
	To    string    `json:"to,omitempty"`
	Fold  *foldBody `json:"fold,omitempty"`
}

type foldBody struct {
	Entries int            `json:"entries"`
	Kinds   map[string]int `json:"kinds"`
	From    time.Time      `json:"from"`
	To      time.Time      `json:"to"`
}

func encodeEvent(e *incident.Event) (string, error) {
	b := eventBody{At: e.At, Kind: string(e.Kind), Actor: e.Actor, Note: e.Note, From: e.From, To: e.To}
	if e.Alert != 0 {
		b.Alert = e.Alert.String()
	}
	if f := e.Fold; f != nil {
		b.Fold = &foldBody{Entries: f.Entries, Kinds: make(map[string]int, len(f.Kinds)), From: f.From, To: f.To}
		for k, n := range f.Kinds {
			b.Fold.Kinds[string(k)] = n
		}
	}
	data, err := json.Marshal(b)
	return string(data), err
}

func decodeEvent(id incident.ID, seq int64, data string) (incident.Event, error) {
	var b eventBody
	if err := json.Unmarshal([]byte(data), &b); err != nil {
		return incident.Event{}, fmt.Errorf("stored event %s #%d: %w", id, seq, err)
	}
	e := incident.Event{Incident: id, Seq: seq, At: b.At, Kind: incident.EventKind(b.Kind), Actor: b.Actor, Note: b.Note, From: b.From, To: b.To}
	if f := b.Fold; f != nil {
		e.Fold = &incident.Fold{Entries: f.Entries, Kinds: make(map[incident.EventKind]int, len(f.Kinds)), From: f.From, To: f.To}
		for k, n := range f.Kinds {
			e.Fold.Kinds[incident.EventKind(k)] = n
		}
	}
	if b.Alert != "" {
		fp, err := model.FingerprintFromString(b.Alert)
		if err != nil {
			return incident.Event{}, fmt.Errorf("stored event %s #%d: alert %q: %w", id, seq, b.Alert, err)
		}
		e.Alert = fp
	}
	return e, nil
}
