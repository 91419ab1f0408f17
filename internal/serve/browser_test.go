package serve_test

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/scaffold-cli/scaffold/internal/catalog"
	"github.com/scaffold-cli/scaffold/internal/config"
	"github.com/scaffold-cli/scaffold/internal/decide"
	"github.com/scaffold-cli/scaffold/internal/serve"
)

// chromium finds the browser the page is tested in: $SCAFFOLD_CHROMIUM,
// else Debian's /usr/bin/chromium. Without one the test is skipped,
// loudly, except in CI (CI=true), where .ci/run installs it.
func chromium(t *testing.T) string {
	t.Helper()
	bin := os.Getenv("SCAFFOLD_CHROMIUM")
	if bin == "" {
		bin = "/usr/bin/chromium"
	}
	if _, err := os.Stat(bin); err != nil {
		msg := fmt.Sprintf("no Chromium at %s (%v), so the web page is not tested in a browser: "+
			"install it with `apt-get install -y chromium chromium-driver`, or set SCAFFOLD_CHROMIUM to a Chromium binary", bin, err)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip("SKIPPED LOUDLY: " + msg)
	}
	return bin
}

// The budget of one wait in the page: generous, as the machine may be
// busy; a wait ends as soon as its condition holds.
const wait = 90 * time.Second

