package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/interactionledger/ledger/config"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore"
)

const (
	kbDelayZh = `---
id: tpl-delay-zh
kind: TEMPLATE
title: 订单延迟致歉
language: zh
category: delivery
tags: [延迟, Delay]
channels: [WECHAT]
status: published
---

{{customer.displayName}}您好，您的订单因物流原因延迟，非常抱歉。
`
	kbRefundsEn = `---
id: art-refunds-en
kind: ARTICLE
title: Refunds
language: en
category: refunds
status: draft
---

# Refunds

Refunds reach the original card within 7 working days.
`
	kbOldEn = `---
id: tpl-old-en
kind: TEMPLATE
title: Old greeting
language: en
status: retired
retireReason: replaced by tpl-delay-zh
---

Hello {{customer.displayName}}.
`
)

// writeFiles writes name → content under dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// ledgerHead is the position of the last event of the ledger in dir.
func ledgerHead(t *testing.T, dir string) uint64 {
	t.Helper()
	store, err := openExistingStore(t.Context(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	head, err := store.HeadPosition(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return head
}

// readDirFiles returns the files directly in dir by name.
func readDirFiles(t *testing.T, dir string) map[string]string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = string(b)
	}
	return out
}

// wantLines fails unless out has a line matching each pattern.
func wantLines(t *testing.T, out string, patterns ...string) {
	t.Helper()
	for _, p := range patterns {
		if !regexp.MustCompile(`(?m)^` + p + `$`).MatchString(out) {
			t.Fatalf("no line matching %q in\n%s", p, out)
		}
	}
}

// TestKnowledgeImportExport: `ledger knowledge import` creates, revises,
// publishes and retires items from files and says which it did per file;
// a rerun appends nothing, content an item had before is a new version,
// not a retry; bad input (a misspelt key, a retired item revised) names
// the file and line and writes nothing; `ledger knowledge export` writes
// files that, imported into an empty ledger and exported again, are the
// same.
func TestKnowledgeImportExport(t *testing.T) {
	data, src := t.TempDir(), t.TempDir()
	writeFiles(t, src, map[string]string{
		"tpl-delay-zh.md": kbDelayZh, "refunds/art-refunds-en.md": kbRefundsEn, "tpl-old-en.md": kbOldEn, "notes.txt": "not an item",
	})
	out := mustLedger(t, "knowledge", "import", "--data", data, src)
	wantLines(t, out,
		`created +art-refunds-en v1 DRAFT \(.*refunds/art-refunds-en.md\)`,
		`created +tpl-delay-zh v1 PUBLISHED \(.*\)`,
		`retired +tpl-old-en v1 RETIRED \(.*\)`,
		`knowledge import: 3 files: 2 created, 0 revised, 0 published, 1 retired, 0 unchanged`)
	if i, j := strings.Index(out, "art-refunds-en"), strings.Index(out, "tpl-delay-zh"); i > j {
		t.Fatalf("files not imported in path order:\n%s", out)
	}
	head := ledgerHead(t, data)
	out = mustLedger(t, "knowledge", "import", "--data", data, src)
	wantLines(t, out, `knowledge import: 3 files: 0 created, 0 revised, 0 published, 0 retired, 3 unchanged`)
	if h := ledgerHead(t, data); h != head {
		t.Fatalf("a rerun appended %d events", h-head)
	}

	revisedZh := strings.Replace(kbDelayZh, "非常抱歉", "给您添麻烦了", 1)
	writeFiles(t, src, map[string]string{
		"tpl-delay-zh.md":           revisedZh,
		"refunds/art-refunds-en.md": strings.Replace(kbRefundsEn, "status: draft", "status: published", 1),
	})
	out = mustLedger(t, "knowledge", "import", "--data", data, src)
	wantLines(t, out, `published +art-refunds-en v1 PUBLISHED .*`, `revised +tpl-delay-zh v2 REVISED .*`, `unchanged +tpl-old-en v1 RETIRED .*`)
	writeFiles(t, src, map[string]string{"tpl-delay-zh.md": kbDelayZh})
	out = mustLedger(t, "knowledge", "import", "--data", data, src)
	wantLines(t, out, `revised +tpl-delay-zh v3 REVISED .*`)

	head = ledgerHead(t, data)
	writeFiles(t, src, map[string]string{
		"tpl-delay-zh.md": revisedZh,
		"tpl-typo-en.md":  strings.Replace(strings.Replace(kbOldEn, "tpl-old-en", "tpl-typo-en", 1), "title:", "tittle:", 1),
	})
	_, err := ledger(t, "knowledge", "import", "--data", data, src)
	if err == nil || !strings.Contains(err.Error(), filepath.Join(src, "tpl-typo-en.md")+`: line 4: unknown key "tittle"`) || !strings.Contains(err.Error(), "nothing imported") {
		t.Fatalf("a misspelt key: %v", err)
	}
	if err := os.Rename(filepath.Join(src, "tpl-typo-en.md"), filepath.Join(src, "misnamed.md")); err != nil {
		t.Fatal(err)
	}
	writeFiles(t, src, map[string]string{"misnamed.md": strings.Replace(kbOldEn, "tpl-old-en", "tpl-typo-en", 1)})
	if _, err = ledger(t, "knowledge", "import", "--data", data, src); err == nil || !strings.Contains(err.Error(), "misnamed.md: the file of knowledge item tpl-typo-en must be named tpl-typo-en.md") {
		t.Fatalf("a file not named by its id: %v", err)
	}
	if err := os.Remove(filepath.Join(src, "misnamed.md")); err != nil {
		t.Fatal(err)
	}
	writeFiles(t, src, map[string]string{"copy/tpl-delay-zh.md": kbDelayZh})
	if _, err := ledger(t, "knowledge", "import", "--data", data, src); err == nil || !strings.Contains(err.Error(), "knowledge item tpl-delay-zh is in "+filepath.Join(src, "copy/tpl-delay-zh.md")+" already") {
		t.Fatalf("the same item in two files: %v", err)
	}
	if err := os.RemoveAll(filepath.Join(src, "copy")); err != nil {
		t.Fatal(err)
	}
	writeFiles(t, src, map[string]string{"tpl-old-en.md": strings.Replace(kbOldEn, "Hello", "Hi", 1)})
	if _, err := ledger(t, "knowledge", "import", "--data", data, src); err == nil || !strings.Contains(err.Error(), "tpl-old-en.md: knowledge item tpl-old-en is retired") {
		t.Fatalf("a retired item revised: %v", err)
	}
	if h := ledgerHead(t, data); h != head+2 {
		// tpl-delay-zh (before tpl-old-en in path order) was revised and
		// published; nothing of tpl-old-en was written
		t.Fatalf("the head moved from %d to %d, want %d", head, h, head+2)
	}
	writeFiles(t, src, map[string]string{"tpl-old-en.md": kbOldEn})

	store, err := openExistingSealed(t.Context(), keySource{dir: data})
	if err != nil {
		t.Fatal(err)
	}
	events, err := store.ReadStream(t.Context(), domain.KnowledgeStream("tpl-delay-zh"), 0, 100)
	store.Close()
	if err != nil || len(events) != 8 {
		t.Fatalf("tpl-delay-zh has %d events (%v), want 4 versions each published", len(events), err)
	}
	for _, e := range events {
		var md eventstore.Metadata
		if err := json.Unmarshal(e.Metadata, &md); err != nil || md.Actor != knowledgeImporter {
			t.Fatalf("event %s %s has actor %q (%v), want %q", e.Type, e.ID, md.Actor, err, knowledgeImporter)
		}
	}

	first, second, fresh := filepath.Join(t.TempDir(), "kb"), t.TempDir(), t.TempDir()
	out = mustLedger(t, "knowledge", "export", "--data", data, "--quiet", first)
	wantLines(t, out, `knowledge export: 3 items to .*: 1 articles, 2 templates; 2 published, 0 draft, 1 retired`)
	exported := readDirFiles(t, first)
	if got := exported["tpl-delay-zh.md"]; got != strings.Replace(revisedZh, "tags: [延迟, Delay]", "tags: [delay, 延迟]", 1) {
		t.Fatalf("tpl-delay-zh exported as\n%s", got)
	}
	mustLedger(t, "knowledge", "import", "--data", fresh, first)
	mustLedger(t, "knowledge", "export", "--data", fresh, "--quiet", second)
	again := readDirFiles(t, second)
	if len(again) != len(exported) || len(exported) != 3 {
		t.Fatalf("exported %d files, then %d", len(exported), len(again))
	}
	for name, content := range exported {
		if again[name] != content {
			t.Fatalf("%s exported as\n%s\nthen, imported and exported again, as\n%s", name, content, again[name])
		}
	}
	mustLedger(t, "knowledge", "export", "--data", data, "--quiet", first) // over its own files
	writeFiles(t, first, map[string]string{"stray.md": kbOldEn})
	if _, err := ledger(t, "knowledge", "export", "--data", data, "--quiet", first); err == nil || !strings.Contains(err.Error(), "stray.md is not an item") {
		t.Fatalf("an export over a stray file: %v", err)
	}
	if _, err := ledger(t, "knowledge", "import", "--data", data); exitCode(err) != 2 {
		t.Fatalf("import without a directory: %v", err)
	}
	if _, err := ledger(t, "knowledge", "import", "--data", data, t.TempDir()); err == nil || !strings.Contains(err.Error(), "no *.md files") {
		t.Fatalf("import of an empty directory: %v", err)
	}
}

// TestKnowledgeStarterSet: the starter knowledge base shipped with the
// ledger imports cleanly into a fresh ledger (every template valid), a
// second import changes nothing, and an export gives back the same items.
func TestKnowledgeStarterSet(t *testing.T) {
	starter := filepath.Join("..", "..", "config", "knowledge", "starter")
	files, err := filepath.Glob(filepath.Join(starter, "*.md"))
	if err != nil || len(files) < 60 {
		t.Fatalf("%d starter files (%v)", len(files), err)
	}
	data := t.TempDir()
	out := mustLedger(t, "knowledge", "import", "--data", data, starter)
	wantLines(t, out, fmt.Sprintf(`knowledge import: %d files: %d created, 0 revised, 0 published, 0 retired, 0 unchanged`, len(files), len(files)))
	out = mustLedger(t, "knowledge", "import", "--data", data, starter)
	wantLines(t, out, fmt.Sprintf(`knowledge import: %d files: 0 created, 0 revised, 0 published, 0 retired, %d unchanged`, len(files), len(files)))
	exported := t.TempDir()
	mustLedger(t, "knowledge", "export", "--data", data, "--quiet", exported)
	for _, path := range files {
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join(exported, filepath.Base(path)))
		if err != nil {
			t.Fatal(err)
		}
		a, errA := config.ParseKnowledgeFile(want)
		b, errB := config.ParseKnowledgeFile(got)
		if errA != nil || errB != nil || !reflect.DeepEqual(a, b) {
			t.Fatalf("%s exported as\n%s\n(%v, %v)", path, got, errA, errB)
		}
	}
}
