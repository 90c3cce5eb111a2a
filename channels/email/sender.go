package email

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	gomail "github.com/emersion/go-message/mail"
	"github.com/google/uuid"

	"github.com/interactionledger/ledger/channels/outbound"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore"
	"github.com/interactionledger/ledger/eventstore/blobs"
	"github.com/interactionledger/ledger/eventstore/datakeys"
)

// StreamReader reads one stream of the ledger (eventstore.Store has it).
type StreamReader interface {
	ReadStream(ctx context.Context, stream string, from int64, max int) ([]eventstore.RecordedEvent, error)
}

// Deliverer hands a message over for delivery (*Relay is one).
type Deliverer interface {
	Deliver(ctx context.Context, from, to string, msg Outgoing) error
}

// FileOpener opens a kept attachment (*blobs.Store is one).
type FileOpener interface {
	Open(ctx context.Context, customerID, sha string) (io.ReadCloser, error)
}

// SenderConfig configures a Sender.
type SenderConfig struct {
	// From is the support address replies come from, with an optional
	// display name: "Support <support@example.com>". Its domain names
	// the ledger's Message-IDs.
	From   string
	Logger *slog.Logger
	// Files opens the attachments replies carry; without it a reply
	// with attachments fails for good.
	Files FileOpener
}

// Sender sends agents' replies on email interactions through a relay. It
// implements outbound.Sender and is safe for concurrent use.
type Sender struct {
	ledger StreamReader
	relay  Deliverer
	from   *gomail.Address
	domain string
	logger *slog.Logger
	files  FileOpener
}

// NewSender returns a Sender that reads interactions from ledger and
// delivers through relay.
func NewSender(ledger StreamReader, relay Deliverer, cfg SenderConfig) (*Sender, error) {
	from, err := gomail.ParseAddress(cfg.From)
	if err != nil {
		return nil, fmt.Errorf("support address %q: %w", cfg.From, err)
	}
	at := strings.LastIndexByte(from.Address, '@')
	if at <= 0 || at == len(from.Address)-1 {
		return nil, fmt.Errorf("support address %q has no domain", cfg.From)
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.Default()
	}
	return &Sender{ledger: ledger, relay: relay, from: from, domain: from.Address[at+1:], logger: logger, files: cfg.Files}, nil
}

// Send delivers the reply d to the interaction's customer; it is the email
// channel's outbound.Sender, which the dispatcher calls for every
// MessageSent on an email interaction. Threading is computed from the
// interaction as it stood when the reply was written and the Message-ID
// from the MessageSent event's id, so a retry sends the very same message.
// A failure that retrying cannot fix (the relay refused it with a 5xx, the
// interaction is not an email conversation) is marked outbound.Permanent;
// anything else (4xx, network, timeout) is worth another attempt.
func (s *Sender) Send(ctx context.Context, d outbound.Delivery) (outbound.Receipt, error) {
	eventID, err := uuid.Parse(d.SourceEventID)
	if err != nil {
		return outbound.Receipt{}, outbound.Permanent(fmt.Errorf("email reply: source event id %q: %w", d.SourceEventID, err))
	}
	files, closeFiles, err := s.replyFiles(ctx, d.Attachments)
	if err != nil {
		return outbound.Receipt{}, err
	}
	defer closeFiles()
	messageID, err := s.send(ctx, eventID, d.InteractionID, d.Text, files, d.SentAt)
	if err != nil {
		if IsPermanent(err) || errors.Is(err, ErrNotEmail) {
			return outbound.Receipt{}, outbound.Permanent(err)
		}
		return outbound.Receipt{}, err
	}
	// The recipient stays out of Detail: delivery records are kept in clear
	// and outlive the customer's erasure.
	return outbound.Receipt{ProviderMessageID: messageID, Detail: "handed to the relay"}, nil
}

// send composes and relays the reply recorded by event eventID.
func (s *Sender) send(ctx context.Context, eventID uuid.UUID, interactionID, text string, files []ReplyFile, at time.Time) (messageID string, err error) {
	th, err := s.thread(ctx, eventID, interactionID)
	if err != nil {
		return "", err
	}
	reply := Reply{
		From:       s.from,
		To:         &gomail.Address{Address: th.customer},
		Subject:    replySubject(th.subject),
		Text:       text,
		MessageID:  replyMessageID(eventID, th.root, s.domain),
		InReplyTo:  th.lastInbound,
		References: th.references(),
		Date:       at,
		Files:      files,
	}
	if reply.Date.IsZero() {
		reply.Date = time.Now()
	}
	msg := func(w io.Writer) error { return compose(w, reply) }
	if err := s.relay.Deliver(ctx, s.from.Address, th.customer, msg); err != nil {
		return "", err
	}
	s.logger.InfoContext(ctx, "email reply sent", "interaction", interactionID, "message_id", reply.MessageID)
	return reply.MessageID, nil
}

