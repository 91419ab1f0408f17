package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/scaffold-cli/scaffold/internal/project"
)

// The root files of a workspace update as any project does, rendered
// over its parts: the template's change arrives, the user's edit stays,
// and no part's file is touched.
func TestUpdateWorkspaceRootFiles(t *testing.T) {
	ctx := context.Background()
	dir, env := newTestWorkspace(t)
	makefile := filepath.Join(dir, "Makefile")
	mine, err := os.ReadFile(makefile)
	if err != nil {
		t.Fatal(err)
	}
	mine = append(mine, []byte("\nhello: ## ours\n\t@echo hi\n")...)
	if err := os.WriteFile(makefile, mine, 0o644); err != nil {
		t.Fatal(err)
	}
	f, out := testFactory(env)
	if _, err := project.CommitChanges(dir, project.LoadGitSettings(f.Getenv), f.Now(), "ours"); err != nil {
		t.Fatal(err)
	}
	partReadme := filepath.Join(dir, "services", "core", "README.md")
	partBefore, _ := os.ReadFile(partReadme)

	next := nextBuiltins(t).(fstest.MapFS)
	ws := func(name string) *fstest.MapFile { return next["workspace/polyglot/"+name] }
	ws("scaffold.yaml").Data = bytes.Replace(ws("scaffold.yaml").Data, []byte("version: 1.0.0"), []byte("version: 1.1.0"), 1)
	ws("Makefile.tmpl").Data = bytes.Replace(ws("Makefile.tmpl").Data, []byte("# The workspace's tasks."), []byte("# The workspace's tasks, now newer."), 1)
	f, out = testFactory(env)
	f.Builtins = next
	if code := Run(ctx, f, []string{"update", dir}); code != 0 {
		t.Fatalf("update exited %d:\n%s", code, out)
	}
	if !strings.Contains(out.String(), "from template 1.0.0 to 1.1.0") || !strings.Contains(out.String(), "merged    Makefile") {
		t.Errorf("update output:\n%s", out)
	}
	got, _ := os.ReadFile(makefile)
	if !bytes.Contains(got, []byte("now newer")) || !bytes.Contains(got, []byte("hello: ## ours")) || !bytes.Contains(got, []byte("PARTS := apps/api services/core\n")) {
		t.Errorf("Makefile after the update:\n%s", got)
	}
	if partAfter, _ := os.ReadFile(partReadme); !bytes.Equal(partAfter, partBefore) {
		t.Error("the root update changed a part's file")
	}
}

