// Package browsertest drives a real headless Chromium from Go tests (with
// chromedp) and records what a user would notice going wrong: console
// errors, uncaught exceptions, Content-Security-Policy violations, alert
// dialogs, and any network request a page makes.
//
// Chromium is Debian's chromium package (.ci/run installs it); a test
// skips, naming the package, when it is not on PATH. Screenshots go to
// ArtifactsDir: $ASSAY_TEST_ARTIFACTS/<test name> when that variable is
// set (CI keeps the folder), else the test's temporary directory.
package browsertest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// ArtifactsEnv names the folder screenshots are kept in.
const ArtifactsEnv = "ASSAY_TEST_ARTIFACTS"

// Browser is one headless Chromium with one tab, for one test.
type Browser struct {
	// Ctx is the tab's chromedp context, for actions the helpers below
	// do not cover (chromedp.Run(b.Ctx, ...)).
	Ctx context.Context

	mu       sync.Mutex
	problems []string
	requests []string
}

// ExecPath finds Chromium on PATH, or returns "".
func ExecPath() string {
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// shared is the one Chromium a test binary starts: starting it takes
// seconds, opening a tab in it milliseconds.
var shared struct {
	once    sync.Once
	ctx     context.Context
	cancel  func()
	err     error
	dataDir string
}

func startShared(path string) (context.Context, error) {
	shared.once.Do(func() {
		dir, err := os.MkdirTemp("", "assay-chromium-")
		if err != nil {
			shared.err = err
			return
		}
		shared.dataDir = dir
		opts := []chromedp.ExecAllocatorOption{
			chromedp.ExecPath(path),
			chromedp.UserDataDir(dir),
			chromedp.Flag("headless", "new"),
			chromedp.Flag("no-sandbox", true),
			chromedp.Flag("disable-gpu", true),
			chromedp.Flag("disable-quic", true),
			chromedp.Flag("no-first-run", true),
			chromedp.Flag("no-default-browser-check", true),
			chromedp.Flag("disable-background-networking", true),
			chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-sync", true),
			chromedp.Flag("disable-extensions", true),
			chromedp.Flag("disable-dev-shm-usage", true),
			chromedp.Flag("hide-scrollbars", true),
			chromedp.Flag("mute-audio", true),
			chromedp.WindowSize(1280, 900),
		}
		actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
		bctx, cancelBrowser := chromedp.NewContext(actx)
		shared.ctx = bctx
		shared.cancel = func() {
			cancelBrowser()
			cancelAlloc()
			os.RemoveAll(dir)
		}
		// The first call starts the browser, under a context without a
		// timeout: a timeout there would stop the browser with it.
		if _, err := chromedp.Run(bctx, chromedp.Title()); err != nil {
			shared.err = err
		}
	})
	return shared.ctx, shared.err
}

// Main runs a package's tests and then stops the shared browser; call it
// from TestMain: os.Exit(browsertest.Main(m)).
func Main(m *testing.M) int {
	code := m.Run()
	if shared.cancel != nil {
		shared.cancel()
	}
	return code
}

// New opens a fresh tab, in a browser context of its own (no cookies or
// storage shared with other tests), in the test binary's Chromium,
// starting it on first use. The tab closes when t ends. It skips t when
// Chromium is not installed.
func New(t testing.TB) *Browser {
	t.Helper()
	path := ExecPath()
	if path == "" {
		t.Skip("Chromium is not installed: the browser tests need Debian's chromium package (.ci/run installs it)")
	}
	bctx, err := startShared(path)
	if err != nil {
		t.Fatalf("starting Chromium (%s): %v", path, err)
	}
	ctx, cancel := chromedp.NewContext(bctx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	b := &Browser{Ctx: ctx}
	if err := chromedp.Listen(ctx, b.listen); err != nil {
		t.Fatalf("opening a tab in Chromium: %v", err)
	}
	return b
}

func (b *Browser) note(list *[]string, s string) {
	b.mu.Lock()
	*list = append(*list, s)
	b.mu.Unlock()
}

// listen runs in the tab's event loop: it only records.
func (b *Browser) listen(ev any) {
	switch e := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		if e.Type == runtime.ConsoleAPICalledTypeError || e.Type == runtime.ConsoleAPICalledTypeWarning || e.Type == runtime.ConsoleAPICalledTypeAssert {
			var parts []string
			for _, a := range e.Args {
				if len(a.Value) > 0 {
					parts = append(parts, string(a.Value))
				} else {
					parts = append(parts, a.Description)
				}
			}
			b.note(&b.problems, fmt.Sprintf("console.%s: %s", e.Type, strings.Join(parts, " ")))
		}
	case *runtime.EventExceptionThrown:
		msg := e.ExceptionDetails.Text
		if e.ExceptionDetails.Exception != nil {
			msg += " " + e.ExceptionDetails.Exception.Description
		}
		b.note(&b.problems, "uncaught exception: "+msg)
	case *log.EventEntryAdded:
		// Content-Security-Policy violations and failed loads arrive here.
		if e.Entry.Level == log.EntryLevelError || e.Entry.Level == log.EntryLevelWarning {
			b.note(&b.problems, fmt.Sprintf("%s %s: %s", e.Entry.Source, e.Entry.Level, e.Entry.Text))
		}
	case *page.EventJavascriptDialogOpening:
		b.note(&b.problems, fmt.Sprintf("a %s dialog opened: %q", e.Type, e.Message))
		go chromedp.Call(b.Ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
	case *network.EventRequestWillBeSent:
		b.note(&b.requests, e.Request.URL)
	}
}

// Problems returns what went wrong in the page so far.
func (b *Browser) Problems() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.problems...)
}

