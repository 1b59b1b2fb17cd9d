package dedup_test

import (
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alertkit/alertkit/alert"
	"github.com/alertkit/alertkit/dedup"
	"github.com/alertkit/alertkit/internal/clock"
	"github.com/alertkit/alertkit/mql"
)

func day(d int, hms string) time.Time {
	t, err := time.Parse("2006-01-02 15:04:05", fmt.Sprintf("2026-10-%02d %s", d, hms))
	if err != nil {
		panic(err)
	}
	return t
}

var daemonSet = model.LabelSet{
	"alertname": "KubernetesDaemonSetReplicasUnavailable",
	"daemonset": "oom-killer-exporter",
	"namespace": "kube-prometheus",
}

// firing is a report of a firing alert that its source promises to refresh
// within ttl (none if ttl is zero).
func firing(ls model.LabelSet, start, at time.Time, ttl time.Duration) alert.Alert {
	a := alert.Alert{Labels: ls, StartsAt: start, UpdatedAt: at}
	if ttl > 0 {
		a.RefreshBy = at.Add(ttl)
	}
	return a
}

func resolved(ls model.LabelSet, start, end, at time.Time) alert.Alert {
	return alert.Alert{Labels: ls, StartsAt: start, EndsAt: end, UpdatedAt: at}
}

// summary shortens changes for comparison: "new:firing", "firing→resolved",
// "refired:resolved→firing", "occurred", "+flapping".
func summary(changes []dedup.Change) []string {
	var out []string
	for _, c := range changes {
		var s string
		switch {
		case c.New:
			s = "new:" + c.State.String()
		case c.Occurred:
			s = "occurred"
		case c.From != c.State && c.Refired:
			s = "refired:" + c.From.String() + "→" + c.State.String()
		case c.From != c.State:
			s = c.From.String() + "→" + c.State.String()
		}
		if c.FlapChanged {
			if c.Flapping {
				s += "+flapping"
			} else {
				s += "+steady"
			}
		}
		out = append(out, s)
	}
	return out
}

func TestRepeatsUpdateOneRecord(t *testing.T) {
	d := dedup.New(nil)
	start := day(3, "09:28:12")
	first := firing(daemonSet, start, start, 0)
	first.Annotations = model.LabelSet{"summary": "1 replica unavailable"}
	assert.Equal(t, []string{"new:firing"}, summary(d.Ingest([]alert.Alert{first})))

	for i := 1; i <= 20; i++ {
		repeat := firing(daemonSet, start, start.Add(time.Duration(i)*30*time.Second), 0)
		repeat.Annotations = model.LabelSet{"summary": model.LabelValue(fmt.Sprintf("%d replicas unavailable", i))}
		require.Empty(t, d.Ingest([]alert.Alert{repeat}), "repeat %d", i)
	}
	assert.Equal(t, 1, d.Len())
	rec, ok := d.Get(alert.Fingerprint(daemonSet))
	require.True(t, ok)
	assert.Equal(t, start.Add(10*time.Minute), rec.LastSeen, "repeats update LastSeen")
	assert.Equal(t, start.Add(10*time.Minute), rec.Alert.UpdatedAt)
	assert.Equal(t, model.LabelValue("20 replicas unavailable"), rec.Alert.Annotations["summary"], "repeats update annotations")
	assert.Equal(t, start, rec.FirstSeen)
	assert.Equal(t, 1, rec.Firings.Len())
	assert.Equal(t, uint64(1), rec.Seq)
}

