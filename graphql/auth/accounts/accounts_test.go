package accounts

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/interactionledger/ledger/graphql/auth"
)

func TestHashAndVerify(t *testing.T) {
	h, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("hash %q: want argon2id with the default parameters", h)
	}
	if ok, err := VerifyPassword("correct horse battery", h); !ok || err != nil {
		t.Errorf("the right password: %v %v", ok, err)
	}
	if ok, _ := VerifyPassword("correct horse batterY", h); ok {
		t.Error("a wrong password matched")
	}
	for _, bad := range []string{"", "plain", "$argon2i$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
		strings.Replace(h, "m=19456", "m=99999999", 1)} {
		if ok, err := VerifyPassword("x", bad); ok || err == nil {
			t.Errorf("hash %q: %v %v, want an error", bad, ok, err)
		}
	}
}

func TestGeneratePassword(t *testing.T) {
	seen := map[string]bool{}
	for range 50 {
		p, err := GeneratePassword()
		if err != nil || len(p) != 20 || ValidatePassword(p) != nil || strings.ContainsAny(p, "0O1lI") || seen[p] {
			t.Fatalf("generated %q (%v)", p, err)
		}
		seen[p] = true
	}
}

func TestStore(t *testing.T) {
	path := filepath.Join(t.TempDir(), File)
	s := Open(path)
	if list, err := s.List(); err != nil || len(list) != 0 {
		t.Fatalf("absent file: %v %v", list, err)
	}
	if err := s.Add(Account{Subject: "a-001", Role: auth.RoleAgent}, "short"); err == nil {
		t.Error("a 5-character password was accepted")
	}
	if err := s.Add(Account{Subject: "a b", Role: auth.RoleAgent}, "long enough password"); err == nil {
		t.Error("a subject with a space was accepted")
	}
	if err := s.Add(Account{Subject: "a-001", Role: auth.RoleAgent}, "long enough password"); err != nil {
		t.Fatal(err)
	}
	if err := s.Add(Account{Subject: "a-001", Role: auth.RoleAdmin}, "long enough password"); !errors.Is(err, ErrExists) {
		t.Errorf("adding twice: %v, want ErrExists", err)
	}
	if _, err := s.Authenticate("a-001", "long enough password"); err != nil {
		t.Error(err)
	}
	if _, err := s.Authenticate("a-002", "long enough password"); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("unknown subject: %v", err)
	}
	if err := s.SetDisabled("a-001", true); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate("a-001", "long enough password"); !errors.Is(err, ErrDisabled) {
		t.Errorf("disabled: %v", err)
	}
	if _, err := s.Authenticate("a-001", "wrong password!"); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("disabled, wrong password: %v, want ErrBadCredentials (disabled is said only to the password's holder)", err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := s.List(); !errors.Is(err, ErrFileMode) {
		t.Errorf("a world-readable file: %v, want ErrFileMode", err)
	}
}
