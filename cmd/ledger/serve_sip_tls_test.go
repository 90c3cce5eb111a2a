package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"flag"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/emiago/sipgo"
	siplib "github.com/emiago/sipgo/sip"

	"github.com/interactionledger/ledger/channels/sip"
	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/internal/testcert"
)

// writeSelfSigned writes a self-signed certificate for 127.0.0.1 and its
// key as PEM files in dir and returns their paths and a pool trusting it.
func writeSelfSigned(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	p := testcert.SelfSigned(t)
	certFile, keyFile = p.WriteFiles(t, dir)
	return certFile, keyFile, p.Pool
}

// TestSIPTLSFlags: --sip-tls and its certificate files come from flags or
// LEDGER_SIP_TLS*, and a TLS listener without a certificate, or a
// certificate without a listener, is a usage error (exit 2).
func TestSIPTLSFlags(t *testing.T) {
	t.Setenv("LEDGER_SIP_TLS", "127.0.0.1:5071")
	t.Setenv("LEDGER_SIP_TLS_CERT", "/etc/ledger/sip.crt")
	t.Setenv("LEDGER_SIP_TLS_KEY", "/etc/ledger/sip.key")
	c := &sIPComponent{}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	c.addFlags(fs)
	if err := fs.Parse(nil); err != nil {
		t.Fatal(err)
	}
	if c.tlsAddr != "127.0.0.1:5071" || c.tlsCert != "/etc/ledger/sip.crt" || c.tlsKey != "/etc/ledger/sip.key" {
		t.Fatalf("flags %+v", c)
	}
	dir := t.TempDir()
	certFile, keyFile, _ := writeSelfSigned(t, dir)
	for _, bad := range []*sIPComponent{
		{addr: "127.0.0.1:0", tlsAddr: "127.0.0.1:0"},                                                  // no certificate
		{addr: "127.0.0.1:0", tlsAddr: "127.0.0.1:0", tlsCert: certFile},                               // no key
		{addr: "127.0.0.1:0", tlsCert: certFile, tlsKey: keyFile},                                      // no --sip-tls
		{tlsAddr: "127.0.0.1:0", tlsCert: certFile, tlsKey: keyFile},                                   // no --sip
		{addr: "127.0.0.1:0", tlsAddr: "127.0.0.1:0", tlsCert: keyFile, tlsKey: certFile},              // swapped
		{addr: "127.0.0.1:0", tlsAddr: "127.0.0.1:0", tlsCert: certFile + ".missing", tlsKey: keyFile}, // missing file
	} {
		if err := bad.start(&serveCore{dataDir: dir}, offers{}); exitCode(err) != 2 {
			t.Errorf("start %+v: %v, want exit code 2", bad, err)
		}
	}
}

// TestSIPOverTLS: `ledger serve --sip --sip-tls` with a certificate; an
// agent's phone (sipgo's client, verifying the certificate) registers over
// TLS: the 401 challenge, then 200.
func TestSIPOverTLS(t *testing.T) {
	dir := t.TempDir()
	cred := sip.Credential{AgentID: "agent-007", Realm: "ledger", HA1: sip.HA1("agent-007", "ledger", "pw-007-secret")}
	if err := sip.WriteCredentialsFile(filepath.Join(dir, sip.CredentialsFileName), []sip.Credential{cred}); err != nil {
		t.Fatal(err)
	}
	certFile, keyFile, pool := writeSelfSigned(t, t.TempDir())
	phone := &sIPComponent{addr: "127.0.0.1:0", trunks: "127.0.0.0/8", tlsAddr: "127.0.0.1:0", tlsCert: certFile, tlsKey: keyFile,
		realm: "ledger", ringTimeout: 10 * time.Second, queueTimeout: time.Minute}
	srv, err := startServer(t.Context(), serveConfig{data: dir, addr: "127.0.0.1:0"}, phone)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = srv.shutdown(10 * time.Second) }()
	h := commands.NewHandler(srv.store)
	if _, err := h.Agent(t.Context(), "agent-007", domain.RegisterAgent{AgentID: "agent-007", Name: "Wang Fang"}, commands.Meta{Actor: "system:test"}); err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(phone.srv.TLSAddr())
	tlsPort, _ := strconv.Atoi(port)

	ua, err := sipgo.NewUA(sipgo.WithUserAgenTLSConfig(&tls.Config{RootCAs: pool, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12}))
	if err != nil {
		t.Fatal(err)
	}
	defer ua.Close()
	client, err := sipgo.NewClient(ua, sipgo.WithClientHostname("127.0.0.1"))
	if err != nil {
		t.Fatal(err)
	}
	req := siplib.NewRequest(siplib.REGISTER, siplib.Uri{Scheme: "sip", Host: "127.0.0.1", Port: tlsPort})
	req.SetTransport("TLS")
	aor := siplib.Uri{Scheme: "sip", User: "agent-007", Host: "127.0.0.1"}
	from := siplib.NewParams()
	from.Add("tag", "tls-phone")
	req.AppendHeader(&siplib.FromHeader{Address: aor, Params: from})
	req.AppendHeader(&siplib.ToHeader{Address: aor, Params: siplib.NewParams()})
	req.AppendHeader(&siplib.ContactHeader{Address: siplib.Uri{Scheme: "sip", User: "agent-007", Host: "127.0.0.1", Port: 5099}})
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	res, err := client.Do(ctx, req)
	if err != nil || res.StatusCode != 401 {
		t.Fatalf("first REGISTER over TLS: %v %v, want the 401 challenge", res, err)
	}
	res, err = client.DoDigestAuth(ctx, req, res, sipgo.DigestAuth{Username: "agent-007", Password: "pw-007-secret"})
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("authenticated REGISTER over TLS: %v %v, want 200", res, err)
	}
}

// TestCertReloader: a renewed certificate is served from the next
// handshake on; a broken pair keeps the last good one.
func TestCertReloader(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile, _ := writeSelfSigned(t, dir)
	r, err := newCertReloader(certFile, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	first, _ := r.get(nil)
	renewed := t.TempDir()
	newCert, newKey, _ := writeSelfSigned(t, renewed)
	later := time.Now().Add(time.Minute)
	for src, dst := range map[string]string{newCert: certFile, newKey: keyFile} {
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, b, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(dst, later, later); err != nil {
			t.Fatal(err)
		}
	}
	r.checked = time.Time{}
	second, _ := r.get(nil)
	if string(second.Certificate[0]) == string(first.Certificate[0]) {
		t.Fatal("the renewed certificate is not served")
	}
	if err := os.WriteFile(certFile, []byte("half written"), 0o600); err != nil {
		t.Fatal(err)
	}
	_ = os.Chtimes(certFile, later.Add(time.Minute), later.Add(time.Minute))
	r.checked = time.Time{}
	if third, _ := r.get(nil); third != second {
		t.Fatal("a broken certificate file replaced the last good one")
	}
}
