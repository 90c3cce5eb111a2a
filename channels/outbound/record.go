package outbound

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/interactionledger/ledger/channels/internal/record"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore"
)

// deliveries is the delivery record of an interaction's replies.
var deliveries = record.Aggregate[domain.Deliveries, domain.RecordDeliveryAttempt]{
	Initial: func(stream string) domain.Deliveries {
		_, id := domain.StreamCategory(stream)
		return domain.Deliveries{InteractionID: id}
	},
	Evolve: domain.EvolveDeliveries,
	Decide: domain.DecideDelivery,
}

// Actor is the metadata actor of every delivery event.
const Actor = "system:outbound"

// recordTimeout bounds writing an attempt's record. The record is written
// even while the dispatcher stops: a reply the provider accepted must not
// be sent again after the restart for want of its record.
const recordTimeout = 15 * time.Second

func loadDeliveries(ctx context.Context, store eventstore.Store, interactionID string) (domain.Deliveries, int64, error) {
	return record.Load(ctx, store, deliveries, domain.DeliveryStream(interactionID))
}

// record writes the outcome of one attempt.
func (d *Dispatcher) record(ctx context.Context, job Delivery, receipt Receipt, sendErr error, gaveUp bool) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
	defer cancel()
	cmd := domain.RecordDeliveryAttempt{
		SourceEventID: job.SourceEventID, MessageID: job.MessageID, Channel: job.Channel, Attempt: job.Attempt,
		ProviderMessageID: receipt.ProviderMessageID, Detail: receipt.Detail, Permanent: IsPermanent(sendErr), GaveUp: gaveUp,
	}
	if sendErr != nil {
		cmd.Err = sendErr.Error()
	}
	req := record.Request{
		Stream: domain.DeliveryStream(job.InteractionID),
		Meta: eventstore.Metadata{
			CorrelationID: job.CorrelationID, CausationID: job.SourceEventID, Actor: Actor,
			Channel: string(job.Channel), Command: "RecordDeliveryAttempt",
		},
		Key: "delivery:" + job.SourceEventID + "#" + strconv.Itoa(job.Attempt),
	}
	if _, _, err := record.Execute(ctx, d.cfg.Store, deliveries, req, cmd, d.cfg.Now()); err != nil {
		return fmt.Errorf("record delivery attempt %d of %s: %w", job.Attempt, job.SourceEventID, err)
	}
	d.observe(job, sendErr, gaveUp)
	return nil
}

func (d *Dispatcher) observe(job Delivery, sendErr error, gaveUp bool) {
	log := d.cfg.Logger.With("interaction", job.InteractionID, "channel", job.Channel, "attempt", job.Attempt, "event", job.SourceEventID)
	switch {
	case sendErr == nil:
		d.metrics.attempts.WithLabelValues(string(job.Channel), "delivered").Inc()
		log.Debug("reply delivered")
	case gaveUp:
		d.metrics.attempts.WithLabelValues(string(job.Channel), "gave_up").Inc()
		level := slog.LevelWarn // retries exhausted: something is wrong with the provider
		if IsPermanent(sendErr) {
			level = slog.LevelInfo // the channel's definite answer, for agents more than operators
		}
		log.Log(context.Background(), level, "reply not delivered; giving up", "err", sendErr)
	default:
		d.metrics.attempts.WithLabelValues(string(job.Channel), "failed").Inc()
		log.Info("reply delivery failed; will retry", "err", sendErr)
	}
}
