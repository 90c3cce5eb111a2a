package sip

import (
	"bufio"
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"
)

// CredentialsFileName is the agents' SIP credentials file in the data
// directory, unless --sip-credentials names another.
const CredentialsFileName = "sip-credentials"

// maxCredentialsBytes bounds the credentials file: a few hundred thousand
// agents fit, a file grown by mistake is refused instead of read.
const maxCredentialsBytes = 32 << 20

// Credential is one agent's SIP digest credential: the agent id (the SIP
// user name), the realm and HA1 = hex(MD5(agent:realm:password)). The
// password itself is never stored.
type Credential struct {
	AgentID string
	Realm   string
	HA1     string
}

// HA1 returns hex(MD5(user:realm:password)), the digest secret RFC 2617
// lets a server keep instead of the password.
func HA1(user, realm, password string) string {
	sum := md5.Sum([]byte(user + ":" + realm + ":" + password))
	return hex.EncodeToString(sum[:])
}

// ParseCredentials reads credentials in Apache's htdigest format: one
// "agent:realm:ha1" per line; blank lines and lines starting with # are
// ignored. A malformed line is an error naming its number, so a typo is
// not silently an agent who cannot log in.
func ParseCredentials(r io.Reader) ([]Credential, error) {
	var out []Credential
	seen := map[[2]string]bool{}
	sc := bufio.NewScanner(io.LimitReader(r, maxCredentialsBytes+1))
	sc.Buffer(make([]byte, 0, 4096), 64<<10)
	read := 0
	for n := 1; sc.Scan(); n++ {
		read += len(sc.Bytes()) + 1
		if read > maxCredentialsBytes {
			return nil, fmt.Errorf("credentials: more than %d bytes", maxCredentialsBytes)
		}
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		c, err := parseCredentialLine(line)
		if err != nil {
			return nil, fmt.Errorf("credentials line %d: %w", n, err)
		}
		key := [2]string{c.AgentID, c.Realm}
		if seen[key] {
			return nil, fmt.Errorf("credentials line %d: agent %q appears twice in realm %q", n, c.AgentID, c.Realm)
		}
		seen[key] = true
		out = append(out, c)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("credentials: %w", err)
	}
	return out, nil
}

func parseCredentialLine(line string) (Credential, error) {
	parts := strings.Split(line, ":")
	if len(parts) != 3 {
		return Credential{}, errors.New(`want "agent:realm:ha1"`)
	}
	c := Credential{AgentID: parts[0], Realm: parts[1], HA1: strings.ToLower(parts[2])}
	if err := ValidAgentID(c.AgentID); err != nil {
		return Credential{}, err
	}
	if err := validRealm(c.Realm); err != nil {
		return Credential{}, err
	}
	if len(c.HA1) != 32 {
		return Credential{}, fmt.Errorf("ha1 of %q is %d characters, want 32 hex digits", c.AgentID, len(c.HA1))
	}
	if _, err := hex.DecodeString(c.HA1); err != nil {
		return Credential{}, fmt.Errorf("ha1 of %q is not hex", c.AgentID)
	}
	return c, nil
}

// ValidAgentID reports whether id can be a SIP user name and an agent id
// in the ledger: 1 to 128 printable characters without white space, ':',
// '@', ';', '?', '<', '>', ',' or quotes (they delimit SIP URIs and the
// credentials file).
func ValidAgentID(id string) error {
	if id == "" {
		return errors.New("agent id is empty")
	}
	if len(id) > 128 || !utf8.ValidString(id) {
		return fmt.Errorf("agent id %q is longer than 128 bytes or not UTF-8", id)
	}
	for _, r := range id {
		if !unicode.IsPrint(r) || unicode.IsSpace(r) || strings.ContainsRune(`:@;?<>,"'\%/`, r) {
			return fmt.Errorf("agent id %q contains %q", id, r)
		}
	}
	return nil
}

