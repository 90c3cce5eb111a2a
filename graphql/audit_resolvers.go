package graphql

import (
	"context"
	"fmt"
	"strconv"
	"time"

	gql "github.com/graph-gophers/graphql-go"

	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore"
	"github.com/interactionledger/ledger/graphql/apierror"
	"github.com/interactionledger/ledger/graphql/auth"
)

// auditReadPage is how many events one read of a stream returns.
const auditReadPage = 1000

// maxAuditEvents bounds the events an audit trail folds; the ledger's
// streams stay far below it, and a stream beyond it is read with `ledger
// replay` instead.
const maxAuditEvents = 100_000

// AuditTrail returns a stream as of a moment.
func (r *resolver) AuditTrail(ctx context.Context, args struct {
	Stream string
	AsOf   *gql.Time
}) (*auditTrail, error) {
	if _, err := auth.Authorize(ctx, auth.OpReadAuditTrail); err != nil {
		return nil, err
	}
	asOf := r.now().UTC()
	if args.AsOf != nil {
		asOf = args.AsOf.Time.UTC()
	}
	if args.Stream == "" || args.Stream == eventstore.AllStream {
		return nil, apierror.BadInput("name one stream, e.g. ticket-<id>")
	}
	trail, err := r.readTrail(ctx, args.Stream, asOf)
	if err != nil {
		return nil, err
	}
	trail.r = r
	return trail, nil
}

// readTrail reads stream's events recorded up to asOf and decodes them.
func (r *resolver) readTrail(ctx context.Context, stream string, asOf time.Time) (*auditTrail, error) {
	t := &auditTrail{stream: stream, asOf: asOf}
	for from := int64(0); ; {
		page, err := r.store.ReadStream(ctx, stream, from, auditReadPage)
		if err != nil {
			return nil, fmt.Errorf("audit %s: %w", stream, err)
		}
		for _, rec := range page {
			if rec.RecordedAt.After(asOf) {
				return t.done()
			}
			e, err := domain.DecodeEvent(rec.Type, rec.Schema, rec.Data)
			if err != nil {
				return nil, fmt.Errorf("audit %s version %d: %w", stream, rec.Version, err)
			}
			t.records, t.events = append(t.records, rec), append(t.events, e)
		}
		if len(page) < auditReadPage {
			return t.done()
		}
		if len(t.records) >= maxAuditEvents {
			return nil, apierror.BadInput("stream %s holds more than %d events; use `ledger replay`", stream, maxAuditEvents)
		}
		from = page[len(page)-1].Version + 1
	}
}

// auditTrail is an AuditTrail.
type auditTrail struct {
	r       *resolver
	stream  string
	asOf    time.Time
	records []eventstore.RecordedEvent
	events  []domain.Event
}

func (t *auditTrail) done() (*auditTrail, error) {
	if len(t.events) == 0 {
		return nil, apierror.NotFound("stream %s has no events recorded by %s", t.stream, t.asOf.Format(time.RFC3339))
	}
	return t, nil
}

func (t *auditTrail) Stream() string    { return t.stream }
func (t *auditTrail) AsOf() gql.Time    { return gql.Time{Time: t.asOf} }
func (t *auditTrail) EventCount() int32 { return int32(len(t.events)) }

func (t *auditTrail) State() (JSON, error) {
	states, err := t.statesAfter(len(t.events), len(t.events))
	if err != nil {
		return JSON{}, err
	}
	return states[0], nil
}

// applyEvent evolves a folder by one event; tests count its calls.
var applyEvent = (*domain.StreamFolder).Apply

// statesAfter folds the stream once, up to its end-th event, and returns
// the state after each of the events from the from-th (counting from 1)
// to the end-th: what a page of events shows as stateAfter.
func (t *auditTrail) statesAfter(from, end int) ([]JSON, error) {
	f, err := domain.NewStreamFolder(t.stream)
	if err != nil {
		return nil, apierror.BadInput("%v", err)
	}
	states := make([]JSON, 0, end-from+1)
	for i := range end {
		applyEvent(f, t.events[i])
		if i+1 < from {
			continue
		}
		j, err := jsonOf(f.State())
		if err != nil {
			return nil, err
		}
		states = append(states, j)
	}
	return states, nil
}

