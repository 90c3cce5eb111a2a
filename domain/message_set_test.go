package domain

import (
	"fmt"
	"maps"
	"testing"
)

// TestMessageSetKeepsEarlierStates: every state a chain of adds passes
// through answers exactly what a plain map snapshot taken at that point
// does, after all later adds (including ids recorded again with another
// fingerprint), so states derived from one another never see each
// other's ids.
func TestMessageSetKeepsEarlierStates(t *testing.T) {
	for _, n := range []int{0, 1, recentLimit - 1, recentLimit, recentLimit + 1, 5*recentLimit + 3, 1500} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			var (
				states    []messageSet
				snapshots []map[string]string
				s         messageSet
				want      = map[string]string{}
			)
			for i := range n {
				id, fp := fmt.Sprintf("m%d", i), fmt.Sprintf("f%d", i)
				if i%97 == 5 { // a provider id seen again with other content
					id = fmt.Sprintf("m%d", i/2)
				}
				s = s.with(id, fp)
				want[id] = fp
				states, snapshots = append(states, s), append(snapshots, maps.Clone(want))
			}
			for k, st := range states {
				for i := range n + 1 {
					id := fmt.Sprintf("m%d", i)
					got, ok := st.get(id)
					exp, expOK := snapshots[k][id]
					if got != exp || ok != expOK {
						t.Fatalf("state after %d adds: get(%s) = %q %v, want %q %v", k+1, id, got, ok, exp, expOK)
					}
				}
			}
			if levels := len(s.levels); n > 0 && levels > 2*bitsLen(n) {
				t.Errorf("%d ids in %d levels, want O(log n)", n, levels)
			}
		})
	}
}

func bitsLen(n int) int {
	b := 0
	for ; n > 0; n >>= 1 {
		b++
	}
	return b
}

// TestFoldingLongInteractionCopiesLittle: folding an interaction of many
// messages copies each id a logarithmic number of times, not once per
// later message (which made long conversations quadratic).
func TestFoldingLongInteractionCopiesLittle(t *testing.T) {
	const n = 4000
	var s messageSet
	copied := 0
	for i := range n {
		before := s
		s = s.with(fmt.Sprintf("m%d", i), "f")
		copied += len(s.recent)
		if len(s.levels) != len(before.levels) || (len(s.levels) > 0 && len(before.levels) > 0 && len(s.levels[len(s.levels)-1]) != len(before.levels[len(before.levels)-1])) {
			copied += len(s.levels[len(s.levels)-1])
		}
	}
	if limit := n * (recentLimit + 2*bitsLen(n)); copied > limit {
		t.Errorf("folding %d ids copied %d entries, want at most %d", n, copied, limit)
	}
}
