package projections

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/interactionledger/ledger/domain"
)

// Agents is the projection of agents: profile, skills, capacity, presence,
// and current load per channel (open interactions assigned to them,
// following assignment, transfer, re-queueing, close and abandon events;
// a call whose wrap-up expired stays the agent's open work but no longer
// counts in their PHONE load, as domain.Interaction.TakesVoiceCapacity
// says).
type Agents struct {
	sqlSchema
	work *rowCache[agentWork]
}

// agentWork is a row of agent_work: an open interaction, its channel and
// the agent handling it; released once a call's wrap-up expired (it no
// longer counts in the load).
type agentWork struct {
	channel  string
	agent    string
	released bool
}

// agentWorkCacheSize bounds the open interactions kept in memory between
// batches.
const agentWorkCacheSize = rowCacheSize

var agentWorkColumns = []string{"interaction_id", "channel", "agent_id", "released"}

// NewAgents returns the agents projection.
func NewAgents() *Agents {
	return &Agents{
		sqlSchema: loadSchema("agents"),
		work: newRowCache(agentWorkCacheSize, newRowBuffer("agent_work", agentWorkColumns, upsertTail(agentWorkColumns, 1)),
			`DELETE FROM agent_work WHERE interaction_id IN `, loadAgentWork, saveAgentWork),
	}
}

func loadAgentWork(ctx context.Context, tx *Tx, id string) (agentWork, bool, error) {
	var w agentWork
	row, err := tx.QueryRow(ctx, `SELECT channel, agent_id, released FROM agent_work WHERE interaction_id = ?`, id)
	if err != nil {
		return w, false, err
	}
	switch err := row.Scan(&w.channel, &w.agent, &w.released); {
	case errors.Is(err, sql.ErrNoRows):
		return w, false, nil
	case err != nil:
		return w, false, fmt.Errorf("load agent work %s: %w", id, err)
	}
	return w, true, nil
}

func saveAgentWork(b *rowBuffer, id string, w agentWork) { b.add(id, w.channel, w.agent, w.released) }

// Name implements Projection.
func (*Agents) Name() string { return "agents" }

// Reset implements Resetter.
func (p *Agents) Reset() { p.work.reset() }

// Flush implements Flusher.
func (p *Agents) Flush(ctx context.Context, tx *Tx) error { return p.work.flush(ctx, tx) }

const (
	sqlAgentInsert = `INSERT INTO agents (id, name, team, skills, capacity, presence, presence_since, registered_at)
		VALUES (?, ?, ?, ?, ?, 'OFFLINE', ?, ?)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, team = excluded.team, skills = excluded.skills, capacity = excluded.capacity`
	sqlAgentSkills   = `UPDATE agents SET skills = ?, capacity = ? WHERE id = ?`
	sqlAgentPresence = `UPDATE agents SET presence = ?, presence_since = ? WHERE id = ?`
)

// Apply implements Projection.
func (p *Agents) Apply(ctx context.Context, tx *Tx, e Event) error {
	switch d := e.Data.(type) {
	case domain.AgentRegistered:
		skills, capacity, err := skillsJSON(d.Skills, d.Capacity)
		if err != nil {
			return err
		}
		at := eventTime(d.At, e)
		return tx.Exec(ctx, sqlAgentInsert, d.AgentID, d.Name, d.Team, skills, capacity, at, at)
	case domain.AgentSkillsChanged:
		skills, capacity, err := skillsJSON(d.Skills, d.Capacity)
		if err != nil {
			return err
		}
		return tx.Exec(ctx, sqlAgentSkills, skills, capacity, d.AgentID)
	case domain.AgentPresenceChanged:
		return tx.Exec(ctx, sqlAgentPresence, d.To, eventTime(d.At, e), d.AgentID)
	case domain.InteractionStarted:
		p.work.create(d.InteractionID, agentWork{channel: string(d.Channel)})
		return nil
	case domain.InteractionAssigned:
		return p.setAgent(ctx, tx, d.InteractionID, d.AgentID)
	case domain.InteractionTransferred:
		return p.setAgent(ctx, tx, d.InteractionID, d.ToAgentID) // "" for a transfer to a queue
	case domain.InteractionQueued:
		return p.setAgent(ctx, tx, d.InteractionID, "")
	case domain.InteractionAbandoned:
		return p.done(ctx, tx, d.InteractionID)
	case domain.InteractionClosed:
		return p.done(ctx, tx, d.InteractionID)
	case domain.WrapUpExpired:
		return p.release(ctx, tx, d.InteractionID)
	}
	return nil
}

// release stops counting a call whose wrap-up expired in its agent's load;
// it stays their open work (AgentWork) until closed.
func (p *Agents) release(ctx context.Context, tx *Tx, id string) error {
	r, err := p.work.get(ctx, tx, id)
	if err != nil || !r.live {
		return err
	}
	r.val.released = true
	p.work.touch(id, r)
	return nil
}

func (p *Agents) setAgent(ctx context.Context, tx *Tx, id, agent string) error {
	r, err := p.work.get(ctx, tx, id)
	if err != nil || !r.live {
		return err
	}
	r.val.agent = agent
	p.work.touch(id, r)
	return nil
}

