package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/golang-jwt/jwt/v5"

	"github.com/interactionledger/ledger/graphql/apierror"
)

// Role is what a token lets its holder do; see the rules in access.go.
type Role string

// The roles of the API.
const (
	RoleAgent      Role = "agent"
	RoleSupervisor Role = "supervisor"
	RoleAnalyst    Role = "analyst"
	RoleAuditor    Role = "auditor"
	RoleAdmin      Role = "admin"
	// RoleIntegration is a CRM or order system recording business facts.
	RoleIntegration Role = "integration"
)

// Roles lists every role.
var Roles = []Role{RoleAgent, RoleSupervisor, RoleAnalyst, RoleAuditor, RoleAdmin, RoleIntegration}

// ParseRole returns the role named s (case-insensitive).
func ParseRole(s string) (Role, error) {
	r := Role(strings.ToLower(strings.TrimSpace(s)))
	for _, known := range Roles {
		if r == known {
			return r, nil
		}
	}
	return "", fmt.Errorf("unknown role %q: want agent, supervisor, analyst, auditor, admin or integration", s)
}

// Viewer is an authenticated caller.
type Viewer struct {
	// Subject is who the token was minted for: for agents and
	// supervisors, their agent id.
	Subject string
	Role    Role
	// IssuedAt is when the token was minted: a revocation of its subject
	// at or after that second ends it.
	IssuedAt time.Time
	// ExpiresAt is when the token stops being valid.
	ExpiresAt time.Time
}

// Actor is how the ledger records the viewer in event metadata:
// "<role>:<subject>", e.g. "agent:a-007".
func (v Viewer) Actor() string { return string(v.Role) + ":" + v.Subject }

// MinSecretBytes is the shortest signing secret accepted: HS256 wants at
// least as many bits of key as the hash has.
const MinSecretBytes = 32

// MaxTokenTTL bounds how long any token may live: the longest of the
// roles' limits (MaxTTL).
const MaxTokenTTL = 12 * time.Hour

// MaxTTL is the longest a token of role may live: 12 hours for agents and
// supervisors (a shift) and integrations (which mint again, or sign
// requests to /integrations/facts instead), 8 for analysts and auditors,
// 1 for admins. A
// token minted for longer is refused when it is minted and when it is
// used.
func MaxTTL(role Role) time.Duration {
	switch role {
	case RoleAgent, RoleSupervisor, RoleIntegration:
		return 12 * time.Hour
	case RoleAnalyst, RoleAuditor:
		return 8 * time.Hour
	case RoleAdmin:
		return time.Hour
	}
	return 0
}

// issuer names the ledger in every token it mints, and only such tokens
// are accepted.
const issuer = "interaction-ledger"

// clockSkew is how far the clocks of the minting and the verifying machine
// may disagree.
const clockSkew = 30 * time.Second

type claims struct {
	Role string `json:"role"`
	jwt.RegisteredClaims
}

// Authenticator mints and verifies the API's bearer tokens: JWTs signed
// with HS256, carrying the subject and the role.
type Authenticator struct {
	secret []byte
	now    func() time.Time
	// revoked, when set, holds the subjects whose tokens were revoked.
	revoked *Revocations
}

// NewAuthenticator returns an Authenticator signing with secret, which
// must hold at least MinSecretBytes bytes.
func NewAuthenticator(secret []byte) (*Authenticator, error) {
	if len(secret) < MinSecretBytes {
		return nil, fmt.Errorf("the JWT secret must be at least %d bytes, got %d", MinSecretBytes, len(secret))
	}
	return &Authenticator{secret: append([]byte(nil), secret...), now: time.Now}, nil
}

// Mint returns a token for subject with role, valid for ttl.
func (a *Authenticator) Mint(subject string, role Role, ttl time.Duration) (string, error) {
	if err := ValidateSubject(subject); err != nil {
		return "", err
	}
	if _, err := ParseRole(string(role)); err != nil {
		return "", err
	}
	if limit := MaxTTL(role); ttl <= 0 || ttl > limit {
		return "", fmt.Errorf("token lifetime %s: want more than 0 and at most %s for the %s role", ttl, limit, role)
	}
	now := a.now()
	c := claims{Role: string(role), RegisteredClaims: jwt.RegisteredClaims{
		Issuer: issuer, Subject: subject,
		IssuedAt: jwt.NewNumericDate(now), NotBefore: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(now.Add(ttl)),
	}}
	token, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(a.secret)
	if err != nil {
		return "", fmt.Errorf("sign token: %w", err)
	}
	return token, nil
}

