package commands_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/domain"
)

func delivered(source string, attempt int) domain.RecordDeliveryAttempt {
	return domain.RecordDeliveryAttempt{SourceEventID: source, Channel: domain.ChannelSMS, Attempt: attempt}
}

func deliveryMeta(source string, attempt int) commands.Meta {
	return commands.Meta{Actor: "system:test", IdempotencyKey: fmt.Sprintf("delivery:%s#%d", source, attempt)}
}

// TestConcurrentWritersAllLand: writers racing on one stream each decide
// again after a version conflict, so every one of them is recorded once:
// the retry policy's bound is enough for this many racers.
func TestConcurrentWritersAllLand(t *testing.T) {
	h, store := newHandler(t)
	const writers = 16
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			src := fmt.Sprint("e", i)
			_, _, err := h.RecordDeliveryAttempt(context.Background(), "i1", delivered(src, 1), deliveryMeta(src, 1))
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	state, err := h.LoadDeliveries(context.Background(), "i1")
	if err != nil {
		t.Fatal(err)
	}
	recs, err := store.ReadStream(context.Background(), domain.DeliveryStream("i1"), 0, 2*writers)
	if err != nil || len(recs) != writers || recs[len(recs)-1].Version != writers-1 || len(state.Messages) != writers {
		t.Fatalf("after %d writers: %d events, %d messages, %v", writers, len(recs), len(state.Messages), err)
	}
}

func TestRepeatedDeliveryAttemptWritesOnce(t *testing.T) {
	h, store := newHandler(t)
	ctx := context.Background()
	for range 3 {
		_, state, err := h.RecordDeliveryAttempt(ctx, "i1", delivered("e1", 1), deliveryMeta("e1", 1))
		if err != nil || !state.Of("e1").Delivered {
			t.Fatalf("RecordDeliveryAttempt: %+v, %v", state, err)
		}
	}
	// Without the key, the attempt already recorded is still a no-op.
	if res, _, err := h.RecordDeliveryAttempt(ctx, "i1", delivered("e1", 1), commands.Meta{Actor: "system:test"}); err != nil || len(res.Events) != 0 {
		t.Fatalf("recorded again without a key: %v, %v", res.Events, err)
	}
	if recs, _ := allEvents(t, store); len(recs) != 1 {
		t.Fatalf("%d events written, want 1", len(recs))
	}
	res, _, err := h.RecordDeliveryAttempt(ctx, "i1", delivered("e1", 3), deliveryMeta("e1", 3))
	if err == nil || domain.ErrorCode(err) != domain.EINVALID || len(res.Events) != 0 {
		t.Fatalf("a skipped attempt number: %v, %v", res.Events, err)
	}
	if state, err := h.LoadDeliveries(ctx, "i1"); err != nil || state.Of("e1").Attempts != 1 {
		t.Fatalf("LoadDeliveries: %+v, %v", state, err)
	}
}
