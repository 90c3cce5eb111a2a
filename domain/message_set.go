package domain

import "maps"

// recentLimit is how many message ids a messageSet adds before it freezes
// them into a level.
const recentLimit = 32

// messageSet is the set of message ids an interaction recorded, each with
// its content's fingerprint. Aggregate states are values: folding an
// event must leave every earlier state as it was. Copying one map on
// every message did that, but made folding an interaction of n messages
// cost O(n²) map copies, which dominated every command on a long
// conversation.
//
// So the ids live in maps that are never written once built: a few frozen
// levels, each at least as big as the next (merged like a binary counter,
// so there are O(log n) of them), and a small map of the latest ids,
// replaced, not written, on every add. States derived from one another
// share the maps they have in common; an add copies at most recentLimit
// entries plus, now and then, a merge, so each id is copied O(log n)
// times over the interaction's life.
type messageSet struct {
	levels []map[string]string // frozen, largest first
	recent map[string]string   // the latest ids, at most recentLimit
}

// get returns the fingerprint recorded under id.
func (s messageSet) get(id string) (string, bool) {
	if fp, ok := s.recent[id]; ok {
		return fp, true
	}
	for i := len(s.levels) - 1; i >= 0; i-- { // newest first
		if fp, ok := s.levels[i][id]; ok {
			return fp, true
		}
	}
	return "", false
}

// with returns the set with id recorded under fingerprint (replacing an
// earlier one: newer levels are looked at first, and win a merge); s is
// unchanged.
func (s messageSet) with(id, fingerprint string) messageSet {
	recent := make(map[string]string, len(s.recent)+1)
	maps.Copy(recent, s.recent)
	recent[id] = fingerprint
	if len(recent) < recentLimit {
		return messageSet{levels: s.levels, recent: recent}
	}
	levels := make([]map[string]string, len(s.levels), len(s.levels)+1)
	copy(levels, s.levels)
	run := recent
	for len(levels) > 0 && len(levels[len(levels)-1]) <= len(run) {
		last := levels[len(levels)-1]
		merged := make(map[string]string, len(last)+len(run))
		maps.Copy(merged, last)
		maps.Copy(merged, run)
		run, levels = merged, levels[:len(levels)-1]
	}
	return messageSet{levels: append(levels, run)}
}

// clone returns a copy of s that shares only its maps, which are never
// written once built.
func (s messageSet) clone() messageSet {
	if s.levels != nil {
		s.levels = append([]map[string]string(nil), s.levels...)
	}
	return s
}
