package graphql

import (
	"container/list"
	"context"
	"net/netip"
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
// slow to try phone numbers against a ticket number. An IPv6 client is
// also limited by its /64 (one subscriber's network, where a client may
// pick any address), to selfServiceNetFactor times as much.
const (
	selfServiceBurst     = 5
	selfServiceEvery     = 12 * time.Second
	selfServiceNetFactor = 4
	// maxTrackedClients bounds the limiter's memory; when it is full the
	// least recently seen bucket is forgotten (its refill is the most
	// advanced), never everyone at once.
	maxTrackedClients = 100_000
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

// clientLimiter keeps one token bucket per client address and one per
// IPv6 /64, at most maxTrackedClients in all, least recently used first
// out.
type clientLimiter struct {
	mu      sync.Mutex
	max     int
	buckets map[string]*list.Element // of *trackedBucket
	lru     list.List                // front: most recently used
}

type trackedBucket struct {
	key     string
	limiter *rate.Limiter
}

func newClientLimiter() *clientLimiter {
	return &clientLimiter{max: maxTrackedClients, buckets: map[string]*list.Element{}}
}

// allow takes a token of client's bucket, and of its /64's for an IPv6
// client, at now; neither is taken unless both have one.
func (l *clientLimiter) allow(client string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	buckets := []*rate.Limiter{l.bucket("ip "+client, now, 1)}
	if addr, err := netip.ParseAddr(client); err == nil && addr.Unmap().Is6() {
		net, _ := addr.Prefix(64)
		buckets = append(buckets, l.bucket("net "+net.String(), now, selfServiceNetFactor))
	}
	for _, b := range buckets {
		if b.TokensAt(now) < 1 {
			return false
		}
	}
	for _, b := range buckets {
		b.AllowN(now, 1)
	}
	return true
}

// bucket returns key's bucket, marked as just used, making one of factor
// times the base rate and burst when there is none.
func (l *clientLimiter) bucket(key string, now time.Time, factor int) *rate.Limiter {
	if e, ok := l.buckets[key]; ok {
		l.lru.MoveToFront(e)
		return e.Value.(*trackedBucket).limiter
	}
	for len(l.buckets) >= l.max {
		oldest := l.lru.Back()
		l.lru.Remove(oldest)
		delete(l.buckets, oldest.Value.(*trackedBucket).key)
	}
	b := &trackedBucket{key: key, limiter: rate.NewLimiter(rate.Every(selfServiceEvery/time.Duration(factor)), selfServiceBurst*factor)}
	l.buckets[key] = l.lru.PushFront(b)
	return b.limiter
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
