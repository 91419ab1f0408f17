package cli

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/scaffold-cli/scaffold/internal/project"
	"github.com/scaffold-cli/scaffold/internal/prompt"
	"github.com/scaffold-cli/scaffold/templates"
)

// testFactory runs commands with buffers, no terminal, a fixed clock and
// the given environment.
func testFactory(env map[string]string) (*Factory, *bytes.Buffer) {
	var out bytes.Buffer
	getenv := func(k string) string { return env[k] }
	return &Factory{
		IO:       &IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &out},
		Now:      func() time.Time { return time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC) },
		Getenv:   getenv,
		Environ:  func() []string { return nil },
		Version:  "test",
		Prompter: prompt.NoTerminal{},
	}, &out
}

// nextBuiltins plays a later scaffold whose go/chi template moved on: a
// new version number, a changed README line and a new file.
func nextBuiltins(t *testing.T) fs.FS {
	t.Helper()
	next := fstest.MapFS{}
	err := fs.WalkDir(templates.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(templates.FS, p)
		if err != nil {
			return err
		}
		next[p] = &fstest.MapFile{Data: data, Mode: 0o644}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	chi := func(name string) *fstest.MapFile { return next["go/chi/"+name] }
	chi("scaffold.yaml").Data = bytes.Replace(chi("scaffold.yaml").Data, []byte("version: 1.4.0"), []byte("version: 1.5.0"), 1)
	readme := chi("README.md.tmpl").Data
	first, rest, _ := bytes.Cut(readme, []byte("\n"))
	chi("README.md.tmpl").Data = append(append(append([]byte{}, first...), []byte(" (now with changelog)\n")...), rest...)
	next["go/chi/CHANGELOG.md"] = &fstest.MapFile{Data: []byte("# Changelog\n"), Mode: 0o644}
	return next
}

func TestUpdateBuiltinAcrossVersions(t *testing.T) {
	env := map[string]string{"HOME": t.TempDir(), "GIT_CONFIG_NOSYSTEM": "1"}
	dir := filepath.Join(t.TempDir(), "app")
	ctx := context.Background()

	f, out := testFactory(env)
	if code := Run(ctx, f, []string{"new", dir, "--stack", "go", "--yes"}); code != 0 {
		t.Fatalf("new exited %d:\n%s", code, out)
	}
	// The user's own edit at the end of the README, committed.
	readme := filepath.Join(dir, "README.md")
	before, err := os.ReadFile(readme)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(readme, append(before, []byte("\nOur team's notes.\n")...), 0o644); err != nil {
		t.Fatal(err)
	}
	gs := project.LoadGitSettings(f.Getenv)
	if _, err := project.CommitChanges(dir, gs, f.Now(), "notes"); err != nil {
		t.Fatal(err)
	}

	// The same binary finds nothing to do.
	f, out = testFactory(env)
	if code := Run(ctx, f, []string{"check", dir}); code != 0 {
		t.Fatalf("check with the same built-ins exited %d:\n%s", code, out)
	}

	next := nextBuiltins(t)
	f, out = testFactory(env)
	f.Builtins = next
	if code := Run(ctx, f, []string{"check", dir}); code != ExitUpdateAvailable {
		t.Fatalf("check with newer built-ins exited %d, want %d:\n%s", code, ExitUpdateAvailable, out)
	}
	if !strings.Contains(out.String(), "the newest is 1.5.0") || !strings.Contains(out.String(), "Drift: 1 file(s) changed since the template rendered them: README.md") {
		t.Errorf("check output:\n%s", out)
	}

	f, out = testFactory(env)
	f.Builtins = next
	if code := Run(ctx, f, []string{"update", dir}); code != 0 {
		t.Fatalf("update exited %d:\n%s", code, out)
	}
	for _, want := range []string{"from template 1.4.0 to 1.5.0", "added     CHANGELOG.md", "merged    README.md"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("update output lacks %q:\n%s", want, out)
		}
	}
	after, _ := os.ReadFile(readme)
	if !bytes.Contains(after, []byte("(now with changelog)")) || !bytes.HasSuffix(after, []byte("Our team's notes.\n")) {
		t.Errorf("README after the update:\n%s", after)
	}
	if _, err := os.Stat(filepath.Join(dir, "CHANGELOG.md")); err != nil {
		t.Error(err)
	}
	rec, err := project.ReadRecord(filepath.Join(dir, project.AnswersFile))
	if err != nil || rec.Template.Version != "1.5.0" || rec.Year != 2026 {
		t.Errorf("record after the update: %+v, %v", rec, err)
	}
	// The new pristine render is the base of the next update.
	base, _, err := project.ReadBase(dir)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, f := range base {
		found = found || f.Path == "CHANGELOG.md"
	}
	if !found {
		t.Error("refs/scaffold/base does not hold the new render")
	}
	f, out = testFactory(env)
	f.Builtins = next
	if code := Run(ctx, f, []string{"check", dir}); code != 0 || !strings.Contains(out.String(), "Up to date.") {
		t.Fatalf("check after the update exited %d:\n%s", code, out)
	}
	// The older scaffold has no update for it, only a downgrade.
	f, out = testFactory(env)
	if code := Run(ctx, f, []string{"check", dir}); code != 0 {
		t.Fatalf("check with older built-ins exited %d:\n%s", code, out)
	}
}

// Without git there is no stored base: the recorded version must be
// rendered again, which a built-in can do only while it is unchanged.
func TestUpdateWithoutGit(t *testing.T) {
	env := map[string]string{"HOME": t.TempDir()}
	dir := filepath.Join(t.TempDir(), "plain")
	ctx := context.Background()
	f, out := testFactory(env)
	if code := Run(ctx, f, []string{"new", dir, "--stack", "go", "--yes", "--no-git"}); code != 0 {
		t.Fatalf("new exited %d:\n%s", code, out)
	}
	f, out = testFactory(env)
	if code := Run(ctx, f, []string{"update", dir}); code != 0 || !strings.Contains(out.String(), "is up to date") {
		t.Fatalf("update with the same built-ins exited %d:\n%s", code, out)
	}
	f, out = testFactory(env)
	f.Builtins = nextBuiltins(t)
	code := Run(ctx, f, []string{"update", dir})
	if code != ExitUsage || !strings.Contains(out.String(), "cannot update: the project has no refs/scaffold/base") {
		t.Fatalf("update with newer built-ins exited %d:\n%s", code, out)
	}
	if _, err := os.Stat(filepath.Join(dir, "CHANGELOG.md")); err == nil {
		t.Error("a refused update wrote files")
	}
}
