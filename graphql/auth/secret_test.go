package auth

import (
	"bytes"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

func TestLoadOrCreateSecret(t *testing.T) {
	path := filepath.Join(t.TempDir(), SecretFile)
	first, err := LoadOrCreateSecret(path)
	must(t, err, "create")
	if len(first) < MinSecretBytes {
		t.Fatalf("secret of %d bytes", len(first))
	}
	info, err := os.Stat(path)
	must(t, err, "stat")
	if info.Mode().Perm() != 0o600 {
		t.Errorf("secret file mode %v, want 0600", info.Mode().Perm())
	}
	again, err := LoadOrCreateSecret(path)
	must(t, err, "reload")
	if !bytes.Equal(first, again) {
		t.Error("the secret changed on the second load")
	}
	short := filepath.Join(t.TempDir(), SecretFile)
	must(t, os.WriteFile(short, []byte("tiny\n"), 0o600), "write")
	if _, err := LoadOrCreateSecret(short); err == nil {
		t.Error("a short secret file was accepted")
	}
}

// TestLoadOrCreateSecretRace starts several first uses at once: all must
// end up with one secret.
func TestLoadOrCreateSecretRace(t *testing.T) {
	path := filepath.Join(t.TempDir(), SecretFile)
	const n = 8
	secrets := make([][]byte, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := LoadOrCreateSecret(path)
			if err != nil {
				t.Error(err)
			}
			secrets[i] = s
		}()
	}
	wg.Wait()
	for i := 1; i < n; i++ {
		if !bytes.Equal(secrets[i], secrets[0]) {
			t.Fatalf("process %d got another secret", i)
		}
	}
}
