package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/interactionledger/ledger/domain"
)

const templateFile = `---
id: tpl-delivery-delay-zh
kind: TEMPLATE
title: " 订单延迟致歉 "
language: zh
category: delivery
businessDomain: logistics
tags: [Delay, 物流, delay]
channels: [WECHAT, WEBCHAT]
status: published
---

{{customer.displayName}}您好，您的订单（工单号 {{ticket.number}}）因物流原因延迟，给您添麻烦了。
我是{{agent.name}}，会持续跟进。
`

const articleFile = "---\r\nid: art-refund-policy-en\r\nkind: ARTICLE\r\ntitle: Refund policy\r\nlanguage: en\r\nstatus: retired\r\nretireReason: replaced by the 2026 policy\r\n---\r\n# Refunds\r\n\r\nRefunds reach the card in 7 working days.\r\n"

// withLine replaces the first line of templateFile that starts with
// prefix (a key and its colon) with line ("" deletes it).
func withLine(prefix, line string) string {
	lines := strings.Split(templateFile, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, prefix) {
			if line == "" {
				return strings.Join(append(lines[:i:i], lines[i+1:]...), "\n")
			}
			lines[i] = line
			return strings.Join(lines, "\n")
		}
	}
	panic("no line " + prefix)
}

func TestParseKnowledgeFile(t *testing.T) {
	got, err := ParseKnowledgeFile([]byte(templateFile))
	if err != nil {
		t.Fatal(err)
	}
	want := KnowledgeFile{ID: "tpl-delivery-delay-zh", Kind: domain.KnowledgeTemplate, Status: KnowledgeFilePublished,
		Content: domain.KnowledgeContent{Title: "订单延迟致歉", Language: "zh", Category: "delivery", BusinessDomain: "logistics",
			Tags: []string{"delay", "物流"}, Channels: []domain.Channel{domain.ChannelWebchat, domain.ChannelWeChat},
			Body: "{{customer.displayName}}您好，您的订单（工单号 {{ticket.number}}）因物流原因延迟，给您添麻烦了。\n我是{{agent.name}}，会持续跟进。"}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("parsed\n%#v\nwant\n%#v", got, want)
	}

	got, err = ParseKnowledgeFile(append([]byte("\uFEFF"), articleFile...))
	if err != nil {
		t.Fatal(err)
	}
	want = KnowledgeFile{ID: "art-refund-policy-en", Kind: domain.KnowledgeArticle, Status: KnowledgeFileRetired, RetireReason: "replaced by the 2026 policy",
		Content: domain.KnowledgeContent{Title: "Refund policy", Language: "en", Body: "# Refunds\n\nRefunds reach the card in 7 working days."}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("parsed\n%#v\nwant\n%#v", got, want)
	}
}

