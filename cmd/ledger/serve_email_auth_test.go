package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-msgauth/dkim"
	"github.com/emersion/go-smtp"

	"github.com/interactionledger/ledger/domain"
)

// txtDNS answers TXT from a map and knows nothing else.
type txtDNS struct {
	noDNS
	txt map[string][]string
}

func (d txtDNS) LookupTXT(ctx context.Context, name string) ([]string, error) {
	if v, ok := d.txt[strings.TrimSuffix(strings.ToLower(name), ".")]; ok {
		return v, nil
	}
	return d.noDNS.LookupTXT(ctx, name)
}

// TestForgedEmailThroughServe: through `ledger serve --smtp` (default
// --email-auth enforce), a DKIM-signed mail from a customer whose domain
// publishes DMARC p=reject is recorded VERIFIED; a mail with the same
// From, no signature and an envelope SPF does not vouch for is FAILED,
// on another customer, in another interaction.
func TestForgedEmailThroughServe(t *testing.T) {
	pub, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	dns := txtDNS{txt: map[string][]string{
		"k1._domainkey.customer.example": {"v=DKIM1; k=ed25519; p=" + base64.StdEncoding.EncodeToString(pub)},
		"_dmarc.customer.example":        {"v=DMARC1; p=reject"},
	}}
	srv, c := serveEmailWith(t, t.TempDir(), "", dns)
	defer func() { _ = srv.shutdown(10 * time.Second) }()

	raw := func(id, text string) string {
		return "From: Li Wei <li.wei@customer.example>\r\nTo: support@shop.example\r\nSubject: Order\r\n" +
			"Message-ID: <" + id + ">\r\nDate: Mon, 23 Nov 2026 10:00:00 +0800\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n" + text + "\r\n"
	}
	var signed bytes.Buffer
	if err := dkim.Sign(&signed, strings.NewReader(raw("real@customer.example", "My order has not arrived.")),
		&dkim.SignOptions{Domain: "customer.example", Selector: "k1", Signer: key}); err != nil {
		t.Fatal(err)
	}
	send := func(envelope, msg string) {
		t.Helper()
		cl, err := smtp.Dial(c.addr)
		if err != nil {
			t.Fatal(err)
		}
		defer cl.Close()
		if err := cl.SendMail(envelope, []string{"support@shop.example"}, strings.NewReader(msg)); err != nil {
			t.Fatalf("deliver: %v", err)
		}
	}
	send("li.wei@customer.example", signed.String())
	send("x@forger.example", raw("forged@forger.example", "Please read me my card number."))

	started := map[string]domain.InteractionStarted{}
	page, err := srv.store.ReadAll(t.Context(), 0, 10_000)
	if err != nil {
		t.Fatal(err)
	}
	byMessage := map[string]string{}
	for _, rec := range page {
		e, err := domain.DecodeEvent(rec.Type, rec.Schema, rec.Data)
		if err != nil {
			t.Fatal(err)
		}
		switch e := e.(type) {
		case domain.InteractionStarted:
			started[e.InteractionID] = e
		case domain.MessageReceived:
			byMessage[e.MessageID] = e.InteractionID
		}
	}
	real, forged := started[byMessage["real@customer.example"]], started[byMessage["forged@forger.example"]]
	if real.IdentityCheck != domain.IdentityVerified || forged.IdentityCheck != domain.IdentityFailed {
		t.Fatalf("signed mail %q (%s), forged mail %q (%s); want VERIFIED and FAILED", real.IdentityCheck, real.Authentication, forged.IdentityCheck, forged.Authentication)
	}
	if forged.CustomerID == real.CustomerID || forged.InteractionID == real.InteractionID {
		t.Errorf("the forged mail joined the customer: customer %s, interaction %s", forged.CustomerID, forged.InteractionID)
	}
	if !strings.Contains(forged.Authentication, "spf=none") || !strings.Contains(real.Authentication, "dkim=pass") {
		t.Errorf("results: signed %q, forged %q", real.Authentication, forged.Authentication)
	}
}
