package escalate_test

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alertkit/alertkit/escalate"
	"github.com/alertkit/alertkit/incident"
)

// TestRecurrencePagesAgain: an incident that fires again after it resolved
// is a new firing, paged from the first step after the pending hold, with
// keys of its own — however far its escalation had gone, even just after
// its last step.
func TestRecurrencePagesAgain(t *testing.T) {
	tests := []struct {
		name            string
		resolve, refire string
		want            []string
	}{{
		name:    "after the policy was exhausted",
		resolve: "Mon 10:40", refire: "Mon 10:42",
		want: []string{
			"Mon 10:44:00 db escalation bravo",
			"Mon 10:54:00 db escalation delta",
			"Mon 11:04:00 db escalation sre-lead, team:sre",
		},
	}, {
		name:    "two minutes after its last step",
		resolve: "Mon 10:23", refire: "Mon 10:24",
		want: []string{
			"Mon 10:26:00 db escalation bravo",
			"Mon 10:36:00 db escalation delta",
			"Mon 10:46:00 db escalation sre-lead, team:sre",
		},
	}, {
		name:    "after its first step",
		resolve: "Mon 10:05", refire: "Mon 10:06",
		want: []string{
			"Mon 10:08:00 db escalation bravo",
			"Mon 10:18:00 db escalation delta",
			"Mon 10:28:00 db escalation sre-lead, team:sre",
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t, weekTime(t, "Mon 10:00"), sreConfig)
			w.open("db", "severity_level=3", "service_level=platinum") // page 10m, hold 2m
			w.at(tt.resolve)
			w.resolve("db")
			first := len(w.pageLines())
			w.at(tt.refire)
			w.refire("db")
			require.Equal(t, incident.StatusOpen, w.get("db").Status, "the same incident reopened")
			w.at("Mon 12:00")
			assert.Equal(t, tt.want, w.pageLines()[first:])

			keys := map[string]bool{}
			for _, p := range w.pages.sent() {
				assert.False(t, keys[p.Key], "key %s used twice", p.Key)
				keys[p.Key] = true
			}
			assert.Contains(t, w.timeline(), weekTimeLine(t, tt.refire, "db escalated: fired again: the escalation starts again from step 1 of sre/page 10m, after the pending hold of 2m"))
			assert.Contains(t, w.pages.sent()[first].Reason, "it fired again")
		})
	}
}

func weekTimeLine(t *testing.T, when, rest string) string {
	return weekTime(t, when).In(berlin).Format("Mon 15:04:05") + " " + rest
}

// TestRestartOncePerReopening: Restart acts once for each reopening,
// however many times it is called and by whichever replica.
func TestRestartOncePerReopening(t *testing.T) {
	w := newWorld(t, weekTime(t, "Mon 10:00"), sreConfig)
	w.open("db", "severity_level=3", "service_level=platinum")
	w.at("Mon 10:05")
	w.resolve("db")
	w.at("Mon 10:06")
	w.refire("db")
	other := w.escalator("escalator-2")
	require.NoError(t, other.Restart(w.ctx, w.id("db")))
	require.NoError(t, w.e.Restart(w.ctx, w.id("db")))
	w.at("Mon 10:09")
	assert.Equal(t, []string{"Mon 10:02:00 db escalation bravo", "Mon 10:08:00 db escalation bravo"}, w.pageLines())
	restarts := 0
	for _, l := range w.timeline() {
		if strings.Contains(l, "fired again: the escalation starts again") {
			restarts++
		}
	}
	assert.Equal(t, 1, restarts)
}

// TestRecurrenceContinues: with ContinueWithin, a recurrence soon after the
// incident went quiet goes on from the step it had reached — the last one
// again if the policy was exhausted — and a later one starts again.
func TestRecurrenceContinues(t *testing.T) {
	tests := []struct {
		name            string
		resolve, refire string
		want            []string
	}{{
		name:    "within the window, mid-policy",
		resolve: "Mon 10:15", refire: "Mon 10:20",
		want: []string{"Mon 10:20:00 db escalation sre-lead, team:sre"},
	}, {
		name:    "within the window, exhausted",
		resolve: "Mon 10:35", refire: "Mon 10:40",
		want: []string{"Mon 10:40:00 db escalation sre-lead, team:sre"},
	}, {
		name:    "after the window",
		resolve: "Mon 10:35", refire: "Mon 11:00",
		want: []string{
			"Mon 11:02:00 db escalation bravo",
			"Mon 11:12:00 db escalation delta",
			"Mon 11:22:00 db escalation sre-lead, team:sre",
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t, weekTime(t, "Mon 10:00"), sreConfig)
			w.opts.ContinueWithin = 15 * time.Minute
			w.e = w.escalator("escalator-1")
			w.open("db", "severity_level=3", "service_level=platinum")
			w.at(tt.resolve)
			w.resolve("db")
			first := len(w.pageLines())
			w.at(tt.refire)
			w.refire("db")
			w.at("Mon 12:00")
			assert.Equal(t, tt.want, w.pageLines()[first:])
		})
	}
}

