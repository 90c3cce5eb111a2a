package email_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"net"
	"strings"
	"testing"

	"github.com/emersion/go-msgauth/dkim"

	"github.com/interactionledger/ledger/channels/email"
	"github.com/interactionledger/ledger/domain"
)

// fakeDNS answers TXT from a map and knows no other record: the checks
// run offline.
type fakeDNS map[string][]string

func notFound(name string) error {
	return &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
}

func (f fakeDNS) LookupTXT(_ context.Context, name string) ([]string, error) {
	if txt, ok := f[strings.ToLower(strings.TrimSuffix(name, "."))]; ok {
		return txt, nil
	}
	return nil, notFound(name)
}

func (fakeDNS) LookupMX(_ context.Context, name string) ([]*net.MX, error) {
	return nil, notFound(name)
}

func (fakeDNS) LookupIPAddr(_ context.Context, host string) ([]net.IPAddr, error) {
	return nil, notFound(host)
}

func (fakeDNS) LookupAddr(_ context.Context, addr string) ([]string, error) {
	return nil, notFound(addr)
}

// shopDNS publishes shop.example's DKIM key (selector s1), a DMARC policy
// of reject and an SPF record that authorises no client; plain.example
// publishes nothing.
func shopDNS(t *testing.T) (fakeDNS, ed25519.PrivateKey) {
	t.Helper()
	pub, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return fakeDNS{
		"s1._domainkey.shop.example": {"v=DKIM1; k=ed25519; p=" + base64.StdEncoding.EncodeToString(pub)},
		"_dmarc.shop.example":        {"v=DMARC1; p=reject"},
		"shop.example":               {"v=spf1 -all"},
	}, key
}

// startAuthServer runs the SMTP server checking mail with auth.
func startAuthServer(t *testing.T, l *ledger, auth *email.Authenticator) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	recv := email.NewReceiver(l.handler, email.ReceiverOptions{SupportAddress: "support@example.com", Auth: auth, Logger: quiet})
	srv := email.NewServer(recv, email.ServerConfig{Logger: quiet})
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), waitFor)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return ln.Addr().String()
}

// mail is a plain message From from, with extra header lines.
func mail(from, msgID, subject, text string, extra ...string) []byte {
	h := []string{"From: " + from, "To: support@example.com", "Subject: " + subject,
		"Date: Mon, 06 Jan 2025 10:00:00 +0800", "Message-ID: <" + msgID + ">"}
	h = append(h, extra...)
	h = append(h, "MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8")
	return []byte(strings.Join(h, "\r\n") + "\r\n\r\n" + text + "\r\n")
}

