package domain

import (
	"strings"
	"time"
	"unicode/utf8"
)

// InteractionStatus is where an interaction is in its life.
type InteractionStatus string

// Interaction statuses. CLOSED and ABANDONED are final.
const (
	InteractionStatusActive    InteractionStatus = "ACTIVE"
	InteractionStatusQueued    InteractionStatus = "QUEUED"
	InteractionStatusAssigned  InteractionStatus = "ASSIGNED"
	InteractionStatusClosed    InteractionStatus = "CLOSED"
	InteractionStatusAbandoned InteractionStatus = "ABANDONED"
)

// Ended reports whether the interaction takes no more messages.
func (s InteractionStatus) Ended() bool {
	return s == InteractionStatusClosed || s == InteractionStatusAbandoned
}

// MaxMessageBytes bounds one message body.
const MaxMessageBytes = 64 << 10

// Interaction is one conversation with a customer on one channel, folded
// from interaction-<id>.
type Interaction struct {
	ID          string
	CustomerID  string
	Channel     Channel
	Status      InteractionStatus
	Queue       string
	Priority    Priority
	AgentID     string
	StartedAt   time.Time
	QueuedAt    time.Time
	AssignedAt  time.Time
	OfferedAt   time.Time // phone: when the call was presented to the assigned agent's phone
	RingingAt   time.Time // phone: when that phone started ringing
	AnsweredAt  time.Time // phone: when the agent picked up
	CallEndedAt time.Time
	// WrapUpExpiredAt is when the call's after-call work ran past the
	// wrap-up timeout (WrapUpExpired): the interaction stays open but no
	// longer takes the agent's voice capacity.
	WrapUpExpiredAt time.Time
	ClosedAt        time.Time
	Disposition     Disposition
	Csat            int // 0 until recorded
	Messages        int
	// Received counts the customer's messages, which InteractionLimits cap.
	Received int
	// windowStart and windowBytes are the hour of the customer's messages
	// MaxBytesPerHour is counted over, and the text bytes received in it.
	windowStart time.Time
	windowBytes int64
	// reported* remember which caps were already reported to supervisors
	// (InteractionLimitReached): the message cap once, the byte cap once
	// per hour window (the window's start).
	reportedMessages bool
	reportedBytes    time.Time
	// seenMessages maps the message ids already recorded to a digest of
	// their content (messageFingerprint), so a provider redelivering a
	// message is a no-op even when its event id differs, and a different
	// message under a recorded id is refused instead of dropped.
	seenMessages messageSet
}

// HasMessage reports whether a message with the provider's (or an agent
// client's) message id was recorded on the interaction.
func (i Interaction) HasMessage(messageID string) bool {
	_, ok := i.seenMessages.get(messageID)
	return messageID != "" && ok
}

// Exists reports whether the interaction was started.
func (i Interaction) Exists() bool { return i.Status != "" }

// Attachment describes a file that came with a message; the bytes are kept
// outside the ledger (package blobs), the ledger keeps what identifies
// them. ContentType is sniffed from the bytes when the ledger kept them,
// else it is what the sender declared.
type Attachment struct {
	Name        string `json:"name"`
	ContentType string `json:"contentType"`
	Size        int64  `json:"size"`
	SHA256      string `json:"sha256"`
	// Owner is the customer whose data key seals the kept bytes; empty
	// when the ledger kept only the description (a ledger in clear, or a
	// file recorded before contents were kept).
	Owner string `json:"owner,omitempty"`
	// Quarantined names the malware signature the file matched: its bytes
	// were not kept and nobody can download it.
	Quarantined string `json:"quarantined,omitempty"`
}

// Kept reports whether the attachment's bytes can be asked for.
func (a Attachment) Kept() bool { return a.Owner != "" && a.Quarantined == "" && a.SHA256 != "" }