// TestFlappingRecurrenceIsHeld: an incident whose alert flaps pages at most
// once per flap hold; what is recorded still follows the alert, and a
// firing that outlasts the hold pages.
func TestFlappingRecurrenceIsHeld(t *testing.T) {
	w := newWorld(t, weekTime(t, "Mon 10:00"), sreConfig)
	w.open("web", "severity_level=3", "service_level=platinum")
	w.at("Mon 10:03") // paged bravo at 10:02
	reopened := 0
	// Resolved and fired again every minute: flapping from the fourth
	// change on, each new firing resolving within its pending hold.
	for _, at := range []string{"Mon 10:04", "Mon 10:05", "Mon 10:06", "Mon 10:07", "Mon 10:08", "Mon 10:09"} {
		w.at(at)
		if w.get("web").Status == incident.StatusOpen {
			w.resolve("web")
		} else {
			w.refire("web")
			reopened++
		}
	}
	inc := w.get("web")
	require.Equal(t, incident.StatusOpen, inc.Status, "the incident shows the alert firing")
	require.Positive(t, inc.Flapping, "and flapping")
	require.Equal(t, reopened, inc.Reopened)
	w.at("Mon 10:31")
	assert.Equal(t, []string{"Mon 10:02:00 web escalation bravo"}, w.pageLines(), "no page while the flap hold runs")
	w.at("Mon 10:33")
	lines := w.pageLines()
	require.Len(t, lines, 2, "the hold over, the firing incident pages")
	assert.Equal(t, "Mon 10:32:00 web escalation bravo", lines[1])
	assert.Contains(t, w.pages.sent()[1].Reason, "flapping")
}

// TestUnknownPolicyIsReportedOnce: a stored escalation whose policy the
// configuration lost waits and says so once, in the history and the log —
// not an error every minute — and goes on once the policy is back.
func TestUnknownPolicyIsReportedOnce(t *testing.T) {
	w := newWorld(t, weekTime(t, "Mon 10:00"), sreConfig)
	w.open("db", "severity_level=3", "service_level=platinum")
	w.at("Mon 10:05") // bravo paged at 10:02

	var logs bytes.Buffer
	w.opts.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	lost := *w.cfg
	lost.Ladders = nil
	restarted := escalate.New(w.m, w.pages, &escalate.Options{Now: w.clock.Now, Owner: "escalator-2", Logger: w.opts.Logger})
	require.NoError(t, restarted.Load(&lost))
	w.e = restarted
	w.at("Mon 11:00")
	assert.Len(t, w.pageLines(), 1)
	paused := 0
	for _, l := range w.timeline() {
		if strings.Contains(l, "escalation paused") {
			paused++
			assert.Contains(t, l, `no ladder "sre"`)
		}
	}
	assert.Equal(t, 1, paused, "said once in the history")
	assert.Equal(t, 1, strings.Count(logs.String(), "level=ERROR"), "said once in the log: %s", logs.String())

	w.e = w.escalator("escalator-3") // the configuration has it again
	w.at("Mon 11:10")
	require.Len(t, w.pageLines(), 2)
	assert.Contains(t, w.pageLines()[1], "db escalation delta")
}

// TestRetrospectiveStaysRecorded: a recorded-only incident that fires again
// notifies nobody.
func TestRetrospectiveStaysRecorded(t *testing.T) {
	w := newWorld(t, weekTime(t, "Mon 10:00"), sreConfig)
	w.open("noise", "severity_level=9", "service_level=silver")
	w.at("Mon 10:05")
	w.resolve("noise")
	w.at("Mon 10:06")
	w.refire("noise")
	w.at("Mon 12:00")
	assert.Empty(t, w.pageLines())
}

// TestMoreUrgentAlertEscalatesABatchedIncident: an incident batched for
// its first alert pages when an alert that calls for a page joins it.
func TestMoreUrgentAlertEscalatesABatchedIncident(t *testing.T) {
	w := newWorld(t, weekTime(t, "Mon 10:00"), sreConfig)
	w.open("web", "severity_level=6", "service_level=gold") // batch
	w.at("Mon 10:05")
	w.observe(alertOf(w, "web", "instance=b", "severity_level=2"))
	c, err := w.sev.Classify(alertOf(w, "web", "instance=b", "severity_level=2").Labels)
	require.NoError(t, err)
	plan, err := w.e.PlanFor(c, "sre")
	require.NoError(t, err)
	require.NoError(t, w.e.Engage(w.ctx, w.id("web"), plan))
	require.NoError(t, w.e.Engage(w.ctx, w.id("web"), plan), "engaging again does nothing")
	w.at("Mon 10:20")
	assert.Equal(t, []string{"Mon 10:07:00 web escalation bravo", "Mon 10:17:00 web escalation delta"}, w.pageLines())
	assert.Contains(t, w.timeline(), "Mon 10:05:00 web escalated: a more urgent alert joined: now a page response (was batch)")
	assert.Equal(t, "page", w.get("web").Escalation.Mode)
}
