package config_test

import (
	"testing"
	"time"

	"github.com/interactionledger/ledger/config"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/policies/routing"
)

func TestParseRoutingConfig(t *testing.T) {
	cfg, err := config.ParseRouting([]byte(`{
  "voiceBlocksOthers": false,
  "capacity": {"webchat": 2},
  "channels": ["WEBCHAT", "EMAIL"],
  "holdGrace": "10s",
  "queues": {"billing": {"skills": {"billing": 7}, "relax": [{"after": "30s", "lowerBy": 2}, {"after": "2m", "drop": ["billing"]}], "overflowAfter": "5m", "overflowTo": "general"}}
}`))
	if err != nil {
		t.Fatal(err)
	}
	b := cfg.Rules.Queues["billing"]
	if cfg.Rules.VoiceBlocksOthers || cfg.Capacity[domain.ChannelWebchat] != 2 || len(cfg.Channels) != 2 || cfg.HoldGrace != 10*time.Second ||
		b.Skills["billing"] != 7 || len(b.Relax) != 2 || b.Relax[1].Drop[0] != "billing" || b.OverflowAfter != 5*time.Minute || b.OverflowTo != "general" {
		t.Fatalf("parsed %+v", cfg)
	}
	def := routing.DefaultConfig()
	if !def.Rules.VoiceBlocksOthers || def.HoldGrace <= 0 || len(def.Channels) != len(domain.Channels)-1 || def.WrapUpTimeout != 60*time.Second {
		t.Fatalf("defaults %+v", def)
	}
	if cfg.WrapUpTimeout != def.WrapUpTimeout {
		t.Errorf("wrap-up timeout left out = %s, want the default %s", cfg.WrapUpTimeout, def.WrapUpTimeout)
	}
	for in, want := range map[string]time.Duration{`wrapUpTimeout: 90s`: 90 * time.Second, `wrapUpTimeout: 0s`: 0} {
		if got, err := config.ParseRouting([]byte(in)); err != nil || got.WrapUpTimeout != want {
			t.Errorf("ParseRouting(%q) = wrap-up timeout %s, %v; want %s", in, got.WrapUpTimeout, err, want)
		}
	}
	for _, bad := range []string{
		`queues: {q: {skills: {x: 11}}}`,
		`queues: {q: {relax: [{after: 2m}, {after: 1m}]}}`,
		`queues: {q: {overflowAfter: 1m}}`,
		`queues: {q: {overflowAfter: 1m, overflowTo: q}}`,
		`capacity: {FAX: 1}`,
		`channels: [FAX]`,
		`interval: 0s`,
		`holdGrace: soon`,
		`wrapUpTimeout: -1s`,
		`wrapUpTimeout: later`,
		`queues: [`,
	} {
		if _, err := config.ParseRouting([]byte(bad)); domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("ParseRouting(%q) = %v, want an invalid-input error", bad, err)
		}
	}
}
