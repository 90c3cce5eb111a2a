package webchat

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/interactionledger/ledger/domain"
)

func TestParseClientFrame(t *testing.T) {
	cases := []struct {
		name   string
		frame  string
		want   string // type
		errHas string
	}{
		{"hello", `{"type":"hello","visitorId":"v-0123456789abcdef"}`, "hello", ""},
		{"hello with name and assertion", `{"type":"hello","visitorId":"0123456789abcdef","name":"李雷","identity":"a.b.c"}`, "hello", ""},
		{"message", `{"type":"message","id":"c-1","text":"hi","sentAt":"2026-01-02T03:04:05Z"}`, "message", ""},
		{"ping", `{"type":"ping"}`, "ping", ""},
		{"unknown fields are ignored", `{"type":"ping","v":2}`, "ping", ""},
		{"no type", `{"id":"c-1"}`, "", "no type"},
		{"unknown type", `{"type":"typing"}`, "", "unknown frame type"},
		{"short visitor", `{"type":"hello","visitorId":"v-1"}`, "", "visitorId must be"},
		{"visitor with a slash", `{"type":"hello","visitorId":"v-0123456789abcdef/"}`, "", "only letters"},
		{"huge assertion", `{"type":"hello","visitorId":"v-0123456789abcdef","identity":"` + strings.Repeat("a", 5000) + `"}`, "", "assertion is longer"},
		{"message without id", `{"type":"message","text":"hi"}`, "", "needs an id"},
		{"message id with a space", `{"type":"message","id":"c 1","text":"hi"}`, "", "contains"},
		{"empty message", `{"type":"message","id":"c-1","text":"\n"}`, "", "empty"},
		{"bad time", `{"type":"message","id":"c-1","text":"hi","sentAt":"now"}`, "", "not a JSON object"},
		{"two objects", `{"type":"ping"}{"type":"ping"}`, "", "more than one"},
		{"not UTF-8", "{\"type\":\"message\",\"id\":\"c\",\"text\":\"\xff\"}", "", "not valid UTF-8"},
		{"array", `[]`, "", "not a JSON object"},
	}
	for _, tc := range cases {
		f, err := ParseClientFrame([]byte(tc.frame))
		if tc.errHas != "" {
			if err == nil || !strings.Contains(err.Error(), tc.errHas) || domain.ErrorCode(err) != domain.EINVALID {
				t.Errorf("%s: err = %v, want EINVALID mentioning %q", tc.name, err, tc.errHas)
			}
			continue
		}
		if err != nil || f.Type != tc.want {
			t.Errorf("%s: %+v, %v", tc.name, f, err)
		}
	}
}

// FuzzParseClientFrame feeds arbitrary frames to the parser: it never
// panics, and what it accepts is a known type with valid fields. The seeds
// run as part of the ordinary tests.
func FuzzParseClientFrame(f *testing.F) {
	for _, seed := range []string{
		`{"type":"hello","visitorId":"v-0123456789abcdef","identity":"x.y.z","name":"n"}`,
		`{"type":"message","id":"c-1","text":"你好","sentAt":"2026-01-02T03:04:05+08:00"}`,
		`{"type":"ping"}`,
		`{"type":"message","id":"\u0000","text":"\ud800"}`,
		`{"type":null}`,
		`{"type":"hello","visitorId":` + strings.Repeat("[", 50),
		``,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fr, err := ParseClientFrame(data)
		if err != nil {
			if domain.ErrorCode(err) != domain.EINVALID {
				t.Fatalf("error %v is not EINVALID", err)
			}
			return
		}
		switch fr.Type {
		case frameHello:
			if fr.validateHello() != nil {
				t.Fatalf("accepted %+v", fr)
			}
		case frameMessage:
			if fr.validateMessage() != nil || strings.TrimSpace(fr.Text) == "" {
				t.Fatalf("accepted %+v", fr)
			}
		case framePing:
		default:
			t.Fatalf("accepted type %q", fr.Type)
		}
	})
}