// Interaction events.
type (
	// InteractionStarted opens a conversation on a channel.
	InteractionStarted struct {
		InteractionID string   `json:"interactionId"`
		CustomerID    string   `json:"customerId"`
		Channel       Channel  `json:"channel"`
		Identity      Identity `json:"identity"`
		// IdentityCheck says how far the channel vouched for Identity.
		IdentityCheck IdentityCheck `json:"identityCheck,omitempty"`
		// Authentication is the evidence behind IdentityCheck when the
		// channel has any: for email the DKIM, SPF and DMARC results
		// ("dkim=pass spf=none dmarc=pass").
		Authentication string    `json:"authentication,omitempty"`
		Subject        string    `json:"subject,omitempty"`
		At             time.Time `json:"at"`
	}
	// MessageReceived is a message from the customer.
	MessageReceived struct {
		InteractionID string       `json:"interactionId"`
		MessageID     string       `json:"messageId"`
		Text          string       `json:"text"`
		Attachments   []Attachment `json:"attachments,omitempty"`
		SentAt        time.Time    `json:"sentAt,omitzero"`
		// IdentityCheck and Authentication are how far the channel
		// vouched for this message's sender (see InteractionStarted);
		// empty for channels that check per contact, not per message.
		IdentityCheck  IdentityCheck `json:"identityCheck,omitempty"`
		Authentication string        `json:"authentication,omitempty"`
		At             time.Time     `json:"at"`
	}
	// MessageSent is a message from an agent to the customer.
	MessageSent struct {
		InteractionID string `json:"interactionId"`
		MessageID     string `json:"messageId"`
		AgentID       string `json:"agentId"`
		Text          string `json:"text"`
		// Attachments are files the agent sent (kept under the
		// interaction's customer).
		Attachments []Attachment `json:"attachments,omitempty"`
		At          time.Time    `json:"at"`
	}
	// InteractionQueued puts the interaction in a queue to wait for an agent.
	InteractionQueued struct {
		InteractionID string    `json:"interactionId"`
		Queue         string    `json:"queue"`
		Priority      Priority  `json:"priority"`
		Skills        []string  `json:"skills,omitempty"`
		At            time.Time `json:"at"`
	}
	// InteractionAssigned gives the interaction to an agent.
	InteractionAssigned struct {
		InteractionID string    `json:"interactionId"`
		AgentID       string    `json:"agentId"`
		Queue         string    `json:"queue,omitempty"`
		WaitSeconds   float64   `json:"waitSeconds"`
		At            time.Time `json:"at"`
	}
	// InteractionTransferred hands the interaction to another agent or queue.
	InteractionTransferred struct {
		InteractionID string    `json:"interactionId"`
		FromAgentID   string    `json:"fromAgentId"`
		ToAgentID     string    `json:"toAgentId,omitempty"`
		ToQueue       string    `json:"toQueue,omitempty"`
		Reason        string    `json:"reason,omitempty"`
		At            time.Time `json:"at"`
	}
	// CallOffered records that a phone call was presented to the assigned
	// agent's phone (the call was sent to it), before it rang.
	CallOffered struct {
		InteractionID string    `json:"interactionId"`
		AgentID       string    `json:"agentId"`
		At            time.Time `json:"at"`
	}
	// CallRingingStarted records that the offered agent's phone is ringing.
	CallRingingStarted struct {
		InteractionID string    `json:"interactionId"`
		AgentID       string    `json:"agentId"`
		At            time.Time `json:"at"`
	}
	// CallAnswered records that the agent picked up a phone call.
	CallAnswered struct {
		InteractionID string    `json:"interactionId"`
		AgentID       string    `json:"agentId"`
		RingSeconds   float64   `json:"ringSeconds"`
		At            time.Time `json:"at"`
	}
	// CallEnded records the end of an answered phone call.
	CallEnded struct {
		InteractionID string    `json:"interactionId"`
		EndedBy       string    `json:"endedBy"`
		TalkSeconds   float64   `json:"talkSeconds"`
		At            time.Time `json:"at"`
	}
	// InteractionAbandoned records that the customer left before being served.
	InteractionAbandoned struct {
		InteractionID string    `json:"interactionId"`
		Reason        string    `json:"reason,omitempty"`
		WaitSeconds   float64   `json:"waitSeconds"`
		At            time.Time `json:"at"`
	}
	// InteractionClosed ends the interaction with a disposition.
	InteractionClosed struct {
		InteractionID string      `json:"interactionId"`
		Disposition   Disposition `json:"disposition"`
		AgentID       string      `json:"agentId,omitempty"`
		Summary       string      `json:"summary,omitempty"`
		// SummaryDrafted says the agent was offered a drafted summary;
		// SummaryEdited, that the summary closed with is not that draft.
		SummaryDrafted bool      `json:"summaryDrafted,omitempty"`
		SummaryEdited  bool      `json:"summaryEdited,omitempty"`
		At             time.Time `json:"at"`
	}
	// InteractionLimitReached tells supervisors that the customer's
	// messages on the interaction hit one of its caps (Limit is
	// LimitMessages or LimitBytesPerHour, of Max): further messages are
	// refused until the window passes (bytes) or for good (messages).
	InteractionLimitReached struct {
		InteractionID string    `json:"interactionId"`
		Limit         string    `json:"limit"`
		Max           int64     `json:"max"`
		At            time.Time `json:"at"`
	}
	// CsatRecorded is the customer's satisfaction score (1 to 5).
	CsatRecorded struct {
		InteractionID string    `json:"interactionId"`
		Score         int       `json:"score"`
		Comment       string    `json:"comment,omitempty"`
		At            time.Time `json:"at"`
	}
)

