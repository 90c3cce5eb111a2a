package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/interactionledger/ledger/channels/sms"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore"
	"github.com/interactionledger/ledger/eventstore/filecheckpoint"
)

// backupLoad is a write load on a running server: customers writing by
// SMS and a supervisor replying through GraphQL, each message recorded
// once the server acknowledged it.
type backupLoad struct {
	base, token  string
	interactions []string

	mu sync.Mutex
	// smsAcked is when each inbound text was acknowledged.
	smsAcked map[string]time.Time
	// replies is each acknowledged reply's text and position.
	replies map[string]uint64
	errs    []error
}

func (l *backupLoad) fail(err error) {
	l.mu.Lock()
	l.errs = append(l.errs, err)
	l.mu.Unlock()
}

// texts posts inbound texts until stop closes.
func (l *backupLoad) texts(stop <-chan struct{}) {
	for n := 0; !stopped(stop); n++ {
		text := fmt.Sprintf("load text %d", n)
		if err := postSMS(l.base, fmt.Sprintf("SMload%d", n), fmt.Sprintf("+86139000000%02d", n%len(l.interactions)), text); err != nil {
			l.fail(err)
			return
		}
		l.mu.Lock()
		l.smsAcked[text] = time.Now()
		l.mu.Unlock()
		time.Sleep(5 * time.Millisecond)
	}
}

// reply sends replies on the interactions until stop closes.
func (l *backupLoad) reply(stop <-chan struct{}) {
	for n := 0; !stopped(stop); n++ {
		text := fmt.Sprintf("load reply %d", n)
		q := fmt.Sprintf(`mutation { replyToInteraction(interactionId: %q, text: %q, idempotencyKey: %q) { position } }`,
			l.interactions[n%len(l.interactions)], text, "bk-"+text)
		var r struct{ ReplyToInteraction struct{ Position uint64 } }
		if err := gqlTry(context.Background(), l.base, l.token, q, &r); err != nil {
			l.fail(err)
			return
		}
		l.mu.Lock()
		l.replies[text] = r.ReplyToInteraction.Position
		l.mu.Unlock()
		time.Sleep(10 * time.Millisecond)
	}
}

// postSMS posts a signed inbound SMS, as the provider does; nil once the
// server acknowledged it.
func postSMS(base, sid, from, text string) error {
	form := url.Values{"MessageSid": {sid}, "AccountSid": {"AC1"}, "From": {from}, "To": {"+10005550100"}, "Body": {text}}
	req, _ := http.NewRequest(http.MethodPost, base+"/channels/sms", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set(sms.SignatureHeader, sms.Signature(testSMSToken, base+"/channels/sms", form))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("sms %s: %s", sid, resp.Status)
	}
	return nil
}

// gqlTry posts a GraphQL query and decodes its data into v.
func gqlTry(ctx context.Context, base, token, query string, v any) error {
	body, _ := json.Marshal(map[string]any{"query": query})
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var r struct {
		Data   json.RawMessage
		Errors []struct{ Message string }
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		return fmt.Errorf("%s: %s", query, resp.Status)
	}
	if len(r.Errors) > 0 || resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s %v", query, resp.Status, r.Errors)
	}
	return json.Unmarshal(r.Data, v)
}

// serveForBackup starts `ledger serve` in-process with SMS and the
// delivery of replies, GraphQL and a tree head signed every 100 ms.
func serveForBackup(t *testing.T, dir string, p *providers) (*server, string) {
	t.Helper()
	srv, err := startServer(t.Context(), serveConfig{data: dir, addr: "127.0.0.1:0", adminAddr: "127.0.0.1:0"},
		channelsComponent(p), newOutboundComponent(), newGraphQLComponent(), &treeHeadComponent{every: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.shutdown(10 * time.Second) })
	waitFor(t, "http://"+srv.adminAddr+"/readyz", http.StatusOK)
	return srv, "http://" + srv.addr
}

