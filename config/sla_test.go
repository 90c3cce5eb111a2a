package config_test

import (
	"testing"
	"time"

	"github.com/interactionledger/ledger/config"
	"github.com/interactionledger/ledger/domain"
)

func TestParseSlaConfig(t *testing.T) {
	yaml := `
supervisorQueue: escalations
calendars:
  office:
    timeZone: Asia/Shanghai
    hours: {mon: ["09:00-12:00", "13:00-18:00"], friday: ["09:00-17:00"]}
    holidays: ["2026-10-01"]
policies:
  - {name: vip, priority: urgent, category: complaint, channel: phone, firstResponse: 30m, resolution: 1d, warnAt: 0.75, calendar: office}
  - {name: rest, firstResponse: 4h, nextResponse: 8h, resolution: 3d}
`
	cfg, err := config.ParseSla([]byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.SupervisorQueue != "escalations" || len(cfg.Policies) != 2 {
		t.Fatalf("config %+v", cfg)
	}
	vip := cfg.Policies[0]
	if vip.Priority != domain.PriorityUrgent || vip.Category != domain.CategoryComplaint || vip.Channel != domain.ChannelPhone ||
		vip.Targets != (domain.SlaTargets{FirstResponse: 30 * time.Minute, Resolution: 24 * time.Hour}) || vip.WarnShare != 0.75 {
		t.Fatalf("vip policy %+v", vip)
	}
	if vip.Calendar.Location.String() != "Asia/Shanghai" || len(vip.Calendar.Hours[time.Monday]) != 2 ||
		vip.Calendar.Hours[time.Friday][0] != (domain.OpeningHours{Open: 540, Close: 1020}) || !vip.Calendar.Holidays["2026-10-01"] {
		t.Fatalf("vip calendar %+v", vip.Calendar)
	}
	if rest := cfg.Policies[1]; rest.WarnShare != 0.8 || rest.Targets.Resolution != 72*time.Hour || rest.Calendar.Hours != nil {
		t.Fatalf("rest policy %+v", rest)
	}
	// JSON is YAML too.
	if _, err := config.ParseSla([]byte(`{"policies": [{"name": "all", "resolution": "8h"}]}`)); err != nil {
		t.Fatal(err)
	}
}

func TestParseSlaConfigRefusesBadInput(t *testing.T) {
	bad := map[string]string{
		"not yaml":               "policies: [",
		"no policies":            "supervisorQueue: x",
		"no name":                `policies: [{resolution: 8h}]`,
		"no target":              `policies: [{name: a}]`,
		"bad duration":           `policies: [{name: a, resolution: soon}]`,
		"negative duration":      `policies: [{name: a, resolution: -1h}]`,
		"bad priority":           `policies: [{name: a, priority: HIGH, resolution: 8h}]`,
		"bad channel":            `policies: [{name: a, channel: FAX, resolution: 8h}]`,
		"bad warn share":         `policies: [{name: a, resolution: 8h, warnAt: 1.2}]`,
		"unknown calendar":       `policies: [{name: a, resolution: 8h, calendar: nope}]`,
		"duplicate name":         `policies: [{name: a, resolution: 8h}, {name: a, resolution: 9h}]`,
		"interaction category":   "policies: [{name: a, resolution: 8h}]\ninteractionPolicies: [{name: b, category: complaint, firstResponse: 1m}]",
		"interaction resolution": "policies: [{name: a, resolution: 8h}]\ninteractionPolicies: [{name: b, firstResponse: 1m, resolution: 1h}]",
		"interaction no target":  "policies: [{name: a, resolution: 8h}]\ninteractionPolicies: [{name: b, channel: sms}]",
		"interaction same name":  "policies: [{name: a, resolution: 8h}]\ninteractionPolicies: [{name: a, firstResponse: 1m}]",
		"bad zone":               "calendars: {c: {timeZone: Mars/Olympus}}\npolicies: [{name: a, resolution: 8h}]",
		"bad weekday":            "calendars: {c: {hours: {funday: [\"09:00-10:00\"]}}}\npolicies: [{name: a, resolution: 8h}]",
		"bad hours":              "calendars: {c: {hours: {mon: [\"18:00-09:00\"]}}}\npolicies: [{name: a, resolution: 8h}]",
		"bad clock":              "calendars: {c: {hours: {mon: [\"9-10\"]}}}\npolicies: [{name: a, resolution: 8h}]",
		"bad holiday":            "calendars: {c: {hours: {mon: [\"09:00-10:00\"]}, holidays: [\"1 May\"]}}\npolicies: [{name: a, resolution: 8h}]",
	}
	for name, raw := range bad {
		if _, err := config.ParseSla([]byte(raw)); domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("%s: err = %v, want EINVALID", name, err)
		}
	}
}

func TestParseSlaInteractionPolicies(t *testing.T) {
	cfg, err := config.ParseSla([]byte(`
policies: [{name: all, resolution: 8h}]
interactionPolicies:
  - {name: chat, channel: webchat, firstResponse: 90s, nextResponse: 3m}
`))
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.InteractionPolicies) != 1 {
		t.Fatalf("interaction policies %+v", cfg.InteractionPolicies)
	}
	if chat := cfg.InteractionPolicies[0]; chat.Channel != domain.ChannelWebchat ||
		chat.Targets != (domain.SlaTargets{FirstResponse: 90 * time.Second, NextResponse: 3 * time.Minute}) {
		t.Fatalf("chat policy %+v", chat)
	}
	// A file without interaction policies gives interactions the defaults.
	cfg, err = config.ParseSla([]byte(`policies: [{name: all, resolution: 8h}]`))
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.InteractionPolicies) == 0 {
		t.Fatal("no default interaction policies")
	}
	for _, ch := range []domain.Channel{domain.ChannelPhone, domain.ChannelWebchat, domain.ChannelEmail, domain.ChannelSMS, domain.ChannelWeChat, domain.ChannelApp} {
		found := false
		for _, p := range cfg.InteractionPolicies {
			found = found || p.Channel == ch && p.Priority == "" && p.Targets.FirstResponse > 0
		}
		if !found {
			t.Errorf("no default first-response target for %s", ch)
		}
	}
}
