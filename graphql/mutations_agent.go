package graphql

import (
	"context"
	"strings"

	gql "github.com/graph-gophers/graphql-go"

	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/graphql/apierror"
	"github.com/interactionledger/ledger/graphql/auth"
)

// SetPresence sets an agent's presence: one's own with auth.OpSetOwnPresence,
// anyone else's with auth.OpManageAgents.
func (r *resolver) SetPresence(ctx context.Context, args struct {
	AgentID        *gql.ID
	Presence       string
	Reason         *string
	IdempotencyKey *string
	Consistency    string
}) (*agentPayload, error) {
	v, ok := auth.ViewerFrom(ctx)
	if !ok {
		return nil, apierror.Unauthenticated("no bearer token")
	}
	id, op := v.Subject, auth.OpSetOwnPresence
	if args.AgentID != nil && string(*args.AgentID) != v.Subject {
		id, op = string(*args.AgentID), auth.OpManageAgents
	}
	meta, _, err := r.authorizeMutation(ctx, op, args.IdempotencyKey)
	if err != nil {
		return nil, err
	}
	res, err := r.cmds.Agent(ctx, id, domain.ChangePresence{Presence: domain.Presence(args.Presence), Reason: deref(args.Reason)}, meta)
	if err != nil {
		return nil, err
	}
	return &agentPayload{settled: r.settle(ctx, args.Consistency, res.Position), r: r, id: id}, nil
}

// skillInput is the SkillInput input.
type skillInput struct {
	Name  string
	Level int32
}

// capacityInput is the CapacityInput input.
type capacityInput struct {
	Channel string
	Count   int32
}

// RegisterAgent registers an agent.
func (r *resolver) RegisterAgent(ctx context.Context, args struct {
	ID             gql.ID
	Name           string
	Team           *string
	Skills         *[]skillInput
	Capacity       *[]capacityInput
	IdempotencyKey *string
	Consistency    string
}) (*agentPayload, error) {
	meta, _, err := r.authorizeMutation(ctx, auth.OpManageAgents, args.IdempotencyKey)
	if err != nil {
		return nil, err
	}
	skills, capacity, err := agentSkills(args.Skills, args.Capacity)
	if err != nil {
		return nil, err
	}
	id := string(args.ID)
	cmd := domain.RegisterAgent{AgentID: id, Name: args.Name, Team: deref(args.Team), Skills: skills, Capacity: capacity}
	res, err := r.cmds.Agent(ctx, id, cmd, meta)
	if err != nil {
		return nil, err
	}
	return &agentPayload{settled: r.settle(ctx, args.Consistency, res.Position), r: r, id: id}, nil
}

// agentSkills turns the lists of the input into the domain's maps,
// refusing a skill or a channel given twice (a map would silently keep
// one of them).
func agentSkills(skillList *[]skillInput, capacityList *[]capacityInput) (map[string]int, map[domain.Channel]int, error) {
	skills := map[string]int{}
	for _, s := range deref(skillList) {
		name := strings.TrimSpace(s.Name)
		if _, dup := skills[name]; dup {
			return nil, nil, apierror.BadInput("skill %q is given twice", name)
		}
		skills[name] = int(s.Level)
	}
	if capacityList == nil {
		return skills, nil, nil // the domain's default capacity
	}
	capacity := map[domain.Channel]int{}
	for _, c := range *capacityList {
		ch := domain.Channel(c.Channel)
		if _, dup := capacity[ch]; dup {
			return nil, nil, apierror.BadInput("channel %s is given twice", ch)
		}
		capacity[ch] = int(c.Count)
	}
	return skills, capacity, nil
}