// TestRepeatsKeepTheHeldMaps checks that a record keeps the label and
// annotation maps of the report it holds when a repeat carries equal ones —
// downstream stages hold the same maps — and takes new annotations when they
// change.
func TestRepeatsKeepTheHeldMaps(t *testing.T) {
	d := dedup.New(nil)
	start := day(3, "09:28:12")
	copyOf := func(ls model.LabelSet) model.LabelSet {
		c := model.LabelSet{}
		for k, v := range ls {
			c[model.LabelName(strings.Clone(string(k)))] = model.LabelValue(strings.Clone(string(v)))
		}
		return c
	}
	first := firing(copyOf(daemonSet), start, start, 0)
	first.Annotations = model.LabelSet{"summary": "1 replica unavailable"}
	changes := d.Ingest([]alert.Alert{first})
	require.Len(t, changes, 1)
	same := func(a, b model.LabelSet) bool {
		return reflect.ValueOf(a).UnsafePointer() == reflect.ValueOf(b).UnsafePointer()
	}
	require.True(t, same(first.Labels, changes[0].Alert.Labels))

	repeat := firing(copyOf(daemonSet), start, start.Add(time.Minute), 0)
	repeat.Annotations = copyOf(first.Annotations)
	require.Empty(t, d.Ingest([]alert.Alert{repeat}))
	rec, ok := d.Get(alert.Fingerprint(daemonSet))
	require.True(t, ok)
	assert.True(t, same(first.Labels, rec.Alert.Labels), "the record keeps its labels")
	assert.True(t, same(first.Annotations, rec.Alert.Annotations), "the record keeps equal annotations")
	assert.Equal(t, start.Add(time.Minute), rec.LastSeen)

	changed := firing(copyOf(daemonSet), start, start.Add(2*time.Minute), 0)
	changed.Annotations = model.LabelSet{"summary": "2 replicas unavailable"}
	require.Empty(t, d.Ingest([]alert.Alert{changed}))
	rec, _ = d.Get(alert.Fingerprint(daemonSet))
	assert.True(t, same(first.Labels, rec.Alert.Labels))
	assert.True(t, same(changed.Annotations, rec.Alert.Annotations), "new annotations replace the old")

	again := firing(copyOf(daemonSet), start, start.Add(3*time.Minute), 0)
	again.Annotations = copyOf(changed.Annotations)
	require.Empty(t, d.Ingest([]alert.Alert{again}))
	rec, _ = d.Get(alert.Fingerprint(daemonSet))
	assert.True(t, same(changed.Annotations, rec.Alert.Annotations), "and are kept in turn")
	assert.Equal(t, 1, d.Len())
}

// TestFiringIntervals follows a KubernetesDaemonSetReplicasUnavailable:
// fired 09:28:12 → 09:38:12 and again 09:48:42 → 10:09:42.
func TestFiringIntervals(t *testing.T) {
	d := dedup.New(nil)
	t1, e1 := day(3, "09:28:12"), day(3, "09:38:12")
	t2, e2 := day(3, "09:48:42"), day(3, "10:09:42")
	steps := []struct {
		report alert.Alert
		want   []string
	}{
		{firing(daemonSet, t1, t1, 0), []string{"new:firing"}},
		{firing(daemonSet, t1, t1.Add(5*time.Minute), 0), nil},
		{resolved(daemonSet, t1, e1, e1), []string{"firing→resolved"}},
		{resolved(daemonSet, t1, e1, e1.Add(time.Minute)), nil},
		{firing(daemonSet, t2, t2, 0), []string{"refired:resolved→firing"}},
		{resolved(daemonSet, t2, e2, e2), []string{"firing→resolved"}},
	}
	for i, s := range steps {
		assert.Equal(t, s.want, summary(d.Ingest([]alert.Alert{s.report})), "step %d", i)
	}
	rec, _ := d.Get(alert.Fingerprint(daemonSet))
	assert.Equal(t, 2, rec.Firings.Len())
	assert.Equal(t, "09:28:12 → 09:38:12, 09:48:42 → 10:09:42", rec.Firings.String())
	assert.Equal(t, 31*time.Minute, rec.Firings.Total(e2))
	assert.Equal(t, t2, rec.Alert.StartsAt)
	assert.Equal(t, alert.StateResolved, rec.State)
	assert.Equal(t, uint64(4), rec.Seq)
}

// TestUnknownThenFiringThenOK follows a TargetDown: it fired at
// 18:20:59, its source went silent past the refresh deadline (unknown),
// came back (firing), and resolved at 18:27:29 — one interval throughout.
func TestUnknownThenFiringThenOK(t *testing.T) {
	targetDown := model.LabelSet{"alertname": "TargetDown", "instance": "10.244.37.14:9403", "job": "cert-manager"}
	c := clock.NewFake(day(26, "18:20:59"))
	d := dedup.New(nil)
	start := c.Now()

	assert.Equal(t, []string{"new:firing"}, summary(d.Ingest([]alert.Alert{firing(targetDown, start, c.Now(), time.Minute)})))
	c.Advance(30 * time.Second)
	assert.Empty(t, d.Sweep(c.Now()), "before the deadline nothing changes")
	c.Advance(30 * time.Second)
	assert.Equal(t, []string{"firing→unknown"}, summary(d.Sweep(c.Now())), "the deadline passed unrefreshed")
	assert.Empty(t, d.Sweep(c.Now().Add(time.Second)), "unknown is reported once")

	c.Advance(3 * time.Minute)
	assert.Equal(t, []string{"unknown→firing"}, summary(d.Ingest([]alert.Alert{firing(targetDown, start, c.Now(), time.Minute)})))
	c.Set(day(26, "18:27:29"))
	assert.Equal(t, []string{"firing→resolved"}, summary(d.Ingest([]alert.Alert{resolved(targetDown, start, c.Now(), c.Now())})))

	rec, _ := d.Get(alert.Fingerprint(targetDown))
	assert.Equal(t, "18:20:59 → 18:27:29", rec.Firings.String(), "unknown does not break the interval")
	assert.Equal(t, 6*time.Minute+30*time.Second, rec.Firings.Total(c.Now()))
}

