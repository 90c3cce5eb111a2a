// Package browsertest runs real headless Chromium for the browser tests of
// the web UI (the web chat widget, the agent desktop), driven by chromedp.
//
// Start finds Debian's chromium (/usr/bin/chromium, or the path in
// LEDGER_CHROMIUM), starts it headless with a fresh profile and returns a
// Page: a tab, with helpers to run actions, take PNG screenshots, read the
// console's errors and run axe-core. With CI=true a missing Chromium fails
// the test; otherwise the test is skipped. `make test` installs it
// (scripts/test-deps.sh).
//
// axe-core comes from the npm packages under ui/ (ui/widget's
// devDependencies, installed by `make ui-widget`), or LEDGER_AXE_JS.
package browsertest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// ChromiumEnv names the environment variable that overrides the browser.
const ChromiumEnv = "LEDGER_CHROMIUM"

// AxeEnv names the environment variable that overrides axe.min.js.
const AxeEnv = "LEDGER_AXE_JS"

// ActionTimeout bounds each Run of a Page unless the page says otherwise.
const ActionTimeout = 60 * time.Second

// Width and Height are the window size of the browser (and so of the
// screenshots).
const (
	Width  = 1280
	Height = 800
)

// ChromiumPath returns the Chromium to run: $LEDGER_CHROMIUM, else Debian's
// /usr/bin/chromium, else the first of chromium, chromium-browser,
// google-chrome on the PATH.
func ChromiumPath() (string, error) {
	if p := os.Getenv(ChromiumEnv); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("%s=%s: %w", ChromiumEnv, p, err)
		}
		return p, nil
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium", nil
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", errors.New("no Chromium: install Debian's chromium (scripts/test-deps.sh does) or set " + ChromiumEnv)
}

// inCI reports whether the tests run in CI, where a missing browser fails.
func inCI() bool {
	v := strings.ToLower(os.Getenv("CI"))
	return v == "true" || v == "1"
}

// Unavailable fails the test in CI and skips it elsewhere: what a browser
// test does when something it needs (the browser, axe-core, the built UI)
// is missing.
func Unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if inCI() {
		t.Fatalf("%s (CI=true: browser tests must run)", msg)
	}
	t.Skipf("%s; skipped (it fails with CI=true)", msg)
}

// Flags are Chromium's command line flags, besides the profile and the
// window size.
var Flags = []string{
	"headless", "no-sandbox", "disable-gpu", "disable-quic", "no-first-run", "no-default-browser-check",
	"disable-background-networking", "disable-component-update", "disable-sync",
	"disable-extensions", "disable-dev-shm-usage", "disable-default-apps", "disable-breakpad",
	// tabs in the background keep their timers and sockets running
	"disable-background-timer-throttling", "disable-backgrounding-occluded-windows", "disable-renderer-backgrounding",
	"hide-scrollbars", "mute-audio", "password-store=basic", "use-mock-keychain", "force-color-profile=srgb",
}

// Lang makes the browser's language tag (navigator.language and the
// Accept-Language header) tag, e.g. "zh-CN"; the default is en-US.
func Lang(tag string) chromedp.ExecAllocatorOption {
	return func(a *chromedp.ExecAllocator) {
		chromedp.Flag("lang", tag)(a)
		chromedp.Flag("accept-lang", tag)(a)
	}
}

// Page is one tab of a headless Chromium.
type Page struct {
	// Ctx is the tab's chromedp context, for chromedp.Run and chromedp.Do
	// (Run and Do of the Page add a timeout and fail the test on error).
	Ctx context.Context
	t   testing.TB

	mu      sync.Mutex
	console []chromedp.ConsoleMessage
}

// Start starts a headless Chromium with a fresh profile for the test and
// returns its first tab; the browser stops when the test ends. Each Start
// is a separate browser with its own storage; tabs of one browser
// (NewTab) share cookies and local storage.
//
// extra are further allocator options, e.g. Lang("zh-CN").
func Start(t testing.TB, extra ...chromedp.ExecAllocatorOption) *Page {
	t.Helper()
	path, err := ChromiumPath()
	if err != nil {
		Unavailable(t, "%v", err)
	}
	profile, err := os.MkdirTemp("", "browsertest-profile-")
	if err != nil {
		t.Fatal(err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(Width, Height),
		// Chromium makes a directory of its own in TMPDIR for its
		// singleton socket and leaves it behind when it is stopped: in
		// the profile directory, it goes with it.
		chromedp.Env("TMPDIR=" + profile),
	}
	for _, f := range Flags {
		name, value, hasValue := strings.Cut(f, "=")
		if hasValue {
			opts = append(opts, chromedp.Flag(name, value))
		} else {
			opts = append(opts, chromedp.Flag(name, true))
		}
	}
	opts = append(opts, extra...)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx, chromedp.WithLogf(t.Logf))
	t.Cleanup(func() {
		cancel()
		cancelAlloc() // waits for the browser to exit
		_ = os.RemoveAll(profile)
	})
	p := &Page{Ctx: ctx, t: t}
	// The first Do starts the browser and the tab; the viewport is then
	// exactly Width × Height.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(Width, Height)); err != nil {
		t.Fatalf("start %s: %v", path, err)
	}
	p.listen()
	return p
}

