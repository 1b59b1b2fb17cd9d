package pipelinetest

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/alertkit/alertkit/alert"
	"github.com/alertkit/alertkit/incident"
)

// op is what a step does.
type op uint8

const (
	opFire          op = iota + 1 // a source says the alert fires
	opResolve                     // a source says it resolved
	opQuiet                       // the Prometheus stops sending it
	opFlap                        // a source says it fires and resolves, three times, a minute apart
	opAdvance                     // time passes
	opAck                         // a person acknowledges the alert's incident
	opUnack                       // and takes the acknowledgement back
	opSnooze                      // snoozes it, with or without resolve-if-OK
	opHandover                    // hands it over
	opResolveByHand               // resolves it (refused while alerts are active)
	opReopenByHand                // reopens it
	opRestart                     // a replica restarts
	opKill                        // a replica dies
	opRevive                      // a dead replica starts again
	opReload                      // the replicas restart with another configuration
	opStoreDown                   // the store is down for a while
	opFailWrites                  // the next few writes fail
	opLoseReplies                 // the next few writes are made, and their replies lost
	opBlink                       // the database restarts: connections drop
)

// step is one step of a simulation; every choice is made when the steps
// are generated, so that a sequence replays the same.
type step struct {
	op      op
	alert   int           // the alert, an index of Options.Alerts
	source  int           // 0: the Prometheus, 1: the Alertmanager
	who     int           // a person, an index of Options.People
	replica int           // a replica
	d       time.Duration // how long
	n       int           // how many, or which configuration
	ifOK    bool          // snooze: resolve if OK
}

// weights say how often each op comes; ops that cannot apply are left out.
func weights(o *Options) map[op]int {
	w := map[op]int{
		opFire: 16, opResolve: 11, opQuiet: 2, opFlap: 2, opAdvance: 30,
		opAck: 5, opUnack: 1, opSnooze: 3, opHandover: 2, opResolveByHand: 2, opReopenByHand: 1,
		opRestart: 2, opStoreDown: 2, opFailWrites: 2, opLoseReplies: 1,
		opBlink: 1, // a database restart, where the backend has one
	}
	if len(o.Reloads) > 0 {
		w[opReload] = 1
	}
	if o.Replicas > 1 {
		w[opKill], w[opRevive] = 2, 2
	}
	return w
}

// generate makes the steps of a simulation from its seed.
func generate(o *Options) []step {
	rng := rand.New(rand.NewPCG(o.Seed, 0x616c6572746b6974))
	ws := weights(o)
	var ops []op
	for k := opFire; k <= opBlink; k++ {
		for range ws[k] {
			ops = append(ops, k)
		}
	}
	steps := make([]step, o.Steps)
	for i := range steps {
		s := step{
			op:      ops[rng.IntN(len(ops))],
			alert:   rng.IntN(len(o.Alerts)),
			source:  rng.IntN(2),
			who:     rng.IntN(len(o.People)),
			replica: rng.IntN(o.Replicas),
		}
		switch s.op {
		case opAdvance:
			if rng.IntN(10) == 0 {
				s.d = time.Duration(10+rng.IntN(170)) * time.Minute // now and then, hours
			} else {
				s.d = time.Duration(5+rng.IntN(180)) * time.Second
			}
		case opSnooze:
			s.d = []time.Duration{30 * time.Minute, time.Hour, 3 * time.Hour}[rng.IntN(3)]
			s.ifOK = rng.IntN(2) == 0
		case opStoreDown:
			s.d = time.Duration(10+rng.IntN(300)) * time.Second
		case opFailWrites, opLoseReplies:
			s.n = 1 + rng.IntN(5)
		case opReload:
			s.n = rng.IntN(len(o.Reloads) + 1)
		}
		steps[i] = s
	}
	return steps
}

