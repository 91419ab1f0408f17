package e2e

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestServe proves the initializr's promise as the README shows it: the
// real binary's scaffold serve prints its URL; the project that
// curl .../starter.tgz?template=go/chi&name=orders | tar xz unpacks,
// with its first commit, passes scaffold verify; SIGTERM stops the
// server, exit 0.
func TestServe(t *testing.T) {
	if mode == "" {
		t.Skip("set SCAFFOLD_E2E=1 to run")
	}
	t.Parallel()
	requireToolchain(t, "go")
	work := t.TempDir()
	env := os.Environ()
	srv := exec.Command(scaffold, "serve", "--listen", "127.0.0.1:0", "--log-json")
	srv.Dir, srv.Env = work, env
	stdout, err := srv.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	srv.Stderr = &logs
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			default:
			}
		}
		exited <- srv.Wait()
	}()
	defer srv.Process.Kill()
	var base string
	select {
	case l := <-lines:
		u, ok := strings.CutPrefix(l, "Serving ")
		if !ok {
			t.Fatalf("scaffold serve printed %q, not its URL", l)
		}
		base = strings.TrimSuffix(strings.Fields(u)[0], "/")
	case err := <-exited:
		t.Fatalf("scaffold serve ended: %v\n%s", err, logs.String())
	case <-time.After(2 * time.Minute):
		t.Fatalf("scaffold serve printed no URL in two minutes\n%s", logs.String())
	}

	res, err := http.Get(base + "/starter.tgz?template=go/chi&name=orders&git=true")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("starter.tgz: %s\n%s", res.Status, body)
	}
	untar := exec.Command("tar", "xz")
	untar.Dir, untar.Stdin = work, bytes.NewReader(body)
	if out, err := untar.CombinedOutput(); err != nil {
		t.Fatalf("tar xz: %v\n%s", err, out)
	}
	dir := filepath.Join(work, "orders")
	if _, out, err := run(dir, env, "git", "status", "--porcelain"); err != nil || len(out) > 0 {
		t.Errorf("the unpacked project is not its first commit: %v\n%s", err, out)
	}
	if _, out, err := run(dir, env, "git", "log", "--format=%s"); err != nil || !strings.Contains(string(out), "Initial commit from scaffold (go/chi)") {
		t.Errorf("git log in the unpacked project: %v\n%s", err, out)
	}
	report, out, err := verifyReport(work, env, dir)
	if err != nil || report == nil || !report.OK {
		t.Fatalf("scaffold verify on the served project: %v\n%s", err, out)
	}
	var steps []string
	for _, s := range report.Steps {
		steps = append(steps, s.Step)
	}
	t.Logf("scaffold verify on the served go/chi project: ok (%s)", strings.Join(steps, ", "))

	if err := srv.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("scaffold serve after SIGTERM: %v (want exit 0)\n%s", err, logs.String())
		}
	case <-time.After(time.Minute):
		t.Fatalf("scaffold serve did not stop within a minute of SIGTERM\n%s", logs.String())
	}
	if !strings.Contains(logs.String(), `"path":"/starter.tgz"`) || strings.Contains(logs.String(), "template=go/chi") {
		t.Errorf("the request log should name the path and never the query:\n%s", logs.String())
	}
}
