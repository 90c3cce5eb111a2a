package graphql

import (
	"cmp"
	"context"
	"slices"

	gql "github.com/graph-gophers/graphql-go"

	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/graphql/auth"
	"github.com/interactionledger/ledger/projections"
)

// Agents returns every agent.
func (r *resolver) Agents(ctx context.Context) ([]*agentResolver, error) {
	if _, err := auth.Authorize(ctx, auth.OpReadAgents); err != nil {
		return nil, err
	}
	list, err := r.db.Agents(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]*agentResolver, len(list))
	for i, a := range list {
		out[i] = &agentResolver{r: r, a: a}
	}
	return out, nil
}

// Agent returns one agent.
func (r *resolver) Agent(ctx context.Context, args struct{ ID gql.ID }) (*agentResolver, error) {
	if _, err := auth.Authorize(ctx, auth.OpReadAgents); err != nil {
		return nil, err
	}
	a, err := r.agentRecord(ctx, string(args.ID))
	if err != nil {
		return nil, err
	}
	return &agentResolver{r: r, a: a}, nil
}

// optionalAgent returns the agent with id, nil for "" or an agent the
// read model does not know (an id from another system, say).
func (r *resolver) optionalAgent(ctx context.Context, id string) (*agentResolver, error) {
	if id == "" {
		return nil, nil
	}
	if _, err := auth.Authorize(ctx, auth.OpReadAgents); err != nil {
		return nil, err
	}
	a, err := r.agentRecord(ctx, id)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &agentResolver{r: r, a: a}, nil
}

// agentResolver is an Agent.
type agentResolver struct {
	r *resolver
	a projections.Agent
}

// OpenInteractions returns the open interactions assigned to the agent.
func (a *agentResolver) OpenInteractions(ctx context.Context) ([]*interactionResolver, error) {
	access, err := auth.Authorize(ctx, auth.OpReadInteractions)
	if err != nil {
		return nil, err
	}
	list, err := a.r.db.AgentWork(ctx, a.a.ID)
	if err != nil {
		return nil, err
	}
	return a.r.newInteractions(list, access), nil
}

func (a *agentResolver) ID() gql.ID               { return gql.ID(a.a.ID) }
func (a *agentResolver) Name() string             { return a.a.Name }
func (a *agentResolver) Team() *string            { return strOf(a.a.Team) }
func (a *agentResolver) Presence() string         { return string(a.a.Presence) }
func (a *agentResolver) PresenceSince() *gql.Time { return timeOf(a.a.PresenceSince) }
func (a *agentResolver) RegisteredAt() gql.Time   { return gql.Time{Time: a.a.RegisteredAt} }

func (a *agentResolver) Skills() []*skillResolver {
	out := make([]*skillResolver, 0, len(a.a.Skills))
	for name, level := range a.a.Skills {
		out = append(out, &skillResolver{name: name, level: level})
	}
	slices.SortFunc(out, func(x, y *skillResolver) int { return cmp.Compare(x.name, y.name) })
	return out
}

func (a *agentResolver) Capacity() []*channelCount { return channelCounts(a.a.Capacity) }
func (a *agentResolver) LoadByChannel() []*channelCount {
	return channelCounts(a.a.Load)
}

func (a *agentResolver) Load() int32 {
	total := 0
	for _, n := range a.a.Load {
		total += n
	}
	return int32(total)
}

// channelCounts lists counts in the domain's channel order.
func channelCounts(m map[domain.Channel]int) []*channelCount {
	var out []*channelCount
	for _, ch := range domain.Channels {
		if n, ok := m[ch]; ok {
			out = append(out, &channelCount{channel: ch, count: n})
		}
	}
	return out
}

type skillResolver struct {
	name  string
	level int
}

func (s *skillResolver) Name() string { return s.name }
func (s *skillResolver) Level() int32 { return int32(s.level) }

type channelCount struct {
	channel domain.Channel
	count   int
}

func (c *channelCount) Channel() string { return string(c.channel) }
func (c *channelCount) Count() int32    { return int32(c.count) }
