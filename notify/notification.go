package notify

import (
	"fmt"
	"slices"
	"time"

	"github.com/prometheus/common/model"

	"github.com/alertkit/alertkit/alert"
	"github.com/alertkit/alertkit/incident"
	"github.com/alertkit/alertkit/severity"
)

// Reason says why a notification is sent.
type Reason string

// The reasons of a notification.
const (
	// ReasonOpened: a new incident.
	ReasonOpened Reason = "opened"
	// ReasonEscalation: a step of an escalation policy.
	ReasonEscalation Reason = "escalation"
	// ReasonAcknowledged: someone took the incident.
	ReasonAcknowledged Reason = "acknowledged"
	// ReasonResolved: the incident is over.
	ReasonResolved Reason = "resolved"
	// ReasonHandover: the incident was handed to someone, or a hand-over
	// was not accepted in time.
	ReasonHandover Reason = "handover"
	// ReasonDigest: the incidents of a batch period, in one message.
	ReasonDigest Reason = "digest"
)

var reasons = []Reason{ReasonOpened, ReasonEscalation, ReasonAcknowledged, ReasonResolved, ReasonHandover, ReasonDigest}

// Reasons returns every reason, for tests that render them all.
func Reasons() []Reason { return slices.Clone(reasons) }

// Valid reports whether r is one of the reasons.
func (r Reason) Valid() bool { return slices.Contains(reasons, r) }

// Notification is a message about an incident to one receiver: what
// happened, a snapshot of the incident as it was then, and whom it
// addresses. It is a plain value that encodes to JSON, which is how the
// outbox keeps it.
type Notification struct {
	// Key is the idempotency key: the same for the same event of the same
	// incident, so that a notification sent again after a crash or a retry
	// carries it again, and a receiver that deduplicates (PagerDuty's
	// dedup_key, a webhook consumer's Idempotency-Key) sees it once.
	Key    string    `json:"key"`
	Reason Reason    `json:"reason"`
	At     time.Time `json:"at"`
	// Receiver names the configured receiver that sends it.
	Receiver string `json:"receiver"`
	// People and Teams are whom it addresses, for mentions.
	People []string `json:"people,omitempty"`
	Teams  []string `json:"teams,omitempty"`
	// Note says why in words: "step 2 of sre/page 10m: nobody acknowledged
	// within 10m".
	Note string `json:"note,omitempty"`
	// Incident is the incident as it was when the notification was made.
	Incident Snapshot `json:"incident"`
	// Items are the incidents of a digest, oldest first; Incident is then
	// the first of them.
	Items []Snapshot `json:"items,omitempty"`
}

// Validate checks what every sender relies on; errors name the field.
func (n *Notification) Validate() error {
	switch {
	case n.Key == "":
		return fmt.Errorf("notification: missing key")
	case !n.Reason.Valid():
		return fmt.Errorf("notification %s: unknown reason %q", n.Key, n.Reason)
	case n.Incident.ID == "":
		return fmt.Errorf("notification %s: missing incident", n.Key)
	case n.Reason == ReasonDigest && len(n.Items) == 0:
		return fmt.Errorf("notification %s: a digest without items", n.Key)
	}
	return nil
}

// Snapshot is what a message shows of an incident — the incident
// card: status, severity, the label summary, the alerts and how long they
// have fired, the owner, the runbooks.
type Snapshot struct {
	ID     incident.ID `json:"id"`
	Status string      `json:"status"`
	// Severity is 1 (S1) to 9 (S9), or 0 when unknown.
	Severity     int    `json:"severity,omitempty"`
	ServiceLevel string `json:"service_level,omitempty"`
	// Title is the incident in a line: its triggers and group.
	Title   string         `json:"title"`
	Group   model.LabelSet `json:"group,omitempty"`
	Project string         `json:"project,omitempty"`
	Team    string         `json:"team,omitempty"`
	Owner   string         `json:"owner,omitempty"`
	// Summary is each label with its values across the alerts.
	Summary incident.Summary `json:"summary,omitempty"`
	// Alerts counts the incident's alerts, Active those not resolved.
	Alerts int `json:"alerts"`
	Active int `json:"active"`
	// Members are some of the alerts, at most MaxMembers; Truncated counts
	// those left out.
	Members   []Alert `json:"members,omitempty"`
	Truncated int     `json:"truncated,omitempty"`

	CreatedAt  time.Time `json:"created_at"`
	AckedAt    time.Time `json:"acked_at,omitzero"`
	ResolvedAt time.Time `json:"resolved_at,omitzero"`

	Runbooks []Link `json:"runbooks,omitempty"`
	// URL links to the incident in the host's interface, if it has one.
	URL string `json:"url,omitempty"`
}

