package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/scaffold-cli/scaffold/internal/project"
)

// The root files of a workspace update as any project does, rendered
// over its parts: the template's change arrives, the user's edit stays,
// and no part's file is touched.
func TestUpdateWorkspaceRootFiles(t *testing.T) {
	env := map[string]string{"HOME": t.TempDir(), "GIT_CONFIG_NOSYSTEM": "1"}
	dir := filepath.Join(t.TempDir(), "ws")
	ctx := context.Background()
	f, out := testFactory(env)
	if code := Run(ctx, f, []string{"new", dir, "--polyglot", "--yes", "--no-install"}); code != 0 {
		t.Fatalf("new exited %d:\n%s", code, out)
	}
	makefile := filepath.Join(dir, "Makefile")
	mine, err := os.ReadFile(makefile)
	if err != nil {
		t.Fatal(err)
	}
	mine = append(mine, []byte("\nhello: ## ours\n\t@echo hi\n")...)
	if err := os.WriteFile(makefile, mine, 0o644); err != nil {
		t.Fatal(err)
	}
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
	env := map[string]string{"HOME": t.TempDir(), "GIT_CONFIG_NOSYSTEM": "1"}
	dir := filepath.Join(t.TempDir(), "ws")
	ctx := context.Background()
	f, out := testFactory(env)
	if code := Run(ctx, f, []string{"new", dir, "--polyglot", "--yes", "--no-install"}); code != 0 {
		t.Fatalf("new exited %d:\n%s", code, out)
	}
	next := nextBuiltins(t) // go/chi moved on
	f, out = testFactory(env)
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
