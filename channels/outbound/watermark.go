package outbound

import "sync"

// watermark is how far the dispatcher may checkpoint: every position up to
// it was read and, if it held a reply to deliver, that reply is settled.
// Replies settle out of order (lanes run concurrently), so it is the
// position before the oldest one still open.
type watermark struct {
	mu   sync.Mutex
	read uint64              // last position read from the feed
	open map[uint64]struct{} // replies handed to a lane, not yet settled
}

func newWatermark(start uint64) *watermark {
	return &watermark{read: start, open: map[uint64]struct{}{}}
}

// begin marks pos as a reply being delivered; call before advance(pos).
func (w *watermark) begin(pos uint64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.open[pos] = struct{}{}
}

// settle marks the reply at pos as delivered or given up.
func (w *watermark) settle(pos uint64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	delete(w.open, pos)
}

// advance records that every event up to pos was read.
func (w *watermark) advance(pos uint64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.read = max(w.read, pos)
}

// position is the checkpoint: the last position before which nothing is
// left to do.
func (w *watermark) position() uint64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	low := w.read
	for pos := range w.open {
		low = min(low, pos-1)
	}
	return low
}
