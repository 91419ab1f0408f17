package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeTemplate writes a folder template from a map of file names to
// contents.
func writeTemplate(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, data := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// A project made without git has no stored base: update renders the
// recorded version again, as the scaffold named in the record did, so a
// file that shows .Scaffold.Version is no conflict after an upgrade.
func TestUpdateWithoutGitRendersTheBaseAsTheRecordedScaffold(t *testing.T) {
	tpl := writeTemplate(t, map[string]string{
		"scaffold.yaml":    "name: versioned\nversion: 1.0.0\n",
		"VERSION.txt.tmpl": "made by scaffold {{ .Scaffold.Version }}\n",
		"goals.txt.tmpl":   "realtime: {{ has \"realtime\" .Goals }}\n",
	})
	env := map[string]string{"HOME": t.TempDir()}
	dir := filepath.Join(t.TempDir(), "app")
	ctx := context.Background()

	f, out := testFactory(env)
	f.Version = "v1.0.0"
	if code := Run(ctx, f, []string{"new", dir, "--template", tpl, "--goal", "realtime", "--yes", "--no-git"}); code != 0 {
		t.Fatalf("new exited %d:\n%s", code, out)
	}
	f, out = testFactory(env)
	f.Version = "v2.0.0"
	if code := Run(ctx, f, []string{"update", dir}); code != 0 {
		t.Fatalf("update by a newer scaffold exited %d:\n%s", code, out)
	}
	if strings.Contains(out.String(), "conflict") {
		t.Errorf("update reports a conflict:\n%s", out)
	}
	for name, want := range map[string]string{"VERSION.txt": "made by scaffold v2.0.0\n", "goals.txt": "realtime: true\n"} {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || string(got) != want {
			t.Errorf("%s = %q, %v; want %q", name, got, err, want)
		}
	}
}
