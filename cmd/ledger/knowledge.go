package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/config"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore"
	"github.com/interactionledger/ledger/eventstore/esdb"
	"github.com/interactionledger/ledger/eventstore/sqlite"
	"github.com/interactionledger/ledger/internal/atomicfile"
)

// knowledgeImporter is who `ledger knowledge import` records as the
// author of what it writes, unless --by names someone.
const knowledgeImporter = "system:knowledge-import"

// runKnowledge keeps the knowledge base as Markdown files, one an item
// (config.ParseKnowledgeFile): import reads a directory of them into the
// ledger, export writes the ledger's items out.
func runKnowledge(ctx context.Context, args []string, out io.Writer) error {
	verbs := map[string]func(context.Context, []string, io.Writer) error{
		"import": runKnowledgeImport, "export": runKnowledgeExport,
	}
	if len(args) == 0 || verbs[args[0]] == nil {
		fmt.Fprintln(out, "usage: ledger knowledge import|export [flags] DIR (ledger knowledge <verb> -h for its flags)")
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			return nil
		}
		return &exitError{code: 2, err: errors.New("knowledge: want import or export")}
	}
	return verbs[args[0]](ctx, args[1:], out)
}

// knowledgeSource is a parsed knowledge file and where it was read.
type knowledgeSource struct {
	path string
	file config.KnowledgeFile
}

// runKnowledgeImport reads every *.md file under DIR, in path order, and
// applies each to its item through the command layer: the content is
// drafted as the item's next version unless its newest version says the
// same already, then published or the item retired as the file's status
// asks. Every file is parsed and checked before anything is written, so
// bad input changes nothing; a file whose item the ledger cannot take
// (a retired item to revise, an article that is a template in the
// ledger) is refused before any of its commands is written. A rerun
// appends nothing. It writes to the ledger as its only writer: with the
// server running, author through the draftKnowledge mutation instead.
func runKnowledgeImport(ctx context.Context, args []string, out io.Writer) error {
	flags, data := newFlagSet("knowledge import", out)
	var location string
	addStoreFlag(flags, &location)
	keys := addNewLedgerFlags(flags)
	by := flags.String("by", knowledgeImporter, "who imports, recorded as the actor and author of every version and change")
	flags.Usage = func() {
		fmt.Fprintln(flags.Output(), "usage: ledger knowledge import [flags] DIR")
		flags.PrintDefaults()
	}
	if err := flags.Parse(args); err != nil {
		return err
	}
	if flags.NArg() != 1 || strings.TrimSpace(*by) == "" {
		flags.Usage()
		return &exitError{code: 2, err: errors.New("knowledge import: give one directory, and a non-empty --by")}
	}
	sources, err := readKnowledgeDir(flags.Arg(0))
	if err != nil {
		return err
	}
	raw, err := openLedger(ctx, location, *data, nil, true)
	if errors.Is(err, sqlite.ErrWriterLocked) {
		return fmt.Errorf("knowledge import: %w: author through that server's draftKnowledge mutation, or stop it first", err)
	}
	if err != nil {
		return err
	}
	keys.dir = *data
	store, err := openSealed(ctx, raw, *keys, !keys.keepClear && !esdb.IsURL(location))
	if err != nil {
		_ = raw.Close()
		return err
	}
	defer store.Close()
	h := commands.NewHandler(store)
	counts := map[string]int{}
	for _, src := range sources {
		action, item, err := importKnowledgeFile(ctx, h, store, src.file, *by)
		if err != nil {
			return fmt.Errorf("%s: %w (the files before it are imported)", src.path, err)
		}
		counts[action]++
		version := item.Live
		if version == 0 {
			version = len(item.Versions)
		}
		fmt.Fprintf(out, "%-9s %s v%d %s (%s)\n", action, item.ID, version, item.Status(), src.path)
	}
	fmt.Fprintf(out, "knowledge import: %s: %d created, %d revised, %d published, %d retired, %d unchanged\n",
		plural(len(sources), "file"), counts[importCreated], counts[importRevised], counts[importPublished], counts[importRetired], counts[importUnchanged])
	return nil
}

