package graphql

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/projections"
)

// deliveryReadPage is how many delivery events one read of the store
// returns; an interaction's delivery stream holds a few per reply.
const deliveryReadPage = 500

// deliveries is the delivery record of one interaction's replies, read
// from delivery-<interactionId> the first time one of its messages asks
// for it, then shared by all the messages of the same list.
type deliveries struct {
	r             *resolver
	interactionID string
	once          sync.Once
	// byMessage is keyed by the reply's message id.
	byMessage map[string]domain.MessageDelivery
	err       error
}

func (d *deliveries) of(ctx context.Context, messageID string) (domain.MessageDelivery, error) {
	d.once.Do(func() { d.byMessage, d.err = d.r.readDeliveries(ctx, d.interactionID) })
	return d.byMessage[messageID], d.err
}

// readDeliveries folds an interaction's delivery stream by the message id
// of each reply.
func (r *resolver) readDeliveries(ctx context.Context, interactionID string) (map[string]domain.MessageDelivery, error) {
	stream := domain.DeliveryStream(interactionID)
	out := map[string]domain.MessageDelivery{}
	for from := int64(0); ; {
		page, err := r.store.ReadStream(ctx, stream, from, deliveryReadPage)
		if err != nil {
			return nil, fmt.Errorf("delivery of interaction %s: %w", interactionID, err)
		}
		for _, rec := range page {
			e, err := domain.DecodeEvent(rec.Type, rec.Schema, rec.Data)
			if err != nil {
				return nil, fmt.Errorf("%s version %d: %w", stream, rec.Version, err)
			}
			switch e := e.(type) {
			case domain.MessageDelivered:
				m := out[e.MessageID]
				m.Attempts, m.Delivered = e.Attempt, true
				out[e.MessageID] = m
			case domain.MessageDeliveryFailed:
				m := out[e.MessageID]
				m.Attempts, m.GaveUp, m.LastError = e.Attempt, e.GaveUp, e.Reason
				out[e.MessageID] = m
			}
		}
		if len(page) < deliveryReadPage {
			return out, nil
		}
		from = page[len(page)-1].Version + 1
	}
}

// The DeliveryStatus values.
const (
	deliveryPending   = "PENDING"
	deliveryDelivered = "DELIVERED"
	deliveryRetrying  = "RETRYING"
	deliveryFailed    = "FAILED"
)

// deliveryStatuses lists the DeliveryStatus values.
var deliveryStatuses = []string{deliveryPending, deliveryDelivered, deliveryRetrying, deliveryFailed}

// deliveryState is a DeliveryState.
type deliveryState struct{ m domain.MessageDelivery }

func (d *deliveryState) State() string {
	switch {
	case d.m.Delivered:
		return deliveryDelivered
	case d.m.GaveUp:
		return deliveryFailed
	case d.m.Attempts > 0:
		return deliveryRetrying
	default:
		return deliveryPending
	}
}

func (d *deliveryState) Attempts() int32 { return int32(d.m.Attempts) }

// LastError is the provider's failure as a sentence: capitalised and
// ending with a full stop.
func (d *deliveryState) LastError() *string {
	if d.m.Delivered || d.m.LastError == "" {
		return nil
	}
	s := sentence(d.m.LastError)
	return &s
}

func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return s
	}
	s = strings.ToUpper(s[:1]) + s[1:]
	if !strings.HasSuffix(s, ".") && !strings.HasSuffix(s, "!") && !strings.HasSuffix(s, "?") {
		s += "."
	}
	return s
}

// Delivery is how an agent's reply reached the customer; null for the
// customer's own messages.
func (m *messageResolver) Delivery(ctx context.Context) (*deliveryState, error) {
	if m.m.Direction != projections.DirectionOut || m.deliveries == nil {
		return nil, nil
	}
	d, err := m.deliveries.of(ctx, m.m.MessageID)
	if err != nil {
		return nil, err
	}
	return &deliveryState{m: d}, nil
}
