package queueing_test

import (
	"math"
	"testing"
	"time"

	"github.com/interactionledger/ledger/policies/routing"
	"github.com/interactionledger/ledger/policies/routing/queueing"
)

// erlangCBySum is the textbook formula, summed directly, to check the
// recursion against.
func erlangCBySum(c int, a float64) float64 {
	term, sum := 1.0, 0.0 // a^k / k!
	for k := range c {
		sum += term
		term *= a / float64(k+1)
	}
	top := term * float64(c) / (float64(c) - a)
	return top / (sum + top)
}

func TestErlangC(t *testing.T) {
	cases := []struct {
		c    int
		a    float64
		want float64 // rounded published value
	}{
		{1, 0.5, 0.5},   // M/M/1: P(wait) = rho
		{2, 1, 1.0 / 3}, // M/M/2 at rho 0.5
		{10, 8, 0.409},  // c = 10, rho 0.8
		{10, 9, 0.6687}, // c = 10, rho 0.9
	}
	for _, tc := range cases {
		p, asa, ok := queueing.ErlangC(tc.c, tc.a, 1)
		if !ok || math.Abs(p-tc.want) > 0.0006 || math.Abs(p-erlangCBySum(tc.c, tc.a)) > 1e-9 {
			t.Errorf("ErlangC(%d, %.1f) = %.5f (sum formula %.5f), want %.4f", tc.c, tc.a, p, erlangCBySum(tc.c, tc.a), tc.want)
		}
		if want := p / (float64(tc.c) - tc.a); math.Abs(asa-want) > 1e-12 {
			t.Errorf("ASA(%d, %.1f) = %g, want %g", tc.c, tc.a, asa, want)
		}
	}
	if _, _, ok := queueing.ErlangC(10, 10, 1); ok {
		t.Error("ErlangC at load 1 must report an unstable queue")
	}
}

// TestMMcMatchesErlangC drives the router's decisions through an M/M/c
// simulation (10 agents at 80% load, Poisson arrivals, exponential
// handling) and checks the measured probability of waiting and ASA against
// Erlang C, within 5%. This is statistical accuracy on a fixed seed, not
// timing: the run is deterministic. A router that left an agent idle while
// a caller waited, or gave one agent two calls, would be far off. The
// longer runs at 70%, 80% and 90% load are in BENCHMARKS.md (ledger demo
// --mmc).
func TestMMcMatchesErlangC(t *testing.T) {
	const rho = 0.8
	setup := queueing.MMcSetup{
		Agents: 10, MeanHandle: 3 * time.Minute, ArrivalsPerHour: rho * 10 * 20, // mu = 20 per hour per agent
		Arrivals: 400_000, Warmup: 20_000, Seed: 1,
	}
	res, err := queueing.SimulateMMc(routing.DefaultConfig(), setup)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("rho %.1f: P(wait) %.4f ± %.4f (theory %.4f, error %.1f%%), ASA %.1fs ± %.1fs (theory %.1fs, error %.1f%%)",
		rho, res.PWait, res.PWaitHalfWidth, res.TheoryPWait, 100*res.PWaitError(),
		res.ASA.Seconds(), res.ASAHalfWidth.Seconds(), res.TheoryASA.Seconds(), 100*res.ASAError())
	if res.PWaitError() > 0.05 || res.ASAError() > 0.05 {
		t.Errorf("measured P(wait) %.4f and ASA %s are not within 5%% of Erlang C (%.4f, %s)",
			res.PWait, res.ASA, res.TheoryPWait, res.TheoryASA)
	}
	if res.Decisions == 0 {
		t.Error("the router was never asked")
	}
	// An overloaded centre has no steady state to compare with.
	setup.ArrivalsPerHour = 200
	if _, err := queueing.SimulateMMc(routing.DefaultConfig(), setup); err == nil {
		t.Error("a run at load 1 must be refused")
	}
}