// What importing a file did to its item.
const (
	importCreated   = "created"   // the item is new
	importRevised   = "revised"   // a new version was saved (and maybe published)
	importPublished = "published" // a saved version was made live
	importRetired   = "retired"   // the item was retired (and maybe created or revised first)
	importUnchanged = "unchanged" // nothing was written
)

// readKnowledgeDir parses every *.md file under dir (hidden directories
// left out), in path order. Each must be a valid knowledge file named
// after its item's id, and no two may be the same item.
func readKnowledgeDir(dir string) ([]knowledgeSource, error) {
	var sources []knowledgeSource
	seen := map[string]string{}
	err := walkKnowledgeFiles(dir, func(path string, d fs.DirEntry) error {
		data, err := readBounded(path, config.MaxKnowledgeFile)
		if err != nil {
			return err
		}
		f, err := config.ParseKnowledgeFile(data)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if want := f.ID + ".md"; d.Name() != want {
			return fmt.Errorf("%s: the file of knowledge item %s must be named %s", path, f.ID, want)
		}
		if first, dup := seen[f.ID]; dup {
			return fmt.Errorf("%s: knowledge item %s is in %s already", path, f.ID, first)
		}
		seen[f.ID] = path
		sources = append(sources, knowledgeSource{path: path, file: f})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("knowledge import: %w; nothing imported", err)
	}
	if len(sources) == 0 {
		return nil, fmt.Errorf("knowledge import: no *.md files in %s", dir)
	}
	return sources, nil
}

// walkKnowledgeFiles calls fn for every *.md file under dir, in path
// order, hidden directories left out.
func walkKnowledgeFiles(dir string, fn func(path string, d fs.DirEntry) error) error {
	return filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != dir && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			return nil
		}
		if filepath.Ext(path) != ".md" {
			return nil
		}
		return fn(path, d)
	})
}

// readBounded reads a regular file of at most limit bytes.
func readBounded(path string, limit int) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil {
		return nil, err
	} else if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file", path)
	}
	data, err := io.ReadAll(io.LimitReader(f, int64(limit)+1))
	if err != nil {
		return nil, err
	}
	if len(data) > limit {
		return nil, fmt.Errorf("%s: a knowledge file is at most %d bytes", path, limit)
	}
	return data, nil
}

// importKnowledgeFile brings item f.ID to what f says. It decides the
// file's commands on the item as the ledger has it first, with the
// domain's decisions, and writes nothing when one is refused; then it
// runs those that change something through the command layer.
//
// Each command's idempotency key is derived from the item, the file's
// content, the step and the stream's version it was decided on: a retried
// import of the same file appends nothing, and a later import of content
// the item had before (A, then B, then A again) is a new request, not a
// retry of the first.
func importKnowledgeFile(ctx context.Context, h *commands.Handler, store eventstore.Store, f config.KnowledgeFile, actor string) (string, domain.KnowledgeItem, error) {
	st, err := loadKnowledgeItem(ctx, store, f.ID)
	if err != nil {
		return "", st.item, err
	}
	k := st.item
	if k.Retired {
		if f.Status == config.KnowledgeFileRetired && st.content().Equal(f.Content) && k.Kind == f.Kind {
			return importUnchanged, k, nil
		}
		return "", k, domain.Errorf(domain.ECONFLICT, "knowledge item %s is retired in the ledger: it cannot change, nor be drafted or published again (retire it in its file, with its content as exported, or give the file a new id)", f.ID)
	}
	type step struct {
		name string
		cmd  domain.KnowledgeCommand
	}
	steps := []step{{"draft", domain.DraftKnowledge{Kind: f.Kind, Content: f.Content, By: actor}}}
	switch f.Status {
	case config.KnowledgeFilePublished:
		steps = append(steps, step{"publish", nil})
	case config.KnowledgeFileRetired:
		steps = append(steps, step{"retire", domain.RetireKnowledge{Reason: f.RetireReason, By: actor}})
	}
	var (
		plan    []step
		changes []domain.Event
		at      = time.Now().UTC()
	)
	for _, s := range steps {
		if s.name == "publish" {
			// the version that says what f says: the newest, once drafted
			s.cmd = domain.PublishKnowledge{Version: len(k.Versions), By: actor}
		}
		events, err := domain.DecideKnowledge(k, s.cmd, at)
		if err != nil {
			return "", k, err
		}
		if len(events) == 0 {
			continue
		}
		for _, e := range events {
			k = domain.EvolveKnowledge(k, e)
		}
		plan = append(plan, s)
		changes = append(changes, events...)
	}
	if len(plan) == 0 {
		return importUnchanged, k, nil
	}
	formatted, err := config.FormatKnowledgeFile(f)
	if err != nil {
		return "", k, err
	}
	sum := sha256.Sum256(formatted)
	digest := hex.EncodeToString(sum[:12])
	item := st.item
	for _, s := range plan {
		meta := commands.Meta{Actor: actor, IdempotencyKey: fmt.Sprintf("knowledge-import/%s/%s/%s/%d", f.ID, s.name, digest, st.version)}
		if _, item, err = h.Knowledge(ctx, f.ID, s.cmd, meta); err != nil {
			return "", item, err
		}
	}
	return importAction(st.item, changes), item, nil
}