func TestVerifyAssertion(t *testing.T) {
	secret := []byte("a site backend secret of 32 bytes")
	now := time.Unix(1767312000, 0)
	account := domain.Identity{Kind: domain.IdentityAccount, Value: "u-42"}
	good, err := SignAssertion(secret, account, "v1", "Li", now.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	a, err := VerifyAssertion(secret, good, "v1", now)
	if err != nil || a.Identity != account || a.Name != "Li" {
		t.Fatalf("VerifyAssertion = %+v, %v", a, err)
	}
	sign := func(method jwt.SigningMethod, key any, claims jwt.Claims) string {
		tok, err := jwt.NewWithClaims(method, claims).SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	claims := func(kind domain.IdentityKind, sub string, exp *jwt.NumericDate) Claims {
		return Claims{Kind: kind, VisitorID: "v1", RegisteredClaims: jwt.RegisteredClaims{Subject: sub, ExpiresAt: exp,
			Issuer: AssertionIssuer, Audience: jwt.ClaimStrings{AssertionAudience}}}
	}
	withIssAud := func(iss string, aud ...string) Claims {
		c := claims(domain.IdentityAccount, "u-42", jwt.NewNumericDate(now.Add(time.Minute)))
		c.Issuer, c.Audience = iss, aud
		return c
	}
	soon := jwt.NewNumericDate(now.Add(time.Minute))
	header, payload, _ := strings.Cut(good, ".")
	payload, _, _ = strings.Cut(payload, ".")
	unsigned := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + payload + "."
	cases := []struct {
		name, token string
	}{
		{"another secret", sign(jwt.SigningMethodHS256, []byte("another secret, also of 32 bytes"), claims(domain.IdentityAccount, "u-42", soon))},
		{"no issuer", sign(jwt.SigningMethodHS256, secret, withIssAud("", AssertionAudience))},
		{"another issuer", sign(jwt.SigningMethodHS256, secret, withIssAud("another-site", AssertionAudience))},
		{"no audience", sign(jwt.SigningMethodHS256, secret, withIssAud(AssertionIssuer))},
		{"another audience", sign(jwt.SigningMethodHS256, secret, withIssAud(AssertionIssuer, "some-other-service"))},
		{"alg none", unsigned},
		{"HS512 is not HS256", sign(jwt.SigningMethodHS512, secret, claims(domain.IdentityAccount, "u-42", soon))},
		{"no expiry", sign(jwt.SigningMethodHS256, secret, claims(domain.IdentityAccount, "u-42", nil))},
		{"expired", sign(jwt.SigningMethodHS256, secret, claims(domain.IdentityAccount, "u-42", jwt.NewNumericDate(now.Add(-time.Minute))))},
		{"device kind", sign(jwt.SigningMethodHS256, secret, claims(domain.IdentityDevice, "d", soon))},
		{"no subject", sign(jwt.SigningMethodHS256, secret, claims(domain.IdentityAccount, "", soon))},
		{"tampered payload", header + "." + base64.RawURLEncoding.EncodeToString([]byte(`{"kind":"ACCOUNT","sub":"admin","vid":"v1","exp":1999999999}`)) + "." + strings.Split(good, ".")[2]},
	}
	for _, tc := range cases {
		if a, err := VerifyAssertion(secret, tc.token, "v1", now); err == nil {
			t.Errorf("%s: accepted as %+v", tc.name, a)
		}
	}
	if _, err := VerifyAssertion(secret, good, "v2", now); err == nil {
		t.Error("an assertion for v1 was accepted for v2")
	}
	short := []byte("s")
	shortGood, _ := SignAssertion(short, account, "v1", "Li", now.Add(time.Minute))
	if _, err := VerifyAssertion(short, shortGood, "v1", now); !errors.Is(err, ErrShortSecret) {
		t.Errorf("a 1-byte secret: %v, want ErrShortSecret", err)
	}
	if _, err := NewServer(Config{Secret: "short"}); !errors.Is(err, ErrShortSecret) {
		t.Errorf("NewServer with a short secret: %v, want ErrShortSecret", err)
	}
}
