// Package e2e proves the product's promise: every built-in template
// generates a project that installs, lints, tests, builds, serves
// /healthz and stops cleanly, with a workflow that actionlint accepts,
// for answer sets computed from its manifest (see package proof) that
// give every value of its bool, select and multiselect answers, and every
// two values of two of them together, at least once; and once with the
// project's names in each ecosystem (module path, npm or crate name)
// answered rather than derived. TestProofCoversEveryPair checks the sets
// without generating anything, so it runs with every go test.
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
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rhysd/actionlint"

	"github.com/scaffold-cli/scaffold/internal/catalog"
	"github.com/scaffold-cli/scaffold/internal/proof"
	"github.com/scaffold-cli/scaffold/internal/source"
	"github.com/scaffold-cli/scaffold/internal/stack"
	"github.com/scaffold-cli/scaffold/internal/template"
	"github.com/scaffold-cli/scaffold/internal/verify"
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
	stopSharedCluster()
	os.RemoveAll(dir)
	os.Exit(code)
}

// customNames are the answers the proof gives, once per template, to
// the string questions that name the project in an ecosystem, so that a
// name other than the one derived from the project's is built too.
var customNames = map[template.Format]string{
	template.GoModule:   "example.com/acme/api",
	template.NpmPackage: "@acme/shop",
	template.CargoCrate: "edge_proxy",
}

// plan is what the proof of one template generates.
type plan struct {
	factors []proof.Factor
	// sets are the computed sets (the first computed of them), the
	// manifest's own (fromManifest of them), then the one with custom
	// names, if any.
	sets         []proof.Set
	computed     int
	fromManifest int
	custom       map[string]string
	// asks holds the names of the template's questions.
	asks map[string]bool
	// openapi is the path of the OpenAPI document its server serves.
	openapi string
}

// planFor computes the answer sets of a built-in template from its
// manifest (see package proof) and adds one that answers its naming
// questions with customNames.
func planFor(name string) (plan, error) {
	opened, err := source.OpenWith(context.Background(), name, source.Options{})
	if err != nil {
		return plan{}, err
	}
	m := *opened.Template.Manifest
	fromManifest := len(m.Proof.Sets)
	// The custom name goes to the question that names the package in
	// the template's own language, the registry's name format.
	lang, ok := stack.Lookup(m.Language)
	if !ok {
		return plan{}, fmt.Errorf("language %q is not in the registry", m.Language)
	}
	custom := map[string]any{}
	for _, q := range m.Questions {
		if v, ok := customNames[q.Format]; ok && q.Format == lang.Format && q.Type == template.String && !q.Secret {
			custom[q.Name] = v
		}
	}
	if len(custom) > 0 {
		m.Proof.Sets = append(slices.Clone(m.Proof.Sets), template.ProofSet{Answers: custom})
	}
	sets, err := proof.Sets(&m)
	if err != nil {
		return plan{}, err
	}
	p := plan{factors: proof.Factors(&m), sets: sets, computed: len(sets) - len(m.Proof.Sets), fromManifest: fromManifest, asks: map[string]bool{}, openapi: m.OpenAPI}
	for _, q := range m.Questions {
		p.asks[q.Name] = true
	}
	if len(custom) > 0 {
		p.custom = sets[len(sets)-1].Answers
	}
	return p, nil
}

// summary says in one line what the sets of the template name prove.
func (p plan) summary(name string) string {
	var factors []string
	for _, f := range p.factors {
		factors = append(factors, f.String())
	}
	line := fmt.Sprintf("%s: %d sets cover every value and every pair of %s", name, p.computed, strings.Join(factors, ", "))
	if len(factors) == 0 {
		line = fmt.Sprintf("%s: %d set, as no answer varies", name, p.computed)
	}
	if p.fromManifest > 0 {
		line += fmt.Sprintf("; %d more from its manifest", p.fromManifest)
	}
	if len(p.custom) > 0 {
		line += "; 1 more with " + strings.Join(proof.Set{Answers: p.custom}.Flags(), " ")
	}
	return line
}

// maxSets bounds a template's sets: each costs up to a minute of CI.
const maxSets = 12

