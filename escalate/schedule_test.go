package escalate_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/alertmanager/timeinterval"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/alertkit/alertkit/escalate"
)

var berlin = mustLocation("Europe/Berlin")

func mustLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// at is a time in Berlin.
func at(day, hour, minute int) time.Time { return time.Date(2026, 11, day, hour, minute, 0, 0, berlin) }

func weekdays(t *testing.T) []timeinterval.TimeInterval {
	t.Helper()
	var ti []timeinterval.TimeInterval
	require.NoError(t, yaml.Unmarshal([]byte(`[{weekdays: ["monday:friday"], times: [{start_time: "09:00", end_time: "18:00"}], location: Europe/Berlin}]`), &ti))
	return ti
}

// sreSchedule is an SRE team's structure: L1 around the clock in 8-hour
// shifts, L2 on weekdays in weekly turns, from Monday 23 November 2026.
func sreSchedule(t *testing.T) *escalate.Schedule {
	t.Helper()
	s := &escalate.Schedule{Name: "sre", Location: berlin, Layers: []*escalate.Layer{
		{Name: "L1", Members: []string{"alfa", "bravo", "charlie"}, Handoff: "0 0,8,16 * * *", Start: at(23, 0, 0)},
		{Name: "L2", Members: []string{"delta", "echo"}, Handoff: "0 9 * * MON", Start: at(23, 9, 0), Active: weekdays(t)},
	}}
	require.NoError(t, s.Compile())
	return s
}

func TestOnCall(t *testing.T) {
	s := sreSchedule(t)
	tests := []struct {
		layer string
		at    time.Time
		want  string
	}{
		{"L1", at(22, 23, 59), ""}, // before the rotation
		{"L1", at(23, 0, 0), "alfa"},
		{"L1", at(23, 7, 59), "alfa"},
		{"L1", at(23, 8, 0), "bravo"},
		{"L1", at(23, 16, 0), "charlie"},
		{"L1", at(24, 0, 0), "alfa"},
		{"L1", at(29, 23, 0), "charlie"}, // Sunday night: 20 shifts later
		{"L2", at(23, 8, 59), ""},
		{"L2", at(23, 9, 0), "delta"},
		{"L2", at(23, 18, 0), ""}, // after hours
		{"L2", at(27, 17, 59), "delta"},
		{"L2", at(28, 12, 0), ""}, // Saturday
		{"L2", at(30, 9, 0), "echo"},
		{"L3", at(23, 12, 0), ""},
	}
	for _, tt := range tests {
		got, ok := s.OnCallAt(tt.layer, tt.at)
		assert.Equal(t, tt.want, got, "%s at %s", tt.layer, tt.at)
		assert.Equal(t, tt.want != "", ok)
	}
}

func TestOverride(t *testing.T) {
	s := sreSchedule(t)
	s.Overrides = []escalate.Override{{Layer: "L1", Person: "foxtrot", From: at(24, 10, 0), To: at(24, 12, 0), Note: "bravo at the dentist"}}
	require.NoError(t, s.Compile())
	who := func(h, m int) string { p, _ := s.OnCallAt("L1", at(24, h, m)); return p }
	assert.Equal(t, "bravo", who(9, 59))
	assert.Equal(t, "foxtrot", who(10, 0))
	assert.Equal(t, "foxtrot", who(11, 59))
	assert.Equal(t, "bravo", who(12, 0))
	var got []string
	for _, h := range s.Handoffs("L1", at(24, 0, 0), at(24, 23, 59)) {
		got = append(got, fmt.Sprintf("%s %s→%s", h.At.Format("15:04"), h.From, h.To))
	}
	assert.Equal(t, []string{"08:00 alfa→bravo", "10:00 bravo→foxtrot", "12:00 foxtrot→bravo", "16:00 bravo→charlie"}, got)
}

