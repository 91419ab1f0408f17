package source

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/scaffold-cli/scaffold/internal/tree"
	"github.com/scaffold-cli/scaffold/templates"
)

// Open is OpenWith without a cache: built-ins and folders only.
func Open(ref string) (*Opened, error) { return OpenWith(context.Background(), ref, Options{}) }

func TestOpenBuiltinAndDir(t *testing.T) {
	op, err := Open("go/chi")
	if err != nil {
		t.Fatal(err)
	}
	if op.Kind != Builtin || op.Ref != "go/chi" || op.Commit != "" || !strings.HasPrefix(op.Digest, "sha256:") {
		t.Errorf("go/chi opened as %+v", op)
	}

	ref, _ := copyBuiltin(t, "go/chi")
	op, err = Open(ref)
	if err != nil {
		t.Fatal(err)
	}
	if op.Kind != Dir || op.Ref != ref || op.Template.Manifest.Name == "" {
		t.Errorf("%s opened as %+v", ref, op)
	}
	// A path wins over a built-in name.
	t.Chdir(t.TempDir())
	if _, err := Open("./go/chi"); err == nil || !strings.Contains(err.Error(), `unknown template "./go/chi"`) {
		t.Errorf("Open(./go/chi) with no such folder: %v", err)
	}
	if _, err := Open("nope/nope"); err == nil || !strings.Contains(err.Error(), `unknown template "nope/nope": use a built-in (go/chi`) {
		t.Errorf("Open(nope/nope): %v", err)
	}
	// Without a cache folder there is no git; OpenWith says what it lacks.
	if _, err := OpenWith(context.Background(), "https://host/org/t.git", Options{}); err == nil || !strings.Contains(err.Error(), "need a cache folder") {
		t.Errorf("OpenWith of a git URL without a cache: %v", err)
	}
}

// copyBuiltin writes the embedded templates into a folder, and gives
// the reference of the built-in name there, ROOT//NAME (its layers are
// beside it), and its folder.
func copyBuiltin(t *testing.T, name string) (ref, dir string) {
	t.Helper()
	root := filepath.Join(t.TempDir(), "tpl")
	if err := os.CopyFS(root, templates.FS); err != nil {
		t.Fatal(err)
	}
	return root + "//" + name, filepath.Join(root, filepath.FromSlash(name))
}

func TestDigest(t *testing.T) {
	builtin, err := Open("go/chi")
	if err != nil {
		t.Fatal(err)
	}
	again, _ := Open("go/chi")
	if builtin.Digest != again.Digest {
		t.Errorf("built-in digest changed between opens: %s, %s", builtin.Digest, again.Digest)
	}
	// The same files in a folder have the same digest: modes are git's,
	// not the file system's (os.CopyFS writes 0644, embed says 0444).
	ref, dir := copyBuiltin(t, "go/chi")
	digest := func() string {
		t.Helper()
		op, err := Open(ref)
		if err != nil {
			t.Fatal(err)
		}
		return op.Digest
	}
	d0 := digest()
	if d0 != builtin.Digest {
		t.Errorf("folder copy digest %s, built-in %s", d0, builtin.Digest)
	}

	file := filepath.Join(dir, "README.md.tmpl")
	body, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	// Each step leaves the folder either as it was (same digest as at
	// first) or changed (a digest of its own).
	steps := []struct {
		name string
		do   func() error
		same bool
	}{
		{"rewrite the same bytes", func() error { return os.WriteFile(file, body, 0o644) }, true},
		{"add an empty folder", func() error { return os.Mkdir(filepath.Join(dir, "empty"), 0o755) }, true},
		{"add a .git folder", func() error {
			os.MkdirAll(filepath.Join(dir, ".git", "objects"), 0o755)
			return os.WriteFile(filepath.Join(dir, ".git", "HEAD"), []byte("ref: refs/heads/main\n"), 0o644)
		}, true},
		{"change a byte", func() error { return os.WriteFile(file, append(body, ' '), 0o644) }, false},
		{"restore it", func() error { return os.WriteFile(file, body, 0o644) }, true},
		{"make it executable", func() error { return os.Chmod(file, 0o755) }, false},
		{"make it group-writable only", func() error { return os.Chmod(file, 0o664) }, true},
		{"rename it", func() error { return os.Rename(file, file+"x") }, false},
		{"rename it back", func() error { return os.Rename(file+"x", file) }, true},
		{"add a link", func() error { return os.Symlink("README.md.tmpl", filepath.Join(dir, "link")) }, false},
	}
	seen := map[string]string{d0: "the original"}
	for _, s := range steps {
		if err := s.do(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		d := digest()
		switch {
		case s.same && d != d0:
			t.Errorf("%s: digest %s, want the original %s", s.name, d, d0)
		case !s.same && seen[d] != "":
			t.Errorf("%s: digest %s is the same as after %s", s.name, d, seen[d])
		}
		if !s.same {
			seen[d] = s.name
		}
	}
}

func TestGitDigestMatchesFolder(t *testing.T) {
	fx := newFixture(t)
	srv := fx.serve(t, "")
	o := newOpener(t)
	op := o.mustOpen(srv.url + "//svc@v2")
	files, err := tree.ReadDir(filepath.Join(fx.work, "svc"), tree.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	want := files.Digest()
	if op.Digest != want {
		t.Errorf("git checkout digest %s, folder %s", op.Digest, want)
	}
	if v1 := o.mustOpen(srv.url + "//svc@v1"); v1.Digest == op.Digest {
		t.Errorf("v1 and v2 differ but have the same digest")
	}
}

func TestDefaultCacheDir(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"XDG_CACHE_HOME": "/x/cache", "HOME": "/home/u"}, "/x/cache/scaffold/templates"},
		{map[string]string{"XDG_CACHE_HOME": "relative", "HOME": "/home/u"}, "/home/u/.cache/scaffold/templates"},
		{map[string]string{"HOME": "/home/u"}, "/home/u/.cache/scaffold/templates"},
		{map[string]string{}, ""},
	}
	if runtime.GOOS == "windows" {
		// Absolute paths have a drive there, and LocalAppData is the
		// per-user cache when XDG_CACHE_HOME is not set.
		tests = []struct {
			env  map[string]string
			want string
		}{
			{map[string]string{"XDG_CACHE_HOME": `C:\x\cache`, "LOCALAPPDATA": `C:\Users\u\AppData\Local`}, `C:/x/cache/scaffold/templates`},
			{map[string]string{"XDG_CACHE_HOME": "relative", "LOCALAPPDATA": `C:\Users\u\AppData\Local`}, `C:/Users/u/AppData/Local/scaffold/templates`},
			{map[string]string{"HOME": `C:\Users\u`}, `C:/Users/u/.cache/scaffold/templates`},
			{map[string]string{}, ""},
		}
	}
	for _, tt := range tests {
		got, err := DefaultCacheDir(func(k string) string { return tt.env[k] })
		if got != filepath.FromSlash(tt.want) || (err != nil) != (tt.want == "") {
			t.Errorf("DefaultCacheDir(%v) = %q, %v; want %q", tt.env, got, err, tt.want)
		}
	}
}
