package source

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/go-git/go-billy/v5/osfs"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/storage/filesystem"

	"github.com/scaffold-cli/scaffold/internal/tree"
)

// crafted is a bare repository whose trees are written with git's
// plumbing (hash-object, mktree, commit-tree), so a test can make what
// git add would refuse or what would be slow to check out: a huge file
// from a sparse one, a submodule, a .git entry, any mode.
type crafted struct {
	*fixture
}

func newCrafted(t testing.TB) *crafted {
	t.Helper()
	fx := newFixture(t)
	c := &crafted{fixture: fx}
	os.RemoveAll(fx.bare)
	fx.git(t, "", "init", "-q", "--bare", fx.bare)
	return c
}

func (c *crafted) run(t testing.TB, stdin string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = c.bare
	cmd.Env = append(c.env, "GIT_DIR="+c.bare)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// blob stores body and gives its hash.
func (c *crafted) blob(t testing.TB, body string) string {
	return c.run(t, body, "hash-object", "-w", "--stdin")
}

// zeros stores a blob of size zero bytes, from a sparse file.
func (c *crafted) zeros(t testing.TB, size int64) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "zeros")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
	f.Close()
	return c.run(t, "", "hash-object", "-w", p)
}

// mktree stores a tree of "mode type hash\tname" lines.
func (c *crafted) mktree(t testing.TB, lines ...string) string {
	return c.run(t, strings.Join(lines, "\n")+"\n", "mktree", "--missing")
}

// commit stores a commit of tree and points the tag at it.
func (c *crafted) commit(t testing.TB, treeHash, tag string) string {
	h := c.run(t, "", "commit-tree", treeHash, "-m", tag)
	c.run(t, "", "tag", "-f", tag, h)
	c.run(t, "", "update-ref", "refs/heads/main", h)
	return h
}

func (c *crafted) storage(t testing.TB) *filesystem.Storage {
	st := filesystem.NewStorage(osfs.New(c.bare), cache.NewObjectLRUDefault())
	t.Cleanup(func() { st.Close() })
	return st
}

const manifest = "name: crafted\nlanguage: go\n"