// TestBrowser drives the page of scaffold serve in a real headless
// Chromium: goals to a recommendation, a template's form to a preview,
// a validation error, the share link restoring every choice in a new
// tab, and the tgz download, which scaffold verify then checks.
func TestBrowser(t *testing.T) {
	bin := chromium(t)

	srv, err := serve.New(serve.Options{Config: &config.Config{}, Version: "dev"})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()

	// The page must work under the server's CSP: a violation is a
	// console error, which fails the test below.
	if csp := pageHeader(t, ts.URL+"/", "Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") {
		t.Errorf("GET / for a browser: Content-Security-Policy %q, want default-src 'self'", csp)
	}

	ctx, b := startBrowser(t, bin)

	b.step("open /")
	b.run(ctx, "open the page", chromedp.Navigate(ts.URL+"/"))
	b.until(ctx, "the page to load the metadata and the first recommendation", `document.body.dataset.ready === "true"`)
	checkLabels(t, ctx)

	// --- the keyboard: Tab moves on with a visible focus, Space ticks ---
	b.step("keyboard: Tab to a goal, Space ticks and unticks it")
	b.run(ctx, "tab to the second goal", chromedp.Focus(chromedp.ID("goal-startup")), chromedp.KeyEvent(kb.Tab))
	b.until(ctx, "the focus on the second goal, with an outline", `document.activeElement.id === "goal-prototype"
		&& getComputedStyle(document.activeElement).outlineStyle !== "none"`)
	b.run(ctx, "space", chromedp.KeyEvent(" "))
	b.until(ctx, "the goal ticked by Space", `document.getElementById("goal-prototype").checked && document.getElementById("recommendation").dataset.goals === "prototype"`)
	b.run(ctx, "space again", chromedp.KeyEvent(" "))
	b.until(ctx, "the goal unticked", `!document.getElementById("goal-prototype").checked && document.getElementById("recommendation").dataset.goals === ""`)

	// --- goals to a recommendation ---
	cat, err := catalog.Builtins(nil)
	if err != nil {
		t.Fatal(err)
	}
	expect := func(goals ...string) string {
		return decide.Recommend(decide.Input{Goals: goals}, cat.Engine()).Template
	}
	first := expect("performance", "concurrency")
	second := expect("realtime", "full-stack-team")
	if first == second {
		t.Fatalf("the engine recommends %s for both sets of goals; pick goals that differ", first)
	}
	recIs := func(tmpl string, goals ...string) string {
		return fmt.Sprintf(`(r => r.dataset.template === %q && r.dataset.goals === %q && r.getAttribute("aria-busy") === null)(document.getElementById("recommendation"))`,
			tmpl, strings.Join(goals, ","))
	}
	b.step("tick performance and concurrency")
	b.run(ctx, "tick goals", chromedp.Click(chromedp.ID("goal-performance")), chromedp.Click(chromedp.ID("goal-concurrency")))
	b.until(ctx, "the recommendation "+first, recIs(first, "performance", "concurrency"))
	b.until(ctx, "the template select to name the recommendation", fmt.Sprintf(`document.getElementById("template-auto").textContent.includes(%q)`, first))

	b.step("untick them, tick realtime and full-stack-team")
	b.run(ctx, "change goals",
		chromedp.Click(chromedp.ID("goal-performance")), chromedp.Click(chromedp.ID("goal-concurrency")),
		chromedp.Click(chromedp.ID("goal-realtime")), chromedp.Click(chromedp.ID("goal-full-stack-team")))
	b.until(ctx, "the recommendation "+second, recIs(second, "realtime", "full-stack-team"))
	b.until(ctx, "the reasons of the recommendation", `document.querySelectorAll("#rec-reasons li").length > 0`)

	// --- the form and the preview ---
	b.step("pick go/chi, team go, name orders, module, no Dockerfile")
	b.run(ctx, "fill the form",
		js(selectJS("template", "go/chi")),
		js(selectJS("team", "go")),
		chromedp.WaitVisible(chromedp.ID("a-module")),
		chromedp.SendKeys(chromedp.ID("name"), "orders"),
		chromedp.SendKeys(chromedp.ID("a-module"), "example.com/orders"),
		chromedp.Click(chromedp.ID("a-docker")),
	)
	b.until(ctx, "the preview to list orders/go.mod and no Dockerfile", `(() => {
		if (!settled) return false;
		const paths = [...document.querySelectorAll("#files li")].map(li => li.dataset.path);
		return paths.includes("orders/go.mod") && !paths.includes("orders/Dockerfile");
	})()`)
	b.until(ctx, "the preview to resolve module and hide downstream", `document.getElementById("q-module").dataset.value === "example.com/orders"
		&& document.getElementById("q-downstream").hidden && !document.getElementById("q-module").hidden`)
	b.until(ctx, "the realtime question to default to the goal", `document.getElementById("a-realtime").checked`)
	b.until(ctx, "the next steps", `[...document.querySelectorAll("#next li code")].some(c => c.textContent === "go test ./...")`)

	// --- a bad value: the server's message, next to the field ---
	b.step("type a bad module path")
	badModule := "example.com/bad module"
	b.run(ctx, "type a bad module", js(inputJS("a-module", badModule)))
	want := previewProblem(t, ts.URL, url.Values{
		"goal": {"realtime", "full-stack-team"}, "team": {"go"}, "template": {"go/chi"}, "name": {"orders"},
		"module": {badModule}, "docker": {"false"},
	})
	if want.Parameter != "module" || want.Detail == "" {
		t.Fatalf("GET /preview with module %q: problem %+v, want one naming the parameter module", badModule, want)
	}
	b.until(ctx, "the error next to the module field", fmt.Sprintf(`(() => {
		const e = document.getElementById("e-module"), a = document.getElementById("a-module");
		return !e.hidden && e.textContent === %q && a.getAttribute("aria-invalid") === "true"
			&& a.getAttribute("aria-describedby").split(" ").includes("e-module");
	})()`, want.Detail))
	// The browser checks the same regexp as the server, as the field's
	// pattern (rewritten for JavaScript's v flag).
	if !evaluate[bool](t, ctx, `document.getElementById("a-module").validity.patternMismatch`) {
		t.Errorf("the module field's pattern %q does not refuse %q", evaluate[string](t, ctx, `document.getElementById("a-module").pattern`), badModule)
	}
	b.step("correct it")
	b.run(ctx, "correct the module", js(inputJS("a-module", "example.com/orders")))
	if evaluate[bool](t, ctx, `document.getElementById("a-module").validity.patternMismatch`) {
		t.Errorf("the module field's pattern %q refuses example.com/orders", evaluate[string](t, ctx, `document.getElementById("a-module").pattern`))
	}
	b.until(ctx, "the error to go", `document.getElementById("e-module").hidden && !document.getElementById("a-module").hasAttribute("aria-invalid")
		&& settled`)

	// --- the share link restores every choice in a new tab ---
	before := evaluate[string](t, ctx, snapshotJS)
	href := evaluate[string](t, ctx, `document.getElementById("share").getAttribute("href")`)
	location := evaluate[string](t, ctx, `location.pathname + location.search`)
	if location != href {
		t.Errorf("the page's URL is %s, its share link %s: want them equal (history.replaceState)", location, href)
	}
	if share := evaluate[string](t, ctx, `document.getElementById("share-url").value`); share != ts.URL+href {
		t.Errorf("the field to copy holds %s, want %s", share, ts.URL+href)
	}
	// Headless Chromium may refuse the clipboard: then the page selects
	// the link for the user to copy. Either way it says what it did.
	b.run(ctx, "copy the link", chromedp.Click(chromedp.ID("copy")))
	b.until(ctx, "the copy button to say what it did", `document.getElementById("copy-status").textContent !== ""`)
	b.step("open the share link " + href + " in a new tab")
	tab, cancelTab := chromedp.NewContext(ctx)
	defer cancelTab()
	b.watch(tab, "shared tab")
	b.run(tab, "open the share link", chromedp.Navigate(ts.URL+href))
	b.until(tab, "the shared page to load", `document.body.dataset.ready === "true"`)
	b.until(tab, "the shared page's preview", `settled && document.querySelectorAll("#files li").length > 0 && document.getElementById("q-module").dataset.value === "example.com/orders"`)
	after := evaluate[string](t, tab, snapshotJS)
	if before != after {
		t.Errorf("the share link did not restore every choice:\nbefore: %s\nafter:  %s", before, after)
	}
	// On a phone's width the page fits: nothing to scroll sideways.
	b.step("the shared page on a phone's width")
	b.run(tab, "emulate a phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
	b.until(tab, "the page to fit 390 px", `innerWidth <= 400 && document.documentElement.scrollWidth <= innerWidth`)
	b.screenshot(tab, "scaffold-serve-page-phone.png")
	cancelTab()

	// --- the tgz download, unpacked and verified ---
	b.step("download the tgz")
	archive := b.download(ctx, "download-tgz")
	b.screenshot(ctx, "scaffold-serve-page.png")

	tgzHref := evaluate[string](t, ctx, `document.getElementById("download-tgz").getAttribute("href")`)
	if q := strings.TrimPrefix(tgzHref, "/starter.tgz?"); q != strings.TrimPrefix(href, "/?") {
		t.Errorf("the tgz link %s has not the share link's parameters %s", tgzHref, href)
	}
	zipHref := evaluate[string](t, ctx, `document.getElementById("download-zip").getAttribute("href")`)
	if q := strings.TrimPrefix(zipHref, "/starter.zip?"); q != strings.TrimPrefix(href, "/?") {
		t.Errorf("the zip link %s has not the share link's parameters %s", zipHref, href)
	}
	checkZip(t, ts.URL+zipHref)

	dir := t.TempDir()
	untgz(t, archive, dir)
	project := filepath.Join(dir, "orders")
	gomod, err := os.ReadFile(filepath.Join(project, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(gomod), "module example.com/orders\n") {
		t.Errorf("go.mod of the download does not use the module typed in:\n%s", gomod)
	}
	for file, want := range map[string]bool{".scaffold-answers.yaml": true, "Dockerfile": false, "internal/realtime": true} {
		if _, err := os.Stat(filepath.Join(project, file)); (err == nil) != want {
			t.Errorf("the download has %s: %v, want %v", file, err == nil, want)
		}
	}

	b.step("scaffold verify the download")
	verifyProject(t, project)
	b.step("done")
}

// TestBrowserForm holds the page's form to every kind of question, on a
// template made for it: a team default pre-fills its field, an int is a
// number field, a multiselect a group of checkboxes, a secret a password
// field kept out of the share link, a question whose when is false is
// hidden until another answer makes it apply; the share link restores
// the rest and the zip has the answers.
func TestBrowserForm(t *testing.T) {
	bin := chromium(t)
	file := func(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s), Mode: 0o644} }
	fixture := fstest.MapFS{
		"go/form/scaffold.yaml": file(`name: go/form
title: Every question
description: a template whose questions are of every type
kind: service
language: go
framework: form
version: 1.0.0
questions:
  - name: owner
    prompt: Who owns it?
  - name: port
    prompt: Port
    help: where it listens
    type: int
    default: 8080
  - name: flavour
    prompt: Flavour
    type: select
    choices: [plain, fancy]
    default: plain
  - name: extras
    prompt: Extras
    type: multiselect
    choices: [x, y, z]
    default: []
  - name: fancy_note
    prompt: Fancy note
    default: shiny
    when: '{{ eq .flavour "fancy" }}'
  - name: token
    prompt: Token
    secret: true
    validate: '^[a-z0-9]*$'
    default: ""
`),
		"go/form/README.md.tmpl": file("{{ .Project.Name }} by {{ .owner }} on {{ .port }}, {{ .flavour }} {{ .extras }} {{ .fancy_note }}\n"),
		"go/form/token.txt.tmpl": file("{{ .token }}\n"),
	}
	cfg := &config.Config{Defaults: map[string]any{"owner": "platform-team"}}
	srv, err := serve.New(serve.Options{Builtins: fixture, Config: cfg, Version: "dev"})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()

	ctx, b := startBrowser(t, bin)
	b.step("open the form")
	b.run(ctx, "open the page", chromedp.Navigate(ts.URL+"/?template=go/form&name=demo"))
	b.until(ctx, "the page and its preview", `document.body.dataset.ready === "true" && settled && document.querySelectorAll("#files li").length === 3`)
	checkLabels(t, ctx)
	b.until(ctx, "the team default, the field types and the hidden question", `(() => {
		const $ = id => document.getElementById(id);
		return $("a-owner").value === "platform-team" && $("a-port").type === "number" && $("a-port").placeholder === "8080"
			&& $("a-flavour").tagName === "SELECT" && $("a-extras").tagName === "FIELDSET"
			&& $("a-extras").querySelector("legend").textContent === "Extras"
			&& $("a-extras").querySelectorAll("input[type=checkbox]").length === 3
			&& $("a-token").type === "password" && $("q-fancy_note").hidden;
	})()`)

	b.step("answer every question")
	b.run(ctx, "answer",
		js(selectJS("a-flavour", "fancy")),
		chromedp.Click(chromedp.ID("a-extras-0")),
		chromedp.Click(chromedp.ID("a-extras-2")),
		js(inputJS("a-port", "9090")),
	)
	b.until(ctx, "the fancy note to apply, with its default", `!document.getElementById("q-fancy_note").hidden
		&& document.getElementById("a-fancy_note").placeholder === "shiny"
		&& document.getElementById("q-extras").dataset.value === "x,z" && document.getElementById("q-port").dataset.value === "9090"`)

	b.step("a bad secret")
	b.run(ctx, "type a bad token", chromedp.SendKeys(chromedp.ID("a-token"), "BAD!"))
	b.until(ctx, "the error next to the token", `!document.getElementById("e-token").hidden && document.getElementById("e-token").textContent !== ""
		&& document.getElementById("a-token").getAttribute("aria-invalid") === "true"`)
	b.run(ctx, "a good token", js(inputJS("a-token", "s3cret")))
	b.until(ctx, "the error to go", `document.getElementById("e-token").hidden && settled
		&& !document.getElementById("share-secret").hidden`)

	href := evaluate[string](t, ctx, `document.getElementById("share").getAttribute("href")`)
	zipHref := evaluate[string](t, ctx, `document.getElementById("download-zip").getAttribute("href")`)
	if strings.Contains(href, "s3cret") || strings.Contains(evaluate[string](t, ctx, `location.href`), "s3cret") {
		t.Errorf("the share link %s or the page's URL holds the secret answer", href)
	}
	if strings.Contains(zipHref, "s3cret") {
		t.Errorf("the zip link %s holds the secret answer, which the server refuses in a URL", zipHref)
	}
	// With a secret, the button posts the choices as a form.
	body, err := os.ReadFile(b.download(ctx, "download-zip"))
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		got[f.Name] = string(data)
	}
	if want := "demo by platform-team on 9090, fancy [x z] shiny\n"; got["demo/README.md"] != want {
		t.Errorf("README.md of the zip: %q, want %q", got["demo/README.md"], want)
	}
	if got["demo/token.txt"] != "s3cret\n" {
		t.Errorf("token.txt of the zip: %q, want the secret typed in", got["demo/token.txt"])
	}

	b.step("open the share link " + href)
	b.run(ctx, "the secret out of the comparison", js(inputJS("a-token", "")))
	b.until(ctx, "the preview without the token", `settled && document.getElementById("share-secret").hidden`)
	before := evaluate[string](t, ctx, snapshotJS)
	tab, cancelTab := chromedp.NewContext(ctx)
	defer cancelTab()
	b.watch(tab, "shared tab")
	b.run(tab, "open the share link", chromedp.Navigate(ts.URL+href))
	b.until(tab, "the shared page's preview", `document.body.dataset.ready === "true" && settled && document.querySelectorAll("#files li").length === 3
		&& document.getElementById("q-extras").dataset.value === "x,z"`)
	if after := evaluate[string](t, tab, snapshotJS); before != after {
		t.Errorf("the share link did not restore every choice:\nbefore: %s\nafter:  %s", before, after)
	}
	b.step("no extras at all")
	b.run(tab, "untick the extras", chromedp.Click(chromedp.ID("a-extras-0")), chromedp.Click(chromedp.ID("a-extras-2")))
	b.until(tab, "the preview with no extras", `settled && document.getElementById("q-extras").dataset.value === ""
		&& new URLSearchParams(location.search).getAll("extras").join() === ""  && new URLSearchParams(location.search).has("extras")`)
	b.step("a link with an answer the template does not ask")
	b.run(tab, "open it", chromedp.Navigate(ts.URL+"/?template=go/form&name=demo&nosuch=1&port=7"))
	b.until(tab, "the note and a preview without it", `settled && document.body.dataset.ready === "true"
		&& document.getElementById("link-note").textContent.includes("nosuch") && !document.getElementById("link-note").textContent.includes("port")
		&& document.getElementById("q-port").dataset.value === "7" && !location.search.includes("nosuch")`)
	b.step("done")
}

