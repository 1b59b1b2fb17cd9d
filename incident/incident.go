package incident

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/common/model"

	"github.com/alertkit/alertkit/alert"
	"github.com/alertkit/alertkit/dedup"
)

// ID identifies an incident. IDs are ULIDs: they sort in the order the
// incidents were opened.
type ID string

// Status is where an incident stands in its lifecycle.
type Status uint8

// The statuses. Open, acknowledged and snoozed incidents are active.
const (
	StatusOpen Status = iota + 1
	StatusAcknowledged
	StatusSnoozed
	StatusResolved
	StatusClosed
)

var statusNames = [...]string{
	StatusOpen:         "open",
	StatusAcknowledged: "acknowledged",
	StatusSnoozed:      "snoozed",
	StatusResolved:     "resolved",
	StatusClosed:       "closed",
}

// String returns the status in lower case, as MQL's status field compares it.
func (s Status) String() string {
	if int(s) < len(statusNames) && statusNames[s] != "" {
		return statusNames[s]
	}
	return fmt.Sprintf("Status(%d)", uint8(s))
}

// MarshalText encodes the status as its String.
func (s Status) MarshalText() ([]byte, error) {
	if int(s) >= len(statusNames) || statusNames[s] == "" {
		return nil, fmt.Errorf("unknown status %d", uint8(s))
	}
	return []byte(s.String()), nil
}

// UnmarshalText decodes a status from its String.
func (s *Status) UnmarshalText(b []byte) error {
	v, err := ParseStatus(string(b))
	if err == nil {
		*s = v
	}
	return err
}

// ParseStatus parses a status from its String.
func ParseStatus(name string) (Status, error) {
	for s, n := range statusNames {
		if n != "" && n == name {
			return Status(s), nil
		}
	}
	return 0, fmt.Errorf("unknown status %q (want open, acknowledged, snoozed, resolved or closed)", name)
}

// Active reports whether an incident in this status still needs people:
// open, acknowledged or snoozed.
func (s Status) Active() bool {
	return s == StatusOpen || s == StatusAcknowledged || s == StatusSnoozed
}

// Incident is a group of alerts with a lifecycle of its own: incident ≠
// alert. Its alerts, the members, are stored beside it (Store.Members), so
// that an incident of ten thousand alerts is as cheap to update as one of
// three; the counters here summarise them.
//
// An Incident is a plain value: a Store returns copies, and takes the
// caller's version back with Update.
type Incident struct {
	ID ID
	// GroupKey identifies the group of alerts the incident gathers: the
	// grouping's key and the values of its group labels.
	GroupKey string
	// Group holds the group labels and their values.
	Group  model.LabelSet
	Status Status
	// Severity is the level of the most severe alert the incident has had,
	// 1 (S1) to 9 (S9); 0 when no alert carried one. It never falls.
	Severity int
	// ServiceLevel is the most demanding service level of its alerts
	// (platinum, gold, silver), empty when none carried one. It never falls.
	ServiceLevel string
	// Owner is the one person responsible: the assignee. A hand-over that
	// is not accepted yet is in Handover.
	Owner   string
	Team    string
	Project string
	// Triggers are the triggers of its alerts, sorted and without repeats.
	Triggers []string

	// Alerts counts the members; Lasting those that are conditions; Active
	// those that are not resolved (firing, pending or unknown); Flapping
	// those that change state too often.
	Alerts, Lasting, Active, Flapping int
	// QuietSince is when the last active alert resolved. It stays set when
	// the incident reopens, to tell how long it was quiet.
	QuietSince time.Time
	// Reopened counts the times the incident reopened — an alert fired
	// again after it resolved, or a person reopened it. Each reopening is a
	// new firing, which the escalation stage pages for again.
	Reopened int

	CreatedAt, UpdatedAt, AckedAt, ResolvedAt, ClosedAt time.Time

	// Snooze is set while the incident is snoozed.
	Snooze *Snooze
	// Handover is set while a hand-over waits to be accepted.
	Handover *Handover
	// Escalation is the escalation stage's progress, kept with the incident
	// so that replicas share it; nil until that stage engages.
	Escalation *Escalation

	// Version counts the updates; Store.Update refuses a stale one.
	Version int64
}