func TestGitTreeFromObjects(t *testing.T) {
	c := newCrafted(t)
	m := c.blob(t, manifest)
	small := c.blob(t, "hello\n")
	kib := c.blob(t, strings.Repeat("x", 1024))
	link := func(target string) string { return "120000 blob " + c.blob(t, target) + "\t" }
	file := "100644 blob " + m + "\tscaffold.yaml"
	sub := c.mktree(t, file, "100755 blob "+small+"\trun.sh")

	lim := tree.Limits{File: 2048, Total: 4096, Entries: 20}
	tests := []struct {
		name  string
		lines []string
		sub   string
		want  string // error text; empty for success
		check func(t *testing.T, files *tree.Tree, rooted bool, submodules []string)
	}{
		{name: "modes", lines: []string{file, "100755 blob " + small + "\trun.sh", "100664 blob " + small + "\told.txt", link("run.sh") + "alias", "040000 tree " + sub + "\tsvc"},
			check: func(t *testing.T, files *tree.Tree, rooted bool, _ []string) {
				want := map[string]fs.FileMode{"run.sh": 0o755, "old.txt": 0o644, "scaffold.yaml": 0o644, "alias": fs.ModeSymlink, "svc": fs.ModeDir, "svc/run.sh": 0o755}
				for p, mode := range want {
					if e, ok := files.Lookup(p); !ok || e.Mode != mode {
						t.Errorf("%s: %+v, want mode %v", p, e, mode)
					}
				}
				if data, err := files.ReadFile("alias"); err != nil || string(data) != "hello\n" {
					t.Errorf("alias reads %q, %v", data, err)
				}
			}},
		{name: "file over the limit", lines: []string{file, "100644 blob " + c.blob(t, strings.Repeat("x", 2049)) + "\tbig.bin"},
			want: "big.bin is larger than 2048 bytes (2049 bytes)"},
		{name: "files add up", lines: []string{file, "100644 blob " + kib + "\ta", "100644 blob " + kib + "\tb", "100644 blob " + kib + "\tc", "100644 blob " + kib + "\td"},
			want: "scaffold.yaml: the files add up to more than 4096 bytes"},
		{name: "too many entries", lines: func() []string {
			out := []string{file}
			for i := range 25 {
				out = append(out, fmt.Sprintf("100644 blob %s\tf%02d", small, i))
			}
			return out
		}(), want: "more than 20 files and folders"},
		{name: "link target too long", lines: []string{file, link(strings.Repeat("a/", 2100)) + "deep"}, want: "deep is larger than 4096 bytes"},
		{name: "link out of the tree", lines: []string{file, link("../../etc/passwd") + "out"}, want: `out is a link to "../../etc/passwd"`},
		{name: "absolute link", lines: []string{file, link("/etc/passwd") + "abs"}, want: "not a relative path"},
		{name: "nothing beneath a link", lines: []string{file, link("svc") + "l", "040000 tree " + c.mktree(t, "100644 blob "+small+"\tx") + "\tl"},
			want: "appears twice"},
		{name: "submodule left out", lines: []string{file, "160000 commit " + strings.Repeat("1", 40) + "\tlib"},
			check: func(t *testing.T, files *tree.Tree, _ bool, submodules []string) {
				if _, ok := files.Lookup("lib"); ok {
					t.Errorf("the submodule is in the tree")
				}
				if len(submodules) != 1 || submodules[0] != "lib" {
					t.Errorf("submodules = %q, want [lib]", submodules)
				}
			}},
		{name: ".git left out", lines: []string{file, "040000 tree " + c.mktree(t, "100644 blob "+small+"\tconfig") + "\t.git", "100644 blob " + small + "\tkeep"},
			check: func(t *testing.T, files *tree.Tree, _ bool, _ []string) {
				if _, ok := files.Lookup(".git"); ok {
					t.Errorf(".git is in the tree")
				}
				if _, ok := files.Lookup("keep"); !ok {
					t.Errorf("keep is missing")
				}
			}},
		{name: "subdir read alone", sub: "svc", lines: []string{file, "100644 blob " + c.blob(t, strings.Repeat("x", 4000)) + "\tbig-outside", "040000 tree " + sub + "\tsvc"},
			check: func(t *testing.T, files *tree.Tree, rooted bool, _ []string) {
				if !rooted {
					t.Errorf("svc was not read alone")
				}
				if _, ok := files.Lookup("run.sh"); !ok {
					t.Errorf("run.sh is missing from svc")
				}
			}},
		{name: "missing subdir reads nothing", sub: "nope", lines: []string{file, "100644 blob " + c.blob(t, strings.Repeat("x", 4000)) + "\tbig", "040000 tree " + sub + "\tsvc"},
			check: func(t *testing.T, files *tree.Tree, rooted bool, _ []string) {
				if rooted || len(files.Paths()) != 0 {
					t.Errorf("a missing folder gave %q, rooted %v; want nothing, for Sub to report", files.Paths(), rooted)
				}
			}},
		{name: "subdir through a link", sub: "alias", lines: []string{file, "040000 tree " + sub + "\tsvc", link("svc") + "alias"},
			check: func(t *testing.T, files *tree.Tree, rooted bool, _ []string) {
				if rooted {
					t.Errorf("a folder behind a link was read alone")
				}
				if _, ok := files.Lookup("svc/run.sh"); !ok {
					t.Errorf("the whole repository was not read")
				}
			}},
	}
	st := c.storage(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			commit := c.commit(t, c.mktree(t, tt.lines...), "t")
			files, rooted, submodules, err := gitTree(st, plumbing.NewHash(commit), tt.sub, lim)
			if tt.want != "" {
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("err = %v, want %q", err, tt.want)
				}
				if strings.Contains(tt.want, "larger") || strings.Contains(tt.want, "more than") {
					if !errors.Is(err, tree.ErrLimit) {
						t.Errorf("errors.Is(%v, tree.ErrLimit) = false", err)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, files, rooted, submodules)
		})
	}
}

