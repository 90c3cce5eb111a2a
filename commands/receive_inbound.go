package commands

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/internal/tracing"
)

// DefaultQueue is where new interactions wait when the channel names none.
const DefaultQueue = "general"

// InboundMessage is a customer's message as a channel adapter hands it over.
type InboundMessage struct {
	Channel domain.Channel
	// From is the customer's identity on that channel.
	From domain.Identity
	// DisplayName is the name the channel knows the customer by, if any;
	// used only when the customer is new.
	DisplayName string
	// ProviderMessageID is the provider's unique id for this message; a
	// redelivery with the same id appends nothing.
	ProviderMessageID string
	// ConversationKey groups messages into one interaction (a SIP Call-ID,
	// an email thread root, a chat session). Empty means one running
	// conversation per customer identity on the channel.
	ConversationKey string
	Subject         string
	Text            string
	// Attachments describe files whose contents the ledger does not keep;
	// Files, when the handler keeps files (WithFiles), replace them with
	// the files themselves, kept under the sender's customer.
	Attachments []domain.Attachment
	Files       InboundFiles
	// MaxFileBytes bounds each of Files (default DefaultMaxFileBytes).
	MaxFileBytes int64
	SentAt       time.Time
	// Queue and Priority place a new interaction; defaults: DefaultQueue,
	// NORMAL.
	Queue    string
	Priority domain.Priority
	// IdentityCheck says how far the channel vouched for From; recorded
	// on a new interaction. A sender whose check FAILED (a forged email
	// From) never joins the customer who owns From: see ReceiveInbound.
	IdentityCheck domain.IdentityCheck
	// Authentication is the evidence behind IdentityCheck, recorded on a
	// new interaction (for email: "dkim=... spf=... dmarc=...").
	Authentication string
}

// InboundResult says where an inbound message landed.
type InboundResult struct {
	CustomerID     string
	InteractionID  string
	NewInteraction bool
	Position       uint64
}

const maxRollovers = 4

// ReceiveInbound records a customer's message: it resolves (or registers)
// the customer from the sender's identity, finds the conversation's current
// interaction (starting and queueing a new one when there is none or the
// last one ended), and appends the message. The provider message id makes
// every event id deterministic and is remembered by the interaction, so a
// provider redelivery appends nothing, even after the interaction closed.
//
// A message waits for at most two durable appends in sequence: reserving
// a new identity, then the rest at once (registering the customer, making
// the new interaction the conversation's current one, and the interaction
// with the message), which the store can write in one group commit. Those
// appends are to different streams and each is a no-op when repeated, so
// a crash between them loses nothing: the channel has not acknowledged the
// message, and its redelivery derives the same ids and completes the rest.
// A message on an open conversation waits for one append.
//
// A sender whose identity check FAILED (an email that fails DMARC) does
// not resolve through the identity's reservation: the message goes to an
// unverified customer of its own (one per address, holding no identity,
// named "Unverified: ..."), in conversations of its own, so a forged From
// never reads or joins the real owner's history. An agent who finds it
// genuine merges the two customers deliberately.
//
// Each message is counted by channel (ledger_channel_messages_total) and,
// with tracing on, starts the trace that its events carry on to the
// projections and subscriptions.
func (h *Handler) ReceiveInbound(ctx context.Context, msg InboundMessage, meta Meta) (InboundResult, error) {
	ctx, span := tracing.Start(ctx, "channel.receive")
	defer span.End()
	if span.IsRecording() {
		span.SetAttributes(tracing.Channel.String(string(msg.Channel)), tracing.CorrelationID.String(inboundMeta(msg, meta).CorrelationID))
	}
	res, err := runFlow(ctx, h, "ReceiveInbound", func() (InboundResult, Result, error) {
		res, err := h.receiveInbound(ctx, msg, meta)
		return res, Result{Position: res.Position}, err
	})
	outcome := "ok"
	if err != nil {
		outcome = domain.ErrorCode(err)
	}
	h.metrics.intake.WithLabelValues(string(msg.Channel), outcome).Inc()
	tracing.Fail(span, err)
	return res, err
}

