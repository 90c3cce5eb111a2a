package analytics

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"sync"

	"github.com/interactionledger/ledger/internal/atomicfile"
)

// pseudonymizer turns customer ids into customer keys: a keyed hash
// (HMAC-SHA-256, 63 bits), so the analytics store can count and join
// customers but cannot, without the key kept beside the ledger, be joined
// back to the ledger's customers and their personal data.
type pseudonymizer struct {
	secret []byte
	mu     sync.Mutex
	cache  map[string]int64
}

func newPseudonymizer(key []byte) *pseudonymizer {
	return &pseudonymizer{secret: key, cache: map[string]int64{}}
}

// key returns the customer key of id (0 for no customer).
func (p *pseudonymizer) key(id string) int64 {
	if id == "" {
		return 0
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if k, ok := p.cache[id]; ok {
		return k
	}
	mac := hmac.New(sha256.New, p.secret)
	mac.Write([]byte(id))
	k := int64(binary.BigEndian.Uint64(mac.Sum(nil)[:8]) >> 1)
	if len(p.cache) > 1<<20 {
		clear(p.cache)
	}
	p.cache[id] = k
	return k
}

// LoadOrCreateKey reads the pseudonymisation key from path, creating a
// random one (mode 0600) when the file does not exist. Losing the key
// changes every customer key: the analytics store must then be rebuilt.
func LoadOrCreateKey(path string) ([]byte, error) {
	raw, err := os.ReadFile(path)
	if err == nil {
		key, derr := hex.DecodeString(strings.TrimSpace(string(raw)))
		if derr != nil || len(key) < 16 {
			return nil, fmt.Errorf("pseudonymisation key %s is not 16+ hex bytes", path)
		}
		return key, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read pseudonymisation key: %w", err)
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("generate pseudonymisation key: %w", err)
	}
	// Written whole, mode 0600 from its first byte; if another process
	// created the key first, both use that one.
	err = atomicfile.Create(path, []byte(hex.EncodeToString(key)+"\n"), 0o600)
	if errors.Is(err, fs.ErrExist) {
		return LoadOrCreateKey(path)
	}
	if err != nil {
		return nil, fmt.Errorf("write pseudonymisation key: %w", err)
	}
	return key, nil
}
