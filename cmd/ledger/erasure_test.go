package main

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	_ "github.com/ClickHouse/clickhouse-go/v2" // the database/sql driver "clickhouse"

	"github.com/interactionledger/ledger/analytics/clickhouse/chtest"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore"
	"github.com/interactionledger/ledger/eventstore/sqlite"
)

// erasureSecrets are what the erased customer wrote or was known by; none
// may stay readable anywhere after the erasure.
var erasureSecrets = []string{
	"Han Meimei", "meimei@example.com", "13912345678",
	"never arrived", "courier never called", "still no parcel", "Parcel 4471", "we will ring you back",
}

const erasureMail = "From: Han Meimei <meimei@example.com>\r\n" +
	"To: support@shop.example\r\n" +
	"Subject: Parcel 4471 lost\r\n" +
	"Message-ID: <m-77@mail.example.net>\r\n" +
	"Date: Mon, 23 Nov 2026 10:00:00 +0800\r\n" +
	"Content-Type: text/plain; charset=UTF-8\r\n" +
	"\r\n" +
	"My parcel 4471 never arrived. Call me on 13912345678.\r\n"

// TestErasureLeavesNothingReadable is the erasure of the compliance
// issue, end to end on `ledger serve` as a process: a customer with
// messages on three channels (email, SMS, app), a reply, a ticket and QA
// scores is erased by an admin; then no byte of their name, email
// address, phone number or message text is readable in the data
// directory's files (ledger, read models, embedded analytics, key store),
// in ClickHouse's facts or in the server's log; the ledger verifies,
// report totals are what they were, and a rebuild of the read models
// shows [erased].
func TestErasureLeavesNothingReadable(t *testing.T) {
	t.Setenv("LEDGER_JWT_SECRET", "")
	ch := chtest.Start(t)
	bin := crashLedgerBinary(t)
	dir := t.TempDir()
	p := newProviders(t, testAppPushSecret)
	smtpAddr := freeTCPAddr(t)
	srv := startServeProcessEnv(t, bin, "erasure", []string{"LEDGER_LOG_LEVEL=info"}, "--data", dir,
		"--http", "127.0.0.1:0", "--admin-http", "127.0.0.1:0", "--limit-exempt", "127.0.0.0/8,::1",
		"--app-server-key", testAppServerKey, "--sms-auth-token", testSMSToken,
		"--sms-api", p.srv.URL+"/sms/2010-04-01/Accounts/AC1", "--sms-from", "+10005550100",
		// --email-auth off: the test's mail domains are in no DNS; looking
		// them up would make the test wait on the network.
		"--smtp", smtpAddr, "--smtp-from", "Support <support@shop.example>", "--email-auth", "off", "--clickhouse", ch.DSN())
	waitFor(t, srv.admin+"/readyz", 200)
	file := openLedgerFile(t, dir)
	agent := strings.TrimSpace(mustLedger(t, "token", "--data", dir, "--role", "agent", "--subject", "a1"))
	admin := strings.TrimSpace(mustLedger(t, "token", "--data", dir, "--role", "admin", "--subject", "dpo"))

	// Email first: it registers the customer under the name in From.
	if err := sendMail(smtpAddr, erasureMail); err != nil {
		t.Fatal(err)
	}
	customer := waitForCustomerNamed(t, srv.base, agent, "Han Meimei")
	gqlOn(t, srv.base, agent, fmt.Sprintf(`mutation { linkIdentity(customerId: %q, kind: PHONE, value: "+8613912345678", idempotencyKey: "link") { customer { id } } }`, customer), nil)
	smsMessage(t, srv.base, "SMerase1", "+8613912345678", "the courier never called")
	appKeyMessage(t, srv.base, "app-erase-1", "+8613912345678", "still no parcel")
	interactions := waitForInteractions(t, srv.base, agent, customer, 3)
	gqlOn(t, srv.base, agent, fmt.Sprintf(`mutation { replyToInteraction(interactionId: %q, text: "we will ring you back", idempotencyKey: "reply") { position } }`, interactions[domain.ChannelSMS]), nil)
	gqlOn(t, srv.base, agent, fmt.Sprintf(`mutation { openTicket(customerId: %q, category: COMPLAINT, subject: "Parcel 4471 lost", description: "Han Meimei: never arrived", idempotencyKey: "ticket") { ticket { id } } }`, customer), nil)
	for ch, id := range interactions {
		gqlOn(t, srv.base, agent, fmt.Sprintf(`mutation { closeInteraction(interactionId: %q, disposition: FOLLOW_UP, summary: "Han Meimei, parcel 4471 never arrived", idempotencyKey: "close-%s") { position } }`, id, ch), nil)
	}
	eventually(t, "the three interactions scored by QA and the reply delivered", func() bool {
		return file.count(t, "QaScored") == 3 && len(smsBodies(p)) >= 1
	}, func() string {
		return fmt.Sprintf("QaScored %d, SMS sent %q, events %v", file.count(t, "QaScored"), smsBodies(p), file.types(t)) + "\n" + readTail(srv.log)
	})
	waitSink(t, srv.admin, file.head(t))
	if out, err := ledger(t, "analytics", "sync", "--data", dir, "--quiet"); err != nil {
		t.Fatalf("embedded analytics: %v\n%s", err, out)
	}
	before := reportTotals(t, dir, ch.DSN())
	// The three conversations and the ticket's notification.
	if before["embedded"] != 4 || before["clickhouse"] != 4 {
		t.Fatalf("before the erasure the reports count %v interactions, want 4 on each back end", before)
	}
	if !bytes.Contains(readAllFiles(t, dir), []byte("Han Meimei")) {
		t.Fatal("the read models do not hold the name before the erasure: the search below would prove nothing")
	}

	var erased struct {
		EraseCustomer struct{ Customer struct{ DisplayName string } }
	}
	gqlOn(t, srv.base, admin, fmt.Sprintf(`mutation { eraseCustomer(customerId: %q, reason: "data subject request DSR-17", idempotencyKey: "erase", consistency: READ_YOUR_WRITES) { customer { displayName } } }`, customer), &erased)
	if got := erased.EraseCustomer.Customer.DisplayName; got != domain.ErasedText {
		t.Fatalf("the erased customer reads %q", got)
	}
	waitSink(t, srv.admin, file.head(t))
	srv.stop(t)
	if out, err := ledger(t, "analytics", "sync", "--data", dir, "--quiet"); err != nil {
		t.Fatalf("embedded analytics after the erasure: %v\n%s", err, out)
	}

	assertNothingReadable(t, "the data directory", readAllFiles(t, dir))
	log, _ := os.ReadFile(srv.log)
	assertNothingReadable(t, "the server's log", log)
	assertNothingReadable(t, "ClickHouse's facts", clickHouseRows(t, ch.DSN()))
	if out, err := ledger(t, "verify", "--data", dir); err != nil {
		t.Fatalf("verify after the erasure: %v\n%s", err, out)
	}
	if after := reportTotals(t, dir, ch.DSN()); after["embedded"] != before["embedded"] || after["clickhouse"] != before["clickhouse"] {
		t.Fatalf("report totals %v after the erasure, %v before", after, before)
	}

	if out, err := ledger(t, "projections", "rebuild", "--data", dir, "--quiet"); err != nil {
		t.Fatalf("rebuild: %v\n%s", err, out)
	}
	assertNothingReadable(t, "the data directory after a rebuild", readAllFiles(t, dir))
	export := mustLedger(t, "export-subject", "--data", dir, "--customer", customer)
	if !strings.Contains(export, domain.ErasedText) {
		t.Fatalf("after a rebuild the customer's export does not read %s:\n%s", domain.ErasedText, export)
	}
	assertNothingReadable(t, "the rebuilt export", []byte(export))
}

