package webchat

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/interactionledger/ledger/domain"
)

// MinVisitorKeyBytes is the shortest key VisitorDigest is computed with.
const MinVisitorKeyBytes = 32

// visitorDigestPrefix marks a digested visitor id. A client may well send
// a visitor id that looks like a digest: ids from clients are always
// digested, never taken as digests.
const visitorDigestPrefix = "vd-"

// VisitorDigest is what the ledger knows a visitor by: a keyed HMAC-SHA256
// of their visitor id, truncated to 128 bits, hex, after "vd-". The visitor
// id itself is the conversation's only credential (whoever holds it
// resumes the chat), so it is never stored, logged or shown: the device
// identity, message ids and idempotency keys all use the digest. The key
// keeps the digest from being recomputed from a guessed visitor id.
func VisitorDigest(key []byte, visitorID string) string {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte("webchat-visitor\x00"))
	mac.Write([]byte(visitorID))
	return visitorDigestPrefix + hex.EncodeToString(mac.Sum(nil)[:16])
}

// Device returns the DEVICE identity of the visitor with visitorID: its
// value is the digest (see VisitorDigest), never the id.
func (s *Server) Device(visitorID string) domain.Identity {
	return domain.Identity{Kind: domain.IdentityDevice, Value: VisitorDigest(s.cfg.VisitorKey, visitorID)}
}

// LoadOrCreateVisitorKey reads the hex visitor key at path, or creates the
// file with a new random 32-byte key (mode 0600, written to a temporary
// file and renamed into place, so a crash never leaves half a key). A key
// file that others than its owner may read is refused.
func LoadOrCreateVisitorKey(path string) ([]byte, error) {
	info, err := os.Stat(path)
	if err == nil {
		if info.Mode().Perm()&0o077 != 0 {
			return nil, fmt.Errorf("web chat visitor key %s is readable by others (mode %s): chmod 600 it", path, info.Mode().Perm())
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("read web chat visitor key: %w", err)
		}
		key, derr := hex.DecodeString(strings.TrimSpace(string(raw)))
		if derr != nil || len(key) < MinVisitorKeyBytes {
			return nil, fmt.Errorf("web chat visitor key %s is not %d+ hex bytes", path, MinVisitorKeyBytes)
		}
		return key, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("web chat visitor key: %w", err)
	}
	key := make([]byte, MinVisitorKeyBytes)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("generate web chat visitor key: %w", err)
	}
	if err := writeSecretFile(path, []byte(hex.EncodeToString(key)+"\n")); errors.Is(err, fs.ErrExist) {
		return LoadOrCreateVisitorKey(path) // another process made it first: use theirs
	} else if err != nil {
		return nil, fmt.Errorf("write web chat visitor key: %w", err)
	}
	return key, nil
}

// writeSecretFile writes data to path atomically with mode 0600, and
// never over an existing file (two processes creating the key at once:
// the second fails instead of replacing the first's key).
func writeSecretFile(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	// Link fails if path exists: the key is never replaced.
	return os.Link(tmp.Name(), path)
}
