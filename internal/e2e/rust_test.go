package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// The Rust projects' own checks, after scaffold verify has built them:
// rust-version is the real minimum of the locked dependency graph, every
// cargo build of CI, the Dockerfile and the Makefile is --locked, and the
// lints of Cargo.toml fail clippy when the code breaks them.
func init() {
	stackChecks["rust"] = append(stackChecks["rust"], checkRustVersion, checkRustLocked, checkRustLints)
}

// editionMinimum is the first Rust release of each edition.
var editionMinimum = map[string]string{"2015": "1.0", "2018": "1.31", "2021": "1.56", "2024": "1.85"}

type cargoMetadata struct {
	Packages []struct {
		ID          string `json:"id"`
		Name        string `json:"name"`
		Version     string `json:"version"`
		Edition     string `json:"edition"`
		RustVersion string `json:"rust_version"`
	} `json:"packages"`
	WorkspaceMembers []string `json:"workspace_members"`
	Resolve          struct {
		Root string `json:"root"`
	} `json:"resolve"`
}

// checkRustVersion fails when a package of the locked graph declares a
// rust-version above the project's (the project would not build on the
// version it promises), or when the project's is above the highest of
// those and its edition's (it would turn away toolchains that build it).
// Older toolchains are not on the proof's machine: this is the proof.
func checkRustVersion(t *testing.T, where, dir string, env []string) {
	stdout, out, err := run(dir, env, "cargo", "metadata", "--format-version", "1", "--locked")
	if err != nil {
		t.Fatalf("%s: step rust-version: cargo metadata --locked failed: %v\n%s", where, err, out)
	}
	var meta cargoMetadata
	if err := json.Unmarshal(stdout, &meta); err != nil {
		t.Fatalf("%s: step rust-version: cargo metadata printed no JSON: %v", where, err)
	}
	root := meta.Resolve.Root
	if root == "" && len(meta.WorkspaceMembers) == 1 {
		root = meta.WorkspaceMembers[0]
	}
	var project string
	var edition string
	for _, p := range meta.Packages {
		if p.ID == root {
			project, edition = p.RustVersion, p.Edition
		}
	}
	if project == "" {
		t.Fatalf("%s: step rust-version: Cargo.toml declares no rust-version", where)
	}
	have, err := parseRustVersion(project)
	if err != nil {
		t.Fatalf("%s: step rust-version: Cargo.toml: %v", where, err)
	}
	need, because := editionMinimum[edition], "edition "+edition
	if need == "" {
		t.Fatalf("%s: step rust-version: unknown edition %q", where, edition)
	}
	needV, _ := parseRustVersion(need)
	var above []string
	for _, p := range meta.Packages {
		if p.ID == root || p.RustVersion == "" {
			continue
		}
		v, err := parseRustVersion(p.RustVersion)
		if err != nil {
			t.Errorf("%s: step rust-version: package %s %s: %v", where, p.Name, p.Version, err)
			continue
		}
		if compareRustVersions(v, have) > 0 {
			above = append(above, fmt.Sprintf("%s %s needs %s", p.Name, p.Version, p.RustVersion))
		}
		if compareRustVersions(v, needV) > 0 {
			needV, need, because = v, p.RustVersion, p.Name+" "+p.Version
		}
	}
	if len(above) > 0 {
		t.Errorf("%s: step rust-version: Cargo.toml promises Rust %s, but locked packages need more:\n  %s\nset rust-version to %s (from %s)",
			where, project, strings.Join(above, "\n  "), need, because)
	}
	if compareRustVersions(have, needV) > 0 {
		t.Errorf("%s: step rust-version: Cargo.toml asks for Rust %s, but the locked graph and edition %s need only %s (from %s): the real minimum is lower",
			where, project, edition, need, because)
	}
	// What the project tells about the minimum says the same number.
	ci := filepath.Join(dir, ".github", "workflows", "ci.yml")
	if data, err := os.ReadFile(ci); err == nil {
		m := regexp.MustCompile(`(?m)^\s*toolchain:\s*"?([0-9.]+)"?\s*$`).FindSubmatch(data)
		if m == nil {
			t.Errorf("%s: step rust-version: .github/workflows/ci.yml has no job on a pinned toolchain (the msrv job)", where)
		} else if string(m[1]) != project {
			t.Errorf("%s: step rust-version: the msrv job of ci.yml uses Rust %s, Cargo.toml's rust-version is %s", where, m[1], project)
		}
	}
	if data, err := os.ReadFile(filepath.Join(dir, "README.md")); err != nil || !strings.Contains(string(data), "Rust "+project+" or newer") {
		t.Errorf("%s: step rust-version: README.md does not say it needs Rust %s or newer", where, project)
	}
	t.Logf("%s: rust-version %s is the real minimum (from %s; %d packages locked)", where, project, because, len(meta.Packages))
}

