package commands

import (
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/interactionledger/ledger/domain"
)

// RoutingConfig is the router's configuration: the queues' skill rules
// (domain.RoutingRules) and how the router runs.
type RoutingConfig struct {
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
}

// DefaultRoutingConfig is used without --routing: every queue open to
// every agent, no relaxation or overflow, voice blocking new written work,
// agents' own capacities (voice 1, chat 3, email 5 by default).
func DefaultRoutingConfig() RoutingConfig {
	return RoutingConfig{
		Rules:     domain.RoutingRules{Queues: map[string]domain.QueuePolicy{}, VoiceBlocksOthers: true},
		Channels:  writtenChannels(),
		HoldGrace: 30 * time.Second,
		Interval:  time.Second,
	}
}

func writtenChannels() []domain.Channel {
	return slices.DeleteFunc(slices.Clone(domain.Channels), func(c domain.Channel) bool { return c == domain.ChannelPhone })
}

// routesChannel reports whether the router's own rounds assign ch.
func (c RoutingConfig) routesChannel(ch domain.Channel) bool { return slices.Contains(c.Channels, ch) }

// routingFile is the file form of RoutingConfig (YAML, or JSON, which
// YAML reads).
type routingFile struct {
	VoiceBlocksOthers *bool                `yaml:"voiceBlocksOthers"`
	SyncCallHolds     bool                 `yaml:"syncCallHolds"`
	Capacity          map[string]int       `yaml:"capacity"`
	Channels          []string             `yaml:"channels"`
	HoldGrace         string               `yaml:"holdGrace"`
	Interval          string               `yaml:"interval"`
	Queues            map[string]queueFile `yaml:"queues"`
}

type queueFile struct {
	Skills        map[string]int `yaml:"skills"`
	Relax         []relaxFile    `yaml:"relax"`
	OverflowAfter string         `yaml:"overflowAfter"`
	OverflowTo    string         `yaml:"overflowTo"`
}

type relaxFile struct {
	After   string   `yaml:"after"`
	LowerBy int      `yaml:"lowerBy"`
	Drop    []string `yaml:"drop"`
}

// LoadRoutingConfig reads a routing configuration file; see
// ParseRoutingConfig.
func LoadRoutingConfig(path string) (RoutingConfig, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return RoutingConfig{}, fmt.Errorf("routing config: %w", err)
	}
	cfg, err := ParseRoutingConfig(raw)
	if err != nil {
		return RoutingConfig{}, fmt.Errorf("routing config %s: %w", path, err)
	}
	return cfg, nil
}

