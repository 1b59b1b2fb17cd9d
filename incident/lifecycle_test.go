package incident_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alertkit/alertkit/alert"
	"github.com/alertkit/alertkit/incident"
)

var noon = time.Date(2026, 10, 26, 12, 0, 0, 0, time.UTC)

// opened returns a harness with one open incident of one firing alert.
func opened(t *testing.T) (*harness, *incident.Incident, model.LabelSet) {
	t.Helper()
	h := newHarness(t, noon, nil)
	a := labels("alertname", "IngressResponses5xx", "namespace", "horns-and-hooves", "vhost", "static.example.com", "severity_level", "3")
	h.fire(a)
	return h, h.only(), a
}

func TestTransitions(t *testing.T) {
	type op func(h *harness, id incident.ID) error
	var (
		ack     op = func(h *harness, id incident.ID) error { _, err := h.m.Acknowledge(h.ctx, id, "l1", ""); return err }
		unack   op = func(h *harness, id incident.ID) error { _, err := h.m.Unacknowledge(h.ctx, id, "l1", ""); return err }
		resolve op = func(h *harness, id incident.ID) error {
			_, err := h.m.Resolve(h.ctx, id, "l1", incident.ResolveOptions{Force: true})
			return err
		}
		closeIt op = func(h *harness, id incident.ID) error { _, err := h.m.Close(h.ctx, id, "l1", ""); return err }
		reopen  op = func(h *harness, id incident.ID) error { _, err := h.m.Reopen(h.ctx, id, "l1", ""); return err }
		snooze  op = func(h *harness, id incident.ID) error {
			_, err := h.m.Snooze(h.ctx, id, "l1", incident.SnoozeOptions{For: time.Hour})
			return err
		}
		wake op = func(h *harness, id incident.ID) error { _, err := h.m.Wake(h.ctx, id, "l1"); return err }
	)
	tests := []struct {
		name    string
		steps   []op
		want    incident.Status
		wantErr string
	}{
		{name: "ack", steps: []op{ack}, want: incident.StatusAcknowledged},
		{name: "ack twice", steps: []op{ack, ack}, wantErr: "cannot acknowledge: acknowledged → acknowledged is not allowed"},
		{name: "unack", steps: []op{ack, unack}, want: incident.StatusOpen},
		{name: "unack open", steps: []op{unack}, wantErr: "cannot unacknowledge: open → open is not allowed"},
		{name: "ack snoozed", steps: []op{snooze, ack}, want: incident.StatusAcknowledged},
		{name: "resolve", steps: []op{resolve}, want: incident.StatusResolved},
		{name: "ack resolved", steps: []op{resolve, ack}, wantErr: "cannot acknowledge: resolved → acknowledged is not allowed"},
		{name: "close resolved", steps: []op{resolve, closeIt}, want: incident.StatusClosed},
		{name: "close open", steps: []op{closeIt}, wantErr: "cannot close: open → closed is not allowed"},
		{name: "resolve closed", steps: []op{resolve, closeIt, resolve}, wantErr: "cannot resolve: closed → resolved is not allowed"},
		{name: "reopen resolved", steps: []op{resolve, reopen}, want: incident.StatusOpen},
		{name: "reopen closed", steps: []op{resolve, closeIt, reopen}, want: incident.StatusOpen},
		{name: "reopen open", steps: []op{reopen}, wantErr: "cannot reopen: open → open is not allowed"},
		{name: "snooze resolved", steps: []op{resolve, snooze}, wantErr: "cannot snooze: resolved → snoozed is not allowed"},
		{name: "wake", steps: []op{snooze, wake}, want: incident.StatusOpen},
		{name: "wake open", steps: []op{wake}, wantErr: "cannot wake: open → open is not allowed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, inc, _ := opened(t)
			var err error
			for _, step := range tt.steps {
				if err = step(h, inc.ID); err != nil {
					break
				}
			}
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.ErrorIs(t, err, incident.ErrTransition)
				var te *incident.TransitionError
				require.ErrorAs(t, err, &te)
				assert.Equal(t, fmt.Sprintf("incident %s: %s", inc.ID, tt.wantErr), err.Error())
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, h.get(inc.ID).Status)
		})
	}
}