func (InteractionStarted) EventType() string      { return "InteractionStarted" }
func (MessageReceived) EventType() string         { return "MessageReceived" }
func (MessageSent) EventType() string             { return "MessageSent" }
func (InteractionQueued) EventType() string       { return "InteractionQueued" }
func (InteractionAssigned) EventType() string     { return "InteractionAssigned" }
func (InteractionTransferred) EventType() string  { return "InteractionTransferred" }
func (CallOffered) EventType() string             { return "CallOffered" }
func (CallRingingStarted) EventType() string      { return "CallRingingStarted" }
func (CallAnswered) EventType() string            { return "CallAnswered" }
func (CallEnded) EventType() string               { return "CallEnded" }
func (InteractionAbandoned) EventType() string    { return "InteractionAbandoned" }
func (InteractionClosed) EventType() string       { return "InteractionClosed" }
func (CsatRecorded) EventType() string            { return "CsatRecorded" }
func (InteractionLimitReached) EventType() string { return "InteractionLimitReached" }

func init() {
	register[InteractionStarted]()
	register[MessageReceived]()
	register[MessageSent]()
	register[InteractionQueued]()
	register[InteractionAssigned]()
	register[InteractionTransferred]()
	register[CallOffered]()
	register[CallRingingStarted]()
	register[CallAnswered]()
	register[CallEnded]()
	register[InteractionAbandoned]()
	register[InteractionClosed]()
	register[CsatRecorded]()
	register[InteractionLimitReached]()
}

// InteractionCommand is a request to change an interaction.
type InteractionCommand interface{ interactionCommand() }

