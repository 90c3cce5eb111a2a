package auth

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/interactionledger/ledger/graphql/apierror"
)

// TestTokenLifetimePerRole: a token may live at most its role's limit,
// when minted and when used.
func TestTokenLifetimePerRole(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	a, err := NewAuthenticator(testSecret)
	must(t, err, "authenticator")
	a.now = func() time.Time { return now }
	for role, limit := range map[Role]time.Duration{
		RoleAgent: 12 * time.Hour, RoleSupervisor: 12 * time.Hour,
		RoleAnalyst: 8 * time.Hour, RoleAuditor: 8 * time.Hour, RoleAdmin: time.Hour,
	} {
		if _, err := a.Mint("u-1", role, limit); err != nil {
			t.Errorf("%s for %s: %v", role, limit, err)
		}
		if _, err := a.Mint("u-1", role, limit+time.Second); err == nil {
			t.Errorf("%s for %s was minted, over its limit %s", role, limit+time.Second, limit)
		}
		// A token minted elsewhere (or before the limits) for longer is
		// refused when used.
		long, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"iss": issuer, "sub": "u-1", "role": string(role),
			"iat": now.Unix(), "exp": now.Add(limit + time.Minute).Unix()}).SignedString(testSecret)
		must(t, err, "sign")
		if _, err := a.Verify(long); err == nil {
			t.Errorf("a %s token living %s was accepted", role, limit+time.Minute)
		}
	}
	if _, err := a.Mint("u-1", RoleAgent, 30*24*time.Hour); err == nil {
		t.Error("a 30-day token was minted")
	}
}

// TestRevocation: revoking a subject refuses its tokens minted up to
// then, in this process and in another one reading the same file, and
// leaves other subjects and later tokens alone.
func TestRevocation(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	path := filepath.Join(t.TempDir(), RevocationsFile)
	newAuth := func() *Authenticator {
		a, err := NewAuthenticator(testSecret)
		must(t, err, "authenticator")
		a.now = func() time.Time { return now }
		r, err := OpenRevocations(path)
		must(t, err, "open revocations")
		a.UseRevocations(r)
		return a
	}
	server, cli := newAuth(), newAuth() // two processes
	old, err := server.Mint("a-001", RoleAgent, time.Hour)
	must(t, err, "mint")
	other, err := server.Mint("a-002", RoleAgent, time.Hour)
	must(t, err, "mint")
	v, err := server.Verify(old)
	must(t, err, "verify before revocation")

	now = now.Add(time.Minute)
	must(t, cli.Revoke("a-001"), "revoke")
	_, err = server.Verify(old)
	if code, msg, _ := apierror.Classify(err); code != apierror.CodeUnauthenticated || msg == "" {
		t.Errorf("a revoked token: %v, want UNAUTHENTICATED", err)
	}
	if err := server.Recheck(v); err == nil {
		t.Error("Recheck passed a viewer whose subject was revoked")
	}
	if _, err := server.Verify(other); err != nil {
		t.Errorf("another subject's token: %v", err)
	}
	now = now.Add(time.Second)
	fresh, err := server.Mint("a-001", RoleAgent, time.Hour)
	must(t, err, "mint after revocation")
	if _, err := server.Verify(fresh); err != nil {
		t.Errorf("a token minted after the revocation: %v", err)
	}
	info, err := os.Stat(path)
	must(t, err, "stat")
	if info.Mode().Perm() != 0o600 {
		t.Errorf("revocation file mode %v, want 0600", info.Mode().Perm())
	}
	// A revocation list that cannot be read refuses every token.
	must(t, os.WriteFile(path, []byte("{not json"), 0o600), "corrupt")
	if _, err := server.Verify(fresh); err == nil {
		t.Error("a token was accepted while the revocation list could not be read")
	}
	if err := cli.Revoke("bad subject"); err == nil {
		t.Error("a subject with a space was revoked")
	}
}

// TestSecretFileModeRefused: a JWT secret file its group or others can
// read is refused, not merely warned about.
func TestSecretFileModeRefused(t *testing.T) {
	for _, mode := range []os.FileMode{0o640, 0o604, 0o644, 0o660} {
		path := filepath.Join(t.TempDir(), SecretFile)
		must(t, os.WriteFile(path, []byte("0123456789abcdef0123456789abcdef\n"), 0o600), "write")
		must(t, os.Chmod(path, mode), "chmod")
		if _, err := LoadOrCreateSecret(path); !errors.Is(err, ErrSecretFileMode) {
			t.Errorf("mode %v: %v, want ErrSecretFileMode", mode, err)
		}
	}
	path := filepath.Join(t.TempDir(), SecretFile)
	must(t, os.WriteFile(path, []byte("0123456789abcdef0123456789abcdef\n"), 0o400), "write")
	if _, err := LoadOrCreateSecret(path); err != nil {
		t.Errorf("mode 0400: %v", err)
	}
}