func TestResolveRefusedWhileAlertsFire(t *testing.T) {
	h, inc, a := opened(t)
	_, err := h.m.Resolve(h.ctx, inc.ID, "l1", incident.ResolveOptions{Note: "done?"})
	require.ErrorIs(t, err, incident.ErrAlertsActive)
	assert.Equal(t, fmt.Sprintf("incident: alerts are still active: incident %s has 1 active alerts; resolve with force to override", inc.ID), err.Error())
	forced, err := h.m.Resolve(h.ctx, inc.ID, "l1", incident.ResolveOptions{Note: "known issue, tracked in JIRA-1", Force: true})
	require.NoError(t, err)
	assert.Equal(t, incident.StatusResolved, forced.Status)
	assert.Equal(t, noon, forced.ResolvedAt)
	h.clock.Advance(time.Hour) // beyond the reopen window
	h.resolve(a)
	assert.Equal(t, incident.StatusResolved, h.get(inc.ID).Status, "an alert resolving later changes nothing")
	member, _ := h.store.Member(h.ctx, inc.ID, alert.Fingerprint(a))
	assert.Equal(t, alert.StateResolved, member.State, "but the member's state is kept true")
}

func TestAssignCommentAndHistory(t *testing.T) {
	h, inc, a := opened(t)
	_, err := h.m.Assign(h.ctx, inc.ID, "l1", "vasiliy.vasiliyev")
	require.NoError(t, err)
	h.clock.Advance(time.Minute)
	require.NoError(t, h.m.Comment(h.ctx, inc.ID, "vasiliy.vasiliyev", "restarting the ingress controller"))
	assert.ErrorIs(t, h.m.Comment(h.ctx, inc.ID, "vasiliy.vasiliyev", "  "), incident.ErrInvalid)
	_, err = h.m.Assign(h.ctx, inc.ID, "l1", "")
	assert.ErrorIs(t, err, incident.ErrInvalid)
	require.NoError(t, h.m.Record(h.ctx, inc.ID, incident.Event{Kind: incident.EventNotified, Note: "slack #ops"}))

	assert.Equal(t, "vasiliy.vasiliyev", h.get(inc.ID).Owner)
	events, err := h.store.History(h.ctx, inc.ID)
	require.NoError(t, err)
	var lines []string
	for _, e := range events {
		lines = append(lines, e.String())
	}
	assert.Equal(t, []string{
		`12:00:00 alertkit opened: {alertname="IngressResponses5xx", namespace="horns-and-hooves"}`,
		fmt.Sprintf(`12:00:00 alertkit alert_joined %s: IngressResponses5xx`, alert.Fingerprint(a)),
		`12:00:00 l1 assigned → vasiliy.vasiliyev`,
		`12:01:00 vasiliy.vasiliyev commented: restarting the ingress controller`,
		`12:01:00 alertkit notified: slack #ops`,
	}, lines)
}

func TestHandover(t *testing.T) {
	h, inc, _ := opened(t)
	_, err := h.m.Assign(h.ctx, inc.ID, "l1", "alfa")
	require.NoError(t, err)
	_, err = h.m.Handover(h.ctx, inc.ID, "bravo", incident.HandoverOptions{To: "charlie"})
	assert.ErrorIs(t, err, incident.ErrNotOwner)

	got, err := h.m.Handover(h.ctx, inc.ID, "alfa", incident.HandoverOptions{To: "bravo", Note: "rabbit is slow on kube-3; restarted twice"})
	require.NoError(t, err)
	assert.Equal(t, "bravo", got.Owner, "the baton is with bravo at once")
	require.NotNil(t, got.Handover, "but not accepted yet")
	assert.Equal(t, "alfa", got.Handover.From)

	_, err = h.m.AcceptHandover(h.ctx, inc.ID, "charlie")
	assert.ErrorIs(t, err, incident.ErrNoHandover)
	h.clock.Advance(3 * time.Minute)
	got, err = h.m.AcceptHandover(h.ctx, inc.ID, "bravo")
	require.NoError(t, err)
	assert.Nil(t, got.Handover)
	_, err = h.m.AcceptHandover(h.ctx, inc.ID, "bravo")
	assert.ErrorIs(t, err, incident.ErrNoHandover, "accepted already")

	kinds := h.kinds(inc.ID)
	assert.Equal(t, 1, kinds[incident.EventHandedOver])
	assert.Equal(t, 1, kinds[incident.EventHandoverAccepted])
	_, err = h.m.Handover(h.ctx, inc.ID, "bravo", incident.HandoverOptions{To: "bravo"})
	assert.ErrorIs(t, err, incident.ErrInvalid)
}