// Interaction commands.
type (
	// StartInteraction opens a conversation.
	StartInteraction struct {
		InteractionID string
		CustomerID    string
		Channel       Channel
		Identity      Identity
		IdentityCheck IdentityCheck
		// Authentication is the evidence behind IdentityCheck (see
		// InteractionStarted.Authentication).
		Authentication string
		Subject        string
	}
	// ReceiveMessage records a customer's message, within Limits.
	ReceiveMessage struct {
		MessageID   string
		Text        string
		Attachments []Attachment
		SentAt      time.Time
		Limits      InteractionLimits
		// IdentityCheck and Authentication: see MessageReceived.
		IdentityCheck  IdentityCheck
		Authentication string
	}
	// SendMessage records an agent's reply.
	SendMessage struct {
		MessageID   string
		AgentID     string
		Text        string
		Attachments []Attachment
		// Template, when set, is the reply template the text was written
		// from (checked usable by the caller: it lives in another stream),
		// with the category of its version.
		Template         *TemplateUse
		TemplateCategory string
	}
	// QueueInteraction puts the interaction in a queue (again, if an
	// offered agent did not answer).
	QueueInteraction struct {
		Queue    string
		Priority Priority
		Skills   []string
	}
	// AssignInteraction gives the interaction to an agent.
	AssignInteraction struct{ AgentID string }
	// TransferInteraction hands an assigned interaction to another agent or
	// queue (exactly one of the two).
	TransferInteraction struct {
		ToAgentID string
		ToQueue   string
		Reason    string
	}
	// OfferCall records that the call was sent to the assigned agent's
	// phone.
	OfferCall struct{ AgentID string }
	// RingCall records that the offered agent's phone rings.
	RingCall struct{ AgentID string }
	// AnswerCall records that the assigned agent picked up.
	AnswerCall struct{ AgentID string }
	// EndCall records the end of an answered call.
	EndCall struct{ EndedBy string }
	// AbandonInteraction records that the customer left unserved.
	AbandonInteraction struct{ Reason string }
	// CloseInteraction ends the interaction.
	CloseInteraction struct {
		Disposition Disposition
		AgentID     string
		Summary     string
		// DraftSummary is the summary the desktop drafted and offered the
		// agent ("" when none was): the event records whether the agent
		// kept it as it was.
		DraftSummary string
	}
	// RecordCsat records the customer's satisfaction score.
	RecordCsat struct {
		Score   int
		Comment string
	}
	// ReportInteractionLimit tells supervisors that a message was refused
	// over a cap (from an *InteractionLimitError); reporting the same cap
	// again in the same window is a no-op.
	ReportInteractionLimit struct {
		Limit string
		Max   int64
	}
)

func (StartInteraction) interactionCommand()       {}
func (ReceiveMessage) interactionCommand()         {}
func (SendMessage) interactionCommand()            {}
func (QueueInteraction) interactionCommand()       {}
func (AssignInteraction) interactionCommand()      {}
func (TransferInteraction) interactionCommand()    {}
func (OfferCall) interactionCommand()              {}
func (RingCall) interactionCommand()               {}
func (AnswerCall) interactionCommand()             {}
func (EndCall) interactionCommand()                {}
func (AbandonInteraction) interactionCommand()     {}
func (CloseInteraction) interactionCommand()       {}
func (RecordCsat) interactionCommand()             {}
func (ReportInteractionLimit) interactionCommand() {}

// DecideInteraction decides which events a command produces on interaction i.
func DecideInteraction(i Interaction, cmd InteractionCommand, now time.Time) ([]Event, error) {
	if start, ok := cmd.(StartInteraction); ok {
		return decideStartInteraction(i, start, now)
	}
	if !i.Exists() {
		return nil, notFound("interaction %s does not exist", i.ID)
	}
	// A message already recorded is a retry, even after the interaction
	// ended; a different message under its id is refused.
	if seen, err := recordedMessage(i, cmd); seen || err != nil {
		return nil, err
	}
	if rate, ok := cmd.(RecordCsat); ok {
		return decideCsat(i, rate, now)
	}
	if expire, ok := cmd.(ExpireWrapUp); ok {
		// A timer's command: a no-op, not an error, on a closed interaction.
		return DecideWrapUpExpiry(i, expire.Timeout, now), nil
	}
	if i.Status.Ended() {
		return nil, conflict("interaction %s is %s", i.ID, strings.ToLower(string(i.Status)))
	}
	switch cmd := cmd.(type) {
	case ReceiveMessage:
		return decideReceiveMessage(i, cmd, now)
	case SendMessage:
		return decideSendMessage(i, cmd, now)
	case QueueInteraction:
		return decideQueue(i, cmd, now)
	case AssignInteraction:
		return decideAssign(i, cmd, now)
	case TransferInteraction:
		return decideTransferInteraction(i, cmd, now)
	case OfferCall:
		return decideOfferCall(i, cmd, now)
	case RingCall:
		return decideRingCall(i, cmd, now)
	case AnswerCall:
		return decideAnswerCall(i, cmd, now)
	case EndCall:
		return decideEndCall(i, cmd, now)
	case AbandonInteraction:
		return decideAbandon(i, cmd, now)
	case CloseInteraction:
		return decideClose(i, cmd, now)
	case ReportInteractionLimit:
		return decideReportLimit(i, cmd, now)
	default:
		return nil, invalid("unknown interaction command %T", cmd)
	}
}

