// Package route is the switch: it decides, by MQL rules, where an alert goes
// — which people, teams, receivers or escalation policies, grouped into which
// incident — and whether it should be heard at all: triage rules (robots),
// silences, inhibition, and time intervals. It also finds an alert's
// runbooks.
//
// # Routes
//
// A [Rule] sends the alerts its query matches to its targets: a user
// (@vasiliy.vasiliyev), a team (team:sre), a receiver (receiver:slack-ops),
// an escalation policy (policy:db-oncall) or whoever is on call for a layer
// of a schedule (oncall:sre/L1); the escalate package resolves the last two.
// Rules are written in the line form,
//
//	project = "horns-and-hooves" AND ~server = "gitlab" -> @vasiliy.vasiliyev
//
// or as YAML with every setting ([Parse]): continue, group_by, the group
// timings, active and mute time intervals, and nested routes. They behave as
// Alertmanager's routes: the first rule that matches takes the alert, unless
// it says continue; nested rules refine their parent; a default route takes
// the rest; unset settings are inherited. [FromAlertmanager] imports an
// Alertmanager configuration's route tree, inhibit_rules and time intervals.
//
//	cfg, err := route.LoadFile("routes.yaml")
//	err = cfg.CheckTargets(route.Names{Receivers: receivers, Schedules: schedules, Policies: policies})
//	stages, err := route.Build(cfg, nil) // the router, triage, inhibitor and silences
//	for _, rt := range stages.Router.Route(&route.Subject{Alert: &a, Class: class, At: now}) {
//		// rt.Targets, rt.Grouping (for incident.Manager.Observe), rt.Muted
//	}
//
// Build checks the rules, but cannot know what their targets name: a
// route to receiver:team-paymnts would page nobody. [Config.CheckTargets]
// checks every target against the receivers, people, teams, policies and
// on-call layers the service has ([Names]), and reports each one that names
// nothing with the line and column where it was written.
//
// Routing is indexed: the equalities of sibling rules (trigger = X, ~service
// = Y, ~team IN (a, b)) are looked up rather than tested one by one, so ten
// thousand rules route an alert in about a microsecond. [Router.Explain]
// says, rule by rule, what happened to an alert and the first term of each
// query that failed.
//
// # Silences and inhibition
//
// [Silences] mute alerts for a while, by MQL, with an author and a comment.
// An [Inhibitor] mutes the alerts of a rule's target while an alert of its
// source fires with the same values of the equal labels, as Alertmanager's
// inhibit_rules.
//
// # Triage and runbooks
//
// [Triage] rules act on alerts before they are routed: drop them, set their
// severity, add labels, and on their incident assign, acknowledge, or
// resolve after a quiet period. [Runbooks] are Markdown files with front
// matter (title, mql, priority); every runbook whose query matches an alert
// or an incident is returned, highest priority first.
//
// # Subjects
//
// Rules match a [Subject]: an alert, its state at a time, and its
// classification by the severity package, from which the severity and
// service_level fields come. Runbooks match any MQL subject, incidents
// included.
//
// # Testing routes
//
// The subpackage route/routetest runs route tests written in YAML from a
// go test: alerts, and where they must go.
//
// # Concurrency
//
// A Router, Triage, Runbooks, Silences and an Inhibitor may be used by many
// goroutines at once.
package route
