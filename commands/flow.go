package commands

import (
	"context"
	"fmt"
	"time"
)

// runFlow measures and logs a command flow that spans several streams
// (each of its steps is measured on its own by execute as well), so a flow
// that fails before its first append is still counted.
func runFlow[T any](ctx context.Context, h *Handler, name string, flow func() (T, Result, error)) (T, error) {
	start := time.Now()
	out, res, err := flow()
	h.observe(ctx, name, "", start, res, err)
	return out, wrapFlow(name, err)
}

// maxPosition returns the highest position of the results (0 if none wrote).
func maxPosition(results ...Result) uint64 {
	var p uint64
	for _, r := range results {
		p = max(p, r.Position)
	}
	return p
}

// wrapFlow adds the flow's name to an error, keeping its chain (and so its
// domain code) intact.
func wrapFlow(flow string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", flow, err)
}
