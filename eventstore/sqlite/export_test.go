package sqlite

import (
	"bytes"
	"sync"
)

// SyncBuffer is a bytes.Buffer safe for the logger's concurrent writes,
// for the tests of both this package and sqlite_test.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// BulkReadMin is the page size from which ReadAll reads in bulk.
const BulkReadMin = bulkReadMin