func TestParseKnowledgeFileErrors(t *testing.T) {
	tests := []struct {
		name  string
		input string
		want  string // the error's start (its line) and a part of it, "line 3: ...|unknown key"
	}{
		{"no front matter", "# Refunds\n", "line 1: |starts with a line"},
		{"front matter never closed", "---\nid: a\n", "line 1: |never closed"},
		{"empty front matter", "---\n---\nbody\n", "line 2: |front matter is empty"},
		{"front matter not a mapping", "---\n- a\n- b\n---\nbody\n", "line 2: |keys and values"},
		{"unknown key", withLine("category:", "categroy: delivery"), "line 6: |unknown key \"categroy\""},
		{"key twice", withLine("category:", "title: again"), "line 6: |title is given twice (first on line 4)"},
		{"missing id", withLine("id:", ""), "line 2: |no id"},
		{"missing status", withLine("status:", ""), "line 2: |no status"},
		{"bad id", withLine("id:", "id: Tpl Delay"), "line 2: |id \"Tpl Delay\""},
		{"id too long", withLine("id:", "id: "+strings.Repeat("a", MaxKnowledgeID+1)), "line 2: |id"},
		{"bad kind", withLine("kind:", "kind: template"), "line 3: |kind must be ARTICLE or TEMPLATE"},
		{"bad status", withLine("status:", "status: live"), "line 10: |status must be"},
		{"retired without a reason", withLine("status:", "status: retired"), "line 10: |needs a retireReason"},
		{"a reason without retiring", withLine("status:", "status: draft\nretireReason: old"), "line 11: |only for status retired"},
		{"blank retire reason", withLine("status:", "status: retired\nretireReason: \"  \""), "line 11: |retireReason: retiring"},
		{"bad language", withLine("language:", "language: fr"), "line 5: |language must be one of"},
		{"empty title", withLine("title:", "title:"), "line 4: |title"},
		{"title too long", withLine("title:", "title: "+strings.Repeat("长", domain.MaxKnowledgeTitle+1)), "line 4: |title"},
		{"tags not a list", withLine("tags:", "tags: delay"), "line 8: |tags must be a list"},
		{"a tag that is a mapping", withLine("tags:", "tags: [{a: b}]"), "line 8: |tags item must be a single value"},
		{"title that is a list", withLine("title:", "title: [a, b]"), "line 4: |title must be a single value"},
		{"unknown channel", withLine("channels:", "channels: [FAX]"), "line 9: |unknown channel \"FAX\""},
		{"channels for an article", withLine("kind:", "kind: ARTICLE"), "line 9: |only a reply template"},
		{"unknown variable", strings.Replace(templateFile, "{{agent.name}}", "{{agent.nmae}}", 1), "line 14: |unknown variable {{agent.nmae}}"},
		{"unclosed variable", strings.Replace(templateFile, "{{ticket.number}}", "{{ticket.number", 1), "line 13: |unknown variable {{ticket.number）"},
		{"no body", strings.SplitAfter(templateFile, "---\n")[0] + strings.SplitAfter(templateFile, "---\n")[1] + "\n  \n", "line 12: |body: a body of"},
		{"broken yaml", withLine("title:", "title: \"unterminated"), "line 4: front matter: |unexpected end"},
		{"yaml anchor", withLine("category:", "category: &c delivery\nbusinessDomain: *c"), "line 6: |anchors"},
		{"yaml tag", withLine("title:", "title: !!binary aGk="), "line 4: |tags (!!binary) are not allowed"},
		{"two documents", withLine("tags:", "--- # a second document\ntags: []"), "line 8: |one YAML document"},
		{"not UTF-8", withLine("title:", "title: caf\xe9"), "line 4: |not UTF-8"},
		{"too big", templateFile + strings.Repeat("x", MaxKnowledgeFile), "|at most"},
		{"front matter too big", withLine("title:", "title: x\n"+strings.Repeat("# comment\n", maxKnowledgeFrontMatter/10+1)), "line 2: |front matter is at most"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			prefix, part, _ := strings.Cut(tc.want, "|")
			_, err := ParseKnowledgeFile([]byte(tc.input))
			if err == nil || !strings.HasPrefix(err.Error(), prefix) || !strings.Contains(err.Error(), part) {
				t.Fatalf("error %v, want one starting %q containing %q", err, prefix, part)
			}
			if domain.ErrorCode(err) != domain.EINVALID {
				t.Fatalf("error code %q, want %q", domain.ErrorCode(err), domain.EINVALID)
			}
		})
	}
}

