package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/interactionledger/ledger/policies/routing"
	"github.com/interactionledger/ledger/policies/routing/queueing"
)

// mmcFlags are `ledger demo --mmc`'s settings.
type mmcFlags struct {
	agents   int
	rate     float64 // arrivals per hour; 0: from loads
	aht      time.Duration
	loads    string
	arrivals int
	seed     uint64
}

// runMMcDemo runs the M/M/c queueing check for each load and prints the
// comparison with Erlang C as a Markdown table (BENCHMARKS.md keeps one).
func runMMcDemo(out io.Writer, f mmcFlags) error {
	if f.aht <= 0 {
		f.aht = 3 * time.Minute
	}
	rates, err := mmcRates(f)
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	if f.agents < 1 || f.arrivals < 1 {
		return &exitError{code: 2, err: fmt.Errorf("demo --mmc: --agents and --arrivals must be at least 1")}
	}
	cfg := routing.DefaultConfig()
	fmt.Fprintf(out, "M/M/c: %d agents, mean handling %s (exponential), Poisson arrivals, %d arrivals measured per load after %d warm-up, seed %d; every assignment decided by the router (domain.Route).\n\n",
		f.agents, f.aht, f.arrivals, f.arrivals/20, f.seed)
	fmt.Fprintln(out, "| load rho | arrivals/h | P(wait) Erlang C | P(wait) measured (95% CI) | error | ASA Erlang C | ASA measured (95% CI) | error | run time |")
	fmt.Fprintln(out, "|---|---|---|---|---|---|---|---|---|")
	for _, rate := range rates {
		setup := queueing.MMcSetup{Agents: f.agents, ArrivalsPerHour: rate, MeanHandle: f.aht, Arrivals: f.arrivals, Warmup: f.arrivals / 20, Seed: f.seed}
		start := time.Now()
		res, err := queueing.SimulateMMc(cfg, setup)
		if err != nil {
			return &exitError{code: 2, err: fmt.Errorf("demo --mmc: %w", err)}
		}
		fmt.Fprintf(out, "| %.2f | %.1f | %.4f | %.4f ± %.4f | %.1f%% | %.1f s | %.1f s ± %.1f s | %.1f%% | %s |\n",
			setup.Load(), rate, res.TheoryPWait, res.PWait, res.PWaitHalfWidth, 100*res.PWaitError(),
			res.TheoryASA.Seconds(), res.ASA.Seconds(), res.ASAHalfWidth.Seconds(), 100*res.ASAError(),
			time.Since(start).Round(100*time.Millisecond))
	}
	return nil
}

// mmcRates turns --rate or --loads into arrival rates per hour.
func mmcRates(f mmcFlags) ([]float64, error) {
	if f.rate > 0 {
		return []float64{f.rate}, nil
	}
	var out []float64
	for _, item := range strings.Split(f.loads, ",") {
		rho, err := strconv.ParseFloat(strings.TrimSpace(item), 64)
		if err != nil || rho <= 0 || rho >= 1 {
			return nil, fmt.Errorf("demo --mmc: load %q must be between 0 and 1", item)
		}
		out = append(out, rho*float64(f.agents)*time.Hour.Seconds()/f.aht.Seconds())
	}
	return out, nil
}
