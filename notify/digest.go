package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/alertkit/alertkit/incident"
)

// nextDigest is the end of the digest period that holds t.
func (d *Dispatcher) nextDigest(t time.Time) time.Time {
	return d.digests.Next(t.In(d.opts.Location))
}

// digestItem is an incident waiting for a receiver's digest.
type digestItem struct {
	Receiver string   `json:"receiver"`
	Snapshot Snapshot `json:"snapshot"`
}

// AddToDigest puts an incident in a receiver's next digest — what a batch
// response asks for. Added again in the same period, its snapshot is
// replaced: an incident is in a digest once.
func (d *Dispatcher) AddToDigest(ctx context.Context, receiver string, s Snapshot) error {
	if _, ok := d.receivers[receiver]; !ok {
		return fmt.Errorf("notify: digest: unknown receiver %q", receiver)
	}
	if s.ID == "" {
		return fmt.Errorf("notify: digest for %s: a snapshot without an incident ID", receiver)
	}
	at := d.nextDigest(d.opts.Now())
	data, err := json.Marshal(digestItem{Receiver: receiver, Snapshot: s})
	if err != nil {
		return fmt.Errorf("notify: digest for %s: %w", receiver, err)
	}
	// The item, then the flush of its period: both keyed, so that adding
	// again is harmless.
	if err := d.store.SetTimer(ctx, incident.Timer{
		Key: TimerDigestItem + "/" + receiver + "/" + string(s.ID), Kind: TimerDigestItem, Incident: s.ID, Due: at, Data: string(data),
	}); err != nil {
		return err
	}
	return d.store.SetTimer(ctx, incident.Timer{
		Key: TimerDigest + "/" + strconv.FormatInt(at.Unix(), 10), Kind: TimerDigest, Due: at, Data: at.Format(time.RFC3339),
	})
}

// flushDigests sends the digests of a period that ended: the waiting
// items, one notification per receiver, through the outbox.
func (d *Dispatcher) flushDigests(ctx context.Context, t incident.Timer) error {
	byReceiver := map[string][]incident.Timer{}
	items := map[string][]Snapshot{}
	for {
		claimed, err := d.store.ClaimTimers(ctx, incident.Claim{
			Now: t.Due, Owner: d.opts.Owner, Lease: d.opts.Timeout + time.Minute, Limit: 1000, Kinds: []string{TimerDigestItem},
		})
		if err != nil {
			return err
		}
		for _, it := range claimed {
			var item digestItem
			if err := json.Unmarshal([]byte(it.Data), &item); err != nil {
				_ = d.store.CompleteTimer(ctx, it)
				d.report(fmt.Errorf("notify: unreadable digest item %s, dropped: %w", it.Key, err))
				continue
			}
			byReceiver[item.Receiver] = append(byReceiver[item.Receiver], it)
			items[item.Receiver] = append(items[item.Receiver], item.Snapshot)
		}
		if len(claimed) < 1000 {
			break
		}
	}
	var errs []error
	for _, receiver := range slices.Sorted(maps.Keys(items)) {
		snaps := items[receiver]
		slices.SortStableFunc(snaps, func(a, b Snapshot) int { return a.CreatedAt.Compare(b.CreatedAt) })
		n := &Notification{
			Key: "digest/" + receiver + "/" + t.Due.UTC().Format(time.RFC3339), Reason: ReasonDigest, At: t.Due,
			Receiver: receiver, Incident: snaps[0], Items: snaps,
			Note: fmt.Sprintf("%d incidents handled in batch", len(snaps)),
		}
		if len(snaps) == 1 {
			n.Note = "1 incident handled in batch"
		}
		if _, ok := d.receivers[receiver]; !ok {
			errs = append(errs, fmt.Errorf("digest for an unknown receiver %q dropped", receiver))
		} else if err := d.enqueue(ctx, envelope{N: *n}, d.opts.Now()); err != nil {
			errs = append(errs, err)
			continue // the items stay leased, and come back
		}
		for _, it := range byReceiver[receiver] {
			if err := d.store.CompleteTimer(ctx, it); err != nil && !errors.Is(err, incident.ErrLeaseLost) {
				errs = append(errs, err)
			}
		}
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	if err := d.store.CompleteTimer(ctx, t); err != nil && !errors.Is(err, incident.ErrLeaseLost) {
		return err
	}
	d.poke()
	return nil
}