// Alert is an alert of a Snapshot.
type Alert struct {
	Fingerprint string         `json:"fingerprint"`
	Labels      model.LabelSet `json:"labels"`
	Annotations model.LabelSet `json:"annotations,omitempty"`
	State       string         `json:"state"`
	StartsAt    time.Time      `json:"starts_at"`
	EndsAt      time.Time      `json:"ends_at,omitzero"`
	// Firings counts its firing intervals, or occurrences of an event.
	Firings      int    `json:"firings,omitempty"`
	GeneratorURL string `json:"generator_url,omitempty"`
}

// Link is a titled URL: a runbook, a dashboard.
type Link struct {
	Title string `json:"title"`
	URL   string `json:"url,omitempty"`
}

// MaxMembers is how many alerts a Snapshot keeps by default.
const MaxMembers = 20

// SnapshotOptions say what NewSnapshot adds to an incident's own fields.
type SnapshotOptions struct {
	// MaxMembers caps the alerts kept; 0 means MaxMembers.
	MaxMembers int
	// URL returns the link to an incident in the host's interface.
	URL func(incident.ID) string
	// ServiceLevel names the incident's service level.
	ServiceLevel string
	Runbooks     []Link
	// RunbooksFor, if set, adds the runbooks of the incident: those whose
	// query it matches.
	RunbooksFor func(incident.View) []Link
}

// NewSnapshot takes a snapshot of an incident and its members. Firing
// alerts come first, then the most recent.
func NewSnapshot(v incident.View, o *SnapshotOptions) Snapshot {
	if o == nil {
		o = &SnapshotOptions{}
	}
	inc := v.Incident
	s := Snapshot{
		ID: inc.ID, Status: inc.Status.String(), Severity: inc.Severity, ServiceLevel: o.ServiceLevel,
		Group: inc.Group, Project: inc.Project, Team: inc.Team, Owner: inc.Owner,
		Summary: incident.Summarize(v.Members), Alerts: inc.Alerts, Active: inc.Active,
		CreatedAt: inc.CreatedAt, AckedAt: inc.AckedAt, ResolvedAt: inc.ResolvedAt,
		Runbooks: slices.Clone(o.Runbooks),
	}
	if o.RunbooksFor != nil {
		s.Runbooks = append(s.Runbooks, o.RunbooksFor(v)...)
	}
	s.Title = inc.Title()
	if o.URL != nil {
		s.URL = o.URL(inc.ID)
	}
	members := slices.Clone(v.Members)
	slices.SortStableFunc(members, func(a, b incident.Member) int {
		if fa, fb := a.State == alert.StateFiring, b.State == alert.StateFiring; fa != fb {
			if fa {
				return -1
			}
			return 1
		}
		return b.StartsAt.Compare(a.StartsAt)
	})
	limit := o.MaxMembers
	if limit <= 0 {
		limit = MaxMembers
	}
	if len(members) > limit {
		s.Truncated = len(members) - limit
		members = members[:limit]
	}
	for _, m := range members {
		s.Members = append(s.Members, Alert{
			Fingerprint: m.Fingerprint.String(), Labels: m.Labels, Annotations: m.Annotations, State: m.State.String(),
			StartsAt: m.StartsAt, EndsAt: m.EndsAt, Firings: m.Firings,
		})
	}
	return s
}

// SeverityName is "S3", or "" when the level is unknown.
func (s *Snapshot) SeverityName() string {
	if l := severity.Level(s.Severity); l.Valid() {
		return l.String()
	}
	return ""
}

// Duration is how long the incident has lasted at t, or lasted if it is
// resolved.
func (s *Snapshot) Duration(t time.Time) time.Duration {
	end := t
	if !s.ResolvedAt.IsZero() {
		end = s.ResolvedAt
	}
	return max(end.Sub(s.CreatedAt), 0)
}
