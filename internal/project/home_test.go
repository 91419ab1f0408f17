package project

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"

	"github.com/scaffold-cli/scaffold/internal/template"
)

// Every folder is a valid ref of its own: what git refuses is escaped,
// and two folders never share one.
func TestRefPathIsAValidRefOfItsOwn(t *testing.T) {
	seen := map[string]string{}
	for _, rel := range []string{
		"services/api", "a b/c", "a%20b/c", "x.lock", "x%2Elock", ".hidden", "a..b", "end.", "tilde~/caret^/colon:/q?/star*/[b]/back\\slash",
		"ünï/cödé", "ctl\x01", "a.b/c.d", "@{x}", "@", "ws", "ws/api", "a./b", "a/.b", "a%2Fb",
	} {
		got := refPath(rel)
		if err := plumbing.ReferenceName(PartsRef + got).Validate(); err != nil {
			t.Errorf("refPath(%q) = %q, not a valid ref: %v", rel, got, err)
		}
		if strings.Contains(got, "/") {
			t.Errorf("refPath(%q) = %q, more than one component: it would be the folder of another's", rel, got)
		}
		if other, ok := seen[got]; ok {
			t.Errorf("%q and %q share the ref %q", rel, other, got)
		}
		seen[got] = rel
	}
	if got := refPath("services/api.v2"); got != "services%2Fapi.v2" {
		t.Errorf("a plain folder is spelled %q, want services%%2Fapi.v2", got)
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
	if err != nil || h.Own() || h.Rel != "services/api" || h.BaseRef() != "refs/scaffold/parts/services%2Fapi" {
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

// A project may lie in the folder of another (the parts of a workspace
// that is itself a folder of a monorepo): each keeps a base of its own,
// whichever was made first. A ref cannot be both a name and a folder of
// names, so one folder's ref must never be a prefix of another's.
func TestNestedProjectsKeepABaseEach(t *testing.T) {
	for _, order := range [][]string{{"ws", "ws/api"}, {"x/api", "x"}} {
		dir := t.TempDir()
		if _, err := git.PlainInit(dir, false); err != nil {
			t.Fatal(err)
		}
		for _, rel := range order {
			p := filepath.Join(dir, filepath.FromSlash(rel))
			if err := os.MkdirAll(p, 0o755); err != nil {
				t.Fatal(err)
			}
			files := []template.File{{Path: "who.txt", Data: []byte(rel), Mode: 0o644}}
			if _, err := WriteBase(p, files, GitSettings{}, time.Unix(0, 0), "base"); err != nil {
				t.Fatalf("%v: writing the base of %s: %v", order, rel, err)
			}
		}
		for _, rel := range order {
			got, _, err := ReadBase(filepath.Join(dir, filepath.FromSlash(rel)))
			if err != nil || len(got) != 1 || string(got[0].Data) != rel {
				t.Errorf("%v: the base of %s: %+v, %v", order, rel, got, err)
			}
		}
	}
}

// A repository someone else made above the target (a .git planted in
// /tmp) is not the project's home: its objects, refs and config are
// theirs, and the project's render would go into them. git itself
// refuses such a repository (safe.directory); so does FindHome.
func TestFindHomeRefusesAnotherUsersRepository(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("making a repository owned by another user needs root")
	}
	const other = 54321
	for _, owned := range []string{".git", "."} {
		dir := t.TempDir()
		if _, err := git.PlainInit(dir, false); err != nil {
			t.Fatal(err)
		}
		if err := os.Lchown(filepath.Join(dir, owned), other, other); err != nil {
			t.Fatal(err)
		}
		_, err := FindHome(filepath.Join(dir, "app"))
		if err == nil || errors.Is(err, ErrNoRepository) || !strings.Contains(err.Error(), "belongs to another user") {
			t.Errorf("%s owned by uid %d: %v, want a refusal", owned, other, err)
		}
		if _, _, err := ReadBase(filepath.Join(dir, "app")); err == nil || errors.Is(err, ErrNoBase) {
			t.Errorf("%s owned by uid %d: ReadBase read it: %v", owned, other, err)
		}
	}
}

// A target reached through a link chain that leaves the repository (into
// another one, here) is refused, and the refusal says where the links
// lead: "cannot place X in the repository at Y" alone does not tell why.
func TestFindHomeLinkOutOfTheRepositorySaysWhere(t *testing.T) {
	base := t.TempDir()
	mono, other := filepath.Join(base, "mono"), filepath.Join(base, "other")
	for _, d := range []string{mono, other} {
		if _, err := git.PlainInit(d, false); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(other, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(other, "sub"), filepath.Join(mono, "l1")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("l1", filepath.Join(mono, "l2")); err != nil {
		t.Fatal(err)
	}
	_, err := FindHome(filepath.Join(mono, "l2", "svc"))
	real, _ := filepath.EvalSymlinks(filepath.Join(other, "sub", "svc"))
	if real == "" {
		real, _ = filepath.EvalSymlinks(filepath.Join(other, "sub"))
		real = filepath.Join(real, "svc")
	}
	if err == nil || !strings.Contains(err.Error(), real) || !strings.Contains(err.Error(), "symbolic link") {
		t.Errorf("FindHome through links out of the repository: %v, want a refusal naming %s", err, real)
	}
}
