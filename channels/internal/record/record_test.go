package record_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/interactionledger/ledger/channels/internal/chantest"
	"github.com/interactionledger/ledger/channels/internal/record"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore"
)

var deliveries = record.Aggregate[domain.Deliveries, domain.RecordDeliveryAttempt]{
	Initial: func(string) domain.Deliveries { return domain.Deliveries{InteractionID: "i1"} },
	Evolve:  domain.EvolveDeliveries,
	Decide:  domain.DecideDelivery,
}

func attempt(source string, n int) domain.RecordDeliveryAttempt {
	return domain.RecordDeliveryAttempt{SourceEventID: source, Channel: domain.ChannelSMS, Attempt: n}
}

func request(key string) record.Request {
	return record.Request{Stream: domain.DeliveryStream("i1"), Meta: eventstore.Metadata{Actor: "system:test"}, Key: key}
}

// TestConcurrentWritersAllLand: writers racing on one stream each decide
// again after a version conflict, so every one of them is recorded once.
func TestConcurrentWritersAllLand(t *testing.T) {
	l := chantest.NewLedger(t)
	const writers = 16
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			src := fmt.Sprint("e", i)
			_, _, err := record.Execute(context.Background(), l.Store, deliveries, request(src+"#1"), attempt(src, 1), time.Now())
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
	state, version, err := record.Load(context.Background(), l.Store, deliveries, domain.DeliveryStream("i1"))
	if err != nil || version != writers-1 || len(state.Messages) != writers {
		t.Fatalf("after %d writers: version %d, %d messages, %v", writers, version, len(state.Messages), err)
	}
}

func TestRepeatedRequestWritesOnce(t *testing.T) {
	l := chantest.NewLedger(t)
	for range 3 {
		state, _, err := record.Execute(context.Background(), l.Store, deliveries, request("e1#1"), attempt("e1", 1), time.Now())
		if err != nil || !state.Of("e1").Delivered {
			t.Fatalf("Execute: %+v, %v", state, err)
		}
	}
	if head := l.Head(t); head != 1 {
		t.Fatalf("%d events written, want 1", head)
	}
	_, events, err := record.Execute(context.Background(), l.Store, deliveries, request("e1#3"), attempt("e1", 3), time.Now())
	if err == nil || domain.ErrorCode(err) != domain.EINVALID || len(events) != 0 {
		t.Fatalf("a skipped attempt number: %v, %v", events, err)
	}
}