// Snooze is a snooze in effect: smart ignore.
type Snooze struct {
	// Until is when the incident wakes; zero when it is snoozed forever.
	Until   time.Time
	Forever bool
	// ResolveIfOK closes the incident instead of waking it, if all its
	// alerts resolve while it is snoozed.
	ResolveIfOK bool
	Comment     string
	By          string
	At          time.Time
}

// Handover is the baton on its way from one owner to the next.
type Handover struct {
	From, To string
	Note     string
	At       time.Time
}

// Escalation is where the escalation of an incident stands.
type Escalation struct {
	// Policy names the escalation policy.
	Policy string
	// Mode is how the incident is handled: "page", "batch" (a digest) or
	// "retrospective" (recorded only).
	Mode string
	// Hold is the pending hold: how long the first page of each firing
	// waits, in case the incident resolves meanwhile.
	Hold time.Duration
	// Steps counts the escalation steps taken in the current firing, across
	// rounds.
	Steps int
	// Exhausted is set once the last step of the last round was taken.
	Exhausted bool
	// Firing is the firing the escalation pages for: 0 for the incident's
	// first, then Incident.Reopened of the reopening it started again for.
	Firing int
	// LastPage is when the escalation last notified anyone.
	LastPage time.Time
}

// Member is an alert of an incident, as the incident last heard of it.
//
// Its identity is the fingerprint of the labels its source sent, Labels:
// the same in the dedup stage, in a restart's restored records, in
// inhibition and in the history. What the pipeline learned of it besides —
// labels that triage rules added, its severity and service level — is kept
// beside them (Added, Severity, ServiceLevel), never in them.
type Member struct {
	Fingerprint model.Fingerprint
	// Labels are the labels its source sent.
	Labels model.LabelSet
	// Added are the labels triage rules added. Queries see them as labels
	// of the alert (an added label hides a sent one of the same name).
	Added       model.LabelSet
	Annotations model.LabelSet
	Kind        alert.Kind
	State       alert.State
	Flapping    bool
	// StartsAt and EndsAt are those of its latest firing.
	StartsAt, EndsAt time.Time
	// RefreshBy is the refresh deadline the source gave with the latest
	// change (alert.Alert.RefreshBy); zero if it gave none. RefreshEvery
	// is how long before it the source sent that report: the period a
	// process starting afresh gives the source to send it again.
	RefreshBy    time.Time
	RefreshEvery time.Duration
	// Firings counts its firing intervals, or its occurrences.
	Firings int
	// Severity is its level, 1 (S1) to 9, or 0 for none; ServiceLevel its
	// service level, empty for none.
	Severity     int
	ServiceLevel string
	JoinedAt     time.Time
	// UpdatedAt is when the incident last heard of it.
	UpdatedAt time.Time
	// ChangedAt is when the change applied last happened, as the dedup
	// stage stamped it (dedup.Change.At). A change stamped before it is
	// stale, and one that says nothing new — another replica's copy of the
	// same report — is a repeat; the Manager ignores both.
	ChangedAt time.Time
}

// repeats reports whether a change says nothing the member does not
// already say: its kind, state, flapping, the start of its firing, and
// whether its source promises to refresh it.
func (m *Member) repeats(ch *dedup.Change) bool {
	return m.Kind == ch.Alert.Kind && m.State == ch.State && m.Flapping == ch.Flapping &&
		m.StartsAt.Equal(ch.Alert.StartsAt) && m.RefreshBy.IsZero() == ch.Alert.RefreshBy.IsZero()
}

// Trigger returns the member's trigger: label trigger, else alertname.
func (m *Member) Trigger() string {
	if v, ok := m.Label("trigger"); ok && v != "" {
		return v
	}
	v, _ := m.Label(string(model.AlertNameLabel))
	return v
}

// Label returns a label of the member: an added one, else one its source
// sent.
func (m *Member) Label(name string) (string, bool) {
	if v, ok := m.Added[model.LabelName(name)]; ok {
		return string(v), true
	}
	v, ok := m.Labels[model.LabelName(name)]
	return string(v), ok
}

// AllLabels returns the labels its source sent with the added ones: what
// routes and queries saw. It returns Labels itself when nothing was added.
func (m *Member) AllLabels() model.LabelSet { return merge(m.Labels, m.Added) }

