package analytics

import (
	"bytes"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// TestLoadOrCreateKeyOnce: processes creating the pseudonymisation key at
// once all end up with the one key on disk (never one each, which would
// make their customer keys disagree), and the file is 0600.
func TestLoadOrCreateKeyOnce(t *testing.T) {
	for round := range 20 {
		path := filepath.Join(t.TempDir(), "analytics.key")
		const n = 8
		keys := make([][]byte, n)
		var start, wg sync.WaitGroup
		start.Add(1)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				start.Wait()
				k, err := LoadOrCreateKey(path)
				if err != nil {
					t.Error(err)
				}
				keys[i] = k
			}()
		}
		start.Done()
		wg.Wait()
		onDisk, err := LoadOrCreateKey(path)
		if err != nil {
			t.Fatal(err)
		}
		for i, k := range keys {
			if !bytes.Equal(k, onDisk) {
				t.Fatalf("round %d: caller %d got a key other than the one on disk", round, i)
			}
		}
		info, err := os.Stat(path)
		if err != nil || info.Mode().Perm() != 0o600 {
			t.Fatalf("key file: %v, %v", info, err)
		}
		entries, _ := os.ReadDir(filepath.Dir(path))
		if len(entries) != 1 {
			t.Fatalf("round %d: files left beside the key: %v", round, entries)
		}
	}
}
