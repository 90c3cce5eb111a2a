package webchat

import (
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/interactionledger/ledger/domain"
)

// assertionLeeway tolerates clock differences with the site's backend.
const assertionLeeway = 30 * time.Second

// What an identity assertion must carry besides its identity: the site's
// backend issues it ("iss") for the ledger's web chat ("aud"), so a token
// the backend signs with the same secret for another purpose is not
// taken for one.
const (
	AssertionIssuer   = "interaction-ledger-site"
	AssertionAudience = "interaction-ledger-webchat"
)

// MinSecretBytes is the shortest assertion secret accepted: HS256 wants
// at least as many bits of key as the hash has.
const MinSecretBytes = 32

// ErrShortSecret refuses an assertion secret under MinSecretBytes.
var ErrShortSecret = fmt.Errorf("the web chat assertion secret must be at least %d bytes", MinSecretBytes)

// Claims are the claims of an identity assertion.
type Claims struct {
	Kind      domain.IdentityKind `json:"kind"`
	VisitorID string              `json:"vid"`
	Name      string              `json:"name,omitempty"`
	jwt.RegisteredClaims
}

// Assertion is a verified identity.
type Assertion struct {
	Identity domain.Identity
	Name     string
}

// ErrAssertion is wrapped by every refusal of an assertion.
var ErrAssertion = errors.New("identity assertion refused")

// VerifyAssertion checks an HS256 JWT issued by the site's backend for
// visitorID (iss AssertionIssuer, aud AssertionAudience) and returns the
// identity it asserts.
func VerifyAssertion(secret []byte, token, visitorID string, now time.Time) (Assertion, error) {
	if len(secret) < MinSecretBytes {
		return Assertion{}, fmt.Errorf("%w: %w", ErrAssertion, ErrShortSecret)
	}
	var c Claims
	_, err := jwt.ParseWithClaims(token, &c, func(*jwt.Token) (any, error) { return secret, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithExpirationRequired(),
		jwt.WithIssuer(AssertionIssuer),
		jwt.WithAudience(AssertionAudience),
		jwt.WithLeeway(assertionLeeway),
		jwt.WithTimeFunc(func() time.Time { return now }),
	)
	if err != nil {
		return Assertion{}, fmt.Errorf("%w: %w", ErrAssertion, err)
	}
	if c.VisitorID != visitorID {
		return Assertion{}, fmt.Errorf("%w: it was issued to another visitor", ErrAssertion)
	}
	if !c.Kind.Valid() || c.Kind == domain.IdentityDevice || c.Subject == "" {
		return Assertion{}, fmt.Errorf("%w: kind must be PHONE, EMAIL, ACCOUNT or WECHAT and sub the identity", ErrAssertion)
	}
	return Assertion{Identity: domain.Identity{Kind: c.Kind, Value: c.Subject}, Name: c.Name}, nil
}

// SignAssertion issues an assertion, as the site's backend would (tests
// and tools).
func SignAssertion(secret []byte, id domain.Identity, visitorID, name string, expires time.Time) (string, error) {
	c := Claims{Kind: id.Kind, VisitorID: visitorID, Name: name, RegisteredClaims: jwt.RegisteredClaims{
		Issuer: AssertionIssuer, Audience: jwt.ClaimStrings{AssertionAudience},
		Subject: id.Value, ExpiresAt: jwt.NewNumericDate(expires),
	}}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(secret)
}