// TestProofCoversEveryPair runs without SCAFFOLD_E2E, so that a template
// whose proof would miss a value or a pair fails go test ./... at once.
func TestProofCoversEveryPair(t *testing.T) {
	cat, err := catalog.Builtins(nil)
	if err != nil {
		t.Fatal(err)
	}
	infos := projectTemplates(cat)
	total := 0
	for _, info := range infos {
		p, err := planFor(info.Name)
		if err != nil {
			t.Errorf("%s: %v", info.Name, err)
			continue
		}
		t.Log(p.summary(info.Name))
		total += len(p.sets)
		if gaps := proof.Uncovered(p.factors, p.sets[:p.computed]); len(gaps) > 0 {
			t.Errorf("%s: the proof's sets leave out:\n%s", info.Name, strings.Join(gaps, "\n"))
		}
		if len(p.sets) > maxSets {
			t.Errorf("%s: %d answer sets to prove, more than %d: each costs up to a minute of CI; name questions whose values need no proof in the manifest's proof.fixed", info.Name, len(p.sets), maxSets)
		}
	}
	t.Logf("%d answer sets for %d templates", total, len(infos))
}

func TestTemplates(t *testing.T) {
	if mode == "" {
		t.Skip("set SCAFFOLD_E2E=1 to run")
	}
	cat, err := catalog.Builtins(nil)
	if err != nil {
		t.Fatal(err)
	}
	infos := projectTemplates(cat)
	plans := make([]plan, len(infos))
	total := 0
	for i, info := range infos {
		if plans[i], err = planFor(info.Name); err != nil {
			t.Fatalf("%s: %v", info.Name, err)
		}
		total += len(plans[i].sets)
	}
	t.Logf("%d answer sets for %d templates", total, len(infos))
	for i, info := range infos {
		p := plans[i]
		t.Run(info.Name, func(t *testing.T) {
			t.Parallel()
			t.Log(p.summary(info.Name))
			for _, s := range p.sets {
				t.Logf("  %s: %s", s.Name, strings.Join(s.Flags(), " "))
			}
			requireToolchain(t, info.Language)
			work := t.TempDir()
			// Lock files the proof commits name no registry: this
			// machine's is not the user's.
			env := append(os.Environ(), "npm_config_omit_lockfile_registry_resolved=true")
			if info.Language == "rust" {
				env = append(env, rustEnv(t, work)...)
			}
			// A WebAssembly template gets a toolchain that builds wasm32.
			if info.Kind == template.Wasm {
				env = append(env, wasmEnv(t)...)
			}
			// The first set with a database also has its promises
			// checked against a database of its own (see database).
			firstDB := slices.IndexFunc(p.sets, func(s proof.Set) bool { return hasPostgres(p.asks, s.Answers) })
			for _, rt := range runtimesOf(t, info.Language) {
				for i, s := range p.sets {
					if !rt.all && i > 0 {
						break
					}
					var names map[string]string
					if i == len(p.sets)-1 {
						names = p.custom
					}
					name := s.Name
					if rt.name != "" {
						name = rt.name + "/" + s.Name
						s.Name = rt.name + "-" + s.Name
					}
					t.Run(name, func(t *testing.T) {
						check(t, info, p, s, names, i == 0, i == firstDB, work, append(slices.Clone(env), rt.env...))
					})
				}
			}
		})
	}
}

// projectTemplates are the built-ins the proof renders one by one: all
// but the workspace template, whose root files are over parts rendered
// from the others (TestWorkspace proves it).
func projectTemplates(cat *catalog.Catalog) []catalog.Entry {
	return slices.DeleteFunc(cat.Entries(), func(e catalog.Entry) bool { return e.Kind == template.Workspace })
}

