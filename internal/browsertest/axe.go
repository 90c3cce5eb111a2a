package browsertest

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// Violation is one axe-core rule a page breaks.
type Violation struct {
	ID          string `json:"id"`
	Impact      string `json:"impact"`
	Description string `json:"description"`
	Help        string `json:"help"`
	HelpURL     string `json:"helpUrl"`
	Nodes       []struct {
		// Target is the element's selector; inside a shadow root, a list
		// of selectors from the document down.
		Target         json.RawMessage `json:"target"`
		HTML           string          `json:"html"`
		FailureSummary string          `json:"failureSummary"`
	} `json:"nodes"`
}

func (v Violation) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s): %s [%s]", v.ID, v.Impact, v.Help, v.HelpURL)
	for _, n := range v.Nodes {
		fmt.Fprintf(&b, "\n    %s %s\n      %s", n.Target, n.HTML, strings.ReplaceAll(n.FailureSummary, "\n", "\n      "))
	}
	return b.String()
}

// axeCandidates are where the npm packages under ui/ keep axe-core.
var axeCandidates = []string{
	"ui/widget/node_modules/axe-core/axe.min.js",
	"ui/app/node_modules/axe-core/axe.min.js",
	"ui/testkit/node_modules/axe-core/axe.min.js",
}

// AxeSource returns axe-core's axe.min.js: $LEDGER_AXE_JS, else the first
// copy installed under ui/ (make ui-widget installs it). Missing, the test
// fails in CI and is skipped elsewhere.
func AxeSource(t testing.TB) string {
	t.Helper()
	paths := axeCandidates
	if p := os.Getenv(AxeEnv); p != "" {
		paths = []string{p}
	}
	root := RepoRoot(t)
	for _, p := range paths {
		if !filepath.IsAbs(p) {
			p = filepath.Join(root, p)
		}
		if b, err := os.ReadFile(p); err == nil {
			return string(b)
		}
	}
	Unavailable(t, "axe-core is not installed (run make ui-widget, or set %s); looked in %v", AxeEnv, paths)
	return ""
}

// Axe runs axe-core on the tab's current document (shadow roots included)
// and returns the violations of serious or critical impact.
func (p *Page) Axe() []Violation {
	p.t.Helper()
	all := p.AxeAll()
	var out []Violation
	for _, v := range all {
		if v.Impact == "serious" || v.Impact == "critical" {
			out = append(out, v)
		}
	}
	return out
}

// AxeAll runs axe-core on the tab's current document and returns every
// violation, whatever its impact.
func (p *Page) AxeAll() []Violation {
	p.t.Helper()
	if !Eval[bool](p, `typeof window.axe === "object"`) {
		Run(p, chromedp.Evaluate[chromedp.Void](AxeSource(p.t)))
	}
	raw := Eval[string](p, `axe.run(document, {resultTypes: ["violations"]}).then(r => JSON.stringify(r.violations))`)
	var vs []Violation
	if err := json.Unmarshal([]byte(raw), &vs); err != nil {
		p.t.Fatalf("axe-core's answer: %v", err)
	}
	return vs
}

// AssertAccessible fails the test (without stopping it) for every serious
// or critical axe-core violation on the tab's current document; where
// names the page in the messages.
func (p *Page) AssertAccessible(where string) {
	p.t.Helper()
	for _, v := range p.Axe() {
		p.t.Errorf("%s: accessibility: %s", where, v)
	}
}
