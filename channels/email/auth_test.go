package email

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"net"
	"strings"
	"testing"

	"github.com/emersion/go-msgauth/dkim"
	"github.com/emersion/go-msgauth/dmarc"

	"github.com/interactionledger/ledger/domain"
)

// TestVerdict draws the DMARC result and the identity check from the
// DKIM and SPF results and the From domain's policy.
func TestVerdict(t *testing.T) {
	reject := &dmarc.Record{Policy: dmarc.PolicyReject, DKIMAlignment: dmarc.AlignmentRelaxed, SPFAlignment: dmarc.AlignmentRelaxed}
	none := &dmarc.Record{Policy: dmarc.PolicyNone, DKIMAlignment: dmarc.AlignmentRelaxed, SPFAlignment: dmarc.AlignmentRelaxed}
	strict := &dmarc.Record{Policy: dmarc.PolicyReject, DKIMAlignment: dmarc.AlignmentStrict, SPFAlignment: dmarc.AlignmentStrict}
	for _, tc := range []struct {
		name      string
		in        authInputs
		wantDMARC string
		want      domain.IdentityCheck
	}{
		{"aligned DKIM under a policy", authInputs{fromDomain: "shop.example", dkim: "pass", dkimDomains: []string{"shop.example"}, spf: "none", policy: reject},
			"pass", domain.IdentityVerified},
		{"DKIM of a subdomain, relaxed", authInputs{fromDomain: "shop.example", dkim: "pass", dkimDomains: []string{"mail.shop.example"}, spf: "none", policy: reject},
			"pass", domain.IdentityVerified},
		{"DKIM of a subdomain, strict", authInputs{fromDomain: "shop.example", dkim: "pass", dkimDomains: []string{"mail.shop.example"}, spf: "none", policy: strict},
			"fail", domain.IdentityFailed},
		{"DKIM of another domain", authInputs{fromDomain: "shop.example", dkim: "pass", dkimDomains: []string{"evil.example"}, spf: "none", policy: reject},
			"fail", domain.IdentityFailed},
		{"aligned SPF", authInputs{fromDomain: "shop.example", dkim: "none", spf: "pass", spfDomain: "bounces.shop.example", policy: reject},
			"pass", domain.IdentityVerified},
		{"SPF pass of another domain", authInputs{fromDomain: "shop.example", dkim: "none", spf: "pass", spfDomain: "evil.example", policy: reject},
			"fail", domain.IdentityFailed},
		{"SPF fail, no DKIM", authInputs{fromDomain: "shop.example", dkim: "none", spf: "fail", spfDomain: "shop.example", policy: reject},
			"fail", domain.IdentityFailed},
		{"forged under p=none still fails", authInputs{fromDomain: "shop.example", dkim: "none", spf: "none", policy: none},
			"fail", domain.IdentityFailed},
		{"a broken signature fails", authInputs{fromDomain: "shop.example", dkim: "fail", spf: "none", policy: reject},
			"fail", domain.IdentityFailed},
		{"no policy, nothing aligned", authInputs{fromDomain: "plain.example", dkim: "none", spf: "none", policyErr: dmarc.ErrNoPolicy},
			"none", domain.IdentityUnverified},
		{"no policy, aligned DKIM", authInputs{fromDomain: "plain.example", dkim: "pass", dkimDomains: []string{"plain.example"}, spf: "none", policyErr: dmarc.ErrNoPolicy},
			"none", domain.IdentityVerified},
		{"policy lookup failed", authInputs{fromDomain: "shop.example", dkim: "none", spf: "none", policyErr: errors.New("dmarc: lookup failed")},
			"permerror", domain.IdentityUnverified},
		{"DKIM key lookup failed", authInputs{fromDomain: "shop.example", dkim: "temperror", spf: "none", policy: reject},
			"temperror", domain.IdentityUnverified},
		{"no From domain", authInputs{dkim: "pass", dkimDomains: []string{"shop.example"}, spf: "pass", spfDomain: "shop.example", policy: reject},
			"none", domain.IdentityUnverified},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := verdict(tc.in)
			if got.DMARC != tc.wantDMARC || got.Check != tc.want {
				t.Errorf("verdict = dmarc=%s %s, want dmarc=%s %s", got.DMARC, got.Check, tc.wantDMARC, tc.want)
			}
			if got.DKIM != tc.in.dkim || got.SPF != tc.in.spf {
				t.Errorf("verdict recorded dkim=%s spf=%s, checked dkim=%s spf=%s", got.DKIM, got.SPF, tc.in.dkim, tc.in.spf)
			}
		})
	}
}

