// Package config parses the ledger's configuration files (YAML, or JSON,
// which YAML reads) into the typed configuration the policies and the
// command layer take: routing (policies/routing.Config), SLA
// (policies/sla.Config), QA scorecards and ticket keyword rules. Files
// are read at the edge (cmd/ledger); nothing below it parses files.
package config

import (
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/policies/routing"
)

// routingFile is the file form of routing.Config (YAML, or JSON, which
// YAML reads).
type routingFile struct {
	VoiceBlocksOthers *bool                `yaml:"voiceBlocksOthers"`
	SyncCallHolds     bool                 `yaml:"syncCallHolds"`
	Capacity          map[string]int       `yaml:"capacity"`
	Channels          []string             `yaml:"channels"`
	HoldGrace         string               `yaml:"holdGrace"`
	Interval          string               `yaml:"interval"`
	WrapUpTimeout     string               `yaml:"wrapUpTimeout"`
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

// LoadRouting reads a routing configuration file; see ParseRouting.
func LoadRouting(path string) (routing.Config, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return routing.Config{}, fmt.Errorf("routing config: %w", err)
	}
	cfg, err := ParseRouting(raw)
	if err != nil {
		return routing.Config{}, fmt.Errorf("routing config %s: %w", path, err)
	}
	return cfg, nil
}

// ParseRouting parses a routing configuration, YAML or JSON:
//
//	voiceBlocksOthers: true          # an agent on a call gets no new chats
//	capacity: {PHONE: 1, WEBCHAT: 3, EMAIL: 5}   # overrides agents' own
//	channels: [WEBCHAT, EMAIL, SMS, WECHAT, APP] # assigned by the router's rounds
//	holdGrace: 30s
//	interval: 1s
//	syncCallHolds: false             # see routing.Config.SyncCallHolds
//	wrapUpTimeout: 60s               # after-call work: voice capacity released if not closed; 0: held until closed
//	queues:
//	  billing:
//	    skills: {billing: 7, zh: 5}  # minimum proficiency, 1..10
//	    relax:                       # the bullseye: after each wait, on top of the earlier rings
//	      - {after: 30s, lowerBy: 3}
//	      - {after: 2m, drop: [zh]}
//	    overflowAfter: 5m
//	    overflowTo: general
//
// Anything left out keeps routing.DefaultConfig's value; a queue not listed
// is open to every available agent.
func ParseRouting(raw []byte) (routing.Config, error) {
	var f routingFile
	if err := yaml.Unmarshal(raw, &f); err != nil {
		return routing.Config{}, domain.Errorf(domain.EINVALID, "parse: %v", err)
	}
	cfg := routing.DefaultConfig()
	if f.VoiceBlocksOthers != nil {
		cfg.Rules.VoiceBlocksOthers = *f.VoiceBlocksOthers
	}
	cfg.SyncCallHolds = f.SyncCallHolds
	var err error
	if cfg.Capacity, err = parseCapacity(f.Capacity); err != nil {
		return routing.Config{}, err
	}
	if f.Channels != nil {
		cfg.Channels = nil
		for _, name := range f.Channels {
			ch := domain.Channel(strings.ToUpper(strings.TrimSpace(name)))
			if !ch.Valid() {
				return routing.Config{}, domain.Errorf(domain.EINVALID, "channels: unknown channel %q", name)
			}
			cfg.Channels = append(cfg.Channels, ch)
		}
	}
	if cfg.HoldGrace, err = optionalDuration("holdGrace", f.HoldGrace, cfg.HoldGrace); err != nil {
		return routing.Config{}, err
	}
	if cfg.Interval, err = optionalDuration("interval", f.Interval, cfg.Interval); err != nil {
		return routing.Config{}, err
	}
	if cfg.WrapUpTimeout, err = optionalDuration("wrapUpTimeout", f.WrapUpTimeout, cfg.WrapUpTimeout); err != nil {
		return routing.Config{}, err
	}
	if cfg.Interval <= 0 {
		return routing.Config{}, domain.Errorf(domain.EINVALID, "interval must be positive")
	}
	for _, name := range slices.Sorted(maps.Keys(f.Queues)) {
		policy, err := f.Queues[name].policy(name)
		if err != nil {
			return routing.Config{}, fmt.Errorf("queue %q: %w", name, err)
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