func parseRustVersion(s string) ([3]int, error) {
	var v [3]int
	parts := strings.Split(s, ".")
	if len(parts) < 1 || len(parts) > 3 {
		return v, fmt.Errorf("rust-version %q is not MAJOR[.MINOR[.PATCH]]", s)
	}
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return v, fmt.Errorf("rust-version %q is not MAJOR[.MINOR[.PATCH]]", s)
		}
		v[i] = n
	}
	return v, nil
}

func compareRustVersions(a, b [3]int) int {
	for i := range a {
		if a[i] != b[i] {
			if a[i] < b[i] {
				return -1
			}
			return 1
		}
	}
	return 0
}

// cargoResolves matches a cargo command that may resolve dependencies
// anew unless it is told --locked.
var cargoResolves = regexp.MustCompile(`\bcargo (build|test|clippy|check|run)\b`)

// checkRustLocked fails when CI, the Dockerfile or the Makefile runs a
// cargo command that could update Cargo.lock: the lock is committed at
// creation and every build uses exactly it.
func checkRustLocked(t *testing.T, where, dir string, _ []string) {
	for _, f := range []string{".github/workflows/ci.yml", "Dockerfile", "Makefile"} {
		data, err := os.ReadFile(filepath.Join(dir, f))
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(data), "\n") {
			code, _, _ := strings.Cut(line, "#")
			// A workflow step's name is a label, not a command.
			if strings.HasPrefix(strings.TrimPrefix(strings.TrimSpace(code), "- "), "name:") {
				continue
			}
			if cargoResolves.MatchString(code) && !strings.Contains(code, "--locked") {
				t.Errorf("%s: step locked: %s:%d runs cargo without --locked: %s", where, f, i+1, strings.TrimSpace(line))
			}
		}
	}
}

// rustLintProbe is code that breaks one lint the project must enforce.
type rustLintProbe struct {
	what  string
	code  string
	lints []string // the lint's names as rustc and clippy print them
	// before, if set, is the Rust version from which the probe's code is
	// fine: it runs only for a project whose rust-version is older.
	before string
}

var rustLintProbes = []rustLintProbe{
	{
		what:  "an unused variable",
		code:  "pub fn scaffold_lint_probe() {\n    let unused = 1;\n}\n",
		lints: []string{"unused_variables", "unused-variables"},
	},
	{
		what:  "an unsafe block",
		code:  "pub fn scaffold_lint_probe() -> u8 {\n    let bytes = [1_u8];\n    unsafe { *bytes.get_unchecked(0) }\n}\n",
		lints: []string{"unsafe_code", "unsafe-code"},
	},
	{
		what:  "an unwrap outside tests",
		code:  "pub fn scaffold_lint_probe() -> u8 {\n    \"1\".parse().unwrap()\n}\n",
		lints: []string{"clippy::unwrap_used", "clippy::unwrap-used"},
	},
	{
		// Clippy knows when each std item became stable and reads
		// rust-version: the project's own code keeps to it as well.
		what:   "a std function newer than rust-version",
		code:   "pub fn scaffold_lint_probe() -> std::time::Duration {\n    std::time::Duration::from_mins(1)\n}\n",
		lints:  []string{"clippy::incompatible_msrv", "clippy::incompatible-msrv"},
		before: "1.91",
	},
}

var (
	rustLintsProvedMu sync.Mutex
	rustLintsProved   = map[string]string{} // template and edition -> the project that proved them
)

