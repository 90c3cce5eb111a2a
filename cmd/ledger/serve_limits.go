package main

import (
	"flag"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/internal/limit"
)

// Defaults of the abuse limits (README "Limits"): generous for people,
// tight enough that one source cannot write without bound into the
// ledger, which never forgets.
const (
	defaultClientRate      = "10/s:100" // web chat messages, SMTP messages per client address
	defaultProviderRate    = "200/s:1000"
	defaultIdentityRate    = "30/m:30"
	defaultSIPRate         = "100/s:500"
	defaultConnectRate     = "5/s:50"
	defaultSocketsPerAddr  = 100
	defaultMaxMessages     = 1000
	defaultMaxBytesPerHour = 1 << 20
)

// limitFlags are the flags of the abuse limits, as given.
type limitFlags struct {
	exempt, client, provider, identity, sip, connect string
	sockets, maxMessages, maxBytes                   string
}

// limitSettings are the abuse limits of every inbound channel; a nil
// *limitSettings (components built in tests) limits nothing.
type limitSettings struct {
	exempt                                   []netip.Prefix
	client, provider, identity, sip, connect limit.Rate
	sockets                                  int
	interaction                              domain.InteractionLimits
}

func (f *limitFlags) addFlags(fs *flag.FlagSet) {
	str := func(dst *string, name, def, usage string) {
		env := "LEDGER_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
		fs.StringVar(dst, name, envOr(env, def), usage+" (env "+env+")")
	}
	const rate = "; a rate is N/s, N/m or N/h with an optional :BURST, or off"
	str(&f.exempt, "limit-exempt", "", "comma-separated addresses and CIDR prefixes never rate-limited (a load generator, a gateway that limits on its own); never a provider's shared address")
	str(&f.client, "limit-client-rate", defaultClientRate, "web chat messages and SMTP messages per client address (an IPv6 /64)"+rate)
	str(&f.provider, "limit-provider-rate", defaultProviderRate, "requests per source address on the SMS, WeChat and app webhooks, whose senders post for every customer"+rate)
	str(&f.identity, "limit-identity-rate", defaultIdentityRate, "messages (and calls) per customer identity on every channel"+rate)
	str(&f.sip, "limit-sip-rate", defaultSIPRate, "SIP INVITEs and REGISTERs per source address (a trunk sends every caller's calls)"+rate)
	str(&f.connect, "webchat-connect-rate", defaultConnectRate, "new web chat sockets per client address"+rate)
	str(&f.sockets, "webchat-max-sockets", strconv.Itoa(defaultSocketsPerAddr), "open web chat sockets per client address; 0: no cap")
	str(&f.maxMessages, "interaction-max-messages", strconv.Itoa(defaultMaxMessages), "customer messages per interaction; 0: no cap")
	str(&f.maxBytes, "interaction-max-bytes-per-hour", strconv.Itoa(defaultMaxBytesPerHour), "bytes of customer message text per interaction and hour; 0: no cap")
}

// parse checks the flags.
func (f limitFlags) parse() (*limitSettings, error) {
	var (
		s   limitSettings
		err error
	)
	if s.exempt, err = limit.ParsePrefixes(f.exempt); err != nil {
		return nil, fmt.Errorf("--limit-exempt: %w", err)
	}
	for _, r := range []struct {
		name string
		text string
		dst  *limit.Rate
	}{
		{"limit-client-rate", f.client, &s.client},
		{"limit-provider-rate", f.provider, &s.provider},
		{"limit-identity-rate", f.identity, &s.identity},
		{"limit-sip-rate", f.sip, &s.sip},
		{"webchat-connect-rate", f.connect, &s.connect},
	} {
		if *r.dst, err = limit.ParseRate(r.text); err != nil {
			return nil, fmt.Errorf("--%s: %w", r.name, err)
		}
	}
	sockets, err := parseCount("webchat-max-sockets", f.sockets)
	if err != nil {
		return nil, err
	}
	messages, err := parseCount("interaction-max-messages", f.maxMessages)
	if err != nil {
		return nil, err
	}
	if s.interaction.MaxBytesPerHour, err = parseCount("interaction-max-bytes-per-hour", f.maxBytes); err != nil {
		return nil, err
	}
	s.sockets, s.interaction.MaxMessages = int(sockets), int(messages)
	return &s, nil
}

// parseCount reads the whole number >= 0 of the flag name.
func parseCount(name, text string) (int64, error) {
	v, err := strconv.ParseInt(strings.TrimSpace(text), 10, 64)
	if err != nil || v < 0 || v > 1<<40 {
		return 0, fmt.Errorf("--%s %q: want a whole number >= 0", name, text)
	}
	return v, nil
}

// guard returns a channel's limits with perSource per client address
// and the identity rate; nil when s is nil.
func (s *limitSettings) guard(perSource func(*limitSettings) limit.Rate) *limit.Guard {
	if s == nil {
		return nil
	}
	return limit.NewGuard(limit.GuardConfig{PerSource: perSource(s), PerIdentity: s.identity, Exempt: s.exempt})
}

func clientRate(s *limitSettings) limit.Rate   { return s.client }
func providerRate(s *limitSettings) limit.Rate { return s.provider }
func sipRate(s *limitSettings) limit.Rate      { return s.sip }

// webchatConnects returns the web chat's limit of new sockets per
// address and its cap on open ones; nil for a nil s.
func (s *limitSettings) webchatConnects() (*limit.Limiter, *limit.Counter) {
	if s == nil {
		return nil, nil
	}
	return limit.NewLimiter(s.connect, "new chats from this address", 0, nil), limit.NewCounter(s.sockets, "open chats from this address")
}

// interactionLimits returns the per-interaction caps; none for a nil s.
func (s *limitSettings) interactionLimits() domain.InteractionLimits {
	if s == nil {
		return domain.InteractionLimits{}
	}
	return s.interaction
}