// readRestored reads every event of the ledger in dir, through its data
// keys.
func readRestored(t *testing.T, dir string) []eventstore.RecordedEvent {
	t.Helper()
	store, err := openExistingSealed(t.Context(), keySource{dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	events, err := store.ReadAll(t.Context(), 0, 1_000_000)
	if err != nil {
		t.Fatal(err)
	}
	return events
}

func decodeEvent(t *testing.T, rec eventstore.RecordedEvent) domain.Event {
	t.Helper()
	e, err := domain.DecodeEvent(rec.Type, rec.Schema, rec.Data)
	if err != nil {
		t.Fatalf("decode %s@%d: %v", rec.Type, rec.Position, err)
	}
	return e
}

// TestBackupUnderLoadRestores takes a backup, with the built binary in
// its own process, of a server that customers and an agent keep writing
// to, and restores it into a new directory: the restored ledger passes
// verify, holds every message acknowledged before the backup began and
// every reply at or before the manifest's head (and none after), its read
// models answer GraphQL with a token signed before the backup, and its
// outbound dispatcher sends only the replies whose delivery the backup
// does not record: none is sent twice.
func TestBackupUnderLoadRestores(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	t.Setenv("LEDGER_JWT_SECRET", "") // the secret generated into --data, which the backup must carry
	bin := filepath.Join(t.TempDir(), "ledger")
	if b, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, b)
	}
	dir := t.TempDir()
	p := newProviders(t, testAppPushSecret)
	srv, base := serveForBackup(t, dir, p)
	token := strings.TrimSpace(mustLedger(t, "token", "--data", dir, "--role", "supervisor", "--subject", "sup-backup"))

	const customers = 4
	for i := range customers {
		if err := postSMS(base, fmt.Sprintf("SMfirst%d", i), fmt.Sprintf("+86139000000%02d", i), "hello"); err != nil {
			t.Fatal(err)
		}
	}
	var interactions []string
	eventually(t, "an interaction per customer", func() bool {
		interactions = interactions[:0]
		page, err := srv.store.ReadAll(t.Context(), 0, 10_000)
		if err != nil {
			t.Fatal(err)
		}
		for _, rec := range page {
			if rec.Type != "InteractionStarted" {
				continue
			}
			if e := decodeEvent(t, rec).(domain.InteractionStarted); e.Channel == domain.ChannelSMS {
				interactions = append(interactions, e.InteractionID)
			}
		}
		return len(interactions) == customers
	})
	// A photo by WeChat: an attachment whose contents the backup carries.
	wechatImage(t, base, "24000000000000077", "oWeChatBackup", testWeChatMediaID)
	eventually(t, "the photo stored", func() bool { return len(blobFiles(t, dir)) == 1 })

	load := &backupLoad{base: base, token: token, interactions: interactions, smsAcked: map[string]time.Time{}, replies: map[string]uint64{}}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() { load.texts(stop) })
	wg.Go(func() { load.reply(stop) })
	time.Sleep(time.Second)
	backupStarted := time.Now()
	bk := filepath.Join(t.TempDir(), "backup")
	cmd := exec.Command(bin, "backup", "--data", dir, "--to", bk)
	out, err := cmd.CombinedOutput()
	// The load goes on after the backup: replies beyond its head.
	load.mu.Lock()
	atBackup := len(load.replies)
	load.mu.Unlock()
	eventually(t, "replies after the backup", func() bool {
		load.mu.Lock()
		defer load.mu.Unlock()
		return len(load.replies) >= atBackup+3 || len(load.errs) > 0
	})
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatalf("backup during the load: %v\n%s", err, out)
	}
	if len(load.errs) > 0 {
		t.Fatalf("the load failed: %v", load.errs)
	}
	if !strings.Contains(string(out), "the master key was in the data directory and this backup holds it") {
		t.Errorf("backup output %q does not warn that it holds the master key", out)
	}
	eventually(t, "every reply delivered", func() bool { return countEvents(t, srv, "MessageDelivered") == len(load.replies) })
	sentBefore := len(smsBodies(p))
	if err := srv.shutdown(10 * time.Second); err != nil {
		t.Fatal(err)
	}

	var m manifest
	if b, err := os.ReadFile(filepath.Join(bk, manifestFile)); err != nil || json.Unmarshal(b, &m) != nil {
		t.Fatalf("manifest: %v %s", err, b)
	}
	if m.TreeHead == nil || m.TreeHead.Size == 0 || m.TreeHead.Size > m.Head.Position || !m.Encrypted || !m.MasterKey {
		t.Fatalf("manifest %+v: want a signed tree head within the ledger, encrypted, with the master key", m)
	}
	for _, want := range []string{eventsFile, dataKeysFile, masterKeyFile, "jwt-secret", "treeheads.db", "treehead.pub", outboundCheckpointFile} {
		if !slices.ContainsFunc(m.Files, func(f manifestItem) bool { return f.Path == want }) {
			t.Errorf("the backup lacks %s: %+v", want, m.Files)
		}
	}
	if slices.ContainsFunc(m.Files, func(f manifestItem) bool { return f.Path == readModelsFile }) {
		t.Error("the backup holds the read models, which restore rebuilds")
	}

	if !slices.ContainsFunc(m.Files, func(f manifestItem) bool { return strings.HasPrefix(f.Path, "blobs/objects/") }) {
		t.Errorf("the backup lacks the attachment's contents: %+v", m.Files)
	}

	restored := filepath.Join(t.TempDir(), "restored")
	out, err = exec.Command(bin, "restore", "--from", bk, "--data", restored, "--quiet").CombinedOutput()
	if err != nil {
		t.Fatalf("restore: %v\n%s", err, out)
	}
	for _, want := range []string{"match the manifest", "every hash chain intact", "signed tree heads", "rebuilt all projections"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("restore output lacks %q:\n%s", want, out)
		}
	}
	if out, err := ledger(t, "verify", "--data", restored, "--quiet"); err != nil || !strings.Contains(out, "every hash chain intact") {
		t.Fatalf("verify of the restored ledger: %v\n%s", err, out)
	}

	if want, got := blobFiles(t, dir), blobFiles(t, restored); !maps.Equal(want, got) {
		t.Errorf("restored attachments %v, want %v", got, want)
	}

	events := readRestored(t, restored)
	if uint64(len(events)) != m.Head.Position || events[len(events)-1].ID.String() != m.Head.EventID {
		t.Fatalf("restored %d events ending at %s; the manifest's head is %d, %s", len(events), events[len(events)-1].ID, m.Head.Position, m.Head.EventID)
	}
	texts := map[string]bool{}
	replyAt := map[uint64]string{}
	delivered := map[string]bool{} // MessageSent event ids
	var sentIDs []string
	for _, rec := range events {
		switch e := decodeEvent(t, rec).(type) {
		case domain.MessageReceived:
			texts[e.Text] = true
		case domain.MessageSent:
			replyAt[rec.Position] = e.Text
			sentIDs = append(sentIDs, rec.ID.String())
		case domain.MessageDelivered:
			delivered[e.SourceEventID] = true
		}
	}
	for text, at := range load.smsAcked {
		if at.Before(backupStarted) && !texts[text] {
			t.Errorf("%q, acknowledged before the backup began, is not in the restored ledger", text)
		}
	}
	var before, after int
	for text, pos := range load.replies {
		switch {
		case pos <= m.Head.Position:
			before++
			if replyAt[pos] != text {
				t.Errorf("reply %q, acknowledged at %d (at or before the head %d), restored as %q", text, pos, m.Head.Position, replyAt[pos])
			}
		default:
			after++
		}
	}
	if before == 0 || after == 0 || len(replyAt) != before {
		t.Fatalf("%d replies at or before the manifest's head, %d after, %d restored: want some of each, and exactly those before restored", before, after, len(replyAt))
	}
	var undelivered []string
	for pos, text := range replyAt {
		if !delivered[eventAt(events, pos).ID.String()] {
			undelivered = append(undelivered, text)
		}
	}

	t.Logf("manifest head %d, tree head %d; replies: %d before the head (%d not delivered in the backup), %d after",
		m.Head.Position, m.TreeHead.Size, before, len(undelivered), after)

	// The restored ledger, served: the read models answer, and only the
	// replies the backup does not record as delivered go out.
	p2 := newProviders(t, testAppPushSecret)
	srv2, base2 := serveForBackup(t, restored, p2)
	last := interactions[0]
	wantCount := 0
	for _, rec := range events {
		switch e := decodeEvent(t, rec).(type) {
		case domain.MessageReceived:
			wantCount += b2i(e.InteractionID == last)
		case domain.MessageSent:
			wantCount += b2i(e.InteractionID == last)
		}
	}
	var got struct{ Interaction struct{ MessageCount int } }
	gqlOn(t, base2, token, fmt.Sprintf(`{ interaction(id: %q) { messageCount } }`, last), &got)
	if got.Interaction.MessageCount != wantCount {
		t.Errorf("the restored read model counts %d messages on %s, the restored ledger %d", got.Interaction.MessageCount, last, wantCount)
	}
	var r struct{ ReplyToInteraction struct{ Position uint64 } }
	gqlOn(t, base2, token, fmt.Sprintf(`mutation { replyToInteraction(interactionId: %q, text: "after the restore", idempotencyKey: "after") { position } }`, last), &r)
	eventually(t, "the replies the backup had not delivered, and the new one, sent", func() bool { return len(smsBodies(p2)) >= len(undelivered)+1 })
	time.Sleep(500 * time.Millisecond) // anything sent twice would arrive now
	sent := smsBodies(p2)
	slices.Sort(sent)
	want := append(slices.Clone(undelivered), "after the restore")
	slices.Sort(want)
	if !slices.Equal(sent, want) {
		t.Errorf("the restored server sent %d SMS %q; want the %d replies the backup had not delivered and the new one %q (the original sent %d of %d replies)",
			len(sent), sent, len(undelivered), want, sentBefore, len(load.replies))
	}
	_ = srv2.shutdown(10 * time.Second)
}

