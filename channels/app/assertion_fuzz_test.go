package app

import (
	"testing"
	"time"

	"github.com/interactionledger/ledger/domain"
)

// FuzzVerifyAssertion feeds the app's assertion parser arbitrary tokens:
// it never panics, never accepts a token another secret also accepts, and
// whatever it accepts names a real identity. The seeds run as part of the
// ordinary tests.
func FuzzVerifyAssertion(f *testing.F) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	secret, other := []byte("app-fuzz-secret-0123456789abcdef"), []byte("not-the-secret-0123456789abcdefg")
	const iss = "https://backend.example.com"
	v, err := NewVerifier(secret, iss, "")
	if err != nil {
		f.Fatal(err)
	}
	w, err := NewVerifier(other, iss, "")
	if err != nil {
		f.Fatal(err)
	}
	phone := domain.Identity{Kind: domain.IdentityPhone, Value: "+8613800000000"}
	sign := func(key []byte, issuer, aud string, id domain.Identity, exp time.Time) string {
		tok, err := SignAssertion(key, issuer, aud, id, now, exp)
		if err != nil {
			f.Fatal(err)
		}
		return tok
	}
	valid := sign(secret, iss, "", phone, now.Add(time.Minute))
	for _, seed := range []string{
		valid,
		sign(other, iss, "", phone, now.Add(time.Minute)),
		sign(secret, "someone-else", "", phone, now.Add(time.Minute)),
		sign(secret, iss, "elsewhere", phone, now.Add(time.Minute)),
		sign(secret, iss, "", phone, now.Add(-time.Minute)),
		sign(secret, iss, "", phone, now.Add(48*time.Hour)),
		sign(secret, iss, "", domain.Identity{Kind: "FAX", Value: "1"}, now.Add(time.Minute)),
		sign(secret, iss, "", domain.Identity{Kind: domain.IdentityEmail}, now.Add(time.Minute)),
		"", ".", "..", "a.b.c",
		"eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJraW5kIjoiUEhPTkUiLCJzdWIiOiIxIn0.",
		valid + "x", valid[:len(valid)/2],
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, token string) {
		id, err := v.Verify(token, now)
		if err != nil {
			return
		}
		if !id.Kind.Valid() || id.Value == "" {
			t.Fatalf("accepted %q asserting %+v", token, id)
		}
		if _, err := w.Verify(token, now); err == nil {
			t.Fatalf("%q verifies under two secrets", token)
		}
	})
}

func TestVerifyAssertionSeeds(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	secret := []byte("app-fuzz-secret-0123456789abcdef")
	v, _ := NewVerifier(secret, "iss", "")
	phone := domain.Identity{Kind: domain.IdentityPhone, Value: "+8613800000000"}
	tok, _ := SignAssertion(secret, "iss", "", phone, now, now.Add(time.Minute))
	if id, err := v.Verify(tok, now); err != nil || id != phone {
		t.Fatalf("valid assertion: %+v, %v", id, err)
	}
	for name, tok := range map[string]string{
		"expired":    mustSign(t, secret, "iss", "", phone, now.Add(-time.Hour), now.Add(-time.Minute)),
		"no kind":    mustSign(t, secret, "iss", "", domain.Identity{Value: "x"}, now, now.Add(time.Minute)),
		"too long":   mustSign(t, secret, "iss", "", phone, now, now.Add(MaxAssertionLifetime+time.Hour)),
		"wrong aud":  mustSign(t, secret, "iss", "x", phone, now, now.Add(time.Minute)),
		"wrong iss":  mustSign(t, secret, "x", "", phone, now, now.Add(time.Minute)),
		"not issued": mustSign(t, secret, "iss", "", phone, now.Add(time.Hour), now.Add(2*time.Hour)),
	} {
		if _, err := v.Verify(tok, now); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func mustSign(t *testing.T, secret []byte, iss, aud string, id domain.Identity, issued, exp time.Time) string {
	t.Helper()
	tok, err := SignAssertion(secret, iss, aud, id, issued, exp)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}
