// Package commands owns the write side: it loads an aggregate from the
// event store, asks the domain to decide, and appends the resulting events
// with the expected version, retrying on a version conflict by deciding
// again on fresh state after a short jittered pause (retry.go, the one
// retry policy). It also owns the flows that span several streams:
// identity resolution for inbound messages and business facts, identity
// links, customer merges and ticket numbering; and the records the
// channels and integrations write: delivery attempts of replies, channel
// subscriptions and business facts (record_business_fact.go).
//
// Logging, metrics, idempotency and retries wrap every command in one
// place (execute), not in each flow. Loads start from the aggregate state
// cache (cache.go) when it holds the stream, and read only the events
// after it; the append's expected version decides, as without it.
package commands

import (
	"fmt"
	"log/slog"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore"
)

// Handler executes commands against one event store. It is safe for
// concurrent use.
type Handler struct {
	store       eventstore.Store
	now         func() time.Time
	logger      *slog.Logger
	callingCode string
	maxAttempts int
	metrics     *metrics
	// ticketRules classify new tickets (SetTicketRules); a pointer, so
	// copies of the handler made for a policy's clock share it.
	ticketRules *atomic.Pointer[[]domain.TicketRule]
	// limits cap what a customer may append to one interaction
	// (WithInteractionLimits); zero: no caps.
	limits domain.InteractionLimits
	// cacheSize is the aggregate state cache's budget in entries
	// (WithAggregateCache); cache is nil when it is 0. A pointer, so
	// copies of the handler share it.
	cacheSize int
	cache     *stateCache
	// sealer seals personal fields (sealing.go); nil for a ledger in
	// clear. names follow it: keyed when it is set.
	sealer Sealer
	names  domain.StreamNames
	// migrated: see WithMigratedConversations.
	migrated bool
	// files keeps attachments' contents (WithFiles); nil: descriptions
	// only.
	files FileStore
	// planTiers give plans sent without a tier one by their code
	// (WithPlanTiers).
	planTiers domain.PlanTiers
}

// Option configures a Handler.
type Option func(*Handler)

// WithClock sets the clock decisions are made with (tests, demo replays).
func WithClock(now func() time.Time) Option { return func(h *Handler) { h.now = now } }

// WithMigratedConversations tells the handler that its ledger was migrated
// from clear to encrypted: conversations keyed by a call id, an email
// thread or a chat session that began before are looked for under their
// clear names too (domain.StreamNames.WithClearConversations).
func WithMigratedConversations() Option { return func(h *Handler) { h.migrated = true } }

// WithLogger sets the logger.
func WithLogger(l *slog.Logger) Option { return func(h *Handler) { h.logger = l } }

// WithCallingCode sets the country calling code assumed for phone numbers
// written without one (default domain.DefaultCallingCode).
func WithCallingCode(code string) Option { return func(h *Handler) { h.callingCode = code } }

// WithMaxAttempts bounds how many times a command is tried in all when
// its appends meet version conflicts (default 32; see retry.go for the
// pauses between tries).
func WithMaxAttempts(n int) Option { return func(h *Handler) { h.maxAttempts = n } }

// WithInteractionLimits caps the customer's messages on one interaction
// (see domain.InteractionLimits); a message over a cap is refused with a
// *domain.InteractionLimitError and reported to supervisors once with
// InteractionLimitReached.
func WithInteractionLimits(l domain.InteractionLimits) Option {
	return func(h *Handler) { h.limits = l }
}

// WithPlanTiers maps plan codes to tiers: a plan recorded without a tier
// gets the one its code (domain.PlanCodeAttribute) maps to, recorded in
// its event, so a later change of the mapping rewrites nothing.
func WithPlanTiers(m domain.PlanTiers) Option { return func(h *Handler) { h.planTiers = m } }

// WithAggregateCache sets the budget of the aggregate state cache: how
// many streams' folded states it keeps, least recently used out first
// (default DefaultAggregateCacheEntries; 0 disables the cache). See
// cache.go.
func WithAggregateCache(entries int) Option { return func(h *Handler) { h.cacheSize = entries } }

// WithRegisterer registers the handler's metrics.
func WithRegisterer(r prometheus.Registerer) Option {
	return func(h *Handler) { h.metrics = newMetrics(r) }
}

