package sip

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	siplib "github.com/emiago/sipgo/sip"
	"github.com/icholy/digest"
)

// Why digest authentication fails. The registrar answers 401 with a fresh
// challenge for errNoCredentials, errStaleNonce, errForgedNonce and
// errReplayed (a phone that merely lost track gets a new nonce; a replay
// cannot answer it without the password), 400 for errBadCredentials and
// 403 for the others.
var (
	errNoCredentials  = errors.New("no Authorization header")
	errBadCredentials = errors.New("malformed Authorization header")
	errStaleNonce     = errors.New("nonce expired")
	errForgedNonce    = errors.New("nonce was not issued by this server to this source address")
	errReplayed       = errors.New("nonce count not above the last one seen with this nonce (replay)")
	errUnknownUser    = errors.New("unknown user")
	errWrongRealm     = errors.New("wrong realm")
	errWrongUser      = errors.New("user name does not match the address of record")
	errWrongResponse  = errors.New("wrong digest response (password)")
	errUnsupported    = errors.New("unsupported digest algorithm or qop")
	errQOPRequired    = errors.New("digest without qop=auth is refused")
	errURIMismatch    = errors.New("digest uri does not match the Request-URI")
)

// maxTrackedNonces bounds the nonce-count table. Entries are made only by
// requests whose digest verified (so only by agents' phones), and live at
// most the nonce lifetime.
const maxTrackedNonces = 1 << 16

// digestAuth issues and checks RFC 2617 / RFC 3261 digest challenges (MD5,
// qop=auth required). A nonce is "<issued, unix ns>.<random>.<HMAC>", the
// HMAC keyed by a per-process secret over the issue time, the random part
// and the IP address the challenge was sent to: a nonce is accepted only
// from that address and for ttl after issue, without a table of
// outstanding challenges, and a restart (new key) makes phones
// re-authenticate once. Against replay, the digest must cover the
// request's own Request-URI and every request must carry a nonce count
// (nc) above the last one accepted with its nonce (counts are kept for the
// nonce's lifetime in a bounded table).
type digestAuth struct {
	realm  string
	key    []byte
	ttl    time.Duration
	now    func() time.Time
	creds  *CredentialStore
	counts nonceCounts
}

func newDigestAuth(realm string, creds *CredentialStore, ttl time.Duration, now func() time.Time) (*digestAuth, error) {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("nonce key: %w", err)
	}
	return &digestAuth{realm: realm, key: key, ttl: ttl, now: now, creds: creds,
		counts: nonceCounts{max: maxTrackedNonces, seen: map[string]nonceCount{}}}, nil
}

// challenge returns a WWW-Authenticate value with a fresh nonce for a
// request from source (host:port or host).
func (a *digestAuth) challenge(source string, stale bool) string {
	c := digest.Challenge{
		Realm:     a.realm,
		Nonce:     a.nonce(a.now(), source),
		Algorithm: "MD5",
		QOP:       []string{"auth"},
		Stale:     stale,
	}
	return c.String()
}

func (a *digestAuth) nonce(at time.Time, source string) string {
	rnd := make([]byte, 8)
	_, _ = rand.Read(rnd) // crypto/rand.Read never fails (Go 1.24+)
	payload := strconv.FormatInt(at.UnixNano(), 16) + "." + hex.EncodeToString(rnd)
	return payload + "." + a.mac(payload, sourceHost(source))
}

func (a *digestAuth) mac(payload, host string) string {
	m := hmac.New(sha256.New, a.key)
	m.Write([]byte(payload))
	m.Write([]byte{0})
	m.Write([]byte(host))
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// sourceHost is the IP address of a request's source: nonces are bound to
// it, not to the port, which NATs and new TCP connections change.
func sourceHost(source string) string {
	if host, _, err := net.SplitHostPort(source); err == nil {
		return strings.ToLower(host)
	}
	return strings.ToLower(source)
}

// checkNonce tells a nonce this server issued to source from a forged one
// (or one issued to another address), and a fresh one from an expired
// one; it returns the issue time.
func (a *digestAuth) checkNonce(nonce, source string) (int64, error) {
	payload, mac, ok := cutLast(nonce, ".")
	if !ok || !hmac.Equal([]byte(mac), []byte(a.mac(payload, sourceHost(source)))) {
		return 0, errForgedNonce
	}
	ts, _, _ := strings.Cut(payload, ".")
	issued, err := strconv.ParseInt(ts, 16, 64)
	if err != nil {
		return 0, errForgedNonce
	}
	age := a.now().Sub(time.Unix(0, issued))
	if age > a.ttl || age < -time.Minute {
		return 0, errStaleNonce
	}
	return issued, nil
}

func cutLast(s, sep string) (string, string, bool) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return "", "", false
	}
	return s[:i], s[i+len(sep):], true
}

// digestRequest is what verify checks an Authorization header against.
type digestRequest struct {
	header     string     // the Authorization header's value
	method     string     // the request's method
	requestURI siplib.Uri // the request's own Request-URI
	source     string     // where the request came from (host:port)
	aorUser    string     // the user of the address of record (To)
}

