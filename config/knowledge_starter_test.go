package config

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/internal/textseg"
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

// labelledSet is the labelled retrieval set: customer messages, each with
// the starter template that is the right reply.
const labelledSet = "../testdata/knowledge/labelled.tsv"

// TestLabelledRetrievalSet: every line of the labelled set names a
// language, a channel, a message and a starter template of that language
// worded for that channel; the set is large enough, about half Chinese,
// with some traditional characters, and every starter template is the
// label of several messages.
func TestLabelledRetrievalSet(t *testing.T) {
	items := loadStarter(t)
	data, err := os.ReadFile(labelledSet)
	if err != nil {
		t.Fatal(err)
	}
	perTemplate := map[string]int{}
	perLanguage := map[string]int{}
	seen := map[string]int{}
	traditional, header := 0, false
	for i, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		n := i + 1
		if strings.HasPrefix(line, "#") {
			continue
		}
		if !header {
			if line != "language\tchannel\tmessage\texpected" {
				t.Fatalf("line %d: the header row is %q", n, line)
			}
			header = true
			continue
		}
		fields := strings.Split(line, "\t")
		if len(fields) != 4 {
			t.Fatalf("line %d: %d fields, want 4: %q", n, len(fields), line)
		}
		lang, channel, message, id := fields[0], domain.Channel(fields[1]), fields[2], fields[3]
		if !slices.Contains(domain.KnowledgeLanguages, lang) || !channel.Valid() {
			t.Errorf("line %d: language %q, channel %q", n, lang, channel)
		}
		if message == "" || strings.TrimSpace(message) != message {
			t.Errorf("line %d: message %q", n, message)
		}
		if first, dup := seen[message]; dup {
			t.Errorf("line %d: the message of line %d again", n, first)
		}
		seen[message] = n
		f, ok := items[id]
		switch {
		case !ok:
			t.Errorf("line %d: no starter item %s", n, id)
			continue
		case f.Kind != domain.KnowledgeTemplate:
			t.Errorf("line %d: %s is an article, not a reply template", n, id)
		case f.Content.Language != lang:
			t.Errorf("line %d: a %s message labelled with %s, a %s template", n, lang, id, f.Content.Language)
		case len(f.Content.Channels) > 0 && !slices.Contains(f.Content.Channels, channel):
			t.Errorf("line %d: a %s message labelled with %s, worded for %v", n, channel, id, f.Content.Channels)
		}
		perTemplate[id]++
		perLanguage[lang]++
		if lang == "zh" {
			simple, err := textseg.Simplified(message)
			if err != nil {
				t.Fatal(err)
			}
			if simple != message {
				traditional++
			}
		}
	}
	total := perLanguage["zh"] + perLanguage["en"]
	if total < 240 || perLanguage["zh"]*10 < total*4 || perLanguage["en"]*10 < total*4 {
		t.Errorf("%d labelled messages (%v), want at least 240, about half of them Chinese", total, perLanguage)
	}
	if traditional < 10 {
		t.Errorf("%d messages in traditional characters, want at least 10", traditional)
	}
	for id, f := range items {
		if f.Kind == domain.KnowledgeTemplate && perTemplate[id] < 3 {
			t.Errorf("%s is the label of %d messages, want at least 3", id, perTemplate[id])
		}
	}
}
