package config

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/interactionledger/ledger/domain"
)

// starterDir holds the starter knowledge base shipped with the ledger
// (`make run` imports it).
const starterDir = "knowledge/starter"

// loadStarter parses every file of the starter set, by id.
func loadStarter(t *testing.T) map[string]KnowledgeFile {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(starterDir, "*.md"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no starter knowledge in %s: %v", starterDir, err)
	}
	items := map[string]KnowledgeFile{}
	for _, path := range paths {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		f, err := ParseKnowledgeFile(data)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if filepath.Base(path) != f.ID+".md" {
			t.Fatalf("%s holds item %s", path, f.ID)
		}
		items[f.ID] = f
	}
	return items
}

// TestStarterKnowledge: the starter set parses; every item is published,
// comes in Chinese and English (the same id ending -zh and -en) and
// covers each area with articles and templates; every template fills
// with every variable it uses and leaves none behind.
func TestStarterKnowledge(t *testing.T) {
	items := loadStarter(t)
	values := map[domain.TemplateVariable]string{}
	for _, v := range domain.TemplateVariableNames {
		values[v] = "<" + string(v) + ">"
	}
	type area struct{ articles, templates int }
	areas := map[string]map[string]*area{} // category → language → counts
	for id, f := range items {
		if f.Status != KnowledgeFilePublished {
			t.Errorf("%s is %s, not published", id, f.Status)
		}
		base, ok := strings.CutSuffix(id, "-"+f.Content.Language)
		if !ok {
			t.Errorf("%s: the id does not end with its language, -%s", id, f.Content.Language)
		}
		other := map[string]string{"zh": "en", "en": "zh"}[f.Content.Language]
		if twin, ok := items[base+"-"+other]; !ok || twin.Kind != f.Kind || twin.Content.Category != f.Content.Category || !slices.Equal(twin.Content.Channels, f.Content.Channels) {
			t.Errorf("%s has no %s twin of the same kind, category and channels", id, other)
		}
		if (f.Kind == domain.KnowledgeArticle) != strings.HasPrefix(id, "art-") {
			t.Errorf("%s is a %s: articles' ids start art-, templates' tpl-", id, f.Kind)
		}
		if f.Content.Category == "" || f.Content.BusinessDomain == "" || len(f.Content.Tags) == 0 {
			t.Errorf("%s needs a category, a business domain and tags", id)
		}
		if areas[f.Content.Category] == nil {
			areas[f.Content.Category] = map[string]*area{"zh": {}, "en": {}}
		}
		a := areas[f.Content.Category][f.Content.Language]
		if f.Kind == domain.KnowledgeArticle {
			a.articles++
			continue
		}
		a.templates++
		filled, err := domain.FillTemplate(f.Content.Body, values)
		if err != nil || strings.Contains(filled, "{{") || strings.Contains(filled, "}}") {
			t.Errorf("%s does not fill: %v\n%s", id, err, filled)
		}
		if f.Content.Language == "zh" && strings.Contains(filled, "Hi ") {
			t.Errorf("%s: English in a Chinese template", id)
		}
	}
	for _, category := range []string{"delivery", "billing", "broadband", "refunds", "account-security"} {
		for _, lang := range domain.KnowledgeLanguages {
			a := areas[category][lang]
			if a == nil || a.articles < 1 || a.templates < 3 {
				t.Errorf("%s in %s: %+v, want an article and at least 3 templates", category, lang, a)
			}
		}
	}
	if len(items) < 60 || len(items) > 90 {
		t.Errorf("%d starter items, want 60 to 90", len(items))
	}
}
