package email

import (
	"errors"
	"testing"

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
