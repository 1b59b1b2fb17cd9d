package alert

import (
	"fmt"
	"time"

	"github.com/prometheus/common/model"
)

// Kind says whether an alert is an event or a condition.
type Kind uint8

const (
	// KindLasting is a condition that holds for a while: it fires, and later
	// resolves, or goes unknown when its source stops refreshing it. It is the
	// zero Kind, as most alerts are conditions.
	KindLasting Kind = iota
	// KindInstant is an event: it happened at StartsAt, has no state and
	// never resolves ("backup failed", "deploy rolled back").
	KindInstant
)

// String returns "lasting" or "instant".
func (k Kind) String() string {
	switch k {
	case KindLasting:
		return "lasting"
	case KindInstant:
		return "instant"
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// MarshalText encodes k as its String.
func (k Kind) MarshalText() ([]byte, error) {
	if k > KindInstant {
		return nil, fmt.Errorf("unknown kind %d", uint8(k))
	}
	return []byte(k.String()), nil
}

// UnmarshalText decodes "lasting" or "instant".
func (k *Kind) UnmarshalText(b []byte) error {
	v, err := ParseKind(string(b))
	if err != nil {
		return err
	}
	*k = v
	return nil
}

// ParseKind parses "lasting" or "instant".
func ParseKind(s string) (Kind, error) {
	switch s {
	case "lasting":
		return KindLasting, nil
	case "instant":
		return KindInstant, nil
	}
	return 0, fmt.Errorf("unknown kind %q (want lasting or instant)", s)
}

// State is where an alert stands at a moment.
type State uint8

const (
	// StateNone is the state of an instant alert, which has none.
	StateNone State = iota
	// StatePending: the source sees the condition but has not yet decided that
	// it has held long enough to fire. The pipeline may hold it before paging.
	StatePending
	// StateFiring: the condition holds.
	StateFiring
	// StateResolved: the condition ended at EndsAt.
	StateResolved
	// StateUnknown: the source promised to refresh the alert by RefreshBy and
	// did not, so nobody knows whether the condition still holds.
	StateUnknown
)

var stateNames = [...]string{
	StateNone:     "none",
	StatePending:  "pending",
	StateFiring:   "firing",
	StateResolved: "resolved",
	StateUnknown:  "unknown",
}

// String returns the lower-case name of s: none, pending, firing, resolved or
// unknown.
func (s State) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return fmt.Sprintf("State(%d)", uint8(s))
}

// MarshalText encodes s as its String.
func (s State) MarshalText() ([]byte, error) {
	if int(s) >= len(stateNames) {
		return nil, fmt.Errorf("unknown state %d", uint8(s))
	}
	return []byte(stateNames[s]), nil
}

// UnmarshalText decodes the String of a State.
func (s *State) UnmarshalText(b []byte) error {
	v, err := ParseState(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// ParseState parses the String of a State.
func ParseState(name string) (State, error) {
	for s, n := range stateNames {
		if n == name {
			return State(s), nil
		}
	}
	return 0, fmt.Errorf("unknown state %q (want none, pending, firing, resolved or unknown)", name)
}

// Label names with a meaning to alertkit.
const (
	// LabelAlertName is Prometheus's name of an alerting rule.
	LabelAlertName = model.AlertNameLabel
	// LabelTrigger names what triggered an alert; it takes precedence over
	// alertname in [Alert.Trigger].
	LabelTrigger = "trigger"
)

// Alert is one alert as a source reports it: a set of labels that identifies
// it, annotations that describe it, and times that give its state.
//
// The zero value is a lasting alert with no labels, which does not validate.
// Alerts are plain values: copy them freely, but note that copies share their
// label and annotation maps.
type Alert struct {
	// Labels identify the alert; see [Alert.Fingerprint].
	Labels model.LabelSet `json:"labels"`
	// Annotations describe it (summary, description, runbook_url, ...). They
	// are not part of its identity.
	Annotations model.LabelSet `json:"annotations,omitempty"`

	// Kind says whether this is an event or a condition.
	Kind Kind `json:"kind"`
	// Pending marks a lasting alert that the source reports before it fires.
	Pending bool `json:"pending,omitempty"`

	// StartsAt is when the condition began, or when an instant event happened.
	StartsAt time.Time `json:"startsAt"`
	// EndsAt is when a lasting condition ended. It is zero while the alert is
	// active; a time in the future schedules the end.
	EndsAt time.Time `json:"endsAt,omitzero"`
	// RefreshBy is the refresh deadline of a lasting alert: if the source has
	// not refreshed the alert by then, its state is unknown. Zero means the
	// source reports the end explicitly and the alert never goes stale.
	RefreshBy time.Time `json:"refreshBy,omitzero"`
	// UpdatedAt is when alertkit last heard of the alert.
	UpdatedAt time.Time `json:"updatedAt,omitzero"`

	// GeneratorURL links to what produced the alert, such as a Prometheus
	// graph of the rule's expression.
	GeneratorURL string `json:"generatorURL,omitempty"`
	// Source names the system that sent the alert ("prometheus",
	// "alertmanager", "backup-cron").
	Source string `json:"source,omitempty"`
}

// StateAt returns the state of the alert at t:
//
//   - an instant alert is always StateNone;
//   - a lasting alert whose EndsAt is set and not after t is StateResolved;
//   - otherwise, one whose RefreshBy is set and not after t is StateUnknown;
//   - otherwise it is StatePending if the source said so, else StateFiring.
func (a *Alert) StateAt(t time.Time) State {
	switch {
	case a.Kind == KindInstant:
		return StateNone
	case !a.EndsAt.IsZero() && !a.EndsAt.After(t):
		return StateResolved
	case !a.RefreshBy.IsZero() && !a.RefreshBy.After(t):
		return StateUnknown
	case a.Pending:
		return StatePending
	}
	return StateFiring
}

// State returns the state of the alert now. Code that has a clock should use
// StateAt.
func (a *Alert) State() State { return a.StateAt(time.Now()) }

// Fingerprint identifies the alert by its labels. It equals
// model.LabelSet.Fingerprint of the same labels, which Alertmanager and
// Prometheus use, so fingerprints can be compared across the three.
func (a *Alert) Fingerprint() model.Fingerprint { return Fingerprint(a.Labels) }

// Trigger returns what triggered the alert: the label trigger if it is set,
// else alertname, else "".
func (a *Alert) Trigger() string {
	if v := a.Labels[LabelTrigger]; v != "" {
		return string(v)
	}
	return string(a.Labels[LabelAlertName])
}

// String returns the alert's labels, sorted by name, as
// {alertname="TargetDown", instance="10.244.37.14:9403"}.
func (a *Alert) String() string { return a.Labels.String() }
