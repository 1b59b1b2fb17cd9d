package escalate

import (
	"errors"
	"fmt"
	"time"

	"github.com/alertkit/alertkit/route"
	"github.com/alertkit/alertkit/severity"
)

// Step is one step of an escalation policy: notify targets, then wait for
// an acknowledgement before the next step.
type Step struct {
	// Notify are users (@name), teams (team:name), receivers
	// (receiver:name) and on-call persons (oncall:schedule/layer).
	Notify []route.Target
	// Wait is how long the step's targets have to acknowledge before the
	// next step.
	Wait time.Duration
}

// Policy is an ordered escalation: its steps, run Repeat more times when
// the last one passes unacknowledged. Acknowledging or resolving the
// incident stops it; snoozing pauses it.
type Policy struct {
	Name   string
	Steps  []Step
	Repeat int
}

// Validate checks a policy; errors name the step.
func (p *Policy) Validate() error {
	switch {
	case p.Name == "":
		return errors.New("policy: missing name")
	case len(p.Steps) == 0:
		return fmt.Errorf("policy %s: no steps", p.Name)
	case p.Repeat < 0:
		return fmt.Errorf("policy %s: negative repeat", p.Name)
	}
	for i, s := range p.Steps {
		if len(s.Notify) == 0 {
			return fmt.Errorf("policy %s: step %d: nobody to notify", p.Name, i+1)
		}
		for _, t := range s.Notify {
			if t.Kind == route.TargetPolicy {
				return fmt.Errorf("policy %s: step %d: a policy (%s) cannot be a step's target", p.Name, i+1, t)
			}
		}
		last := i == len(p.Steps)-1
		if s.Wait <= 0 && (!last || p.Repeat > 0) {
			return fmt.Errorf("policy %s: step %d: no wait before the next step", p.Name, i+1)
		}
	}
	return nil
}

// Ladder is who is paged, level after level, when a page goes
// unacknowledged: L1, then L2, then the owning team or its lead — the
// usual on-call structure. Each level is a list of targets.
type Ladder [][]route.Target

// Derive returns the policy the response matrix gives a response: for a
// page within d, one step per level of the ladder, each with d to
// acknowledge before the next level is paged. Batch and retrospective
// responses page nobody, and have no policy: Derive returns nil.
func Derive(name string, r severity.Response, ladder Ladder) *Policy {
	if r.Mode != severity.ModePage || len(ladder) == 0 {
		return nil
	}
	p := &Policy{Name: name}
	for _, level := range ladder {
		p.Steps = append(p.Steps, Step{Notify: level, Wait: r.Within})
	}
	return p
}