// Requests returns every URL the tab requested so far, the page itself
// included.
func (b *Browser) Requests() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.requests...)
}

// CheckClean fails t for every problem seen so far.
func (b *Browser) CheckClean(t testing.TB) {
	t.Helper()
	for _, p := range b.Problems() {
		t.Errorf("browser: %s", p)
	}
}

// actionTimeout bounds one step, so a broken page fails a test rather
// than hanging it.
const actionTimeout = 30 * time.Second

// Do runs actions in the tab, failing t on error.
func (b *Browser) Do(t testing.TB, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, actionTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatalf("browser: %v (problems so far: %v)", err, b.Problems())
	}
}

// Eval evaluates a JavaScript expression in the page and returns its
// value, failing t on error.
func Eval[T any](t testing.TB, b *Browser, expr string) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, actionTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("browser: evaluating %s: %v (problems so far: %v)", expr, err, b.Problems())
	}
	return v
}

// WaitFor polls a JavaScript condition until it is true, failing t after
// timeout. An evaluation that fails while the page navigates (its
// context destroyed, the target replaced) counts as not yet: a click that
// opens another page races the first poll.
func (b *Browser) WaitFor(t testing.TB, cond string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var lastErr error
	for {
		ctx, cancel := context.WithTimeout(b.Ctx, actionTimeout)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool]("!!("+cond+")"))
		cancel()
		if err == nil && ok {
			return
		}
		if err != nil {
			lastErr = err
		}
		if time.Now().After(deadline) {
			t.Fatalf("browser: %s still false after %s (last error: %v; problems: %v)", cond, timeout, lastErr, b.Problems())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Screenshot saves the whole page as name.png under dir and returns the
// file's path.
func (b *Browser) Screenshot(t testing.TB, dir, name string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, actionTimeout)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("browser: screenshot: %v", err)
	}
	p := filepath.Join(dir, name+".png")
	if err := os.WriteFile(p, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", p)
	return p
}

// ArtifactsDir is the folder a test keeps its screenshots in:
// $ASSAY_TEST_ARTIFACTS/<test name>, or a temporary folder of t.
func ArtifactsDir(t testing.TB) string {
	t.Helper()
	root := os.Getenv(ArtifactsEnv)
	if root == "" {
		return t.TempDir()
	}
	dir := filepath.Join(root, strings.NewReplacer("/", "_", " ", "_").Replace(t.Name()))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}
