package commands

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/interactionledger/ledger/domain"
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
	Attachments     []domain.Attachment
	SentAt          time.Time
	// Queue and Priority place a new interaction; defaults: DefaultQueue,
	// NORMAL.
	Queue    string
	Priority domain.Priority
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
func (h *Handler) ReceiveInbound(ctx context.Context, msg InboundMessage, meta Meta) (InboundResult, error) {
	return runFlow(ctx, h, "ReceiveInbound", func() (InboundResult, Result, error) {
		res, err := h.receiveInbound(ctx, msg, meta)
		return res, Result{Position: res.Position}, err
	})
}

func (h *Handler) receiveInbound(ctx context.Context, msg InboundMessage, meta Meta) (InboundResult, error) {
	if err := validateInbound(msg); err != nil {
		return InboundResult{}, err
	}
	meta = inboundMeta(msg, meta)
	who, err := h.ResolveCustomer(ctx, msg.From, msg.DisplayName, meta.withKey("customer"))
	if err != nil {
		return InboundResult{}, err
	}
	meta.Actor = "customer:" + who.CustomerID
	convKey := msg.ConversationKey
	if convKey == "" {
		convKey = who.Identity.String()
	}
	convStream := domain.ConversationStream(msg.Channel, convKey)
	for range maxRollovers {
		res, retry, err := h.appendToConversation(ctx, convStream, who, msg, meta)
		if !retry {
			res.Position = max(res.Position, who.Position)
			return res, err
		}
	}
	return InboundResult{}, domain.Errorf(domain.ECONFLICT, "conversation %s keeps moving on; try again", convStream)
}

// appendToConversation appends msg to the conversation's current
// interaction, opening a new one when needed. retry is true when the
// conversation moved on concurrently and the caller should look again.
func (h *Handler) appendToConversation(ctx context.Context, convStream string, who Resolution, msg InboundMessage, meta Meta) (InboundResult, bool, error) {
	conv, err := load(ctx, h, conversations, convStream, uuid.Nil)
	if err != nil {
		return InboundResult{}, false, err
	}
	interactionID, err := h.currentInteraction(ctx, convStream, conv, msg, meta)
	if err != nil {
		return InboundResult{}, isCode(err, domain.ECONFLICT), err
	}
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
	var reused *domain.MessageIDConflictError
	if isCode(err, domain.ECONFLICT) && !errors.As(err, &reused) && conv.state.Current == interactionID {
		// The interaction ended under us: roll the conversation over. (A
		// message id reused for other content is refused wherever it goes.)
		return InboundResult{}, true, err
	}
	out := InboundResult{CustomerID: who.CustomerID, InteractionID: interactionID, NewInteraction: created && res.Position != 0, Position: res.Position}
	return out, false, err
}

// currentInteraction returns the conversation's current interaction if it
// is still open or already holds msg (a redelivery after it ended), or makes
// a new one current. The new id is derived from the conversation and its
// count of interactions, so concurrent messages agree on it.
func (h *Handler) currentInteraction(ctx context.Context, convStream string, conv loaded[domain.Conversation], msg InboundMessage, meta Meta) (string, error) {
	if current := conv.state.Current; current != "" {
		it, err := load(ctx, h, interactions, current, uuid.Nil)
		if err != nil {
			return "", err
		}
		if !it.state.Status.Ended() || it.state.HasMessage(msg.ProviderMessageID) {
			return current, nil
		}
	}
	next := DeriveID("interaction", convStream+"#"+strconv.Itoa(conv.state.Count))
	_, _, err := execute(ctx, h, conversations, convStream, meta.withKey("conversation#"+strconv.Itoa(conv.state.Count)),
		domain.OpenConversationInteraction{Channel: msg.Channel, InteractionID: next, Replaces: conv.state.Current})
	return next, err
}

// inboundCommands plans the commands for a message: start and queue the
// interaction when it is new, then record the message.
func inboundCommands(it domain.Interaction, interactionID string, who Resolution, msg InboundMessage, limits domain.InteractionLimits) []domain.InteractionCommand {
	var receive []domain.InteractionCommand
	if !isBareCall(msg) {
		receive = append(receive, domain.ReceiveMessage{MessageID: msg.ProviderMessageID, Text: msg.Text, Attachments: msg.Attachments, SentAt: msg.SentAt, Limits: limits})
	}
	if it.Exists() {
		return receive
	}
	queue := msg.Queue
	if queue == "" {
		queue = DefaultQueue
	}
	start := domain.StartInteraction{InteractionID: interactionID, CustomerID: who.CustomerID, Channel: msg.Channel, Identity: who.Identity, Subject: msg.Subject}
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