func requireToolchain(t *testing.T, language string) {
	l, ok := stack.Lookup(language)
	if !ok {
		t.Fatalf("language %q is not in the registry", language)
	}
	if missing := l.Missing(exec.LookPath); len(missing) > 0 {
		msg := fmt.Sprintf("%s toolchain missing: %s not on PATH", language, strings.Join(missing, ", "))
		if mode == "strict" {
			t.Fatal(msg)
		}
		t.Skip("SKIPPED LOUDLY: " + msg)
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

// check generates the project of set, checks it and verifies it; names
// are answers the language's build manifest must hold. The first set of
// each runtime also has its server's contract checked: no answer of a
// built-in changes the server's code.
//
// A set with a database is verified against a database of its own on
// the cluster the sets share; firstDB, the first such set, also has the
// database's promises checked on a cluster of its own, which is
// stopped and started again, and a broken migration added to see
// verify fail.
func check(t *testing.T, info catalog.Entry, p plan, set proof.Set, names map[string]string, first, firstDB bool, work string, env []string) {
	asks := p.asks
	flags := set.Flags()
	db := hasPostgres(asks, set.Answers)
	env = without(env, "DATABASE_URL")
	where := fmt.Sprintf("template %s, project %s, answers {%s}", info.Name, set.Name, strings.Join(flags, " "))
	lang, ok := stack.Lookup(info.Language)
	if !ok {
		t.Fatalf("%s: language %q is not in the registry", where, info.Language)
	}

	dir := filepath.Join(work, set.Name)
	args := []string{"new", dir, "--template", info.Name, "--yes", "--install"}
	for _, f := range flags {
		args = append(args, "--set", f)
	}
	start := time.Now()
	if _, out, err := run(work, env, scaffold, args...); err != nil {
		t.Fatalf("%s: step generate failed: %v\n%s", where, err, out)
	}
	generate := time.Since(start)
	if _, out, err := run(dir, env, "git", "status", "--porcelain"); err != nil || len(out) > 0 {
		t.Fatalf("%s: step generate: the tree is not clean after the first commit: %v\n%s", where, err, out)
	}
	expectFiles(t, where, dir, info.Kind, asks, set.Answers)
	// The install at creation put the lock file in the first commit.
	if _, out, err := run(dir, env, "git", "ls-files", "--error-unmatch", lang.Lock); err != nil {
		t.Fatalf("%s: step generate: %s is not in the first commit: %v\n%s", where, lang.Lock, err, out)
	}
	lintWorkflow(t, where, dir)
	checkProjectDockerfile(t, where, dir)
	if db {
		// Set names repeat across templates; databases on the shared
		// cluster may not.
		env = append(env, "DATABASE_URL="+sharedCluster(t).createDB(t, info.Name+"-"+set.Name))
		if asks["ci"] && set.Answers["ci"] != "false" {
			if wf, err := os.ReadFile(filepath.Join(dir, ".github", "workflows", "ci.yml")); err != nil || !bytes.Contains(wf, []byte("services:")) || !bytes.Contains(wf, []byte("image: postgres:")) || !bytes.Contains(wf, []byte("DATABASE_URL")) {
				t.Errorf("%s: the workflow runs no PostgreSQL service for the integration tests (services: ... image: postgres:, DATABASE_URL): %v", where, err)
			}
		}
	}

	report, out, err := verifyReport(work, env, dir)
	if report == nil {
		t.Fatalf("%s: scaffold verify printed no report: %v\n%s", where, err, out)
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
	// With a database, verify migrated it and went through the items;
	// without one, there was none to skip.
	if i := slices.IndexFunc(report.Steps, func(s verifyStep) bool { return s.Step == "migrate" }); db != (i >= 0 && report.Steps[i].Skipped == "") {
		t.Errorf("%s: scaffold verify's steps %+v: want a migrate step that ran when database is postgres, and only then", where, report.Steps)
	}
	// verify installed from the lock file (npm ci, cargo --locked) and
	// built: nothing it did changed a file of the first commit.
	if _, out, err := run(dir, env, "git", "status", "--porcelain"); err != nil || len(out) > 0 {
		t.Errorf("%s: the tree is not clean after scaffold verify: %v\n%s", where, err, out)
	}
	if data, err := os.ReadFile(filepath.Join(dir, lang.Lock)); err != nil || bytes.Contains(data, []byte("registry.npmjs.org")) {
		t.Errorf("%s: %s names the registry it came from (omit-lockfile-registry-resolved is set): %v", where, lang.Lock, err)
	}
	if len(names) > 0 {
		data, err := os.ReadFile(filepath.Join(dir, lang.Marker))
		if err != nil {
			t.Fatal(err)
		}
		for q, v := range names {
			if !bytes.Contains(data, []byte(v)) {
				t.Errorf("%s: %s does not hold %s %s", where, lang.Marker, q, v)
			}
		}
	}
	// A .env file holds secrets: git must ignore it.
	if err := os.WriteFile(filepath.Join(dir, ".env"), []byte("TOKEN=x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, out, err := run(dir, env, "git", "check-ignore", "-q", ".env"); err != nil {
		t.Errorf("%s: git does not ignore .env: %v\n%s", where, err, out)
	}
	// ... while the example of it is in the first commit.
	if _, out, err := run(dir, env, "git", "ls-files", "--error-unmatch", ".env.example"); info.Kind.HasServer() && err != nil {
		t.Errorf("%s: .env.example is not in the first commit: %v\n%s", where, err, out)
	}
	// One task runner with the same verbs in every stack.
	if _, out, err := run(dir, env, "make", "-n", "help", "dev", "test", "lint", "fmt", "build", "run"); err != nil {
		t.Errorf("%s: the Makefile lacks one of the verbs help, dev, test, lint, fmt, build, run: %v\n%s", where, err, out)
	}
	// The server is built for the checks from outside once, when one
	// needs it.
	var built *contract
	served := func() *contract {
		if built == nil {
			built = newContract(t, where, dir, env)
		}
		return built
	}
	if first && info.Kind.HasServer() {
		checkContract(served())
	}
	if (first || firstDB) && p.openapi != "" {
		served().documented(p.openapi, asks, set.Answers)
	}
	if firstDB {
		c := served()
		test := testCommand(t, dir, env)
		c.database(p.openapi, asks, set.Answers, test)
		if set.Answers["docker"] != "false" {
			checkDatabaseCompose(c)
		}
		checkBrokenMigration(t, where, work, dir, sharedCluster(t).createDB(t, info.Name+"-"+set.Name+"-broken"), env)
	} else if db && set.Answers["docker"] != "false" {
		checkDatabaseCompose(served())
	}
	if asks["realtime"] {
		on := set.Answers["realtime"] == "true"
		// verify exchanged a message through the room, when there is one.
		for _, s := range report.Steps {
			if s.Step == "serve" && strings.Contains(s.Checks, "WebSocket "+wsPath) != on {
				t.Errorf("%s: scaffold verify's serve step checked %q, want the WebSocket %s checked when realtime is true, and only then", where, s.Checks, wsPath)
			}
		}
		checkSocket(served(), on)
	}
	for _, c := range stackChecks[info.Language] {
		c(t, where, dir, env)
	}
	t.Logf("%s: ok; %s", where, strings.Join(timings, ", "))
}

// verifyStep is one step of scaffold verify's --json report.
type verifyStep struct {
	Step     string        `json:"step"`
	Command  string        `json:"command"`
	Checks   string        `json:"checks"`
	Duration time.Duration `json:"duration_ns"`
	Err      string        `json:"error"`
	Output   string        `json:"output"`
	Skipped  string        `json:"skipped"`
}

type verifyReportJSON struct {
	OK    bool         `json:"ok"`
	Steps []verifyStep `json:"steps"`
}

// verifyReport runs scaffold verify --json on dir: the report (nil when
// it printed none), what it printed, and how it ended.
func verifyReport(work string, env []string, dir string) (*verifyReportJSON, []byte, error) {
	stdout, out, err := run(work, env, scaffold, "verify", dir, "--json")
	var report verifyReportJSON
	if jerr := json.Unmarshal(stdout, &report); jerr != nil {
		return nil, out, fmt.Errorf("%v (the report: %v)", err, jerr)
	}
	return &report, out, err
}

// servicePlan is the language's default check of the service in dir,
// with binaries built into a folder of the test's own.
func servicePlan(t *testing.T, dir string, env []string) (*stack.Language, *verify.Plan) {
	lang, err := stack.Detect(dir)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := lang.Plan(dir, t.TempDir(), env, template.Service)
	if err != nil {
		t.Fatal(err)
	}
	return lang, plan
}

// testCommand is the project's test command, as verify runs it.
func testCommand(t *testing.T, dir string, env []string) []string {
	lang, plan := servicePlan(t, dir, env)
	for _, s := range plan.Steps {
		if s.Name == "test" {
			return s.Args
		}
	}
	t.Fatalf("%s: the %s plan has no test step", dir, lang.Name)
	return nil
}

// checkBrokenMigration adds a migration that cannot apply and expects
// scaffold verify, with a database, to fail at the step that applies
// migrations (the tests', or migrate), saying which; the migration is
// then taken away again.
func checkBrokenMigration(t *testing.T, where, work, dir, url string, env []string) {
	path, err := brokenMigration(dir)
	if err != nil {
		t.Errorf("%s: broken migration: %v", where, err)
		return
	}
	report, out, err := verifyReport(work, append(without(env, "DATABASE_URL"), "DATABASE_URL="+url), dir)
	if rerr := os.Remove(path); rerr != nil {
		t.Fatal(rerr)
	}
	if report == nil || err == nil || report.OK {
		t.Errorf("%s: scaffold verify passed with the broken migration %s: %v\n%s", where, filepath.Base(path), err, out)
		return
	}
	failed := report.Steps[len(report.Steps)-1]
	if failed.Step != "test" && failed.Step != "migrate" {
		t.Errorf("%s: with the broken migration %s, scaffold verify failed at step %s (%s), want test or migrate: %s\n%s", where, filepath.Base(path), failed.Step, failed.Command, failed.Err, failed.Output)
		return
	}
	// What CI prints for it.
	t.Logf("%s: with the broken migration %s: step %s (%s) failed: %s", where, filepath.Base(path), failed.Step, failed.Command, failed.Err)
}

// expectFiles checks that the answers which add or drop files did, for
// the questions the template asks (asks), and the files every project
// of its kind has.
func expectFiles(t *testing.T, where, dir string, kind template.ProjectKind, asks map[string]bool, answers map[string]string) {
	want := map[string]bool{
		"Dockerfile":               asks["docker"] && answers["docker"] != "false",
		".dockerignore":            asks["docker"] && answers["docker"] != "false",
		".github/workflows/ci.yml": asks["ci"] && answers["ci"] != "false",
		"LICENSE":                  asks["license"] && answers["license"] != "none",
		"README.md":                true,
		".gitignore":               true,
		".editorconfig":            true,
		".scaffold-answers.yaml":   true,
		// A service reads its config from the environment.
		".env.example": kind.HasServer(),
		// A database comes with its migrations, and with compose
		// beside a Dockerfile.
		"migrations":   hasPostgres(asks, answers),
		"compose.yaml": hasPostgres(asks, answers) && answers["docker"] != "false",
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
	files, _ := filepath.Glob(filepath.Join(dir, ".github", "workflows", "*.y*ml"))
	if len(files) == 0 {
		return
	}
	opts := &actionlint.LinterOptions{WorkingDir: dir, LogWriter: io.Discard}
	if sc, err := exec.LookPath("shellcheck"); err == nil {
		opts.Shellcheck = sc
	} else if mode == "strict" {
		t.Errorf("%s: shellcheck is not installed, so actionlint cannot check the workflow's scripts", where)
	}
	for _, wf := range files {
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
			t.Errorf("%s: step actionlint: %d problems in %s:\n%s", where, len(errs), filepath.Base(wf), out.String())
		}
	}
}

// run returns a command's stdout, and stdout then stderr when it fails.
// A name without a slash is looked up in env's PATH, as the project's
// own commands find it (exec.Command would search the test's PATH).
func run(dir string, env []string, name string, args ...string) (stdout, all []byte, err error) {
	if !strings.Contains(name, "/") {
		if found := lookPathIn(env, name); found != "" {
			name = found
		}
	}
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = env
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	return out.Bytes(), append(out.Bytes(), errOut.Bytes()...), err
}

// lookPathIn finds the executable name in the last PATH of env, "" when
// it is not there.
func lookPathIn(env []string, name string) string {
	path := ""
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "PATH="); ok {
			path = v
		}
	}
	for _, dir := range filepath.SplitList(path) {
		if dir == "" {
			continue
		}
		p := filepath.Join(dir, name)
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
			return p
		}
	}
	return ""
}