// verify checks the Authorization header of a request against the agent
// credentials and returns the authenticated user name, which must equal
// the user of the address of record (an agent registers only their own
// address). The nonce count is recorded only once the digest verified, so
// requests without the password cannot use up a phone's counts. The first
// count of a nonce may be 0 (RFC 2617 says 1; sipgo's client sends 0):
// what matters is that no count is accepted twice.
func (a *digestAuth) verify(r digestRequest) (string, error) {
	if r.header == "" {
		return "", errNoCredentials
	}
	cred, err := digest.ParseCredentials(r.header)
	if err != nil {
		return "", fmt.Errorf("%w: %w", errBadCredentials, err)
	}
	if cred.Username == "" || cred.Nonce == "" || cred.URI == "" || cred.Response == "" {
		return "", errBadCredentials
	}
	if cred.Realm != a.realm {
		return "", errWrongRealm
	}
	if alg := strings.ToUpper(cred.Algorithm); alg != "" && alg != "MD5" || cred.Userhash {
		return "", errUnsupported
	}
	if cred.QOP != "auth" {
		if cred.QOP == "" {
			return "", errQOPRequired
		}
		return "", fmt.Errorf("%w: qop %q", errUnsupported, cred.QOP)
	}
	if cred.Cnonce == "" || cred.Nc < 0 {
		return "", fmt.Errorf("%w: qop=auth without cnonce or with a negative nc", errBadCredentials)
	}
	if !sameRequestURI(cred.URI, r.requestURI) {
		return "", errURIMismatch
	}
	if cred.Username != r.aorUser {
		return "", errWrongUser
	}
	issued, err := a.checkNonce(cred.Nonce, r.source)
	if err != nil {
		return "", err
	}
	ha1, ok, err := a.creds.Lookup(cred.Username, a.realm)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", errUnknownUser
	}
	chal := digest.Challenge{Realm: a.realm, Nonce: cred.Nonce, Algorithm: cred.Algorithm, Opaque: cred.Opaque, QOP: []string{"auth"}}
	want, err := digest.Digest(&chal, digest.Options{
		Method: r.method, URI: cred.URI, Username: cred.Username, A1: ha1, Cnonce: cred.Cnonce, Count: cred.Nc,
	})
	if err != nil {
		return "", fmt.Errorf("%w: %w", errUnsupported, err)
	}
	if subtle.ConstantTimeCompare([]byte(strings.ToLower(cred.Response)), []byte(want.Response)) != 1 {
		return "", errWrongResponse
	}
	if err := a.counts.use(cred.Nonce, issued, cred.Nc, a.now().Add(-a.ttl).UnixNano()); err != nil {
		return "", err
	}
	return cred.Username, nil
}

// sameRequestURI compares the digest's uri with the Request-URI as RFC
// 3261 section 19.1.4 compares SIP URIs: scheme and host without regard to
// case, user and password exactly, the same port (an absent port is not
// 5060). Parameters and headers the digest uri names must have the same
// values in the Request-URI (names and values without regard to case); it
// may leave them out, as some clients (sipgo's among them) digest the
// URI without its parameters. A uri that does not parse never matches.
func sameRequestURI(digestURI string, req siplib.Uri) bool {
	var u siplib.Uri
	if err := siplib.ParseUri(digestURI, &u); err != nil {
		return false
	}
	return strings.EqualFold(u.Scheme, req.Scheme) && u.Wildcard == req.Wildcard &&
		u.Raw() == req.Raw() &&
		u.User == req.User && u.Password == req.Password &&
		strings.EqualFold(u.Host, req.Host) && u.Port == req.Port &&
		paramsWithin(u.UriParams, req.UriParams) && paramsWithin(u.Headers, req.Headers)
}

// paramsWithin reports whether every parameter of sub is in all with the
// same value, names and values compared without regard to case.
func paramsWithin(sub, all siplib.HeaderParams) bool {
	for _, kv := range sub {
		found := false
		for _, o := range all {
			if strings.EqualFold(kv.K, o.K) {
				found = strings.EqualFold(kv.V, o.V)
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// nonceCounts remembers the highest nonce count accepted with each nonce
// still alive. When the table is full of live nonces the oldest are
// forgotten and every nonce issued up to them is treated as stale from
// then on (floor), so forgetting never lets a count be reused.
type nonceCounts struct {
	max int

	mu    sync.Mutex
	seen  map[string]nonceCount
	floor int64 // nonces issued at or before this (unix ns) are stale
}

type nonceCount struct {
	issued int64
	nc     int
}

// use records nc for nonce (issued at issued, unix ns) unless it is not
// above the last count seen with it. Nonces issued before expiredBefore
// are dropped from the table when it fills up.
func (c *nonceCounts) use(nonce string, issued int64, nc int, expiredBefore int64) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if issued <= c.floor {
		return errStaleNonce
	}
	if last, ok := c.seen[nonce]; ok {
		if nc <= last.nc {
			return errReplayed
		}
		c.seen[nonce] = nonceCount{issued: issued, nc: nc}
		return nil
	}
	if len(c.seen) >= c.max {
		for n, e := range c.seen {
			if e.issued < expiredBefore {
				delete(c.seen, n)
			}
		}
	}
	if len(c.seen) >= c.max {
		// Forget the older half, and refuse their nonces from now on.
		issuedTimes := make([]int64, 0, len(c.seen))
		for _, e := range c.seen {
			issuedTimes = append(issuedTimes, e.issued)
		}
		c.floor = max(c.floor, kthSmallest(issuedTimes, len(issuedTimes)/2))
		for n, e := range c.seen {
			if e.issued <= c.floor {
				delete(c.seen, n)
			}
		}
		if issued <= c.floor {
			return errStaleNonce
		}
	}
	c.seen[nonce] = nonceCount{issued: issued, nc: nc}
	return nil
}

// tracked returns how many nonces the table holds.
func (c *nonceCounts) tracked() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.seen)
}

func kthSmallest(xs []int64, k int) int64 {
	slices.Sort(xs)
	return xs[k]
}