// TestSnoozeDialog exercises every option of a snooze dialog: 30
// minutes, 1, 3 and 6 hours, until a date, forever, "resolve if OK", and a
// comment.
func TestSnoozeDialog(t *testing.T) {
	for _, d := range incident.SnoozePresets() {
		t.Run(d.String(), func(t *testing.T) {
			h, inc, _ := opened(t)
			got, err := h.m.Snooze(h.ctx, inc.ID, "l1", incident.SnoozeOptions{For: d, Comment: "deploy in progress"})
			require.NoError(t, err)
			assert.Equal(t, incident.StatusSnoozed, got.Status)
			assert.Equal(t, noon.Add(d), got.Snooze.Until)
			h.until(noon.Add(d - time.Second))
			assert.Equal(t, incident.StatusSnoozed, h.get(inc.ID).Status)
			h.until(noon.Add(d))
			woke := h.get(inc.ID)
			assert.Equal(t, incident.StatusOpen, woke.Status, "the time ran out")
			assert.Nil(t, woke.Snooze)
			events, _ := h.store.History(h.ctx, inc.ID)
			assert.Equal(t, "snoozed", string(events[len(events)-2].Kind))
			assert.Equal(t, fmt.Sprintf("until %s: deploy in progress", noon.Add(d).Format(time.RFC3339)), events[len(events)-2].Note)
			assert.Equal(t, "woke", string(events[len(events)-1].Kind))
			assert.Equal(t, "the snooze ran out", events[len(events)-1].Note)
		})
	}

	t.Run("until a date", func(t *testing.T) {
		h, inc, _ := opened(t)
		until := time.Date(2026, 10, 28, 9, 0, 0, 0, time.UTC)
		_, err := h.m.Snooze(h.ctx, inc.ID, "l1", incident.SnoozeOptions{Until: until})
		require.NoError(t, err)
		h.until(until.Add(-time.Minute))
		assert.Equal(t, incident.StatusSnoozed, h.get(inc.ID).Status)
		h.until(until)
		assert.Equal(t, incident.StatusOpen, h.get(inc.ID).Status)
	})

	t.Run("forever wakes only when it gets worse", func(t *testing.T) {
		h, inc, _ := opened(t)
		_, err := h.m.Snooze(h.ctx, inc.ID, "l1", incident.SnoozeOptions{Forever: true, Comment: "known flaky check"})
		require.NoError(t, err)
		h.until(noon.Add(30 * 24 * time.Hour))
		assert.Equal(t, incident.StatusSnoozed, h.get(inc.ID).Status, "a month later, still asleep")
		h.fire(labels("alertname", "IngressResponses5xx", "namespace", "horns-and-hooves", "vhost", "api.example.com"))
		woke := h.get(inc.ID)
		assert.Equal(t, incident.StatusOpen, woke.Status, "a new alert joined")
		events, _ := h.store.History(h.ctx, inc.ID)
		assert.Equal(t, "woke", string(events[len(events)-1].Kind))
		assert.Equal(t, "a new alert joined", events[len(events)-1].Note)
	})

	t.Run("a more severe alert wakes it", func(t *testing.T) {
		h, inc, _ := opened(t)
		_, err := h.m.Snooze(h.ctx, inc.ID, "l1", incident.SnoozeOptions{For: 6 * time.Hour})
		require.NoError(t, err)
		h.clock.Advance(time.Minute)
		h.fire(labels("alertname", "IngressResponses5xx", "namespace", "horns-and-hooves", "vhost", "pay.example.com", "severity_level", "1"))
		woke := h.get(inc.ID)
		assert.Equal(t, incident.StatusOpen, woke.Status)
		assert.Equal(t, 1, woke.Severity)
		kinds := h.kinds(inc.ID)
		assert.Equal(t, 1, kinds[incident.EventSeverityRaised])
		h.until(noon.Add(7 * time.Hour))
		assert.Equal(t, incident.StatusOpen, h.get(inc.ID).Status, "the old wake-up timer is gone")
		assert.Equal(t, 1, h.kinds(inc.ID)[incident.EventWoke])
	})

	t.Run("resolve if OK closes it", func(t *testing.T) {
		h, inc, a := opened(t)
		_, err := h.m.Snooze(h.ctx, inc.ID, "l1", incident.SnoozeOptions{For: 6 * time.Hour, ResolveIfOK: true})
		require.NoError(t, err)
		h.clock.Advance(2 * time.Hour)
		h.resolve(a)
		closed := h.get(inc.ID)
		assert.Equal(t, incident.StatusClosed, closed.Status, "closed instead of waking")
		assert.Equal(t, noon.Add(2*time.Hour), closed.ClosedAt)
		h.until(noon.Add(7 * time.Hour))
		assert.Equal(t, incident.StatusClosed, h.get(inc.ID).Status, "and it does not wake later")
		assert.Zero(t, h.kinds(inc.ID)[incident.EventWoke])
	})

	t.Run("without resolve if OK it sleeps on, then resolves on waking", func(t *testing.T) {
		h, inc, a := opened(t)
		_, err := h.m.Snooze(h.ctx, inc.ID, "l1", incident.SnoozeOptions{For: 3 * time.Hour})
		require.NoError(t, err)
		h.clock.Advance(time.Hour)
		h.resolve(a)
		assert.Equal(t, incident.StatusSnoozed, h.get(inc.ID).Status)
		h.until(noon.Add(3 * time.Hour))
		got := h.get(inc.ID)
		assert.Equal(t, incident.StatusResolved, got.Status)
		history := h.history(inc.ID)
		assert.Equal(t, []string{"15:00:00 woke", "15:00:00 resolved"}, history[len(history)-2:])
	})

	t.Run("invalid requests", func(t *testing.T) {
		h, inc, _ := opened(t)
		for name, o := range map[string]incident.SnoozeOptions{
			"nothing":       {},
			"two of them":   {For: time.Hour, Forever: true},
			"negative":      {For: -time.Hour},
			"in the past":   {Until: noon.Add(-time.Hour)},
			"right now":     {Until: noon},
			"all three set": {For: time.Hour, Until: noon.Add(time.Hour), Forever: true},
		} {
			_, err := h.m.Snooze(h.ctx, inc.ID, "l1", o)
			assert.ErrorIs(t, err, incident.ErrInvalid, name)
		}
		assert.Equal(t, incident.StatusOpen, h.get(inc.ID).Status)
	})
}