// TestFlapping follows an IngressResponses5xx, which fired 11 times
// between 15:09:47 and 17:41:47, 32m30s in all.
func TestFlapping(t *testing.T) {
	ingress := model.LabelSet{"alertname": "IngressResponses5xx", "ingress": "site", "namespace": "site-production"}
	d := dedup.New(nil) // flapping at 4 changes in 30 minutes
	// Eleven firings: the first 4 minutes, the last 30 seconds, and nine in
	// between, 14 minutes apart, of 3 minutes but the last of 4.
	type firingAt struct{ start, end time.Time }
	firings := []firingAt{{day(26, "15:09:47"), day(26, "15:13:47")}}
	for i := range 9 {
		s := day(26, "15:20:00").Add(time.Duration(i) * 14 * time.Minute)
		length := 3 * time.Minute
		if i == 8 {
			length = 4 * time.Minute
		}
		firings = append(firings, firingAt{s, s.Add(length)})
	}
	firings = append(firings, firingAt{day(26, "17:41:17"), day(26, "17:41:47")})

	var published []dedup.Change
	sweep := func(now time.Time) { published = append(published, d.Sweep(now)...) }
	for _, f := range firings {
		sweep(f.start)
		published = append(published, d.Ingest([]alert.Alert{firing(ingress, f.start, f.start, 0)})...)
		sweep(f.end)
		published = append(published, d.Ingest([]alert.Alert{resolved(ingress, f.start, f.end, f.end)})...)
	}
	rec, _ := d.Get(alert.Fingerprint(ingress))
	assert.Equal(t, 11, rec.Firings.Len(), "every firing is recorded")
	assert.Equal(t, 32*time.Minute+30*time.Second, rec.Firings.Total(day(26, "18:00:00")), "32m30s in all")
	assert.Equal(t, "15:09:47 → 15:13:47 → [6] → 16:44:00 → 16:47:00, 16:58:00 → 17:01:00, 17:12:00 → 17:16:00, 17:41:17 → 17:41:47",
		rec.Firings.String())
	assert.True(t, rec.Flapping)

	// Downstream heard of every one of the 22 state changes — what is
	// recorded follows the source — and from the fourth change of state on
	// they are marked flapping.
	var flapAt time.Time
	var stateChanges, marked int
	for _, c := range published {
		if c.FlapChanged && c.Flapping {
			flapAt = c.LastSeen
		}
		if c.From != c.State {
			stateChanges++
			if c.Flapping {
				marked++
			}
		}
	}
	require.False(t, flapAt.IsZero(), "flapping was announced")
	assert.Equal(t, 22, stateChanges, "every firing and resolution is published")
	assert.Equal(t, 18, marked, "from the fourth change of state after the first firing on, marked flapping")

	// Half an hour without changes: steady again; the state is the one
	// published last (resolved).
	quiet := day(26, "17:41:47").Add(dedup.DefaultFlapWindow)
	last := d.Sweep(quiet)
	require.Len(t, last, 1)
	assert.False(t, last[0].Flapping)
	assert.True(t, last[0].FlapChanged)
	assert.Equal(t, alert.StateResolved, last[0].State)
	assert.Equal(t, alert.StateResolved, last[0].From)
}