func assertNothingReadable(t *testing.T, where string, b []byte) {
	t.Helper()
	for _, s := range erasureSecrets {
		if i := bytes.Index(b, []byte(s)); i >= 0 {
			lo, hi := max(0, i-80), min(len(b), i+len(s)+80)
			t.Errorf("%s still holds %q: …%q…", where, s, b[lo:hi])
		}
	}
}

// readAllFiles is every byte of every file under dir.
func readAllFiles(t *testing.T, dir string) []byte {
	t.Helper()
	var all []byte
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err == nil {
			all = append(append(all, b...), '\n')
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return all
}

// clickHouseRows is every row of every table of the ledger's ClickHouse
// database, as text.
func clickHouseRows(t *testing.T, dsn string) []byte {
	t.Helper()
	db, err := sql.Open("clickhouse", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tables, err := db.QueryContext(t.Context(), "SELECT name FROM system.tables WHERE database = currentDatabase()")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for tables.Next() {
		var n string
		if err := tables.Scan(&n); err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
	}
	tables.Close()
	var out bytes.Buffer
	for _, n := range names {
		rows, err := db.QueryContext(t.Context(), fmt.Sprintf("SELECT * FROM `%s`", n))
		if err != nil {
			t.Fatalf("read %s: %v", n, err)
		}
		types, err := rows.ColumnTypes()
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			vals := make([]any, len(types))
			for i, ct := range types {
				vals[i] = reflect.New(ct.ScanType()).Interface()
			}
			if err := rows.Scan(vals...); err != nil {
				t.Fatalf("read %s: %v", n, err)
			}
			out.WriteString(n)
			for _, v := range vals {
				fmt.Fprintf(&out, "\t%v", reflect.ValueOf(v).Elem().Interface())
			}
			out.WriteByte('\n')
		}
		rows.Close()
	}
	if out.Len() == 0 {
		t.Fatal("ClickHouse holds no rows: the search would prove nothing")
	}
	return out.Bytes()
}

// reportTotals counts interactions in channel_volume on both back ends.
func reportTotals(t *testing.T, dir, dsn string) map[string]float64 {
	t.Helper()
	from := time.Now().AddDate(0, 0, -2).Format("2006-01-02")
	to := time.Now().AddDate(0, 0, 2).Format("2006-01-02")
	totals := map[string]float64{}
	for name, extra := range map[string][]string{"embedded": nil, "clickhouse": {"--clickhouse", dsn}} {
		out := mustLedger(t, append([]string{"report", "channel_volume", "--data", dir, "--from", from, "--to", to, "--group-by", "channel", "--format", "json"}, extra...)...)
		var res struct{ Rows []map[string]any }
		if err := json.Unmarshal([]byte(out), &res); err != nil {
			t.Fatalf("%s report: %v\n%s", name, err, out)
		}
		for _, r := range res.Rows {
			totals[name] += r["interactions"].(float64)
		}
	}
	return totals
}

func waitForCustomerNamed(t *testing.T, base, token, name string) string {
	t.Helper()
	var id string
	eventually(t, "the customer "+name, func() bool {
		var r struct {
			Customers struct {
				Nodes []struct{ ID, DisplayName string }
			}
		}
		gqlOn(t, base, token, fmt.Sprintf(`{ customers(search: %q, first: 5) { nodes { id displayName } } }`, name), &r)
		for _, c := range r.Customers.Nodes {
			if c.DisplayName == name {
				id = c.ID
				return true
			}
		}
		return false
	})
	return id
}

func waitForInteractions(t *testing.T, base, token, customer string, n int) map[domain.Channel]string {
	t.Helper()
	got := map[domain.Channel]string{}
	eventually(t, fmt.Sprintf("%d interactions of the customer", n), func() bool {
		var r struct {
			Customer struct {
				Interactions struct {
					Nodes []struct{ ID, Channel string }
				}
			}
		}
		gqlOn(t, base, token, fmt.Sprintf(`{ customer(id: %q) { interactions(first: 10) { nodes { id channel } } } }`, customer), &r)
		for _, it := range r.Customer.Interactions.Nodes {
			got[domain.Channel(it.Channel)] = it.ID
		}
		return len(got) == n
	})
	return got
}

// ledgerFile is the ledger in dir, read from its file as another process
// may while the server writes it.
type ledgerFile struct{ store eventstore.Store }

func openLedgerFile(t *testing.T, dir string) ledgerFile {
	t.Helper()
	store, err := sqlite.Open(t.Context(), filepath.Join(dir, eventsFile), sqlite.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	return ledgerFile{store}
}

func (l ledgerFile) count(t *testing.T, typ string) int {
	return countType(allLedgerEvents(t, l.store), typ)
}

func (l ledgerFile) types(t *testing.T) map[string]int {
	n := map[string]int{}
	for _, e := range allLedgerEvents(t, l.store) {
		n[e.Type]++
	}
	return n
}

func (l ledgerFile) head(t *testing.T) float64 {
	t.Helper()
	head, err := l.store.HeadPosition(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return float64(head)
}

func freeTCPAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// appKeyMessage posts an app message as the company's backend does, with
// the server key.
func appKeyMessage(t *testing.T, base, id, phone, text string) {
	t.Helper()
	req, err := crashRequest(t.Context(), base, crashMessage{channel: domain.ChannelApp, id: id, from: phone, text: text})
	if err != nil {
		t.Fatal(err)
	}
	if status, answer := postTo(t, req); status != 200 {
		t.Fatalf("app: %d %s", status, answer)
	}
}
