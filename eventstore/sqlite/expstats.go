package sqlite

import (
	"fmt"
	"sync"
	"time"
)

type stats struct {
	mu                     sync.Mutex
	batches, reqs          int
	decide, insert, commit time.Duration
}

var expStats *stats

func (s *stats) add(n int, d, i, c time.Duration) {
	if s == nil {
		return
	}
	s.mu.Lock()
	s.batches++
	s.reqs += n
	s.decide += d
	s.insert += i
	s.commit += c
	s.mu.Unlock()
}

func (s *stats) String() string {
	return fmt.Sprintf("batches=%d avg=%.1f decide=%v insert=%v commit=%v", s.batches, float64(s.reqs)/float64(s.batches), s.decide, s.insert, s.commit)
}
