package domain_test

import (
	"strings"
	"testing"
	"time"

	"github.com/interactionledger/ledger/domain"
)

func TestDecideInteraction(t *testing.T) {
	device := domain.Identity{Kind: domain.IdentityDevice, Value: "dev-1"}
	started := events(domain.InteractionStarted{InteractionID: "i1", CustomerID: "c1", Channel: domain.ChannelPhone, Identity: phone, At: ago(10 * minute)})
	chat := events(domain.InteractionStarted{InteractionID: "i1", CustomerID: "c1", Channel: domain.ChannelWebchat, Identity: device, At: ago(10 * minute)})
	queue := domain.InteractionQueued{InteractionID: "i1", Queue: "billing", Priority: domain.PriorityNormal, At: ago(9 * minute)}
	assign := domain.InteractionAssigned{InteractionID: "i1", AgentID: "a1", Queue: "billing", WaitSeconds: 60, At: ago(8 * minute)}
	answer := domain.CallAnswered{InteractionID: "i1", AgentID: "a1", RingSeconds: 60, At: ago(7 * minute)}
	hangUp := domain.CallEnded{InteractionID: "i1", EndedBy: "CUSTOMER", TalkSeconds: 300, At: ago(2 * minute)}
	closeIt := domain.InteractionClosed{InteractionID: "i1", Disposition: domain.DispositionResolved, AgentID: "a1", At: ago(minute)}
	csat := domain.CsatRecorded{InteractionID: "i1", Score: 4, At: ago(30 * second)}

	queued := concat(started, events(queue))
	assigned := concat(queued, events(assign))
	answered := concat(assigned, events(answer))
	offered := concat(assigned, events(domain.CallOffered{InteractionID: "i1", AgentID: "a1", At: ago(8 * minute)}))
	ringing := concat(offered, events(domain.CallRingingStarted{InteractionID: "i1", AgentID: "a1", At: ago(7*minute + 50*second)}))
	transferredAfterAnswer := concat(answered, events(domain.InteractionTransferred{InteractionID: "i1", FromAgentID: "a1", ToAgentID: "a2", Reason: "REFER", At: ago(3 * minute)}))
	ended := concat(answered, events(hangUp))
	closed := concat(ended, events(closeIt))
	rated := concat(closed, events(csat))
	abandoned := concat(queued, events(domain.InteractionAbandoned{InteractionID: "i1", WaitSeconds: 60, At: ago(minute)}))
	chatAssigned := concat(chat, events(queue, assign))
	chatClosed := concat(chatAssigned, events(closeIt))
	chatWithMessage := concat(chatAssigned, events(domain.MessageReceived{InteractionID: "i1", MessageID: "m1", Text: "hi", At: ago(minute)}))
	chatWithReply := concat(chatAssigned, events(domain.MessageSent{InteractionID: "i1", MessageID: "r1", AgentID: "a1", Text: "hello", At: ago(minute)}))

	cst := time.FixedZone("CST", 8*3600)
	pdf := domain.Attachment{Name: "invoice.pdf", ContentType: "application/pdf", Size: 1024, SHA256: "ab12"}

	cases := []decideCase[domain.Interaction, domain.InteractionCommand]{
		// StartInteraction
		{
			name: "start",
			cmd:  domain.StartInteraction{InteractionID: "i1", CustomerID: "c1", Channel: domain.ChannelEmail, Identity: email, Subject: "  Refund?  "},
			want: events(domain.InteractionStarted{InteractionID: "i1", CustomerID: "c1", Channel: domain.ChannelEmail, Identity: email, Subject: "Refund?", At: now}),
			check: func(t *testing.T, i domain.Interaction) {
				eq(t, "Exists", i.Exists(), true)
				eq(t, "ID", i.ID, "i1")
				eq(t, "CustomerID", i.CustomerID, "c1")
				eq(t, "Channel", i.Channel, domain.ChannelEmail)
				eq(t, "Status", i.Status, domain.InteractionStatusActive)
				eq(t, "Priority", i.Priority, domain.PriorityNormal)
				eq(t, "StartedAt", i.StartedAt, now)
			},
		},
		{
			name: "start a call whose number a trunk asserted",
			cmd:  domain.StartInteraction{InteractionID: "i1", CustomerID: "c1", Channel: domain.ChannelPhone, Identity: phone, IdentityCheck: domain.IdentityAsserted},
			want: events(domain.InteractionStarted{InteractionID: "i1", CustomerID: "c1", Channel: domain.ChannelPhone, Identity: phone, IdentityCheck: domain.IdentityAsserted, At: now}),
		},
		{
			name: "start an email whose sender failed DMARC",
			cmd:  domain.StartInteraction{InteractionID: "i1", CustomerID: "c1", Channel: domain.ChannelEmail, Identity: phone, IdentityCheck: domain.IdentityFailed, Authentication: "dkim=none spf=fail dmarc=fail"},
			want: events(domain.InteractionStarted{InteractionID: "i1", CustomerID: "c1", Channel: domain.ChannelEmail, Identity: phone, IdentityCheck: domain.IdentityFailed, Authentication: "dkim=none spf=fail dmarc=fail", At: now}),
		},
		{name: "start with an unknown identity check", cmd: domain.StartInteraction{InteractionID: "i1", CustomerID: "c1", Channel: domain.ChannelPhone, Identity: phone, IdentityCheck: "TRUSTED"}, code: domain.EINVALID},
		{name: "start twice", given: started, cmd: domain.StartInteraction{InteractionID: "i1", CustomerID: "c1", Channel: domain.ChannelPhone, Identity: phone}, code: domain.ECONFLICT},
		{name: "start without id", cmd: domain.StartInteraction{CustomerID: "c1", Channel: domain.ChannelPhone, Identity: phone}, code: domain.EINVALID},
		{name: "start another interaction's id on this stream", cmd: domain.StartInteraction{InteractionID: "i2", CustomerID: "c1", Channel: domain.ChannelPhone, Identity: phone}, code: domain.EINVALID},
		{name: "start without customer", cmd: domain.StartInteraction{InteractionID: "i1", Channel: domain.ChannelPhone, Identity: phone}, code: domain.EINVALID},
		{name: "start on unknown channel", cmd: domain.StartInteraction{InteractionID: "i1", CustomerID: "c1", Channel: "FAX", Identity: phone}, code: domain.EINVALID},
		{name: "start with unnormalised identity", cmd: domain.StartInteraction{InteractionID: "i1", CustomerID: "c1", Channel: domain.ChannelPhone,
			Identity: domain.Identity{Kind: domain.IdentityPhone, Value: "138 0013 8000"}}, code: domain.EINVALID},
		{name: "start without identity", cmd: domain.StartInteraction{InteractionID: "i1", CustomerID: "c1", Channel: domain.ChannelPhone}, code: domain.EINVALID},
		{name: "start with subject too long", cmd: domain.StartInteraction{InteractionID: "i1", CustomerID: "c1", Channel: domain.ChannelEmail, Identity: email,
			Subject: strings.Repeat("s", 999)}, code: domain.EINVALID},
		{name: "start with subject not UTF-8", cmd: domain.StartInteraction{InteractionID: "i1", CustomerID: "c1", Channel: domain.ChannelEmail, Identity: email,
			Subject: "\xfe"}, code: domain.EINVALID},

		// Anything on an interaction that was never started.
		{name: "message on unknown interaction", cmd: domain.ReceiveMessage{Text: "hi"}, code: domain.ENOTFOUND},
		{name: "csat on unknown interaction", cmd: domain.RecordCsat{Score: 5}, code: domain.ENOTFOUND},
		{name: "nil command", given: started, cmd: nil, code: domain.EINVALID},

		// ReceiveMessage
		{
			name: "receive message", given: chatAssigned,
			cmd:  domain.ReceiveMessage{MessageID: "m1", Text: " where is my refund? ", SentAt: time.Date(2025, 3, 14, 17, 29, 0, 0, cst)},
			want: events(domain.MessageReceived{InteractionID: "i1", MessageID: "m1", Text: "where is my refund?", SentAt: time.Date(2025, 3, 14, 9, 29, 0, 0, time.UTC), At: now}),
			check: func(t *testing.T, i domain.Interaction) {
				eq(t, "Messages", i.Messages, 1)
				eq(t, "Status", i.Status, domain.InteractionStatusAssigned)
			},
		},
		{name: "receive message before any agent", given: chat, cmd: domain.ReceiveMessage{MessageID: "m1", Text: "hi"},
			want: events(domain.MessageReceived{InteractionID: "i1", MessageID: "m1", Text: "hi", At: now})},
		{name: "receive message redelivered", given: chatWithMessage, cmd: domain.ReceiveMessage{MessageID: "m1", Text: "hi"}},
		{name: "receive a mail with its sender's check", given: chat,
			cmd:  domain.ReceiveMessage{MessageID: "m1", Text: "hi", IdentityCheck: domain.IdentityUnverified, Authentication: "dkim=none spf=none dmarc=none"},
			want: events(domain.MessageReceived{InteractionID: "i1", MessageID: "m1", Text: "hi", IdentityCheck: domain.IdentityUnverified, Authentication: "dkim=none spf=none dmarc=none", At: now})},
		{name: "receive a mail redelivered with another check", given: chatWithMessage,
			cmd: domain.ReceiveMessage{MessageID: "m1", Text: "hi", IdentityCheck: domain.IdentityVerified}},
		{name: "receive with an unknown check", given: chat, cmd: domain.ReceiveMessage{MessageID: "m1", Text: "hi", IdentityCheck: "TRUSTED"}, code: domain.EINVALID},
		{name: "receive with results that are not text", given: chat, cmd: domain.ReceiveMessage{MessageID: "m1", Text: "hi", Authentication: "dkim=\xff"}, code: domain.EINVALID},
		{name: "receive attachment without text", given: chat, cmd: domain.ReceiveMessage{MessageID: "m2", Attachments: []domain.Attachment{pdf}},
			want: events(domain.MessageReceived{InteractionID: "i1", MessageID: "m2", Attachments: []domain.Attachment{pdf}, At: now})},
		{name: "receive empty message", given: chat, cmd: domain.ReceiveMessage{MessageID: "m2", Text: " \n "}, code: domain.EINVALID},
		{name: "receive message too large", given: chat, cmd: domain.ReceiveMessage{Text: strings.Repeat("a", domain.MaxMessageBytes+1)}, code: domain.EINVALID},
		{name: "receive message of the maximum size", given: chat, cmd: domain.ReceiveMessage{Text: strings.Repeat("a", domain.MaxMessageBytes)},
			want: events(domain.MessageReceived{InteractionID: "i1", Text: strings.Repeat("a", domain.MaxMessageBytes), At: now})},
		{name: "receive message not UTF-8", given: chat, cmd: domain.ReceiveMessage{Text: "caf\xe9"}, code: domain.EINVALID},
		{name: "receive attachment with negative size", given: chat, cmd: domain.ReceiveMessage{Text: "x",
			Attachments: []domain.Attachment{{Name: "a.txt", Size: -1}}}, code: domain.EINVALID},
		{name: "receive attachment without name or hash", given: chat, cmd: domain.ReceiveMessage{Text: "x",
			Attachments: []domain.Attachment{{ContentType: "image/png", Size: 10}}}, code: domain.EINVALID},
		{name: "receive message on a closed interaction", given: chatClosed, cmd: domain.ReceiveMessage{MessageID: "m9", Text: "one more thing"}, code: domain.ECONFLICT},
		{name: "receive message on an abandoned interaction", given: abandoned, cmd: domain.ReceiveMessage{Text: "hello?"}, code: domain.ECONFLICT},

		// SendMessage
		{
			name: "send reply", given: chatAssigned, cmd: domain.SendMessage{MessageID: "r1", AgentID: "a1", Text: "Your refund is on its way.\n"},
			want:  events(domain.MessageSent{InteractionID: "i1", MessageID: "r1", AgentID: "a1", Text: "Your refund is on its way.", At: now}),
			check: func(t *testing.T, i domain.Interaction) { eq(t, "Messages", i.Messages, 1) },
		},
		{
			name: "send reply from a template", given: chatAssigned,
			cmd: domain.SendMessage{MessageID: "r1", AgentID: "a1", Text: "Your parcel is late.", Template: &domain.TemplateUse{TemplateID: "k1", Version: 2}, TemplateCategory: "delivery"},
			want: events(
				domain.MessageSent{InteractionID: "i1", MessageID: "r1", AgentID: "a1", Text: "Your parcel is late.", At: now},
				domain.ReplyTemplateUsed{InteractionID: "i1", MessageID: "r1", TemplateID: "k1", Version: 2, Category: "delivery", AgentID: "a1", At: now},
			),
		},
		{name: "send reply from an unnamed template", given: chatAssigned, cmd: domain.SendMessage{MessageID: "r1", AgentID: "a1", Text: "x", Template: &domain.TemplateUse{Version: 1}}, code: domain.EINVALID},
		{name: "send reply retried", given: chatWithReply, cmd: domain.SendMessage{MessageID: "r1", AgentID: "a1", Text: "hello"}},
		{name: "send reply without agent", given: chatAssigned, cmd: domain.SendMessage{Text: "x"}, code: domain.EINVALID},
		{name: "send empty reply", given: chatAssigned, cmd: domain.SendMessage{AgentID: "a1", Text: ""}, code: domain.EINVALID},
		{name: "send reply on a closed interaction", given: chatClosed, cmd: domain.SendMessage{AgentID: "a1", Text: "x"}, code: domain.ECONFLICT},

		// QueueInteraction
		{
			name: "queue", given: started, cmd: domain.QueueInteraction{Queue: " billing ", Skills: []string{"zh"}},
			want: events(domain.InteractionQueued{InteractionID: "i1", Queue: "billing", Priority: domain.PriorityNormal, Skills: []string{"zh"}, At: now}),
			check: func(t *testing.T, i domain.Interaction) {
				eq(t, "Status", i.Status, domain.InteractionStatusQueued)
				eq(t, "Queue", i.Queue, "billing")
				eq(t, "QueuedAt", i.QueuedAt, now)
			},
		},
		{name: "queue again unchanged", given: queued, cmd: domain.QueueInteraction{Queue: "billing"}},
		{name: "queue with higher priority", given: queued, cmd: domain.QueueInteraction{Queue: "billing", Priority: domain.PriorityUrgent},
			want: events(domain.InteractionQueued{InteractionID: "i1", Queue: "billing", Priority: domain.PriorityUrgent, At: now})},
		{
			name: "requeue an offered call nobody answered", given: assigned, cmd: domain.QueueInteraction{Queue: "billing"},
			want: events(domain.InteractionQueued{InteractionID: "i1", Queue: "billing", Priority: domain.PriorityNormal, At: now}),
			check: func(t *testing.T, i domain.Interaction) {
				eq(t, "Status", i.Status, domain.InteractionStatusQueued)
				eq(t, "AgentID", i.AgentID, "")
			},
		},
		{name: "queue without name", given: started, cmd: domain.QueueInteraction{Queue: "  "}, code: domain.EINVALID},
		{name: "queue with unknown priority", given: started, cmd: domain.QueueInteraction{Queue: "q", Priority: "LOW"}, code: domain.EINVALID},
		{name: "queue an answered call", given: answered, cmd: domain.QueueInteraction{Queue: "billing"}, code: domain.ECONFLICT},
		{name: "queue a closed interaction", given: closed, cmd: domain.QueueInteraction{Queue: "billing"}, code: domain.ECONFLICT},

		// AssignInteraction
		{
			name: "assign a queued interaction", given: queued, cmd: domain.AssignInteraction{AgentID: "a1"},
			want: events(domain.InteractionAssigned{InteractionID: "i1", AgentID: "a1", Queue: "billing", WaitSeconds: 540, At: now}),
			check: func(t *testing.T, i domain.Interaction) {
				eq(t, "Status", i.Status, domain.InteractionStatusAssigned)
				eq(t, "AgentID", i.AgentID, "a1")
				eq(t, "AssignedAt", i.AssignedAt, now)
			},
		},
		{name: "assign without queueing", given: started, cmd: domain.AssignInteraction{AgentID: "a1"},
			want: events(domain.InteractionAssigned{InteractionID: "i1", AgentID: "a1", WaitSeconds: 600, At: now})},
		{name: "assign to the same agent again", given: assigned, cmd: domain.AssignInteraction{AgentID: "a1"}},
		{name: "assign to another agent", given: assigned, cmd: domain.AssignInteraction{AgentID: "a2"}, code: domain.ECONFLICT},
		{name: "assign without agent", given: queued, cmd: domain.AssignInteraction{}, code: domain.EINVALID},
		{name: "assign a closed interaction", given: closed, cmd: domain.AssignInteraction{AgentID: "a2"}, code: domain.ECONFLICT},
		{name: "assign an abandoned interaction", given: abandoned, cmd: domain.AssignInteraction{AgentID: "a1"}, code: domain.ECONFLICT},

		// TransferInteraction
		{
			name: "transfer to an agent", given: answered, cmd: domain.TransferInteraction{ToAgentID: "a2", Reason: "billing expert"},
			want: events(domain.InteractionTransferred{InteractionID: "i1", FromAgentID: "a1", ToAgentID: "a2", Reason: "billing expert", At: now}),
			check: func(t *testing.T, i domain.Interaction) {
				eq(t, "Status", i.Status, domain.InteractionStatusAssigned)
				eq(t, "AgentID", i.AgentID, "a2")
				eq(t, "AssignedAt", i.AssignedAt, now)
			},
		},
		{
			name: "transfer to a queue", given: answered, cmd: domain.TransferInteraction{ToQueue: " tech "},
			want: events(domain.InteractionTransferred{InteractionID: "i1", FromAgentID: "a1", ToQueue: "tech", At: now}),
			check: func(t *testing.T, i domain.Interaction) {
				eq(t, "Status", i.Status, domain.InteractionStatusQueued)
				eq(t, "Queue", i.Queue, "tech")
				eq(t, "AgentID", i.AgentID, "")
				eq(t, "QueuedAt", i.QueuedAt, now)
			},
		},
		{name: "transfer to the current agent", given: assigned, cmd: domain.TransferInteraction{ToAgentID: "a1"}},
		{name: "transfer to agent and queue", given: assigned, cmd: domain.TransferInteraction{ToAgentID: "a2", ToQueue: "tech"}, code: domain.EINVALID},
		{name: "transfer to nowhere", given: assigned, cmd: domain.TransferInteraction{}, code: domain.EINVALID},
		{name: "transfer to a blank queue", given: assigned, cmd: domain.TransferInteraction{ToQueue: "   "}, code: domain.EINVALID},
		{name: "transfer an unassigned interaction", given: queued, cmd: domain.TransferInteraction{ToAgentID: "a2"}, code: domain.ECONFLICT},
		{name: "transfer a closed interaction", given: closed, cmd: domain.TransferInteraction{ToAgentID: "a2"}, code: domain.ECONFLICT},

		// OfferCall
		{
			name: "offer call", given: assigned, cmd: domain.OfferCall{AgentID: "a1"},
			want: events(domain.CallOffered{InteractionID: "i1", AgentID: "a1", At: now}),
			check: func(t *testing.T, i domain.Interaction) {
				eq(t, "OfferedAt", i.OfferedAt, now)
				eq(t, "RingingAt", i.RingingAt, time.Time{})
				eq(t, "Status", i.Status, domain.InteractionStatusAssigned)
			},
		},
		{name: "offer call again", given: offered, cmd: domain.OfferCall{AgentID: "a1"}},
		{name: "offer call to an agent it is not assigned to", given: assigned, cmd: domain.OfferCall{AgentID: "a2"}, code: domain.ECONFLICT},
		{name: "offer call without agent", given: assigned, cmd: domain.OfferCall{}, code: domain.EINVALID},
		{name: "offer a queued call", given: queued, cmd: domain.OfferCall{AgentID: "a1"}, code: domain.ECONFLICT},
		{name: "offer a chat", given: chatAssigned, cmd: domain.OfferCall{AgentID: "a1"}, code: domain.ECONFLICT},
		{name: "offer an abandoned call", given: abandoned, cmd: domain.OfferCall{AgentID: "a1"}, code: domain.ECONFLICT},
		{
			name: "offer a call transferred after answer to its new agent", given: transferredAfterAnswer, cmd: domain.OfferCall{AgentID: "a2"},
			want:  events(domain.CallOffered{InteractionID: "i1", AgentID: "a2", At: now}),
			check: func(t *testing.T, i domain.Interaction) { eq(t, "AnsweredAt", i.AnsweredAt, ago(7*minute)) },
		},
		{name: "offer a transferred call to its previous agent", given: transferredAfterAnswer, cmd: domain.OfferCall{AgentID: "a1"}, code: domain.ECONFLICT},
		{
			name: "offer a requeued call to another agent", given: concat(ringing, events(queue, domain.InteractionAssigned{InteractionID: "i1", AgentID: "a2", At: ago(minute)})),
			cmd: domain.OfferCall{AgentID: "a2"}, want: events(domain.CallOffered{InteractionID: "i1", AgentID: "a2", At: now}),
		},

		// RingCall
		{
			name: "ring", given: offered, cmd: domain.RingCall{AgentID: "a1"},
			want:  events(domain.CallRingingStarted{InteractionID: "i1", AgentID: "a1", At: now}),
			check: func(t *testing.T, i domain.Interaction) { eq(t, "RingingAt", i.RingingAt, now) },
		},
		{name: "ring without naming the agent", given: offered, cmd: domain.RingCall{},
			want: events(domain.CallRingingStarted{InteractionID: "i1", AgentID: "a1", At: now})},
		{name: "ring twice", given: ringing, cmd: domain.RingCall{AgentID: "a1"}},
		{name: "ring before the offer", given: assigned, cmd: domain.RingCall{AgentID: "a1"}, code: domain.ECONFLICT},
		{name: "ring for another agent", given: offered, cmd: domain.RingCall{AgentID: "a2"}, code: domain.ECONFLICT},
		{name: "ring a chat", given: chatAssigned, cmd: domain.RingCall{AgentID: "a1"}, code: domain.ECONFLICT},
		{name: "ring an abandoned call", given: concat(ringing, events(domain.InteractionAbandoned{InteractionID: "i1", At: ago(minute)})),
			cmd: domain.RingCall{AgentID: "a1"}, code: domain.ECONFLICT},
		{
			name: "requeue a ringing call nobody answered clears the offer", given: ringing, cmd: domain.QueueInteraction{Queue: "billing"},
			want: events(domain.InteractionQueued{InteractionID: "i1", Queue: "billing", Priority: domain.PriorityNormal, At: now}),
			check: func(t *testing.T, i domain.Interaction) {
				eq(t, "OfferedAt", i.OfferedAt, time.Time{})
				eq(t, "RingingAt", i.RingingAt, time.Time{})
			},
		},
		{
			name: "transfer a ringing call clears the offer", given: concat(ringing, events(answer)), cmd: domain.TransferInteraction{ToAgentID: "a2"},
			want: events(domain.InteractionTransferred{InteractionID: "i1", FromAgentID: "a1", ToAgentID: "a2", At: now}),
			check: func(t *testing.T, i domain.Interaction) {
				eq(t, "OfferedAt", i.OfferedAt, time.Time{})
				eq(t, "RingingAt", i.RingingAt, time.Time{})
			},
		},

		// AnswerCall
		{
			name: "answer call", given: assigned, cmd: domain.AnswerCall{AgentID: "a1"},
			want:  events(domain.CallAnswered{InteractionID: "i1", AgentID: "a1", RingSeconds: 480, At: now}),
			check: func(t *testing.T, i domain.Interaction) { eq(t, "AnsweredAt", i.AnsweredAt, now) },
		},
		{name: "answer call without naming the agent", given: assigned, cmd: domain.AnswerCall{},
			want: events(domain.CallAnswered{InteractionID: "i1", AgentID: "a1", RingSeconds: 480, At: now})},
		{name: "answer call twice", given: answered, cmd: domain.AnswerCall{AgentID: "a1"}},
		{name: "answer call by another agent", given: assigned, cmd: domain.AnswerCall{AgentID: "a2"}, code: domain.ECONFLICT},
		{name: "answer call not offered to anyone", given: queued, cmd: domain.AnswerCall{AgentID: "a1"}, code: domain.ECONFLICT},
		{name: "answer a chat", given: chatAssigned, cmd: domain.AnswerCall{AgentID: "a1"}, code: domain.ECONFLICT},
		{name: "answer an abandoned call", given: abandoned, cmd: domain.AnswerCall{AgentID: "a1"}, code: domain.ECONFLICT},

		// EndCall
		{
			name: "end call", given: answered, cmd: domain.EndCall{},
			want:  events(domain.CallEnded{InteractionID: "i1", EndedBy: "CUSTOMER", TalkSeconds: 420, At: now}),
			check: func(t *testing.T, i domain.Interaction) { eq(t, "CallEndedAt", i.CallEndedAt, now) },
		},
		{name: "end call by the agent", given: answered, cmd: domain.EndCall{EndedBy: "AGENT"},
			want: events(domain.CallEnded{InteractionID: "i1", EndedBy: "AGENT", TalkSeconds: 420, At: now})},
		{name: "end call twice", given: ended, cmd: domain.EndCall{}},
		{name: "end an unanswered call", given: assigned, cmd: domain.EndCall{}, code: domain.ECONFLICT},
		{name: "end a chat", given: chatAssigned, cmd: domain.EndCall{}, code: domain.ECONFLICT},
		{name: "end a closed call", given: closed, cmd: domain.EndCall{}, code: domain.ECONFLICT},

		// AbandonInteraction
		{
			name: "abandon while queued", given: queued, cmd: domain.AbandonInteraction{Reason: "hung up"},
			want: events(domain.InteractionAbandoned{InteractionID: "i1", Reason: "hung up", WaitSeconds: 600, At: now}),
			check: func(t *testing.T, i domain.Interaction) {
				eq(t, "Status", i.Status, domain.InteractionStatusAbandoned)
				eq(t, "Ended", i.Status.Ended(), true)
				eq(t, "Disposition", i.Disposition, domain.DispositionAbandoned)
				eq(t, "ClosedAt", i.ClosedAt, now)
			},
		},
		{name: "abandon while ringing", given: assigned, cmd: domain.AbandonInteraction{},
			want: events(domain.InteractionAbandoned{InteractionID: "i1", WaitSeconds: 600, At: now})},
		{name: "abandon after answer", given: answered, cmd: domain.AbandonInteraction{}, code: domain.ECONFLICT},
		{name: "abandon after the call ended", given: ended, cmd: domain.AbandonInteraction{}, code: domain.ECONFLICT},
		{name: "abandon twice", given: abandoned, cmd: domain.AbandonInteraction{}, code: domain.ECONFLICT},
		{name: "abandon a closed interaction", given: closed, cmd: domain.AbandonInteraction{}, code: domain.ECONFLICT},

		// CloseInteraction
		{
			name: "close a chat", given: chatAssigned, cmd: domain.CloseInteraction{Disposition: domain.DispositionResolved, AgentID: "a1", Summary: " refund sent "},
			want: events(domain.InteractionClosed{InteractionID: "i1", Disposition: domain.DispositionResolved, AgentID: "a1", Summary: "refund sent", At: now}),
			check: func(t *testing.T, i domain.Interaction) {
				eq(t, "Status", i.Status, domain.InteractionStatusClosed)
				eq(t, "Ended", i.Status.Ended(), true)
				eq(t, "Disposition", i.Disposition, domain.DispositionResolved)
				eq(t, "ClosedAt", i.ClosedAt, now)
			},
		},
		{
			name: "close with the drafted summary kept", given: chatAssigned,
			cmd:  domain.CloseInteraction{Disposition: domain.DispositionResolved, AgentID: "a1", Summary: "Refund sent.", DraftSummary: " Refund sent. "},
			want: events(domain.InteractionClosed{InteractionID: "i1", Disposition: domain.DispositionResolved, AgentID: "a1", Summary: "Refund sent.", SummaryDrafted: true, At: now}),
		},
		{
			name: "close with the drafted summary edited", given: chatAssigned,
			cmd:  domain.CloseInteraction{Disposition: domain.DispositionResolved, AgentID: "a1", Summary: "Refund sent by post.", DraftSummary: "Refund sent."},
			want: events(domain.InteractionClosed{InteractionID: "i1", Disposition: domain.DispositionResolved, AgentID: "a1", Summary: "Refund sent by post.", SummaryDrafted: true, SummaryEdited: true, At: now}),
		},
		{
			name: "close with the drafted summary cleared", given: chatAssigned,
			cmd:  domain.CloseInteraction{Disposition: domain.DispositionResolved, AgentID: "a1", DraftSummary: "Refund sent."},
			want: events(domain.InteractionClosed{InteractionID: "i1", Disposition: domain.DispositionResolved, AgentID: "a1", SummaryDrafted: true, SummaryEdited: true, At: now}),
		},
		{
			name: "close a call in progress ends it", given: answered, cmd: domain.CloseInteraction{Disposition: domain.DispositionFollowUp},
			want: events(
				domain.CallEnded{InteractionID: "i1", EndedBy: "AGENT", TalkSeconds: 420, At: now},
				domain.InteractionClosed{InteractionID: "i1", Disposition: domain.DispositionFollowUp, At: now},
			),
			check: func(t *testing.T, i domain.Interaction) {
				eq(t, "CallEndedAt", i.CallEndedAt, now)
				eq(t, "Status", i.Status, domain.InteractionStatusClosed)
			},
		},
		{name: "close an ended call", given: ended, cmd: domain.CloseInteraction{Disposition: domain.DispositionResolved},
			want: events(domain.InteractionClosed{InteractionID: "i1", Disposition: domain.DispositionResolved, At: now})},
		{name: "close as spam before assignment", given: chat, cmd: domain.CloseInteraction{Disposition: domain.DispositionSpam},
			want: events(domain.InteractionClosed{InteractionID: "i1", Disposition: domain.DispositionSpam, At: now})},
		{name: "close with unknown disposition", given: chatAssigned, cmd: domain.CloseInteraction{Disposition: "DONE"}, code: domain.EINVALID},
		{name: "close without disposition", given: chatAssigned, cmd: domain.CloseInteraction{}, code: domain.EINVALID},
		{name: "close with summary too long", given: chatAssigned, cmd: domain.CloseInteraction{Disposition: domain.DispositionResolved,
			Summary: strings.Repeat("s", 4097)}, code: domain.EINVALID},
		{name: "close twice", given: closed, cmd: domain.CloseInteraction{Disposition: domain.DispositionResolved}, code: domain.ECONFLICT},
		{name: "close an abandoned interaction", given: abandoned, cmd: domain.CloseInteraction{Disposition: domain.DispositionResolved}, code: domain.ECONFLICT},

		// RecordCsat
		{
			name: "csat after close", given: closed, cmd: domain.RecordCsat{Score: 5, Comment: " 很好 "},
			want:  events(domain.CsatRecorded{InteractionID: "i1", Score: 5, Comment: "很好", At: now}),
			check: func(t *testing.T, i domain.Interaction) { eq(t, "Csat", i.Csat, 5) },
		},
		{name: "csat of 1", given: closed, cmd: domain.RecordCsat{Score: 1},
			want: events(domain.CsatRecorded{InteractionID: "i1", Score: 1, At: now})},
		{name: "csat of 0", given: closed, cmd: domain.RecordCsat{Score: 0}, code: domain.EINVALID},
		{name: "csat of 6", given: closed, cmd: domain.RecordCsat{Score: 6}, code: domain.EINVALID},
		{name: "csat negative", given: closed, cmd: domain.RecordCsat{Score: -3}, code: domain.EINVALID},
		{name: "csat with comment too long", given: closed, cmd: domain.RecordCsat{Score: 3, Comment: strings.Repeat("c", 4097)}, code: domain.EINVALID},
		{name: "csat twice", given: rated, cmd: domain.RecordCsat{Score: 5}, code: domain.ECONFLICT},
		{name: "csat before close", given: answered, cmd: domain.RecordCsat{Score: 5}, code: domain.ECONFLICT},
		{name: "csat on an active interaction", given: started, cmd: domain.RecordCsat{Score: 5}, code: domain.ECONFLICT},
		{name: "csat on an abandoned interaction", given: abandoned, cmd: domain.RecordCsat{Score: 5}, code: domain.ECONFLICT},
	}
	runDecide(t, domain.Interaction{ID: "i1"}, domain.EvolveInteraction, domain.DecideInteraction, cases)
}