// TestDaylightSaving checks the rotations across both changes of 2026 in
// Berlin: 8-hour shifts are 7 or 9 hours long that night, and a daily
// hand-off at a wall time the change skips or repeats happens once.
func TestDaylightSaving(t *testing.T) {
	hand := func(s *escalate.Schedule, from, to time.Time) string {
		var out []string
		for _, h := range s.Handoffs("L1", from, to) {
			out = append(out, fmt.Sprintf("%s %s→%s", h.At.Format("01-02 15:04 MST"), h.From, h.To))
		}
		return strings.Join(out, ", ")
	}
	shifts := &escalate.Schedule{Name: "sre", Location: berlin, Layers: []*escalate.Layer{
		{Name: "L1", Members: []string{"alfa", "bravo", "charlie"}, Handoff: "0 0,8,16 * * *", Start: time.Date(2026, 3, 28, 0, 0, 0, 0, berlin)},
	}}
	require.NoError(t, shifts.Compile())
	assert.Equal(t, "03-29 00:00 CET charlie→alfa, 03-29 08:00 CEST alfa→bravo, 03-29 16:00 CEST bravo→charlie",
		hand(shifts, time.Date(2026, 3, 28, 20, 0, 0, 0, berlin), time.Date(2026, 3, 29, 20, 0, 0, 0, berlin)))
	first := shifts.Handoffs("L1", time.Date(2026, 3, 28, 20, 0, 0, 0, berlin), time.Date(2026, 3, 29, 20, 0, 0, 0, berlin))
	assert.Equal(t, 7*time.Hour, first[1].At.Sub(first[0].At), "the night of the spring change is an hour short")

	daily := &escalate.Schedule{Name: "ops", Location: berlin, Layers: []*escalate.Layer{
		{Name: "L1", Members: []string{"alfa", "bravo"}, Handoff: "30 2 * * *", Start: time.Date(2026, 3, 27, 0, 0, 0, 0, berlin)},
	}}
	require.NoError(t, daily.Compile())
	assert.Equal(t, "03-28 02:30 CET bravo→alfa, 03-29 03:30 CEST alfa→bravo, 03-30 02:30 CEST bravo→alfa",
		hand(daily, time.Date(2026, 3, 27, 12, 0, 0, 0, berlin), time.Date(2026, 3, 30, 12, 0, 0, 0, berlin)),
		"02:30 does not exist on 29 March: the hand-off happens when the clock has jumped")
	autumn := &escalate.Schedule{Name: "ops", Location: berlin, Layers: []*escalate.Layer{
		{Name: "L1", Members: []string{"alfa", "bravo"}, Handoff: "30 2 * * *", Start: time.Date(2026, 10, 23, 0, 0, 0, 0, berlin)},
	}}
	require.NoError(t, autumn.Compile())
	assert.Equal(t, "10-24 02:30 CEST bravo→alfa, 10-25 02:30 CET alfa→bravo, 10-26 02:30 CET bravo→alfa",
		hand(autumn, time.Date(2026, 10, 23, 12, 0, 0, 0, berlin), time.Date(2026, 10, 26, 12, 0, 0, 0, berlin)),
		"02:30 happens twice on 25 October: one hand-off")
	who, _ := autumn.OnCallAt("L1", time.Date(2026, 10, 25, 2, 45, 0, 0, mustLocation("Etc/GMT-2")))
	assert.Equal(t, "alfa", who, "during the first 02:30–03:00, before the hand-off")
}

func TestScheduleErrors(t *testing.T) {
	ok := func() *escalate.Layer {
		return &escalate.Layer{Name: "L1", Members: []string{"a"}, Handoff: "0 9 * * *", Start: at(23, 0, 0)}
	}
	tests := []struct {
		s    escalate.Schedule
		want string
	}{
		{escalate.Schedule{}, "schedule: missing name"},
		{escalate.Schedule{Name: "s", Layers: []*escalate.Layer{{Members: []string{"a"}}}}, "schedule s: layer 0: missing name"},
		{escalate.Schedule{Name: "s", Layers: []*escalate.Layer{ok(), ok()}}, `schedule s: layer 1: name "L1" used twice`},
		{escalate.Schedule{Name: "s", Layers: []*escalate.Layer{{Name: "L1", Handoff: "0 9 * * *", Start: at(23, 0, 0)}}}, "schedule s: layer L1: no members"},
		{escalate.Schedule{Name: "s", Layers: []*escalate.Layer{{Name: "L1", Members: []string{"a"}, Handoff: "0 25 * * *", Start: at(23, 0, 0)}}},
			`schedule s: layer L1: hand-off "0 25 * * *": end of range (25) above maximum (23): 25`},
		{escalate.Schedule{Name: "s", Layers: []*escalate.Layer{ok()}, Overrides: []escalate.Override{{Layer: "L9", Person: "x", From: at(23, 0, 0), To: at(24, 0, 0)}}},
			`schedule s: override 0: no layer "L9"`},
		{escalate.Schedule{Name: "s", Layers: []*escalate.Layer{ok()}, Overrides: []escalate.Override{{Layer: "L1", Person: "x", From: at(23, 0, 0), To: at(23, 0, 0)}}},
			"schedule s: override 0: ends at 2026-11-23T00:00:00+01:00, not after it starts"},
	}
	for _, tt := range tests {
		assert.EqualError(t, tt.s.Compile(), tt.want)
	}
}

