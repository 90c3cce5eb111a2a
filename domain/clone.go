package domain

import (
	"maps"
	"slices"
)

// Clone methods return deep copies of aggregate states: nothing reachable
// from the copy (maps, slices) is shared with the original, so a caller may
// change either without the other seeing it. The command layer keeps
// folded states in a cache and hands out clones of them.

// Clone returns a deep copy of c.
func (c Customer) Clone() Customer {
	c.Tags = slices.Clone(c.Tags)
	c.Identities = slices.Clone(c.Identities)
	if c.Absorbed != nil {
		absorbed := make(map[string][]Identity, len(c.Absorbed))
		for k, v := range c.Absorbed {
			absorbed[k] = slices.Clone(v)
		}
		c.Absorbed = absorbed
	}
	return c
}

// Clone returns a deep copy of i.
func (i Interaction) Clone() Interaction {
	i.seenMessages = i.seenMessages.clone() // its maps are never written: shared
	return i
}

// Clone returns a deep copy of t.
func (t Ticket) Clone() Ticket {
	t.Collaborators = slices.Clone(t.Collaborators)
	t.Interactions = slices.Clone(t.Interactions)
	return t
}

// Clone returns a deep copy of a.
func (a Agent) Clone() Agent {
	a.Skills = maps.Clone(a.Skills)
	a.Capacity = maps.Clone(a.Capacity)
	a.Work = maps.Clone(a.Work)
	return a
}

// Clone returns a deep copy of d.
func (d Deliveries) Clone() Deliveries {
	d.Messages = maps.Clone(d.Messages)
	return d
}

// Clone returns a deep copy of s.
func (s SlaClocks) Clone() SlaClocks {
	s.Clocks = maps.Clone(s.Clocks)
	return s
}

// Clone returns a deep copy of r.
func (r QaReview) Clone() QaReview {
	if r.Scorecards == nil {
		return r
	}
	cards := make(map[string]QaScored, len(r.Scorecards))
	for k, v := range r.Scorecards {
		v.Results = slices.Clone(v.Results)
		for n := range v.Results {
			v.Results[n].Evidence = slices.Clone(v.Results[n].Evidence)
		}
		cards[k] = v
	}
	r.Scorecards = cards
	return r
}

// Clone returns a deep copy of k.
func (k KnowledgeItem) Clone() KnowledgeItem {
	k.Versions = slices.Clone(k.Versions)
	for i := range k.Versions {
		c := &k.Versions[i].Content
		c.Tags, c.Channels = slices.Clone(c.Tags), slices.Clone(c.Channels)
	}
	return k
}
