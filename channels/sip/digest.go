package sip

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/icholy/digest"
)

// Why digest authentication fails; the registrar answers 401 with a fresh
// challenge for errStaleNonce and 403 for the others.
var (
	errNoCredentials  = errors.New("no Authorization header")
	errBadCredentials = errors.New("malformed Authorization header")
	errStaleNonce     = errors.New("nonce expired")
	errForgedNonce    = errors.New("nonce was not issued by this server")
	errUnknownUser    = errors.New("unknown user")
	errWrongRealm     = errors.New("wrong realm")
	errWrongUser      = errors.New("user name does not match the address of record")
	errWrongResponse  = errors.New("wrong digest response (password)")
	errUnsupported    = errors.New("unsupported digest algorithm or qop")
)

// digestAuth issues and checks RFC 2617 / RFC 3261 digest challenges (MD5,
// qop=auth). Nonces are stateless: "<unix seconds>.<HMAC of them>", so
// any nonce this process issued in the last ttl is accepted without a
// table of outstanding nonces, and a restart (new key) makes phones
// re-authenticate once. Within ttl a captured REGISTER could be replayed
// to the same binding; the nonce lifetime bounds that window.
type digestAuth struct {
	realm string
	key   []byte
	ttl   time.Duration
	now   func() time.Time
	creds *CredentialStore
}

func newDigestAuth(realm string, creds *CredentialStore, ttl time.Duration, now func() time.Time) (*digestAuth, error) {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("nonce key: %w", err)
	}
	return &digestAuth{realm: realm, key: key, ttl: ttl, now: now, creds: creds}, nil
}

// challenge returns a WWW-Authenticate value with a fresh nonce.
func (a *digestAuth) challenge(stale bool) string {
	c := digest.Challenge{
		Realm:     a.realm,
		Nonce:     a.nonce(a.now()),
		Algorithm: "MD5",
		QOP:       []string{"auth"},
		Stale:     stale,
	}
	return c.String()
}

func (a *digestAuth) nonce(at time.Time) string {
	ts := strconv.FormatInt(at.Unix(), 16)
	return ts + "." + a.mac(ts)
}

func (a *digestAuth) mac(ts string) string {
	m := hmac.New(sha256.New, a.key)
	m.Write([]byte(ts))
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// checkNonce tells a nonce this server issued from a forged one, and a
// fresh one from an expired one.
func (a *digestAuth) checkNonce(nonce string) error {
	ts, mac, ok := strings.Cut(nonce, ".")
	if !ok || !hmac.Equal([]byte(mac), []byte(a.mac(ts))) {
		return errForgedNonce
	}
	sec, err := strconv.ParseInt(ts, 16, 64)
	if err != nil {
		return errForgedNonce
	}
	age := a.now().Sub(time.Unix(sec, 0))
	if age > a.ttl || age < -time.Minute {
		return errStaleNonce
	}
	return nil
}

// verify checks the Authorization header value of a request with method
// against the agent credentials and returns the authenticated user name,
// which must equal aorUser (an agent registers only their own address).
func (a *digestAuth) verify(header, method, aorUser string) (string, error) {
	if header == "" {
		return "", errNoCredentials
	}
	cred, err := digest.ParseCredentials(header)
	if err != nil {
		return "", fmt.Errorf("%w: %w", errBadCredentials, err)
	}
	if cred.Username == "" || cred.Nonce == "" || cred.URI == "" || cred.Response == "" {
		return "", errBadCredentials
	}
	if cred.Realm != a.realm {
		return "", errWrongRealm
	}
	if alg := strings.ToUpper(cred.Algorithm); alg != "" && alg != "MD5" || cred.QOP != "" && cred.QOP != "auth" || cred.Userhash {
		return "", errUnsupported
	}
	if cred.Username != aorUser {
		return "", errWrongUser
	}
	if err := a.checkNonce(cred.Nonce); err != nil {
		return "", err
	}
	ha1, ok, err := a.creds.Lookup(cred.Username, a.realm)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", errUnknownUser
	}
	chal := digest.Challenge{Realm: a.realm, Nonce: cred.Nonce, Algorithm: cred.Algorithm, Opaque: cred.Opaque}
	if cred.QOP != "" {
		chal.QOP = []string{cred.QOP}
	}
	want, err := digest.Digest(&chal, digest.Options{
		Method: method, URI: cred.URI, Username: cred.Username, A1: ha1, Cnonce: cred.Cnonce, Count: cred.Nc,
	})
	if err != nil {
		return "", fmt.Errorf("%w: %w", errUnsupported, err)
	}
	if subtle.ConstantTimeCompare([]byte(strings.ToLower(cred.Response)), []byte(want.Response)) != 1 {
		return "", errWrongResponse
	}
	return cred.Username, nil
}