func validRealm(realm string) error {
	if realm == "" || len(realm) > 128 || !utf8.ValidString(realm) {
		return fmt.Errorf("realm %q must be 1 to 128 bytes of UTF-8", realm)
	}
	for _, r := range realm {
		if !unicode.IsPrint(r) || r == ':' || r == '"' || r == '\\' {
			return fmt.Errorf("realm %q contains %q", realm, r)
		}
	}
	return nil
}

// FormatCredentials renders credentials in the htdigest format
// ParseCredentials reads, sorted by realm then agent.
func FormatCredentials(creds []Credential) []byte {
	sorted := slices.Clone(creds)
	slices.SortFunc(sorted, func(a, b Credential) int {
		return strings.Compare(a.Realm+"\x00"+a.AgentID, b.Realm+"\x00"+b.AgentID)
	})
	var b bytes.Buffer
	b.WriteString("# Interaction Ledger: agents' SIP digest credentials (htdigest format: agent:realm:ha1).\n")
	b.WriteString("# Managed by `ledger sip-credentials`; HA1 = md5(agent:realm:password), never the password.\n")
	for _, c := range sorted {
		fmt.Fprintf(&b, "%s:%s:%s\n", c.AgentID, c.Realm, c.HA1)
	}
	return b.Bytes()
}

// ReadCredentialsFile reads the credentials file at path; a missing file
// holds no credentials.
func ReadCredentialsFile(path string) ([]Credential, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("open credentials: %w", err)
	}
	defer f.Close()
	creds, err := ParseCredentials(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return creds, nil
}

// WriteCredentialsFile replaces the credentials file at path atomically
// (a temporary file renamed over it), readable by its owner only: a
// running server never reads half a file.
func WriteCredentialsFile(path string, creds []Credential) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("credentials directory: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".sip-credentials-*")
	if err != nil {
		return fmt.Errorf("write credentials: %w", err)
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("write credentials: %w", err)
	}
	if _, err := tmp.Write(FormatCredentials(creds)); err != nil {
		tmp.Close()
		return fmt.Errorf("write credentials: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("write credentials: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write credentials: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write credentials: %w", err)
	}
	return nil
}

// CredentialStore serves HA1 lookups from the credentials file and
// re-reads it when it changes, so `ledger sip-credentials set` takes effect
// on a running server at the agent's next REGISTER.
type CredentialStore struct {
	path string

	mu      sync.Mutex
	modTime time.Time
	size    int64
	loaded  bool
	byKey   map[[2]string]string // (agent, realm) -> HA1
}

// NewCredentialStore returns a store reading path; the file may not exist
// yet.
func NewCredentialStore(path string) *CredentialStore {
	return &CredentialStore{path: path}
}

// Path returns the credentials file the store reads.
func (s *CredentialStore) Path() string { return s.path }

// Lookup returns the HA1 of agent in realm.
func (s *CredentialStore) Lookup(agent, realm string) (string, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.refresh(); err != nil {
		return "", false, err
	}
	ha1, ok := s.byKey[[2]string{agent, realm}]
	return ha1, ok, nil
}

// Has reports whether agent has a credential in realm.
func (s *CredentialStore) Has(agent, realm string) bool {
	_, ok, err := s.Lookup(agent, realm)
	return ok && err == nil
}

// refresh re-reads the file when its size or modification time changed.
// A file that turned unreadable keeps the last good credentials and
// reports the error.
func (s *CredentialStore) refresh() error {
	fi, err := os.Stat(s.path)
	if errors.Is(err, os.ErrNotExist) {
		s.byKey, s.loaded, s.modTime, s.size = map[[2]string]string{}, true, time.Time{}, 0
		return nil
	}
	if err != nil {
		return fmt.Errorf("credentials: %w", err)
	}
	if s.loaded && fi.ModTime().Equal(s.modTime) && fi.Size() == s.size {
		return nil
	}
	creds, err := ReadCredentialsFile(s.path)
	if err != nil {
		return err
	}
	byKey := make(map[[2]string]string, len(creds))
	for _, c := range creds {
		byKey[[2]string{c.AgentID, c.Realm}] = c.HA1
	}
	s.byKey, s.loaded, s.modTime, s.size = byKey, true, fi.ModTime(), fi.Size()
	return nil
}
