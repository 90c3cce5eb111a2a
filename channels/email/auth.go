package email

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"blitiri.com.ar/go/spf"
	"github.com/emersion/go-msgauth/dkim"
	"github.com/emersion/go-msgauth/dmarc"
	"golang.org/x/net/publicsuffix"

	"github.com/interactionledger/ledger/domain"
)

// AuthMode says what the receiver does with DKIM, SPF and DMARC.
type AuthMode string

// Authentication modes.
const (
	// AuthOff checks nothing: every sender is UNCHECKED and joins the
	// customer who owns the From address (local trials without DNS).
	AuthOff AuthMode = "off"
	// AuthRecord checks and records the results, but a sender who fails
	// DMARC is only marked UNVERIFIED and still joins the owner (to see
	// what enforcing would do before turning it on).
	AuthRecord AuthMode = "record"
	// AuthEnforce checks and records, and a sender who fails DMARC is
	// FAILED: never joined to the owner of the address (the default).
	AuthEnforce AuthMode = "enforce"
)

// ParseAuthMode reads an --email-auth value.
func ParseAuthMode(s string) (AuthMode, error) {
	switch m := AuthMode(strings.ToLower(strings.TrimSpace(s))); m {
	case AuthOff, AuthRecord, AuthEnforce:
		return m, nil
	}
	return "", fmt.Errorf("email auth mode %q: want off, record or enforce", s)
}

// Resolver is the DNS the checks need; *net.Resolver has it, and tests
// give fake TXT records.
type Resolver interface {
	LookupTXT(ctx context.Context, name string) ([]string, error)
	LookupMX(ctx context.Context, name string) ([]*net.MX, error)
	LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error)
	LookupAddr(ctx context.Context, addr string) ([]string, error)
}

// Authenticator checks a message's DKIM signatures, its SPF (from the
// connecting client's address) and its From domain's DMARC policy. The
// ledger checks for itself: it does not trust Authentication-Results
// fields, which anybody upstream can write. Behind a relay that keeps the
// message intact DKIM still passes; SPF then judges the relay's address,
// so a relayed message from a domain that signs nothing but publishes a
// DMARC policy is FAILED (run with AuthRecord in such a setup).
type Authenticator struct {
	mode     AuthMode
	resolver Resolver
	timeout  time.Duration
}

// AuthOptions configure an Authenticator. Zero values pick defaults.
type AuthOptions struct {
	Mode AuthMode // default AuthEnforce
	// Resolver answers DNS (default net.DefaultResolver).
	Resolver Resolver
	// Timeout bounds all the lookups for one message (default 10 s); a
	// lookup that times out is a temporary error: UNVERIFIED.
	Timeout time.Duration
}

// NewAuthenticator returns an Authenticator.
func NewAuthenticator(opts AuthOptions) *Authenticator {
	a := &Authenticator{mode: opts.Mode, resolver: opts.Resolver, timeout: opts.Timeout}
	if a.mode == "" {
		a.mode = AuthEnforce
	}
	if a.resolver == nil {
		a.resolver = net.DefaultResolver
	}
	if a.timeout <= 0 {
		a.timeout = 10 * time.Second
	}
	return a
}

// Envelope is what the SMTP session knows of a message's sender.
type Envelope struct {
	IP       net.IP // the connecting client; nil when unknown (no SPF)
	Helo     string
	MailFrom string
}

// AuthResult is the outcome of the checks.
type AuthResult struct {
	DKIM, SPF, DMARC string // RFC 8601 result words: pass, fail, none, temperror, ...
	Check            domain.IdentityCheck
}

// String is the results as recorded on the interaction.
func (r AuthResult) String() string {
	if r.DKIM == "" && r.SPF == "" && r.DMARC == "" {
		return ""
	}
	return "dkim=" + r.DKIM + " spf=" + r.SPF + " dmarc=" + r.DMARC
}

// Check authenticates raw as sent from fromAddr over env. A nil
// Authenticator (or AuthOff) checks nothing.
func (a *Authenticator) Check(ctx context.Context, raw []byte, fromAddr string, env Envelope) AuthResult {
	if a == nil || a.mode == AuthOff {
		return AuthResult{Check: domain.IdentityUnchecked}
	}
	ctx, cancel := context.WithTimeout(ctx, a.timeout)
	defer cancel()
	in := authInputs{fromDomain: addrDomain(fromAddr)}
	in.dkim, in.dkimDomains = a.checkDKIM(ctx, raw)
	in.spf, in.spfDomain = a.checkSPF(ctx, env)
	in.policy, in.policyErr = a.lookupDMARC(ctx, in.fromDomain)
	res := verdict(in)
	if a.mode == AuthRecord && res.Check == domain.IdentityFailed {
		res.Check = domain.IdentityUnverified
	}
	return res
}

// checkDKIM verifies the message's signatures: the result and the
// domains (d=) whose signatures verified.
func (a *Authenticator) checkDKIM(ctx context.Context, raw []byte) (string, []string) {
	verifs, err := dkim.VerifyWithOptions(bytes.NewReader(raw), &dkim.VerifyOptions{
		LookupTXT:        a.lookupTXT(ctx),
		MaxVerifications: 8,
	})
	var passed []string
	temp := false
	for _, v := range verifs {
		switch {
		case v.Err == nil:
			passed = append(passed, strings.ToLower(v.Domain))
		case dkim.IsTempFail(v.Err):
			temp = true
		}
	}
	switch {
	case len(passed) > 0:
		return "pass", passed
	case temp:
		return "temperror", nil
	case err != nil && !errors.Is(err, dkim.ErrTooManySignatures):
		return "permerror", nil
	case len(verifs) == 0:
		return "none", nil
	}
	return "fail", nil
}

