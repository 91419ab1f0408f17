package project

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/scaffold-cli/scaffold/internal/template"
)

// firstCommitPaths lists the paths of dir's first commit.
func firstCommitPaths(t *testing.T, dir string) []string {
	t.Helper()
	repo, err := git.PlainOpen(dir)
	if err != nil {
		t.Fatal(err)
	}
	head, err := repo.Head()
	if err != nil {
		t.Fatal(err)
	}
	commit, err := repo.CommitObject(head.Hash())
	if err != nil {
		t.Fatal(err)
	}
	files, err := commit.Files()
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	files.ForEach(func(f *object.File) error { paths = append(paths, f.Name); return nil })
	slices.Sort(paths)
	return paths
}

func installCreate(ctx context.Context, t *testing.T, script string) (string, *Created, string, error) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "app")
	files := []template.File{
		{Path: "README.md", Data: []byte("# app\n"), Mode: 0o644},
		{Path: "src/main.js", Data: []byte("1\n"), Mode: 0o644},
		// The template ignores nothing the install writes.
		{Path: ".gitignore", Data: []byte("*.log\n"), Mode: 0o644},
	}
	var out bytes.Buffer
	c, err := Create(ctx, dir, CreateOptions{
		Files: files, Base: files,
		Git:    &GitSettings{Identity: Identity{"T", "t@example.com"}, Branch: "main"},
		Source: "test/tpl", Now: func() time.Time { return time.Unix(1e9, 0) },
		Install: &Install{Args: []string{"/bin/sh", "-c", script}, Env: []string{"PATH=" + os.Getenv("PATH")}, Lock: "deps.lock", Output: &out},
	})
	return dir, c, out.String(), err
}

// The first commit holds the rendered files and the lock file the
// install wrote, and nothing else it left, ignored or not.
func TestCreateCommitsTheLockFile(t *testing.T) {
	dir, c, out, err := installCreate(context.Background(), t, "echo pinned > deps.lock && mkdir -p deps/x && echo x > deps/x/index.js && echo noise > install.log && echo resolved")
	if err != nil {
		t.Fatal(err)
	}
	if !c.Installed || c.Commit == "" {
		t.Errorf("created %+v", c)
	}
	if want := []string{".gitignore", "README.md", "deps.lock", "src/main.js"}; !slices.Equal(firstCommitPaths(t, dir), want) {
		t.Errorf("first commit holds %v, want %v", firstCommitPaths(t, dir), want)
	}
	if !strings.Contains(out, "installing dependencies: /bin/sh -c") || !strings.Contains(out, "resolved") {
		t.Errorf("install output %q", out)
	}
	if _, err := os.Stat(filepath.Join(dir, "deps", "x", "index.js")); err != nil {
		t.Errorf("the installed dependencies are gone: %v", err)
	}
}

