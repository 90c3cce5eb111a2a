package graphql

import (
	"context"
	"sync"
	"time"

	gql "github.com/graph-gophers/graphql-go"
	"golang.org/x/time/rate"

	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/graphql/apierror"
	"github.com/interactionledger/ledger/graphql/auth"
	"github.com/interactionledger/ledger/graphql/internal/document"
	"github.com/interactionledger/ledger/graphql/transport"
)

// Self-service rate limit per client address: a burst of selfServiceBurst
// queries, then one every selfServiceEvery. Enough for a customer, too
// slow to try phone numbers against a ticket number.
const (
	selfServiceBurst = 5
	selfServiceEvery = 12 * time.Second
	// maxTrackedClients bounds the limiter's memory; idle clients are
	// forgotten first.
	maxTrackedClients = 100_000
	clientIdleAfter   = 10 * time.Minute
)

// selfServiceFields are the only fields a request without a token may
// ask for.
var selfServiceFields = map[string]bool{"ticketStatus": true, "__typename": true}

// selfServiceOnly reports whether req is a query asking only for
// self-service fields at its top level (no fragments), so it may run
// without a token.
func selfServiceOnly(req transport.Request) bool {
	doc, err := document.Parse(req.Query)
	if err != nil {
		return false
	}
	op, err := doc.Operation(req.OperationName)
	if err != nil || op.Kind != "query" || len(op.Selections) == 0 {
		return false
	}
	for _, s := range op.Selections {
		if !selfServiceFields[s.Field] {
			return false
		}
	}
	return true
}

// clientLimiter keeps one token bucket per client address.
type clientLimiter struct {
	mu      sync.Mutex
	clients map[string]*trackedClient
}

type trackedClient struct {
	limiter  *rate.Limiter
	lastSeen time.Time
}

func newClientLimiter() *clientLimiter { return &clientLimiter{clients: map[string]*trackedClient{}} }

// allow takes a token of client's bucket at now.
func (l *clientLimiter) allow(client string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	c, ok := l.clients[client]
	if !ok {
		if len(l.clients) >= maxTrackedClients {
			l.forgetIdle(now)
		}
		c = &trackedClient{limiter: rate.NewLimiter(rate.Every(selfServiceEvery), selfServiceBurst)}
		l.clients[client] = c
	}
	c.lastSeen = now
	return c.limiter.AllowN(now, 1)
}

// forgetIdle drops clients idle for a while (their buckets are full
// again anyway), or all of them if none is.
func (l *clientLimiter) forgetIdle(now time.Time) {
	for k, c := range l.clients {
		if now.Sub(c.lastSeen) > clientIdleAfter {
			delete(l.clients, k)
		}
	}
	if len(l.clients) >= maxTrackedClients {
		clear(l.clients)
	}
}

// TicketStatus answers Query.ticketStatus.
func (r *resolver) TicketStatus(ctx context.Context, args struct {
	Number string
	Phone  string
}) (*selfServiceTicketResolver, error) {
	if !r.selfService.allow(transport.ClientIP(ctx), r.now()) {
		return nil, apierror.New(apierror.CodeRateLimited, "too many status queries from your address; try again in a minute")
	}
	t, err := r.cmds.TicketForPhone(ctx, args.Number, args.Phone)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return nil, nil // the same answer for an unknown number and a wrong phone
	}
	if err != nil {
		return nil, err
	}
	return &selfServiceTicketResolver{t: t}, nil
}

// selfServiceTicketResolver is a SelfServiceTicketStatus.
type selfServiceTicketResolver struct{ t domain.Ticket }

func (s *selfServiceTicketResolver) Number() string        { return s.t.Number }
func (s *selfServiceTicketResolver) Status() string        { return string(s.t.Status) }
func (s *selfServiceTicketResolver) OpenedAt() gql.Time    { return gql.Time{Time: s.t.OpenedAt} }
func (s *selfServiceTicketResolver) ResolvedAt() *gql.Time { return timeOf(s.t.ResolvedAt) }

func (s *selfServiceTicketResolver) Message(args struct{ Language string }) string {
	lang := domain.LanguageEnglish
	if args.Language == "ZH" {
		lang = domain.LanguageChinese
	}
	return domain.TicketStatusAnswer(s.t, lang)
}

// ConfirmPromise answers Mutation.confirmPromise.
func (r *resolver) ConfirmPromise(ctx context.Context, args struct {
	InteractionID  gql.ID
	Promise        string
	IdempotencyKey *string
}) (*promiseConfirmationResolver, error) {
	meta, v, err := r.authorizeMutation(ctx, auth.OpActOnInteraction, args.IdempotencyKey)
	if err != nil {
		return nil, err
	}
	if r.contacts == nil {
		return nil, apierror.New(apierror.CodeUnavailable, "written confirmations are not configured on this server")
	}
	finder := &recordingFinder{inner: r.contacts}
	res, err := r.cmds.ConfirmPromise(ctx, finder, string(args.InteractionID), v.Subject, args.Promise, meta)
	if err != nil {
		return nil, err
	}
	_, interactionID := domain.StreamCategory(res.Stream)
	return &promiseConfirmationResolver{interactionID: interactionID, channel: finder.got.Channel, position: res.Position}, nil
}

// recordingFinder remembers the contact it found, for the answer.
type recordingFinder struct {
	inner commands.ContactFinder
	got   commands.Contact
}

func (f *recordingFinder) FindContact(ctx context.Context, customerID string) (commands.Contact, error) {
	c, err := f.inner.FindContact(ctx, customerID)
	f.got = c
	return c, err
}

// promiseConfirmationResolver is a PromiseConfirmation.
type promiseConfirmationResolver struct {
	interactionID string
	channel       domain.Channel
	position      uint64
}

func (p *promiseConfirmationResolver) InteractionID() gql.ID { return gql.ID(p.interactionID) }
func (p *promiseConfirmationResolver) Channel() string       { return string(p.channel) }
func (p *promiseConfirmationResolver) Position() Long        { return Long(p.position) }