func TestParseConfig(t *testing.T) {
	cfg, err := escalate.ParseConfig([]byte(`
schedules:
  - name: sre
    time_zone: Europe/Berlin
    layers:
      - {name: L1, members: [alfa, bravo, charlie], handoff: "0 0,8,16 * * *", start: 2026-11-23T00:00:00+01:00}
      - name: L2
        members: [delta, echo]
        handoff: "0 9 * * MON"
        start: 2026-11-23T09:00:00+01:00
        active: [{weekdays: ["monday:friday"], times: [{start_time: "09:00", end_time: "18:00"}], location: Europe/Berlin}]
    overrides:
      - {layer: L1, person: foxtrot, from: 2026-11-24T10:00:00+01:00, to: 2026-11-24T12:00:00+01:00}
policies:
  - name: db-oncall
    steps:
      - {notify: [oncall:db/L1], wait: 10m}
      - {notify: [oncall:db/L2, "@db-lead"], wait: 10m}
    repeat: 1
ladders:
  sre: [[oncall:sre/L1], [oncall:sre/L2], [team:sre, "@sre-lead"]]
`), "oncall.yaml")
	require.NoError(t, err)
	require.Len(t, cfg.Schedules, 1)
	who, _ := cfg.Schedules[0].OnCallAt("L1", at(24, 11, 0))
	assert.Equal(t, "foxtrot", who)
	who, _ = cfg.Schedules[0].OnCallAt("L2", at(28, 12, 0))
	assert.Equal(t, "", who, "Saturday")
	assert.Equal(t, 10*time.Minute, cfg.Policies[0].Steps[1].Wait)
	assert.Len(t, cfg.Ladders["sre"], 3)

	for yamlText, want := range map[string]string{
		"schedules: [{name: s, time_zone: Mars/Olympus}]":                    "oncall.yaml: schedules[0] s: time_zone: unknown time zone Mars/Olympus",
		"policies: [{name: p, steps: [{notify: [bob], wait: 1m}]}]":          `oncall.yaml: policies[0] p: step 1: unknown target "bob" (want @user, team:name, receiver:name, policy:name or oncall:schedule/layer)`,
		"policies: [{name: p, steps: [{notify: ['@a']}, {notify: ['@b']}]}]": "oncall.yaml: policy p: step 1: no wait before the next step",
		"policies: [{name: p, steps: [{notify: ['policy:x'], wait: 1m}]}]":   "oncall.yaml: policy p: step 1: a policy (policy:x) cannot be a step's target",
		"policies: [{name: p, steps: [{notify: ['@a'], wait: soon}]}]":       `oncall.yaml: policies[0] p: step 1: wait: not a valid duration string: "soon"`,
		"schedule: []":            "oncall.yaml: yaml: unmarshal errors:\n  line 1: field schedule not found in type escalate.configFile",
		"ladders: {sre: [[bob]]}": `oncall.yaml: ladders.sre[0]: unknown target "bob" (want @user, team:name, receiver:name, policy:name or oncall:schedule/layer)`,
		"schedules: [{name: s, layers: [{name: L1, members: [a], handoff: x, start: 2026-11-23T00:00:00Z}]}]": `oncall.yaml: schedule s: layer L1: hand-off "x": expected exactly 5 fields, found 1: [x]`,
	} {
		_, err := escalate.ParseConfig([]byte(yamlText), "oncall.yaml")
		assert.EqualError(t, err, want, yamlText)
	}
}

func TestHandoffsTooClose(t *testing.T) {
	s := &escalate.Schedule{Name: "sre", Location: berlin, Layers: []*escalate.Layer{
		{Name: "L1", Members: []string{"alfa"}, Handoff: "0,30 9 * * *", Start: at(23, 0, 0)},
	}}
	assert.EqualError(t, s.Compile(), `schedule sre: layer L1: hand-off "0,30 9 * * *": hand-offs at 2026-11-23 09:00:00 and 2026-11-23 09:30:00 are less than 1h0m0s apart`)
}
