package main

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/interactionledger/ledger/analytics/embedded"
	"github.com/interactionledger/ledger/channels/sip"
	"github.com/interactionledger/ledger/eventstore/blobs"
	"github.com/interactionledger/ledger/eventstore/treehead"
	"github.com/interactionledger/ledger/graphql/auth"
	"github.com/interactionledger/ledger/graphql/auth/accounts"
	"github.com/interactionledger/ledger/internal/atomicfile"
	"github.com/interactionledger/ledger/internal/sqlitesnap"
	"github.com/interactionledger/ledger/policies/qa"
)

// manifestFile describes a backup, in its directory.
const manifestFile = "manifest.json"

// backupFormat is the manifest's format version: restore refuses others.
const backupFormat = 1

// blobsDir is the embedded blob store under the data directory; only its
// objects are backed up (staging holds uploads no event names yet).
const blobsDir = "blobs"

// itemKind is how a data directory entry is copied.
type itemKind int

const (
	// sqliteItem is copied with sqlitesnap.Snapshot: one committed state.
	sqliteItem itemKind = iota
	// fileItem is copied as it is: a small file replaced atomically by
	// whoever writes it, so any read sees a whole version.
	fileItem
	// treeItem is a directory copied file by file; its files are written
	// once under their final name and never changed.
	treeItem
)

// backupItem is one entry of the data directory a backup copies.
type backupItem struct {
	name string
	kind itemKind
}

// The order of the phases matters: serve goes on writing while the files
// are copied one after the other, so each copy must be consistent with
// the snapshot of events.db, taken in between.
//
// Before the ledger: whatever names a position in it. A tree head signed
// after the ledger's snapshot would cover events the copy lacks, and
// `verify` on the restored ledger would fail; a follower's checkpoint
// beyond the copied head would make the restored follower skip the first
// events appended after the restore. Copied first, each is at or behind
// the copied head; the followers then go over the events between their
// checkpoint and the head again, which they do without repeating any side
// effect (the outbound dispatcher reads each reply's delivery stream
// before sending, notifications and QA scores have ids derived from the
// event, SLA and wrap-up timers are decided by the ledger), exactly as
// after a crash.
var backupBeforeLedger = []backupItem{
	{treehead.LogFile, sqliteItem},
	{treehead.SignerKeyFile, fileItem},
	{treehead.VerifierKeyFile, fileItem},
	{outboundCheckpointFile, fileItem},
	{legacyOutboundFile, sqliteItem},
	{retiredEmailOutboundFile, sqliteItem},
	{notifyCheckpointFile, fileItem},
	{qa.CheckpointFile, fileItem},
	{slaStateFile, sqliteItem},
	{wrapUpStateFile, sqliteItem},
	{esdbSystemFile, sqliteItem},
	{"sla" + originSeedSuffix, fileItem},
	{slaHandoverSeed, fileItem},
	{"wrap-up" + originSeedSuffix, fileItem},
}

// backupAfterLedger is copied after the ledger: what its events refer to.
// A customer's data key is stored before the first event sealed with it,
// and an attachment's contents before the event that records it, so a
// copy taken after the ledger's has every key and every object the copied
// events need. (A customer erased in between is erased in the copy too:
// the key is gone, which is what erasure promises.) The secrets and
// accounts do not depend on the ledger; they are here for want of a
// reason to be anywhere else.
var backupAfterLedger = []backupItem{
	{dataKeysFile, sqliteItem},
	{filepath.Join(blobsDir, "objects"), treeItem},
	{masterKeyFile, fileItem},
	{auth.SecretFile, fileItem},
	{auth.RevocationsFile, fileItem},
	{accounts.File, fileItem},
	{sip.CredentialsFileName, fileItem},
	{analyticsKeyFile, fileItem},
	{webchatVisitorKeyFile, fileItem},
	{migrationMapFile, fileItem},
}

// backupLeftOut are data directory entries a backup knows and leaves out,
// with the reason: rebuildable state, and files of the running process.
var backupLeftOut = map[string]string{
	readModelsFile:                     "read models: restore rebuilds them from the ledger",
	embedded.FileName:                  "embedded analytics: the sink rebuilds it from the ledger (`ledger analytics sync`)",
	filepath.Join(blobsDir, "staging"): "uploads in progress, which no event names yet",
}