func (t *auditTrail) Events(args pageArgs) (*auditEventConnection, error) {
	first, after, err := t.r.page(args)
	if err != nil {
		return nil, err
	}
	start := 0
	if after != "" {
		v, err := strconv.Atoi(after)
		if err != nil || v < 0 || v >= len(t.records) {
			return nil, apierror.BadInput("invalid cursor %q for this list", after)
		}
		start = v + 1
	}
	end := min(start+first, len(t.records))
	conn := &auditEventConnection{info: pageInfo{hasNextPage: end < len(t.records)}}
	page := &auditPage{trail: t, start: start, end: end}
	for i := start; i < end; i++ {
		conn.nodes = append(conn.nodes, &auditEvent{trail: t, page: page, index: i})
	}
	if end > start {
		conn.info.endCursor = strconv.Itoa(end - 1)
	}
	return conn, nil
}

type auditEventConnection struct {
	nodes []*auditEvent
	info  pageInfo
}

func (c *auditEventConnection) Nodes() []*auditEvent { return c.nodes }
func (c *auditEventConnection) PageInfo() pageInfo   { return c.info }

// auditPage is the events of one page of a trail; the states after each
// of them are folded once, in one pass, when the first is asked for.
type auditPage struct {
	trail      *auditTrail
	start, end int
	states     lazy[[]JSON]
}

func (p *auditPage) stateAfter(index int) (JSON, error) {
	states, err := p.states.get(func() ([]JSON, error) { return p.trail.statesAfter(p.start+1, p.end) })
	if err != nil {
		return JSON{}, err
	}
	return states[index-p.start], nil
}

// auditEvent is an AuditEvent: the index-th event of its trail.
type auditEvent struct {
	trail *auditTrail
	page  *auditPage
	index int
}

func (e *auditEvent) rec() eventstore.RecordedEvent { return e.trail.records[e.index] }

func (e *auditEvent) ID() gql.ID                { return gql.ID(e.rec().ID.String()) }
func (e *auditEvent) Position() Long            { return Long(e.rec().Position) }
func (e *auditEvent) Version() Long             { return Long(e.rec().Version) }
func (e *auditEvent) Type() string              { return e.rec().Type }
func (e *auditEvent) Schema() int32             { return int32(e.rec().Schema) }
func (e *auditEvent) RecordedAt() gql.Time      { return gql.Time{Time: e.rec().RecordedAt} }
func (e *auditEvent) Data() JSON                { return rawJSON(e.rec().Data) }
func (e *auditEvent) PrevHash() string          { return e.rec().PrevHash }
func (e *auditEvent) Hash() string              { return e.rec().Hash }
func (e *auditEvent) StateAfter() (JSON, error) { return e.page.stateAfter(e.index) }

func (e *auditEvent) Metadata() (*auditMetadata, error) {
	m, err := eventstore.ParseMetadata(e.rec().Metadata)
	if err != nil {
		return nil, fmt.Errorf("metadata of %s version %d: %w", e.trail.stream, e.rec().Version, err)
	}
	return &auditMetadata{m: m}, nil
}

// auditMetadata is an AuditMetadata.
type auditMetadata struct{ m eventstore.Metadata }

func (m *auditMetadata) Actor() *string           { return strOf(m.m.Actor) }
func (m *auditMetadata) CorrelationID() *string   { return strOf(m.m.CorrelationID) }
func (m *auditMetadata) CausationID() *string     { return strOf(m.m.CausationID) }
func (m *auditMetadata) Command() *string         { return strOf(m.m.Command) }
func (m *auditMetadata) Channel() *string         { return strOf(m.m.Channel) }
func (m *auditMetadata) SourceMessageID() *string { return strOf(m.m.SourceMessageID) }
