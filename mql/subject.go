package mql

import (
	"strconv"
	"time"

	"github.com/prometheus/common/model"

	"github.com/alertkit/alertkit/alert"
)

// Field is a built-in field of MQL.
type Field uint8

// The built-in fields. Trigger, project and state belong to each alert of a
// subject; the others to the subject as a whole (for an incident: its most
// severe level, its service level, status, assignee, team and age).
const (
	FieldTrigger      Field = iota + 1 // the alert's name: label trigger, else alertname
	FieldProject                       // label project, else namespace
	FieldState                         // the alert's state: none, pending, firing, resolved, unknown
	FieldSeverity                      // S1 (most severe) .. S9: label severity_level
	FieldServiceLevel                  // none < silver < gold < platinum: label service_level
	FieldStatus                        // an incident's status: open, acknowledged, snoozed, resolved, closed
	FieldAssignee                      // label assignee
	FieldTeam                          // label team
	FieldAge                           // an incident's age, as a duration (30m, 2h, 1d)
)

var fieldNames = [...]string{
	FieldTrigger:      "trigger",
	FieldProject:      "project",
	FieldState:        "state",
	FieldSeverity:     "severity",
	FieldServiceLevel: "service_level",
	FieldStatus:       "status",
	FieldAssignee:     "assignee",
	FieldTeam:         "team",
	FieldAge:          "age",
}

// String returns the field's name in MQL.
func (f Field) String() string {
	if int(f) < len(fieldNames) && fieldNames[f] != "" {
		return fieldNames[f]
	}
	return "Field(" + strconv.Itoa(int(f)) + ")"
}

// ParseField returns the field of a name, and false if the name is not a
// built-in field (MQL then reads it as a label).
func ParseField(name string) (Field, bool) {
	for f, n := range fieldNames {
		if n != "" && n == name {
			return Field(f), true
		}
	}
	return 0, false
}

// perAlert reports whether the field belongs to each alert of a subject
// rather than to the subject as a whole.
func (f Field) perAlert() bool {
	return f == FieldTrigger || f == FieldProject || f == FieldState
}

// defaultFieldLabels are the labels each field is read from when a subject
// does not supply the field itself; see Parser.FieldLabels.
var defaultFieldLabels = map[Field][]string{
	FieldTrigger:      {"trigger", "alertname"},
	FieldProject:      {"project", "namespace"},
	FieldSeverity:     {"severity_level"},
	FieldServiceLevel: {"service_level"},
	FieldAssignee:     {"assignee"},
	FieldTeam:         {"team"},
}

// Value is the value of a built-in field, as a Subject supplies it. Text
// fields (trigger, project, state, status, assignee, team) use Str. Ordered
// fields use Num: FieldSeverity the level 1..9, FieldServiceLevel 0 (none)
// to 3 (platinum), FieldAge seconds; see SeverityValue, ServiceLevelValue and
// AgeValue.
type Value struct {
	Str string
	Num float64
}

// SeverityValue is the Value of severity level S<level>.
func SeverityValue(level int) Value { return Value{Num: float64(level)} }

// AgeValue is the Value of an age.
func AgeValue(d time.Duration) Value { return Value{Num: d.Seconds()} }

// ServiceLevelValue is the Value of a service level by name (platinum, gold,
// silver, none; in any case), and false for another name.
func ServiceLevelValue(name string) (Value, bool) {
	rank, ok := serviceLevelRank(name)
	return Value{Num: rank}, ok
}

// Subject is what a query matches: one alert, a label set, or something that
// groups many alerts, such as an incident.
//
// A label predicate, and a predicate on trigger, project or state, holds
// when any alert of the subject satisfies it; a negative one (!=, !~,
// NOT IN) when no alert satisfies its positive form. The other fields belong
// to the subject as a whole.
//
// Matching calls Subject's methods many times and allocates nothing itself;
// implementations should not allocate either.
type Subject interface {
	// Alerts returns how many alerts the subject holds.
	Alerts() int
	// Label returns the value of label name on alert i, and whether it is set.
	Label(i int, name string) (string, bool)
	// Field returns field f of alert i, or of the whole subject when i is -1
	// (for the fields other than trigger, project and state). It returns
	// false for a field the subject does not supply; the field is then read
	// from the labels the Parser maps it to, on alert i, or on the only
	// alert of a single-alert subject.
	Field(i int, f Field) (Value, bool)
}

// Labels is a label set as a Subject with one alert and no fields of its
// own: every field comes from labels.
type Labels model.LabelSet

var _ Subject = Labels(nil)

// Alerts returns 1.
func (Labels) Alerts() int { return 1 }

// Label returns the label name.
func (ls Labels) Label(_ int, name string) (string, bool) {
	v, ok := ls[model.LabelName(name)]
	return string(v), ok
}

// Field returns false: a label set has only labels.
func (Labels) Field(int, Field) (Value, bool) { return Value{}, false }

// AlertAt is an alert as a Subject, seen at a time: its state is the state
// at At; every other field comes from its labels.
type AlertAt struct {
	Alert *alert.Alert
	At    time.Time
}

var _ Subject = AlertAt{}

// Alerts returns 1.
func (AlertAt) Alerts() int { return 1 }

// Label returns the alert's label name.
func (s AlertAt) Label(_ int, name string) (string, bool) {
	v, ok := s.Alert.Labels[model.LabelName(name)]
	return string(v), ok
}

// Field supplies the alert's state.
func (s AlertAt) Field(_ int, f Field) (Value, bool) {
	if f == FieldState {
		return Value{Str: s.Alert.StateAt(s.At).String()}, true
	}
	return Value{}, false
}

// Ref names what a comparison reads: a field ("trigger", "assignee"), or,
// with Label, the label of that name (~instance).
type Ref struct {
	Name  string
	Label bool
}

// Text returns the text that a comparison of ref reads from alert i of a
// subject, with this Parser's
// mapping of fields to labels; for a field of the whole subject (status,
// assignee, team) i does not matter. It returns false for a field that is
// not text (severity, service_level, age). Indexes of many queries use it to
// look up the ones whose equality can hold, rather than testing them all.
func (p *Parser) Text(s Subject, i int, ref Ref) (string, bool) {
	name := ref.Name
	if ref.Label {
		v, _ := s.Label(i, name)
		return v, true
	}
	f, ok := ParseField(name)
	if !ok {
		return "", false
	}
	switch f {
	case FieldSeverity, FieldServiceLevel, FieldAge:
		return "", false
	}
	if !f.perAlert() {
		if v, ok := s.Field(-1, f); ok {
			return v.Str, true
		}
		if s.Alerts() != 1 {
			return "", true
		}
		i = 0
	} else if v, ok := s.Field(i, f); ok {
		return v.Str, true
	}
	labels := defaultFieldLabels[f]
	if ls, ok := p.FieldLabels[f]; ok {
		labels = ls
	}
	for _, l := range labels {
		if v, ok := s.Label(i, l); ok && v != "" {
			return v, true
		}
	}
	return "", true
}

// PerAlert reports whether the field belongs to each alert of a subject
// (trigger, project, state) rather than to the subject as a whole.
func (f Field) PerAlert() bool { return f.perAlert() }
