package routing

import (
	"slices"
	"time"

	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/domain"
)

// Config is the router's configuration: the queues' skill rules
// (domain.RoutingRules) and how the router runs.
type Config struct {
	Rules domain.RoutingRules
	// Capacity overrides every agent's own capacity on the channels it
	// names (voice 1, chat 3, email 5 are the agents' defaults).
	Capacity map[domain.Channel]int
	// Channels are the channels the router assigns from the queues on its
	// own. PHONE is left out by default: the SIP channel holds each call
	// and asks the router (as its AgentChooser) when an agent's phone is
	// free.
	Channels []domain.Channel
	// HoldGrace is how long a fresh capacity hold is kept although its
	// interaction does not show the assignment yet (another router may be
	// between its two appends).
	HoldGrace time.Duration
	// Interval is how often the router looks at the queues.
	Interval time.Duration
	// SyncCallHolds makes the phone channel's AgentChooser write the
	// chosen agent's voice hold before answering (and try the next agent
	// when it is refused). Off by default: the chooser runs on the phone
	// channel's one dispatching goroutine, which a durable append per call
	// would slow to the store's latency, and the channel never gives a
	// phone two calls anyway; the hold is then written just after.
	SyncCallHolds bool
	// WrapUpTimeout is how long after a call ends its agent's voice
	// capacity stays held for after-call work when they do not close the
	// interaction (domain.WrapUpExpired, fired by WrapUp); 0 holds it
	// until they close it.
	WrapUpTimeout time.Duration
}

// DefaultConfig is used without --routing: every queue open to
// every agent, no relaxation or overflow, voice blocking new written work,
// agents' own capacities (voice 1, chat 3, email 5 by default), a 60 s
// wrap-up timeout.
func DefaultConfig() Config {
	return Config{
		Rules:         domain.RoutingRules{Queues: map[string]domain.QueuePolicy{}, VoiceBlocksOthers: true},
		Channels:      writtenChannels(),
		HoldGrace:     30 * time.Second,
		Interval:      time.Second,
		WrapUpTimeout: domain.DefaultWrapUpTimeout,
	}
}

func writtenChannels() []domain.Channel {
	return slices.DeleteFunc(slices.Clone(domain.Channels), func(c domain.Channel) bool { return c == domain.ChannelPhone })
}

// routesChannel reports whether the router's own rounds assign ch.
func (c Config) routesChannel(ch domain.Channel) bool { return slices.Contains(c.Channels, ch) }

// Assignment is the request to give an interaction to an agent through
// the capacity protocol under this configuration (holdOnly: take the
// agent's capacity only; the phone channel records the assignment).
func (c Config) Assignment(interactionID, agentID string, holdOnly bool) commands.RoutedAssignment {
	return commands.RoutedAssignment{
		InteractionID: interactionID, AgentID: agentID, HoldOnly: holdOnly,
		Capacity: c.Capacity, VoiceBlocksOthers: c.Rules.VoiceBlocksOthers, HoldGrace: c.HoldGrace,
	}
}
