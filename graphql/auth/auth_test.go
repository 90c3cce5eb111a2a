package auth

import (
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/interactionledger/ledger/graphql/apierror"
)

func TestVerifyToken(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	auth, err := NewAuthenticator(testSecret)
	must(t, err, "authenticator")
	auth.now = func() time.Time { return now }
	other, err := NewAuthenticator([]byte("another secret, long enough ....."))
	must(t, err, "authenticator")
	other.now = auth.now
	signed := func(method jwt.SigningMethod, key any, c jwt.MapClaims) string {
		tok, err := jwt.NewWithClaims(method, c).SignedString(key)
		must(t, err, "sign")
		return tok
	}
	claims := func(edit func(jwt.MapClaims)) jwt.MapClaims {
		c := jwt.MapClaims{"iss": issuer, "sub": "a-001", "role": "agent", "iat": now.Unix(), "exp": now.Add(time.Hour).Unix()}
		if edit != nil {
			edit(c)
		}
		return c
	}
	good, err := auth.Mint("a-001", RoleAgent, time.Hour)
	must(t, err, "mint")
	foreign, err := other.Mint("a-001", RoleAgent, time.Hour)
	must(t, err, "mint")
	for _, c := range []struct {
		name    string
		token   string
		problem string // "" for valid
	}{
		{"minted", good, ""},
		{"other secret", foreign, "signature"},
		{"expired", signed(jwt.SigningMethodHS256, testSecret, claims(func(c jwt.MapClaims) { c["exp"] = now.Add(-time.Minute).Unix() })), "expired"},
		{"within clock skew", signed(jwt.SigningMethodHS256, testSecret, claims(func(c jwt.MapClaims) { c["exp"] = now.Add(-10 * time.Second).Unix() })), ""},
		{"no expiry", signed(jwt.SigningMethodHS256, testSecret, claims(func(c jwt.MapClaims) { delete(c, "exp") })), "invalid"},
		{"not yet valid", signed(jwt.SigningMethodHS256, testSecret, claims(func(c jwt.MapClaims) { c["nbf"] = now.Add(time.Hour).Unix() })), "not valid yet"},
		{"other issuer", signed(jwt.SigningMethodHS256, testSecret, claims(func(c jwt.MapClaims) { c["iss"] = "someone" })), "invalid"},
		{"HS512", signed(jwt.SigningMethodHS512, testSecret, claims(nil)), "signature"},
		{"alg none", signed(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, claims(nil)), "signature"},
		{"unknown role", signed(jwt.SigningMethodHS256, testSecret, claims(func(c jwt.MapClaims) { c["role"] = "root" })), "role"},
		{"no subject", signed(jwt.SigningMethodHS256, testSecret, claims(func(c jwt.MapClaims) { delete(c, "sub") })), "subject"},
		{"garbage", "not-a-token", "malformed"},
	} {
		t.Run(c.name, func(t *testing.T) {
			v, err := auth.Verify(c.token)
			if c.problem == "" {
				if err != nil || v.Subject != "a-001" || v.Role != RoleAgent || v.Actor() != "agent:a-001" {
					t.Errorf("Verify = %+v, %v", v, err)
				}
				return
			}
			code, msg, _ := apierror.Classify(err)
			if code != apierror.CodeUnauthenticated || !strings.Contains(msg, c.problem) {
				t.Errorf("Verify error %v (code %s), want UNAUTHENTICATED mentioning %q", err, code, c.problem)
			}
		})
	}
}

func TestMintRefusesBadInput(t *testing.T) {
	auth, err := NewAuthenticator(testSecret)
	must(t, err, "authenticator")
	for _, c := range []struct {
		subject string
		role    Role
		ttl     time.Duration
	}{
		{"", RoleAgent, time.Hour},
		{"has space", RoleAgent, time.Hour},
		{strings.Repeat("x", 129), RoleAgent, time.Hour},
		{"a-1", "root", time.Hour},
		{"a-1", RoleAgent, 0},
		{"a-1", RoleAgent, MaxTokenTTL + time.Second},
	} {
		if _, err := auth.Mint(c.subject, c.role, c.ttl); err == nil {
			t.Errorf("Mint(%q, %q, %s) succeeded", c.subject, c.role, c.ttl)
		}
	}
	if _, err := NewAuthenticator([]byte("short")); err == nil {
		t.Error("a 5-byte secret was accepted")
	}
}

func TestBearerTokenAndRoles(t *testing.T) {
	for header, want := range map[string]string{
		"Bearer abc": "abc", "bearer  abc ": "abc", "Basic abc": "", "Bearer": "", "": "", "Bearer ": "",
	} {
		got, ok := BearerToken(header)
		if got != want || ok != (want != "") {
			t.Errorf("BearerToken(%q) = %q, %v", header, got, ok)
		}
	}
	for _, s := range []string{"agent", "SUPERVISOR", " Analyst ", "auditor", "admin"} {
		if _, err := ParseRole(s); err != nil {
			t.Errorf("ParseRole(%q): %v", s, err)
		}
	}
	if _, err := ParseRole("customer"); err == nil {
		t.Error("ParseRole accepted customer")
	}
}
