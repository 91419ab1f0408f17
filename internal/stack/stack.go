// Package stack is the registry of the languages scaffold knows: how each
// is named and written, what marks a project of it, which tools it
// needs, and the checks scaffold verify runs on a project of it when its
// template gives none. Everything else asks here instead of switching on
// a language's name, so a new language is one entry in Languages (plus
// its templates), as a new toolchain is one type in cmd/go.
package stack

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/scaffold-cli/scaffold/internal/template"
	"github.com/scaffold-cli/scaffold/internal/verify"
)

// Language is one entry of the registry.
type Language struct {
	// Name is the language's key, as manifests and flags write it.
	Name string
	// Title is the name as people write it: "Node.js".
	Title string
	// Aliases are other names a flag may use for it.
	Aliases []string
	// Help describes it where the team's language is asked.
	Help string
	// Marker is the file at the root of every project in the language.
	Marker string
	// Lock is the file that pins dependencies once they are installed.
	Lock string
	// Install installs a project's dependencies and writes Lock, when
	// the project has none yet; scaffold new runs it before the first
	// commit (see InstallStep).
	Install []string
	// Locked installs them as Lock pins them, changing nothing (npm ci);
	// empty when Install already does.
	Locked []string
	// InstallEnv is added to the environment of the install new runs,
	// whichever step it runs (the manifest's or Install).
	InstallEnv []string
	// Format is the name format of the project's package name.
	Format template.Format
	// Tools must be on PATH to build and check a project.
	Tools []string
	// Checks says what the default plan runs, for help texts.
	Checks string
	// Next are the next steps printed after scaffold new for a template
	// whose manifest gives none.
	Next []template.NextStep

	// plan gives the default checks for the project in dir: the steps,
	// and the command that starts its server. Built binaries go to out.
	plan func(l *Language, dir, out string, env []string) ([]verify.Step, []string, error)
}

// Languages is the registry, in tie-break order: when the decision
// rules score two languages the same, the one earlier here wins.
var Languages = []*Language{node, golang, rust}

// Names lists the languages' keys in registry order.
func Names() []string {
	out := make([]string, len(Languages))
	for i, l := range Languages {
		out[i] = l.Name
	}
	return out
}