func (p *Agents) done(ctx context.Context, tx *Tx, id string) error {
	r, err := p.work.get(ctx, tx, id)
	if err != nil || !r.live {
		return err
	}
	p.work.remove(id, r)
	return nil
}

// skillsJSON encodes skills and capacity; encoding/json sorts map keys, so
// equal maps give equal text.
func skillsJSON(skills map[string]int, capacity map[domain.Channel]int) (string, string, error) {
	s, err := json.Marshal(nonNil(skills))
	if err != nil {
		return "", "", fmt.Errorf("skills: %w", err)
	}
	c, err := json.Marshal(nonNil(capacity))
	if err != nil {
		return "", "", fmt.Errorf("capacity: %w", err)
	}
	return string(s), string(c), nil
}

func nonNil[K comparable, V any](m map[K]V) map[K]V {
	if m == nil {
		return map[K]V{}
	}
	return m
}

// Agent is an agent with presence and current load.
type Agent struct {
	ID            string
	Name          string
	Team          string
	Skills        map[string]int
	Capacity      map[domain.Channel]int
	Presence      domain.Presence
	PresenceSince time.Time
	RegisteredAt  time.Time
	// Load counts the open interactions assigned to the agent, per
	// channel; channels without any are absent. A call whose wrap-up
	// expired (domain.WrapUpExpired) is not counted.
	Load map[domain.Channel]int
}

// Agents returns every agent, by name then id.
func (db *ReadDB) Agents(ctx context.Context) ([]Agent, error) {
	var out []Agent
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = queryAgents(ctx, tx, `1 ORDER BY name, id`)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("agents: %w", err)
	}
	return out, nil
}

// Agent returns one agent, or a domain ENOTFOUND error.
func (db *ReadDB) Agent(ctx context.Context, id string) (Agent, error) {
	var out []Agent
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = queryAgents(ctx, tx, `id = ?`, id)
		return err
	})
	if err != nil {
		return Agent{}, fmt.Errorf("agent %s: %w", id, err)
	}
	if len(out) == 0 {
		return Agent{}, domain.Errorf(domain.ENOTFOUND, "agent %s not found", id)
	}
	return out[0], nil
}

func queryAgents(ctx context.Context, tx *sql.Tx, where string, args ...any) ([]Agent, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, name, team, skills, capacity, presence, presence_since, registered_at
		FROM agents WHERE `+where, args...)
	if err != nil {
		return nil, err
	}
	var out []Agent
	index := make(map[string]int)
	for rows.Next() {
		a, err := scanAgent(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		index[a.ID] = len(out)
		out = append(out, a)
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, loadAgentLoad(ctx, tx, out, index)
}

func scanAgent(rows *sql.Rows) (Agent, error) {
	var a Agent
	var skills, capacity string
	var since, registered int64
	if err := rows.Scan(&a.ID, &a.Name, &a.Team, &skills, &capacity, &a.Presence, &since, &registered); err != nil {
		return a, err
	}
	a.PresenceSince, a.RegisteredAt = fromNanos(since), fromNanos(registered)
	if err := json.Unmarshal([]byte(skills), &a.Skills); err != nil {
		return a, fmt.Errorf("skills of %s: %w", a.ID, err)
	}
	if err := json.Unmarshal([]byte(capacity), &a.Capacity); err != nil {
		return a, fmt.Errorf("capacity of %s: %w", a.ID, err)
	}
	a.Load = map[domain.Channel]int{}
	return a, nil
}

// loadAgentLoad fills Load for agents; for one agent it reads only that
// agent's rows.
func loadAgentLoad(ctx context.Context, tx *sql.Tx, agents []Agent, index map[string]int) error {
	query := `SELECT agent_id, channel, COUNT(*) FROM agent_work WHERE agent_id != '' AND released = 0 GROUP BY agent_id, channel`
	var args []any
	if len(agents) == 1 {
		query = `SELECT agent_id, channel, COUNT(*) FROM agent_work WHERE agent_id = ? AND released = 0 GROUP BY agent_id, channel`
		args = []any{agents[0].ID}
	}
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("load: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var ch domain.Channel
		var n int
		if err := rows.Scan(&id, &ch, &n); err != nil {
			return fmt.Errorf("load: %w", err)
		}
		if i, ok := index[id]; ok {
			agents[i].Load[ch] = n
		}
	}
	return rows.Err()
}

// AgentWork returns the open interactions assigned to an agent now, oldest
// assignment first (by id when equal), at most MaxBatchIDs of them.
func (db *ReadDB) AgentWork(ctx context.Context, agentID string) ([]Interaction, error) {
	r, err := db.reader(ctx)
	if err != nil {
		return nil, fmt.Errorf("agent work %s: %w", agentID, err)
	}
	list, err := scanInteractions(ctx, r, `SELECT `+interactionColumns+` FROM interactions i
		WHERE i.id IN (SELECT interaction_id FROM agent_work WHERE agent_id = ?)
		ORDER BY i.assigned_at, i.id LIMIT ?`, agentID, MaxBatchIDs)
	if err != nil {
		return nil, fmt.Errorf("agent work %s: %w", agentID, err)
	}
	return list, nil
}
