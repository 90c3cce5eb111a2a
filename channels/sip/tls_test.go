package sip

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/emiago/sipgo"
	siplib "github.com/emiago/sipgo/sip"

	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/internal/testcert"
)

// selfSigned returns a certificate for 127.0.0.1 and a pool that trusts
// it.
func selfSigned(t testing.TB) (tls.Certificate, *x509.CertPool) {
	p := testcert.SelfSigned(t)
	return p.Cert, p.Pool
}

// TestRegisterOverTLS: a softphone (sipgo's client) registers over SIP
// over TLS, verifying the ledger's certificate: the 401 challenge and then
// the 200 come over TLS, and the binding records the tls transport.
func TestRegisterOverTLS(t *testing.T) {
	l := newTestLedger(t)
	var creds []Credential
	l.agent(t, &creds, "agent-001", "s3cret-001", domain.PresenceAvailable)
	cert, pool := selfSigned(t)
	s := startServer(t, l, creds, l.storeDirectory("agent-001"), func(c *Config) {
		c.TLSAddr = "127.0.0.1:0"
		c.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	})
	if s.TLSAddr() == "" {
		t.Fatal("no TLS listener")
	}
	_, port, _ := net.SplitHostPort(s.TLSAddr())
	tlsPort, _ := strconv.Atoi(port)

	ua, err := sipgo.NewUA(sipgo.WithUserAgent("tls phone"), sipgo.WithUserAgenTLSConfig(&tls.Config{RootCAs: pool, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ua.Close() })
	client, err := sipgo.NewClient(ua, sipgo.WithClientHostname("127.0.0.1"))
	if err != nil {
		t.Fatal(err)
	}
	req := siplib.NewRequest(siplib.REGISTER, siplib.Uri{Scheme: "sip", Host: "127.0.0.1", Port: tlsPort})
	req.SetTransport("TLS")
	aor := siplib.Uri{Scheme: "sip", User: "agent-001", Host: "127.0.0.1"}
	fromParams := siplib.NewParams()
	fromParams.Add("tag", "tls-phone")
	req.AppendHeader(&siplib.FromHeader{Address: aor, Params: fromParams})
	req.AppendHeader(&siplib.ToHeader{Address: aor, Params: siplib.NewParams()})
	contactParams := siplib.NewParams()
	contactParams.Add("transport", "tls")
	req.AppendHeader(&siplib.ContactHeader{Address: siplib.Uri{Scheme: "sip", User: "agent-001", Host: "127.0.0.1", Port: 5099, UriParams: contactParams}})
	req.AppendHeader(siplib.NewHeader("Expires", "600"))

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := client.Do(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != 401 {
		t.Fatalf("first REGISTER answered %d, want the 401 challenge", res.StatusCode)
	}
	res, err = client.DoDigestAuth(ctx, req, res, sipgo.DigestAuth{Username: "agent-001", Password: "s3cret-001"})
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != 200 {
		t.Fatalf("authenticated REGISTER answered %d %s, want 200", res.StatusCode, res.Reason)
	}
	if !res.IsSuccess() || res.Transport() != "TLS" {
		t.Fatalf("the 200 came over %q, want TLS", res.Transport())
	}
	b, ok := s.registrar.lookup("agent-001")
	if !ok {
		t.Fatal("agent-001 is not registered")
	}
	if b.transport != "tls" || b.contact.Port != 5099 {
		t.Fatalf("binding %+v, want the tls Contact on port 5099", b)
	}
}

// TestTLSNeedsCertificate: a TLS listener without a certificate is a
// configuration error, not a listener that fails every handshake.
func TestTLSNeedsCertificate(t *testing.T) {
	l := newTestLedger(t)
	_, err := Listen(l.h, Config{
		Addr: "127.0.0.1:0", TLSAddr: "127.0.0.1:0", TLSConfig: &tls.Config{},
		Credentials: NewCredentialStore(t.TempDir() + "/creds"), Directory: l.storeDirectory(), Logger: quietLogger(),
	})
	if err == nil {
		t.Fatal("listening on TLS without a certificate succeeded")
	}
}
