//go:build !windows

package cli_test

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	expect "github.com/Netflix/go-expect"
	"github.com/creack/pty"
	"github.com/hinshun/vt10x"
	"golang.org/x/sys/unix"
	"golang.org/x/term"
)

const (
	keyDown  = "\x1b[B"
	keyEnter = "\r"
)

// TestInteractiveNew drives the real binary through a pseudo-terminal the
// way a user would: pick goals with arrows and space, accept the
// recommendation, take the template's defaults, and get a committed project.
// session runs scaffold with args on a pseudo-terminal. raw collects
// what the terminal showed; done yields the process's exit.
type session struct {
	c    *expect.Console
	raw  *bytes.Buffer
	cmd  *exec.Cmd
	done chan error
}

func startSession(t *testing.T, work string, args ...string) *session {
	t.Helper()
	ptm, pts, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal here: %v", err)
	}
	// vt10x plays the terminal: it answers survey's cursor queries.
	vt := vt10x.New(vt10x.WithWriter(pts))
	raw := &bytes.Buffer{}
	c, err := expect.NewConsole(expect.WithStdin(ptm), expect.WithStdout(vt, raw),
		expect.WithCloser(ptm, pts), expect.WithDefaultTimeout(30*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	// Start in raw mode, as survey puts the terminal while it reads: keys
	// the test sends before survey switches modes are then neither echoed
	// nor held back for a line end by the terminal. A person typing ahead
	// meets the cooked mode; the test is about the prompts, not that race.
	if _, err := term.MakeRaw(int(c.Tty().Fd())); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], args...)
	cmd.Dir = work
	cmd.Env = append(os.Environ(), "SCAFFOLD_TEST_AS_MAIN=1", "HOME="+work, "GIT_CONFIG_NOSYSTEM=1", "NO_COLOR=1", "TERM=xterm")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = c.Tty(), c.Tty(), c.Tty()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &session{c: c, raw: raw, cmd: cmd, done: make(chan error, 1)}
	go func() { s.done <- cmd.Wait() }()
	return s
}

// answer waits for a line prompt (input, password, confirm) and types
// keys once survey reads: it shows the cursor and asks for its position
// when the terminal is in raw mode; typing earlier is echoed by the
// terminal itself or taken for the position reply.
func (s *session) answer(t *testing.T, want, keys string) {
	t.Helper()
	s.expect(t, want)
	s.expect(t, "\x1b[?25h\x1b[6n")
	// survey reads the position reply through a fresh bufio.Reader and
	// drops whatever else that read took in (terminal/cursor.go), so a
	// key must not arrive until the reply has been read. vt10x's reply
	// travels through a goroutine of the console: give it a moment to
	// land, then wait until the terminal's input queue is empty.
	time.Sleep(20 * time.Millisecond)
	fd := int(s.c.Tty().Fd())
	for i := 0; ; i++ {
		n, err := unix.IoctlGetInt(fd, unix.TIOCINQ)
		if err != nil {
			t.Fatalf("reading the terminal's input queue: %v", err)
		}
		if n == 0 {
			break
		}
		if i > 5000 {
			t.Fatalf("scaffold never read the cursor position reply\n%s", s.raw.String())
		}
		time.Sleep(time.Millisecond)
	}
	s.c.Send(keys)
}

// choose waits for a select prompt and sends keys; selects read keys
// one by one, so nothing is echoed either way.
func (s *session) choose(t *testing.T, want, keys string) {
	t.Helper()
	s.expect(t, want)
	s.c.Send(keys)
}

func (s *session) expect(t *testing.T, want string) {
	t.Helper()
	if _, err := s.c.ExpectString(want); err != nil {
		t.Fatalf("waiting for %q: %v\nscreen so far:\n%s", want, err, s.raw.String())
	}
}

func (s *session) wait(t *testing.T) error {
	t.Helper()
	select {
	case err := <-s.done:
		return err
	case <-time.After(30 * time.Second):
		s.cmd.Process.Kill()
		t.Fatalf("scaffold did not finish\n%s", s.raw.String())
		return nil
	}
}