// describe says what a step does, for the report of a failure.
func (s step) describe(o *Options) string {
	a := o.Alerts[s.alert].String()
	src := []string{"the Prometheus", "the Alertmanager"}[s.source]
	who := o.People[s.who]
	switch s.op {
	case opFire:
		return fmt.Sprintf("%s says %s fires", src, a)
	case opResolve:
		return fmt.Sprintf("%s says %s resolved", src, a)
	case opQuiet:
		return fmt.Sprintf("the Prometheus stops sending %s", a)
	case opFlap:
		return fmt.Sprintf("%s says %s fires and resolves three times, a minute apart", src, a)
	case opAdvance:
		return fmt.Sprintf("%s pass", s.d)
	case opAck:
		return fmt.Sprintf("%s acknowledges the incident of %s", who, a)
	case opUnack:
		return fmt.Sprintf("%s unacknowledges the incident of %s", who, a)
	case opSnooze:
		return fmt.Sprintf("%s snoozes the incident of %s for %s (resolve if OK: %v)", who, a, s.d, s.ifOK)
	case opHandover:
		return fmt.Sprintf("the owner of the incident of %s hands it over to %s", a, who)
	case opResolveByHand:
		return fmt.Sprintf("%s resolves the incident of %s", who, a)
	case opReopenByHand:
		return fmt.Sprintf("%s reopens the incident of %s", who, a)
	case opRestart:
		return fmt.Sprintf("replica r%d restarts", s.replica+1)
	case opKill:
		return fmt.Sprintf("replica r%d dies", s.replica+1)
	case opRevive:
		return fmt.Sprintf("replica r%d starts again", s.replica+1)
	case opReload:
		return fmt.Sprintf("every replica restarts with configuration %d", s.n)
	case opStoreDown:
		return fmt.Sprintf("the store is down for %s", s.d)
	case opFailWrites:
		return fmt.Sprintf("the next %d writes fail", s.n)
	case opLoseReplies:
		return fmt.Sprintf("the next %d writes are made and their replies lost", s.n)
	case opBlink:
		return "the database restarts"
	}
	return fmt.Sprintf("op %d", s.op)
}

// do carries a step out. It returns an error only for a broken invariant
// seen on the way (an accepted alert not in the store).
func (w *world) do(s step) error {
	switch s.op {
	case opFire, opResolve:
		state := alert.StateFiring
		if s.op == opResolve {
			state = alert.StateResolved
		}
		return w.say(s.source, s.alert, state)
	case opQuiet:
		w.sources[0].views[s.alert].quiet = true
		return nil
	case opFlap:
		for range 3 {
			if err := w.say(s.source, s.alert, alert.StateFiring); err != nil {
				return err
			}
			if err := w.advance(time.Minute); err != nil {
				return err
			}
			if err := w.say(s.source, s.alert, alert.StateResolved); err != nil {
				return err
			}
			if err := w.advance(time.Minute); err != nil {
				return err
			}
		}
		return nil
	case opAdvance:
		return w.advance(s.d)
	case opAck, opUnack, opSnooze, opHandover, opResolveByHand, opReopenByHand:
		w.act(s)
		return nil
	case opRestart:
		r := w.replicas[s.replica]
		w.report.Restarts++
		w.disrupt(w.o.Lease + 2*w.o.Tick)
		return w.startReplica(r)
	case opKill:
		r := w.replicas[s.replica]
		if r.alive && len(w.alive()) > 1 {
			r.kill()
			w.report.Kills++
			w.disrupt(w.o.Lease + 2*w.o.Tick)
		}
		return nil
	case opRevive:
		r := w.replicas[s.replica]
		if !r.alive {
			return w.startReplica(r)
		}
		return nil
	case opReload:
		w.config = s.n
		w.report.Reloads++
		w.disrupt(w.o.Lease + 2*w.o.Tick)
		for _, r := range w.alive() {
			if err := w.startReplica(r); err != nil {
				return err
			}
		}
		return nil
	case opStoreDown:
		w.report.Outages++
		w.faults.SetDown(true)
		w.disrupt(s.d + w.o.Lease + 2*w.o.Tick)
		err := w.advance(s.d)
		w.faults.SetDown(false)
		return err
	case opFailWrites:
		w.report.FailedWrites += s.n
		w.faults.FailNext(s.n)
		w.disrupt(w.o.Lease + 2*w.o.Tick)
		return nil
	case opLoseReplies:
		w.report.LostReplies += s.n
		w.faults.LoseReplies(s.n)
		w.disrupt(w.o.Lease + 2*w.o.Tick)
		return nil
	case opBlink:
		if w.backend.Blink == nil {
			return nil
		}
		w.report.Blinks++
		w.disrupt(w.o.Lease + 2*w.o.Tick)
		return w.backend.Blink()
	}
	return fmt.Errorf("unknown op %d", s.op)
}

