package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore"
	"github.com/interactionledger/ledger/eventstore/blobs/s3test"
	"github.com/interactionledger/ledger/eventstore/datakeys"
	"github.com/interactionledger/ledger/eventstore/filecheckpoint"
	"github.com/interactionledger/ledger/eventstore/replica"
	"github.com/interactionledger/ledger/eventstore/storetest"
	"github.com/interactionledger/ledger/internal/s3spec"
)

// replicaWorld is a SeaweedFS bucket for replicas, with its credentials
// in this process's environment (restoreFromReplica reads them there).
type replicaWorld struct {
	srv    *s3test.Server
	bucket string
}

func newReplicaWorld(t *testing.T) *replicaWorld {
	t.Helper()
	srv := s3test.Start(t)
	t.Setenv(s3spec.EnvAccessKey, srv.AccessKey)
	t.Setenv(s3spec.EnvSecretKey, srv.SecretKey)
	return &replicaWorld{srv: srv, bucket: srv.NewBucket(t)}
}

func (w *replicaWorld) spec(prefix string) string {
	return fmt.Sprintf("s3://%s/%s?endpoint=%s&secure=false", w.bucket, prefix, w.srv.Endpoint)
}

func (w *replicaWorld) env() []string {
	return []string{s3spec.EnvAccessKey + "=" + w.srv.AccessKey, s3spec.EnvSecretKey + "=" + w.srv.SecretKey}
}