// TestInteractiveCtrlC: Ctrl-C at a prompt exits 130 and writes nothing.
func TestInteractiveCtrlC(t *testing.T) {
	work := t.TempDir()
	s := startSession(t, work, "new", "myapp")
	if _, err := s.c.ExpectString("What is the project for?"); err != nil {
		t.Fatalf("%v\n%s", err, s.raw.String())
	}
	// The prompt is drawn just before survey puts the terminal in raw
	// mode; a ^C that lands in between is eaten by the line discipline,
	// as it would be for a person, so press it until scaffold reacts.
	var err error
	for i := 0; ; i++ {
		s.c.Send("\x03")
		select {
		case err = <-s.done:
		case <-time.After(200 * time.Millisecond):
			if i < 50 {
				continue
			}
			s.cmd.Process.Kill()
			t.Fatalf("scaffold did not stop on Ctrl-C\n%s", s.raw.String())
		}
		break
	}
	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) || exitErr.ExitCode() != 130 {
		t.Fatalf("exit = %v, want 130\n%s", err, s.raw.String())
	}
	if entries, _ := os.ReadDir(work); len(entries) != 0 {
		t.Errorf("written after Ctrl-C: %v", entries)
	}
}

func TestInteractiveNew(t *testing.T) {
	work := t.TempDir()
	sess := startSession(t, work, "new", "myapp")
	c, raw := sess.c, sess.raw

	// Goals are listed in vocabulary order: startup, prototype, realtime,
	// io-heavy, performance, concurrency, ...
	sess.choose(t, "What is the project for?", strings.Repeat(keyDown, 4)+" "+keyDown+" "+keyEnter)
	sess.choose(t, "strongest language", keyEnter) // none
	sess.answer(t, "Use Go with chi?", "y"+keyEnter)
	sess.answer(t, "Go module path", keyEnter) // default example.com/myapp
	sess.answer(t, "Include a Dockerfile?", "n"+keyEnter)
	sess.answer(t, "Include a GitHub Actions workflow?", keyEnter)
	sess.choose(t, "License", keyDown+keyEnter) // Apache-2.0
	if _, err := c.ExpectString("--yes"); err != nil {
		t.Fatalf("no repeatable command: %v\n%s", err, raw.String())
	}
	if err := sess.wait(t); err != nil {
		t.Fatalf("scaffold failed: %v\n%s", err, raw.String())
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

// TestInteractiveTeamTemplate: a team template's questions at a real
// prompt: a validate failure is shown and the answer retyped, a secret is
// not echoed and not recorded, and untrusted hooks are shown and can be
// declined.
func TestInteractiveTeamTemplate(t *testing.T) {
	work := t.TempDir()
	tpl := filepath.Join(work, "tpl")
	files := map[string]string{
		"scaffold.yaml": `name: team/svc
questions:
  - name: service
    prompt: Service name
    validate: '^[a-z][a-z0-9-]*$'
    help: lower case letters, digits and dashes
  - name: token
    prompt: Registry token
    secret: true
hooks:
  - touch hooked
`,
		"svc.txt.tmpl": "{{ .service }} {{ .token }}\n",
	}
	for name, body := range files {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(tpl, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(tpl, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	sess := startSession(t, work, "new", "app", "--template", "./tpl")
	sess.expect(t, "touch hooked")
	sess.answer(t, "Run them?", keyEnter) // default: no
	sess.answer(t, "Service name", "Bad Name"+keyEnter)
	sess.answer(t, "does not match", strings.Repeat("\x7f", len("Bad Name"))+"billing"+keyEnter)
	sess.answer(t, "Registry token", "hunter2"+keyEnter)
	if _, err := sess.c.ExpectString("--yes"); err != nil {
		t.Fatalf("%v\n%s", err, sess.raw.String())
	}
	if err := sess.wait(t); err != nil {
		t.Fatalf("scaffold failed: %v\n%s", err, sess.raw.String())
	}
	screen := sess.raw.String()
	if strings.Contains(screen, "hunter2") {
		t.Errorf("the secret was echoed:\n%s", screen)
	}
	body, err := os.ReadFile(filepath.Join(work, "app", "svc.txt"))
	if err != nil || string(body) != "billing hunter2\n" {
		t.Errorf("svc.txt = %q, %v", body, err)
	}
	rec, _ := os.ReadFile(filepath.Join(work, "app", ".scaffold-answers.yaml"))
	if bytes.Contains(rec, []byte("hunter2")) || !bytes.Contains(rec, []byte("service: billing")) {
		t.Errorf("answers file:\n%s", rec)
	}
	if want := "--set service=billing --no-hooks --set token=… --yes"; !strings.Contains(screen, want) {
		t.Errorf("repeatable command lacks %q:\n%s", want, screen)
	}
	if _, err := os.Stat(filepath.Join(work, "app", "hooked")); err == nil {
		t.Error("a declined hook ran")
	}
}
