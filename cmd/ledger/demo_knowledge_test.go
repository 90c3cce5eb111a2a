package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestDemoAnswersFromTheStarterKnowledge: `demo --knowledge` publishes
// the starter set before the first contact, and some agents' first
// replies are sent from its templates: each ReplyTemplateUsed follows its
// reply's MessageSent and names a published template of the set.
func TestDemoAnswersFromTheStarterKnowledge(t *testing.T) {
	const starter = "../../config/knowledge/starter"
	files, err := readDemoKnowledge(starter)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	out, err := ledger(t, "demo", "--data", dir, "--customers", "40", "--interactions", "200", "--seed", "3", "--quiet", "--knowledge", starter)
	if err != nil {
		t.Fatalf("demo: %v\n%s", err, out)
	}
	store, err := openExistingStore(t.Context(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	all, err := store.ReadAll(t.Context(), 0, 100_000)
	if err != nil {
		t.Fatal(err)
	}
	published := map[string]bool{}
	firstContact := -1
	uses := 0
	for i, e := range all {
		switch {
		case e.Type == "KnowledgePublished":
			if firstContact >= 0 {
				t.Fatalf("%s published after the first contact", e.Stream)
			}
			published[strings.TrimPrefix(e.Stream, "knowledge-")] = true
		case e.Type == "InteractionStarted" && firstContact < 0:
			firstContact = i
		case e.Type == "ReplyTemplateUsed":
			var used struct{ MessageID, TemplateID string }
			if err := json.Unmarshal(e.Data, &used); err != nil {
				t.Fatal(err)
			}
			prev := all[i-1]
			if prev.Type != "MessageSent" || prev.Stream != e.Stream || !published[used.TemplateID] || !strings.HasPrefix(used.TemplateID, "tpl-") {
				t.Fatalf("ReplyTemplateUsed %+v after %s on %s", used, prev.Type, prev.Stream)
			}
			uses++
		}
	}
	if len(published) != len(files) || uses == 0 {
		t.Fatalf("%d items published, %d replies from templates; want the %d of the starter set and some", len(published), uses, len(files))
	}
}
