//go:build linux

package cli_test

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const (
	keyDown  = "\x1b[B"
	keyEnter = "\r"
)

// TestInteractiveCtrlC: Ctrl-C at a prompt exits 130 and writes nothing.
func TestInteractiveCtrlC(t *testing.T) {
	work := t.TempDir()
	s := startSession(t, work, "new", "myapp")
	// The terminal is raw from the start, so the ^C is a key survey
	// reads, whenever it arrives, and not a signal the terminal sends.
	s.choose(t, "What is the project for?", "\x03")
	err := s.wait(t)
	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) || exitErr.ExitCode() != 130 {
		t.Fatalf("exit = %v, want 130\n%s", err, s.screen())
	}
	if entries, _ := os.ReadDir(work); len(entries) != 0 {
		t.Errorf("written after Ctrl-C: %v", entries)
	}
}

// TestInteractiveNew drives the real binary through a pseudo-terminal the
// way a user would: pick goals with arrows and space, accept the
// recommendation, take the template's defaults, and get a committed project.
func TestInteractiveNew(t *testing.T) {
	work := t.TempDir()
	sess := startSession(t, work, "new", "myapp")

	// Goals are listed in vocabulary order: startup, prototype, realtime,
	// io-heavy, performance, concurrency, ...
	sess.choose(t, "What is the project for?", strings.Repeat(keyDown, 4)+" "+keyDown+" "+keyEnter)
	sess.choose(t, "strongest language", keyEnter) // none
	sess.answer(t, "Use Go with chi?", "y"+keyEnter)
	sess.answer(t, "Go module path", keyEnter) // default example.com/myapp
	sess.answer(t, "Include a Dockerfile?", "n"+keyEnter)
	sess.answer(t, "Include a GitHub Actions workflow?", keyEnter)
	sess.answer(t, "Include a WebSocket endpoint?", keyEnter)
	sess.choose(t, "Which database?", keyEnter) // none
	sess.answer(t, "Is it a part of a polyglot workspace?", keyEnter)
	sess.choose(t, "License", keyDown+keyEnter) // Apache-2.0
	sess.answer(t, "Install dependencies now (go mod download)?", "n"+keyEnter)
	sess.expect(t, "--yes") // ends the repeatable command
	if err := sess.wait(t); err != nil {
		t.Fatalf("scaffold failed: %v\n%s", err, sess.screen())
	}
	output := sess.raw.String()
	for _, want := range []string{
		"Recommended: Go with chi",
		"performance with concurrency",
		"Created myapp from go/chi",
		"scaffold new myapp --template go/chi --set ci=true --set database=none --set docker=false --set downstream= --set downstream_url=http://localhost:8081 --set license=Apache-2.0 --set module=example.com/myapp --set realtime=false --set workspace=false --no-install --yes",
	} {
		if !strings.Contains(output, want) {
			t.Errorf("output lacks %q:\n%s", want, output)
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
	sess.expect(t, "--yes")
	if err := sess.wait(t); err != nil {
		t.Fatalf("scaffold failed: %v\n%s", err, sess.screen())
	}
	output := sess.raw.String()
	if strings.Contains(output, "hunter2") {
		t.Errorf("the secret was echoed:\n%s", output)
	}
	body, err := os.ReadFile(filepath.Join(work, "app", "svc.txt"))
	if err != nil || string(body) != "billing hunter2\n" {
		t.Errorf("svc.txt = %q, %v", body, err)
	}
	rec, _ := os.ReadFile(filepath.Join(work, "app", ".scaffold-answers.yaml"))
	if bytes.Contains(rec, []byte("hunter2")) || !bytes.Contains(rec, []byte("service: billing")) {
		t.Errorf("answers file:\n%s", rec)
	}
	if want := "--set service=billing --no-hooks --set token=… --yes"; !strings.Contains(output, want) {
		t.Errorf("repeatable command lacks %q:\n%s", want, output)
	}
	if _, err := os.Stat(filepath.Join(work, "app", "hooked")); err == nil {
		t.Error("a declined hook ran")
	}
}