// Or spells the keys as a list for prose: "node, go or rust".
func Or(words []string) string {
	switch len(words) {
	case 0:
		return ""
	case 1:
		return words[0]
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}

// Lookup finds a language by key or alias, in any case.
func Lookup(name string) (*Language, bool) {
	n := strings.ToLower(strings.TrimSpace(name))
	for _, l := range Languages {
		if l.Name == n || slices.Contains(l.Aliases, n) {
			return l, true
		}
	}
	return nil, false
}

// Parse is Lookup for a value the user typed: an unknown name is an
// error that lists the known ones.
func Parse(name string) (*Language, error) {
	if l, ok := Lookup(name); ok {
		return l, nil
	}
	return nil, fmt.Errorf("unknown language %q: use %s", name, Or(Names()))
}

// TitleOf is the language's title, or the key itself when it is not in
// the registry (a team template may name a language scaffold lacks).
func TitleOf(name string) string {
	if l, ok := Lookup(name); ok {
		return l.Title
	}
	return name
}

// Detect finds the language of the project in dir by its marker file.
func Detect(dir string) (*Language, error) {
	var markers []string
	for _, l := range Languages {
		if _, err := os.Stat(filepath.Join(dir, l.Marker)); err == nil {
			return l, nil
		}
		markers = append(markers, l.Marker)
	}
	return nil, fmt.Errorf("%s has no %s: scaffold verify checks projects in %s", dir, Or(markers), Or(titles()))
}

func titles() []string {
	out := make([]string, len(Languages))
	for i, l := range Languages {
		out[i] = l.Title
	}
	return out
}

// Plan is the language's default check of the project in dir, for a
// project of the given kind: a kind with no server gets no serve step,
// and a command-line tool a try step, which runs it.
func (l *Language) Plan(dir, out string, env []string, kind template.ProjectKind) (*verify.Plan, error) {
	steps, serve, err := l.plan(l, dir, out, env)
	if err != nil {
		return nil, err
	}
	p := &verify.Plan{Language: l.Name, Steps: steps}
	switch {
	case kind.HasServer():
		p.Serve = serve
	case kind == template.CLI:
		// What serves a service is the tool itself for a CLI.
		p.Try = &verify.Try{Args: serve}
	}
	return p, nil
}

// Missing lists the language's tools that are not on PATH.
func (l *Language) Missing(lookPath func(string) (string, error)) []string {
	var out []string
	for _, t := range l.Tools {
		if _, err := lookPath(t); err != nil {
			out = append(out, t)
		}
	}
	return out
}

func step(name string, args ...string) verify.Step { return verify.Step{Name: name, Args: args} }

var node = &Language{
	Name: "node", Title: "Node.js", Help: "JavaScript / TypeScript",
	Aliases: []string{"nodejs", "node.js", "js", "javascript", "ts", "typescript"},
	Marker:  "package.json", Lock: "package-lock.json", Format: template.NpmPackage,
	Install: []string{"npm", "install", "--no-audit", "--no-fund"},
	Locked:  []string{"npm", "ci", "--no-audit", "--no-fund"},
	Tools:   []string{"node", "npm"},
	Checks:  "npm ci (npm install without a lock file), npm run lint, npm test,\n           npm run build, node <main>",
	Next:    []template.NextStep{{Run: "npm install", Note: "install"}, {Run: "npm run dev", Note: "run"}, {Run: "npm test", Note: "test"}},
	plan: func(l *Language, dir, _ string, _ []string) ([]verify.Step, []string, error) {
		main, err := nodeMain(dir)
		if err != nil {
			return nil, nil, err
		}
		return []verify.Step{
			l.installStep(in(dir)),
			step("lint", "npm", "run", "lint"),
			step("test", "npm", "test"),
			step("build", "npm", "run", "build"),
		}, []string{"node", main}, nil
	},
}

var golang = &Language{
	Name: "go", Title: "Go", Help: "Go", Aliases: []string{"golang"},
	Marker: "go.mod", Lock: "go.sum", Format: template.GoModule,
	Install: []string{"go", "mod", "download"},
	// A project made inside a Go workspace is none of its modules yet:
	// go there fails ("no modules were found in the current workspace").
	// The install at creation is the new module's alone.
	InstallEnv: []string{"GOWORK=off"},
	Tools:      []string{"go", "gofmt"},
	Checks:     "go mod download, go vet, gofmt -l, go test, go build ./cmd/NAME",
	Next:       []template.NextStep{{Run: "go run ./cmd/{{ .Project.Name }}", Note: "run"}, {Run: "go test ./...", Note: "test"}},
	plan: func(l *Language, dir, out string, _ []string) ([]verify.Step, []string, error) {
		name, err := goMain(dir)
		if err != nil {
			return nil, nil, err
		}
		bin := filepath.Join(out, name)
		format := step("format", "gofmt", "-l", ".")
		format.Empty = true
		return []verify.Step{
			l.installStep(in(dir)),
			step("lint", "go", "vet", "./..."),
			format,
			step("test", "go", "test", "./..."),
			step("build", "go", "build", "-o", bin, "./cmd/"+name),
		}, []string{bin}, nil
	},
}

var rust = &Language{
	Name: "rust", Title: "Rust", Help: "Rust", Aliases: []string{"rs"},
	Marker: "Cargo.toml", Lock: "Cargo.lock", Format: template.CargoCrate,
	Install: []string{"cargo", "fetch"},
	Locked:  []string{"cargo", "fetch", "--locked"},
	Tools:   []string{"cargo", "rustc", "cargo-clippy", "rustfmt"},
	Checks:  "cargo fetch, cargo fmt --check, cargo clippy -D warnings, cargo test,\n           cargo build, target/debug/NAME (all --locked once Cargo.lock is there)",
	Next:    []template.NextStep{{Run: "cargo run", Note: "run"}, {Run: "cargo test", Note: "test"}},
	plan: func(l *Language, dir, _ string, env []string) ([]verify.Step, []string, error) {
		name, err := crateName(dir)
		if err != nil {
			return nil, nil, err
		}
		target := lookup(env, "CARGO_TARGET_DIR")
		if target == "" {
			target = filepath.Join(dir, "target")
		}
		// With a lock file, nothing may change it: what CI builds is
		// what was committed.
		locked := func(args ...string) []string {
			if exists(dir, l.Lock) {
				return append(args, "--locked")
			}
			return args
		}
		return []verify.Step{
			l.installStep(in(dir)),
			step("format", "cargo", "fmt", "--check"),
			step("lint", slices.Concat(locked("cargo", "clippy", "--all-targets"), []string{"--", "-D", "warnings"})...),
			step("test", locked("cargo", "test")...),
			step("build", locked("cargo", "build")...),
		}, []string{filepath.Join(target, "debug", name)}, nil
	},
}

// installStep is the plan's install step for a project that has the
// files has says it has: with its lock file, a clean install that must
// match it (npm ci), where the language has one; otherwise Install,
// which writes the lock file.
func (l *Language) installStep(has func(name string) bool) verify.Step {
	if len(l.Locked) > 0 && has(l.Lock) {
		return step("install", l.Locked...)
	}
	return step("install", l.Install...)
}

func exists(dir, name string) bool {
	_, err := os.Stat(filepath.Join(dir, name))
	return err == nil
}

// in is exists for the files of dir.
func in(dir string) func(string) bool {
	return func(name string) bool { return exists(dir, name) }
}

// lookup is the last value of key in env, as exec gives it.
func lookup(env []string, key string) string {
	v := ""
	for _, kv := range env {
		if k, val, ok := strings.Cut(kv, "="); ok && k == key {
			v = val
		}
	}
	return v
}