// TestInstantOccurrences follows a failed backup, which happened
// 18 times between 01:00:07 and 18:00:09.
func TestInstantOccurrences(t *testing.T) {
	backup := model.LabelSet{"alertname": "BackupFailed", "backup_type": "REDIS-RDB", "start_point": "cron-55cddfcf4f-ktrwp"}
	d := dedup.New(nil)
	at := day(26, "01:00:07")
	var kinds []string
	for i := range 18 {
		if i == 17 {
			at = day(26, "18:00:09")
		}
		ev := alert.Alert{Labels: backup, Kind: alert.KindInstant, StartsAt: at, UpdatedAt: at}
		kinds = append(kinds, summary(d.Ingest([]alert.Alert{ev}))...)
		// The same event delivered twice (a retried POST) counts once.
		retry := ev
		retry.UpdatedAt = at.Add(time.Second)
		require.Empty(t, d.Ingest([]alert.Alert{retry}))
		at = at.Add(time.Hour)
	}
	assert.Equal(t, "new:none", kinds[0])
	assert.Equal(t, "occurred", kinds[17])
	assert.Len(t, kinds, 18)
	rec, _ := d.Get(alert.Fingerprint(backup))
	assert.Equal(t, 18, rec.Firings.Len())
	assert.Equal(t, 13, rec.Firings.Omitted())
	assert.Equal(t, "01:00:07 → [13] → 15:00:07, 16:00:07, 17:00:07, 18:00:09", rec.Firings.String())
	assert.Empty(t, d.Sweep(day(26, "23:00:00")), "instant alerts never resolve")
	assert.Equal(t, 1, d.Len())
	d.Sweep(day(27, "18:00:09"))
	assert.Equal(t, 1, d.Len(), "last seen at 18:00:10, the retried delivery")
	d.Sweep(day(27, "18:00:10"))
	assert.Zero(t, d.Len(), "dropped a retention after it was last seen")
}

func TestPendingThenFiring(t *testing.T) {
	d := dedup.New(nil)
	start := day(3, "09:00:00")
	pending := alert.Alert{Labels: daemonSet, Pending: true, StartsAt: start, UpdatedAt: start}
	assert.Equal(t, []string{"new:pending"}, summary(d.Ingest([]alert.Alert{pending})))
	rec, _ := d.Get(alert.Fingerprint(daemonSet))
	assert.Zero(t, rec.Firings.Len(), "pending is not firing")
	assert.Equal(t, []string{"pending→firing"}, summary(d.Ingest([]alert.Alert{firing(daemonSet, start, start.Add(time.Minute), 0)})))
	rec, _ = d.Get(alert.Fingerprint(daemonSet))
	assert.Equal(t, "09:00:00 → …", rec.Firings.String(), "the interval starts when the condition did")
}

func TestOlderReportsAreIgnored(t *testing.T) {
	d := dedup.New(nil)
	start := day(3, "09:00:00")
	d.Ingest([]alert.Alert{firing(daemonSet, start, start.Add(2*time.Minute), 0)})
	stale := resolved(daemonSet, start, start.Add(time.Minute), start.Add(time.Minute))
	assert.Empty(t, d.Ingest([]alert.Alert{stale}))
	rec, _ := d.Get(alert.Fingerprint(daemonSet))
	assert.Equal(t, alert.StateFiring, rec.State)
}

func TestResolvedRecordsAreDroppedAfterRetention(t *testing.T) {
	d := dedup.New(&dedup.Options{Retention: time.Hour})
	start := day(3, "09:00:00")
	d.Ingest([]alert.Alert{resolved(daemonSet, start, start.Add(time.Minute), start.Add(time.Minute))})
	active := firing(model.LabelSet{"alertname": "Other"}, start, start, 0)
	d.Ingest([]alert.Alert{active})
	d.Sweep(start.Add(time.Hour))
	assert.Equal(t, 2, d.Len())
	d.Sweep(start.Add(time.Hour + time.Minute))
	assert.Equal(t, 1, d.Len(), "the resolved one is gone, the firing one stays")
	_, ok := d.Get(alert.Fingerprint(active.Labels))
	assert.True(t, ok)
}

func TestScheduledEndResolvesOnSweep(t *testing.T) {
	d := dedup.New(nil)
	start := day(3, "09:00:00")
	a := alert.Alert{Labels: daemonSet, StartsAt: start, EndsAt: start.Add(time.Hour), UpdatedAt: start}
	assert.Equal(t, []string{"new:firing"}, summary(d.Ingest([]alert.Alert{a})))
	assert.Equal(t, []string{"firing→resolved"}, summary(d.Sweep(start.Add(time.Hour))))
}