// leftOutSuffixes are files of running SQLite databases, locks, leases
// and files being replaced (filecheckpoint's .tmp): none outlives its
// process.
var leftOutSuffixes = []string{"-wal", "-shm", "-journal", ".lock", ".lease", ".tmp"}

// manifest describes a backup: what restore checks before trusting it.
type manifest struct {
	Format int `json:"format"`
	// Taken is when the ledger's snapshot began.
	Taken time.Time `json:"taken"`
	// Head is the last event of the copied ledger.
	Head manifestHead `json:"head"`
	// TreeHead is the latest signed tree head copied, if the ledger has
	// one; it covers no event beyond Head.
	TreeHead  *manifestTreeHead `json:"treeHead,omitempty"`
	Encrypted bool              `json:"encrypted"`
	// MasterKey says whether the backup holds the master key (only when
	// it was kept in the data directory).
	MasterKey bool           `json:"masterKey"`
	Files     []manifestItem `json:"files"`
}

// manifestHead is the ledger's head as copied. The ledger's positions
// are gap-free from 1, so Events equals Position; both are written down
// for the reader.
type manifestHead struct {
	Position   uint64    `json:"position"`
	EventID    string    `json:"eventId,omitempty"`
	Hash       string    `json:"hash,omitempty"`
	RecordedAt time.Time `json:"recordedAt,omitzero"`
	Events     uint64    `json:"events"`
}

// manifestTreeHead is a signed tree head: the signed note as written by
// serve, and what it says.
type manifestTreeHead struct {
	Size   uint64    `json:"size"`
	Root   string    `json:"root"` // base64
	Time   time.Time `json:"time"`
	Signed string    `json:"signed"`
}