func (h *Handler) receiveInbound(ctx context.Context, msg InboundMessage, meta Meta) (InboundResult, error) {
	if err := validateInbound(msg); err != nil {
		return InboundResult{}, err
	}
	meta = inboundMeta(msg, meta)
	claim, err := h.claimSender(ctx, &msg, meta.withKey("customer"))
	if err != nil {
		return InboundResult{}, err
	}
	meta.Actor = "customer:" + claim.CustomerID
	// Files go before the events that name them: an event never refers
	// to bytes that are not kept. A crash in between leaves a blob that
	// the redelivery finds stored already.
	if err := h.storeFiles(ctx, claim.CustomerID, &msg); err != nil {
		return InboundResult{}, err
	}
	convStream := h.names.Conversation(msg.Channel, claim.Identity.String())
	if msg.ConversationKey != "" {
		if convStream, err = h.conversationStream(ctx, msg.Channel, msg.ConversationKey); err != nil {
			return InboundResult{}, err
		}
	}
	var (
		res        InboundResult
		registered Result
		regErr     error
	)
	concurrently(
		func() { registered, regErr = claim.register(ctx) },
		func() { res, err = h.recordInConversation(ctx, convStream, claim.Resolution, msg, meta) },
	)
	if err == nil {
		err = regErr
	}
	res.Position = max(res.Position, claim.Position, registered.Position)
	return res, err
}

// claimSender resolves the customer msg comes from: the identity's owner,
// or for a sender whose identity check failed an unverified customer of
// its own (and msg's conversation is moved apart from the owner's).
func (h *Handler) claimSender(ctx context.Context, msg *InboundMessage, meta Meta) (identityClaim, error) {
	if msg.IdentityCheck != domain.IdentityFailed {
		return h.claimIdentity(ctx, msg.From, msg.DisplayName, meta)
	}
	norm, err := h.NormalizeIdentity(msg.From)
	if err != nil {
		return identityClaim{}, err
	}
	stream := h.names.Identity(norm)
	key := msg.ConversationKey
	if key == "" {
		key = stream
	}
	msg.ConversationKey = "unverified:" + key
	customerID := DeriveID("customer", "unverified#"+stream)
	name := unverifiedName(msg.DisplayName, norm)
	claim := identityClaim{Resolution: Resolution{CustomerID: customerID, Identity: norm}}
	claim.pending = func(ctx context.Context) (Result, error) {
		res, _, err := executePlan(ctx, h, customers, customerID, meta.withKey("register"), "RegisterCustomer",
			func(cur loaded[domain.Customer]) []domain.CustomerCommand {
				if cur.state.Registered {
					return nil
				}
				return []domain.CustomerCommand{domain.RegisterCustomer{CustomerID: customerID, DisplayName: name}}
			})
		return res, err
	}
	return claim, nil
}

// unverifiedName is the display name of an unverified sender's customer:
// what the sender calls themselves, marked as unverified.
func unverifiedName(displayName string, id domain.Identity) string {
	name := strings.TrimSpace(displayName)
	if name == "" {
		name = id.Value
	}
	const maxName = 120
	if len(name) > maxName {
		name = strings.ToValidUTF8(name[:maxName], "")
	}
	return "Unverified: " + name
}

// conversationStream is the stream of the conversation with a key of its
// own: the first of its possible names (domain.StreamNames.
// ConversationStreams) that exists, or its name when none does.
func (h *Handler) conversationStream(ctx context.Context, channel domain.Channel, key string) (string, error) {
	streams := h.names.ConversationStreams(channel, key)
	if len(streams) == 1 {
		return streams[0], nil
	}
	for _, stream := range streams {
		conv, err := load(ctx, h, conversations, stream, uuid.Nil)
		if err != nil {
			return "", err
		}
		if conv.version >= 0 {
			return stream, nil
		}
	}
	return streams[0], nil
}

// recordInConversation appends msg to the conversation's current
// interaction, rolling the conversation over to a new one when it ended
// under us.
func (h *Handler) recordInConversation(ctx context.Context, convStream string, who Resolution, msg InboundMessage, meta Meta) (InboundResult, error) {
	for range maxRollovers {
		res, retry, err := h.appendToConversation(ctx, convStream, who, msg, meta)
		if !retry {
			return res, err
		}
	}
	return InboundResult{}, domain.Errorf(domain.ECONFLICT, "conversation %s keeps moving on; try again", convStream)
}

// appendToConversation appends msg to the conversation's current
// interaction, opening a new one when needed: the conversation's roll-over
// and the new interaction's first events are appended concurrently. retry
// is true when the conversation moved on concurrently and the caller
// should look again.
func (h *Handler) appendToConversation(ctx context.Context, convStream string, who Resolution, msg InboundMessage, meta Meta) (InboundResult, bool, error) {
	conv, err := load(ctx, h, conversations, convStream, uuid.Nil)
	if err != nil {
		return InboundResult{}, false, err
	}
	interactionID, open, err := h.currentInteraction(ctx, convStream, conv, who, msg)
	if err != nil {
		return InboundResult{}, false, err
	}
	var (
		res             InboundResult
		opened          Result
		recErr, openErr error
	)
	concurrently(
		func() { opened, openErr = h.openInteraction(ctx, convStream, open, conv.state.Count, meta) },
		func() { res, recErr = h.appendMessage(ctx, interactionID, who, msg, meta) },
	)
	res.Position = max(res.Position, opened.Position)
	var reused *domain.MessageIDConflictError
	if isCode(recErr, domain.ECONFLICT) && !errors.As(recErr, &reused) && (open != nil || conv.state.Current == interactionID) {
		// The interaction ended under us: roll the conversation over. (A
		// message id reused for other content is refused wherever it goes.)
		return InboundResult{}, true, recErr
	}
	if recErr == nil && isCode(openErr, domain.ECONFLICT) {
		// Another message opened this interaction, and it has since ended
		// and been replaced: ours is recorded where the conversation was.
		openErr = nil
	}
	if recErr != nil {
		return res, false, recErr
	}
	return res, false, openErr
}