// Verify checks a token's signature, algorithm, issuer and validity period
// and returns who it was minted for. Any failure is an UNAUTHENTICATED
// *apierror.Error whose message says what is wrong, never which secret was
// expected.
func (a *Authenticator) Verify(token string) (Viewer, error) {
	var c claims
	parsed, err := jwt.ParseWithClaims(token, &c, func(*jwt.Token) (any, error) { return a.secret, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithIssuer(issuer), jwt.WithExpirationRequired(), jwt.WithLeeway(clockSkew),
		jwt.WithTimeFunc(a.now))
	if err != nil {
		return Viewer{}, apierror.Unauthenticated(tokenProblem(err))
	}
	if !parsed.Valid {
		return Viewer{}, apierror.Unauthenticated("invalid token")
	}
	role, err := ParseRole(c.Role)
	if err != nil {
		return Viewer{}, apierror.Unauthenticated("the token's role is not one of this API's")
	}
	if err := ValidateSubject(c.Subject); err != nil {
		return Viewer{}, apierror.Unauthenticated("the token's subject is not valid")
	}
	if c.IssuedAt == nil {
		return Viewer{}, apierror.Unauthenticated("the token has no issue time")
	}
	v := Viewer{Subject: c.Subject, Role: role, IssuedAt: c.IssuedAt.Time, ExpiresAt: c.ExpiresAt.Time}
	if v.ExpiresAt.Sub(v.IssuedAt) > MaxTTL(role) {
		return Viewer{}, apierror.Unauthenticated(fmt.Sprintf("the token lives longer than the %s role's %s; mint a new one", role, MaxTTL(role)))
	}
	if err := a.checkRevoked(v); err != nil {
		return Viewer{}, err
	}
	return v, nil
}

// Recheck tells whether a viewer authenticated earlier (a WebSocket's) may
// still act: its token has not expired and its subject was not revoked
// since the token was minted.
func (a *Authenticator) Recheck(v Viewer) error {
	if !a.now().Before(v.ExpiresAt.Add(clockSkew)) {
		return apierror.Unauthenticated("the token has expired")
	}
	return a.checkRevoked(v)
}

// UseRevocations makes Verify and Recheck refuse the tokens of subjects
// revoked in r. Call it before the Authenticator is used.
func (a *Authenticator) UseRevocations(r *Revocations) { a.revoked = r }

// Revoke ends every token of subject minted up to now (`logout`).
func (a *Authenticator) Revoke(subject string) error {
	if a.revoked == nil {
		return errors.New("token revocation is not configured")
	}
	return a.revoked.Revoke(subject, a.now())
}

func (a *Authenticator) checkRevoked(v Viewer) error {
	if a.revoked == nil {
		return nil
	}
	notBefore, err := a.revoked.NotBefore(v.Subject)
	if err != nil {
		// Fail closed: a revocation list that cannot be read could hold
		// this subject.
		return apierror.New(apierror.CodeUnavailable, "token revocations cannot be checked now; try again later")
	}
	if !notBefore.IsZero() && v.IssuedAt.Unix() <= notBefore.Unix() {
		return apierror.Unauthenticated("the token was revoked; get a new one")
	}
	return nil
}

// tokenProblem says in a few words why jwt refused a token.
func tokenProblem(err error) string {
	switch {
	case errors.Is(err, jwt.ErrTokenExpired):
		return "the token has expired"
	case errors.Is(err, jwt.ErrTokenNotValidYet):
		return "the token is not valid yet"
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		return "the token's signature is not valid (another secret or algorithm)"
	case errors.Is(err, jwt.ErrTokenMalformed):
		return "the token is malformed"
	default:
		return "invalid token"
	}
}

// maxSubjectLength bounds a token's subject.
const maxSubjectLength = 128

// ValidateSubject checks a token subject: 1 to 128 printable characters
// without spaces, since it becomes part of the actor in event metadata.
func ValidateSubject(s string) error {
	if s == "" || len(s) > maxSubjectLength {
		return fmt.Errorf("subject must be 1 to %d characters", maxSubjectLength)
	}
	for _, r := range s {
		if !unicode.IsPrint(r) || unicode.IsSpace(r) {
			return fmt.Errorf("subject %q: only printable characters without spaces", s)
		}
	}
	return nil
}

// BearerToken returns the token of an "Authorization: Bearer <token>"
// header value, and whether there was one.
func BearerToken(header string) (string, bool) {
	scheme, token, ok := strings.Cut(strings.TrimSpace(header), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

// Authenticate verifies the bearer token of an Authorization header
// value; without one, it returns an UNAUTHENTICATED error saying how to
// get one.
func (a *Authenticator) Authenticate(header string) (Viewer, error) {
	token, ok := BearerToken(header)
	if !ok {
		return Viewer{}, apierror.Unauthenticated("a bearer token is required (Authorization: Bearer <token>; `ledger token` mints one)")
	}
	return a.Verify(token)
}

type viewerKey struct{}

// WithViewer returns ctx carrying the authenticated caller.
func WithViewer(ctx context.Context, v Viewer) context.Context {
	return context.WithValue(ctx, viewerKey{}, v)
}

// ViewerFrom returns the caller ctx carries, and whether it carries one.
func ViewerFrom(ctx context.Context) (Viewer, bool) {
	v, ok := ctx.Value(viewerKey{}).(Viewer)
	return v, ok
}
