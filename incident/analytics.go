package incident

import (
	"context"
	"fmt"
	"time"

	"github.com/alertkit/alertkit/mql"
)

// Search returns the incidents that an MQL query selects, newest first, at
// most limit of them (0 means 100). A label predicate holds when any alert
// of the incident satisfies it; see View.
func (m *Manager) Search(ctx context.Context, query string, limit int) ([]*Incident, error) {
	if err := m.check(); err != nil {
		return nil, err
	}
	q, err := mql.Parse(query)
	if err != nil {
		return nil, fmt.Errorf("incident: search: %w", err)
	}
	return m.store.Search(ctx, Filter{Query: q, At: m.opts.Now(), Limit: limit})
}

// View returns an incident with its members, as at now.
func (m *Manager) View(ctx context.Context, id ID) (View, error) {
	if err := m.check(); err != nil {
		return View{}, err
	}
	inc, err := m.store.Get(ctx, id)
	if err != nil {
		return View{}, err
	}
	members, err := m.store.Members(ctx, id)
	if err != nil {
		return View{}, err
	}
	return View{Incident: inc, Members: members, At: m.opts.Now()}, nil
}

// Similar is what the history says about incidents like one: the same
// project and the same set of triggers.
type Similar struct {
	// Count is how many there were, the incident itself excluded.
	Count int
	// Recent are the newest of them.
	Recent []*Incident
	// MTTA and MTTR are their mean times to acknowledge and to resolve.
	MTTA, MTTR time.Duration
}

// Similar returns the incidents similar to inc, with the newest limit of
// them (0 means 10).
func (m *Manager) Similar(ctx context.Context, inc *Incident, limit int) (Similar, error) {
	if err := m.check(); err != nil {
		return Similar{}, err
	}
	if limit == 0 {
		limit = 10
	}
	all, err := m.store.Search(ctx, Filter{Signature: inc.Signature(), Limit: -1})
	if err != nil {
		return Similar{}, err
	}
	var s Similar
	var stats Stats
	for _, other := range all {
		if other.ID == inc.ID {
			continue
		}
		s.Count++
		stats.add(other)
		if len(s.Recent) < limit {
			s.Recent = append(s.Recent, other)
		}
	}
	stats.finish()
	s.MTTA, s.MTTR = stats.MTTA, stats.MTTR
	return s, nil
}

// Stats summarise a set of incidents.
type Stats struct {
	Incidents int
	// Acknowledged and Resolved count those that were.
	Acknowledged, Resolved int
	// MTTA is the mean time from opening to acknowledgement, over the
	// acknowledged ones; MTTR from opening to resolution, over the resolved
	// ones.
	MTTA, MTTR time.Duration

	ackSum, resolveSum time.Duration
}

func (s *Stats) add(inc *Incident) {
	s.Incidents++
	if !inc.AckedAt.IsZero() {
		s.Acknowledged++
		s.ackSum += inc.AckedAt.Sub(inc.CreatedAt)
	}
	if !inc.ResolvedAt.IsZero() {
		s.Resolved++
		s.resolveSum += inc.ResolvedAt.Sub(inc.CreatedAt)
	}
}

func (s *Stats) finish() {
	if s.Acknowledged > 0 {
		s.MTTA = s.ackSum / time.Duration(s.Acknowledged)
	}
	if s.Resolved > 0 {
		s.MTTR = s.resolveSum / time.Duration(s.Resolved)
	}
}

// Report is hot analytics over a time range.
type Report struct {
	From, To  time.Time
	Total     Stats
	ByProject map[string]Stats
	// ByTrigger counts an incident once under each of its triggers.
	ByTrigger map[string]Stats
}

// Analytics computes MTTA and MTTR of the incidents opened in [from, to),
// in all, by project and by trigger.
func (m *Manager) Analytics(ctx context.Context, from, to time.Time) (Report, error) {
	if err := m.check(); err != nil {
		return Report{}, err
	}
	all, err := m.store.Search(ctx, Filter{CreatedFrom: from, CreatedTo: to, Limit: -1})
	if err != nil {
		return Report{}, err
	}
	r := Report{From: from, To: to, ByProject: map[string]Stats{}, ByTrigger: map[string]Stats{}}
	for _, inc := range all {
		r.Total.add(inc)
		p := r.ByProject[inc.Project]
		p.add(inc)
		r.ByProject[inc.Project] = p
		for _, trig := range inc.Triggers {
			t := r.ByTrigger[trig]
			t.add(inc)
			r.ByTrigger[trig] = t
		}
	}
	r.Total.finish()
	for k, s := range r.ByProject {
		s.finish()
		r.ByProject[k] = s
	}
	for k, s := range r.ByTrigger {
		s.finish()
		r.ByTrigger[k] = s
	}
	return r, nil
}
