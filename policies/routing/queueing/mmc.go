package queueing

import (
	"container/heap"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/policies/routing"
)

// MMcSetup is an M/M/c contact centre: one queue, Agents identical agents
// taking one call each, Poisson arrivals and exponential handling times.
type MMcSetup struct {
	Agents int
	// ArrivalsPerHour is the Poisson arrival rate.
	ArrivalsPerHour float64
	// MeanHandle is the mean of the exponential handling time.
	MeanHandle time.Duration
	// Arrivals is how many callers the run measures, after Warmup more
	// that fill the system from empty and are not counted.
	Arrivals, Warmup int
	Seed             uint64
}

// Load is the utilisation rho = lambda / (c * mu).
func (s MMcSetup) Load() float64 {
	return s.ArrivalsPerHour / 3600 * s.MeanHandle.Seconds() / float64(s.Agents)
}

// MMcResult compares a simulated run with Erlang C.
type MMcResult struct {
	Setup MMcSetup
	// Measured over the counted arrivals.
	PWait float64
	ASA   time.Duration
	// PWaitHalfWidth and ASAHalfWidth are the 95% confidence half-widths
	// from batch means (20 batches), so a reader can tell noise from a
	// biased router.
	PWaitHalfWidth float64
	ASAHalfWidth   time.Duration
	// Theory (Erlang C).
	TheoryPWait float64
	TheoryASA   time.Duration
	// Decisions counts the router decisions the run made.
	Decisions int
}

// PWaitError and ASAError are the relative errors against theory.
func (r MMcResult) PWaitError() float64 { return math.Abs(r.PWait-r.TheoryPWait) / r.TheoryPWait }

// ASAError is the relative error of the measured ASA against theory.
func (r MMcResult) ASAError() float64 {
	return math.Abs(r.ASA.Seconds()-r.TheoryASA.Seconds()) / r.TheoryASA.Seconds()
}

// mmcQueue is the queue the simulated callers wait in.
const mmcQueue = "mmc"

// SimulateMMc runs the M/M/c set-up as a discrete-event simulation on a
// simulated clock, with every assignment decided by the routing policy
// configured by c (routing.Config.Decide, that is domain.Route): the simulation supplies
// arrivals and departures, the router decides who answers whom. It is
// deterministic for a seed.
func SimulateMMc(c routing.Config, s MMcSetup) (MMcResult, error) {
	if s.Agents < 1 || s.ArrivalsPerHour <= 0 || s.MeanHandle <= 0 || s.Arrivals < 1 || s.Warmup < 0 {
		return MMcResult{}, domain.Errorf(domain.EINVALID, "an M/M/c run needs agents, an arrival rate, a mean handling time and arrivals")
	}
	lambda, mu := s.ArrivalsPerHour/3600, 1/s.MeanHandle.Seconds()
	pWait, asa, ok := ErlangC(s.Agents, lambda, mu)
	if !ok {
		return MMcResult{}, domain.Errorf(domain.EINVALID, "load %.2f is not below 1: the queue grows without end", s.Load())
	}
	sim := newMMcSim(c, s)
	sim.run()
	res := sim.result()
	res.TheoryPWait, res.TheoryASA = pWait, seconds2duration(asa)
	return res, nil
}

func seconds2duration(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

type mmcEventKind int

const (
	mmcArrival mmcEventKind = iota
	mmcDeparture
)

type mmcEvent struct {
	at    time.Duration // since mmcEpoch; no pointer, so the heap is cheap for the collector
	seq   int           // ties in time go in creation order
	kind  mmcEventKind
	agent int
}

type mmcEvents []mmcEvent

func (h mmcEvents) Len() int { return len(h) }
func (h mmcEvents) Less(i, j int) bool {
	if h[i].at != h[j].at {
		return h[i].at < h[j].at
	}
	return h[i].seq < h[j].seq
}
func (h mmcEvents) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *mmcEvents) Push(x any)   { *h = append(*h, x.(mmcEvent)) }
func (h *mmcEvents) Pop() any {
	old := *h
	e := old[len(old)-1]
	*h = old[:len(old)-1]
	return e
}

type mmcSim struct {
	cfg     routing.Config
	setup   MMcSetup
	rng     *rand.Rand
	events  mmcEvents
	seq     int
	agents  []domain.RoutingAgent
	index   map[string]int
	waiting []domain.WaitingItem
	free    []domain.RoutingAgent // scratch: the agents with a free line
	arrived int
	// per counted arrival, in arrival order: its wait
	waits     []time.Duration
	decisions int
}

var mmcEpoch = time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)

