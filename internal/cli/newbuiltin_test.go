package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/scaffold-cli/scaffold/internal/project"
	"github.com/scaffold-cli/scaffold/internal/proof"
	"github.com/scaffold-cli/scaffold/internal/source"
	"github.com/scaffold-cli/scaffold/templates"
)

// builtinsWith is a copy of the embedded templates with the folders of
// extra (an fs.FS of <language>/<name>/ folders) added, and the built-ins
// named in drop left out.
func builtinsWith(t *testing.T, extra fs.FS, drop ...string) fstest.MapFS {
	t.Helper()
	out := fstest.MapFS{}
	add := func(fsys fs.FS) {
		err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			for _, name := range drop {
				if strings.HasPrefix(p, name+"/") {
					return nil
				}
			}
			data, err := fs.ReadFile(fsys, p)
			if err != nil {
				return err
			}
			info, err := d.Info()
			if err != nil {
				return err
			}
			out[p] = &fstest.MapFile{Data: data, Mode: info.Mode().Perm() | 0o444}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	add(templates.FS)
	add(extra)
	return out
}

// TestANewBuiltinIsOneFolder adds a fifth built-in, go/stdlib, as one
// folder in a copy of the catalog, editing no Go file: it is listed,
// completed, offered by --template and --framework, recommended when the
// engine asks for a Go service and it is the catalog's, and verified.
func TestANewBuiltinIsOneFolder(t *testing.T) {
	env := map[string]string{"HOME": t.TempDir(), "GIT_CONFIG_NOSYSTEM": "1"}
	fixture := os.DirFS(filepath.Join("testdata", "newbuiltin"))
	withIt := builtinsWith(t, fixture)
	ctx := context.Background()
	run := func(fsys fs.FS, args ...string) (int, string) {
		t.Helper()
		f, out := testFactory(env)
		f.Builtins = fsys
		code := Run(ctx, f, args)
		return code, out.String()
	}

	// Listed, with what its manifest says it is.
	code, out := run(withIt, "list", "--json")
	if code != 0 {
		t.Fatalf("list exited %d:\n%s", code, out)
	}
	var list []map[string]any
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		t.Fatalf("list --json: %v\n%s", err, out)
	}
	var found map[string]any
	for _, e := range list {
		if e["name"] == "go/stdlib" {
			found = e
		}
	}
	if found == nil || found["kind"] != "service" || found["title"] != "Go with net/http" || found["source"] != "builtin" || found["framework"] != "stdlib" {
		t.Errorf("list --json: go/stdlib is %v", found)
	}

	// Completed and named in the help of --framework.
	if _, out := run(withIt, "__complete", "new", "x", "--framework", ""); !strings.Contains(out, "stdlib\n") {
		t.Errorf("--framework does not complete stdlib:\n%s", out)
	}
	if _, out := run(withIt, "new", "--help"); !strings.Contains(out, "chi, cobra, stdlib, axum, clap or wasm-bindgen") {
		t.Errorf("--framework's help does not name stdlib:\n%s", out)
	}

	// Offered by --template, --framework alone and --stack with it.
	work := t.TempDir()
	for name, args := range map[string][]string{
		"by-template":  {"--template", "go/stdlib"},
		"by-framework": {"--framework", "stdlib"},
		"by-stack":     {"--stack", "go", "--framework", "stdlib"},
	} {
		dir := filepath.Join(work, name)
		code, out := run(withIt, append([]string{"new", dir, "--yes", "--no-git"}, args...)...)
		if code != 0 {
			t.Fatalf("new %s exited %d:\n%s", strings.Join(args, " "), code, out)
		}
		rec, err := project.ReadProjectRecord(dir)
		if err != nil || rec.Template.Source != "go/stdlib" {
			t.Fatalf("new %s: record %+v, %v", strings.Join(args, " "), rec, err)
		}
		if !strings.Contains(out, "go run ./cmd/"+name+"  ") || !strings.Contains(out, "# run it") {
			t.Errorf("new %s does not print the manifest's next steps:\n%s", strings.Join(args, " "), out)
		}
	}

	// Recommended where the catalog's Go service is this one.
	alone := builtinsWith(t, fixture, "go/chi")
	code, out = run(alone, "recommend", "--goal", "performance,concurrency", "--json")
	if code != 0 || !strings.Contains(out, `"template": "go/stdlib"`) || !strings.Contains(out, `"title": "Go with net/http"`) {
		t.Errorf("recommend with go/stdlib the only Go service exited %d:\n%s", code, out)
	}
	dir := filepath.Join(work, "recommended")
	if code, out := run(alone, "new", dir, "--goal", "performance", "--goal", "concurrency", "--yes", "--no-git", "--set", "greet=true"); code != 0 || !strings.Contains(out, "Recommended: Go with net/http (template go/stdlib)") {
		t.Fatalf("new by the goals exited %d:\n%s", code, out)
	}

	// Proven: the e2e takes every built-in of the catalog, and the sets
	// it would run for this one come from its manifest and cover every
	// pair of its answers' values.
	opened, err := source.OpenWith(ctx, "go/stdlib", source.Options{Builtins: withIt})
	if err != nil {
		t.Fatal(err)
	}
	m := opened.Template.Manifest
	sets, err := proof.Sets(m)
	if err != nil {
		t.Fatal(err)
	}
	if gaps := proof.Uncovered(proof.Factors(m), sets); len(sets) < 4 || len(gaps) > 0 {
		t.Errorf("the proof of go/stdlib: %d sets, leaving out %q", len(sets), gaps)
	}
	for _, s := range sets {
		t.Logf("proof set %s: %s", s.Name, strings.Join(s.Flags(), " "))
	}

	// Verified, by the Go default plan its manifest leaves in place.
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("verify needs the go tool")
	}
	f, _ := testFactory(env)
	f.Builtins = alone
	var stdout, stderr bytes.Buffer
	f.IO.Out, f.IO.ErrOut = &stdout, &stderr
	f.Environ = func() []string { return append(os.Environ(), "GOPROXY=off", "GOFLAGS=-mod=mod") }
	if code := Run(ctx, f, []string{"verify", dir, "--json"}); code != 0 {
		t.Fatalf("verify exited %d:\n%s\n%s", code, stdout.String(), stderr.String())
	}
	var report struct {
		OK    bool `json:"ok"`
		Steps []struct {
			Step string `json:"step"`
		} `json:"steps"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &report); err != nil || !report.OK || len(report.Steps) != 6 || report.Steps[5].Step != "serve" {
		t.Errorf("verify: %v %+v\n%s", err, report, stderr.String())
	}
}