func TestSearchSimilarAndAnalytics(t *testing.T) {
	h := newHarness(t, time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), nil)
	// Five TargetDown incidents in horns-and-hooves, two IngressResponses5xx in site.
	for day := range 5 {
		h.until(time.Date(2026, 10, 1+day, 10, 0, 0, 0, time.UTC))
		a := labels("alertname", "TargetDown", "namespace", "horns-and-hooves", "instance", fmt.Sprint("10.0.0.", day))
		h.fire(a)
		inc, err := h.m.Search(h.ctx, fmt.Sprintf(`~instance = "10.0.0.%d"`, day), 1)
		require.NoError(t, err)
		require.Len(t, inc, 1)
		h.until(h.clock.Now().Add(time.Duration(day+1) * time.Minute))
		_, err = h.m.Acknowledge(h.ctx, inc[0].ID, "l1", "")
		require.NoError(t, err)
		h.until(h.clock.Now().Add(time.Duration(day+1) * 10 * time.Minute))
		h.resolve(a)
		if day < 2 {
			s := labels("alertname", "IngressResponses5xx", "namespace", "site", "ingress", fmt.Sprint("i", day))
			h.fire(s)
			h.until(h.clock.Now().Add(time.Hour))
			h.resolve(s)
		}
	}

	found, err := h.m.Search(h.ctx, `trigger = TargetDown AND status = resolved`, 0)
	require.NoError(t, err)
	assert.Len(t, found, 5)
	assert.True(t, found[0].CreatedAt.After(found[4].CreatedAt), "newest first")
	found, err = h.m.Search(h.ctx, `project = site`, 0)
	require.NoError(t, err)
	assert.Len(t, found, 2)
	_, err = h.m.Search(h.ctx, `trigger = `, 0)
	var pe interface{ Error() string }
	require.ErrorAs(t, err, &pe)
	assert.Contains(t, err.Error(), "incident: search: 1:11: expected a value")

	latest, err := h.m.Search(h.ctx, `trigger = TargetDown`, 1)
	require.NoError(t, err)
	similar, err := h.m.Similar(h.ctx, latest[0], 3)
	require.NoError(t, err)
	assert.Equal(t, 4, similar.Count, "the four earlier TargetDown incidents")
	assert.Len(t, similar.Recent, 3)
	assert.Equal(t, 2*time.Minute+30*time.Second, similar.MTTA, "acknowledged after 1, 2, 3 and 4 minutes")

	report, err := h.m.Analytics(h.ctx, time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	assert.Equal(t, 7, report.Total.Incidents)
	td := report.ByTrigger["TargetDown"]
	assert.Equal(t, 5, td.Incidents)
	assert.Equal(t, 5, td.Acknowledged)
	assert.Equal(t, 3*time.Minute, td.MTTA, "mean of 1..5 minutes")
	assert.Equal(t, 33*time.Minute, td.MTTR, "mean of 11, 22, 33, 44 and 55 minutes")
	site := report.ByProject["site"]
	assert.Equal(t, 2, site.Incidents)
	assert.Zero(t, site.Acknowledged)
	assert.Equal(t, time.Hour, site.MTTR)
	assert.Equal(t, 5, report.ByProject["horns-and-hooves"].Incidents)

	october2, err := h.m.Analytics(h.ctx, time.Date(2026, 10, 2, 0, 0, 0, 0, time.UTC), time.Date(2026, 10, 3, 0, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	assert.Equal(t, 2, october2.Total.Incidents, "one of each on October 2")
}

// TestConcurrentObserve has goroutines feed the alerts of one group at once,
// as concurrent HTTP requests do: one incident gathers them all.
func TestConcurrentObserve(t *testing.T) {
	h := newHarness(t, noon, &incident.Grouping{By: []model.LabelName{"alertname"}})
	const workers, each = 8, 20
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				a := alert.Alert{Labels: labels("alertname", "NodePressureConditions", "node", fmt.Sprintf("kube-%d-%d", w, i)), StartsAt: noon, UpdatedAt: noon}
				changes := h.dedup.Ingest([]alert.Alert{a})
				for j := range changes {
					_, err := h.m.Observe(context.Background(), &changes[j], h.grouping)
					assert.NoError(t, err)
				}
			}
		})
	}
	wg.Wait()
	inc := h.only()
	assert.Equal(t, workers*each, inc.Alerts)
	assert.Equal(t, workers*each, inc.Active)
	members, err := h.store.Members(h.ctx, inc.ID)
	require.NoError(t, err)
	assert.Len(t, members, workers*each)
	assert.Equal(t, workers*each, h.kinds(inc.ID)[incident.EventAlertJoined])
}

