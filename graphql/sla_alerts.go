package graphql

import (
	"context"

	gql "github.com/graph-gophers/graphql-go"

	"github.com/interactionledger/ledger/graphql/auth"
	"github.com/interactionledger/ledger/projections"
)

// topicSlaAlerts is the subscribers of slaAlertsChanged: one list for
// all of them, read once per change and cut to each one's first.
const topicSlaAlerts = "slaAlerts"

// SlaAlerts answers Query.slaAlerts. Only supervisors and admins may, and
// they read customers unmasked, so the customer's name needs no masking.
func (r *resolver) SlaAlerts(ctx context.Context, args struct{ First *int32 }) ([]*slaAlertResolver, error) {
	if _, err := auth.Authorize(ctx, auth.OpReadSlaAlerts); err != nil {
		return nil, err
	}
	first, err := r.listFirst(args.First)
	if err != nil {
		return nil, err
	}
	alerts, err := r.db.SlaAlerts(ctx, r.now(), first)
	if err != nil {
		return nil, err
	}
	return slaAlertResolvers(alerts, first), nil
}

// SlaAlertsChanged streams the SLA alerts each time they change. The hub
// reads the longest list any subscriber may ask for (MaxFirst) and each
// subscription keeps its first.
func (r *resolver) SlaAlertsChanged(ctx context.Context, args struct{ First *int32 }) (<-chan []*slaAlertResolver, error) {
	if _, err := auth.Authorize(ctx, auth.OpReadSlaAlerts); err != nil {
		return nil, err
	}
	first, err := r.listFirst(args.First)
	if err != nil {
		return nil, err
	}
	return stream(ctx, r.hub, topicSlaAlerts, func(alerts []projections.SlaAlert) []*slaAlertResolver {
		return slaAlertResolvers(alerts, first)
	})
}

func slaAlertResolvers(alerts []projections.SlaAlert, first int) []*slaAlertResolver {
	alerts = alerts[:min(first, len(alerts))]
	out := make([]*slaAlertResolver, len(alerts))
	for i, a := range alerts {
		out[i] = &slaAlertResolver{a: a}
	}
	return out
}

// slaAlertResolver is an SlaAlert.
type slaAlertResolver struct{ a projections.SlaAlert }

func (s *slaAlertResolver) SubjectKind() string   { return s.a.SubjectKind }
func (s *slaAlertResolver) SubjectID() gql.ID     { return gql.ID(s.a.SubjectID) }
func (s *slaAlertResolver) Metric() string        { return string(s.a.Metric) }
func (s *slaAlertResolver) Deadline() gql.Time    { return gql.Time{Time: s.a.Deadline} }
func (s *slaAlertResolver) Warned() bool          { return s.a.Warned }
func (s *slaAlertResolver) Breached() bool        { return s.a.Breached }
func (s *slaAlertResolver) TicketNumber() *string { return strOf(s.a.TicketNumber) }
func (s *slaAlertResolver) Subject() string       { return s.a.Subject }
func (s *slaAlertResolver) AgentID() *gql.ID      { return idOf(s.a.AgentID) }
func (s *slaAlertResolver) Channel() *string      { return strOf(string(s.a.Channel)) }
func (s *slaAlertResolver) CustomerID() *gql.ID   { return idOf(s.a.CustomerID) }
func (s *slaAlertResolver) CustomerName() *string { return strOf(s.a.CustomerName) }
