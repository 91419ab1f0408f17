//go:build !windows

package cli_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	expect "github.com/Netflix/go-expect"
	"github.com/creack/pty"
	"github.com/hinshun/vt10x"
)

const (
	keyDown  = "\x1b[B"
	keyEnter = "\r"
)

// TestInteractiveNew drives the real binary through a pseudo-terminal the
// way a user would: pick goals with arrows and space, accept the
// recommendation, take the template's defaults, and get a committed project.
func TestInteractiveNew(t *testing.T) {
	work := t.TempDir()
	ptm, pts, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal here: %v", err)
	}
	// vt10x plays the terminal: it answers survey's cursor queries.
	term := vt10x.New(vt10x.WithWriter(pts))
	var raw bytes.Buffer
	c, err := expect.NewConsole(expect.WithStdin(ptm), expect.WithStdout(term, &raw),
		expect.WithCloser(ptm, pts), expect.WithDefaultTimeout(30*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	cmd := exec.Command(os.Args[0], "new", "myapp")
	cmd.Dir = work
	cmd.Env = append(os.Environ(), "SCAFFOLD_TEST_AS_MAIN=1", "HOME="+work, "GIT_CONFIG_NOSYSTEM=1", "NO_COLOR=1", "TERM=xterm")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = c.Tty(), c.Tty(), c.Tty()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()

	step := func(want, keys string) {
		t.Helper()
		if _, err := c.ExpectString(want); err != nil {
			t.Fatalf("waiting for %q: %v\nscreen so far:\n%s", want, err, raw.String())
		}
		if _, err := c.Send(keys); err != nil {
			t.Fatal(err)
		}
	}
	// Goals are listed in vocabulary order: startup, prototype, realtime,
	// io-heavy, performance, concurrency, ...
	step("What is the project for?", strings.Repeat(keyDown, 4)+" "+keyDown+" "+keyEnter)
	step("strongest language", keyEnter) // none
	step("Use Go with chi?", "y"+keyEnter)
	step("Go module path", keyEnter) // default example.com/myapp
	step("Include a Dockerfile?", "n"+keyEnter)
	step("Include a GitHub Actions workflow?", keyEnter)
	step("License", keyDown+keyEnter) // Apache-2.0
	if _, err := c.ExpectString("--yes"); err != nil {
		t.Fatalf("no repeatable command: %v\n%s", err, raw.String())
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("scaffold failed: %v\n%s", err, raw.String())
		}
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("scaffold did not finish\n%s", raw.String())
	}
	screen := raw.String()
	for _, want := range []string{
		"Recommended: Go with chi",
		"performance with concurrency",
		"Created myapp from go/chi",
		"scaffold new myapp --template go/chi --set ci=true --set docker=false --set license=Apache-2.0 --set module=example.com/myapp --yes",
	} {
		if !strings.Contains(screen, want) {
			t.Errorf("output lacks %q:\n%s", want, screen)
		}
	}

	dir := filepath.Join(work, "myapp")
	if _, err := os.Stat(filepath.Join(dir, "Dockerfile")); err == nil {
		t.Error("Dockerfile written although the answer was no")
	}
	lic, err := os.ReadFile(filepath.Join(dir, "LICENSE"))
	if err != nil || !bytes.Contains(lic, []byte("Apache License")) {
		t.Errorf("LICENSE is not Apache-2.0: %v", err)
	}
	rec, err := os.ReadFile(filepath.Join(dir, ".scaffold-answers.yaml"))
	if err != nil || !bytes.Contains(rec, []byte("- performance\n  - concurrency")) {
		t.Errorf("answers file lacks the goals:\n%s", rec)
	}
	if _, err := exec.LookPath("git"); err == nil {
		out, err := exec.Command("git", "-C", dir, "status", "--porcelain").CombinedOutput()
		if err != nil || len(out) != 0 {
			t.Errorf("git status: %v\n%s", err, out)
		}
		out, _ = exec.Command("git", "-C", dir, "rev-list", "--count", "HEAD").Output()
		if strings.TrimSpace(string(out)) != "1" {
			t.Errorf("commits: %s, want 1", out)
		}
	}
}