// replicateOnce ships the ledger in dir (stopped) to spec, as serve
// --replicate does, and returns its head.
func replicateOnce(t *testing.T, dir, spec string) uint64 {
	t.Helper()
	raw, err := openExistingStore(t.Context(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	keys, err := datakeys.Open(t.Context(), filepath.Join(dir, dataKeysFile), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer keys.Close()
	target, err := replica.Open(t.Context(), spec)
	if err != nil {
		t.Fatal(err)
	}
	r, err := replica.New(raw, target, replica.Options{Keys: keys})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Sync(t.Context()); err != nil {
		t.Fatal(err)
	}
	head, err := raw.HeadPosition(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if r.Position() != head {
		t.Fatalf("replicated to %d, head %d", r.Position(), head)
	}
	return head
}

// customerRecord reads customer's CustomerRegistered as the ledger in
// dir gives it (opened with the master key in keyFile), and as stored.
func customerRecord(t *testing.T, dir, keyFile, customer string) (opened, stored string) {
	t.Helper()
	store, err := openExistingSealed(t.Context(), keySource{dir: dir, file: keyFile})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	events, err := store.ReadStream(t.Context(), "customer-"+customer, 0, 1)
	if err != nil || len(events) != 1 {
		t.Fatalf("customer-%s in %s: %v, %d events", customer, dir, err, len(events))
	}
	raw, err := openExistingStore(t.Context(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	rawEvents, err := raw.ReadStream(t.Context(), "customer-"+customer, 0, 1)
	if err != nil || len(rawEvents) != 1 {
		t.Fatalf("customer-%s in %s as stored: %v", customer, dir, err)
	}
	return string(events[0].Data), string(rawEvents[0].Data)
}

// TestRestoreFromReplicaOfAnEncryptedLedger: the replica of an encrypted
// demo ledger restored to T (between two erasures) into an empty
// directory gives events.db and datakeys.db and nothing else; the ledger
// verifies, holds exactly the events up to T, reads with the master key
// (never shipped), and the customer erased before T stays erased (so does
// the one erased after it: an erasure destroyed the key for good).
func TestRestoreFromReplicaOfAnEncryptedLedger(t *testing.T) {
	w := newReplicaWorld(t)
	dir := demoLedger(t)
	keyFile := filepath.Join(dir, masterKeyFile)
	store, err := openExistingStore(t.Context(), dir)
	if err != nil {
		t.Fatal(err)
	}
	var customers []string
	for _, e := range storetest.ReadAll(t, store) {
		if c, ok := strings.CutPrefix(e.Stream, "customer-"); ok && e.Version == 0 {
			customers = append(customers, c)
		}
	}
	store.Close()
	if len(customers) < 3 {
		t.Fatalf("%d customers in the demo ledger", len(customers))
	}
	erasedBefore, erasedAfter, kept := customers[0], customers[1], customers[2]
	mustLedger(t, "erase", "--data", dir, "--customer", erasedBefore, "--reason", "DSR-1")
	spec := w.spec("drill/encrypted")
	headAtT := replicateOnce(t, dir, spec)
	time.Sleep(5 * time.Millisecond)
	asOf := time.Now()
	time.Sleep(5 * time.Millisecond)
	mustLedger(t, "erase", "--data", dir, "--customer", erasedAfter, "--reason", "DSR-2")
	if head := replicateOnce(t, dir, spec); head <= headAtT {
		t.Fatalf("the erasure after T appended nothing (head %d)", head)
	}

	staging := filepath.Join(t.TempDir(), "staging")
	var out bytes.Buffer
	if err := restoreFromReplica(t.Context(), spec, asOf, staging, &out); err != nil {
		t.Fatalf("restore: %v\n%s", err, out.String())
	}
	t.Log(strings.TrimSpace(out.String()))
	if !strings.Contains(out.String(), fmt.Sprintf("restored %d events", headAtT)) {
		t.Fatalf("the restore to T says\n%s\nwant %d events", out.String(), headAtT)
	}
	entries, _ := os.ReadDir(staging)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if !slices.Equal(names, []string{dataKeysFile, eventsFile}) {
		t.Fatalf("the staging directory holds %v, want only %s and %s", names, eventsFile, dataKeysFile)
	}
	if out, err := ledger(t, "verify", "--data", staging, "--quiet"); err != nil || !strings.HasPrefix(out, "OK: "+strconv.FormatUint(headAtT, 10)+" events") {
		t.Fatalf("verify the restored ledger: %v\n%s", err, out)
	}
	opened, stored := customerRecord(t, staging, keyFile, kept)
	if !datakeys.HoldsSealed([]byte(stored)) || datakeys.HoldsSealed([]byte(opened)) || strings.Contains(opened, domain.ErasedText) {
		t.Fatalf("the kept customer reads %s (stored %s): want it opened", opened, stored)
	}
	for _, c := range []string{erasedBefore, erasedAfter} {
		if opened, _ := customerRecord(t, staging, keyFile, c); !strings.Contains(opened, domain.ErasedText) || datakeys.HoldsSealed([]byte(opened)) {
			t.Fatalf("erased customer %s reads %s after the restore", c, opened)
		}
	}
	// The staging directory must be empty.
	if err := restoreFromReplica(t.Context(), spec, time.Time{}, staging, &out); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("a restore into a ledger: %v", err)
	}
}

// drillAck is a message the server acknowledged, and when.
type drillAck struct {
	msg crashMessage
	at  time.Time
}

// TestReplicaDrill is issue #19's replication drill: `ledger serve
// --replicate` under app and SMS channel load is killed with SIGKILL, its
// data directory deleted, the ledger restored from the S3 replica and
// served again. Every message acknowledged more than the stated recovery
// point (--replicate-every plus one upload) before the kill is in the
// restored ledger; the recovery point and time measured are logged.
// LEDGER_DRILL_REPLICA_DURATION sets how long the load runs (make
// drill-replica runs it for minutes).
func TestReplicaDrill(t *testing.T) {
	if testing.Short() && os.Getenv("CI") != "true" {
		t.Skip("builds the binary and runs it under load")
	}
	duration := 6 * time.Second
	if d, err := time.ParseDuration(os.Getenv("LEDGER_DRILL_REPLICA_DURATION")); err == nil {
		duration = d
	}
	const every = time.Second
	// The bound README states, with room for an upload on a busy test
	// machine.
	const statedRecoveryPoint = every + 5*time.Second
	w := newReplicaWorld(t)
	bin := crashLedgerBinary(t)
	secret := make([]byte, 32)
	secret[31] = 19
	keyFile := filepath.Join(t.TempDir(), "master.key")
	if err := os.WriteFile(keyFile, []byte(hex.EncodeToString(secret)), 0o600); err != nil {
		t.Fatal(err)
	}
	spec := w.spec("drill/ledger")
	serveArgs := func(dir string) []string {
		return []string{"--data", dir, "--http", "127.0.0.1:0", "--admin-http", "127.0.0.1:0", "--limit-exempt", "127.0.0.0/8,::1",
			"--app-server-key", testAppServerKey, "--sms-auth-token", testSMSToken, "--master-key-file", keyFile,
			"--replicate", spec, "--replicate-every", every.String()}
	}
	dir := filepath.Join(t.TempDir(), "data")
	srv := startServeProcessEnv(t, bin, "replica-drill", append(w.env(), "LEDGER_LOG_LEVEL=warn"), serveArgs(dir)...)
	waitReady(t, srv.admin+"/readyz", srv.exited, srv.log)

	acks, killAt := drillLoad(t, srv, duration)
	t.Logf("DRILL: %d messages acknowledged in %s, then SIGKILL", len(acks), duration)
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}

	started := time.Now()
	restored := filepath.Join(t.TempDir(), "restored")
	// The operator's restore: fetch, verify, rebuild the read models.
	restore := exec.Command(bin, "restore", "--from", spec, "--data", restored, "--master-key-file", keyFile, "--quiet")
	restore.Env = append(os.Environ(), w.env()...)
	restoreOut, err := restore.CombinedOutput()
	if err != nil {
		t.Fatalf("ledger restore --from %s: %v\n%s", spec, err, restoreOut)
	}
	restoreTook := time.Since(started)
	srv2 := startServeProcessEnv(t, bin, "replica-drill-restored", append(w.env(), "LEDGER_LOG_LEVEL=warn"), serveArgs(restored)...)
	waitReady(t, srv2.admin+"/readyz", srv2.exited, srv2.log)
	recoveryTime := time.Since(started)
	if metrics, _ := get(t, srv2.admin+"/metrics"); !strings.Contains(metrics, "ledger_replica_position ") || !strings.Contains(metrics, "ledger_replica_errors_total ") {
		t.Fatalf("the restored server's /metrics has no replica metrics:\n%s", tail(metrics, 2000))
	}
	srv2.stop(t)

	if out, err := exec.Command(bin, "verify", "--data", restored, "--quiet").CombinedOutput(); err != nil || !strings.HasPrefix(string(out), "OK:") {
		t.Fatalf("ledger verify on the restored ledger: %v\n%s", err, out)
	}
	present := restoredMessages(t, restored, keyFile)
	var missing int
	var recoveryPoint time.Duration
	for _, a := range acks {
		if !present[a.msg.id] {
			missing++
			recoveryPoint = max(recoveryPoint, killAt.Sub(a.at))
		}
	}
	t.Logf("DRILL: %s", strings.TrimSpace(string(restoreOut)))
	t.Logf("DRILL: recovery point %s (%d of %d acknowledged messages lost, the oldest acknowledged that long before the kill); recovery time %s (restore %s, then serve until ready)",
		recoveryPoint.Round(time.Millisecond), missing, len(acks), recoveryTime.Round(time.Millisecond), restoreTook.Round(time.Millisecond))
	if recoveryPoint > statedRecoveryPoint {
		t.Fatalf("a message acknowledged %s before the kill is missing: above the stated recovery point %s", recoveryPoint, statedRecoveryPoint)
	}
	if len(acks)-missing < len(acks)/2 {
		t.Fatalf("only %d of %d acknowledged messages restored", len(acks)-missing, len(acks))
	}
	checkRestoreAsOf(t, bin, w, spec, restored, keyFile, acks[len(acks)/2].at)
}

// checkRestoreAsOf restores the replica as of asOf through the command
// and compares it with the whole restore in full: it must hold exactly the
// events of full recorded up to asOf, with the same ids and hashes.
func checkRestoreAsOf(t *testing.T, bin string, w *replicaWorld, spec, full, keyFile string, asOf time.Time) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "as-of")
	restore := exec.Command(bin, "restore", "--from", spec, "--as-of", asOf.UTC().Format(time.RFC3339Nano), "--data", dir, "--master-key-file", keyFile, "--quiet")
	restore.Env = append(os.Environ(), w.env()...)
	if out, err := restore.CombinedOutput(); err != nil {
		t.Fatalf("ledger restore --as-of %s: %v\n%s", asOf.Format(time.RFC3339Nano), err, out)
	}
	want := readWholeLedger(t, full)
	got := readWholeLedger(t, dir)
	n := 0
	for n < len(want) && !want[n].RecordedAt.After(asOf) {
		n++
	}
	if n == 0 || n == len(want) {
		t.Fatalf("as-of %s cuts nothing off the %d events: pick a time inside the load", asOf, len(want))
	}
	if len(got) != n {
		t.Fatalf("restore as of %s holds %d events, want the %d recorded by then (of %d)", asOf.Format(time.RFC3339Nano), len(got), n, len(want))
	}
	for i := range got {
		if got[i].ID != want[i].ID || got[i].Hash != want[i].Hash {
			t.Fatalf("event %d restored as of T is %s, want %s", i+1, got[i].ID, want[i].ID)
		}
	}
	t.Logf("DRILL: restore as of %s: %d of %d events", asOf.Format(time.RFC3339Nano), n, len(want))
}

// readWholeLedger returns every event of the stopped ledger in dir.
func readWholeLedger(t *testing.T, dir string) []eventstore.RecordedEvent {
	t.Helper()
	store, err := openExistingStore(t.Context(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	return storetest.ReadAll(t, store)
}

// drillLoad posts app and SMS messages from a few clients until duration
// has passed, then kills the server while they still post; it returns
// every acknowledgement with its time, and the time of the kill.
func drillLoad(t *testing.T, srv *crashServer, duration time.Duration) ([]drillAck, time.Time) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	client := &http.Client{Timeout: 10 * time.Second}
	var mu sync.Mutex
	var acks []drillAck
	var workers sync.WaitGroup
	for w := range 4 {
		workers.Go(func() {
			for i := 0; ctx.Err() == nil; i++ {
				m := crashMessage{channel: domain.ChannelApp, from: fmt.Sprintf("+1555%03d%04d", w, i%50), id: fmt.Sprintf("drill-%d-%d", w, i), text: fmt.Sprintf("message %d of client %d", i, w)}
				if i%2 == 1 {
					m.channel, m.id = domain.ChannelSMS, "SM"+m.id
				}
				req, err := crashRequest(ctx, srv.base, m)
				if err != nil {
					return
				}
				resp, err := client.Do(req)
				if err != nil {
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					mu.Lock()
					acks = append(acks, drillAck{msg: m, at: time.Now()})
					mu.Unlock()
				}
			}
		})
	}
	time.Sleep(duration)
	killAt := time.Now()
	srv.kill(t)
	cancel()
	workers.Wait()
	mu.Lock()
	defer mu.Unlock()
	return acks, killAt
}

// restoredMessages is the message ids of the restored ledger's
// MessageReceived events.
func restoredMessages(t *testing.T, dir, keyFile string) map[string]bool {
	t.Helper()
	store, err := openExistingSealed(t.Context(), keySource{dir: dir, file: keyFile})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	ids := map[string]bool{}
	for _, r := range storetest.ReadAll(t, store) {
		if r.Type != "MessageReceived" {
			continue
		}
		e, err := domain.DecodeEvent(r.Type, r.Schema, r.Data)
		if err != nil {
			t.Fatal(err)
		}
		ids[e.(domain.MessageReceived).MessageID] = true
	}
	return ids
}

// TestServeRefusesABadReplica: a --replicate that cannot work stops serve
// at start, saying why, without repeating a secret.
func TestServeRefusesABadReplica(t *testing.T) {
	for _, c := range []struct{ spec, access, want string }{
		{"s3://AKIA:hunter2@ledger-replica/p", "AKIA1", "credentials do not belong in the URL"},
		{"s3://ledger-replica/p?endpoint=127.0.0.1:1&secure=false", "", "set " + s3spec.EnvAccessKey},
		{"s3://ledger-replica/a//b", "AKIA1", `prefix "a//b"`},
	} {
		t.Setenv(s3spec.EnvAccessKey, c.access)
		t.Setenv(s3spec.EnvSecretKey, "s3cret")
		out, err := ledger(t, "serve", "--data", t.TempDir(), "--http", "127.0.0.1:0", "--replicate", c.spec)
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "hunter2") {
			t.Errorf("serve --replicate %s: %v, want an error saying %q\n%s", c.spec, err, c.want, out)
		}
	}
}

// TestRestoreFromReplicaKeepsSLAClocks: a replica holds no policy state,
// yet the tickets open on the restored ledger keep their SLA clocks (the
// policy rebuilds them from the whole ledger without reacting up to the
// restored head), and the outbound dispatcher starts at the beginning so
// that a reply not yet delivered is delivered (a settled one is not).
// Without the restore's seeds the policy's first start is the head, and
// no ticket has a clock.
func TestRestoreFromReplicaKeepsSLAClocks(t *testing.T) {
	w := newReplicaWorld(t)
	dir := demoLedger(t)
	keyFile := filepath.Join(dir, masterKeyFile)
	open, _ := slaTickets(t, filepath.Join(dir, slaStateFile))
	if open == 0 {
		t.Fatal("the demo ledger's SLA state has no open ticket")
	}
	spec := w.spec("drill/sla")
	head := replicateOnce(t, dir, spec)
	restored := filepath.Join(t.TempDir(), "restored")
	mustLedger(t, "restore", "--from", spec, "--data", restored, "--master-key-file", keyFile, "--quiet")
	for name, want := range map[string]uint64{outboundCheckpointFile: 0, "sla" + originSeedSuffix: 0, slaHandoverSeed: head, "wrap-up" + originSeedSuffix: 0} {
		if pos, found, err := filecheckpoint.Read(filepath.Join(restored, name)); err != nil || !found || pos != want {
			t.Errorf("%s after the restore: %d (found %v, %v), want %d", name, pos, found, err, want)
		}
	}

	bin := crashLedgerBinary(t)
	srv := startServeProcessEnv(t, bin, "sla-restored", []string{"LEDGER_LOG_LEVEL=warn"},
		"--data", restored, "--http", "127.0.0.1:0", "--admin-http", "127.0.0.1:0", "--master-key-file", keyFile)
	waitReady(t, srv.admin+"/readyz", srv.exited, srv.log)
	deadline := time.Now().Add(2 * time.Minute)
	for !slaPolicyAt(t, srv.admin, head) {
		if time.Now().After(deadline) {
			t.Fatalf("the SLA policy did not reach the restored head %d; log:\n%s", head, readTail(srv.log))
		}
		time.Sleep(200 * time.Millisecond)
	}
	srv.stop(t)
	// Clocks due by now fire once the policy runs, so the open tickets,
	// not the clocks still running, are compared.
	if gotOpen, _ := slaTickets(t, filepath.Join(restored, slaStateFile)); gotOpen != open {
		t.Fatalf("after the restore the SLA policy tracks %d open tickets, want the %d it tracked before", gotOpen, open)
	}
}

// slaTickets counts the open tickets in an SLA state file, and those with
// a warning or deadline to come.
func slaTickets(t *testing.T, path string) (open, clocked int) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.QueryRowContext(t.Context(), `SELECT count(*), count(due_at) FROM sla_tickets WHERE open = 1`).Scan(&open, &clocked); err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	return open, clocked
}

// slaPolicyAt reports whether the server's SLA policy has handled the
// ledger up to head (its follower's position on /metrics).
func slaPolicyAt(t *testing.T, admin string, head uint64) bool {
	t.Helper()
	metrics, _ := get(t, admin+"/metrics")
	for _, line := range strings.Split(metrics, "\n") {
		if rest, ok := strings.CutPrefix(line, "ledger_sla_policy_position "); ok {
			pos, err := strconv.ParseFloat(strings.TrimSpace(rest), 64)
			return err == nil && uint64(pos) >= head
		}
	}
	return false
}
