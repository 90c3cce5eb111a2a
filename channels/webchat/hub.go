package webchat

import "sync"

// hub knows the live sessions of each conversation, so a reply reaches
// every tab the customer has open.
type hub struct {
	mu       sync.RWMutex
	sessions map[string]map[*session]struct{} // by conversation key
	count    int
}

func newHub() *hub { return &hub{sessions: map[string]map[*session]struct{}{}} }

func (h *hub) add(s *session) {
	h.mu.Lock()
	defer h.mu.Unlock()
	set := h.sessions[s.key]
	if set == nil {
		set = map[*session]struct{}{}
		h.sessions[s.key] = set
	}
	set[s] = struct{}{}
	h.count++
}

func (h *hub) remove(s *session) {
	h.mu.Lock()
	defer h.mu.Unlock()
	set := h.sessions[s.key]
	if _, ok := set[s]; !ok {
		return
	}
	delete(set, s)
	if len(set) == 0 {
		delete(h.sessions, s.key)
	}
	h.count--
}

// offer hands a frame to every live session of the conversation but
// except, without waiting for any of them; it returns how many took it.
func (h *hub) offer(key string, frame []byte, pos uint64, except *session) int {
	h.mu.RLock()
	targets := make([]*session, 0, len(h.sessions[key]))
	for s := range h.sessions[key] {
		if s != except {
			targets = append(targets, s)
		}
	}
	h.mu.RUnlock()
	n := 0
	for _, s := range targets {
		if s.offer(frame, pos) {
			n++
		}
	}
	return n
}

// all returns every live session.
func (h *hub) all() []*session {
	h.mu.RLock()
	defer h.mu.RUnlock()
	out := make([]*session, 0, h.count)
	for _, set := range h.sessions {
		for s := range set {
			out = append(out, s)
		}
	}
	return out
}

func (h *hub) size() int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return h.count
}
