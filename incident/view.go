package incident

import (
	"slices"
	"strings"
	"time"

	"github.com/prometheus/common/model"

	"github.com/alertkit/alertkit/mql"
)

// View is an incident with its members, seen at a time: what people look
// at, and an MQL subject. A label predicate holds when any member satisfies
// it; status, assignee (the owner), team, severity and age are the
// incident's own.
type View struct {
	*Incident
	Members []Member
	At      time.Time
}

var _ mql.Subject = View{}

// Alerts returns the number of members.
func (v View) Alerts() int { return len(v.Members) }

// Label returns a label of member i: one a triage rule added, else one its
// source sent.
func (v View) Label(i int, name string) (string, bool) {
	return v.Members[i].Label(name)
}

// Field returns the incident's own fields, and the state of member i.
func (v View) Field(i int, f mql.Field) (mql.Value, bool) {
	switch f {
	case mql.FieldState:
		if i >= 0 {
			return mql.Value{Str: v.Members[i].State.String()}, true
		}
	case mql.FieldStatus:
		return mql.Value{Str: v.Status.String()}, true
	case mql.FieldAssignee:
		return mql.Value{Str: v.Owner}, true
	case mql.FieldTeam:
		return mql.Value{Str: v.Team}, v.Team != ""
	case mql.FieldSeverity:
		return mql.SeverityValue(v.Severity), v.Severity > 0
	case mql.FieldServiceLevel:
		if i >= 0 && i < len(v.Members) && v.Members[i].ServiceLevel != "" {
			sl, ok := mql.ServiceLevelValue(v.Members[i].ServiceLevel)
			return sl, ok
		}
		sl, ok := mql.ServiceLevelValue(v.ServiceLevel)
		return sl, ok && v.ServiceLevel != ""
	case mql.FieldAge:
		return mql.AgeValue(v.At.Sub(v.CreatedAt)), true
	}
	return mql.Value{}, false
}

// LabelValues is a label and the values it has across an incident's
// alerts.
type LabelValues struct {
	Name   string   `json:"name"`
	Values []string `json:"values"`
}

// Summary is an incident's labels at a glance: for each label, the sorted
// set of values across its alerts. The alerts' triggers come first, as
// "trigger"; alertname is folded into it.
type Summary []LabelValues

// Summarize returns the label summary of members.
func Summarize(members []Member) Summary {
	values := map[string]map[string]bool{}
	add := func(name, value string) {
		if values[name] == nil {
			values[name] = map[string]bool{}
		}
		values[name][value] = true
	}
	for i := range members {
		m := &members[i]
		add("trigger", m.Trigger())
		for name, value := range m.AllLabels() {
			if name == model.AlertNameLabel || name == "trigger" {
				continue
			}
			add(string(name), string(value))
		}
	}
	var s Summary
	for name, set := range values {
		lv := LabelValues{Name: name}
		for v := range set {
			lv.Values = append(lv.Values, v)
		}
		slices.Sort(lv.Values)
		s = append(s, lv)
	}
	slices.SortFunc(s, func(a, b LabelValues) int {
		switch {
		case a.Name == b.Name:
			return 0
		case a.Name == "trigger":
			return -1
		case b.Name == "trigger":
			return 1
		}
		return strings.Compare(a.Name, b.Name)
	})
	return s
}

// String writes a line per label: "trigger = IngressErrors5xx,
// NodePressureConditions".
func (s Summary) String() string {
	var b strings.Builder
	for i, lv := range s {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(lv.Name + " = " + strings.Join(lv.Values, ", "))
	}
	return b.String()
}