// checkSPF checks the client's address against the envelope sender's
// domain (the HELO name's for a null sender): the result and the domain
// checked.
func (a *Authenticator) checkSPF(ctx context.Context, env Envelope) (string, string) {
	if env.IP == nil {
		return "none", ""
	}
	sender := strings.Trim(strings.TrimSpace(env.MailFrom), "<>")
	if sender == "" && env.Helo != "" {
		sender = "postmaster@" + env.Helo
	}
	d := addrDomain(sender)
	if d == "" {
		return "none", ""
	}
	res, _ := spf.CheckHostWithSender(env.IP, env.Helo, sender, spf.WithContext(ctx), spf.WithResolver(a.resolver))
	return string(res), d
}

// lookupDMARC finds the policy of the From domain, else of its
// organizational domain (RFC 7489 section 6.6.3).
func (a *Authenticator) lookupDMARC(ctx context.Context, fromDomain string) (*dmarc.Record, error) {
	if fromDomain == "" {
		return nil, dmarc.ErrNoPolicy
	}
	opts := &dmarc.LookupOptions{LookupTXT: a.lookupTXT(ctx)}
	rec, err := dmarc.LookupWithOptions(fromDomain, opts)
	if !errors.Is(err, dmarc.ErrNoPolicy) {
		return rec, err
	}
	if org := orgDomain(fromDomain); org != fromDomain {
		return dmarc.LookupWithOptions(org, opts)
	}
	return nil, err
}

func (a *Authenticator) lookupTXT(ctx context.Context) func(string) ([]string, error) {
	return func(name string) ([]string, error) { return a.resolver.LookupTXT(ctx, name) }
}

// authInputs are the facts the verdict is drawn from.
type authInputs struct {
	fromDomain  string
	dkim        string
	dkimDomains []string // domains of verified signatures
	spf         string
	spfDomain   string
	policy      *dmarc.Record
	policyErr   error
}

// verdict draws the DMARC result and the identity check from the facts.
// An aligned DKIM pass or SPF pass proves the From domain sent the
// message: VERIFIED, whether or not the domain publishes a policy. Without
// one, a domain that publishes a policy says the message is not its own:
// FAILED, whatever its p= (p=none asks receivers not to reject, but the
// From is still not the domain's). A domain with no policy, or one whose
// DNS could not be read, says nothing: UNVERIFIED.
func verdict(in authInputs) AuthResult {
	res := AuthResult{DKIM: in.dkim, SPF: in.spf}
	var dkimAlign, spfAlign dmarc.AlignmentMode = dmarc.AlignmentRelaxed, dmarc.AlignmentRelaxed
	if in.policy != nil {
		dkimAlign, spfAlign = in.policy.DKIMAlignment, in.policy.SPFAlignment
	}
	aligned := false
	for _, d := range in.dkimDomains {
		aligned = aligned || isAligned(in.fromDomain, d, dkimAlign)
	}
	if in.spf == "pass" && isAligned(in.fromDomain, in.spfDomain, spfAlign) {
		aligned = true
	}
	switch {
	case in.fromDomain == "":
		res.DMARC, res.Check = "none", domain.IdentityUnverified
	case aligned && in.policy != nil:
		res.DMARC, res.Check = "pass", domain.IdentityVerified
	case aligned:
		res.DMARC, res.Check = "none", domain.IdentityVerified
	case in.policyErr != nil && !errors.Is(in.policyErr, dmarc.ErrNoPolicy):
		res.DMARC, res.Check = policyError(in.policyErr), domain.IdentityUnverified
	case in.policy == nil:
		res.DMARC, res.Check = "none", domain.IdentityUnverified
	case in.dkim == "temperror" || in.spf == "temperror":
		// The pass that would align may be behind the DNS that failed.
		res.DMARC, res.Check = "temperror", domain.IdentityUnverified
	default:
		res.DMARC, res.Check = "fail", domain.IdentityFailed
	}
	return res
}

func policyError(err error) string {
	if dmarc.IsTempFail(err) {
		return "temperror"
	}
	return "permerror"
}

// isAligned reports whether an authenticated domain d vouches for the From
// domain: the same name (strict), or the same organizational domain
// (relaxed).
func isAligned(from, d string, mode dmarc.AlignmentMode) bool {
	from, d = strings.ToLower(strings.TrimSuffix(from, ".")), strings.ToLower(strings.TrimSuffix(d, "."))
	if from == "" || d == "" {
		return false
	}
	if from == d {
		return true
	}
	return mode != dmarc.AlignmentStrict && orgDomain(from) == orgDomain(d)
}

// orgDomain is a domain's organizational domain: one label under its
// public suffix.
func orgDomain(d string) string {
	org, err := publicsuffix.EffectiveTLDPlusOne(strings.ToLower(d))
	if err != nil {
		return strings.ToLower(d)
	}
	return org
}

// addrDomain is the domain of an address, lower-cased; "" when it has none.
func addrDomain(addr string) string {
	at := strings.LastIndexByte(addr, '@')
	if at < 0 {
		return ""
	}
	return strings.ToLower(strings.TrimSuffix(strings.TrimSpace(strings.Trim(addr[at+1:], "<> ")), "."))
}