// checkRustLints adds each probe to src/lib.rs in turn and requires the
// clippy command of CI to fail naming the probe's lint, then requires it
// to pass again once the probe is gone (a WebAssembly crate's clippy is
// for wasm32, as its CI runs it). The lints do not depend on any answer
// but the edition, so each template and edition is probed once.
func checkRustLints(t *testing.T, where, dir string, env []string) {
	cargoToml, err := os.ReadFile(filepath.Join(dir, "Cargo.toml"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^edition\s*=\s*"([0-9]+)"`).FindSubmatch(cargoToml)
	if m == nil {
		t.Fatalf("%s: step lint probes: Cargo.toml has no edition", where)
	}
	edition := string(m[1])
	rv := regexp.MustCompile(`(?m)^rust-version\s*=\s*"([0-9.]+)"`).FindSubmatch(cargoToml)
	if rv == nil {
		t.Fatalf("%s: step lint probes: Cargo.toml has no rust-version", where)
	}
	rustVersion, err := parseRustVersion(string(rv[1]))
	if err != nil {
		t.Fatalf("%s: step lint probes: Cargo.toml: %v", where, err)
	}
	answers, err := os.ReadFile(filepath.Join(dir, ".scaffold-answers.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	tm := regexp.MustCompile(`(?m)^template:\n(?:  .*\n)*?  name: (\S+)`).FindSubmatch(answers)
	if tm == nil {
		t.Fatalf("%s: step lint probes: .scaffold-answers.yaml names no template", where)
	}
	key := string(tm[1]) + " edition " + edition
	rustLintsProvedMu.Lock()
	by, done := rustLintsProved[key]
	if !done {
		rustLintsProved[key] = filepath.Base(dir)
	}
	rustLintsProvedMu.Unlock()
	if done {
		t.Logf("%s: lint probes for %s ran in project %s", where, key, by)
		return
	}

	lib := filepath.Join(dir, "src", "lib.rs")
	original, err := os.ReadFile(lib)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := os.WriteFile(lib, original, 0o644); err != nil {
			t.Errorf("%s: restoring src/lib.rs: %v", where, err)
		}
	}()
	clippy := []string{"clippy", "--locked", "--all-targets", "--", "-D", "warnings"}
	if isWasmCrate(cargoToml) {
		// What its CI lints: the target that ships.
		clippy = []string{"clippy", "--locked", "--all-targets", "--target", "wasm32-unknown-unknown", "--", "-D", "warnings"}
	}
	probed := 0
	for _, p := range rustLintProbes {
		if p.before != "" {
			if v, _ := parseRustVersion(p.before); compareRustVersions(rustVersion, v) >= 0 {
				t.Logf("%s: lint probes: no probe with %s, as rust-version is %s", where, p.what, rv[1])
				continue
			}
		}
		probed++
		if err := os.WriteFile(lib, append(append([]byte{}, original...), "\n"+p.code...), 0o644); err != nil {
			t.Fatal(err)
		}
		_, out, err := run(dir, env, "cargo", clippy...)
		if err == nil {
			t.Errorf("%s: step lint probes: cargo %s passed with %s in src/lib.rs", where, strings.Join(clippy, " "), p.what)
			continue
		}
		named := false
		for _, l := range p.lints {
			named = named || strings.Contains(string(out), l)
		}
		if !named {
			t.Errorf("%s: step lint probes: with %s in src/lib.rs, cargo clippy failed without naming %s:\n%s", where, p.what, p.lints[0], out)
		}
	}
	if err := os.WriteFile(lib, original, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, out, err := run(dir, env, "cargo", clippy...); err != nil {
		t.Errorf("%s: step lint probes: cargo clippy fails once the probes are gone: %v\n%s", where, err, out)
	}
	if _, out, err := run(dir, env, "git", "diff", "--exit-code", "--", "src/lib.rs"); err != nil {
		t.Errorf("%s: step lint probes: src/lib.rs is not as generated: %v\n%s", where, err, out)
	}
	t.Logf("%s: lint probes for %s: clippy refused %d probes and passed without them", where, key, probed)
}
