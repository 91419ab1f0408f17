//go:build linux

package cli_test

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"
)

// An install that asks at the terminal (git or ssh asking for a
// password, a host key, for a dependency) must not hang scaffold: the
// install has no terminal, so it fails, saying why. Run in the
// background group of scaffold's terminal it was stopped (SIGTTIN), and
// scaffold waited on it, silently, for good.
func TestInstallHasNoTerminal(t *testing.T) {
	work := t.TempDir()
	tpl := filepath.Join(work, "tpl")
	if err := os.MkdirAll(tpl, 0o755); err != nil {
		t.Fatal(err)
	}
	manifest := "name: asks\nlanguage: node\nkind: library\nverify:\n  - name: install\n" +
		"    run: [sh, -c, 'if read x < /dev/tty; then echo read it; else echo no terminal; exit 7; fi']\n"
	for name, data := range map[string]string{"scaffold.yaml": manifest, "package.json": "{}\n"} {
		if err := os.WriteFile(filepath.Join(tpl, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(os.Args[0], "new", "app", "--template", tpl, "--install", "--trust", "--yes")
	cmd.Dir = work
	cmd.Env = append(os.Environ(), "SCAFFOLD_TEST_AS_MAIN=1", "HOME="+work, "GIT_CONFIG_NOSYSTEM=1", "NO_COLOR=1", "TERM=dumb")
	// A session of its own with the terminal as its controlling one, as
	// a shell starts scaffold.
	tty, err := pty.Start(cmd)
	if err != nil {
		t.Skipf("no pseudo-terminal here: %v", err)
	}
	defer tty.Close()
	var out bytes.Buffer
	copied := make(chan struct{})
	go func() { io.Copy(&out, tty); close(copied) }()
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case err = <-exited:
	case <-time.After(ptyTimeout):
		cmd.Process.Signal(os.Interrupt)
		<-exited
		t.Fatalf("scaffold still waited on the install after %v", ptyTimeout)
	}
	tty.Close()
	<-copied
	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) || exitErr.ExitCode() != 1 {
		t.Errorf("exit = %v, want 1\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "no terminal") {
		t.Errorf("the install read the terminal:\n%s", out.String())
	}
}