// manifestItem is one file of a backup, by its slash-separated path.
type manifestItem struct {
	Path   string `json:"path"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// runBackup is `ledger backup --data DIR --to PATH`.
func runBackup(ctx context.Context, args []string, out io.Writer) error {
	fs, data := newFlagSet("backup", out)
	to := fs.String("to", "", "directory to write the backup to; it must not exist or be empty")
	blobSpec := fs.String("blobs", envOr(blobsEnv, ""), "the server's --blobs (env "+blobsEnv+"): attachments in an S3 bucket are not copied, and the output says so")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *to == "" {
		return &exitError{code: 2, err: errors.New("backup: --to PATH is required")}
	}
	if _, err := os.Stat(filepath.Join(*data, eventsFile)); err != nil {
		return fmt.Errorf("backup: no ledger at %s: %w", filepath.Join(*data, eventsFile), err)
	}
	if err := refuseNonEmpty(*to); err != nil {
		return err
	}
	// A crashed backup leaves a directory named for what it is, never
	// one at PATH: only the last step, a rename, puts it there.
	tmp, err := os.MkdirTemp(filepath.Dir(filepath.Clean(*to)), filepath.Base(filepath.Clean(*to))+".partial-")
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	m, err := writeBackup(ctx, *data, tmp, out)
	if err == nil {
		err = finishBackup(tmp, *to)
	}
	if err != nil {
		_ = os.RemoveAll(tmp)
		return fmt.Errorf("backup: %w", err)
	}
	if *blobSpec != "" {
		fmt.Fprintf(out, "attachments' contents are kept in %s, not in this backup: keep versioning (or replication) on that bucket\n", blobs.Describe(*blobSpec))
	}
	fmt.Fprintf(out, "backed up %d events (head %d, event %s) and %d files to %s\n",
		m.Head.Events, m.Head.Position, m.Head.EventID, len(m.Files), *to)
	return nil
}

// refuseNonEmpty fails with exit status 2 when path holds anything: a
// backup never mixes with another's files.
func refuseNonEmpty(path string) error {
	empty, err := emptyOrMissing(path)
	switch {
	case err != nil:
		return &exitError{code: 2, err: fmt.Errorf("backup: --to %s: %w", path, err)}
	case !empty:
		return &exitError{code: 2, err: fmt.Errorf("backup: --to %s is not empty; give a new directory", path)}
	}
	return nil
}

// emptyOrMissing reports whether the directory path is missing or empty:
// the only targets a backup or a restore writes to.
func emptyOrMissing(path string) (bool, error) {
	entries, err := os.ReadDir(path)
	if errors.Is(err, fs.ErrNotExist) {
		return true, nil
	}
	return err == nil && len(entries) == 0, err
}

// writeBackup copies the data directory dir into tmp and writes the
// manifest there.
func writeBackup(ctx context.Context, dir, tmp string, out io.Writer) (*manifest, error) {
	for _, it := range backupBeforeLedger {
		if err := copyItem(ctx, dir, tmp, it); err != nil {
			return nil, err
		}
	}
	m := &manifest{Format: backupFormat, Taken: time.Now().UTC()}
	if err := sqlitesnap.Snapshot(ctx, filepath.Join(dir, eventsFile), filepath.Join(tmp, eventsFile)); err != nil {
		return nil, err
	}
	for _, it := range backupAfterLedger {
		if err := copyItem(ctx, dir, tmp, it); err != nil {
			return nil, err
		}
	}
	if err := copyConfigFiles(dir, tmp); err != nil {
		return nil, err
	}
	m.Encrypted = encrypted(tmp)
	var err error
	if m.Head, err = copiedHead(ctx, tmp); err != nil {
		return nil, err
	}
	if m.TreeHead, err = latestTreeHead(ctx, tmp); err != nil {
		return nil, err
	}
	if m.TreeHead != nil && m.TreeHead.Size > m.Head.Events {
		return nil, fmt.Errorf("the copied tree head covers %d events, the copied ledger has %d", m.TreeHead.Size, m.Head.Events)
	}
	_, err = os.Stat(filepath.Join(tmp, masterKeyFile))
	m.MasterKey = err == nil
	if m.Files, err = inventory(tmp); err != nil {
		return nil, err
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := atomicfile.Write(filepath.Join(tmp, manifestFile), append(b, '\n'), 0o600); err != nil {
		return nil, err
	}
	reportLeftOut(dir, out)
	warnMasterKey(m, out)
	return m, nil
}

// copyItem copies one inventory entry from dir to tmp, if dir has it.
func copyItem(ctx context.Context, dir, tmp string, it backupItem) error {
	src, dst := filepath.Join(dir, it.name), filepath.Join(tmp, it.name)
	if _, err := os.Stat(src); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return err
	}
	switch it.kind {
	case sqliteItem:
		return sqlitesnap.Snapshot(ctx, src, dst)
	case treeItem:
		return copyTree(src, dst)
	default:
		return copyFile(src, dst)
	}
}

// copyTree copies the regular files under src to dst. A file removed
// while the walk runs (an erased customer's attachment) is skipped.
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o700)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		if err := copyFile(path, filepath.Join(dst, rel)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		return nil
	})
}

// copyFile copies src to the new file dst with src's permissions, and
// fsyncs it.
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	info, err := in.Stat()
	if err != nil {
		return err
	}
	o, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, info.Mode().Perm())
	if err != nil {
		return err
	}
	_, err = io.Copy(o, in)
	if err == nil {
		err = o.Sync()
	}
	if cerr := o.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("copy %s: %w", src, err)
	}
	return nil
}

// isConfigFile reports whether a data directory entry is configuration an
// operator keeps there (routing, SLA, ticket rules, scorecards): YAML
// files. They are copied, since a restored server is started with them.
func isConfigFile(name string) bool {
	ext := strings.ToLower(filepath.Ext(name))
	return ext == ".yaml" || ext == ".yml"
}

// copyConfigFiles copies the YAML files at the top of dir.
func copyConfigFiles(dir, tmp string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.Type().IsRegular() && isConfigFile(e.Name()) {
			if err := copyFile(filepath.Join(dir, e.Name()), filepath.Join(tmp, e.Name())); err != nil {
				return err
			}
		}
	}
	return nil
}

// known reports whether the backup has decided what to do with a top
// level entry of the data directory.
func known(name string) bool {
	if name == eventsFile || name == blobsDir || isConfigFile(name) {
		return true
	}
	if _, ok := backupLeftOut[name]; ok {
		return true
	}
	for _, it := range slices.Concat(backupBeforeLedger, backupAfterLedger) {
		if it.name == name {
			return true
		}
	}
	return transient(name)
}

// reportLeftOut names the entries of dir the backup does not know, so
// that a file a later version (or an operator) put there is not lost
// without a word.
func reportLeftOut(dir string, out io.Writer) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if !known(e.Name()) {
			fmt.Fprintf(out, "warning: left out %s: not a file the ledger keeps (copy it yourself if you need it)\n", filepath.Join(dir, e.Name()))
		}
	}
}

// warnMasterKey says where the master key of an encrypted ledger is.
func warnMasterKey(m *manifest, out io.Writer) {
	switch {
	case m.MasterKey:
		fmt.Fprintln(out, "warning: the master key was in the data directory and this backup holds it: anyone with the backup reads every customer's personal data. Production keeps the key elsewhere (--master-key-file, "+masterKeyEnv+"), and its backups then hold none.")
	case m.Encrypted:
		fmt.Fprintln(out, "the master key is not in the data directory, so this backup holds none: restore needs it (--master-key-file or "+masterKeyEnv+")")
	}
}

// copiedHead reads the last event of the ledger in dir.
func copiedHead(ctx context.Context, dir string) (manifestHead, error) {
	store, err := openExistingStore(ctx, dir)
	if err != nil {
		return manifestHead{}, err
	}
	defer store.Close()
	head, err := store.HeadPosition(ctx)
	if err != nil || head == 0 {
		return manifestHead{}, err
	}
	last, err := store.ReadAll(ctx, head-1, 1)
	if err != nil {
		return manifestHead{}, err
	}
	if len(last) != 1 || last[0].Position != head {
		return manifestHead{}, fmt.Errorf("read the ledger's head: no event at position %d", head)
	}
	e := last[0]
	return manifestHead{Position: e.Position, EventID: e.ID.String(), Hash: e.Hash, RecordedAt: e.RecordedAt, Events: head}, nil
}

// latestTreeHead reads the latest signed tree head kept in dir, checked
// with the ledger's verifier key; nil when there is none.
func latestTreeHead(ctx context.Context, dir string) (*manifestTreeHead, error) {
	path := filepath.Join(dir, treehead.LogFile)
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=query_only(1)")
	if err != nil {
		return nil, fmt.Errorf("tree heads %s: %w", path, err)
	}
	defer db.Close()
	var signed []byte
	err = db.QueryRowContext(ctx, `SELECT signed FROM heads ORDER BY size DESC LIMIT 1`).Scan(&signed)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("tree heads %s: %w", path, err)
	}
	verifier, _, err := treeVerifier(dir)
	if err != nil {
		return nil, err
	}
	h, err := treehead.Open(signed, verifier)
	if err != nil {
		return nil, err
	}
	return &manifestTreeHead{Size: h.Size, Root: base64.StdEncoding.EncodeToString(h.Root), Time: h.Time, Signed: string(signed)}, nil
}

// transient reports whether a file is one of a running database or
// process (leftOutSuffixes).
func transient(name string) bool {
	return slices.ContainsFunc(leftOutSuffixes, func(s string) bool { return strings.HasSuffix(name, s) })
}

// inventory lists every file under dir but the manifest and transient ones, with its size
// and SHA-256, sorted by path.
func inventory(dir string) ([]manifestItem, error) {
	var items []manifestItem
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil || rel == manifestFile || transient(rel) {
			return err
		}
		size, sum, err := hashFile(path)
		if err != nil {
			return err
		}
		items = append(items, manifestItem{Path: filepath.ToSlash(rel), Size: size, SHA256: sum})
		return nil
	})
	slices.SortFunc(items, func(a, b manifestItem) int { return strings.Compare(a.Path, b.Path) })
	return items, err
}

// hashFile returns a file's size and hex SHA-256.
func hashFile(path string) (int64, string, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, "", err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return 0, "", fmt.Errorf("hash %s: %w", path, err)
	}
	return n, hex.EncodeToString(h.Sum(nil)), nil
}

// finishBackup puts the finished backup tmp at path: an empty directory
// there is replaced, anything else refused.
func finishBackup(tmp, path string) error { return moveDirIntoPlace(tmp, path, refuseNonEmpty) }

// moveDirIntoPlace renames the finished directory tmp, beside target, to
// target once refuse accepts what is there (nothing, or an empty
// directory, which is replaced), syncing both so that the rename survives
// a crash: a backup or a restore is either whole at target or not there.
func moveDirIntoPlace(tmp, target string, refuse func(string) error) error {
	if err := atomicfile.SyncDir(tmp); err != nil {
		return err
	}
	if err := refuse(target); err != nil {
		return err
	}
	if err := os.Remove(target); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if err := os.Rename(tmp, target); err != nil {
		return err
	}
	return atomicfile.SyncDir(filepath.Dir(filepath.Clean(target)))
}
