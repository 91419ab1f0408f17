package project

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
)

// Every folder is a valid ref of its own: what git refuses is escaped,
// and two folders never share one.
func TestRefPathIsAValidRefOfItsOwn(t *testing.T) {
	seen := map[string]string{}
	for _, rel := range []string{
		"services/api", "a b/c", "a%20b/c", "x.lock", "x%2Elock", ".hidden", "a..b", "end.", "tilde~/caret^/colon:/q?/star*/[b]/back\\slash",
		"ünï/cödé", "ctl\x01", "a.b/c.d", "@{x}", "@",
	} {
		got := refPath(rel)
		if err := plumbing.ReferenceName(PartsRef + got).Validate(); err != nil {
			t.Errorf("refPath(%q) = %q, not a valid ref: %v", rel, got, err)
		}
		if other, ok := seen[got]; ok {
			t.Errorf("%q and %q share the ref %q", rel, other, got)
		}
		seen[got] = rel
	}
	if got := refPath("services/api.v2"); got != "services/api.v2" {
		t.Errorf("a plain folder is spelled %q, want it as it is", got)
	}
}

func TestFindHome(t *testing.T) {
	dir := t.TempDir()
	if _, err := FindHome(filepath.Join(dir, "a", "b")); err != ErrNoRepository {
		t.Fatalf("outside any repository: %v, want ErrNoRepository", err)
	}
	if _, err := git.PlainInit(dir, false); err != nil {
		t.Fatal(err)
	}
	h, err := FindHome(filepath.Join(dir, "services", "api"))
	if err != nil || h.Own() || h.Rel != "services/api" || h.BaseRef() != "refs/scaffold/parts/services/api" {
		t.Fatalf("a folder yet to be made: %+v, %v", h, err)
	}
	if real, _ := filepath.EvalSymlinks(dir); h.Root != real {
		t.Errorf("root %q, want %q", h.Root, real)
	}
	h, err = FindHome(dir)
	if err != nil || !h.Own() || h.BaseRef() != BaseRef {
		t.Fatalf("the repository itself: %+v, %v", h, err)
	}
	// A project with a repository of its own inside another is its own.
	inner := filepath.Join(dir, "tools", "own")
	if err := os.MkdirAll(inner, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := git.PlainInit(inner, false); err != nil {
		t.Fatal(err)
	}
	if h, err := FindHome(inner); err != nil || !h.Own() {
		t.Fatalf("a nested repository: %+v, %v", h, err)
	}
	if _, err := FindHome(filepath.Join(dir, ".git", "x")); err == nil {
		t.Fatal("a folder in .git was taken for a project's place")
	}
	// Through a link to the repository, the project is still placed in it.
	link := filepath.Join(t.TempDir(), "link")
	if err := os.Symlink(dir, link); err != nil {
		t.Fatal(err)
	}
	if h, err := FindHome(filepath.Join(link, "svc")); err != nil || h.Rel != "svc" {
		t.Fatalf("through a link: %+v, %v", h, err)
	}
}