// replyFiles opens the reply's attachments from the blob store, before
// anything is handed to the relay; each attempt opens them afresh. A file
// that is gone (missing, or its customer erased) fails the reply for
// good; any other failure to open one is worth another attempt.
func (s *Sender) replyFiles(ctx context.Context, as []domain.Attachment) ([]ReplyFile, func(), error) {
	var opened []io.Closer
	closeAll := func() {
		for _, c := range opened {
			_ = c.Close()
		}
	}
	if len(as) == 0 {
		return nil, closeAll, nil
	}
	if s.files == nil {
		return nil, closeAll, outbound.Permanent(errors.New("email reply: it has attachments, and this sender keeps no files"))
	}
	out := make([]ReplyFile, 0, len(as))
	for _, a := range as {
		if !a.Kept() {
			closeAll()
			return nil, func() {}, outbound.Permanent(fmt.Errorf("email reply: attachment %q was not kept", a.Name))
		}
		content, err := s.files.Open(ctx, a.Owner, a.SHA256)
		if err != nil {
			closeAll()
			err = fmt.Errorf("email reply: open attachment %q: %w", a.Name, err)
			if errors.Is(err, blobs.ErrNotFound) || errors.Is(err, datakeys.ErrErased) {
				err = outbound.Permanent(err)
			}
			return nil, func() {}, err
		}
		opened = append(opened, content)
		out = append(out, ReplyFile{Name: a.Name, ContentType: a.ContentType, Content: content})
	}
	return out, closeAll, nil
}

// thread is what a reply needs to know of its interaction.
type thread struct {
	customer    string
	subject     string
	root        string
	lastInbound string
	chain       []string // the thread's Message-IDs, oldest first, up to the last inbound
}

// references is the References of a reply: the root first, then the
// thread's messages up to the one replied to, trimmed as RFC 5322 allows.
func (t thread) references() []string {
	refs := make([]string, 0, len(t.chain)+1)
	seen := map[string]bool{}
	add := func(id string) {
		if id != "" && !seen[id] {
			seen[id] = true
			refs = append(refs, id)
		}
	}
	add(t.root)
	for _, id := range t.chain {
		add(id)
	}
	return trimReferences(refs)
}

// readPage is how many events one ReadStream asks for.
const readPage = 256

// thread reads the interaction up to the reply's event.
func (s *Sender) thread(ctx context.Context, eventID uuid.UUID, interactionID string) (thread, error) {
	stream := domain.InteractionStream(interactionID)
	var th thread
	var started bool
	var chainToLast int // len(chain) at the last inbound message
	for from := int64(0); ; {
		page, err := s.ledger.ReadStream(ctx, stream, from, readPage)
		if err != nil {
			return thread{}, fmt.Errorf("read %s: %w", stream, err)
		}
		for _, rec := range page {
			if rec.ID == eventID {
				return th.finish(started, chainToLast)
			}
			switch rec.Type {
			case "InteractionStarted", "MessageReceived", "MessageSent":
			default:
				continue
			}
			e, err := domain.DecodeEvent(rec.Type, rec.Schema, rec.Data)
			if err != nil {
				return thread{}, fmt.Errorf("read %s: %w", stream, err)
			}
			switch e := e.(type) {
			case domain.InteractionStarted:
				if e.Channel != domain.ChannelEmail || e.Identity.Kind != domain.IdentityEmail {
					return thread{}, ErrNotEmail
				}
				started, th.customer, th.subject = true, e.Identity.Value, e.Subject
			case domain.MessageReceived:
				if md, err := eventstore.ParseMetadata(rec.Metadata); err == nil {
					if root, ok := rootFromCorrelation(md.CorrelationID); ok {
						th.root = root
					}
				}
				th.lastInbound = e.MessageID
				th.chain = append(th.chain, e.MessageID)
				chainToLast = len(th.chain)
			case domain.MessageSent:
				th.chain = append(th.chain, replyMessageID(rec.ID, th.root, s.domain))
			}
		}
		if len(page) < readPage {
			// The reply's event was not found (a caller handing over an
			// event not yet readable, or a synthetic one): reply to the
			// interaction as it stands.
			return th.finish(started, chainToLast)
		}
		from = page[len(page)-1].Version + 1
	}
}

func (th thread) finish(started bool, chainToLast int) (thread, error) {
	if !started {
		return thread{}, &SendError{Op: "thread", Permanent: true, Err: errors.New("the interaction does not exist")}
	}
	th.chain = th.chain[:chainToLast]
	if th.root == "" && len(th.chain) > 0 {
		// Messages recorded without a thread correlation: the first
		// message is the best root there is.
		th.root = th.chain[0]
	}
	return th, nil
}
