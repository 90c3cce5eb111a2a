package treehead

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
)

// Head is a tree head: the ledger's first Size events have root Root, as
// of Time.
type Head struct {
	Origin string
	Size   uint64
	Root   []byte
	Time   time.Time
}

// body is the head as a C2SP tlog checkpoint: origin, size, base64 root,
// then the time as an extension line.
func (h Head) body() string {
	return fmt.Sprintf("%s\n%d\n%s\n%s\n", h.Origin, h.Size, base64.StdEncoding.EncodeToString(h.Root), h.Time.UTC().Format(time.RFC3339Nano))
}

// Sign returns the head as a signed note (Ed25519).
func Sign(h Head, signer note.Signer) ([]byte, error) {
	return note.Sign(&note.Note{Text: h.body()}, signer)
}

// Open checks a signed head with verifier and returns it.
func Open(signed []byte, verifier note.Verifier) (Head, error) {
	n, err := note.Open(signed, note.VerifierList(verifier))
	if err != nil {
		return Head{}, fmt.Errorf("signed tree head: %w", err)
	}
	return parseBody(n.Text)
}

func parseBody(text string) (Head, error) {
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if len(lines) < 4 {
		return Head{}, fmt.Errorf("signed tree head: %d lines, want origin, size, root and time", len(lines))
	}
	size, err := strconv.ParseUint(lines[1], 10, 64)
	if err != nil {
		return Head{}, fmt.Errorf("signed tree head: size %q: %w", lines[1], err)
	}
	root, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(root) != 32 {
		return Head{}, fmt.Errorf("signed tree head: root %q is not 32 bytes of base64", lines[2])
	}
	at, err := time.Parse(time.RFC3339Nano, lines[3])
	if err != nil {
		return Head{}, fmt.Errorf("signed tree head: time %q: %w", lines[3], err)
	}
	return Head{Origin: lines[0], Size: size, Root: root, Time: at}, nil
}

// Key files in the data directory: the signing key (kept secret) and the
// verifier key (given to auditors).
const (
	SignerKeyFile   = "treehead.key"
	VerifierKeyFile = "treehead.pub"
)

// LoadOrCreateSigner returns the signer whose key is in dir, creating an
// Ed25519 key named origin when there is none.
func LoadOrCreateSigner(dir, origin string) (note.Signer, error) {
	path := filepath.Join(dir, SignerKeyFile)
	skey, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		skey, err = createKey(dir, origin)
	}
	if err != nil {
		return nil, fmt.Errorf("tree head key: %w", err)
	}
	signer, err := note.NewSigner(string(bytes.TrimSpace(skey)))
	if err != nil {
		return nil, fmt.Errorf("tree head key %s: %w", path, err)
	}
	return signer, nil
}

// createKey writes a new signing key and its verifier key. Of two
// processes creating one at once, one wins; the other reads its key.
func createKey(dir, origin string) ([]byte, error) {
	path := filepath.Join(dir, SignerKeyFile)
	skey, vkey, err := note.GenerateKey(rand.Reader, origin)
	if err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return os.ReadFile(path)
	}
	if err != nil {
		return nil, err
	}
	if _, err := f.Write([]byte(skey + "\n")); err != nil {
		_ = f.Close()
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	return []byte(skey), os.WriteFile(filepath.Join(dir, VerifierKeyFile), []byte(vkey+"\n"), 0o644)
}

// LoadVerifier reads a verifier key (the treehead.pub file's text).
func LoadVerifier(path string) (note.Verifier, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("tree head verifier key: %w", err)
	}
	return ParseVerifier(string(b))
}

// ParseVerifier parses a verifier key.
func ParseVerifier(key string) (note.Verifier, error) {
	v, err := note.NewVerifier(strings.TrimSpace(key))
	if err != nil {
		return nil, fmt.Errorf("tree head verifier key: %w", err)
	}
	return v, nil
}