func newMMcSim(cfg routing.Config, s MMcSetup) *mmcSim {
	sim := &mmcSim{
		cfg: cfg, setup: s, rng: rand.New(rand.NewPCG(s.Seed, 0x6d6d63)),
		index: map[string]int{},
		waits: make([]time.Duration, s.Arrivals),
	}
	for i := range s.Agents {
		id := fmt.Sprintf("agent-%03d", i)
		sim.index[id] = i
		sim.agents = append(sim.agents, domain.RoutingAgent{
			ID: id, Presence: domain.PresenceAvailable, IdleSince: mmcEpoch,
			Capacity: map[domain.Channel]int{domain.ChannelPhone: 1}, Load: map[domain.Channel]int{},
		})
	}
	sim.schedule(sim.exp(3600/s.ArrivalsPerHour), mmcArrival, -1)
	return sim
}

// exp draws an exponential duration with the given mean in seconds.
func (m *mmcSim) exp(meanSeconds float64) time.Duration {
	return seconds2duration(m.rng.ExpFloat64() * meanSeconds)
}

func (m *mmcSim) schedule(at time.Duration, kind mmcEventKind, agent int) {
	m.seq++
	heap.Push(&m.events, mmcEvent{at: at, seq: m.seq, kind: kind, agent: agent})
}

func (m *mmcSim) run() {
	total := m.setup.Warmup + m.setup.Arrivals
	for m.events.Len() > 0 {
		e := heap.Pop(&m.events).(mmcEvent)
		now := mmcEpoch.Add(e.at)
		switch e.kind {
		case mmcArrival:
			m.arrive(now)
			if m.arrived < total {
				m.schedule(e.at+m.exp(3600/m.setup.ArrivalsPerHour), mmcArrival, -1)
			}
		case mmcDeparture:
			a := &m.agents[e.agent]
			a.Load[domain.ChannelPhone]--
			a.IdleSince = now
		}
		m.route(now)
	}
}

func (m *mmcSim) arrive(now time.Time) {
	id := mmcCallPrefix + strconv.Itoa(m.arrived)
	m.arrived++
	m.waiting = append(m.waiting, domain.WaitingItem{
		InteractionID: id, Channel: domain.ChannelPhone, Queue: mmcQueue,
		Priority: domain.PriorityNormal, Tier: domain.TierStandard, QueuedAt: now,
	})
}

// mmcCallPrefix starts the simulated calls' ids; the arrival number
// follows.
const mmcCallPrefix = "call-"

// route asks the router whenever a caller waits and an agent is free, and
// carries out what it decided. Agents on a call cannot take another, so
// only the free ones are shown to the router (the decision is the same,
// and the run several times faster).
func (m *mmcSim) route(now time.Time) {
	if len(m.waiting) == 0 {
		return
	}
	m.free = m.free[:0]
	for _, a := range m.agents {
		if a.Load[domain.ChannelPhone] == 0 {
			m.free = append(m.free, a)
		}
	}
	if len(m.free) == 0 {
		return
	}
	m.decisions++
	decision := m.cfg.Decide(m.waiting, m.free, now)
	taken := make(map[string]bool, len(decision.Assignments))
	for _, as := range decision.Assignments {
		taken[as.InteractionID] = true
		i := m.index[as.AgentID]
		m.agents[i].Load[domain.ChannelPhone]++
		m.schedule(now.Sub(mmcEpoch)+m.exp(m.setup.MeanHandle.Seconds()), mmcDeparture, i)
	}
	m.waiting = slices.DeleteFunc(m.waiting, func(w domain.WaitingItem) bool {
		if !taken[w.InteractionID] {
			return false
		}
		arrival, _ := strconv.Atoi(strings.TrimPrefix(w.InteractionID, mmcCallPrefix))
		if n := arrival - m.setup.Warmup; n >= 0 {
			m.waits[n] = now.Sub(w.QueuedAt)
		}
		return true
	})
}

// result summarises the waits, with batch-means confidence intervals.
func (m *mmcSim) result() MMcResult {
	const batches = 20
	res := MMcResult{Setup: m.setup, Decisions: m.decisions}
	var waited int
	var sum time.Duration
	for _, w := range m.waits {
		if w > 0 {
			waited++
		}
		sum += w
	}
	n := len(m.waits)
	res.PWait = float64(waited) / float64(n)
	res.ASA = sum / time.Duration(n)
	size := n / batches
	if size == 0 {
		return res
	}
	pw, asa := make([]float64, batches), make([]float64, batches)
	for b := range batches {
		for _, w := range m.waits[b*size : (b+1)*size] {
			if w > 0 {
				pw[b]++
			}
			asa[b] += w.Seconds()
		}
		pw[b] /= float64(size)
		asa[b] /= float64(size)
	}
	// Student t, 19 degrees of freedom, two-sided 95%.
	const t19 = 2.093
	res.PWaitHalfWidth = t19 * stddev(pw) / math.Sqrt(batches)
	res.ASAHalfWidth = seconds2duration(t19 * stddev(asa) / math.Sqrt(batches))
	return res
}

func stddev(xs []float64) float64 {
	var mean float64
	for _, x := range xs {
		mean += x
	}
	mean /= float64(len(xs))
	var ss float64
	for _, x := range xs {
		ss += (x - mean) * (x - mean)
	}
	return math.Sqrt(ss / float64(len(xs)-1))
}