// NewHandler returns a Handler on store.
func NewHandler(store eventstore.Store, opts ...Option) *Handler {
	h := &Handler{
		store:       store,
		now:         func() time.Time { return time.Now().UTC() },
		logger:      slog.Default(),
		callingCode: domain.DefaultCallingCode,
		maxAttempts: defaultMaxAttempts,
		ticketRules: new(atomic.Pointer[[]domain.TicketRule]),
		cacheSize:   DefaultAggregateCacheEntries,
	}
	for _, opt := range opts {
		opt(h)
	}
	if h.metrics == nil {
		h.metrics = newMetrics(nil)
	}
	h.cache = newStateCache(h.cacheSize, h.metrics)
	if sealer, ok := store.(Sealer); ok {
		h.sealer = sealer
		h.names = domain.KeyedStreamNames(sealer.StreamNameKey())
		if h.migrated {
			h.names = h.names.WithClearConversations()
		}
	}
	return h
}

// Store returns the event store the handler writes to.
func (h *Handler) Store() eventstore.Store { return h.store }

// NormalizeIdentity normalises an identity with the handler's calling code.
func (h *Handler) NormalizeIdentity(id domain.Identity) (domain.Identity, error) {
	return domain.NormalizeIdentity(id, h.callingCode)
}

// Meta says who asks for a command and why; it becomes every resulting
// event's metadata.
type Meta struct {
	// Actor is who acts: "agent:<id>", "customer:<id>", "system:<policy>".
	Actor string
	// Channel the request came in on, if any.
	Channel domain.Channel
	// CorrelationID groups every event of one outside request; generated
	// when empty.
	CorrelationID string
	// CausationID is the id of what caused the command.
	CausationID string
	// SourceMessageID is the provider's message id for inbound messages.
	SourceMessageID string
	// IdempotencyKey makes event ids deterministic: the same key yields the
	// same ids, so a retried request appends nothing new. Channels use the
	// provider's message id; clients may send their own.
	IdempotencyKey string
}

// withKey returns m with an idempotency key derived from m's own key (or
// nothing, if m has none) and a suffix naming one step of a multi-step flow.
func (m Meta) withKey(step string) Meta {
	if m.IdempotencyKey != "" {
		m.IdempotencyKey += "/" + step
	}
	return m
}

// Result is what a command wrote.
type Result struct {
	// Stream the events went to.
	Stream string
	// Position is the $all position of the last event written, or, when
	// the command changed nothing, 0.
	Position uint64
	// Version is the stream's version after the command (-1: no stream).
	Version int64
	// Events are the events the command produced (none for a no-op).
	Events []domain.Event
}

// idNamespace seeds deterministic event ids (UUID v5).
var idNamespace = uuid.MustParse("6f1c0d1e-5a7b-4c1e-9d8e-2b4c6a8e0f13")

// eventIDs derives the id of the n-th event a command wrote to stream from
// the request's idempotency key (or makes a fresh one when key is "").
type eventIDs func(key, stream, command string, n int) uuid.UUID

// eventID returns the id of the n-th event a command wrote to stream:
// derived from the idempotency key when there is one, time-ordered (v7)
// otherwise, so the store's id index grows at its end instead of being
// written all over. The command's name is part of a derived id, so one key
// used for two different commands on a stream cannot collide.
func eventID(key, stream, command string, n int) uuid.UUID {
	if key == "" {
		return newV7()
	}
	return uuid.NewSHA1(idNamespace, []byte(key+"|"+stream+"|"+command+"|"+strconv.Itoa(n)))
}

// channelIDNamespace seeds the ids of the events the channels wrote
// themselves before they wrote through this package: delivery attempts
// and channel subscriptions.
var channelIDNamespace = uuid.MustParse("2d3c1b6e-3f0e-4a57-9d52-8f1f4c7b9a10")

// channelEventID derives the ids of delivery and subscription events as
// the channels always did (namespace, key, stream and index; no command
// name: one stream holds one kind of command), so an attempt or a push
// recorded before that move is still recognised when it is recorded again.
func channelEventID(key, stream, _ string, n int) uuid.UUID {
	if key == "" {
		return newV7()
	}
	return uuid.NewSHA1(channelIDNamespace, []byte(key+"|"+stream+"|"+strconv.Itoa(n)))
}

// DeriveID returns a deterministic id for an entity created from an outside
// key (a provider conversation id, a message id), so that a retried request
// creates the same entity, not a second one.
func DeriveID(kind, key string) string {
	return uuid.NewSHA1(idNamespace, []byte(kind+"|"+key)).String()
}

// NewID returns a fresh time-ordered id.
func NewID() string { return newV7().String() }

// newV7 returns a time-ordered UUID; uuid.NewV7 fails only when the
// system's random source does, which nothing can recover from.
func newV7() uuid.UUID {
	id, err := uuid.NewV7()
	if err != nil {
		panic(fmt.Sprintf("uuid v7: %v", err))
	}
	return id
}
