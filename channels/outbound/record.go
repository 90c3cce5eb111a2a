package outbound

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/internal/pii"
)

// Ledger records delivery attempts through the command layer, with its
// retries, idempotency, metrics and logging; *commands.Handler is one.
type Ledger interface {
	LoadDeliveries(ctx context.Context, interactionID string) (domain.Deliveries, error)
	RecordDeliveryAttempt(ctx context.Context, interactionID string, cmd domain.RecordDeliveryAttempt, meta commands.Meta) (commands.Result, domain.Deliveries, error)
}

// Actor is the metadata actor of every delivery event.
const Actor = "system:outbound"

// recordTimeout bounds writing an attempt's record. The record is written
// even while the dispatcher stops: a reply the provider accepted must not
// be sent again after the restart for want of its record.
const recordTimeout = 15 * time.Second

// record writes the outcome of one attempt.
func (d *Dispatcher) record(ctx context.Context, job Delivery, receipt Receipt, sendErr error, gaveUp bool) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
	defer cancel()
	cmd := domain.RecordDeliveryAttempt{
		SourceEventID: job.SourceEventID, MessageID: job.MessageID, Channel: job.Channel, Attempt: job.Attempt,
		ProviderMessageID: receipt.ProviderMessageID, Detail: receipt.Detail, Permanent: IsPermanent(sendErr), GaveUp: gaveUp,
	}
	if sendErr != nil {
		// The ledger keeps this for good, outside any customer's key:
		// providers' errors may quote the recipient's number or address.
		cmd.Err = pii.Redact(sendErr.Error())
	}
	meta := commands.Meta{
		Actor: Actor, Channel: job.Channel, CorrelationID: job.CorrelationID, CausationID: job.SourceEventID,
		IdempotencyKey: "delivery:" + job.SourceEventID + "#" + strconv.Itoa(job.Attempt),
	}
	if _, _, err := d.cfg.Ledger.RecordDeliveryAttempt(ctx, job.InteractionID, cmd, meta); err != nil {
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
		switch {
		case isExpected(sendErr):
			level = slog.LevelDebug // the channel's common case: the customer gets it later
		case IsPermanent(sendErr):
			level = slog.LevelInfo // the channel's definite answer, for agents more than operators
		}
		log.Log(context.Background(), level, "reply not delivered; giving up", "err", pii.RedactErr(sendErr))
	default:
		d.metrics.attempts.WithLabelValues(string(job.Channel), "failed").Inc()
		log.Info("reply delivery failed; will retry", "err", pii.RedactErr(sendErr))
	}
}