// disrupt notes that the service may be late by d from now: a restart, an
// outage, failing writes.
func (w *world) disrupt(d time.Duration) {
	now := w.clock.Now()
	// What a check looks back on spans hours at most: a day's are kept.
	w.disruptions = slices.DeleteFunc(w.disruptions, func(x disruption) bool { return x.to.Before(now.Add(-24 * time.Hour)) })
	w.disruptions = append(w.disruptions, disruption{from: now, to: now.Add(d)})
}

// say makes a source say an alert's state, and send it.
func (w *world) say(src, a int, state alert.State) error {
	s := w.sources[src]
	v := &s.views[a]
	now := w.clock.Now()
	switch {
	case state == alert.StateFiring && v.state != alert.StateFiring:
		v.state, v.since, v.ended = alert.StateFiring, now, time.Time{}
	case state == alert.StateResolved && v.state == alert.StateFiring:
		v.state, v.ended = alert.StateResolved, now
	case state == alert.StateResolved && v.state == alert.StateNone:
		v.state, v.since, v.ended = alert.StateResolved, now, now
	}
	v.quiet = false
	return w.send(src, []int{a})
}

// send sends the reports of alerts from a source to every live replica.
func (w *world) send(src int, alerts []int) error {
	s := w.sources[src]
	now := w.clock.Now()
	batch := make([]alert.Alert, len(alerts))
	for i, a := range alerts {
		v := s.views[a]
		r := alert.Alert{
			Labels: w.alerts[a].labels.Clone(), StartsAt: v.since, UpdatedAt: now, Source: s.name,
		}
		if v.state == alert.StateResolved {
			r.EndsAt = v.ended
		} else if s.refresh {
			r.RefreshBy = now.Add(4 * time.Minute)
		}
		batch[i] = r
	}
	w.report.Reports += len(batch)
	taken := make([]bool, len(batch))
	for _, r := range w.alive() {
		err := r.svc.Pipeline.Ingest(w.ctx, cloneAlerts(batch))
		refused := map[int]bool{}
		if rej, ok := errors.AsType[*alert.RejectedError](err); ok {
			for _, x := range rej.Rejections {
				refused[x.Index] = true
			}
		} else if err != nil {
			for i := range batch {
				refused[i] = true
			}
		}
		for i := range batch {
			if refused[i] {
				continue
			}
			taken[i] = true
			if err := w.inStore(&batch[i]); err != nil {
				return fmt.Errorf("replica %s answered that it recorded %s from %s, and the store says otherwise: %w",
					r.name, batch[i].Labels, s.name, err)
			}
		}
	}
	for i, a := range alerts {
		m := w.alerts[a]
		v := &s.views[a]
		wasPending := v.pending
		v.pending = !taken[i]
		switch {
		case taken[i]:
			w.report.Accepted++
			m.acc = &batch[i]
		default:
			w.report.Refused++
		}
		if v.pending != wasPending {
			if v.pending {
				m.pending++
			} else {
				m.pending--
			}
		}
	}
	return nil
}

func cloneAlerts(batch []alert.Alert) []alert.Alert {
	out := make([]alert.Alert, len(batch))
	for i, a := range batch {
		out[i] = a
		out[i].Labels = a.Labels.Clone()
	}
	return out
}