// signed is raw signed by shop.example's key.
func signed(t *testing.T, key ed25519.PrivateKey, raw []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	err := dkim.Sign(&out, bytes.NewReader(raw), &dkim.SignOptions{Domain: "shop.example", Selector: "s1", Signer: key,
		HeaderCanonicalization: dkim.CanonicalizationRelaxed, BodyCanonicalization: dkim.CanonicalizationRelaxed})
	if err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// startedBy returns the InteractionStarted of the message with id msgID.
func startedBy(t *testing.T, l *ledger, msgID string) domain.InteractionStarted {
	t.Helper()
	m, ok := l.received(t)[msgID]
	if !ok {
		t.Fatalf("message %s not recorded", msgID)
	}
	s, ok := l.interactions(t)[m.InteractionID]
	if !ok {
		t.Fatalf("interaction %s of message %s not started", m.InteractionID, msgID)
	}
	return s
}

// TestForgedFromNeverJoinsTheCustomer delivers, over SMTP, a DKIM-signed
// mail from a customer of shop.example (DMARC p=reject), then a mail with
// the same From and no signature from a client SPF does not authorise,
// as a new thread and as a reply into the customer's thread. The signed
// mail is VERIFIED and joins the customer; the forged ones are FAILED, on
// a customer and interactions of their own, and the address's owner is
// unchanged. A domain with no DMARC policy is UNVERIFIED and joins.
func TestForgedFromNeverJoinsTheCustomer(t *testing.T) {
	dns, key := shopDNS(t)
	l := newLedger(t)
	addr := startAuthServer(t, l, email.NewAuthenticator(email.AuthOptions{Resolver: dns}))

	genuine := signed(t, key, mail("Alice <alice@shop.example>", "g1@shop.example", "Order 42", "Where is my order?"))
	if err := deliver(t, addr, "alice@shop.example", genuine); err != nil {
		t.Fatalf("deliver the signed mail: %v", err)
	}
	real := startedBy(t, l, "g1@shop.example")
	if real.IdentityCheck != domain.IdentityVerified || real.Authentication != "dkim=pass spf=fail dmarc=pass" {
		t.Errorf("signed mail: check %q, results %q; want VERIFIED, dkim=pass spf=fail dmarc=pass", real.IdentityCheck, real.Authentication)
	}

	forged := mail("Alice <alice@shop.example>", "f1@evil.example", "Change my address", "Send my parcel elsewhere")
	if err := deliver(t, addr, "bounce@evil.example", forged); err != nil {
		t.Fatalf("deliver the forged mail: %v", err)
	}
	intoThread := mail("Alice <alice@shop.example>", "f2@evil.example", "Re: Order 42", "What is my card number?",
		"In-Reply-To: <g1@shop.example>", "References: <g1@shop.example>")
	if err := deliver(t, addr, "bounce@evil.example", intoThread); err != nil {
		t.Fatalf("deliver the forged reply: %v", err)
	}
	for _, id := range []string{"f1@evil.example", "f2@evil.example"} {
		if m := l.received(t)[id]; m.IdentityCheck != domain.IdentityFailed || m.Authentication != "dkim=none spf=none dmarc=fail" {
			t.Errorf("forged %s: message recorded as %q, %q", id, m.IdentityCheck, m.Authentication)
		}
		f := startedBy(t, l, id)
		if f.IdentityCheck != domain.IdentityFailed || f.Authentication != "dkim=none spf=none dmarc=fail" {
			t.Errorf("forged %s: check %q, results %q; want FAILED, dkim=none spf=none dmarc=fail", id, f.IdentityCheck, f.Authentication)
		}
		if f.CustomerID == real.CustomerID || f.InteractionID == real.InteractionID {
			t.Errorf("forged %s joined the customer's %s/%s", id, real.CustomerID, real.InteractionID)
		}
		if f.Identity != real.Identity {
			t.Errorf("forged %s recorded as %v, want the address it claims (%v) shown as failed", id, f.Identity, real.Identity)
		}
	}
	before := len(l.events(t))
	if err := deliver(t, addr, "bounce@evil.example", forged); err != nil {
		t.Fatalf("redeliver the forged mail: %v", err)
	}
	if after := len(l.events(t)); after != before {
		t.Errorf("the forged mail's redelivery appended %d events", after-before)
	}
	var forger string
	for _, r := range l.events(t) {
		switch e := r.event.(type) {
		case domain.IdentityLinked:
			if e.CustomerID != real.CustomerID {
				t.Errorf("identity %v linked to %s, not to its owner %s", e.Identity, e.CustomerID, real.CustomerID)
			}
		case domain.CustomerRegistered:
			if e.CustomerID != real.CustomerID {
				forger = e.CustomerID
				if e.DisplayName != "Unverified: Alice" {
					t.Errorf("the forger's customer is named %q", e.DisplayName)
				}
			}
		}
	}
	if forger == "" || forger != startedBy(t, l, "f1@evil.example").CustomerID || forger != startedBy(t, l, "f2@evil.example").CustomerID {
		t.Errorf("forged mail not on one unverified customer: %q", forger)
	}

	again := signed(t, key, mail("alice@shop.example", "g2@shop.example", "Re: Order 42", "Thanks", "In-Reply-To: <g1@shop.example>"))
	if err := deliver(t, addr, "alice@shop.example", again); err != nil {
		t.Fatalf("deliver the second signed mail: %v", err)
	}
	if m := l.received(t)["g2@shop.example"]; m.InteractionID != real.InteractionID || m.IdentityCheck != domain.IdentityVerified {
		t.Errorf("the customer's signed reply landed in %s as %q, the thread is %s", m.InteractionID, m.IdentityCheck, real.InteractionID)
	}

	plain := mail("bob@plain.example", "p1@plain.example", "Hello", "No DMARC here")
	if err := deliver(t, addr, "bob@plain.example", plain); err != nil {
		t.Fatalf("deliver the mail from a domain without DMARC: %v", err)
	}
	if p := startedBy(t, l, "p1@plain.example"); p.IdentityCheck != domain.IdentityUnverified || p.Authentication != "dkim=none spf=none dmarc=none" {
		t.Errorf("mail from a domain without DMARC: check %q, results %q; want UNVERIFIED, dkim=none spf=none dmarc=none", p.IdentityCheck, p.Authentication)
	}
}

// TestAuthRecordModeJoinsButMarks: with --email-auth record a forged From
// joins the address's owner, marked UNVERIFIED with dmarc=fail recorded;
// with off nothing is checked.
func TestAuthRecordModeJoinsButMarks(t *testing.T) {
	dns, key := shopDNS(t)
	for _, tc := range []struct {
		mode      email.AuthMode
		want      domain.IdentityCheck
		wantAuth  string
		sameOwner bool
	}{
		{email.AuthRecord, domain.IdentityUnverified, "dkim=none spf=none dmarc=fail", true},
		{email.AuthOff, domain.IdentityUnchecked, "", true},
	} {
		t.Run(string(tc.mode), func(t *testing.T) {
			l := newLedger(t)
			addr := startAuthServer(t, l, email.NewAuthenticator(email.AuthOptions{Mode: tc.mode, Resolver: dns}))
			if err := deliver(t, addr, "alice@shop.example", signed(t, key, mail("alice@shop.example", "g1@shop.example", "Order", "Hi"))); err != nil {
				t.Fatal(err)
			}
			if err := deliver(t, addr, "bounce@evil.example", mail("alice@shop.example", "f1@evil.example", "Other", "Hi")); err != nil {
				t.Fatal(err)
			}
			real, forged := startedBy(t, l, "g1@shop.example"), startedBy(t, l, "f1@evil.example")
			if forged.IdentityCheck != tc.want || forged.Authentication != tc.wantAuth {
				t.Errorf("forged: check %q, results %q; want %q, %q", forged.IdentityCheck, forged.Authentication, tc.want, tc.wantAuth)
			}
			if (forged.CustomerID == real.CustomerID) != tc.sameOwner {
				t.Errorf("forged on customer %s, owner %s", forged.CustomerID, real.CustomerID)
			}
		})
	}
}
