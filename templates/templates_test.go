package templates_test

import (
	"context"
	"io/fs"
	"path"
	"regexp"
	"strings"
	"testing"

	"github.com/scaffold-cli/scaffold/internal/source"
	"github.com/scaffold-cli/scaffold/templates"
)

// The defaults that ship to users: every template, as composed with the
// layers it includes, has its basic files, runs its container as a
// non-root user, limits its server's time and request bodies, ignores
// .env files, and holds no secrets.
func TestBuiltinDefaults(t *testing.T) {
	type want struct {
		files []string // must be embedded
		// hardening holds one pattern per protection, each matched
		// somewhere in the template's sources.
		hardening map[string]string
	}
	builtins := map[string]want{
		"go/chi": {
			files: []string{"scaffold.yaml", "go.mod.tmpl", "go.sum.tmpl", "README.md.tmpl", ".gitignore.tmpl", ".editorconfig",
				"Dockerfile.tmpl", ".dockerignore", ".github/workflows/ci.yml.tmpl", "LICENSE.tmpl", ".golangci.yml.tmpl", "Makefile.tmpl"},
			hardening: map[string]string{
				"read header timeout": `ReadHeaderTimeout:`, "read timeout": `ReadTimeout:`,
				"write timeout": `WriteTimeout:`, "idle timeout": `IdleTimeout:`, "body limit": `RequestSize\(maxBodyBytes\)`,
			},
		},
		"go/cobra": {
			files: []string{"scaffold.yaml", "go.mod.tmpl", "go.sum", "README.md.tmpl", ".gitignore.tmpl", ".editorconfig",
				".golangci.yml.tmpl", ".goreleaser.yaml.tmpl", "Makefile.tmpl", ".github/workflows/ci.yml",
				".github/workflows/release.yml", "LICENSE.tmpl"},
			// A CLI serves nothing: its defaults are exit codes and static builds.
			hardening: map[string]string{
				"usage exit code": `ExitUsage\s+= 2`, "static release build": `CGO_ENABLED=0`,
			},
		},
		"node/express": {
			files: []string{"scaffold.yaml", "package.json.tmpl", "README.md.tmpl", ".gitignore", ".editorconfig",
				"Dockerfile.tmpl", ".dockerignore", ".github/workflows/ci.yml.tmpl", "LICENSE.tmpl", "tsconfig.json"},
			hardening: map[string]string{
				"headers timeout": `headersTimeout`, "request timeout": `requestTimeout`,
				"keep-alive timeout": `keepAliveTimeout`, "body limit": `express\.json\(\{ limit:`,
			},
		},
		"node/fastify": {
			files: []string{"scaffold.yaml", "package.json.tmpl", "README.md.tmpl", ".gitignore", ".editorconfig",
				"Dockerfile.tmpl", ".dockerignore", ".github/workflows/ci.yml.tmpl", "LICENSE.tmpl", "tsconfig.json"},
			hardening: map[string]string{
				"headers timeout": `headersTimeout`, "request timeout": `requestTimeout:`,
				"keep-alive timeout": `keepAliveTimeout:`, "body limit": `bodyLimit:`,
			},
		},
		"rust/axum": {
			files: []string{"scaffold.yaml", "Cargo.toml.tmpl", "README.md.tmpl", ".gitignore", ".editorconfig",
				"Dockerfile.tmpl", ".dockerignore", ".github/workflows/ci.yml.tmpl", "LICENSE.tmpl", "src/lib.rs.tmpl", "Makefile.tmpl"},
			hardening: map[string]string{
				"request timeout": `TimeoutLayer`, "body limit": `DefaultBodyLimit::max`,
			},
		},
		"rust/clap": {
			files: []string{"scaffold.yaml", "Cargo.toml.tmpl", "README.md.tmpl", ".gitignore", ".editorconfig",
				"Makefile", ".github/workflows/ci.yml.tmpl", "LICENSE.tmpl", "src/lib.rs", "tests/cli.rs"},
			hardening: map[string]string{
				"no unsafe code": `unsafe_code = "forbid"`, "locked builds": `cargo build --release --locked`,
			},
		},
		"rust/wasm": {
			files: []string{"scaffold.yaml", "Cargo.toml.tmpl", "README.md.tmpl", ".gitignore", ".editorconfig",
				"Makefile.tmpl", ".github/workflows/ci.yml.tmpl", "LICENSE.tmpl", "src/lib.rs", "src/count.rs",
				"js/count.test.mjs.tmpl", "clippy.toml"},
			// A module for JavaScript: no unsafe code of its own, the
			// CLI pinned to the crate, errors thrown rather than traps.
			hardening: map[string]string{
				"no unsafe code": `unsafe_code = "forbid"`, "locked builds": `cargo build --release --locked`,
				"pinned wasm-bindgen": `wasm-bindgen = "=0\.2\.108"`, "errors as JS errors": `Result<Counts, JsError>`,
				"no panics": `panic = "warn"`,
			},
		},
		"workspace/polyglot": {
			files: []string{"scaffold.yaml", "README.md.tmpl", "Makefile.tmpl", "compose.yaml.tmpl", "go.work.tmpl",
				".github/workflows/{{ .Part.Name }}.yml.tmpl", ".github/workflows/workspace.yml.tmpl", "LICENSE.tmpl"},
			// The root files: each part checked in its own folder only,
			// and started only once the part it calls is healthy.
			hardening: map[string]string{
				"path filters": `paths:\n\s+- "\{\{ \.Path \}\}/\*\*"`, "healthy dependencies": `service_healthy`,
				"read-only workflow token": `permissions:\n\s+contents: read`,
			},
		},
	}
	secret := regexp.MustCompile(`-----BEGIN [A-Z ]*PRIVATE KEY-----|AKIA[0-9A-Z]{16}|gh[pousr]_[A-Za-z0-9]{30,}|(?i)(password|secret|token|api_key)\s*[:=]\s*["'][^"'{]{6,}["']`)
	for name, w := range builtins {
		t.Run(name, func(t *testing.T) {
			op, err := source.OpenWith(context.Background(), name, source.Options{})
			if err != nil {
				t.Fatal(err)
			}
			sub := op.Template.Files
			for _, f := range w.files {
				if _, err := fs.Stat(sub, f); err != nil {
					t.Errorf("%s is not embedded: %v", f, err)
				}
			}
			var all strings.Builder
			err = fs.WalkDir(sub, ".", func(p string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				data, err := fs.ReadFile(sub, p)
				if err != nil {
					return err
				}
				if m := secret.Find(data); m != nil {
					t.Errorf("%s holds what looks like a secret: %q", p, m)
				}
				if strings.HasPrefix(path.Base(p), "Dockerfile") {
					user := regexp.MustCompile(`(?m)^USER\s+(\S+)`).FindSubmatch(data)
					if user == nil || strings.HasPrefix(string(user[1]), "root") || string(user[1]) == "0" {
						t.Errorf("%s does not switch to a non-root USER", p)
					}
				}
				if strings.HasPrefix(path.Base(p), ".gitignore") && !regexp.MustCompile(`(?m)^/?\.env$`).Match(data) {
					t.Errorf("%s does not ignore .env", p)
				}
				all.Write(data)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			for what, pattern := range w.hardening {
				if !regexp.MustCompile(pattern).MatchString(all.String()) {
					t.Errorf("no %s: nothing matches %s", what, pattern)
				}
			}
		})
	}
	// Every embedded template is covered above.
	matches, _ := fs.Glob(templates.FS, "*/*/scaffold.yaml")
	for _, m := range matches {
		if _, ok := builtins[path.Dir(m)]; !ok {
			t.Errorf("built-in %s has no defaults check", path.Dir(m))
		}
	}
}
