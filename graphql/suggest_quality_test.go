package graphql

import (
	"bufio"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/config"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/graphql/auth"
)

// The starter knowledge base and the labelled customer messages the
// suggestions are measured on.
const (
	starterKnowledgeDir = "../config/knowledge/starter"
	labelledMessages    = "../testdata/knowledge/labelled.tsv"
	// minTop3Accuracy is the share of labelled messages whose correct
	// template must be among the first three suggested.
	minTop3Accuracy = 0.80
)

// labelledMessage is a customer's message and the template that answers
// it.
type labelledMessage struct {
	line     int
	language string
	channel  domain.Channel
	text     string
	want     string
}

// TestReplySuggestionQuality measures retrieval, not by eye: the starter
// knowledge base is imported, each labelled customer message starts a
// conversation on its channel, and suggestReplies (no draft yet: the
// moment the conversation opens; on a call, what the customer says is
// what the agent types, so it is the draft) must put the labelled
// template among its first three for at least minTop3Accuracy of them, in each language
// too. The accuracy and the misses are logged for BENCHMARKS.md
// (go test ./graphql -run TestReplySuggestionQuality -v).
func TestReplySuggestionQuality(t *testing.T) {
	e := newEnv(t)
	templates := importStarterKnowledge(t, e)
	messages := readLabelled(t, templates)
	agent := e.token(auth.RoleAgent, "a-1")
	e.registerAgent("a-1", "Li Lei")

	ids := make([]string, len(messages))
	for i, m := range messages {
		res, err := e.cmds.ReceiveInbound(e.ctx, commands.InboundMessage{
			Channel: m.channel, From: identityOn(m.channel, i), DisplayName: fmt.Sprintf("Customer %d", i),
			ProviderMessageID: fmt.Sprintf("labelled-%d", i), ConversationKey: fmt.Sprintf("labelled-%d", i), Text: writtenText(m), SentAt: time.Now().UTC(),
		}, commands.Meta{})
		must(t, err, "line %d", m.line)
		ids[i] = res.InteractionID
	}
	e.settle()

	hits := map[string][2]int{} // language → found in top 3, all
	var misses []string
	for i, m := range messages {
		var got struct {
			SuggestReplies struct {
				Templates []struct{ Template struct{ ID string } }
			}
		}
		vars := map[string]any{"id": ids[i]}
		if m.channel == domain.ChannelPhone {
			vars["draft"] = m.text
		}
		e.post(agent, `query($id: ID!, $draft: String) { suggestReplies(interactionId: $id, draft: $draft) { templates { template { id } } } }`, vars).ok(t).decode(t, &got)
		var top []string
		for _, s := range got.SuggestReplies.Templates {
			top = append(top, s.Template.ID)
		}
		n := hits[m.language]
		n[1]++
		if slices.Contains(top, m.want) {
			n[0]++
		} else {
			misses = append(misses, fmt.Sprintf("line %d (%s, %s) %q: want %s, got %v", m.line, m.language, m.channel, m.text, m.want, top))
		}
		hits[m.language] = n
	}
	found, all := 0, 0
	for _, language := range slices.Sorted(maps.Keys(hits)) {
		n := hits[language]
		found, all = found+n[0], all+n[1]
		t.Logf("%s: top-3 accuracy %.1f%% (%d of %d)", language, 100*float64(n[0])/float64(n[1]), n[0], n[1])
		if float64(n[0]) < minTop3Accuracy*float64(n[1]) {
			t.Errorf("%s: top-3 accuracy %d of %d, below %.0f%%", language, n[0], n[1], 100*minTop3Accuracy)
		}
	}
	t.Logf("all: top-3 accuracy %.1f%% (%d of %d); %d misses:\n%s", 100*float64(found)/float64(all), found, all, len(misses), strings.Join(misses, "\n"))
	if float64(found) < minTop3Accuracy*float64(all) {
		t.Errorf("top-3 accuracy %d of %d, below %.0f%%", found, all, 100*minTop3Accuracy)
	}
}

// importStarterKnowledge drafts and publishes every published item of
// the starter set and returns the ids of its templates.
func importStarterKnowledge(t *testing.T, e *env) map[string]bool {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(starterKnowledgeDir, "*.md"))
	must(t, err, "starter set")
	if len(files) == 0 {
		t.Fatalf("no knowledge files in %s", starterKnowledgeDir)
	}
	templates := map[string]bool{}
	meta := commands.Meta{Actor: "admin:test"}
	for _, name := range files {
		data, err := os.ReadFile(name)
		must(t, err, "read %s", name)
		f, err := config.ParseKnowledgeFile(data)
		must(t, err, "parse %s", name)
		if f.Status != config.KnowledgeFilePublished {
			continue
		}
		_, _, err = e.cmds.Knowledge(e.ctx, f.ID, domain.DraftKnowledge{Kind: f.Kind, Content: f.Content}, meta)
		must(t, err, "draft %s", f.ID)
		_, _, err = e.cmds.Knowledge(e.ctx, f.ID, domain.PublishKnowledge{}, meta)
		must(t, err, "publish %s", f.ID)
		if f.Kind == domain.KnowledgeTemplate {
			templates[f.ID] = true
		}
	}
	return templates
}

// readLabelled reads the labelled messages: tab-separated language,
// channel, message, template id; '#' starts a comment line.
func readLabelled(t *testing.T, templates map[string]bool) []labelledMessage {
	t.Helper()
	f, err := os.Open(labelledMessages)
	must(t, err, "labelled messages")
	defer f.Close()
	var out []labelledMessage
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		cols := strings.Split(line, "\t")
		if len(cols) != 4 {
			t.Fatalf("%s line %d: %d columns, want 4 (language, channel, message, template)", labelledMessages, n, len(cols))
		}
		if cols[0] == "language" { // the header
			continue
		}
		m := labelledMessage{line: n, language: cols[0], channel: domain.Channel(cols[1]), text: cols[2], want: cols[3]}
		if !templates[m.want] {
			t.Fatalf("%s line %d: %s is not a published template of the starter set", labelledMessages, n, m.want)
		}
		if !m.channel.Valid() {
			t.Fatalf("%s line %d: channel %q is not a channel", labelledMessages, n, cols[1])
		}
		out = append(out, m)
	}
	must(t, sc.Err(), "read %s", labelledMessages)
	if len(out) < 200 {
		t.Fatalf("%d labelled messages, want at least 200", len(out))
	}
	return out
}

// writtenText is the message's text as the customer's first message: a
// call has none (what is said is not in the ledger).
func writtenText(m labelledMessage) string {
	if m.channel == domain.ChannelPhone {
		return ""
	}
	return m.text
}

// identityOn is a distinct customer's handle on a channel.
func identityOn(ch domain.Channel, i int) domain.Identity {
	switch ch {
	case domain.ChannelEmail:
		return domain.Identity{Kind: domain.IdentityEmail, Value: fmt.Sprintf("customer%d@example.com", i)}
	case domain.ChannelWeChat:
		return domain.Identity{Kind: domain.IdentityWeChat, Value: fmt.Sprintf("wx-labelled-%d", i)}
	case domain.ChannelApp:
		return domain.Identity{Kind: domain.IdentityDevice, Value: fmt.Sprintf("device-labelled-%d", i)}
	default:
		return domain.Identity{Kind: domain.IdentityPhone, Value: fmt.Sprintf("+86139%08d", i)}
	}
}
