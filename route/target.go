package route

import (
	"fmt"
	"strings"
	"time"

	"github.com/prometheus/common/model"

	"github.com/alertkit/alertkit/alert"
	"github.com/alertkit/alertkit/mql"
	"github.com/alertkit/alertkit/severity"
)

// TargetKind says what a Target names.
type TargetKind uint8

// The kinds of target.
const (
	// TargetUser is a person: @vasiliy.vasiliyev.
	TargetUser TargetKind = iota + 1
	// TargetTeam is a team, whose on-call is found by the escalation stage:
	// team:sre.
	TargetTeam
	// TargetReceiver is a notification channel by name, as Alertmanager's
	// receivers: receiver:slack-ops.
	TargetReceiver
	// TargetPolicy is an escalation policy: policy:db-oncall.
	TargetPolicy
	// TargetOnCall is whoever is on call for a layer of a schedule at the time:
	// oncall:sre/L1 (oncall:sre is the schedule's first layer).
	TargetOnCall
)

var targetPrefixes = [...]string{TargetUser: "@", TargetTeam: "team:", TargetReceiver: "receiver:", TargetPolicy: "policy:", TargetOnCall: "oncall:"}

// Target is where the alerts of a route go.
type Target struct {
	Kind TargetKind
	Name string
}

// String writes the target as ParseTarget reads it.
func (t Target) String() string {
	if int(t.Kind) < len(targetPrefixes) && t.Kind != 0 {
		return targetPrefixes[t.Kind] + t.Name
	}
	return fmt.Sprintf("Target(%d, %q)", t.Kind, t.Name)
}

// ParseTarget reads "@user", "team:name", "receiver:name", "policy:name"
// or "oncall:schedule/layer".
func ParseTarget(s string) (Target, error) {
	s = strings.TrimSpace(s)
	for kind, prefix := range targetPrefixes {
		if prefix == "" {
			continue
		}
		if name, ok := strings.CutPrefix(s, prefix); ok {
			if name == "" || strings.ContainsAny(name, " \t,") {
				return Target{}, fmt.Errorf("target %q: invalid name %q", s, name)
			}
			return Target{Kind: TargetKind(kind), Name: name}, nil
		}
	}
	return Target{}, fmt.Errorf("unknown target %q (want @user, team:name, receiver:name, policy:name or oncall:schedule/layer)", s)
}

// MarshalText writes the target's String.
func (t Target) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// UnmarshalText reads a target with ParseTarget.
func (t *Target) UnmarshalText(b []byte) error {
	v, err := ParseTarget(string(b))
	if err == nil {
		*t = v
	}
	return err
}

// Subject is an alert as the route stage sees it: its labels, its state at
// a time, and its classification, from which MQL's severity and
// service_level fields come. A zero Class leaves them to the labels.
type Subject struct {
	Alert *alert.Alert
	Class severity.Classification
	At    time.Time
}

var _ mql.Subject = (*Subject)(nil)

// Alerts returns 1.
func (s *Subject) Alerts() int { return 1 }

// Label returns a label of the alert.
func (s *Subject) Label(_ int, name string) (string, bool) {
	v, ok := s.Alert.Labels[model.LabelName(name)]
	return string(v), ok
}

// Field supplies the alert's state, and its classification.
func (s *Subject) Field(_ int, f mql.Field) (mql.Value, bool) {
	switch f {
	case mql.FieldState:
		return mql.Value{Str: s.Alert.StateAt(s.At).String()}, true
	case mql.FieldSeverity:
		return mql.SeverityValue(int(s.Class.Level)), s.Class.Level.Valid()
	case mql.FieldServiceLevel:
		return mql.Value{Num: float64(s.Class.ServiceLevel)}, s.Class.From != ""
	}
	return mql.Value{}, false
}
