package app

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/interactionledger/ledger/analytics"
)

// TestReportNamesLabelled: every report, column, dimension and option of
// the analytics catalogue has a label in the desktop's catalogue
// (src/i18n/enums.en.ts; the zh-CN file's type demands the same keys), so
// no report screen falls back to a raw name such as answered_within.
func TestReportNamesLabelled(t *testing.T) {
	src, err := os.ReadFile("src/i18n/enums.en.ts")
	if err != nil {
		t.Fatal(err)
	}
	has := func(key string) bool { return strings.Contains(string(src), `"`+key+`":`) }
	var missing []string
	need := func(key string) {
		if !has(key) && !slices.Contains(missing, key) {
			missing = append(missing, key)
		}
	}
	for _, d := range analytics.Catalogue() {
		need("reportTitle." + d.Name)
		need("reportDescription." + d.Name)
		for _, g := range d.GroupBy {
			need("reportColumn." + g)
		}
		for _, c := range d.Columns {
			need("reportColumn." + c.Name)
		}
		for _, o := range d.Options {
			need("reportOption." + o.Name)
			need("reportOptionHelp." + o.Name)
		}
	}
	if len(missing) > 0 {
		t.Errorf("no label in src/i18n/enums.en.ts (and enums.zh-CN.ts) for: %s", strings.Join(missing, ", "))
	}
}