// currentInteraction returns the conversation's current interaction if it
// is still open or already holds msg (a redelivery after it ended), or the
// interaction to open in its place and the command that makes it current.
// The new id is derived from the conversation and its count of
// interactions, so concurrent messages agree on it.
func (h *Handler) currentInteraction(ctx context.Context, convStream string, conv loaded[domain.Conversation], who Resolution, msg InboundMessage) (string, *domain.OpenConversationInteraction, error) {
	if current := conv.state.Current; current != "" {
		it, err := load(ctx, h, interactions, current, uuid.Nil)
		if err != nil {
			return "", nil, err
		}
		if it.state.HasMessage(msg.ProviderMessageID) {
			return current, nil, nil
		}
		if earlier, err := h.earlierHolder(ctx, convStream, conv.state, msg); err != nil || earlier != "" {
			return earlier, nil, err
		}
		gone, err := h.ofErasedCustomer(ctx, it.state, who)
		if err != nil {
			return "", nil, err
		}
		if !it.state.Status.Ended() && !gone {
			return current, nil, nil
		}
	}
	next := conversationInteractionID(convStream, conv.state.Count)
	return next, &domain.OpenConversationInteraction{Channel: msg.Channel, InteractionID: next, Replaces: conv.state.Current}, nil
}

// redeliveryLookback is how many of a conversation's interactions before
// the current one a message is looked for before it is taken for new: a
// provider redelivers a message it got no answer for within minutes or
// hours, in which the conversation may have ended and started again a few
// times, but not dozens.
const redeliveryLookback = 4

// earlierHolder returns the interaction before the conversation's current
// one that already holds msg (a provider's late redelivery, after the
// interaction it went to ended and the customer wrote again), or "". The
// interactions' ids follow from the conversation's count.
func (h *Handler) earlierHolder(ctx context.Context, convStream string, conv domain.Conversation, msg InboundMessage) (string, error) {
	for n := conv.Count - 2; n >= max(0, conv.Count-1-redeliveryLookback); n-- {
		id := conversationInteractionID(convStream, n)
		it, err := load(ctx, h, interactions, id, uuid.Nil)
		if err != nil {
			return "", err
		}
		if it.state.HasMessage(msg.ProviderMessageID) {
			return id, nil
		}
	}
	return "", nil
}

// conversationInteractionID is the id of a conversation's n-th
// interaction (from 0), derived so that concurrent messages agree on it.
func conversationInteractionID(convStream string, n int) string {
	return DeriveID("interaction", convStream+"#"+strconv.Itoa(n))
}

// ofErasedCustomer reports whether an interaction belongs to an erased
// customer (or to one merged into an erased customer, at any depth) and
// not to who: the number they wrote from was released by the erasure, and
// its next message is a new customer's, in an interaction of its own.
// (Only asked when the customers differ, which is rare.)
func (h *Handler) ofErasedCustomer(ctx context.Context, it domain.Interaction, who Resolution) (bool, error) {
	if it.CustomerID == "" || it.CustomerID == who.CustomerID {
		return false, nil
	}
	id := it.CustomerID
	for range maxMergeDepth {
		owner, err := load(ctx, h, customers, id, uuid.Nil)
		if err != nil {
			return false, err
		}
		if owner.state.MergedInto == "" {
			return owner.state.Erased, nil
		}
		id = owner.state.MergedInto
	}
	return false, nil
}

// maxMergeDepth bounds the walk along a chain of merges: deeper chains
// are not made by people merging duplicates.
const maxMergeDepth = 64

// openInteraction makes a new interaction the conversation's current one;
// count is the conversation's count of interactions it was decided on.
func (h *Handler) openInteraction(ctx context.Context, convStream string, open *domain.OpenConversationInteraction, count int, meta Meta) (Result, error) {
	if open == nil {
		return Result{}, nil
	}
	res, _, err := execute(ctx, h, conversations, convStream, meta.withKey("conversation#"+strconv.Itoa(count)), *open)
	return res, err
}