func TestIsAligned(t *testing.T) {
	for _, tc := range []struct {
		from, d string
		mode    dmarc.AlignmentMode
		want    bool
	}{
		{"shop.example", "shop.example", dmarc.AlignmentStrict, true},
		{"Shop.Example.", "shop.example", dmarc.AlignmentStrict, true},
		{"shop.example", "mail.shop.example", dmarc.AlignmentRelaxed, true},
		{"shop.example", "mail.shop.example", dmarc.AlignmentStrict, false},
		{"a.co.uk", "b.co.uk", dmarc.AlignmentRelaxed, false},
		{"shop.example", "shop.example.evil.example", dmarc.AlignmentRelaxed, false},
		{"shop.example", "", dmarc.AlignmentRelaxed, false},
	} {
		if got := isAligned(tc.from, tc.d, tc.mode); got != tc.want {
			t.Errorf("isAligned(%q, %q, %s) = %v, want %v", tc.from, tc.d, tc.mode, got, tc.want)
		}
	}
}

func TestParseAuthMode(t *testing.T) {
	for in, want := range map[string]AuthMode{"off": AuthOff, "Record": AuthRecord, " enforce ": AuthEnforce} {
		if got, err := ParseAuthMode(in); err != nil || got != want {
			t.Errorf("ParseAuthMode(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := ParseAuthMode("lenient"); err == nil {
		t.Error("ParseAuthMode accepted an unknown mode")
	}
}

func TestAddrDomain(t *testing.T) {
	for in, want := range map[string]string{"alice@Shop.Example": "shop.example", "<b@x.example.>": "x.example", "nobody": "", "": ""} {
		if got := addrDomain(in); got != want {
			t.Errorf("addrDomain(%q) = %q, want %q", in, got, want)
		}
	}
}

// authDNS publishes shop.example's DKIM key, DMARC p=reject and SPF -all.
type authDNS map[string][]string

func (d authDNS) LookupTXT(_ context.Context, name string) ([]string, error) {
	if txt, ok := d[strings.TrimSuffix(strings.ToLower(name), ".")]; ok {
		return txt, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
}

func (authDNS) LookupMX(_ context.Context, name string) ([]*net.MX, error) {
	return nil, &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
}

func (authDNS) LookupIPAddr(_ context.Context, name string) ([]net.IPAddr, error) {
	return nil, &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
}

func (authDNS) LookupAddr(_ context.Context, name string) ([]string, error) {
	return nil, &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
}

// FuzzAuthCheck feeds arbitrary messages to the checks (the DKIM
// signature and key parsers read outside input): they never panic, always
// give a known check, and never call a message VERIFIED without a DKIM
// pass when SPF cannot pass. The seeds, a signed and a forged mail among
// them, run as a test.
func FuzzAuthCheck(f *testing.F) {
	pub, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		f.Fatal(err)
	}
	dns := authDNS{
		"s1._domainkey.shop.example": {"v=DKIM1; k=ed25519; p=" + base64.StdEncoding.EncodeToString(pub)},
		"_dmarc.shop.example":        {"v=DMARC1; p=reject"},
		"shop.example":               {"v=spf1 -all"},
	}
	plain := "From: alice@shop.example\r\nTo: support@example.com\r\nSubject: hi\r\nMessage-ID: <a@shop.example>\r\n\r\nhello\r\n"
	var signed bytes.Buffer
	if err := dkim.Sign(&signed, strings.NewReader(plain), &dkim.SignOptions{Domain: "shop.example", Selector: "s1", Signer: key}); err != nil {
		f.Fatal(err)
	}
	for _, seed := range []string{
		plain,
		signed.String(),
		strings.Replace(signed.String(), "hello", "hellO", 1),
		"DKIM-Signature: v=1; a=rsa-sha256; d=shop.example; s=s1; h=from; bh=; b=\r\nFrom: alice@shop.example\r\n\r\n",
		"DKIM-Signature: v=1; d=shop.example; s=s1;; b==\r\n\r\n",
		"",
		"\r\n\r\n",
	} {
		f.Add([]byte(seed))
	}
	a := NewAuthenticator(AuthOptions{Resolver: dns})
	f.Fuzz(func(t *testing.T, raw []byte) {
		res := a.Check(t.Context(), raw, "alice@shop.example", Envelope{IP: net.IPv4(127, 0, 0, 1), Helo: "client.test", MailFrom: "alice@shop.example"})
		if !res.Check.Valid() || res.Check == domain.IdentityUnchecked {
			t.Fatalf("check %q", res.Check)
		}
		if res.Check == domain.IdentityVerified && res.DKIM != "pass" {
			t.Fatalf("VERIFIED without a DKIM pass: %s", res)
		}
		if res.SPF != "fail" {
			t.Fatalf("spf=%s for a client shop.example's SPF refuses", res.SPF)
		}
	})
}
