package e2e

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// Go projects are also linted with golangci-lint, which .ci/run builds
// from the Go module proxy at the version the go/chi template's CI pins
// and names in SCAFFOLD_GOLANGCI_LINT.
func init() {
	stackChecks["go"] = append(stackChecks["go"], golangciLint)
}

// The golangci-lint version each place pins: the generated workflow
// (through the official action), .ci/run, the README's install line and
// the header of .golangci.yml.
var (
	workflowPin = regexp.MustCompile(`uses: golangci/golangci-lint-action@v\d+\s+with:\s+version: (v\d+\.\d+\.\d+)\s`)
	ciRunPin    = regexp.MustCompile(`(?m)^golangci_lint_version=(v\d+\.\d+\.\d+)$`)
	readmePin   = regexp.MustCompile(`golangci-lint/v2/cmd/golangci-lint@(v\d+\.\d+\.\d+)`)
	configPin   = regexp.MustCompile(`written for golangci-lint (v\d+\.\d+\.\d+)`)
)

func pinIn(t *testing.T, file string, re *regexp.Regexp) string {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	m := re.FindAllSubmatch(data, -1)
	if len(m) != 1 {
		t.Fatalf("%s: want one golangci-lint version matching %s, found %d", file, re, len(m))
	}
	return string(m[0][1])
}

// TestGolangciLintPinsAgree runs with every go test: the proof lints with
// the version a generated project's CI and README name.
func TestGolangciLintPinsAgree(t *testing.T) {
	tmpl := filepath.Join("..", "..", "templates", "go", "chi")
	pins := map[string]string{
		".ci/run":            pinIn(t, filepath.Join("..", "..", ".ci", "run"), ciRunPin),
		"go/chi ci.yml.tmpl": pinIn(t, filepath.Join(tmpl, ".github", "workflows", "ci.yml.tmpl"), workflowPin),
		"go/chi README":      pinIn(t, filepath.Join(tmpl, "README.md.tmpl"), readmePin),
		"go/chi .golangci":   pinIn(t, filepath.Join(tmpl, ".golangci.yml.tmpl"), configPin),
	}
	want := pins[".ci/run"]
	for where, v := range pins {
		if v != want {
			t.Errorf("%s pins golangci-lint %s, .ci/run installs %s", where, v, want)
		}
	}
}

// lintProbes are files golangci-lint must fail on, each naming the linter
// that must report it. They go into a package of their own,
// internal/zzlintprobe, which fits any Go project.
var lintProbes = []struct{ file, linter, src string }{
	{"zz_probe_errcheck.go", "errcheck", `package zzlintprobe

import "errors"

func probeFails() error { return errors.New("probe") }

// ProbeErrcheck drops the error probeFails returns.
func ProbeErrcheck() {
	probeFails()
}
`},
	{"zz_probe_unused.go", "unused", `package zzlintprobe

func probeUnused() {}
`},
}

// golangciLint runs golangci-lint on the project, which must pass; then
// on the project with lintProbes added, which must fail naming each
// probe's linter (so the configuration does not exclude them); then,
// the probes removed, it must pass again.
func golangciLint(t *testing.T, where, dir string, env []string) {
	bin := os.Getenv("SCAFFOLD_GOLANGCI_LINT")
	if bin == "" {
		msg := "SCAFFOLD_GOLANGCI_LINT is not set, so Go projects are not linted: .ci/run builds golangci-lint and sets it"
		if cache, err := os.UserCacheDir(); err == nil {
			pin := pinIn(t, filepath.Join("..", "..", ".ci", "run"), ciRunPin)
			msg += fmt.Sprintf("; where it has run, export SCAFFOLD_GOLANGCI_LINT=%s", filepath.Join(cache, "scaffold", "golangci-lint", pin, "golangci-lint"))
		}
		if mode == "strict" {
			t.Fatalf("%s: %s", where, msg)
		}
		t.Skip("SKIPPED LOUDLY: " + msg)
	}
	// The binary is the version the project's CI pins.
	if _, err := os.Stat(filepath.Join(dir, ".github", "workflows", "ci.yml")); err == nil {
		pin := pinIn(t, filepath.Join(dir, ".github", "workflows", "ci.yml"), workflowPin)
		out, _, err := run(dir, env, bin, "version", "--short")
		if got := strings.TrimSpace(string(out)); err != nil || "v"+got != pin {
			t.Fatalf("%s: %s is version %q (%v), the project's CI pins %s", where, bin, got, err, pin)
		}
	}
	lint := func() ([]byte, int, time.Duration) {
		start := time.Now()
		// golangci-lint refuses to start while another one runs on the
		// machine (exit 3, "parallel golangci-lint is running"); this
		// waits for it instead.
		_, out, err := run(dir, env, bin, "run", "--allow-serial-runners", "./...")
		took := time.Since(start).Round(10 * time.Millisecond)
		var exitErr *exec.ExitError
		switch {
		case err == nil:
			return out, 0, took
		case errors.As(err, &exitErr):
			return out, exitErr.ExitCode(), took
		}
		t.Fatalf("%s: golangci-lint: %v\n%s", where, err, out)
		return nil, 0, 0
	}

	out, code, took := lint()
	t.Logf("%s: golangci-lint run ./... took %s, exit %d:\n%s", where, took, code, out)
	if code != 0 {
		t.Fatalf("%s: step golangci-lint failed (exit %d)", where, code)
	}

	pkg := filepath.Join(dir, "internal", "zzlintprobe")
	if err := os.MkdirAll(pkg, 0o755); err != nil {
		t.Fatal(err)
	}
	// Gone for the checks that follow, even when this one fails.
	t.Cleanup(func() { _ = os.RemoveAll(pkg) })
	for _, p := range lintProbes {
		path := filepath.Join(pkg, p.file)
		if err := os.WriteFile(path, []byte(p.src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out, code, took = lint()
	// golangci-lint exits 1 for issues found; other codes are its own failures.
	if code != 1 {
		t.Fatalf("%s: golangci-lint with the probes exited %d (took %s), want 1 for issues found:\n%s", where, code, took, out)
	}
	lines := strings.Split(string(out), "\n")
	for _, p := range lintProbes {
		found := false
		for _, l := range lines {
			if strings.Contains(l, p.file+":") && strings.HasSuffix(strings.TrimSpace(l), "("+p.linter+")") {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("%s: golangci-lint did not report %s in %s; its output:\n%s", where, p.linter, p.file, out)
		}
	}
	t.Logf("%s: golangci-lint with the probes failed as it must, in %s", where, took)

	if err := os.RemoveAll(pkg); err != nil {
		t.Fatal(err)
	}
	if out, code, took = lint(); code != 0 {
		t.Fatalf("%s: golangci-lint after removing the probes exited %d (took %s):\n%s", where, code, took, out)
	}
	t.Logf("%s: golangci-lint passes again without the probes, in %s", where, took)
	if _, out, err := run(dir, env, "git", "status", "--porcelain"); err != nil || len(out) > 0 {
		t.Errorf("%s: the tree is not clean after the lint probes: %v\n%s", where, err, out)
	}
}