// NewTab opens another tab of the same browser (same profile, so the same
// local storage and cookies); it closes when the test ends.
func (p *Page) NewTab() *Page {
	p.t.Helper()
	ctx, cancel := chromedp.NewContext(p.Ctx)
	p.t.Cleanup(cancel)
	tab := &Page{Ctx: ctx, t: p.t}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(Width, Height)); err != nil {
		p.t.Fatalf("new tab: %v", err)
	}
	tab.listen()
	return tab
}

// listen collects the tab's console messages, exceptions and browser log
// entries.
func (p *Page) listen() {
	msgs := chromedp.Console(p.Ctx)
	go func() {
		for m, err := range msgs {
			if err != nil {
				return
			}
			p.mu.Lock()
			p.console = append(p.console, m)
			p.mu.Unlock()
		}
	}()
}

// Do runs the actions with ActionTimeout, failing the test on an error.
func (p *Page) Do(actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	if err := p.DoErr(ActionTimeout, actions...); err != nil {
		p.t.Fatal(err)
	}
}

// DoErr runs the actions within timeout and returns their error.
func (p *Page) DoErr(timeout time.Duration, actions ...chromedp.Action[chromedp.Void]) error {
	ctx, cancel := context.WithTimeout(p.Ctx, timeout)
	defer cancel()
	return chromedp.Do(ctx, actions...)
}

// Run runs one action that returns a value on page with ActionTimeout,
// failing the test on an error.
func Run[T any](page *Page, a chromedp.Action[T]) T {
	page.t.Helper()
	ctx, cancel := context.WithTimeout(page.Ctx, ActionTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		page.t.Fatal(err)
	}
	return v
}

// Eval evaluates a JavaScript expression on page (awaiting a promise) and
// decodes its value into T, failing the test on an error.
func Eval[T any](page *Page, expression string) T {
	page.t.Helper()
	return Run(page, chromedp.Evaluate[T](expression, chromedp.EvalAwaitPromise))
}

// WaitJS waits until the JavaScript expression is truthy, failing the test
// with what after timeout.
func (p *Page) WaitJS(what, expression string, timeout time.Duration) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.Ctx, timeout+5*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](expression, chromedp.WithPollingTimeout(timeout), chromedp.WithPollingInterval(50*time.Millisecond))); err != nil {
		p.t.Fatalf("waiting for %s: %v", what, err)
	}
}

// Console returns every console message, exception and browser log entry
// of the tab so far.
func (p *Page) Console() []chromedp.ConsoleMessage {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]chromedp.ConsoleMessage(nil), p.console...)
}

// ConsoleErrors returns the tab's errors so far: console.error calls,
// uncaught exceptions and browser log errors (failed loads, CSP
// violations), as text.
func (p *Page) ConsoleErrors() []string {
	var out []string
	for _, m := range p.Console() {
		if m.Type == chromedp.ConsoleError || m.IsException() {
			s := m.String()
			if m.URL != "" {
				s += " (" + m.URL + ")"
			}
			out = append(out, s)
		}
	}
	return out
}

// Screenshot saves a PNG of the tab's viewport at path. A relative path is
// relative to the repository's root (e.g. "docs/screenshots/widget.png")
// and written there only when UpdateScreenshotsEnv is set; otherwise the
// PNG goes to a temporary directory.
func (p *Page) Screenshot(path string) {
	p.t.Helper()
	png := Run(p, chromedp.CaptureScreenshot())
	if !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) {
		p.t.Fatalf("screenshot %s is not a PNG", path)
	}
	switch {
	case filepath.IsAbs(path):
	case os.Getenv(UpdateScreenshotsEnv) == "":
		// Only a deliberate run rewrites the committed screenshots, so a
		// test run leaves the work tree as it found it.
		path = filepath.Join(p.t.TempDir(), filepath.Base(path))
	default:
		path = filepath.Join(RepoRoot(p.t), path)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		p.t.Fatal(err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		p.t.Fatal(err)
	}
}

// UpdateScreenshotsEnv, set to anything, makes Screenshot write into the
// repository (docs/screenshots/...) instead of a temporary directory.
const UpdateScreenshotsEnv = "LEDGER_UPDATE_SCREENSHOTS"

// RepoRoot returns the module's root: the nearest directory above the
// working directory with a go.mod.
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the working directory")
		}
		dir = parent
	}
}

// EmulateFocus makes the tab behave as the focused window of a focused
// browser, as a user's is: headless, the page never has the system focus,
// so document.hasFocus() is false and :focus-visible (the focus ring a
// keyboard user follows) never matches.
func (p *Page) EmulateFocus() {
	p.t.Helper()
	p.Do(chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetFocusEmulationEnabled, emulation.SetFocusEmulationEnabledParams{Enabled: true})
		return err
	}))
}