// merge returns ls with added over it; ls itself when added is empty.
func merge(ls, added model.LabelSet) model.LabelSet {
	if len(added) == 0 {
		return ls
	}
	out := make(model.LabelSet, len(ls)+len(added))
	for k, v := range ls {
		out[k] = v
	}
	for k, v := range added {
		out[k] = v
	}
	return out
}

// active reports whether the member still needs attention: a lasting alert
// that is not resolved.
func (m *Member) active() bool {
	return m.Kind == alert.KindLasting && m.State != alert.StateResolved
}

// Signature identifies similar incidents: the same project and the same set
// of triggers.
func (inc *Incident) Signature() string {
	return inc.Project + "\x00" + strings.Join(inc.Triggers, "\x00")
}

// clone returns a copy that shares no mutable state with inc.
// Title is the incident in a line, as notifications and the API show it:
// its triggers and project, "TargetDown, KubePodCrashLooping in
// horns-and-hooves"; "incident <ID>" when it has no trigger.
func (inc *Incident) Title() string {
	t := strings.Join(inc.Triggers, ", ")
	if t == "" {
		t = "incident " + string(inc.ID)
	}
	if inc.Project != "" {
		t += " in " + inc.Project
	}
	return t
}

func (inc *Incident) clone() *Incident {
	c := *inc
	c.Triggers = slices.Clone(inc.Triggers)
	if inc.Snooze != nil {
		s := *inc.Snooze
		c.Snooze = &s
	}
	if inc.Handover != nil {
		h := *inc.Handover
		c.Handover = &h
	}
	if inc.Escalation != nil {
		e := *inc.Escalation
		c.Escalation = &e
	}
	return &c
}

// EventKind names an entry of an incident's history.
type EventKind string

// The kinds of history entries.
const (
	EventOpened           EventKind = "opened"
	EventAlertJoined      EventKind = "alert_joined"
	EventAlertResolved    EventKind = "alert_resolved"
	EventAlertFiredAgain  EventKind = "alert_fired_again"
	EventAlertUnknown     EventKind = "alert_unknown"
	EventAlertFlapping    EventKind = "alert_flapping"
	EventSeverityRaised   EventKind = "severity_raised"
	EventAcknowledged     EventKind = "acknowledged"
	EventUnacknowledged   EventKind = "unacknowledged"
	EventAssigned         EventKind = "assigned"
	EventCommented        EventKind = "commented"
	EventSnoozed          EventKind = "snoozed"
	EventWoke             EventKind = "woke"
	EventHandedOver       EventKind = "handed_over"
	EventHandoverAccepted EventKind = "handover_accepted"
	EventEscalated        EventKind = "escalated"
	EventNotified         EventKind = "notified"
	EventResolved         EventKind = "resolved"
	EventClosed           EventKind = "closed"
	EventReopened         EventKind = "reopened"
	// EventFolded stands for older entries of a long history, folded into
	// it (see Fold and DefaultMaxHistory).
	EventFolded EventKind = "folded"
)

// Event is an entry of an incident's history, which is append-only.
type Event struct {
	Incident ID
	// Seq orders the history of an incident, from 1; the Store assigns it.
	Seq  int64
	At   time.Time
	Kind EventKind
	// Actor is who did it: a person, or Options.Actor for what alertkit
	// did by itself.
	Actor string
	// Note is the comment, the snooze's comment, the hand-over's note, or
	// what happened, in words.
	Note string
	// Alert is the alert concerned, if any.
	Alert model.Fingerprint
	// From and To are the people of a hand-over or an assignment, or the
	// statuses of a transition.
	From, To string
	// Fold is set on an EventFolded entry: what it stands for.
	Fold *Fold
}

// String formats the event for logs and tests: "09:28:12 alertkit
// alert_joined 215e6ac02d37b72b: KubernetesDaemonSetReplicasUnavailable".
func (e Event) String() string {
	s := e.At.UTC().Format(time.TimeOnly) + " " + e.Actor + " " + string(e.Kind)
	if e.Alert != 0 {
		s += " " + e.Alert.String()
	}
	switch {
	case e.From != "":
		s += " " + e.From + " → " + e.To
	case e.To != "":
		s += " → " + e.To
	}
	if e.Note != "" {
		s += ": " + e.Note
	}
	return s
}