func TestHeartbeats(t *testing.T) {
	c := clock.NewFake(day(26, "00:00:00"))
	d := dedup.New(nil)
	watchdog := mql.MustParse(`trigger = Watchdog AND ~prometheus = "kube-prometheus/main"`)
	require.NoError(t, d.AddHeartbeat(dedup.Heartbeat{
		Name: "prometheus-main", Period: 5 * time.Minute, Match: watchdog,
		Labels: model.LabelSet{"team": "sre", "severity_level": "2"},
	}, c.Now()))
	require.NoError(t, d.AddHeartbeat(dedup.Heartbeat{Name: "nightly-backup", Period: 24 * time.Hour}, c.Now()))

	wd := model.LabelSet{"alertname": "Watchdog", "prometheus": "kube-prometheus/main"}
	for range 4 {
		c.Advance(time.Minute)
		require.Empty(t, d.Ingest([]alert.Alert{firing(wd, day(25, "00:00:00"), c.Now(), 0)}), "check-ins are consumed")
		require.Empty(t, d.Sweep(c.Now()))
	}
	assert.Zero(t, d.Len(), "no record for the Watchdog")

	c.Advance(5 * time.Minute) // silence
	changes := d.Sweep(c.Now())
	require.Equal(t, []string{"new:firing"}, summary(changes))
	missing := changes[0].Alert
	assert.Equal(t, "HeartbeatMissing", missing.Trigger())
	assert.Equal(t, model.LabelValue("prometheus-main"), missing.Labels["heartbeat"])
	assert.Equal(t, model.LabelValue("sre"), missing.Labels["team"])
	assert.Equal(t, day(26, "00:09:00"), missing.StartsAt, "missing since the deadline")
	assert.Equal(t, "No check-in from prometheus-main for 5m0s", string(missing.Annotations["summary"]))
	assert.Empty(t, d.Sweep(c.Now().Add(time.Minute)), "fired once")
	assert.Equal(t, []dedup.HeartbeatState{
		{Name: "nightly-backup", Period: 24 * time.Hour, Last: day(26, "00:00:00")},
		{Name: "prometheus-main", Period: 5 * time.Minute, Last: day(26, "00:04:00"), CheckedIn: true, Missing: true},
	}, d.Heartbeats())

	c.Advance(2 * time.Minute)
	changes = d.Ingest([]alert.Alert{firing(wd, day(25, "00:00:00"), c.Now(), 0)})
	require.Equal(t, []string{"firing→resolved"}, summary(changes), "the next check-in resolves it")
	assert.Equal(t, c.Now(), changes[0].Alert.EndsAt)

	d.RemoveHeartbeat("prometheus-main")
	c.Set(day(27, "00:00:00"))
	changes = d.Sweep(c.Now())
	require.Len(t, changes, 1)
	assert.Equal(t, model.LabelValue("nightly-backup"), changes[0].Alert.Labels["heartbeat"])
	changes, err := d.CheckIn("nightly-backup", c.Now().Add(time.Hour))
	require.NoError(t, err)
	assert.Equal(t, []string{"firing→resolved"}, summary(changes))

	_, err = d.CheckIn("nope", c.Now())
	assert.ErrorIs(t, err, dedup.ErrUnknownHeartbeat)
	assert.EqualError(t, d.AddHeartbeat(dedup.Heartbeat{Name: "x"}, c.Now()), `dedup: heartbeat "x": period 0s is not positive`)
	assert.EqualError(t, d.AddHeartbeat(dedup.Heartbeat{Period: time.Minute}, c.Now()), "dedup: heartbeat without a name")
	assert.Error(t, d.AddHeartbeat(dedup.Heartbeat{Name: "x", Period: time.Minute, Labels: model.LabelSet{"": "y"}}, c.Now()))
}

func TestHeartbeatForward(t *testing.T) {
	d := dedup.New(nil)
	now := day(26, "00:00:00")
	require.NoError(t, d.AddHeartbeat(dedup.Heartbeat{Name: "wd", Period: time.Minute, Match: mql.MustParse(`trigger = Watchdog`), Forward: true}, now))
	assert.Equal(t, []string{"new:firing"}, summary(d.Ingest([]alert.Alert{firing(model.LabelSet{"alertname": "Watchdog"}, now, now, 0)})))
	d.RemoveHeartbeat("wd")
	assert.Empty(t, d.Sweep(now.Add(time.Hour)))
}