// appendMessage records msg on the interaction, starting and queueing the
// interaction when it is new.
func (h *Handler) appendMessage(ctx context.Context, interactionID string, who Resolution, msg InboundMessage, meta Meta) (InboundResult, error) {
	created := false
	res, _, err := executePlan(ctx, h, interactions, interactionID, meta.withKey("message"), "ReceiveMessage",
		func(cur loaded[domain.Interaction]) []domain.InteractionCommand {
			created = !cur.state.Exists()
			return inboundCommands(cur.state, interactionID, who, msg, h.limits)
		})
	var over *domain.InteractionLimitError
	if errors.As(err, &over) {
		h.reportLimit(ctx, interactionID, over, meta)
	}
	return InboundResult{CustomerID: who.CustomerID, InteractionID: interactionID, NewInteraction: created && res.Position != 0, Position: res.Position}, err
}

// concurrently runs the steps at once and returns when all have: appends
// to different streams issued together share the store's group commit
// instead of waiting for one fsync each.
func concurrently(steps ...func()) {
	var wg sync.WaitGroup
	for _, step := range steps[1:] {
		wg.Go(step)
	}
	steps[0]()
	wg.Wait()
}

// inboundCommands plans the commands for a message: start and queue the
// interaction when it is new, then record the message.
func inboundCommands(it domain.Interaction, interactionID string, who Resolution, msg InboundMessage, limits domain.InteractionLimits) []domain.InteractionCommand {
	var receive []domain.InteractionCommand
	if !isBareCall(msg) {
		receive = append(receive, domain.ReceiveMessage{MessageID: msg.ProviderMessageID, Text: msg.Text, Attachments: msg.Attachments, SentAt: msg.SentAt, Limits: limits,
			IdentityCheck: msg.IdentityCheck, Authentication: msg.Authentication})
	}
	if it.Exists() {
		return receive
	}
	queue := msg.Queue
	if queue == "" {
		queue = DefaultQueue
	}
	start := domain.StartInteraction{InteractionID: interactionID, CustomerID: who.CustomerID, Channel: msg.Channel, Identity: who.Identity,
		IdentityCheck: msg.IdentityCheck, Authentication: msg.Authentication, Subject: msg.Subject}
	cmds := append([]domain.InteractionCommand{start}, receive...)
	return append(cmds, domain.QueueInteraction{Queue: queue, Priority: msg.Priority})
}

// reportLimit tells supervisors that a message was refused over one of
// the interaction's caps: InteractionLimitReached, once per cap (per hour
// window for bytes). The refusal stands whether or not the report is
// written.
func (h *Handler) reportLimit(ctx context.Context, interactionID string, over *domain.InteractionLimitError, meta Meta) {
	res, _, err := execute(ctx, h, interactions, interactionID, meta.withKey("limit"),
		domain.InteractionCommand(domain.ReportInteractionLimit{Limit: over.Limit, Max: over.Max}))
	switch {
	case err != nil && !isCode(err, domain.ENOTFOUND):
		h.logger.Error("interaction limit not reported", "interaction", interactionID, "limit", over.Limit, "err", err)
	case len(res.Events) > 0:
		h.logger.Warn("interaction limit reached: further customer messages are refused", "interaction", interactionID, "limit", over.Limit, "max", over.Max)
	}
}

// isBareCall reports whether msg is a phone call carrying no message: the
// call itself starts the interaction.
func isBareCall(msg InboundMessage) bool {
	return msg.Channel == domain.ChannelPhone && strings.TrimSpace(msg.Text) == "" && len(msg.Attachments) == 0
}

func validateInbound(msg InboundMessage) error {
	if !msg.Channel.Valid() {
		return domain.Errorf(domain.EINVALID, "unknown channel %q", msg.Channel)
	}
	if strings.TrimSpace(msg.ProviderMessageID) == "" {
		return domain.Errorf(domain.EINVALID, "an inbound message needs the provider's message id")
	}
	if isBareCall(msg) && msg.ConversationKey == "" {
		// Calls carry no message to tell two of them apart: each call is a
		// conversation of its own, named by its call id.
		return domain.Errorf(domain.EINVALID, "a phone call needs its call id as the conversation key")
	}
	return nil
}

// inboundMeta fills the metadata every event of an inbound message carries.
func inboundMeta(msg InboundMessage, meta Meta) Meta {
	key := string(msg.Channel) + ":" + msg.ProviderMessageID
	meta.Channel = msg.Channel
	meta.SourceMessageID = msg.ProviderMessageID
	if meta.IdempotencyKey == "" {
		meta.IdempotencyKey = "inbound:" + key
	}
	if meta.CorrelationID == "" {
		meta.CorrelationID = DeriveID("correlation", key)
	}
	if meta.CausationID == "" {
		meta.CausationID = "message:" + key
	}
	return meta
}