// An update of one part after its template changed touches that part
// alone, and check at the root names it.
func TestUpdateWorkspacePartAlone(t *testing.T) {
	ctx := context.Background()
	dir, env := newTestWorkspace(t)
	next := nextBuiltins(t) // go/chi moved on
	f, out := testFactory(env)
	f.Builtins = next
	if code := Run(ctx, f, []string{"check", dir}); code != ExitUpdateAvailable || !strings.Contains(out.String(), "newer template versions are available for services/core") {
		t.Fatalf("check exited %d:\n%s", code, out)
	}
	f, out = testFactory(env)
	f.Builtins = next
	if code := Run(ctx, f, []string{"update", filepath.Join(dir, "services", "core")}); code != 0 {
		t.Fatalf("update exited %d:\n%s", code, out)
	}
	changed, err := project.Uncommitted(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(changed) == 0 {
		t.Fatalf("the update changed nothing:\n%s", out)
	}
	for _, p := range changed {
		if !strings.HasPrefix(p, "services/core/") {
			t.Errorf("the update of services/core changed %s", p)
		}
	}
}

// In a terminal, a workspace asks each part's name and its template's
// own questions (not the ones the workspace answers), and the command
// printed to do the same without prompts makes the same workspace.
func TestNewWorkspaceAtThePrompt(t *testing.T) {
	f, _ := testFactory(map[string]string{"HOME": t.TempDir()})
	streams, stdout, stderr := testIO()
	ask, script := scriptedPrompter(t, map[string]any{
		"accept": true, "part_api": "gateway", "part_service": "core",
		"compose": true, "ci": false, "license": "none",
		"package_name": "gateway", "module": "example.com/acme/core", "realtime": false, "database": "none", "install": false,
	})
	target := filepath.Join(t.TempDir(), "ws")
	opts := &newOptions{IO: streams, Config: f.Config, Now: f.Now, Getenv: f.Getenv, Version: f.Version, Prompter: ask,
		Target: target, Goals: []string{"startup", "performance"}, NoGit: true}
	if err := newRun(context.Background(), opts); err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	// ci and license are the root template's own questions, asked once;
	// the parts get the root's answers.
	for _, q := range wiringKeys {
		want := 0
		if q == "ci" || q == "license" {
			want = 1
		}
		if n := len(slices.DeleteFunc(slices.Clone(script.asked), func(a string) bool { return a != q })); n != want {
			t.Errorf("%s asked %d times, want %d: the workspace answers it for its parts (asked: %q)", q, n, want, script.asked)
		}
	}
	if want := []string{"apps/gateway/package.json", "services/core/go.mod"}; !exist(target, want) {
		t.Fatalf("the parts are not at %v:\n%s", want, stdout)
	}
	if data, _ := os.ReadFile(filepath.Join(target, "services", "core", "go.mod")); !bytes.HasPrefix(data, []byte("module example.com/acme/core\n")) {
		t.Errorf("core's go.mod: %s", data)
	}
	_, repeat, ok := strings.Cut(stderr.String(), "To do the same without prompts:\n  ")
	if !ok {
		t.Fatalf("no command to repeat the run:\n%s", stderr)
	}
	repeat = strings.TrimSpace(repeat)
	for _, want := range []string{"--template workspace/polyglot", "--goal startup,performance", "--part api=gateway", "--part service=core",
		"--set core.module=example.com/acme/core", "--set gateway.package_name=gateway", "--set license=none", "--yes"} {
		if !strings.Contains(repeat, want) {
			t.Errorf("the repeat command lacks %q: %s", want, repeat)
		}
	}
	if strings.Contains(repeat, "core.workspace") || strings.Contains(repeat, "core.downstream") {
		t.Errorf("the repeat command answers what the workspace answers: %s", repeat)
	}
	// Run as printed, it makes the same files.
	again := filepath.Join(t.TempDir(), "ws")
	f2, out := testFactory(map[string]string{"HOME": t.TempDir()})
	args := strings.Fields(strings.Replace(repeat, target, again, 1))[1:]
	if code := Run(context.Background(), f2, append(args, "--no-install")); code != 0 {
		t.Fatalf("%v exited %d:\n%s", args, code, out)
	}
	for _, p := range []string{"Makefile", "apps/gateway/package.json", "services/core/go.mod", "services/core/.scaffold-answers.yaml"} {
		a, _ := os.ReadFile(filepath.Join(target, p))
		b, _ := os.ReadFile(filepath.Join(again, p))
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs when made again:\n%s\n---\n%s", p, a, b)
		}
	}
}

func exist(dir string, paths []string) bool {
	for _, p := range paths {
		if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
			return false
		}
	}
	return true
}

// newTestWorkspace makes a workspace of the default parts, committed,
// and returns it with the environment the commands run in.
func newTestWorkspace(t *testing.T) (string, map[string]string) {
	t.Helper()
	env := map[string]string{"HOME": t.TempDir(), "GIT_CONFIG_NOSYSTEM": "1"}
	dir := filepath.Join(t.TempDir(), "ws")
	f, out := testFactory(env)
	if code := Run(context.Background(), f, []string{"new", dir, "--polyglot", "--yes", "--no-install"}); code != 0 {
		t.Fatalf("new exited %d:\n%s", code, out)
	}
	return dir, env
}