// TestGitHugeFile opens repositories of a few hundred KiB holding a file
// of zeros, over http and file://. One of 32 MiB is fetched (under
// MaxObject) and refused from the size in its object header when the
// tree is built: nothing is checked out and the cache keeps only the
// compressed objects. One of 80 MiB is refused while the pack arrives,
// before go-git's indexer inflates it. A template beside the 32 MiB file
// in the same repository still opens. (The 2 GiB case is measured by
// hand.)
func TestGitHugeFile(t *testing.T) {
	c := newCrafted(t)
	m := c.blob(t, manifest)
	svc := c.mktree(t, "100644 blob "+m+"\tscaffold.yaml")
	c.commit(t, c.mktree(t, "100644 blob "+m+"\tscaffold.yaml", "100644 blob "+c.zeros(t, 32<<20)+"\tzeros.bin", "040000 tree "+svc+"\tsvc"), "v1")
	c.commit(t, c.mktree(t, "100644 blob "+m+"\tscaffold.yaml", "100644 blob "+c.zeros(t, 80<<20)+"\tzeros.bin"), "v2")
	srv := c.serve(t, "")

	measure := func(f func()) uint64 {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		f()
		runtime.ReadMemStats(&after)
		return after.TotalAlloc - before.TotalAlloc
	}
	for _, base := range []string{srv.url, "file://" + filepath.ToSlash(c.bare)} {
		o := newOpener(t)
		var err error
		alloc := measure(func() { _, err = o.open(base + "@v1") })
		if err == nil || !strings.Contains(err.Error(), "zeros.bin is larger than 16 MiB (33554432 bytes)") || !errors.Is(err, tree.ErrLimit) {
			t.Errorf("%s@v1: err = %v, want zeros.bin is larger than 16 MiB", base, err)
		}
		// go-git's indexer inflates the 32 MiB object once, whole;
		// scaffold itself reads none of it. (Over file://, go-git's
		// in-process upload-pack also copies it a few times to pack it.)
		if limit := uint64(80 << 20); strings.HasPrefix(base, "http") && alloc > limit || alloc > 8*limit {
			t.Errorf("%s@v1: opening allocated %d MiB", base, alloc>>20)
		}
		if size := duSize(t, o.cache); size > 4<<20 {
			t.Errorf("%s@v1: the cache holds %d bytes, want only the compressed objects", base, size)
		}
		checkOpened(t, o.mustOpen(base+"//svc@v1"), base+"//svc@v1", c.run(t, "", "rev-parse", "v1"), "crafted", "")

		alloc = measure(func() { _, err = o.open(base + "@v2") })
		if err == nil || !strings.Contains(err.Error(), "of 83886080 bytes, more than the 64 MiB scaffold fetches") || !errors.Is(err, ErrTooLarge) {
			t.Errorf("%s@v2: err = %v, want the 80 MiB object refused", base, err)
		}
		if alloc > 16<<20 {
			t.Errorf("%s@v2: opening allocated %d MiB, want the object refused before it is inflated", base, alloc>>20)
		}
	}
}

// duSize is the bytes of the regular files under dir.
func duSize(t testing.TB, dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if info, err := d.Info(); err == nil {
				n += info.Size()
			}
		}
		return nil
	})
	return n
}

// TestGitSubmoduleNotice: a submodule in a template is left out, and the
// user is told.
func TestGitSubmoduleNotice(t *testing.T) {
	c := newCrafted(t)
	m := c.blob(t, manifest)
	svc := c.mktree(t, "100644 blob "+m+"\tscaffold.yaml", "160000 commit "+strings.Repeat("2", 40)+"\tvendor")
	c.commit(t, c.mktree(t, "100644 blob "+m+"\tscaffold.yaml", "040000 tree "+svc+"\tsvc"), "v1")
	bare := "file://" + filepath.ToSlash(c.bare)
	o := newOpener(t)
	op := o.mustOpen(bare + "//svc@v1")
	if len(op.Notices) != 1 || !strings.Contains(op.Notices[0], "vendor is a git submodule, left out") {
		t.Errorf("Notices = %q, want one about the submodule vendor", op.Notices)
	}
	if op := o.mustOpen(bare + "@v1"); len(op.Notices) != 1 || !strings.Contains(op.Notices[0], "svc/vendor is a git submodule") {
		t.Errorf("root template: Notices = %q, want one naming svc/vendor", op.Notices)
	}
}
