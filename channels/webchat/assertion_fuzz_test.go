package webchat

import (
	"testing"
	"time"

	"github.com/interactionledger/ledger/domain"
)

// FuzzVerifyAssertion feeds the identity assertion parser arbitrary
// tokens: it never panics, never accepts a token signed with another
// secret, and whatever it accepts names a real identity.
func FuzzVerifyAssertion(f *testing.F) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	secret, other := []byte("the site backend's secret, 32+ bytes"), []byte("not the secret, though also long")
	const visitor = "v-fuzz-0000000000001"
	valid, err := SignAssertion(secret, domain.Identity{Kind: domain.IdentityPhone, Value: "+8613800000000"}, visitor, "李伟", now.Add(time.Minute))
	if err != nil {
		f.Fatal(err)
	}
	forged, err := SignAssertion(other, domain.Identity{Kind: domain.IdentityEmail, Value: "a@example.com"}, visitor, "", now.Add(time.Minute))
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []string{
		valid, forged, "", ".", "..", "a.b.c",
		"eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJraW5kIjoiUEhPTkUiLCJzdWIiOiIxIiwidmlkIjoidiJ9.",
		valid + "x", valid[:len(valid)/2],
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, token string) {
		a, err := VerifyAssertion(secret, token, visitor, now)
		if err != nil {
			return
		}
		if !a.Identity.Kind.Valid() || a.Identity.Kind == domain.IdentityDevice || a.Identity.Value == "" {
			t.Fatalf("accepted %q asserting %+v", token, a.Identity)
		}
		if _, err := VerifyAssertion(other, token, visitor, now); err == nil {
			t.Fatalf("%q verifies under two secrets", token)
		}
	})
}