// A failed install leaves the project, committed without the lock file
// it half wrote, and an error that says what to run.
func TestCreateKeepsTheProjectWhenTheInstallFails(t *testing.T) {
	dir, c, _, err := installCreate(context.Background(), t, "echo half > deps.lock; echo 'registry unreachable' >&2; exit 3")
	var ie *InstallError
	if !errors.As(err, &ie) || c == nil || c.Installed || c.Commit == "" {
		t.Fatalf("created %+v, %v", c, err)
	}
	for _, want := range []string{"exit status 3", "registry unreachable", "the project is in place without them", "then commit deps.lock"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	if strings.Contains(err.Error(), TempPrefix) {
		t.Errorf("error names the temporary folder: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "deps.lock")); err == nil {
		t.Error("the half-written lock file is still there")
	}
	if want := []string{".gitignore", "README.md", "src/main.js"}; !slices.Equal(firstCommitPaths(t, dir), want) {
		t.Errorf("first commit holds %v, want %v", firstCommitPaths(t, dir), want)
	}
}

// An install that writes no lock file did not fail: a Go module with no
// dependencies has no go.sum, npm writes none with package-lock=false.
// There is just no lock file to commit.
func TestCreateWithoutALockFile(t *testing.T) {
	dir, c, _, err := installCreate(context.Background(), t, "true")
	if err != nil || !c.Installed || !c.NoLock || c.LockCommitted {
		t.Fatalf("created %+v, %v", c, err)
	}
	if want := []string{".gitignore", "README.md", "src/main.js"}; !slices.Equal(firstCommitPaths(t, dir), want) {
		t.Errorf("first commit holds %v, want %v", firstCommitPaths(t, dir), want)
	}
}

// Interrupted, the install is stopped and nothing is created.
func TestCreateInterruptedDuringTheInstall(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	parent := t.TempDir()
	dir := filepath.Join(parent, "app")
	marker := filepath.Join(parent, "started")
	go func() {
		for {
			if _, err := os.Stat(marker); err == nil {
				cancel()
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
	}()
	files := []template.File{{Path: "README.md", Data: []byte("# app\n"), Mode: 0o644}}
	c, err := Create(ctx, dir, CreateOptions{
		Files: files, Base: files, Now: time.Now,
		Install: &Install{Args: []string{"/bin/sh", "-c", "touch " + marker + " && sleep 60"}, Env: []string{"PATH=" + os.Getenv("PATH")}, Lock: "deps.lock", Output: &bytes.Buffer{}},
	})
	if c != nil || !errors.Is(err, context.Canceled) {
		t.Fatalf("created %+v, %v", c, err)
	}
	entries, _ := os.ReadDir(parent)
	for _, e := range entries {
		if e.Name() != "started" {
			t.Errorf("%s is left in the parent folder", e.Name())
		}
	}
}

// The install sees none of scaffold's own variables.
func TestInstallEnv(t *testing.T) {
	got := InstallEnv([]string{"PATH=/bin", "SCAFFOLD_GIT_TOKEN=s3cret", "NPM_TOKEN=mine", "SCAFFOLD_CONFIG=x"})
	if want := []string{"PATH=/bin", "NPM_TOKEN=mine"}; !slices.Equal(got, want) {
		t.Errorf("InstallEnv = %v, want %v", got, want)
	}
}

// The hooks' commit holds what the hooks changed, not what the install
// left behind: nothing the install wrote but the lock file is committed,
// with hooks or without.
func TestCreateHooksCommitLeavesTheInstallOut(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "app")
	files := []template.File{{Path: "README.md", Data: []byte("# app\n"), Mode: 0o644}}
	c, err := Create(context.Background(), dir, CreateOptions{
		Files: files, Base: files,
		Git:    &GitSettings{Identity: Identity{"T", "t@example.com"}, Branch: "main"},
		Source: "test/tpl", Now: func() time.Time { return time.Unix(1e9, 0) },
		Install: &Install{Args: []string{"/bin/sh", "-c", "echo pinned > deps.lock && mkdir -p deps/x && echo x > deps/x/index.js && env > install-env.txt"},
			Env: []string{"PATH=" + os.Getenv("PATH"), "NPM_TOKEN=s3cret"}, Lock: "deps.lock", Output: &bytes.Buffer{}},
		Hooks: []string{"echo hooked > hooked.txt"}, Name: "app",
		Getenv: func(string) string { return "" }, HookOutput: &bytes.Buffer{},
	})
	if err != nil || c.HooksCommit == "" {
		t.Fatalf("created %+v, %v", c, err)
	}
	// HEAD is the hooks' commit.
	if want := []string{"README.md", "deps.lock", "hooked.txt"}; !slices.Equal(firstCommitPaths(t, dir), want) {
		t.Errorf("after the hooks' commit git holds %v, want %v", firstCommitPaths(t, dir), want)
	}
}

// A lock file is a file: a link (out of the project, say) or a folder
// the install left in its place is not committed, and the install failed.
func TestCreateWantsTheLockFileAFile(t *testing.T) {
	for _, script := range []string{"ln -s /etc/passwd deps.lock", "mkdir deps.lock && echo x > deps.lock/x"} {
		dir, c, _, err := installCreate(context.Background(), t, script)
		if err == nil || !strings.Contains(err.Error(), "the deps.lock it left is not a file") || c == nil || c.Installed {
			t.Errorf("%s: created %+v, %v", script, c, err)
			continue
		}
		if want := []string{".gitignore", "README.md", "src/main.js"}; !slices.Equal(firstCommitPaths(t, dir), want) {
			t.Errorf("%s: first commit holds %v, want %v", script, firstCommitPaths(t, dir), want)
		}
	}
}

// A .git the install left (a hook planted in it, a history to sit the
// first commit on) is not taken for the project's repository: there is
// no commit, the error says why, and the .git is gone.
func TestCreateRefusesTheInstallsGit(t *testing.T) {
	dir, c, _, err := installCreate(context.Background(), t, "echo pinned > deps.lock && mkdir -p .git/hooks && echo planted > .git/hooks/pre-commit")
	if err == nil || !strings.Contains(err.Error(), "the install left a .git") || c == nil || c.Commit != "" {
		t.Fatalf("created %+v, %v", c, err)
	}
	if _, err := os.Lstat(filepath.Join(dir, ".git")); err == nil {
		t.Error("the install's .git is still there")
	}
}

// In another repository too: a .git the install left would make the
// folder a repository of its own, nested in the user's, with whatever
// hooks and config the install put in it; the base would go into it,
// and git add in the user's repository would take the folder for a
// submodule. It is removed, the error says why, and nothing is recorded
// in either repository.
func TestCreateInARepositoryRefusesTheInstallsGit(t *testing.T) {
	root := t.TempDir()
	if _, err := git.PlainInit(root, false); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(root, "app")
	files := []template.File{{Path: "README.md", Data: []byte("# app\n"), Mode: 0o644}}
	script := "echo pinned > deps.lock && mkdir -p .git/objects .git/refs/heads .git/hooks && echo 'ref: refs/heads/main' > .git/HEAD && echo planted > .git/hooks/pre-commit"
	c, err := Create(context.Background(), dir, CreateOptions{
		Files: files, Base: files, InRepo: true,
		Git:    &GitSettings{Identity: Identity{"T", "t@example.com"}, Branch: "main"},
		Source: "test/tpl", Now: func() time.Time { return time.Unix(1e9, 0) },
		Install: &Install{Args: []string{"/bin/sh", "-c", script}, Env: []string{"PATH=" + os.Getenv("PATH")}, Lock: "deps.lock", Output: &bytes.Buffer{}},
	})
	if err == nil || !strings.Contains(err.Error(), "the install left a .git") || c == nil || c.BaseRef != "" {
		t.Fatalf("created %+v, %v", c, err)
	}
	if _, err := os.Lstat(filepath.Join(dir, ".git")); err == nil {
		t.Error("the install's .git is still there")
	}
	if h, err := FindHome(dir); err != nil || h.Own() {
		t.Errorf("the project's home is %+v, %v; want the repository around it", h, err)
	}
}

// A workspace: each part installs in its own folder, its lock file goes
// into the one first commit under that folder, and its pristine render
// under its own ref, while a .git a part's install leaves is removed
// and said, without losing the commit.
func TestCreateWorkspaceInstallsEachPart(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ws")
	root := []template.File{{Path: "Makefile", Data: []byte("all:\n"), Mode: 0o644}}
	api := []template.File{{Path: "package.json", Data: []byte("{}\n"), Mode: 0o644}}
	core := []template.File{{Path: "go.mod", Data: []byte("module core\n"), Mode: 0o644}}
	var files []template.File
	files = append(files, root...)
	files = append(files, template.File{Path: "apps/api/package.json", Data: api[0].Data, Mode: 0o644})
	files = append(files, template.File{Path: "services/core/go.mod", Data: core[0].Data, Mode: 0o644})
	install := func(script string) *Install {
		return &Install{Args: []string{"/bin/sh", "-c", script}, Env: []string{"PATH=" + os.Getenv("PATH")}, Lock: "deps.lock", Output: &bytes.Buffer{}}
	}
	c, err := Create(context.Background(), dir, CreateOptions{
		Files: files, Base: root,
		Git:    &GitSettings{Identity: Identity{"T", "t@example.com"}, Branch: "main"},
		Source: "ws/tpl", Now: func() time.Time { return time.Unix(1e9, 0) },
		Parts: []Part{
			{Path: "apps/api", Base: api, Source: "node/x", Install: install("pwd > deps.lock")},
			{Path: "services/core", Base: core, Source: "go/x", Install: install("pwd > deps.lock && mkdir -p .git/hooks")},
		},
	})
	if err == nil || !strings.Contains(err.Error(), "the install left a .git in services/core") || c == nil || c.Commit == "" {
		t.Fatalf("created %+v, %v", c, err)
	}
	if want := []string{"Makefile", "apps/api/deps.lock", "apps/api/package.json", "services/core/deps.lock", "services/core/go.mod"}; !slices.Equal(firstCommitPaths(t, dir), want) {
		t.Errorf("first commit holds %v, want %v", firstCommitPaths(t, dir), want)
	}
	if data, err := os.ReadFile(filepath.Join(dir, "apps", "api", "deps.lock")); err != nil || !strings.HasSuffix(strings.TrimSpace(string(data)), filepath.Join("apps", "api")) {
		t.Errorf("the api part's install ran in %q (%v), want its folder", data, err)
	}
	if _, err := os.Lstat(filepath.Join(dir, "services", "core", ".git")); err == nil {
		t.Error("the core part's install left its .git")
	}
	for dir, want := range map[string]string{dir: "Makefile", filepath.Join(dir, "apps", "api"): "package.json", filepath.Join(dir, "services", "core"): "go.mod"} {
		base, _, err := ReadBase(dir)
		if err != nil || len(base) != 1 || base[0].Path != want {
			t.Errorf("base of %s: %v, %v; want %s alone", dir, base, err, want)
		}
	}
}

// One part's failed install is that part's alone: the part whose
// install ran is said to be installed, its lock file committed, and the
// failed one is named.
func TestCreateWorkspaceOnePartsInstallFails(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ws")
	root := []template.File{{Path: "Makefile", Data: []byte("all:\n"), Mode: 0o644}}
	files := append(slices.Clone(root),
		template.File{Path: "apps/api/package.json", Data: []byte("{}\n"), Mode: 0o644},
		template.File{Path: "services/core/go.mod", Data: []byte("module core\n"), Mode: 0o644})
	install := func(script string) *Install {
		return &Install{Args: []string{"/bin/sh", "-c", script}, Env: []string{"PATH=" + os.Getenv("PATH")}, Lock: "deps.lock", Output: &bytes.Buffer{}}
	}
	c, err := Create(context.Background(), dir, CreateOptions{
		Files: files, Base: root,
		Git:    &GitSettings{Identity: Identity{"T", "t@example.com"}, Branch: "main"},
		Source: "ws/tpl", Now: func() time.Time { return time.Unix(1e9, 0) },
		Parts: []Part{
			{Path: "apps/api", Source: "node/x", Install: install("exit 1")},
			{Path: "services/core", Source: "go/x", Install: install("pwd > deps.lock")},
		},
	})
	if c == nil || c.Commit == "" || err == nil || !strings.Contains(err.Error(), "apps/api/deps.lock") {
		t.Fatalf("created %+v, %v", c, err)
	}
	if c.Installed {
		t.Error("Installed is set, though one part's install failed")
	}
	if want := []string{"services/core"}; !slices.Equal(c.InstalledParts, want) {
		t.Errorf("InstalledParts = %v, want %v", c.InstalledParts, want)
	}
	if got := firstCommitPaths(t, dir); !slices.Contains(got, "services/core/deps.lock") {
		t.Errorf("first commit holds %v, without the core part's lock file", got)
	}
}