func TestObserveWithoutIncident(t *testing.T) {
	h := newHarness(t, noon, nil)
	a := labels("alertname", "Old")
	// An alert first seen resolved opens nothing.
	changes := h.dedup.Ingest([]alert.Alert{{Labels: a, StartsAt: noon.Add(-time.Hour), EndsAt: noon.Add(-time.Minute), UpdatedAt: noon}})
	require.Len(t, changes, 1)
	inc, err := h.m.Observe(h.ctx, &changes[0], nil)
	require.NoError(t, err)
	assert.Nil(t, inc)
	n, err := h.store.Count(h.ctx, incident.Filter{})
	require.NoError(t, err)
	assert.Zero(t, n)
}

func TestGroupKey(t *testing.T) {
	ls := labels("alertname", "TargetDown", "namespace", "shop", "instance", "a")
	tests := []struct {
		g    incident.Grouping
		want string
	}{
		{incident.Grouping{By: []model.LabelName{"alertname", "namespace"}}, `{alertname="TargetDown", namespace="shop"}`},
		{incident.Grouping{Key: "checkout", By: []model.LabelName{"alertname", "team"}}, `checkout{alertname="TargetDown"}`},
		{incident.Grouping{Key: "all"}, `all{}`},
		{incident.Grouping{By: []model.LabelName{"..."}}, `{alertname="TargetDown", instance="a", namespace="shop"}`},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.g.GroupKey(ls))
	}
	g := incident.Grouping{By: []model.LabelName{"namespace", "alertname", "namespace", "team"}}
	assert.Equal(t, `{alertname="TargetDown", namespace="shop"}`, g.GroupKey(ls), "sorted, without repeats")
	assert.Equal(t, model.LabelSet{"alertname": "TargetDown", "namespace": "shop"}, g.Labels(ls))
}

func TestStatusText(t *testing.T) {
	for _, s := range []incident.Status{incident.StatusOpen, incident.StatusAcknowledged, incident.StatusSnoozed, incident.StatusResolved, incident.StatusClosed} {
		b, err := s.MarshalText()
		require.NoError(t, err)
		var back incident.Status
		require.NoError(t, back.UnmarshalText(b))
		assert.Equal(t, s, back)
	}
	_, err := incident.ParseStatus("acked")
	assert.EqualError(t, err, `unknown status "acked" (want open, acknowledged, snoozed, resolved or closed)`)
	_, err = incident.Status(0).MarshalText()
	assert.Error(t, err)
}
