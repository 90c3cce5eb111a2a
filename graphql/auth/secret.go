package auth

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"

	"github.com/interactionledger/ledger/internal/atomicfile"
)

// ErrSecretFileMode is the refusal of a secret file that its group or
// others may read or write.
var ErrSecretFileMode = errors.New("the JWT secret file is open to its group or others")

// SecretFile is the name of the generated signing secret in the data
// directory.
const SecretFile = "jwt-secret"

// LoadOrCreateSecret returns the signing secret kept in path, creating it
// first (32 random bytes, hex-encoded, mode 0600) when the file does not
// exist. The file is written under a temporary name and linked into place,
// so two processes starting at once agree on one secret and neither ever
// reads a half-written file.
func LoadOrCreateSecret(path string) ([]byte, error) {
	secret, err := readSecret(path)
	if !errors.Is(err, os.ErrNotExist) {
		return secret, err
	}
	if err := createSecret(path); err != nil && !errors.Is(err, os.ErrExist) {
		return nil, err
	}
	return readSecret(path)
}

func readSecret(path string) ([]byte, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("jwt secret: %w", err)
	}
	if info.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("%w: %s has mode %s; chmod 600 it", ErrSecretFileMode, path, info.Mode().Perm())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("jwt secret: %w", err)
	}
	secret := bytes.TrimSpace(b)
	if len(secret) < MinSecretBytes {
		return nil, fmt.Errorf("jwt secret %s holds %d bytes, want at least %d", path, len(secret), MinSecretBytes)
	}
	return secret, nil
}

func createSecret(path string) error {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return fmt.Errorf("jwt secret: random: %w", err)
	}
	// Create fails with ErrExist if another process created its secret
	// first; then both use that one.
	if err := atomicfile.Create(path, []byte(hex.EncodeToString(raw)+"\n"), 0o600); err != nil {
		return fmt.Errorf("jwt secret: %w", err)
	}
	return nil
}