func decideStartInteraction(i Interaction, cmd StartInteraction, now time.Time) ([]Event, error) {
	if i.Exists() {
		return nil, conflict("interaction %s already exists", i.ID)
	}
	if cmd.InteractionID == "" || cmd.CustomerID == "" {
		return nil, invalid("an interaction needs an id and a customer")
	}
	if err := sameID("interaction", i.ID, cmd.InteractionID); err != nil {
		return nil, err
	}
	if !cmd.Channel.Valid() {
		return nil, invalid("unknown channel %q", cmd.Channel)
	}
	if err := requireNormalized(cmd.Identity); err != nil {
		return nil, err
	}
	if !cmd.IdentityCheck.Valid() {
		return nil, invalid("unknown identity check %q", cmd.IdentityCheck)
	}
	subject, err := cleanText(cmd.Subject, "subject", 998, true)
	if err != nil {
		return nil, err
	}
	auth, err := cleanText(cmd.Authentication, "authentication results", 512, true)
	if err != nil {
		return nil, err
	}
	return []Event{InteractionStarted{
		InteractionID: cmd.InteractionID, CustomerID: cmd.CustomerID, Channel: cmd.Channel,
		Identity: cmd.Identity, IdentityCheck: cmd.IdentityCheck, Authentication: auth, Subject: subject, At: now,
	}}, nil
}

// decideReceiveMessage records a customer's message (a recorded message id
// was answered by DecideInteraction's recordedMessage).
func decideReceiveMessage(i Interaction, cmd ReceiveMessage, now time.Time) ([]Event, error) {
	text, err := cleanText(cmd.Text, "message", MaxMessageBytes, len(cmd.Attachments) > 0)
	if err != nil {
		return nil, err
	}
	if err := checkAttachments(cmd.Attachments); err != nil {
		return nil, err
	}
	if !cmd.IdentityCheck.Valid() {
		return nil, invalid("unknown identity check %q", cmd.IdentityCheck)
	}
	auth, err := cleanText(cmd.Authentication, "authentication results", 512, true)
	if err != nil {
		return nil, err
	}
	if err := checkInteractionLimits(i, cmd.Limits, int64(len(text)), now); err != nil {
		return nil, err
	}
	return []Event{MessageReceived{
		InteractionID: i.ID, MessageID: cmd.MessageID, Text: text,
		Attachments: cmd.Attachments, SentAt: cmd.SentAt.UTC(),
		IdentityCheck: cmd.IdentityCheck, Authentication: auth, At: now,
	}}, nil
}

// MaxAttachments bounds the files of one message.
const MaxAttachments = 100

func checkAttachments(as []Attachment) error {
	if len(as) > MaxAttachments {
		return invalid("a message carries at most %d attachments, not %d", MaxAttachments, len(as))
	}
	for _, a := range as {
		if a.Size < 0 || a.Name == "" && a.SHA256 == "" {
			return invalid("an attachment needs a name or a hash and a size >= 0")
		}
		if (a.Owner != "" || a.Quarantined != "") && a.SHA256 == "" {
			return invalid("a kept or quarantined attachment needs its hash")
		}
	}
	return nil
}

