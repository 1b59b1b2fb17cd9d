package route

import "github.com/alertkit/alertkit/incident"

// Routes returns every route of the Router, the default first, then the
// rules depth first in the order they were written, each with its settings
// resolved as Route gives them (the targets and group labels inherited
// from its parents) but no group key, which belongs to an alert. A host
// that plans escalations ahead — every replica the same, whatever alerts
// it has seen — walks them.
func (r *Router) Routes() []Route {
	var out []Route
	var walk func(n *node)
	walk = func(n *node) {
		out = append(out, Route{
			Rule:     n.rule,
			ID:       n.id,
			Targets:  n.targets,
			Grouping: incident.Grouping{Key: n.id, By: n.groupBy},
			Timing:   n.timing,
		})
		for _, c := range n.children {
			walk(c)
		}
	}
	walk(r.root)
	return out
}
