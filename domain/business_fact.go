package domain

import (
	"maps"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Business context: what the CRM and order systems behind the contact
// centre know about a customer (orders, service plans, devices,
// contracts). Each fact is owned by the system that recorded it (its
// source), which names it by its own external id and versions it: the
// ledger keeps the newest version of each and ignores the rest, so a
// system may send a fact as often as it likes, in any order.
//
// The facts live in a stream of their own per customer
// (BusinessContextStream), not in the customer's stream: a customer may
// have thousands of orders, and the customer aggregate, loaded by every
// inbound message, should not fold them.

// CategoryBusinessContext holds a customer's business facts, one stream
// per customer.
const CategoryBusinessContext = "context"

// BusinessContextStream names the stream of a customer's business facts.
func BusinessContextStream(customerID string) string {
	return CategoryBusinessContext + "-" + customerID
}

// FactKind is what a business fact describes.
type FactKind string

// Fact kinds.
const (
	FactOrder    FactKind = "ORDER"
	FactPlan     FactKind = "PLAN"
	FactDevice   FactKind = "DEVICE"
	FactContract FactKind = "CONTRACT"
)

// FactKinds lists every fact kind, in display order.
var FactKinds = []FactKind{FactPlan, FactOrder, FactDevice, FactContract}

// Valid reports whether k is a known fact kind.
func (k FactKind) Valid() bool { return oneOf(k, FactKinds) }

// Limits of a business fact, so that one system cannot flood a customer's
// stream or the 360 with one fact.
const (
	MaxFactSourceLen     = 64
	MaxFactExternalIDLen = 128
	MaxFactAttributes    = 32
	MaxFactAttrKeyLen    = 64
	MaxFactAttrValueLen  = 1024
	MaxFactAttrTotal     = 8 << 10 // bytes of keys and values together
)

var (
	factSourceRE  = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)
	factAttrKeyRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_.-]*$`)
)

// BusinessFactRecorded records one version of a business fact. Attribute
// values are personal (what a customer bought, where their device is):
// they are sealed with the customer's data key. The attribute names, the
// kind, source, external id, version and a plan's tier are not: they are
// the CRM's vocabulary, and routing and analytics use the tier.
type BusinessFactRecorded struct {
	CustomerID string   `json:"customerId"`
	Kind       FactKind `json:"kind"`
	Source     string   `json:"source"`
	ExternalID string   `json:"externalId"`
	Version    int64    `json:"version"`
	// PreviousVersion is the version this one replaces, 0 for a new fact.
	PreviousVersion int64 `json:"previousVersion,omitempty"`
	// Tier is the service tier a plan gives its holder ("" for none, and
	// for facts other than plans).
	Tier       Tier              `json:"tier,omitempty"`
	Attributes map[string]string `json:"attributes,omitempty"`
	// EffectiveAt is when the fact took effect in its system (an order's
	// date, a plan's start); zero when the system did not say.
	EffectiveAt time.Time `json:"effectiveAt,omitzero"`
	At          time.Time `json:"at"`
}

func (BusinessFactRecorded) EventType() string { return "BusinessFactRecorded" }

func init() { register[BusinessFactRecorded]() }

// FactKey names one fact: its kind, source and external id.
type FactKey struct {
	Kind       FactKind
	Source     string
	ExternalID string
}

// BusinessContext is the state of a customer's business facts stream: the
// newest version of each fact, which is all a decision needs.
type BusinessContext struct {
	CustomerID string
	Versions   map[FactKey]int64
}

// VersionOf returns the newest recorded version of key, 0 if none.
func (c BusinessContext) VersionOf(key FactKey) int64 { return c.Versions[key] }

// Clone returns a deep copy of c.
func (c BusinessContext) Clone() BusinessContext {
	c.Versions = maps.Clone(c.Versions)
	return c
}

// RecordBusinessFact records a version of a fact about the customer.
type RecordBusinessFact struct {
	CustomerID  string
	Kind        FactKind
	Source      string
	ExternalID  string
	Version     int64
	Tier        Tier
	Attributes  map[string]string
	EffectiveAt time.Time
}

// Key returns the fact's key.
func (cmd RecordBusinessFact) Key() FactKey {
	return FactKey{Kind: cmd.Kind, Source: cmd.Source, ExternalID: cmd.ExternalID}
}

// FactOutcome is what recording a fact did.
type FactOutcome int

// Outcomes of RecordBusinessFact.
const (
	// FactRecorded: a new fact, or a newer version of one.
	FactRecorded FactOutcome = iota
	// FactUnchanged: this version was recorded before (a retry).
	FactUnchanged
	// FactStale: a newer version was recorded before; this one is ignored.
	FactStale
)

// String names the outcome as the API and the integration endpoint answer
// it: RECORDED, UNCHANGED or STALE.
func (o FactOutcome) String() string {
	switch o {
	case FactUnchanged:
		return "UNCHANGED"
	case FactStale:
		return "STALE"
	}
	return "RECORDED"
}

// ClassifyFact tells what recording cmd does on c, without validating it.
func ClassifyFact(c BusinessContext, cmd RecordBusinessFact) FactOutcome {
	switch cur := c.VersionOf(cmd.Key()); {
	case cur == cmd.Version:
		return FactUnchanged
	case cur > cmd.Version:
		return FactStale
	}
	return FactRecorded
}

// DecideBusinessContext decides the event of a fact: one for a new fact
// or a newer version, none for a version already recorded (a retry) or an
// older one (stale: the system sent versions out of order, and retrying
// would not help it, so it is no error). Invalid facts are EINVALID.
func DecideBusinessContext(c BusinessContext, cmd RecordBusinessFact, now time.Time) ([]Event, error) {
	if cmd.CustomerID == "" {
		return nil, invalid("a business fact belongs to a customer")
	}
	if c.CustomerID != "" {
		if err := sameID("customer", c.CustomerID, cmd.CustomerID); err != nil {
			return nil, err
		}
	}
	cmd, err := cleanFact(cmd)
	if err != nil {
		return nil, err
	}
	if ClassifyFact(c, cmd) != FactRecorded {
		return nil, nil
	}
	return []Event{BusinessFactRecorded{
		CustomerID: cmd.CustomerID, Kind: cmd.Kind, Source: cmd.Source, ExternalID: cmd.ExternalID,
		Version: cmd.Version, PreviousVersion: c.VersionOf(cmd.Key()), Tier: cmd.Tier,
		Attributes: cmd.Attributes, EffectiveAt: cmd.EffectiveAt.UTC(), At: now,
	}}, nil
}

// CleanBusinessFact validates a fact and returns it trimmed, or an
// EINVALID error saying what is wrong: the command layer checks a fact
// before it resolves (and perhaps registers) its customer.
func CleanBusinessFact(cmd RecordBusinessFact) (RecordBusinessFact, error) { return cleanFact(cmd) }

// Bounds of a fact's EffectiveAt: the times the read models can order
// (nanoseconds since 1970 in 64 bits), well past any real system's.
var (
	minEffectiveAt = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)
	maxEffectiveAt = time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)
)

func cleanFact(cmd RecordBusinessFact) (RecordBusinessFact, error) {
	if !cmd.EffectiveAt.IsZero() && (cmd.EffectiveAt.Before(minEffectiveAt) || !cmd.EffectiveAt.Before(maxEffectiveAt)) {
		return cmd, invalid("effectiveAt %s is not between 1900 and 2200", cmd.EffectiveAt.UTC().Format(time.RFC3339))
	}
	if !cmd.Kind.Valid() {
		return cmd, invalid("unknown fact kind %q (want one of PLAN, ORDER, DEVICE, CONTRACT)", cmd.Kind)
	}
	cmd.Source = strings.TrimSpace(cmd.Source)
	if len(cmd.Source) > MaxFactSourceLen || !factSourceRE.MatchString(cmd.Source) {
		return cmd, invalid("a fact's source must be 1 to %d letters, digits, '.', '_' or '-', starting with a letter or digit", MaxFactSourceLen)
	}
	id, err := cleanExternalID(cmd.ExternalID)
	if err != nil {
		return cmd, err
	}
	cmd.ExternalID = id
	if cmd.Version < 1 {
		return cmd, invalid("a fact's version must be a positive integer, got %d", cmd.Version)
	}
	if cmd.Tier != "" && (cmd.Kind != FactPlan || !cmd.Tier.Valid()) {
		return cmd, invalid("tier %q: only a plan has a tier, one of STANDARD, SILVER, GOLD, VIP", cmd.Tier)
	}
	if cmd.Attributes, err = cleanAttributes(cmd.Attributes); err != nil {
		return cmd, err
	}
	return cmd, nil
}

func cleanExternalID(id string) (string, error) {
	id = strings.TrimSpace(id)
	if id == "" || len(id) > MaxFactExternalIDLen || !utf8.ValidString(id) {
		return "", invalid("a fact's external id must be 1 to %d bytes of valid UTF-8", MaxFactExternalIDLen)
	}
	if strings.IndexFunc(id, func(r rune) bool { return unicode.IsControl(r) || unicode.IsSpace(r) }) >= 0 {
		return "", invalid("a fact's external id may not hold white space or control characters")
	}
	return id, nil
}

// cleanAttributes checks the attributes' names and sizes and returns a
// copy with trimmed values and no empty ones.
func cleanAttributes(attrs map[string]string) (map[string]string, error) {
	if len(attrs) > MaxFactAttributes {
		return nil, invalid("a fact has %d attributes, more than the %d allowed", len(attrs), MaxFactAttributes)
	}
	if len(attrs) == 0 {
		return nil, nil
	}
	out := make(map[string]string, len(attrs))
	total := 0
	for k, v := range attrs {
		if len(k) > MaxFactAttrKeyLen || !factAttrKeyRE.MatchString(k) {
			return nil, invalid("attribute name %q must be 1 to %d letters, digits, '.', '_' or '-', starting with a letter", k, MaxFactAttrKeyLen)
		}
		if !utf8.ValidString(v) || len(v) > MaxFactAttrValueLen {
			return nil, invalid("attribute %s must be valid UTF-8 of at most %d bytes", k, MaxFactAttrValueLen)
		}
		if v = strings.TrimSpace(v); v == "" {
			continue
		}
		total += len(k) + len(v)
		out[k] = v
	}
	if total > MaxFactAttrTotal {
		return nil, invalid("a fact's attributes are %d bytes, more than the %d allowed", total, MaxFactAttrTotal)
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

// EvolveBusinessContext folds one event.
func EvolveBusinessContext(c BusinessContext, e Event) BusinessContext {
	if e, ok := e.(BusinessFactRecorded); ok {
		key := FactKey{Kind: e.Kind, Source: e.Source, ExternalID: e.ExternalID}
		c.CustomerID = e.CustomerID
		if e.Version > c.Versions[key] {
			c.Versions = maps.Clone(c.Versions)
			if c.Versions == nil {
				c.Versions = map[FactKey]int64{}
			}
			c.Versions[key] = e.Version
		}
	}
	return c
}

// PlanCodeAttribute names the attribute of a plan that PlanTiers maps to
// a tier: the CRM's product code of the plan ("UNL-FAMILY"), the same for
// every customer on it, unlike the plan's external id.
const PlanCodeAttribute = "planCode"

// PlanTiers maps plan codes to the tier they give, for CRMs that send a
// plan's code but no tier (`ledger serve --plan-tiers`).
type PlanTiers map[string]Tier

// TierOf returns the tier a plan fact gives: its own, else the one its
// code maps to, else "".
func (m PlanTiers) TierOf(f RecordBusinessFact) Tier {
	if f.Kind != FactPlan || f.Tier != "" {
		return f.Tier
	}
	return m[strings.TrimSpace(f.Attributes[PlanCodeAttribute])]
}

// ParsePlanTiers reads "CODE=TIER,CODE=TIER" (tiers by name,
// case-insensitive); "" is no mapping.
func ParsePlanTiers(s string) (PlanTiers, error) {
	out := PlanTiers{}
	for _, pair := range strings.Split(s, ",") {
		if strings.TrimSpace(pair) == "" {
			continue
		}
		code, tier, ok := strings.Cut(pair, "=")
		code, t := strings.TrimSpace(code), Tier(strings.ToUpper(strings.TrimSpace(tier)))
		if !ok || code == "" || !t.Valid() {
			return nil, invalid("plan tier %q: want CODE=TIER with a tier of STANDARD, SILVER, GOLD, VIP", strings.TrimSpace(pair))
		}
		if _, dup := out[code]; dup {
			return nil, invalid("plan code %q is mapped twice", code)
		}
		out[code] = t
	}
	return out, nil
}
