package sip

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"time"
)

// dispatcher matches waiting calls with free agents' phones. It keeps the
// queue in arrival order (a call an agent did not answer keeps its place)
// and which agents are on a call of ours; the AgentChooser decides who
// takes which call. One goroutine runs the matching, woken whenever a call
// arrives, a phone registers or an agent becomes free, and every second
// while calls wait (presence changes elsewhere and is not signalled).
type dispatcher struct {
	chooser    AgentChooser
	registered func() []string
	now        func() time.Time
	log        *slog.Logger
	// cooldown keeps an agent whose phone did not answer out of the
	// matching for a while, so a dead phone does not swallow the queue.
	cooldown time.Duration

	mu        sync.Mutex
	waiting   []*call
	busy      map[string]*call
	idleSince map[string]time.Time
	resting   map[string]time.Time // agent -> end of cooldown
	kick      chan struct{}
}

func newDispatcher(chooser AgentChooser, registered func() []string, now func() time.Time, cooldown time.Duration, log *slog.Logger) *dispatcher {
	return &dispatcher{
		chooser: chooser, registered: registered, now: now, cooldown: cooldown, log: log,
		busy: map[string]*call{}, idleSince: map[string]time.Time{}, resting: map[string]time.Time{},
		kick: make(chan struct{}, 1),
	}
}

// wake asks the matching loop to look again.
func (d *dispatcher) wake() {
	select {
	case d.kick <- struct{}{}:
	default:
	}
}

// enqueue puts c in the queue, in order of its first arrival.
func (d *dispatcher) enqueue(c *call) {
	d.mu.Lock()
	i, _ := slices.BinarySearchFunc(d.waiting, c, func(a, b *call) int { return a.queuedAt.Compare(b.queuedAt) })
	d.waiting = slices.Insert(d.waiting, i, c)
	d.mu.Unlock()
	d.wake()
}

// dequeue takes c out of the queue (the caller hung up, or it timed out).
func (d *dispatcher) dequeue(c *call) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.waiting = slices.DeleteFunc(d.waiting, func(w *call) bool { return w == c })
}

// reserve marks agent as taken by c if the agent's phone is free; used by
// REFER, where the transferring agent, not the chooser, names the agent.
func (d *dispatcher) reserve(agentID string, c *call) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, taken := d.busy[agentID]; taken {
		return false
	}
	d.busy[agentID] = c
	return true
}

// release frees agent from c; noAnswer starts the agent's cooldown.
func (d *dispatcher) release(agentID string, c *call, noAnswer bool) {
	d.mu.Lock()
	if d.busy[agentID] == c {
		delete(d.busy, agentID)
		d.idleSince[agentID] = d.now()
		if noAnswer && d.cooldown > 0 {
			d.resting[agentID] = d.now().Add(d.cooldown)
		}
	}
	d.mu.Unlock()
	d.wake()
}

// onCall returns the call agent is on, if any.
func (d *dispatcher) onCall(agentID string) *call {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.busy[agentID]
}

// run matches until ctx ends.
func (d *dispatcher) run(ctx context.Context) {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-d.kick:
		case <-tick.C:
		}
		d.match(ctx)
	}
}

// match offers waiting calls, oldest first, to the agents the chooser
// picks among the free ones.
func (d *dispatcher) match(ctx context.Context) {
	waiting, free := d.snapshot()
	for _, c := range waiting {
		if len(free) == 0 {
			return
		}
		candidates := free
		if excluded := c.declinedBy(); len(excluded) > 0 {
			candidates = slices.DeleteFunc(slices.Clone(free), func(f Candidate) bool { return excluded[f.AgentID] })
		}
		agentID, err := d.chooser.Choose(ctx, c.waitingCall(), candidates)
		if err != nil {
			d.log.Error("sip: choosing an agent failed", "err", err)
			return
		}
		if agentID == "" || !d.take(agentID, c) {
			continue
		}
		free = slices.DeleteFunc(free, func(f Candidate) bool { return f.AgentID == agentID })
		c.post(evAgentChosen{agentID: agentID})
	}
}

// snapshot copies the queue and lists the free agents, longest idle first.
func (d *dispatcher) snapshot() ([]*call, []Candidate) {
	registered := d.registered()
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.waiting) == 0 {
		return nil, nil
	}
	now := d.now()
	free := make([]Candidate, 0, len(registered))
	for _, id := range registered {
		if _, taken := d.busy[id]; taken {
			continue
		}
		if until, ok := d.resting[id]; ok {
			if now.Before(until) {
				continue
			}
			delete(d.resting, id)
		}
		since, ok := d.idleSince[id]
		if !ok {
			since = now
			d.idleSince[id] = since
		}
		free = append(free, Candidate{AgentID: id, IdleSince: since})
	}
	slices.SortStableFunc(free, func(a, b Candidate) int { return a.IdleSince.Compare(b.IdleSince) })
	return slices.Clone(d.waiting), free
}

// take hands agent to c if both are still free and waiting.
func (d *dispatcher) take(agentID string, c *call) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, taken := d.busy[agentID]; taken {
		return false
	}
	i := slices.Index(d.waiting, c)
	if i < 0 {
		return false
	}
	d.waiting = slices.Delete(d.waiting, i, i+1)
	d.busy[agentID] = c
	return true
}
