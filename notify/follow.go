package notify

import (
	"context"
	"slices"
	"strconv"

	"github.com/alertkit/alertkit/incident"
)

// Follow tells the receivers an incident was delivered to that it changed:
// acknowledged, resolved, handed over — so that PagerDuty resolves its
// incident and a chat message is updated. The key is the incident's ID,
// the reason and its version, the same for the same change.
func (d *Dispatcher) Follow(ctx context.Context, view incident.View, reason Reason, note string, o *SnapshotOptions) error {
	return d.FollowAs(ctx, string(view.ID)+"/"+string(reason)+"/v"+strconv.FormatInt(view.Version, 10), view, reason, note, o)
}

// FollowAs is Follow with the notifications' key given: the key of the
// change followed up, such as its follow-up timer's, so that a follow-up
// made again — by another replica, or after a crash — has the same key.
func (d *Dispatcher) FollowAs(ctx context.Context, key string, view incident.View, reason Reason, note string, o *SnapshotOptions) error {
	attempts, err := d.log.Attempts(ctx, view.ID)
	if err != nil {
		return err
	}
	var receivers []string
	for _, a := range attempts {
		if a.Outcome == OutcomeDelivered && a.Reason != ReasonDigest && !slices.Contains(receivers, a.Receiver) {
			receivers = append(receivers, a.Receiver)
		}
	}
	snap := NewSnapshot(view, o)
	for _, r := range receivers {
		n := &Notification{
			Key:    key,
			Reason: reason, At: d.opts.Now(), Receiver: r, Note: note, Incident: snap,
		}
		if err := d.Send(ctx, n); err != nil {
			return err
		}
	}
	return nil
}