// blobFiles returns the files of the embedded blob store in dir, by path,
// with their contents' digest.
func blobFiles(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	root := filepath.Join(dir, blobsDir, "objects")
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		_, sum, err := hashFile(path)
		rel, _ := filepath.Rel(root, path)
		files[rel] = sum
		return err
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	return files
}

func eventAt(events []eventstore.RecordedEvent, pos uint64) eventstore.RecordedEvent {
	return events[pos-1] // positions are gap-free from 1
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// backupOf writes a small ledger in a new data directory and backs it up;
// it returns both directories.
func backupOf(t *testing.T) (data, bk string) {
	t.Helper()
	data = t.TempDir()
	if out, err := ledger(t, "demo", "--data", data, "--customers", "5", "--interactions", "10", "--seed", "3", "--quiet"); err != nil {
		t.Fatalf("demo: %v\n%s", err, out)
	}
	if out, err := ledger(t, "tree-head", "--data", data); err != nil {
		t.Fatalf("tree-head: %v\n%s", err, out)
	}
	bk = filepath.Join(t.TempDir(), "backup")
	if out, err := ledger(t, "backup", "--data", data, "--to", bk); err != nil {
		t.Fatalf("backup: %v\n%s", err, out)
	}
	return data, bk
}

// TestRestoreRefusesLiveDirectory: restore never writes over a ledger,
// with exit status 2 and the reason (a running server, or a ledger
// there), nor into a directory that holds anything; --as-of with a
// backup is a usage error.
func TestRestoreRefusesLiveDirectory(t *testing.T) {
	data, bk := backupOf(t)
	srv, err := startServer(t.Context(), serveConfig{data: data, addr: "127.0.0.1:0", adminAddr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	out, err := ledger(t, "restore", "--from", bk, "--data", data, "--quiet")
	if exitCode(err) != 2 || !strings.Contains(err.Error(), "a running `ledger serve` holds its ledger") {
		t.Errorf("restore over a served directory: exit %d, %v\n%s", exitCode(err), err, out)
	}
	if err := srv.shutdown(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	_, err = ledger(t, "restore", "--from", bk, "--data", data, "--quiet")
	if exitCode(err) != 2 || !strings.Contains(err.Error(), "it holds a ledger (events.db)") {
		t.Errorf("restore over a stopped ledger: exit %d, %v", exitCode(err), err)
	}
	other := t.TempDir()
	if err := os.WriteFile(filepath.Join(other, "notes.txt"), []byte("mine"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := ledger(t, "restore", "--from", bk, "--data", other); exitCode(err) != 2 || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("restore into a non-empty directory: exit %d, %v", exitCode(err), err)
	}
	if _, err := ledger(t, "restore", "--from", bk, "--data", filepath.Join(other, "new"), "--as-of", "2026-01-01T00:00:00Z"); exitCode(err) != 2 {
		t.Errorf("--as-of with a backup directory: exit %d, %v", exitCode(err), err)
	}
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	_, err = ledger(t, "restore", "--from", "s3://bucket/ledger", "--data", filepath.Join(other, "new"))
	if err == nil || !strings.Contains(err.Error(), "credentials missing") {
		t.Errorf("restore from a replica without S3 credentials: %v", err)
	}
	if entries, _ := os.ReadDir(other); len(entries) != 1 {
		t.Errorf("refused restores left %d entries beside notes.txt (staging directories?)", len(entries)-1)
	}
}

// TestRestoreRefusesTamperedBackup: a byte flipped in the copy of the
// ledger fails the manifest check naming the file; a manifest whose head
// is not the copied ledger's last event fails too; neither leaves a
// directory behind.
func TestRestoreRefusesTamperedBackup(t *testing.T) {
	_, bk := backupOf(t)
	parent := t.TempDir()
	target := filepath.Join(parent, "restored")

	path := filepath.Join(bk, eventsFile)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 0x01
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = ledger(t, "restore", "--from", bk, "--data", target, "--quiet")
	var damaged *damagedError
	if !errors.As(err, &damaged) || damaged.file != eventsFile || !strings.Contains(err.Error(), "events.db has SHA-256") {
		t.Errorf("restore of a backup with a flipped byte in events.db: %v", err)
	}
	b[len(b)/2] ^= 0x01
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}

	mpath := filepath.Join(bk, manifestFile)
	raw, err := os.ReadFile(mpath)
	if err != nil {
		t.Fatal(err)
	}
	var m manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	good := m.Head
	m.Head.Hash = strings.Repeat("0", 64)
	writeManifest(t, mpath, m)
	_, err = ledger(t, "restore", "--from", bk, "--data", target, "--quiet")
	if !errors.As(err, &damaged) || !strings.Contains(err.Error(), "does not end with the manifest's head") {
		t.Errorf("restore with a manifest head that is not the ledger's: %v", err)
	}
	if entries, _ := os.ReadDir(parent); len(entries) != 0 {
		t.Errorf("failed restores left %v", entries)
	}

	// The untouched backup restores.
	m.Head = good
	writeManifest(t, mpath, m)
	if out, err := ledger(t, "restore", "--from", bk, "--data", target, "--quiet"); err != nil {
		t.Fatalf("restore of the repaired backup: %v\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(target, readModelsFile)); err != nil {
		t.Errorf("restore did not rebuild the read models: %v", err)
	}
}

func writeManifest(t *testing.T, path string, m manifest) {
	t.Helper()
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestBackupRefusesNonEmptyTarget: a backup never writes into a directory
// that holds anything, and leaves no partial directory behind.
func TestBackupRefusesNonEmptyTarget(t *testing.T) {
	data := demoLedger(t)
	parent := t.TempDir()
	to := filepath.Join(parent, "bk")
	if err := os.MkdirAll(to, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(to, "old"), []byte("an older backup"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := ledger(t, "backup", "--data", data, "--to", to)
	if exitCode(err) != 2 || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("backup into a non-empty directory: exit %d, %v", exitCode(err), err)
	}
	if b, _ := os.ReadFile(filepath.Join(to, "old")); string(b) != "an older backup" {
		t.Error("a refused backup changed what was there")
	}
	if entries, _ := os.ReadDir(parent); len(entries) != 1 {
		t.Errorf("the refused backup left %v", entries)
	}
	// An empty directory is fine.
	empty := filepath.Join(parent, "empty")
	if err := os.Mkdir(empty, 0o700); err != nil {
		t.Fatal(err)
	}
	if out, err := ledger(t, "backup", "--data", data, "--to", empty); err != nil {
		t.Fatalf("backup into an empty directory: %v\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(empty, manifestFile)); err != nil {
		t.Error(err)
	}
}

// TestBackupWithoutMasterKey: with the master key kept apart (as in
// production) a backup holds none and says so; restore then refuses to
// finish without it, leaving nothing behind, and succeeds with it.
func TestBackupWithoutMasterKey(t *testing.T) {
	t.Setenv("LEDGER_MASTER_KEY", "")
	t.Setenv("LEDGER_MASTER_KEY_FILE", "")
	key := filepath.Join(t.TempDir(), "master.key")
	if err := os.WriteFile(key, []byte(strings.Repeat("5a", 32)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	data := t.TempDir()
	if out, err := ledger(t, "demo", "--data", data, "--master-key-file", key, "--customers", "5", "--interactions", "10", "--seed", "3", "--quiet"); err != nil {
		t.Fatalf("demo: %v\n%s", err, out)
	}
	bk := filepath.Join(t.TempDir(), "backup")
	out, err := ledger(t, "backup", "--data", data, "--to", bk)
	if err != nil || !strings.Contains(out, "this backup holds none") {
		t.Fatalf("backup of a ledger whose master key is elsewhere: %v\n%s", err, out)
	}
	var m manifest
	if b, err := os.ReadFile(filepath.Join(bk, manifestFile)); err != nil || json.Unmarshal(b, &m) != nil {
		t.Fatalf("manifest: %v %s", err, b)
	}
	if !m.Encrypted || m.MasterKey || slices.ContainsFunc(m.Files, func(f manifestItem) bool { return f.Path == masterKeyFile }) {
		t.Fatalf("manifest %+v: want an encrypted ledger and no master key", m)
	}
	parent := t.TempDir()
	target := filepath.Join(parent, "restored")
	_, err = ledger(t, "restore", "--from", bk, "--data", target, "--quiet")
	if err == nil || !strings.Contains(err.Error(), "give its master key") {
		t.Fatalf("restore without the master key: %v", err)
	}
	if entries, _ := os.ReadDir(parent); len(entries) != 0 {
		t.Errorf("the failed restore left %v", entries)
	}
	if out, err := ledger(t, "restore", "--from", bk, "--data", target, "--master-key-file", key, "--quiet"); err != nil {
		t.Fatalf("restore with the master key: %v\n%s", err, out)
	}
	if out, err := ledger(t, "verify", "--data", target, "--quiet"); err != nil {
		t.Fatalf("verify of the restored ledger: %v\n%s", err, out)
	}
}

// TestBackupInventory: a backup copies configuration kept in the data
// directory, leaves out the read models and the files of running
// processes, and names a file it does not know instead of dropping it in
// silence; with the attachments in S3 it says the bucket is not in it.
func TestBackupInventory(t *testing.T) {
	data := demoLedger(t)
	for name, body := range map[string]string{"routing.yaml": "queues: {}\n", "notes.txt": "mine", "sla.lease": "", "users.json.lock": ""} {
		if err := os.WriteFile(filepath.Join(data, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	bk := filepath.Join(t.TempDir(), "bk")
	out, err := ledger(t, "backup", "--data", data, "--to", bk, "--blobs", "s3://attachments?endpoint=127.0.0.1:9")
	if err != nil {
		t.Fatalf("backup: %v\n%s", err, out)
	}
	if !strings.Contains(out, "left out "+filepath.Join(data, "notes.txt")) || strings.Count(out, "left out") != 1 {
		t.Errorf("backup output should name notes.txt, and only it, as left out:\n%s", out)
	}
	if !strings.Contains(out, "not in this backup: keep versioning") {
		t.Errorf("backup output does not say the S3 bucket is not in the backup:\n%s", out)
	}
	var m manifest
	if b, err := os.ReadFile(filepath.Join(bk, manifestFile)); err != nil || json.Unmarshal(b, &m) != nil {
		t.Fatalf("manifest: %v %s", err, b)
	}
	var paths []string
	for _, f := range m.Files {
		paths = append(paths, f.Path)
	}
	for _, want := range []string{"routing.yaml", eventsFile, dataKeysFile, "sla-policy.db", "qa-policy.checkpoint"} {
		if !slices.Contains(paths, want) {
			t.Errorf("the backup lacks %s: %v", want, paths)
		}
	}
	for _, not := range []string{"notes.txt", readModelsFile, "sla.lease", "users.json.lock", "events.db-wal"} {
		if slices.Contains(paths, not) {
			t.Errorf("the backup holds %s: %v", not, paths)
		}
	}
}

// TestSettleCheckpoints: after a restore no follower's checkpoint is
// beyond the restored head (it would skip what is appended next); one at
// or behind it, or none, is left as it is.
func TestSettleCheckpoints(t *testing.T) {
	for _, tc := range []struct {
		name      string
		saved     map[string]uint64
		head      uint64
		want      map[string]uint64
		announced bool
	}{
		{"behind or at the head", map[string]uint64{outboundCheckpointFile: 90, notifyCheckpointFile: 100}, 100,
			map[string]uint64{outboundCheckpointFile: 90, notifyCheckpointFile: 100}, false},
		{"beyond the head", map[string]uint64{outboundCheckpointFile: 150, "qa-policy.checkpoint": 101}, 100,
			map[string]uint64{outboundCheckpointFile: 100, "qa-policy.checkpoint": 100}, true},
		{"none", nil, 100, map[string]uint64{}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, pos := range tc.saved {
				if err := filecheckpoint.Write(filepath.Join(dir, name), pos); err != nil {
					t.Fatal(err)
				}
			}
			var out bytes.Buffer
			if err := settleCheckpoints(dir, tc.head, &out); err != nil {
				t.Fatal(err)
			}
			got := map[string]uint64{}
			for _, name := range []string{outboundCheckpointFile, notifyCheckpointFile, "qa-policy.checkpoint"} {
				if pos, found, err := filecheckpoint.Read(filepath.Join(dir, name)); err != nil {
					t.Fatal(err)
				} else if found {
					got[name] = pos
				}
			}
			if !maps.Equal(got, tc.want) {
				t.Errorf("checkpoints %v, want %v", got, tc.want)
			}
			if announced := strings.Contains(out.String(), "beyond the restored head"); announced != tc.announced {
				t.Errorf("output %q: announced %v, want %v", out.String(), announced, tc.announced)
			}
		})
	}
}