// decideSendMessage records an agent's reply (a recorded message id was
// answered by DecideInteraction's recordedMessage).
func decideSendMessage(i Interaction, cmd SendMessage, now time.Time) ([]Event, error) {
	if cmd.AgentID == "" {
		return nil, invalid("a reply needs the agent who sends it")
	}
	text, err := cleanText(cmd.Text, "reply", MaxMessageBytes, len(cmd.Attachments) > 0)
	if err != nil {
		return nil, err
	}
	if err := checkAttachments(cmd.Attachments); err != nil {
		return nil, err
	}
	events := []Event{MessageSent{InteractionID: i.ID, MessageID: cmd.MessageID, AgentID: cmd.AgentID, Text: text, Attachments: cmd.Attachments, At: now}}
	if t := cmd.Template; t != nil {
		if t.TemplateID == "" || t.Version < 1 {
			return nil, invalid("a reply from a template names the template and its version")
		}
		events = append(events, ReplyTemplateUsed{
			InteractionID: i.ID, MessageID: cmd.MessageID, TemplateID: t.TemplateID, Version: t.Version,
			Category: cmd.TemplateCategory, AgentID: cmd.AgentID, At: now,
		})
	}
	return events, nil
}

func decideQueue(i Interaction, cmd QueueInteraction, now time.Time) ([]Event, error) {
	queue := strings.TrimSpace(cmd.Queue)
	if queue == "" {
		return nil, invalid("a queue name is required")
	}
	priority := cmd.Priority
	if priority == "" {
		priority = PriorityNormal
	}
	if !priority.Valid() {
		return nil, invalid("unknown priority %q", cmd.Priority)
	}
	if i.Status == InteractionStatusQueued && i.Queue == queue && i.Priority == priority {
		return nil, nil
	}
	if !i.AnsweredAt.IsZero() {
		return nil, conflict("interaction %s is a call in progress; transfer it instead", i.ID)
	}
	return []Event{InteractionQueued{InteractionID: i.ID, Queue: queue, Priority: priority, Skills: cmd.Skills, At: now}}, nil
}

func decideAssign(i Interaction, cmd AssignInteraction, now time.Time) ([]Event, error) {
	if cmd.AgentID == "" {
		return nil, invalid("an agent id is required")
	}
	if i.AgentID == cmd.AgentID {
		return nil, nil
	}
	if i.AgentID != "" {
		return nil, conflict("interaction %s is already assigned to %s", i.ID, i.AgentID)
	}
	waitedSince := i.StartedAt
	if !i.QueuedAt.IsZero() {
		waitedSince = i.QueuedAt
	}
	return []Event{InteractionAssigned{
		InteractionID: i.ID, AgentID: cmd.AgentID, Queue: i.Queue,
		WaitSeconds: seconds(now.Sub(waitedSince)), At: now,
	}}, nil
}

func decideTransferInteraction(i Interaction, cmd TransferInteraction, now time.Time) ([]Event, error) {
	toQueue := strings.TrimSpace(cmd.ToQueue)
	if (cmd.ToAgentID == "") == (toQueue == "") {
		return nil, invalid("a transfer goes to exactly one agent or one queue")
	}
	if i.AgentID == "" {
		return nil, conflict("interaction %s is not assigned; assign or queue it instead", i.ID)
	}
	if cmd.ToAgentID == i.AgentID {
		return nil, nil
	}
	return []Event{InteractionTransferred{
		InteractionID: i.ID, FromAgentID: i.AgentID, ToAgentID: cmd.ToAgentID,
		ToQueue: toQueue, Reason: cmd.Reason, At: now,
	}}, nil
}

// decideOfferCall records the offer of a call to its assigned agent's
// phone; offering it again to the same agent (a retried offer) is a no-op.
func decideOfferCall(i Interaction, cmd OfferCall, now time.Time) ([]Event, error) {
	if i.Channel != ChannelPhone {
		return nil, conflict("interaction %s is not a phone call", i.ID)
	}
	if cmd.AgentID == "" {
		return nil, invalid("an agent id is required")
	}
	if i.AgentID != cmd.AgentID {
		return nil, conflict("call %s is assigned to %q, not offered to agent %q", i.ID, i.AgentID, cmd.AgentID)
	}
	if !i.OfferedAt.IsZero() {
		return nil, nil
	}
	return []Event{CallOffered{InteractionID: i.ID, AgentID: cmd.AgentID, At: now}}, nil
}

