package app

import (
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/interactionledger/ledger/domain"
)

// MinSecretBytes is the shortest secret the app channel accepts: for the
// assertion secret, the server key and the push secret alike.
const MinSecretBytes = 32

// MaxAssertionLifetime bounds how far in the future an assertion's exp may
// lie: a stolen assertion is good for a day at most.
const MaxAssertionLifetime = 24 * time.Hour

// assertionLeeway tolerates clock differences with the company's backend.
const assertionLeeway = 30 * time.Second

// DefaultAudience is the aud claim assertions carry unless configured
// otherwise.
const DefaultAudience = "interaction-ledger/app"

// AssertionClaims are the claims of an app identity assertion: an HS256
// JWT the company's backend issues to a logged-in app user, naming the
// identity (kind and sub) it vouches for.
type AssertionClaims struct {
	Kind domain.IdentityKind `json:"kind"`
	jwt.RegisteredClaims
}

// Verifier checks identity assertions.
type Verifier struct {
	secret   []byte
	issuer   string
	audience string
}

// ErrAssertion is wrapped by every refusal of an assertion.
var ErrAssertion = errors.New("identity assertion refused")

// NewVerifier returns a Verifier of assertions signed with secret (at
// least MinSecretBytes), issued by issuer for audience (DefaultAudience
// when "").
func NewVerifier(secret []byte, issuer, audience string) (*Verifier, error) {
	if len(secret) < MinSecretBytes {
		return nil, fmt.Errorf("app: the assertion secret is %d bytes; it needs at least %d", len(secret), MinSecretBytes)
	}
	if issuer == "" {
		return nil, errors.New("app: assertions need an issuer to check (the company's backend)")
	}
	if audience == "" {
		audience = DefaultAudience
	}
	return &Verifier{secret: secret, issuer: issuer, audience: audience}, nil
}

// Verify checks token at now and returns the identity it asserts, not yet
// normalised. It checks the signature (HS256 only), iss, aud, exp (which
// is required and at most MaxAssertionLifetime away), nbf and iat.
func (v *Verifier) Verify(token string, now time.Time) (domain.Identity, error) {
	var c AssertionClaims
	_, err := jwt.ParseWithClaims(token, &c, func(*jwt.Token) (any, error) { return v.secret, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithExpirationRequired(),
		jwt.WithIssuer(v.issuer),
		jwt.WithAudience(v.audience),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(assertionLeeway),
		jwt.WithTimeFunc(func() time.Time { return now }),
	)
	if err != nil {
		return domain.Identity{}, fmt.Errorf("%w: %w", ErrAssertion, err)
	}
	if c.ExpiresAt.Sub(now) > MaxAssertionLifetime+assertionLeeway {
		return domain.Identity{}, fmt.Errorf("%w: it expires more than %s from now", ErrAssertion, MaxAssertionLifetime)
	}
	if !c.Kind.Valid() || c.Subject == "" {
		return domain.Identity{}, fmt.Errorf("%w: kind must be one of %v and sub the identity's value", ErrAssertion, domain.IdentityKinds)
	}
	return domain.Identity{Kind: c.Kind, Value: c.Subject}, nil
}

// SignAssertion issues an assertion for id, as the company's backend
// would (tests and tools).
func SignAssertion(secret []byte, issuer, audience string, id domain.Identity, issued, expires time.Time) (string, error) {
	if audience == "" {
		audience = DefaultAudience
	}
	c := AssertionClaims{Kind: id.Kind, RegisteredClaims: jwt.RegisteredClaims{
		Issuer: issuer, Audience: jwt.ClaimStrings{audience}, Subject: id.Value,
		IssuedAt: jwt.NewNumericDate(issued), ExpiresAt: jwt.NewNumericDate(expires),
	}}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(secret)
}