// advance moves the clock by d, tick by tick: at every tick each live
// replica runs Tick, the Prometheus re-sends what it fires (and what
// resolved in the last 15 minutes) every minute, and the Alertmanager
// sends again what no replica took.
func (w *world) advance(d time.Duration) error {
	end := w.clock.Now().Add(d)
	for {
		next := w.clock.Now().Truncate(w.o.Tick).Add(w.o.Tick)
		if next.After(end) {
			w.clock.Set(end)
			return nil
		}
		w.clock.Set(next)
		if err := w.tick(); err != nil {
			return err
		}
	}
}

// tick is one tick of the world.
func (w *world) tick() error {
	now := w.clock.Now()
	if now.Truncate(time.Minute).Equal(now) {
		var again []int
		for a, v := range w.sources[0].views {
			if !v.quiet && (v.state == alert.StateFiring || v.state == alert.StateResolved && now.Sub(v.ended) < 15*time.Minute) {
				again = append(again, a)
			}
		}
		if len(again) > 0 {
			if err := w.send(0, again); err != nil {
				return err
			}
		}
	}
	var retry []int
	for a, v := range w.sources[1].views {
		if v.pending {
			retry = append(retry, a)
		}
	}
	if len(retry) > 0 {
		if err := w.send(1, retry); err != nil {
			return err
		}
	}
	for _, r := range w.alive() {
		_ = r.svc.Pipeline.Tick(w.ctx) // errors are the store's; the checks judge
	}
	return nil
}

// incidentOf returns the newest incident that holds an alert.
func (w *world) incidentOf(a int) *incident.Incident {
	w.mu.Lock()
	group, ok := w.groupOf[w.alerts[a].fp]
	w.mu.Unlock()
	if ok {
		if inc, err := w.store.LatestByGroup(w.ctx, group); err == nil {
			if _, err := w.store.Member(w.ctx, inc.ID, w.alerts[a].fp); err == nil {
				return inc
			}
		}
	}
	incs, err := w.store.Search(w.ctx, incident.Filter{Limit: -1})
	if err != nil {
		return nil
	}
	for _, inc := range incs { // newest first
		if _, err := w.store.Member(w.ctx, inc.ID, w.alerts[a].fp); err == nil {
			return inc
		}
	}
	return nil
}

// act is a person acting on the incident of an alert, through the first
// live replica, as the incident API does. What the Manager refuses is
// refused: people try things.
func (w *world) act(s step) {
	inc := w.incidentOf(s.alert)
	alive := w.alive()
	if inc == nil || len(alive) == 0 {
		return
	}
	svc := alive[0].svc
	m := svc.Incidents
	who := w.people[s.who]
	var changed *incident.Incident
	var kind incident.EventKind
	var err error
	switch s.op {
	case opAck:
		changed, err = m.Acknowledge(w.ctx, inc.ID, who, "on it")
		kind = incident.EventAcknowledged
	case opUnack:
		changed, err = m.Unacknowledge(w.ctx, inc.ID, who, "not mine")
		kind = incident.EventUnacknowledged
	case opSnooze:
		changed, err = m.Snooze(w.ctx, inc.ID, who, incident.SnoozeOptions{For: s.d, ResolveIfOK: s.ifOK, Comment: "later"})
		kind = incident.EventSnoozed
	case opHandover:
		from := inc.Owner
		if from == "" {
			from = who
		}
		changed, err = m.Handover(w.ctx, inc.ID, from, incident.HandoverOptions{To: who, Note: "yours"})
		kind = incident.EventHandedOver
	case opResolveByHand:
		changed, err = m.Resolve(w.ctx, inc.ID, who, incident.ResolveOptions{Note: "fixed"})
		kind = incident.EventResolved
	case opReopenByHand:
		changed, err = m.Reopen(w.ctx, inc.ID, who, "not fixed")
		kind = incident.EventReopened
	}
	if err == nil && changed != nil {
		svc.Pipeline.Changed(w.ctx, changed, kind)
	}
}