// decideRingCall records that the offered phone rings; a phone may report
// ringing more than once, which changes nothing.
func decideRingCall(i Interaction, cmd RingCall, now time.Time) ([]Event, error) {
	if i.Channel != ChannelPhone {
		return nil, conflict("interaction %s is not a phone call", i.ID)
	}
	if i.OfferedAt.IsZero() || cmd.AgentID != "" && cmd.AgentID != i.AgentID {
		return nil, conflict("call %s is not offered to agent %q", i.ID, cmd.AgentID)
	}
	if !i.RingingAt.IsZero() {
		return nil, nil
	}
	return []Event{CallRingingStarted{InteractionID: i.ID, AgentID: i.AgentID, At: now}}, nil
}

func decideAnswerCall(i Interaction, cmd AnswerCall, now time.Time) ([]Event, error) {
	if i.Channel != ChannelPhone {
		return nil, conflict("interaction %s is not a phone call", i.ID)
	}
	if !i.AnsweredAt.IsZero() {
		return nil, nil
	}
	if i.AgentID == "" || cmd.AgentID != "" && cmd.AgentID != i.AgentID {
		return nil, conflict("call %s is not offered to agent %q", i.ID, cmd.AgentID)
	}
	return []Event{CallAnswered{InteractionID: i.ID, AgentID: i.AgentID, RingSeconds: seconds(now.Sub(i.AssignedAt)), At: now}}, nil
}

func decideEndCall(i Interaction, cmd EndCall, now time.Time) ([]Event, error) {
	if i.Channel != ChannelPhone {
		return nil, conflict("interaction %s is not a phone call", i.ID)
	}
	if i.AnsweredAt.IsZero() {
		return nil, conflict("call %s was not answered; abandon it instead", i.ID)
	}
	if !i.CallEndedAt.IsZero() {
		return nil, nil
	}
	endedBy := cmd.EndedBy
	if endedBy == "" {
		endedBy = "CUSTOMER"
	}
	return []Event{CallEnded{InteractionID: i.ID, EndedBy: endedBy, TalkSeconds: seconds(now.Sub(i.AnsweredAt)), At: now}}, nil
}

func decideAbandon(i Interaction, cmd AbandonInteraction, now time.Time) ([]Event, error) {
	if !i.AnsweredAt.IsZero() {
		return nil, conflict("call %s was answered; end it instead", i.ID)
	}
	return []Event{InteractionAbandoned{InteractionID: i.ID, Reason: cmd.Reason, WaitSeconds: seconds(now.Sub(i.StartedAt)), At: now}}, nil
}

func decideClose(i Interaction, cmd CloseInteraction, now time.Time) ([]Event, error) {
	if !cmd.Disposition.Valid() {
		return nil, invalid("unknown disposition %q", cmd.Disposition)
	}
	summary, err := cleanText(cmd.Summary, "summary", 4096, true)
	if err != nil {
		return nil, err
	}
	var events []Event
	if !i.AnsweredAt.IsZero() && i.CallEndedAt.IsZero() {
		events = append(events, CallEnded{InteractionID: i.ID, EndedBy: "AGENT", TalkSeconds: seconds(now.Sub(i.AnsweredAt)), At: now})
	}
	closed := InteractionClosed{InteractionID: i.ID, Disposition: cmd.Disposition, AgentID: cmd.AgentID, Summary: summary, At: now}
	if draft := strings.TrimSpace(cmd.DraftSummary); draft != "" {
		closed.SummaryDrafted, closed.SummaryEdited = true, draft != summary
	}
	return append(events, closed), nil
}

func decideCsat(i Interaction, cmd RecordCsat, now time.Time) ([]Event, error) {
	if i.Status != InteractionStatusClosed {
		return nil, conflict("satisfaction is recorded after interaction %s is closed", i.ID)
	}
	if i.Csat != 0 {
		return nil, conflict("interaction %s already has a satisfaction score", i.ID)
	}
	if cmd.Score < 1 || cmd.Score > 5 {
		return nil, invalid("a satisfaction score is 1 to 5, not %d", cmd.Score)
	}
	comment, err := cleanText(cmd.Comment, "comment", 4096, true)
	if err != nil {
		return nil, err
	}
	return []Event{CsatRecorded{InteractionID: i.ID, Score: cmd.Score, Comment: comment, At: now}}, nil
}