// session is one headless Chromium and what its pages did wrong.
type session struct {
	t       *testing.T
	started time.Time

	mu       sync.Mutex
	problems []string
}

// startBrowser starts Chromium with a fresh profile and the flags this
// closed network needs (without them it hangs on connections), and
// gives the context of its first tab, watched. At the end of the test,
// what the pages logged fails it, and the browser is stopped.
func startBrowser(t *testing.T, bin string) (context.Context, *session) {
	t.Helper()
	opts := append(slices.Clone(chromedp.DefaultExecAllocatorOptions[:]),
		chromedp.ExecPath(bin),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 1600),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelBrowser := chromedp.NewContext(actx, chromedp.WithLogf(t.Logf))
	// The whole session, however slow the machine: far more than it needs.
	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	b := &session{t: t, started: time.Now()}
	t.Cleanup(func() {
		cancel()
		cancelBrowser()
		cancelAlloc() // waits for the browser to exit, before its profile is removed
		b.mu.Lock()
		defer b.mu.Unlock()
		for _, p := range b.problems {
			t.Errorf("the page logged %s", p)
		}
	})
	b.watch(ctx, "first tab")
	return ctx, b
}

// watch records what the page must never do: throw, log an error
// or a warning, or break a rule of the browser's (a CSP violation
// is a log entry of the source security). A failed request is no
// problem here: the 400 of a bad answer is part of the test.
func (b *session) watch(ctx context.Context, tab string) {
	t := b.t
	t.Helper()
	err := chromedp.Listen(ctx, func(ev any) {
		b.mu.Lock()
		defer b.mu.Unlock()
		switch ev := ev.(type) {
		case *runtime.EventExceptionThrown:
			d := ev.ExceptionDetails
			msg := d.Text
			if d.Exception != nil {
				msg += " " + d.Exception.Description
			}
			b.problems = append(b.problems, fmt.Sprintf("%s: an exception at %s:%d: %s", tab, d.URL, d.LineNumber, msg))
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeWarning {
				var args []string
				for _, a := range ev.Args {
					args = append(args, string(a.Value)+a.Description)
				}
				b.problems = append(b.problems, fmt.Sprintf("%s: console.%s: %s", tab, ev.Type, strings.Join(args, " ")))
			}
		case *cdplog.EventEntryAdded:
			if e := ev.Entry; e.Source != cdplog.EntrySourceNetwork && (e.Level == cdplog.EntryLevelError || e.Level == cdplog.EntryLevelWarning) {
				b.problems = append(b.problems, fmt.Sprintf("%s: %s %s: %s (%s)", tab, e.Source, e.Level, e.Text, e.URL))
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, cdplog.Enable, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
}

func (b *session) run(ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

// until waits for a JavaScript condition to hold in the page.
func (b *session) until(ctx context.Context, what, expr string) {
	b.t.Helper()
	start := time.Now()
	// settled: the preview shows the last change, without an error.
	expr = `((settled) => (` + expr + `))(document.getElementById("preview-status").dataset.state === "ok")`
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(wait), chromedp.WithPollingInterval(50*time.Millisecond))); err != nil {
		state, _ := chromedp.Run(ctx, chromedp.Evaluate[string](snapshotJS))
		b.t.Fatalf("waiting %s for %s (%s): %v\nthe page: %s", time.Since(start).Round(time.Millisecond), what, expr, err, state)
	}
}

// screenshot writes the whole page, outside the repository: to
// $SCAFFOLD_SCREENSHOT_DIR, else the system's temporary folder.
func (b *session) screenshot(ctx context.Context, name string) {
	b.t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatalf("screenshot: %v", err)
	}
	dir := os.Getenv("SCAFFOLD_SCREENSHOT_DIR")
	if dir == "" {
		dir = os.TempDir()
	}
	file := filepath.Join(dir, name)
	if err := os.WriteFile(file, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	b.t.Logf("screenshot of the page: %s", file)
}

// download clicks the page's download button id and gives the file the
// browser saved, once it is complete.
func (b *session) download(ctx context.Context, id string) string {
	t := b.t
	t.Helper()
	dir := t.TempDir()
	done := make(chan string, 1)
	failed := make(chan string, 1)
	// Download events come from the browser, not the tab.
	lctx, stop := context.WithCancel(ctx)
	defer stop()
	err := chromedp.ListenBrowser(lctx, func(ev any) {
		if ev, ok := ev.(*browser.EventDownloadProgress); ok {
			switch ev.State {
			case browser.DownloadProgressStateCompleted:
				select {
				case done <- ev.GUID:
				default:
				}
			case browser.DownloadProgressStateCanceled:
				select {
				case failed <- ev.GUID:
				default:
				}
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.CallBrowser(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dir, EventsEnabled: new(true),
	}); err != nil {
		t.Fatal(err)
	}
	b.run(ctx, "click "+id, chromedp.Click(chromedp.ID(id)))
	select {
	case guid := <-done:
		return filepath.Join(dir, guid)
	case guid := <-failed:
		t.Fatalf("the download %s of %s was canceled", guid, id)
	case <-time.After(3 * wait):
		t.Fatalf("the download of %s did not complete", id)
	}
	return ""
}

func (b *session) step(name string) {
	b.t.Helper()
	b.t.Logf("%s: %s", time.Since(b.started).Round(time.Millisecond), name)
}

// snapshotJS is every choice the page shows, as JSON: what a share link
// must restore.
const snapshotJS = `JSON.stringify({
	goals: [...document.querySelectorAll("#goal-list input:checked")].map(i => i.value),
	team: document.getElementById("team").value,
	template: document.getElementById("template").value,
	name: document.getElementById("name").value,
	git: document.getElementById("git").checked,
	questions: [...document.querySelectorAll("#questions [data-question]")].map(q => ({
		name: q.dataset.question, hidden: q.hidden, value: q.dataset.value,
		controls: [...q.querySelectorAll("input, select")].map(c => c.type === "checkbox" ? c.checked : c.value),
		error: q.querySelector(".error").hidden ? "" : q.querySelector(".error").textContent,
	})),
	files: [...document.querySelectorAll("#files li")].map(li => li.dataset.path),
	status: document.getElementById("preview-status").textContent,
})`

// evaluate runs the JavaScript expression in the page and gives its value.
func evaluate[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	return v
}

// js runs a JavaScript statement in the page, as a step.
func js(expr string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.Evaluate[any](expr)(ctx, t)
		return chromedp.Void{}, err
	}
}

// selectJS picks a value in a select as a user does: the change event.
func selectJS(id, value string) string {
	return fmt.Sprintf(`(s => { s.value = %q; s.dispatchEvent(new Event("change", {bubbles: true})); })(document.getElementById(%q))`, value, id)
}

// inputJS replaces a text field's value and sends the input event.
func inputJS(id, value string) string {
	return fmt.Sprintf(`(i => { i.focus(); i.value = %q; i.dispatchEvent(new Event("input", {bubbles: true})); })(document.getElementById(%q))`, value, id)
}

// checkLabels holds the page to its accessibility basics: every control
// labelled, groups in fieldsets with a legend, live regions, a viewport.
func checkLabels(t *testing.T, ctx context.Context) {
	t.Helper()
	unlabelled := evaluate[[]string](t, ctx, `[
		...[...document.querySelectorAll("input, select, textarea")].filter(c => c.labels.length === 0).map(c => "no label: #" + c.id),
		...[...document.querySelectorAll("fieldset")].filter(f => !f.querySelector(":scope > legend")).map(f => "no legend: #" + f.id),
		...["recommendation", "preview-status"].filter(id => !document.getElementById(id).getAttribute("aria-live")).map(id => "not live: #" + id),
		...(document.querySelector('meta[name=viewport]') ? [] : ["no meta viewport"]),
	]`)
	for _, u := range unlabelled {
		t.Errorf("the page: %s", u)
	}
}

func pageHeader(t *testing.T, url, header string) string {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "text/html,application/xhtml+xml")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, res.Body)
	return res.Header.Get(header)
}

type problem struct {
	Status    int    `json:"status"`
	Detail    string `json:"detail"`
	Parameter string `json:"parameter"`
}

// previewProblem asks /preview what it says of the values, as the page does.
func previewProblem(t *testing.T, base string, v url.Values) problem {
	t.Helper()
	res, err := http.Get(base + "/preview?" + v.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var p problem
	if err := json.NewDecoder(res.Body).Decode(&p); err != nil {
		t.Fatalf("GET /preview: %s: %v", res.Status, err)
	}
	if res.StatusCode != http.StatusBadRequest {
		t.Fatalf("GET /preview?%s: %s, want 400", v.Encode(), res.Status)
	}
	return p
}

// checkZip fetches the zip link as the browser would and looks inside:
// the same project, under orders/.
func checkZip(t *testing.T, url string) {
	t.Helper()
	body := fetch(t, url)
	zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatalf("GET %s: no zip file: %v", url, err)
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
	}
	for _, want := range []string{"orders/go.mod", "orders/.scaffold-answers.yaml"} {
		if !slices.Contains(names, want) {
			t.Errorf("the zip download has no %s; it has %v", want, names)
		}
	}
}

// fetch GETs the URL, which must answer 200, as a link does.
func fetch(t *testing.T, url string) []byte {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s\n%s", url, res.Status, body)
	}
	return body
}

// untgz unpacks the download into dir, refusing any entry outside it.
func untgz(t *testing.T, archive, dir string) {
	t.Helper()
	f, err := os.Open(archive)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatalf("the download is no gzip file: %v", err)
	}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		if !filepath.IsLocal(h.Name) || !strings.HasPrefix(h.Name, "orders/") {
			t.Fatalf("the archive has %q, outside orders/", h.Name)
		}
		target := filepath.Join(dir, h.Name)
		switch h.Typeflag {
		case tar.TypeDir:
			err = os.MkdirAll(target, 0o755)
		case tar.TypeReg:
			if err = os.MkdirAll(filepath.Dir(target), 0o755); err == nil {
				var out *os.File
				if out, err = os.OpenFile(target, os.O_CREATE|os.O_WRONLY|os.O_EXCL, h.FileInfo().Mode().Perm()); err == nil {
					_, err = io.Copy(out, tr)
					err = errors.Join(err, out.Close())
				}
			}
		case tar.TypeSymlink:
			if err = os.MkdirAll(filepath.Dir(target), 0o755); err == nil {
				err = os.Symlink(h.Linkname, target)
			}
		default:
			t.Fatalf("the archive has %q of type %c", h.Name, h.Typeflag)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

// verifyProject builds the real scaffold and runs scaffold verify on the
// project: its own install, vet, format check, tests, build and a start
// that answers /healthz.
func verifyProject(t *testing.T, project string) {
	t.Helper()
	if testing.Short() {
		t.Log("-short: scaffold verify of the download skipped")
		return
	}
	bin := filepath.Join(t.TempDir(), "scaffold")
	build := exec.Command("go", "build", "-o", bin, "./cmd/scaffold")
	build.Dir = filepath.Join("..", "..")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/scaffold: %v\n%s", err, out)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	start := time.Now()
	cmd := exec.CommandContext(ctx, bin, "verify", project)
	// A team config of the machine's must not change the check.
	none := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(none, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd.Env = append(os.Environ(), "SCAFFOLD_CONFIG="+none)
	out, err := cmd.CombinedOutput()
	t.Logf("scaffold verify took %s:\n%s", time.Since(start).Round(time.Millisecond), out)
	if err != nil {
		t.Fatalf("scaffold verify %s: %v", project, err)
	}
}