// TestEvolveInteractionLifecycle folds a whole phone call and checks the
// state after each step.
func TestEvolveInteractionLifecycle(t *testing.T) {
	steps := []struct {
		cmd    domain.InteractionCommand
		status domain.InteractionStatus
		agent  string
	}{
		{domain.StartInteraction{InteractionID: "i1", CustomerID: "c1", Channel: domain.ChannelPhone, Identity: phone}, domain.InteractionStatusActive, ""},
		{domain.QueueInteraction{Queue: "billing", Priority: domain.PriorityUrgent}, domain.InteractionStatusQueued, ""},
		{domain.AssignInteraction{AgentID: "a1"}, domain.InteractionStatusAssigned, "a1"},
		{domain.AnswerCall{AgentID: "a1"}, domain.InteractionStatusAssigned, "a1"},
		{domain.TransferInteraction{ToAgentID: "a2"}, domain.InteractionStatusAssigned, "a2"},
		{domain.EndCall{EndedBy: "AGENT"}, domain.InteractionStatusAssigned, "a2"},
		{domain.CloseInteraction{Disposition: domain.DispositionResolved, AgentID: "a2"}, domain.InteractionStatusClosed, "a2"},
		{domain.RecordCsat{Score: 2}, domain.InteractionStatusClosed, "a2"},
	}
	var i domain.Interaction
	at := now
	for n, step := range steps {
		at = at.Add(time.Minute)
		es, err := domain.DecideInteraction(i, step.cmd, at)
		if err != nil || len(es) == 0 {
			t.Fatalf("step %d %T: events %v, err %v", n, step.cmd, es, err)
		}
		i = foldAll(i, domain.EvolveInteraction, es)
		if i.Status != step.status || i.AgentID != step.agent {
			t.Fatalf("step %d %T: status %s agent %q, want %s %q", n, step.cmd, i.Status, i.AgentID, step.status, step.agent)
		}
	}
	eq(t, "Priority", i.Priority, domain.PriorityUrgent)
	eq(t, "StartedAt", i.StartedAt, now.Add(time.Minute))
	eq(t, "AnsweredAt", i.AnsweredAt, now.Add(4*time.Minute))
	eq(t, "CallEndedAt", i.CallEndedAt, now.Add(6*time.Minute))
	eq(t, "ClosedAt", i.ClosedAt, now.Add(7*time.Minute))
	eq(t, "Csat", i.Csat, 2)
}

// TestEvolveInteractionDoesNotAlias checks that a state returned earlier
// does not see messages folded into a later one.
func TestEvolveInteractionDoesNotAlias(t *testing.T) {
	base := foldAll(domain.Interaction{}, domain.EvolveInteraction, events(
		domain.InteractionStarted{InteractionID: "i1", CustomerID: "c1", Channel: domain.ChannelSMS, Identity: phone, At: now},
		domain.MessageReceived{InteractionID: "i1", MessageID: "m1", Text: "a", At: now},
	))
	later := domain.EvolveInteraction(base, domain.MessageReceived{InteractionID: "i1", MessageID: "m2", Text: "b", At: now})
	eq(t, "later.Messages", later.Messages, 2)
	eq(t, "base.Messages", base.Messages, 1)
	if es, err := domain.DecideInteraction(later, domain.ReceiveMessage{MessageID: "m2", Text: "b"}, now); err != nil || len(es) != 0 {
		t.Fatalf("m2 redelivered to the later state: %v %v", es, err)
	}
	if es, err := domain.DecideInteraction(base, domain.ReceiveMessage{MessageID: "m2", Text: "b"}, now); err != nil || len(es) != 1 {
		t.Fatalf("the earlier state saw m2: %v %v", es, err)
	}
}
