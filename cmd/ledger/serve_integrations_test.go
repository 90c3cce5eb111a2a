package main

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore/unseal"
	"github.com/interactionledger/ledger/integrations"
)

// TestServeRecordsSignedFacts: `ledger serve --integration-secret-file`
// takes a CRM's signed plan at POST /integrations/facts, on an encrypted
// ledger, and the customer 360 shows it; a request signed with another
// secret is refused.
func TestServeRecordsSignedFacts(t *testing.T) {
	dir := t.TempDir()
	secret := "integration-secret-0123456789abcdef"
	file := filepath.Join(dir, "integration.secret")
	if err := os.WriteFile(file, []byte(secret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	srv, err := startServer(t.Context(), serveConfig{data: dir, addr: "127.0.0.1:0", adminAddr: "127.0.0.1:0"},
		&integrationsComponent{secretFile: file})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.shutdown(10 * time.Second) })
	waitFor(t, "http://"+srv.adminAddr+"/readyz", http.StatusOK)

	body := `{"identity":{"kind":"EMAIL","value":"li.lei@example.com"},"kind":"PLAN","source":"crm","externalId":"PL-88",
		"version":1,"tier":"VIP","attributes":{"planName":"Family Unlimited"}}`
	post := func(key string) (int, string) {
		t.Helper()
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, "http://"+srv.addr+"/integrations/facts", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		ts := strconv.FormatInt(time.Now().Unix(), 10)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(integrations.TimestampHeader, ts)
		req.Header.Set(integrations.SignatureHeader, integrations.Sign([]byte(key), ts, []byte(body)))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if status, answer := post("another secret, as long as the real one"); status != http.StatusUnauthorized {
		t.Fatalf("wrongly signed: %d %s", status, answer)
	}
	status, answer := post(secret)
	if status != http.StatusOK || !strings.Contains(answer, `"outcome":"RECORDED"`) {
		t.Fatalf("signed plan: %d %s", status, answer)
	}
	head, err := srv.store.HeadPosition(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.runner.WaitFor(t.Context(), head); err != nil {
		t.Fatal(err)
	}
	recs, err := unseal.Stored(srv.store).ReadAll(t.Context(), 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var customer string
	for _, r := range recs {
		if r.Type != "BusinessFactRecorded" {
			continue
		}
		e, err := domain.DecodeEvent(r.Type, r.Schema, r.Data)
		if err != nil {
			t.Fatal(err)
		}
		customer = e.(domain.BusinessFactRecorded).CustomerID
		if strings.Contains(string(r.Data), "Family Unlimited") {
			t.Errorf("the ledger stores the plan's attributes in clear: %s", r.Data)
		}
	}
	bc, err := srv.readDB.CustomerContext(t.Context(), customer)
	if err != nil {
		t.Fatal(err)
	}
	if len(bc.Plans) != 1 || bc.Plans[0].Tier != domain.TierVIP || bc.Plans[0].Attributes["planName"] != "Family Unlimited" {
		t.Errorf("the 360 of %s shows plans %+v", customer, bc.Plans)
	}
}
