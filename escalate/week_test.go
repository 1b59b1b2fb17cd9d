package escalate_test

import (
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alertkit/alertkit/incident"
)

// weekConfig is sreConfig with foxtrot covering L1 on Wednesday morning.
var weekConfig = strings.Replace(sreConfig, "ladders:", `    overrides:
      - {layer: L1, person: foxtrot, from: 2026-11-25T10:00:00+01:00, to: 2026-11-25T12:00:00+01:00}
ladders:`, 1)

// weekScript is what happens in the week: incidents at every severity and
// service level (named "s<level>.<service level>"), and what people do.
var weekScript = []struct{ at, do, incident, who string }{
	// Pages.
	{"Mon 03:00", "open", "s1.platinum", ""},
	{"Mon 03:00:40", "ack", "s1.platinum", "alfa"},
	{"Mon 08:00:30", "accept", "s1.platinum", "bravo"},
	{"Mon 09:00", "resolve", "s1.platinum", ""},

	{"Tue 14:00", "open", "s2.platinum", ""},
	{"Tue 14:20", "ack", "s2.platinum", "sre-lead"},
	{"Tue 17:00", "resolve", "s2.platinum", ""},

	{"Mon 15:50", "open", "s3.platinum", ""},
	{"Mon 16:03", "accept", "s3.platinum", "charlie"},
	{"Mon 16:05", "ack", "s3.platinum", "delta"},
	{"Mon 16:30", "resolve", "s3.platinum", ""},

	{"Wed 23:50", "open", "s4.platinum", ""},
	{"Thu 00:40", "ack", "s4.platinum", "bravo"},
	{"Thu 01:30", "resolve", "s4.platinum", ""},

	{"Sat 12:00", "open", "s1.gold", ""},
	{"Sat 12:08", "ack", "s1.gold", "alfa"},
	{"Sat 12:30", "resolve", "s1.gold", ""},

	{"Thu 10:00", "open", "s2.gold", ""},
	{"Thu 10:01", "resolve", "s2.gold", ""},

	{"Fri 17:40", "open", "s3.gold", ""},
	{"Fri 17:50", "snooze", "s3.gold", "charlie"},
	{"Sat 00:10", "accept", "s3.gold", "dmitri"},
	{"Sat 02:00", "resolve", "s3.gold", ""},

	{"Sun 20:00", "open", "s1.silver", ""},
	{"Sun 20:05", "ack", "s1.silver", "alfa"},
	{"Sun 20:30", "resolve", "s1.silver", ""},

	{"Wed 10:30", "open", "s2.silver", ""},
	{"Wed 10:40", "ack", "s2.silver", "foxtrot"},
	{"Wed 12:10", "accept", "s2.silver", "dmitri"},
	{"Wed 13:00", "resolve", "s2.silver", ""},

	// Batches.
	{"Mon 09:00", "open", "s5.platinum", ""},
	{"Mon 11:00", "open", "s6.platinum", ""},
	{"Mon 13:00", "open", "s7.platinum", ""},
	{"Tue 09:00", "open", "s4.gold", ""},
	{"Tue 11:00", "open", "s5.gold", ""},
	{"Tue 19:00", "open", "s6.gold", ""},
	{"Wed 09:00", "open", "s3.silver", ""},
	{"Thu 15:00", "open", "s4.silver", ""},
	{"Fri 09:00", "open", "s5.silver", ""},
	{"Fri 11:00", "open", "s1.none", ""},
	{"Sat 09:00", "open", "s2.none", ""},
	{"Sun 03:00", "open", "s3.none", ""},
	{"Sun 11:00", "open", "s4.none", ""},
	{"Sun 11:10", "resolve", "s4.none", ""},

	// Retrospectives.
	{"Mon 12:00", "open", "s8.platinum", ""},
	{"Mon 12:30", "open", "s9.platinum", ""},
	{"Tue 10:00", "open", "s7.gold", ""},
	{"Tue 10:30", "open", "s8.gold", ""},
	{"Tue 11:30", "open", "s9.gold", ""},
	{"Wed 14:00", "open", "s6.silver", ""},
	{"Wed 14:30", "open", "s7.silver", ""},
	{"Thu 09:00", "open", "s8.silver", ""},
	{"Thu 09:30", "open", "s9.silver", ""},
	{"Fri 13:00", "open", "s5.none", ""},
	{"Fri 13:30", "open", "s6.none", ""},
	{"Sat 14:00", "open", "s7.none", ""},
	{"Sun 14:00", "open", "s8.none", ""},
	{"Sun 15:00", "open", "s9.none", ""},
}

// A simulated week of an SRE team's on-call structure — L1 around the clock
// in 8-hour shifts, L2 on weekdays, then the team — with an incident at
// every severity and service level: who is paged, when, and what is handed
// over at each shift change, against testdata/week.txt, written by hand.
func TestWeek(t *testing.T) {
	w := newWorld(t, monday, weekConfig)
	script := slices.Clone(weekScript)
	slices.SortStableFunc(script, func(a, b struct{ at, do, incident, who string }) int {
		return weekTime(t, a.at).Compare(weekTime(t, b.at))
	})
	levels := map[string]bool{}
	for _, s := range script {
		w.at(s.at)
		switch s.do {
		case "open":
			level, service, _ := strings.Cut(s.incident, ".")
			w.open(s.incident, "severity_level="+strings.TrimPrefix(level, "s"), "service_level="+service)
			levels[s.incident] = true
		case "ack":
			w.ack(s.incident, s.who)
		case "accept":
			w.accept(s.incident, s.who)
		case "resolve":
			w.resolve(s.incident)
		case "snooze":
			_, err := w.m.Snooze(w.ctx, w.id(s.incident), s.who, incident.SnoozeOptions{For: time.Hour})
			require.NoError(t, err)
		default:
			t.Fatalf("unknown action %q", s.do)
		}
	}
	w.until(monday.AddDate(0, 0, 7))
	require.Len(t, levels, 36, "every severity at every service level")

	data, err := os.ReadFile("testdata/week.txt")
	require.NoError(t, err)
	var want []string
	for line := range strings.Lines(string(data)) {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			want = append(want, line)
		}
	}
	assert.Equal(t, want, w.timeline())

	// Every page is in the timeline: 15 pages to people and teams (one of
	// them a baton), and 12 incidents for the digest.
	kinds := map[string]int{}
	for _, p := range w.pages.sent() {
		kinds[p.Kind.String()]++
	}
	assert.Equal(t, map[string]int{"escalation": 14, "baton": 1, "digest": 12}, kinds)
}
