// Package queueing checks the router against queueing theory: Erlang C
// for an M/M/c queue, and a discrete-event M/M/c simulation whose every
// assignment is decided by the routing policy (routing.Config.Decide), so
// `ledger demo --mmc` and the tests can compare the router's waits with
// the theory's. It is never on the write side: nothing it does touches the
// ledger.
package queueing

import "math"

// ErlangC is the queueing theory of an M/M/c queue (Poisson arrivals at
// rate lambda, c identical agents each serving at rate mu, first come first
// served, nobody leaves): the probability that an arrival waits and the
// average speed of answer (mean wait over all arrivals, in the unit of
// 1/mu). ok is false when the queue is unstable (lambda >= c*mu).
func ErlangC(c int, lambda, mu float64) (pWait, asa float64, ok bool) {
	a := lambda / mu // offered load in Erlangs
	if c < 1 || lambda <= 0 || mu <= 0 || a >= float64(c)*(1-1e-9) {
		return 0, math.Inf(1), false
	}
	// Erlang B by its stable recursion, then C from B.
	b := 1.0
	for k := 1; k <= c; k++ {
		b = a * b / (float64(k) + a*b)
	}
	pWait = float64(c) * b / (float64(c) - a*(1-b))
	return pWait, pWait / (float64(c)*mu - lambda), true
}