func TestFormatKnowledgeFileRoundTrip(t *testing.T) {
	items := []KnowledgeFile{
		{ID: "tpl-a", Kind: domain.KnowledgeTemplate, Status: KnowledgeFilePublished, Content: domain.KnowledgeContent{
			Title: "Delay: sorry", Language: "en", Category: "123", BusinessDomain: "true", Tags: []string{"a, b", "null", "#x"},
			Channels: []domain.Channel{domain.ChannelSMS}, Body: "Hi {{customer.displayName}},\n\n---\nyour order {{ ticket.number }} is late."}},
		{ID: "art-b", Kind: domain.KnowledgeArticle, Status: KnowledgeFileDraft, Content: domain.KnowledgeContent{
			Title: "退款政策：7个工作日\n第二行", Language: "zh", Body: "# 退款\n\n- 7个工作日到账\n"}},
		{ID: "0_x", Kind: domain.KnowledgeArticle, Status: KnowledgeFileRetired, RetireReason: "  'quoted' \"both\" ",
			Content: domain.KnowledgeContent{Title: "- dash", Language: "en", Body: "body"}},
	}
	for _, item := range items {
		out, err := FormatKnowledgeFile(item)
		if err != nil {
			t.Fatal(err)
		}
		back, err := ParseKnowledgeFile(out)
		if err != nil {
			t.Fatalf("%s: %v\n%s", item.ID, err, out)
		}
		normal, err := checkKnowledgeFile(item, map[string]int{keyRetireReason: 0}, item.Content.Body)
		if item.Status != KnowledgeFileRetired {
			normal, err = checkKnowledgeFile(item, map[string]int{}, item.Content.Body)
		}
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(back, normal) {
			t.Fatalf("%s came back as\n%#v\nwant\n%#v\nfrom\n%s", item.ID, back, normal, out)
		}
		again, err := FormatKnowledgeFile(back)
		if err != nil || string(again) != string(out) {
			t.Fatalf("formatting again gave\n%s\nnot\n%s (%v)", again, out, err)
		}
	}
	if out, err := FormatKnowledgeFile(KnowledgeFile{ID: "x", Kind: domain.KnowledgeTemplate, Status: KnowledgeFilePublished,
		Content: domain.KnowledgeContent{Title: "t", Language: "en", Body: "{{nope}}"}}); err == nil {
		t.Fatalf("an invalid template was formatted:\n%s", out)
	}
	if out, err := FormatKnowledgeFile(KnowledgeFile{ID: "x", Kind: domain.KnowledgeArticle, Status: KnowledgeFilePublished, RetireReason: "r",
		Content: domain.KnowledgeContent{Title: "t", Language: "en", Body: "b"}}); err == nil {
		t.Fatalf("a retire reason was formatted for a published item:\n%s", out)
	}
}

func FuzzKnowledgeFile(f *testing.F) {
	f.Add([]byte(templateFile))
	f.Add([]byte(articleFile))
	f.Add([]byte("---\nid: a\nkind: ARTICLE\ntitle: |\n  two\n  lines\nlanguage: en\nstatus: draft\n---\nbody"))
	f.Add([]byte("---\nid: a\nkind: TEMPLATE\ntitle: \"\\0\\L\\u2028\"\nlanguage: en\ntags: ['a', \"b\", ~]\nstatus: draft\n---\n{{ agent.name }}\r\n---\n"))
	f.Add([]byte("---\n---\n"))
	f.Add([]byte("---"))
	starter, _ := filepath.Glob(filepath.Join("knowledge", "starter", "*.md"))
	for _, path := range starter[:min(len(starter), 8)] {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		parsed, err := ParseKnowledgeFile(data)
		if err != nil {
			if domain.ErrorCode(err) != domain.EINVALID {
				t.Fatalf("error %v has code %q, want %q", err, domain.ErrorCode(err), domain.EINVALID)
			}
			return
		}
		out, err := FormatKnowledgeFile(parsed)
		if err != nil {
			t.Fatalf("a parsed file does not format: %v\n%#v", err, parsed)
		}
		back, err := ParseKnowledgeFile(out)
		if err != nil {
			t.Fatalf("a formatted file does not parse: %v\n%s", err, out)
		}
		if !reflect.DeepEqual(back, parsed) {
			t.Fatalf("parsed\n%#v\nformatted and parsed back as\n%#v\nfrom\n%s", parsed, back, out)
		}
	})
}
