package sip

import (
	"context"
	"log/slog"
	"strings"
	"sync"

	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/domain"
)

// step is one fact about a call to record: the commands it turns into, who
// acted, and a key naming it within the call ("offer#1", "end").
type step struct {
	key   string
	actor string
	cmds  []domain.InteractionCommand
}

// journal records a call's steps on its interaction, in order, without
// holding up the signalling: SIP answers the caller at once and the ledger
// append follows. Steps that pile up while an append is in flight (a 180
// and a 200 arriving together) go into the next append together when they
// share an actor, so a busy ledger costs fewer, larger appends instead of
// falling further behind.
//
// Event ids derive from the Call-ID and the step keys, so the events of a
// call are recognisable as such, and a step recorded twice (a retried
// append) is stored once.
type journal struct {
	h             *commands.Handler
	callID        string
	interactionID string
	log           *slog.Logger
	ctx           context.Context // outlives the call: accepted steps are written even during shutdown
	wg            *sync.WaitGroup // the server's: shutdown waits for the journal

	mu      sync.Mutex
	pending []step
	running bool
	done    chan struct{} // closed when pending is empty and nothing runs
}

func newJournal(ctx context.Context, h *commands.Handler, wg *sync.WaitGroup, log *slog.Logger, callID, interactionID string) *journal {
	done := make(chan struct{})
	close(done)
	return &journal{ctx: ctx, h: h, wg: wg, log: log, callID: callID, interactionID: interactionID, done: done}
}

// record queues a step; it returns at once.
func (j *journal) record(key, actor string, cmds ...domain.InteractionCommand) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.pending = append(j.pending, step{key: key, actor: actor, cmds: cmds})
	if j.running {
		return
	}
	j.running = true
	j.done = make(chan struct{})
	j.wg.Add(1)
	go j.drain()
}

// idle returns a channel closed once every recorded step is written (or
// failed and was logged).
func (j *journal) idle() <-chan struct{} {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.done
}

func (j *journal) drain() {
	defer j.wg.Done()
	for {
		j.mu.Lock()
		if len(j.pending) == 0 {
			j.running = false
			close(j.done)
			j.mu.Unlock()
			return
		}
		// Take the run of steps that share the first one's actor.
		n := 1
		for n < len(j.pending) && j.pending[n].actor == j.pending[0].actor {
			n++
		}
		batch := j.pending[:n:n]
		j.pending = j.pending[n:]
		j.mu.Unlock()
		j.write(batch)
	}
}

// write appends a batch in one command; if the batch is refused, each step
// is tried on its own so one refused step (say, a ring reported after the
// caller hung up) does not lose the others.
func (j *journal) write(batch []step) {
	if len(batch) > 1 {
		keys := make([]string, len(batch))
		var cmds []domain.InteractionCommand
		for i, s := range batch {
			keys[i] = s.key
			cmds = append(cmds, s.cmds...)
		}
		if _, err := j.h.Interaction(j.ctx, j.interactionID, j.meta(strings.Join(keys, "+"), batch[0].actor), cmds...); err == nil {
			return
		}
	}
	for _, s := range batch {
		if _, err := j.h.Interaction(j.ctx, j.interactionID, j.meta(s.key, s.actor), s.cmds...); err != nil {
			j.log.Error("sip: recording call step failed", "call_id", j.callID, "interaction", j.interactionID, "step", s.key, "err", err)
		}
	}
}

func (j *journal) meta(key, actor string) commands.Meta {
	return callMeta(j.callID, key, actor)
}

// callMeta is the metadata of a call's events: the channel, the Call-ID as
// source message, the correlation id ReceiveInbound gave the call's first
// events (so the whole call correlates), and an idempotency key per step.
func callMeta(callID, key, actor string) commands.Meta {
	return commands.Meta{
		Actor:           actor,
		Channel:         domain.ChannelPhone,
		CorrelationID:   commands.DeriveID("correlation", string(domain.ChannelPhone)+":"+callID),
		CausationID:     "sip:" + callID + "/" + key,
		SourceMessageID: callID,
		IdempotencyKey:  "sip:" + callID + "/" + key,
	}
}