// EvolveInteraction folds one event into the interaction's state.
func EvolveInteraction(i Interaction, e Event) Interaction {
	switch e := e.(type) {
	case InteractionStarted:
		i = Interaction{ID: e.InteractionID, CustomerID: e.CustomerID, Channel: e.Channel, Status: InteractionStatusActive, StartedAt: e.At, Priority: PriorityNormal}
	case MessageReceived:
		i.Messages++
		i.Received++
		i.seenMessages = markSeen(i.seenMessages, e.MessageID, messageFingerprint(senderCustomer(), e.Text, e.Attachments))
		if i.windowStart.IsZero() || !e.At.Before(i.windowStart.Add(time.Hour)) {
			i.windowStart, i.windowBytes = e.At, 0
		}
		i.windowBytes += int64(len(e.Text))
	case InteractionLimitReached:
		if e.Limit == LimitMessages {
			i.reportedMessages = true
		} else {
			i.reportedBytes = i.windowStart
		}
	case MessageSent:
		i.Messages++
		i.seenMessages = markSeen(i.seenMessages, e.MessageID, messageFingerprint(senderAgent(e.AgentID), e.Text, e.Attachments))
	case InteractionQueued:
		i.Status, i.Queue, i.Priority, i.QueuedAt, i.AgentID = InteractionStatusQueued, e.Queue, e.Priority, e.At, ""
		i.OfferedAt, i.RingingAt = time.Time{}, time.Time{}
	case InteractionAssigned:
		i.Status, i.AgentID, i.AssignedAt = InteractionStatusAssigned, e.AgentID, e.At
		i.OfferedAt, i.RingingAt = time.Time{}, time.Time{}
	case InteractionTransferred:
		i = evolveTransfer(i, e)
		// A new agent (or none) holds the call: any earlier offer is moot.
		i.OfferedAt, i.RingingAt = time.Time{}, time.Time{}
	case CallOffered:
		i.OfferedAt = e.At
	case CallRingingStarted:
		i.RingingAt = e.At
	case CallAnswered:
		i.AnsweredAt = e.At
	case CallEnded:
		i.CallEndedAt = e.At
	case WrapUpExpired:
		i.WrapUpExpiredAt = e.At
	case InteractionAbandoned:
		i.Status, i.ClosedAt, i.Disposition = InteractionStatusAbandoned, e.At, DispositionAbandoned
	case InteractionClosed:
		i.Status, i.ClosedAt, i.Disposition = InteractionStatusClosed, e.At, e.Disposition
	case CsatRecorded:
		i.Csat = e.Score
	}
	return i
}

// markSeen records a message id with its content's fingerprint, leaving
// states returned by earlier Evolve calls unchanged.
func markSeen(seen messageSet, messageID, fingerprint string) messageSet {
	if messageID == "" {
		return seen
	}
	return seen.with(messageID, fingerprint)
}

func evolveTransfer(i Interaction, e InteractionTransferred) Interaction {
	if e.ToQueue != "" {
		i.Status, i.Queue, i.AgentID, i.QueuedAt = InteractionStatusQueued, e.ToQueue, "", e.At
		return i
	}
	i.Status, i.AgentID, i.AssignedAt = InteractionStatusAssigned, e.ToAgentID, e.At
	return i
}

// cleanText validates free text: valid UTF-8, at most maxBytes, not empty
// unless allowed. Surrounding white space is trimmed.
func cleanText(text, what string, maxBytes int, emptyOK bool) (string, error) {
	if !utf8.ValidString(text) {
		return "", invalid("%s is not valid UTF-8", what)
	}
	if len(text) > maxBytes {
		return "", invalid("%s is %d bytes, more than the %d allowed", what, len(text), maxBytes)
	}
	text = strings.TrimSpace(text)
	if text == "" && !emptyOK {
		return "", invalid("%s is empty", what)
	}
	return text, nil
}

func seconds(d time.Duration) float64 {
	if d < 0 {
		return 0
	}
	return d.Seconds()
}
