package projections

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/interactionledger/ledger/domain"
)

// TestDamagedReadDatabaseIsRebuilt: a read database damaged while the
// server was stopped (a page overwritten, or the file not a database at
// all) is removed when opened, and the read models are rebuilt from the
// ledger; nothing refuses to start.
func TestDamagedReadDatabaseIsRebuilt(t *testing.T) {
	for _, tc := range []struct {
		name   string
		damage func(t *testing.T, path string)
	}{
		{"a page overwritten", func(t *testing.T, path string) {
			f, err := os.OpenFile(path, os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			garbage := make([]byte, 4096)
			for i := range garbage {
				garbage[i] = byte(i*7 + 3)
			}
			if _, err := f.WriteAt(garbage, 200); err != nil { // the first page's schema, past the header
				t.Fatal(err)
			}
		}},
		{"not a database", func(t *testing.T, path string) {
			if err := os.WriteFile(path, []byte("these are not the read models you are looking for"), 0o600); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			h.append(knowledgeDraft("k1", domain.KnowledgeArticle, 1, domain.KnowledgeContent{Title: "Refunds", Body: "Refunds take 7 days.", Language: "en"}),
				knowledgePublish("k1", 1))
			path := filepath.Join(h.dir, "damaged.db")
			db, err := OpenReadDB(h.ctx, path)
			if err != nil {
				t.Fatal(err)
			}
			h.runToHead(db)
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
			for _, suffix := range []string{"-wal", "-shm"} {
				_ = os.Remove(path + suffix)
			}
			tc.damage(t, path)

			db, err = OpenReadDB(h.ctx, path)
			if err != nil {
				t.Fatalf("opening the damaged read database: %v", err)
			}
			defer db.Close()
			if hits, err := db.SearchKnowledge(h.ctx, KnowledgeQuery{Text: "refunds"}); err != nil || len(hits) != 0 {
				t.Fatalf("before the rebuild: %v, %v; want a new, empty database", hitIDs(hits), err)
			}
			h.runToHead(db)
			if hits, err := db.SearchKnowledge(h.ctx, KnowledgeQuery{Text: "refunds"}); err != nil || !slices.Equal(hitIDs(hits), []string{"k1"}) {
				t.Fatalf("after the rebuild: %v, %v", hitIDs(hits), err)
			}
		})
	}
}
