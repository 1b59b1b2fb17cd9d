package pipeline

import (
	"context"
	"fmt"
	"slices"

	"github.com/alertkit/alertkit/escalate"
	"github.com/alertkit/alertkit/incident"
	"github.com/alertkit/alertkit/notify"
)

// Contacts says which receivers reach people and teams: "vasiliy" →
// ["pagerduty-vasiliy", "slack-dm-vasiliy"], "sre" → ["slack-sre"].
type Contacts struct {
	People map[string][]string
	Teams  map[string][]string
	// Fallback receives what addresses someone without a contact; empty
	// means such a page is an error.
	Fallback []string
	// Digest receives the digests of batch incidents.
	Digest []string
}

// Pages hands the escalator's pages to a notify.Dispatcher: it is the
// escalate.Pager that joins the two stages. Each page becomes one
// notification per receiver that reaches its people, teams and receivers,
// with the page's key as the idempotency key; a digest page puts the
// incident in the digests of Contacts.Digest.
type Pages struct {
	Dispatcher *notify.Dispatcher
	Incidents  *incident.Manager
	Contacts   Contacts
	// Snapshot, if set, adds to the incident's snapshot: its URL,
	// service level, runbooks.
	Snapshot *notify.SnapshotOptions
}

var _ escalate.Pager = (*Pages)(nil)

// Notify turns a page into notifications and puts them in the outbox.
func (p *Pages) Notify(ctx context.Context, page escalate.Page) error {
	view, err := p.Incidents.View(ctx, page.Incident)
	if err != nil {
		return fmt.Errorf("pipeline: page %s: %w", page.Key, err)
	}
	snap := notify.NewSnapshot(view, p.Snapshot)
	if page.Kind == escalate.PageDigest {
		if len(p.Contacts.Digest) == 0 {
			return fmt.Errorf("pipeline: page %s: a digest, and no digest receivers", page.Key)
		}
		for _, r := range p.Contacts.Digest {
			if err := p.Dispatcher.AddToDigest(ctx, r, snap); err != nil {
				return err
			}
		}
		return nil
	}
	reason := notify.ReasonEscalation
	if page.Kind == escalate.PageBaton {
		reason = notify.ReasonHandover
	}
	// Gather, per receiver, whom it addresses.
	type who struct{ people, teams []string }
	byReceiver := map[string]*who{}
	var order []string
	add := func(receiver, person, team string) {
		w, ok := byReceiver[receiver]
		if !ok {
			w = &who{}
			byReceiver[receiver] = w
			order = append(order, receiver)
		}
		if person != "" && !slices.Contains(w.people, person) {
			w.people = append(w.people, person)
		}
		if team != "" && !slices.Contains(w.teams, team) {
			w.teams = append(w.teams, team)
		}
	}
	var nobody []string
	reach := func(receivers []string, person, team string) {
		if len(receivers) == 0 {
			receivers = p.Contacts.Fallback
		}
		if len(receivers) == 0 {
			nobody = append(nobody, person+team)
		}
		for _, r := range receivers {
			add(r, person, team)
		}
	}
	for _, person := range page.People {
		reach(p.Contacts.People[person], person, "")
	}
	for _, team := range page.Teams {
		reach(p.Contacts.Teams[team], "", team)
	}
	for _, r := range page.Receivers {
		add(r, "", "")
	}
	if len(nobody) > 0 {
		return fmt.Errorf("pipeline: page %s: no receiver reaches %v", page.Key, nobody)
	}
	for _, r := range order {
		w := byReceiver[r]
		n := &notify.Notification{
			Key: page.Key, Reason: reason, Receiver: r,
			People: w.people, Teams: w.teams, Note: page.Reason, Incident: snap,
		}
		if err := p.Dispatcher.Send(ctx, n); err != nil {
			return err
		}
	}
	return nil
}
