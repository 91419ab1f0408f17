// Package e2e proves the product's promise: every built-in template, for
// every combination of answers that changes what is built or run,
// generates a project that installs, lints, tests, builds, serves
// /healthz and stops cleanly, with a workflow that actionlint accepts.
//
// The tests are slow and need each stack's toolchain, so they run only
// when SCAFFOLD_E2E is set:
//
//	SCAFFOLD_E2E=1       run; a stack whose toolchain is missing is skipped, loudly
//	SCAFFOLD_E2E=strict  run; a missing toolchain fails (what .ci/run sets)
//
// Rust crates come from a local registry folder named by
// SCAFFOLD_CRATES_REGISTRY (see .ci/rust-crates), since CI reaches no
// crates registry.
package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/rhysd/actionlint"

	"github.com/scaffold-cli/scaffold/internal/source"
)

var (
	mode     = os.Getenv("SCAFFOLD_E2E")
	scaffold string // the binary under test
)

func TestMain(m *testing.M) {
	if mode == "" {
		fmt.Fprintln(os.Stderr, "e2e: SKIPPED ALL: set SCAFFOLD_E2E=1 (or strict) to generate and run every built-in template")
		os.Exit(m.Run())
	}
	dir, err := os.MkdirTemp("", "scaffold-e2e-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	scaffold = filepath.Join(dir, "scaffold")
	build := exec.Command("go", "build", "-o", scaffold, "../../cmd/scaffold")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: building scaffold:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// combo is one set of answers for a template. Answers that change what
// is built or run (the Rust edition, the project name's shape) get every
// value; answers that only add or drop files (docker, ci, license) get
// each value at least once across a template's combos.
type combo struct {
	name    string
	answers map[string]string
}

var combos = map[string][]combo{
	"go/chi": {
		{"my-svc", map[string]string{"docker": "true", "ci": "true", "license": "MIT"}},
		{"api", map[string]string{"module": "example.com/acme/api", "docker": "false", "ci": "false", "license": "none"}},
		{"Svc.Two", map[string]string{"license": "Apache-2.0", "ci": "true", "docker": "false"}},
	},
	"node/express": {
		{"my-api", map[string]string{"docker": "true", "ci": "true", "license": "MIT"}},
		{"shop", map[string]string{"package_name": "@acme/shop", "docker": "false", "ci": "false", "license": "none"}},
		{"Big.App", map[string]string{"license": "Apache-2.0"}},
	},
	"node/fastify": {
		{"my-api", map[string]string{"docker": "true", "ci": "true", "license": "MIT"}},
		{"shop", map[string]string{"package_name": "@acme/shop", "docker": "false", "ci": "false", "license": "none"}},
		{"Big.App", map[string]string{"license": "Apache-2.0"}},
	},
	"rust/axum": {
		{"my-svc", map[string]string{"edition": "2024", "docker": "true", "ci": "true", "license": "MIT"}},
		{"api", map[string]string{"edition": "2021", "docker": "false", "ci": "false", "license": "none"}},
		{"edge-proxy", map[string]string{"crate_name": "edge_proxy", "edition": "2024", "license": "Apache-2.0", "ci": "true", "docker": "false"}},
	},
}

// toolchains each language's check needs on PATH.
var toolchains = map[string][]string{
	"go":   {"go", "gofmt"},
	"node": {"node", "npm"},
	"rust": {"cargo", "rustc", "cargo-clippy", "rustfmt"},
}

func TestEveryTemplateIsCovered(t *testing.T) {
	infos, err := source.Builtins()
	if err != nil {
		t.Fatal(err)
	}
	for _, info := range infos {
		if len(combos[info.Name]) == 0 {
			t.Errorf("built-in template %s has no e2e combinations", info.Name)
		}
	}
}

func TestTemplates(t *testing.T) {
	if mode == "" {
		t.Skip("set SCAFFOLD_E2E=1 to run")
	}
	infos, err := source.Builtins()
	if err != nil {
		t.Fatal(err)
	}
	for _, info := range infos {
		t.Run(info.Name, func(t *testing.T) {
			t.Parallel()
			requireToolchain(t, info.Language)
			work := t.TempDir()
			env := os.Environ()
			if info.Language == "rust" {
				env = append(env, rustEnv(t, work)...)
			}
			for _, c := range combos[info.Name] {
				t.Run(c.name, func(t *testing.T) {
					check(t, info.Name, c, work, env)
				})
			}
		})
	}
}

func requireToolchain(t *testing.T, language string) {
	for _, tool := range toolchains[language] {
		if _, err := exec.LookPath(tool); err != nil {
			msg := fmt.Sprintf("%s toolchain missing: %s is not on PATH", language, tool)
			if mode == "strict" {
				t.Fatal(msg)
			}
			t.Skip("SKIPPED LOUDLY: " + msg)
		}
	}
}

// rustEnv points cargo at the offline registry through a config file in
// a parent folder of the generated projects: cargo clippy does not pass
// --config flags on to its build, but every cargo command reads this.
func rustEnv(t *testing.T, work string) []string {
	registry := os.Getenv("SCAFFOLD_CRATES_REGISTRY")
	if registry == "" {
		msg := "SCAFFOLD_CRATES_REGISTRY is not set: run `export SCAFFOLD_CRATES_REGISTRY=$(.ci/rust-crates)` first (this machine reaches no crates registry)"
		if mode == "strict" {
			t.Fatal(msg)
		}
		t.Skip("SKIPPED LOUDLY: " + msg)
	}
	config := fmt.Sprintf(`[source.crates-io]
replace-with = "debian"

[source.debian]
directory = %q

[net]
offline = true
`, registry)
	if err := os.MkdirAll(filepath.Join(work, ".cargo"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(work, ".cargo", "config.toml"), []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	// One target folder for every combination: dependencies build once.
	return []string{"CARGO_TARGET_DIR=" + filepath.Join(work, "target")}
}

func check(t *testing.T, template string, c combo, work string, env []string) {
	var sets []string
	keys := make([]string, 0, len(c.answers))
	for k := range c.answers {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		sets = append(sets, k+"="+c.answers[k])
	}
	where := fmt.Sprintf("template %s, project %s, answers {%s}", template, c.name, strings.Join(sets, " "))

	dir := filepath.Join(work, c.name)
	args := []string{"new", dir, "--template", template, "--yes"}
	for _, s := range sets {
		args = append(args, "--set", s)
	}
	start := time.Now()
	if _, out, err := run(work, env, scaffold, args...); err != nil {
		t.Fatalf("%s: step generate failed: %v\n%s", where, err, out)
	}
	generate := time.Since(start)
	if _, out, err := run(dir, env, "git", "status", "--porcelain"); err != nil || len(out) > 0 {
		t.Fatalf("%s: step generate: the tree is not clean after the first commit: %v\n%s", where, err, out)
	}
	expectFiles(t, where, dir, c.answers)
	lintWorkflow(t, where, dir)

	stdout, out, err := run(work, env, scaffold, "verify", dir, "--json")
	var report struct {
		OK    bool `json:"ok"`
		Steps []struct {
			Step     string        `json:"step"`
			Command  string        `json:"command"`
			Duration time.Duration `json:"duration_ns"`
			Err      string        `json:"error"`
			Output   string        `json:"output"`
		} `json:"steps"`
	}
	if jerr := json.Unmarshal(stdout, &report); jerr != nil {
		t.Fatalf("%s: scaffold verify printed no report (%v): %v\n%s", where, jerr, err, out)
	}
	timings := []string{fmt.Sprintf("generate %s", generate.Round(10*time.Millisecond))}
	for _, s := range report.Steps {
		timings = append(timings, fmt.Sprintf("%s %s", s.Step, s.Duration.Round(10*time.Millisecond)))
		if s.Err != "" {
			t.Fatalf("%s: step %s (%s) failed: %s\n%s", where, s.Step, s.Command, s.Err, s.Output)
		}
	}
	if err != nil || !report.OK {
		t.Fatalf("%s: scaffold verify failed: %v\n%s", where, err, out)
	}
	// After the install, dependencies are pinned by a lock file.
	lock := map[string]string{"go": "go.sum", "node": "package-lock.json", "rust": "Cargo.lock"}[language(dir)]
	if _, err := os.Stat(filepath.Join(dir, lock)); err != nil {
		t.Errorf("%s: no %s after the install: %v", where, lock, err)
	}
	// A .env file holds secrets: git must ignore it.
	if err := os.WriteFile(filepath.Join(dir, ".env"), []byte("TOKEN=x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, out, err := run(dir, env, "git", "check-ignore", "-q", ".env"); err != nil {
		t.Errorf("%s: git does not ignore .env: %v\n%s", where, err, out)
	}
	t.Logf("%s: ok; %s", where, strings.Join(timings, ", "))
}

// expectFiles checks that the answers which add or drop files did.
func expectFiles(t *testing.T, where, dir string, answers map[string]string) {
	want := map[string]bool{
		"Dockerfile":               answers["docker"] != "false",
		".dockerignore":            answers["docker"] != "false",
		".github/workflows/ci.yml": answers["ci"] != "false",
		"LICENSE":                  answers["license"] != "none",
		"README.md":                true,
		".gitignore":               true,
		".editorconfig":            true,
		".scaffold-answers.yaml":   true,
	}
	for f, present := range want {
		_, err := os.Stat(filepath.Join(dir, f))
		if present && err != nil {
			t.Errorf("%s: %s is missing", where, f)
		}
		if !present && err == nil {
			t.Errorf("%s: %s is there although the answers drop it", where, f)
		}
	}
	if data, err := os.ReadFile(filepath.Join(dir, "README.md")); err == nil && answers["docker"] == "false" && bytes.Contains(bytes.ToLower(data), []byte("docker")) {
		t.Errorf("%s: README.md mentions Docker although docker is false", where)
	}
	if data, err := os.ReadFile(filepath.Join(dir, ".gitignore")); err == nil && !bytes.Contains(data, []byte(".env")) {
		t.Errorf("%s: .gitignore does not ignore .env files", where)
	}
}

func lintWorkflow(t *testing.T, where, dir string) {
	wf := filepath.Join(dir, ".github", "workflows", "ci.yml")
	if _, err := os.Stat(wf); err != nil {
		return
	}
	opts := &actionlint.LinterOptions{WorkingDir: dir, LogWriter: io.Discard}
	if sc, err := exec.LookPath("shellcheck"); err == nil {
		opts.Shellcheck = sc
	} else if mode == "strict" {
		t.Errorf("%s: shellcheck is not installed, so actionlint cannot check the workflow's scripts", where)
	}
	var out bytes.Buffer
	linter, err := actionlint.NewLinter(&out, opts)
	if err != nil {
		t.Fatal(err)
	}
	errs, err := linter.LintFile(wf, nil)
	if err != nil {
		t.Fatalf("%s: actionlint: %v", where, err)
	}
	if len(errs) > 0 {
		t.Errorf("%s: step actionlint: %d problems in .github/workflows/ci.yml:\n%s", where, len(errs), out.String())
	}
}

// run returns a command's stdout, and stdout then stderr when it fails.
func run(dir string, env []string, name string, args ...string) (stdout, all []byte, err error) {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = env
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	return out.Bytes(), append(out.Bytes(), errOut.Bytes()...), err
}

func language(dir string) string {
	for file, lang := range map[string]string{"go.mod": "go", "package.json": "node", "Cargo.toml": "rust"} {
		if _, err := os.Stat(filepath.Join(dir, file)); err == nil {
			return lang
		}
	}
	return ""
}