// ParseRoutingConfig parses a routing configuration, YAML or JSON:
//
//	voiceBlocksOthers: true          # an agent on a call gets no new chats
//	capacity: {PHONE: 1, WEBCHAT: 3, EMAIL: 5}   # overrides agents' own
//	channels: [WEBCHAT, EMAIL, SMS, WECHAT, APP] # assigned by the router's rounds
//	holdGrace: 30s
//	interval: 1s
//	syncCallHolds: false             # see RoutingConfig.SyncCallHolds
//	queues:
//	  billing:
//	    skills: {billing: 7, zh: 5}  # minimum proficiency, 1..10
//	    relax:                       # the bullseye: after each wait, on top of the earlier rings
//	      - {after: 30s, lowerBy: 3}
//	      - {after: 2m, drop: [zh]}
//	    overflowAfter: 5m
//	    overflowTo: general
//
// Anything left out keeps DefaultRoutingConfig's value; a queue not listed
// is open to every available agent.
func ParseRoutingConfig(raw []byte) (RoutingConfig, error) {
	var f routingFile
	if err := yaml.Unmarshal(raw, &f); err != nil {
		return RoutingConfig{}, domain.Errorf(domain.EINVALID, "parse: %v", err)
	}
	cfg := DefaultRoutingConfig()
	if f.VoiceBlocksOthers != nil {
		cfg.Rules.VoiceBlocksOthers = *f.VoiceBlocksOthers
	}
	cfg.SyncCallHolds = f.SyncCallHolds
	var err error
	if cfg.Capacity, err = parseCapacity(f.Capacity); err != nil {
		return RoutingConfig{}, err
	}
	if f.Channels != nil {
		cfg.Channels = nil
		for _, name := range f.Channels {
			ch := domain.Channel(strings.ToUpper(strings.TrimSpace(name)))
			if !ch.Valid() {
				return RoutingConfig{}, domain.Errorf(domain.EINVALID, "channels: unknown channel %q", name)
			}
			cfg.Channels = append(cfg.Channels, ch)
		}
	}
	if cfg.HoldGrace, err = optionalDuration("holdGrace", f.HoldGrace, cfg.HoldGrace); err != nil {
		return RoutingConfig{}, err
	}
	if cfg.Interval, err = optionalDuration("interval", f.Interval, cfg.Interval); err != nil {
		return RoutingConfig{}, err
	}
	if cfg.Interval <= 0 {
		return RoutingConfig{}, domain.Errorf(domain.EINVALID, "interval must be positive")
	}
	for _, name := range slices.Sorted(maps.Keys(f.Queues)) {
		policy, err := f.Queues[name].policy(name)
		if err != nil {
			return RoutingConfig{}, fmt.Errorf("queue %q: %w", name, err)
		}
		cfg.Rules.Queues[strings.TrimSpace(name)] = policy
	}
	return cfg, nil
}

func parseCapacity(in map[string]int) (map[domain.Channel]int, error) {
	if len(in) == 0 {
		return nil, nil
	}
	out := make(map[domain.Channel]int, len(in))
	for name, n := range in {
		ch := domain.Channel(strings.ToUpper(strings.TrimSpace(name)))
		if !ch.Valid() || n < 0 || n > 50 {
			return nil, domain.Errorf(domain.EINVALID, "capacity: %q: %d must be 0..50 for a known channel", name, n)
		}
		out[ch] = n
	}
	return out, nil
}

func (q queueFile) policy(name string) (domain.QueuePolicy, error) {
	var p domain.QueuePolicy
	for skill, level := range q.Skills {
		if strings.TrimSpace(skill) == "" || level < 1 || level > 10 {
			return p, domain.Errorf(domain.EINVALID, "skill %q: proficiency must be 1..10, not %d", skill, level)
		}
	}
	p.Skills = q.Skills
	var last time.Duration
	for i, r := range q.Relax {
		after, err := time.ParseDuration(strings.TrimSpace(r.After))
		if err != nil || after <= 0 {
			return p, domain.Errorf(domain.EINVALID, "relax step %d: after %q is not a positive duration", i+1, r.After)
		}
		if after < last {
			return p, domain.Errorf(domain.EINVALID, "relax step %d: steps must be in order of their wait", i+1)
		}
		if r.LowerBy < 0 {
			return p, domain.Errorf(domain.EINVALID, "relax step %d: lowerBy must not be negative", i+1)
		}
		last = after
		p.Relax = append(p.Relax, domain.RelaxStep{After: after, LowerBy: r.LowerBy, Drop: r.Drop})
	}
	var err error
	if p.OverflowAfter, err = optionalDuration("overflowAfter", q.OverflowAfter, 0); err != nil {
		return p, err
	}
	p.OverflowTo = strings.TrimSpace(q.OverflowTo)
	if (p.OverflowAfter > 0) != (p.OverflowTo != "") || p.OverflowTo == strings.TrimSpace(name) && p.OverflowTo != "" {
		return p, domain.Errorf(domain.EINVALID, "overflowAfter and overflowTo go together, to another queue")
	}
	return p, nil
}

func optionalDuration(what, s string, def time.Duration) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return def, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, domain.Errorf(domain.EINVALID, "%s: %q is not a duration", what, s)
	}
	return d, nil
}