// importAction names what changes did to item (as it was before them).
func importAction(before domain.KnowledgeItem, changes []domain.Event) string {
	has := func(match func(domain.Event) bool) bool { return slices.ContainsFunc(changes, match) }
	switch {
	case has(func(e domain.Event) bool { _, ok := e.(domain.KnowledgeRetired); return ok }):
		return importRetired
	case !before.Exists():
		return importCreated
	case has(func(e domain.Event) bool { _, ok := e.(domain.KnowledgeDrafted); return ok }):
		return importRevised
	case len(changes) > 0:
		return importPublished
	}
	return importUnchanged
}

// knowledgeState is a knowledge item folded from its stream, with the
// stream's version.
type knowledgeState struct {
	item    domain.KnowledgeItem
	version int64 // -1 when it has no events
}

func newKnowledgeState(id string) *knowledgeState {
	return &knowledgeState{item: domain.KnowledgeItem{ID: id}, version: -1}
}

// apply folds one of the item's events.
func (s *knowledgeState) apply(rec eventstore.RecordedEvent) error {
	e, err := domain.DecodeEvent(rec.Type, rec.Schema, rec.Data)
	if err != nil {
		return fmt.Errorf("%s at version %d: %w", rec.Stream, rec.Version, err)
	}
	s.item = domain.EvolveKnowledge(s.item, e)
	s.version = rec.Version
	return nil
}

// content is the version a file of the item shows: the live one, else
// (never published, or retired) the newest.
func (s *knowledgeState) content() domain.KnowledgeContent {
	if v, ok := s.item.Version(s.item.Live); ok {
		return v.Content
	}
	if v, ok := s.item.Version(len(s.item.Versions)); ok {
		return v.Content
	}
	return domain.KnowledgeContent{}
}

// file is the item as a knowledge file.
func (s *knowledgeState) file() config.KnowledgeFile {
	f := config.KnowledgeFile{ID: s.item.ID, Kind: s.item.Kind, Content: s.content()}
	switch {
	case s.item.Retired:
		f.Status, f.RetireReason = config.KnowledgeFileRetired, s.item.RetireReason
	case s.item.Live > 0:
		f.Status = config.KnowledgeFilePublished
	default:
		f.Status = config.KnowledgeFileDraft
	}
	return f
}

// loadKnowledgeItem reads knowledge-<id> from the ledger.
func loadKnowledgeItem(ctx context.Context, store eventstore.Store, id string) (*knowledgeState, error) {
	st := newKnowledgeState(id)
	stream := domain.KnowledgeStream(id)
	for {
		page, err := store.ReadStream(ctx, stream, st.version+1, 512)
		if err != nil {
			return st, fmt.Errorf("read %s: %w", stream, err)
		}
		for _, rec := range page {
			if err := st.apply(rec); err != nil {
				return st, err
			}
		}
		if len(page) < 512 {
			return st, nil
		}
	}
}