// TestConcurrentIngest runs many goroutines that report the same alerts and
// checks that every alert has one record and its changes have increasing
// sequence numbers.
func TestConcurrentIngest(t *testing.T) {
	d := dedup.New(nil)
	start := day(3, "09:00:00")
	var mu sync.Mutex
	seqs := map[model.Fingerprint][]uint64{}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 500 {
				ls := model.LabelSet{"alertname": "A", "n": model.LabelValue(fmt.Sprint(i % 50))}
				at := start.Add(time.Duration(i*8+g) * time.Second)
				a := firing(ls, start, at, 0)
				if i%7 == 0 {
					a = resolved(ls, start, at, at)
				}
				for _, c := range d.Ingest([]alert.Alert{a}) {
					mu.Lock()
					seqs[c.Fingerprint] = append(seqs[c.Fingerprint], c.Seq)
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	assert.Equal(t, 50, d.Len())
	for fp, s := range seqs {
		seen := map[uint64]bool{}
		for _, n := range s {
			assert.False(t, seen[n], "%s: sequence %d published twice", fp, n)
			seen[n] = true
		}
	}
}

func TestChangeString(t *testing.T) {
	d := dedup.New(nil)
	start := day(3, "09:00:00")
	c := d.Ingest([]alert.Alert{firing(model.LabelSet{"alertname": "A"}, start, start, 0)})
	assert.Equal(t, `new firing {alertname="A"}`, c[0].String())
	c = d.Ingest([]alert.Alert{resolved(model.LabelSet{"alertname": "A"}, start, start.Add(time.Minute), start.Add(time.Minute))})
	assert.Equal(t, `firing → resolved {alertname="A"}`, c[0].String())
}

// A process that restarts learns of the check-ins it missed from the
// store: a heartbeat it has seen no check-in of since it was added takes
// the one restored, even an earlier one, and fires at that deadline; one
// it has seen keeps the later.
func TestRestoreHeartbeat(t *testing.T) {
	c := clock.NewFake(day(26, "00:00:00"))
	d := dedup.New(&dedup.Options{Now: c.Now})
	require.NoError(t, d.AddHeartbeat(dedup.Heartbeat{Name: "backup", Period: 10 * time.Minute}, c.Now()))
	require.NoError(t, d.AddHeartbeat(dedup.Heartbeat{Name: "watchdog", Period: 10 * time.Minute}, c.Now()))
	_, err := d.CheckIn("watchdog", c.Now())
	require.NoError(t, err)

	assert.True(t, d.RestoreHeartbeat("backup", day(25, "23:55:00")), "registration is no check-in")
	assert.False(t, d.RestoreHeartbeat("watchdog", day(25, "23:55:00")), "an earlier check-in than its own")
	assert.False(t, d.RestoreHeartbeat("nope", c.Now()))

	c.Set(day(26, "00:05:00"))
	changes := d.Sweep(c.Now())
	require.Equal(t, []string{"new:firing"}, summary(changes), "the backup's deadline was 00:05")
	assert.Equal(t, model.LabelValue("backup"), changes[0].Alert.Labels["heartbeat"])
	assert.Empty(t, d.Sweep(day(26, "00:09:59")))
	assert.True(t, d.RestoreHeartbeat("watchdog", day(26, "00:08:00")), "a later one moves the deadline")
	assert.Empty(t, d.Sweep(day(26, "00:17:59")))
	require.Len(t, d.Sweep(day(26, "00:18:00")), 1)
}

// TestSweepOrder checks that a sweep's changes come in the order Sweep
// documents, whatever the Deduper's seed.
func TestSweepOrder(t *testing.T) {
	start := day(3, "09:00:00")
	for range 3 {
		d := dedup.New(nil)
		var batch []alert.Alert
		for i := range 200 {
			batch = append(batch, firing(model.LabelSet{"alertname": "TargetDown", "instance": model.LabelValue(fmt.Sprint(i))}, start, start, time.Minute))
		}
		require.Len(t, d.Ingest(batch), 200)
		changes := d.Sweep(start.Add(2 * time.Minute))
		require.Len(t, changes, 200)
		for i := 1; i < len(changes); i++ {
			a, b := uint64(changes[i-1].Fingerprint), uint64(changes[i].Fingerprint)
			require.True(t, a%64 < b%64 || a%64 == b%64 && a < b, "change %d: %s after %s", i, changes[i].Fingerprint, changes[i-1].Fingerprint)
			require.Equal(t, alert.StateUnknown, changes[i].State)
		}
	}
}

// TestUnpublish: a change that downstream failed to record is published
// again by the alert's next report — a plain repeat, such as a source's
// retry of the same payload — or by the next sweep, with what it said.
func TestUnpublish(t *testing.T) {
	start := day(26, "09:00:00")
	backup := model.LabelSet{"alertname": "BackupFailed", "job": "redis"}
	occurrence := func(at time.Time) alert.Alert {
		return alert.Alert{Labels: backup, Kind: alert.KindInstant, StartsAt: at, UpdatedAt: at}
	}
	tests := []struct {
		name string
		// before brings the Deduper to where the lost change is made; lost
		// makes it; again is what publishes it again.
		before, lost, again func(d *dedup.Deduper) []dedup.Change
		want                []string
	}{{
		name: "a new alert, then its retry",
		lost: func(d *dedup.Deduper) []dedup.Change {
			return d.Ingest([]alert.Alert{firing(daemonSet, start, start, 0)})
		},
		again: func(d *dedup.Deduper) []dedup.Change {
			return d.Ingest([]alert.Alert{firing(daemonSet, start, start.Add(time.Second), 0)})
		},
		want: []string{"new:firing"},
	}, {
		name: "a resolution, then a repeat",
		before: func(d *dedup.Deduper) []dedup.Change {
			return d.Ingest([]alert.Alert{firing(daemonSet, start, start, 0)})
		},
		lost: func(d *dedup.Deduper) []dedup.Change {
			return d.Ingest([]alert.Alert{resolved(daemonSet, start, start.Add(time.Minute), start.Add(time.Minute))})
		},
		again: func(d *dedup.Deduper) []dedup.Change {
			return d.Ingest([]alert.Alert{resolved(daemonSet, start, start.Add(time.Minute), start.Add(2*time.Minute))})
		},
		want: []string{"firing→resolved"},
	}, {
		name: "a firing again, then a repeat",
		before: func(d *dedup.Deduper) []dedup.Change {
			return append(d.Ingest([]alert.Alert{firing(daemonSet, start, start, 0)}),
				d.Ingest([]alert.Alert{resolved(daemonSet, start, start.Add(time.Minute), start.Add(time.Minute))})...)
		},
		lost: func(d *dedup.Deduper) []dedup.Change {
			return d.Ingest([]alert.Alert{firing(daemonSet, start.Add(5*time.Minute), start.Add(5*time.Minute), 0)})
		},
		again: func(d *dedup.Deduper) []dedup.Change {
			return d.Ingest([]alert.Alert{firing(daemonSet, start.Add(5*time.Minute), start.Add(6*time.Minute), 0)})
		},
		want: []string{"refired:resolved→firing"},
	}, {
		name: "an occurrence, then the same occurrence again",
		lost: func(d *dedup.Deduper) []dedup.Change {
			return d.Ingest([]alert.Alert{occurrence(start)})
		},
		again: func(d *dedup.Deduper) []dedup.Change {
			return d.Ingest([]alert.Alert{occurrence(start)})
		},
		want: []string{"new:none"},
	}, {
		name: "a second occurrence, then the same occurrence again",
		before: func(d *dedup.Deduper) []dedup.Change {
			return d.Ingest([]alert.Alert{occurrence(start)})
		},
		lost: func(d *dedup.Deduper) []dedup.Change {
			return d.Ingest([]alert.Alert{occurrence(start.Add(time.Hour))})
		},
		again: func(d *dedup.Deduper) []dedup.Change {
			return d.Ingest([]alert.Alert{occurrence(start.Add(time.Hour))})
		},
		want: []string{"occurred"},
	}, {
		name: "unknown from a sweep, then the next sweep",
		before: func(d *dedup.Deduper) []dedup.Change {
			return d.Ingest([]alert.Alert{firing(daemonSet, start, start, time.Minute)})
		},
		lost: func(d *dedup.Deduper) []dedup.Change { return d.Sweep(start.Add(2 * time.Minute)) },
		again: func(d *dedup.Deduper) []dedup.Change {
			return d.Sweep(start.Add(3 * time.Minute))
		},
		want: []string{"firing→unknown"},
	}, {
		name: "a new alert, then a sweep",
		lost: func(d *dedup.Deduper) []dedup.Change {
			return d.Ingest([]alert.Alert{firing(daemonSet, start, start, 0)})
		},
		again: func(d *dedup.Deduper) []dedup.Change { return d.Sweep(start.Add(time.Minute)) },
		want:  []string{"new:firing"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := dedup.New(&dedup.Options{Now: func() time.Time { return start }})
			if tt.before != nil {
				tt.before(d)
			}
			lost := tt.lost(d)
			require.Len(t, lost, 1)
			d.Unpublish(lost)
			again := tt.again(d)
			assert.Equal(t, tt.want, summary(again))
			assert.Empty(t, summary(tt.again(d)), "published once more, then known")
		})
	}
}

// TestUnpublishAfterALaterChange: a lost change whose alert changed again
// meanwhile is told again with the latest state.
func TestUnpublishAfterALaterChange(t *testing.T) {
	start := day(26, "09:00:00")
	d := dedup.New(nil)
	lost := d.Ingest([]alert.Alert{firing(daemonSet, start, start, 0)})
	later := d.Ingest([]alert.Alert{resolved(daemonSet, start, start.Add(time.Minute), start.Add(time.Minute))})
	require.Equal(t, []string{"firing→resolved"}, summary(later))
	d.Unpublish(lost)
	again := d.Ingest([]alert.Alert{resolved(daemonSet, start, start.Add(time.Minute), start.Add(2*time.Minute))})
	require.Len(t, again, 1)
	assert.True(t, again[0].New, "downstream never recorded the alert")
	assert.Equal(t, alert.StateResolved, again[0].State)
}

// TestChangeIndex: a change names the report of the batch that made it.
func TestChangeIndex(t *testing.T) {
	start := day(26, "09:00:00")
	other := model.LabelSet{"alertname": "TargetDown", "job": "node"}
	d := dedup.New(nil)
	d.Ingest([]alert.Alert{firing(daemonSet, start, start, 0)})
	changes := d.Ingest([]alert.Alert{
		firing(daemonSet, start, start.Add(time.Second), 0), // a repeat: no change
		firing(other, start, start.Add(time.Second), time.Minute),
	})
	require.Len(t, changes, 1)
	assert.Equal(t, 1, changes[0].Index)
	swept := d.Sweep(start.Add(time.Hour))
	require.Len(t, swept, 1)
	assert.Equal(t, -1, swept[0].Index)
}

// TestRestoredRecordIsCheckedOnItsFirstReport: the first report of a
// restored alert is published, even a repeat, so that downstream checks the
// store; the ones after it are repeats again.
func TestRestoredRecordIsCheckedOnItsFirstReport(t *testing.T) {
	start := day(26, "09:00:00")
	d := dedup.New(nil)
	restored := firing(daemonSet, start, start, 4*time.Minute)
	require.True(t, d.Restore(restored, dedup.RestoreOptions{State: alert.StateFiring}))
	assert.Empty(t, summary(d.Sweep(start.Add(time.Minute))), "a sweep does not publish it")
	first := d.Ingest([]alert.Alert{firing(daemonSet, start, start.Add(2*time.Minute), 4*time.Minute)})
	require.Len(t, first, 1)
	assert.Equal(t, alert.StateFiring, first[0].State)
	assert.Equal(t, alert.StateFiring, first[0].From)
	assert.Empty(t, d.Ingest([]alert.Alert{firing(daemonSet, start, start.Add(3*time.Minute), 4*time.Minute)}))
}

// TestRefreshPromiseIsNews: a report that starts or stops promising a
// refresh is published, so that the store keeps the promise.
func TestRefreshPromiseIsNews(t *testing.T) {
	start := day(26, "09:00:00")
	d := dedup.New(nil)
	d.Ingest([]alert.Alert{firing(daemonSet, start, start, 4*time.Minute)})
	assert.Empty(t, d.Ingest([]alert.Alert{firing(daemonSet, start, start.Add(time.Minute), 4*time.Minute)}), "a later deadline is a repeat")
	none := d.Ingest([]alert.Alert{firing(daemonSet, start, start.Add(2*time.Minute), 0)})
	require.Len(t, none, 1, "no promise any more")
	assert.True(t, none[0].Alert.RefreshBy.IsZero())
	again := d.Ingest([]alert.Alert{firing(daemonSet, start, start.Add(3*time.Minute), 4*time.Minute)})
	require.Len(t, again, 1, "a promise again")
	assert.False(t, again[0].Alert.RefreshBy.IsZero())
}

// TestRestoredUnknownStaysUnknown: an alert restored unknown stays
// unknown until its source reports it, whatever refresh deadline it brings.
func TestRestoredUnknownStaysUnknown(t *testing.T) {
	start := day(26, "09:00:00")
	d := dedup.New(nil)
	a := firing(daemonSet, start, start, 4*time.Minute)
	a.UpdatedAt = start.Add(time.Hour)
	a.RefreshBy = start.Add(time.Hour + 4*time.Minute) // pushed by a restart
	require.True(t, d.Restore(a, dedup.RestoreOptions{State: alert.StateUnknown}))
	assert.Empty(t, summary(d.Sweep(start.Add(time.Hour+time.Minute))), "no firing made up")
	rec, _ := d.Get(alert.Fingerprint(daemonSet))
	assert.Equal(t, alert.StateUnknown, rec.State)
	again := d.Ingest([]alert.Alert{firing(daemonSet, start, start.Add(2*time.Hour), 4*time.Minute)})
	assert.Equal(t, []string{"unknown→firing"}, summary(again))
}

// TestRestoredUnknownWithoutADeadline: an alert restored unknown without a
// refresh deadline stays unknown too.
func TestRestoredUnknownWithoutADeadline(t *testing.T) {
	start := day(26, "09:00:00")
	d := dedup.New(nil)
	a := alert.Alert{Labels: daemonSet, StartsAt: start, UpdatedAt: start.Add(time.Hour)}
	require.True(t, d.Restore(a, dedup.RestoreOptions{State: alert.StateUnknown}))
	assert.Empty(t, summary(d.Sweep(start.Add(time.Hour+time.Minute))))
}