// runKnowledgeExport writes every knowledge item in the ledger to DIR as
// a knowledge file named <id>.md: its live version with status published;
// a retired item's newest version with status retired and the reason; an
// item never published its newest version, status draft (a draft newer
// than the live version is not exported). The files depend only on the items, so an export,
// imported into an empty ledger and exported again, gives the same files.
// It refuses a DIR holding other *.md files (an import of DIR would read
// them as items).
func runKnowledgeExport(ctx context.Context, args []string, out io.Writer) error {
	flags, data := newFlagSet("knowledge export", out)
	var location string
	addStoreFlag(flags, &location)
	quiet := flags.Bool("quiet", false, "no progress bar")
	flags.Usage = func() {
		fmt.Fprintln(flags.Output(), "usage: ledger knowledge export [flags] DIR")
		flags.PrintDefaults()
	}
	if err := flags.Parse(args); err != nil {
		return err
	}
	if flags.NArg() != 1 {
		flags.Usage()
		return &exitError{code: 2, err: errors.New("knowledge export: give one directory")}
	}
	dir := flags.Arg(0)
	store, err := openLedgerToRead(ctx, location, *data)
	if err != nil {
		return err
	}
	defer store.Close()
	items, err := readKnowledgeItems(ctx, store, *quiet)
	if err != nil {
		return err
	}
	files := make(map[string][]byte, len(items))
	counts := map[string]int{}
	for _, st := range items {
		if !config.ValidKnowledgeID(st.item.ID) {
			return fmt.Errorf("knowledge export: item %q has an id no file can be named by (want 1 to %d of a-z, 0-9, '-', '_'); nothing exported", st.item.ID, config.MaxKnowledgeID)
		}
		f := st.file()
		data, err := config.FormatKnowledgeFile(f)
		if err != nil {
			return fmt.Errorf("knowledge export: %w; nothing exported", err)
		}
		files[f.ID+".md"] = data
		counts[string(f.Kind)]++
		counts[string(f.Status)]++
	}
	if err := checkExportDir(dir, files); err != nil {
		return err
	}
	for _, name := range sortedKeys(files) {
		if err := atomicfile.Write(filepath.Join(dir, name), files[name], 0o644); err != nil {
			return fmt.Errorf("knowledge export: %w", err)
		}
	}
	fmt.Fprintf(out, "knowledge export: %s to %s: %d articles, %d templates; %d published, %d draft, %d retired\n",
		plural(len(items), "item"), dir, counts[string(domain.KnowledgeArticle)], counts[string(domain.KnowledgeTemplate)],
		counts[string(config.KnowledgeFilePublished)], counts[string(config.KnowledgeFileDraft)], counts[string(config.KnowledgeFileRetired)])
	return nil
}

// readKnowledgeItems folds every knowledge-<id> stream of the ledger,
// reading $all once, and returns the items by id.
func readKnowledgeItems(ctx context.Context, store eventstore.Store, quiet bool) ([]*knowledgeState, error) {
	head, err := store.HeadPosition(ctx)
	if err != nil {
		return nil, err
	}
	bar := newProgress(int64(head), "reading the ledger", quiet)
	defer bar.Finish()
	items := map[string]*knowledgeState{}
	prefix := domain.KnowledgeStream("")
	for after := uint64(0); after < head; {
		page, err := store.ReadAll(ctx, after, 4096)
		if err != nil {
			return nil, err
		}
		if len(page) == 0 {
			break
		}
		for _, rec := range page {
			id, ok := strings.CutPrefix(rec.Stream, prefix)
			if !ok {
				continue
			}
			st := items[id]
			if st == nil {
				st = newKnowledgeState(id)
				items[id] = st
			}
			if err := st.apply(rec); err != nil {
				return nil, err
			}
		}
		after = page[len(page)-1].Position
		_ = bar.Set64(int64(after))
	}
	out := make([]*knowledgeState, 0, len(items))
	for _, id := range sortedKeys(items) {
		if items[id].item.Exists() {
			out = append(out, items[id])
		}
	}
	return out, nil
}

// checkExportDir makes dir when it does not exist, and refuses one with
// *.md files other than those the export writes.
func checkExportDir(dir string, files map[string][]byte) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("knowledge export: %w", err)
	}
	return walkKnowledgeFiles(dir, func(path string, d fs.DirEntry) error {
		if filepath.Dir(path) == filepath.Clean(dir) && files[d.Name()] != nil {
			return nil // rewritten by this export
		}
		return fmt.Errorf("knowledge export: %s is not an item of this ledger, and an import of %s would read it as one: export to an empty directory; nothing exported", path, dir)
	})
}

// plural writes n things.
func plural(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}

// sortedKeys returns a map's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
