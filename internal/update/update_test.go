package update

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/scaffold-cli/scaffold/internal/merge"
	"github.com/scaffold-cli/scaffold/internal/template"
)

// node is what a test expects at a path: a file with content and mode, a
// link, or a folder.
type node struct {
	data string
	mode fs.FileMode
	link string
	dir  bool
}

func file(data string) node                    { return node{data: data, mode: 0o644} }
func exe(data string) node                     { return node{data: data, mode: 0o755} }
func withMode(data string, m fs.FileMode) node { return node{data: data, mode: m} }
func link(target string) node                  { return node{link: target} }
func folder() node                             { return node{dir: true} }

type tree map[string]node

var labels = merge.Labels{Ours: "ours", Base: "base", Theirs: "theirs"}

// render turns a tree into template files, as the lead's code passes them.
func render(tr tree) []template.File {
	var files []template.File
	for p, n := range tr {
		files = append(files, template.File{Path: p, Mode: n.mode, Data: []byte(n.data), Link: n.link})
	}
	return files
}

func writeTree(t testing.TB, root string, tr tree) {
	t.Helper()
	paths := make([]string, 0, len(tr))
	for p := range tr {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	for _, p := range paths {
		n, full := tr[p], filepath.Join(root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		var err error
		switch {
		case n.dir:
			err = os.MkdirAll(full, 0o755)
		case n.link != "":
			err = os.Symlink(n.link, full)
		default:
			if err = os.WriteFile(full, []byte(n.data), n.mode); err == nil {
				err = os.Chmod(full, n.mode) // past the umask
			}
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

// readTree reads everything under root; empty folders show as folders.
func readTree(t *testing.T, root string) tree {
	t.Helper()
	tr := tree{}
	err := filepath.WalkDir(root, func(fp string, d fs.DirEntry, err error) error {
		if err != nil || fp == root {
			return err
		}
		rel, _ := filepath.Rel(root, fp)
		rel = filepath.ToSlash(rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			if entries, _ := os.ReadDir(fp); len(entries) == 0 {
				tr[rel] = folder()
			}
		case info.Mode()&fs.ModeSymlink != 0:
			target, err := os.Readlink(fp)
			if err != nil {
				return err
			}
			tr[rel] = link(target)
		default:
			data, err := os.ReadFile(fp)
			if err != nil {
				return err
			}
			perm := info.Mode().Perm()
			if runtime.GOOS == "windows" && perm == 0o666 {
				// No permission bits there: a writable file is 0666 to
				// Go, and never executable. Seen as the 0644 written.
				perm = 0o644
			}
			tr[rel] = withMode(string(data), perm)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func diffTrees(got, want tree) string {
	var out []string
	for p, w := range want {
		if g, ok := got[p]; !ok {
			out = append(out, fmt.Sprintf("missing %s", p))
		} else if g != w {
			out = append(out, fmt.Sprintf("%s = %+v, want %+v", p, g, w))
		}
	}
	for p := range got {
		if _, ok := want[p]; !ok {
			out = append(out, fmt.Sprintf("unexpected %s", p))
		}
	}
	slices.Sort(out)
	return strings.Join(out, "\n")
}

const (
	lines10  = "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n"
	oursTop  = "1 ours\n2\n3\n4\n5\n6\n7\n8\n9\n10\n"
	theirsLo = "1\n2\n3\n4\n5\n6\n7\n8\n9\n10 theirs\n"
	bothEdit = "1 ours\n2\n3\n4\n5\n6\n7\n8\n9\n10 theirs\n"
	binA     = "\x00\x01binary a"
	binB     = "\x00\x01binary b"
	binC     = "\x00\x01binary c"
)

func TestUpdate(t *testing.T) {
	tests := []struct {
		name               string
		base, theirs, ours tree
		want               map[string]Action // every entry of the plan
		reasons            map[string]string // substrings of Reason
		after              tree              // the whole folder after Apply
	}{
		{
			name:   "disjoint edits on both sides merge",
			base:   tree{"a.txt": file(lines10)},
			theirs: tree{"a.txt": file(theirsLo)},
			ours:   tree{"a.txt": file(oursTop)},
			want:   map[string]Action{"a.txt": Merged},
			after:  tree{"a.txt": file(bothEdit)},
		},
		{
			name:   "the same edit on both sides is nothing to do",
			base:   tree{"a.txt": file(lines10)},
			theirs: tree{"a.txt": file(theirsLo)},
			ours:   tree{"a.txt": file(theirsLo)},
			want:   map[string]Action{"a.txt": Unchanged},
			after:  tree{"a.txt": file(theirsLo)},
		},
		{
			name:    "overlapping edits conflict with labelled markers",
			base:    tree{"a.txt": file("x\nkeep\n")},
			theirs:  tree{"a.txt": file("x theirs\nkeep\n")},
			ours:    tree{"a.txt": file("x ours\nkeep\n")},
			want:    map[string]Action{"a.txt": Conflict},
			reasons: map[string]string{"a.txt": "resolve the conflict markers"},
			after:   tree{"a.txt": file("<<<<<<< ours\nx ours\n||||||| base\nx\n=======\nx theirs\n>>>>>>> theirs\nkeep\n")},
		},
		{
			name:   "unchanged by the user takes theirs",
			base:   tree{"a.txt": file(lines10)},
			theirs: tree{"a.txt": file(theirsLo)},
			ours:   tree{"a.txt": file(lines10)},
			want:   map[string]Action{"a.txt": Updated},
			after:  tree{"a.txt": file(theirsLo)},
		},
		{
			name:   "unchanged by the template keeps ours",
			base:   tree{"a.txt": file(lines10)},
			theirs: tree{"a.txt": file(lines10)},
			ours:   tree{"a.txt": file(oursTop)},
			want:   map[string]Action{"a.txt": Unchanged},
			after:  tree{"a.txt": file(oursTop)},
		},
		{
			name:   "added by the template and absent is added, with folders",
			theirs: tree{"new/deep/a.txt": file("new\n")},
			ours:   tree{},
			want:   map[string]Action{"new/deep/a.txt": Added},
			after:  tree{"new/deep/a.txt": file("new\n")},
		},
		{
			name:   "added by the template and identical on disk",
			theirs: tree{"a.txt": file("same\n")},
			ours:   tree{"a.txt": file("same\n")},
			want:   map[string]Action{"a.txt": Unchanged},
			after:  tree{"a.txt": file("same\n")},
		},
		{
			name:    "added by the template and different on disk merges with an empty base",
			theirs:  tree{"a.txt": file("head\ntheirs\n")},
			ours:    tree{"a.txt": file("head\nours\n")},
			want:    map[string]Action{"a.txt": Conflict},
			reasons: map[string]string{"a.txt": "already have a different file"},
			after:   tree{"a.txt": file("head\n<<<<<<< ours\nours\n||||||| base\n=======\ntheirs\n>>>>>>> theirs\n")},
		},
		{
			name:    "added by the template as binary and different on disk is kept",
			theirs:  tree{"a.bin": file(binB)},
			ours:    tree{"a.bin": file(binA)},
			want:    map[string]Action{"a.bin": Kept},
			reasons: map[string]string{"a.bin": "binary"},
			after:   tree{"a.bin": file(binA)},
		},
		{
			name:   "removed by the template and unchanged is removed with its empty folder",
			base:   tree{"old/a.txt": file("a\n"), "keep/b.txt": file("b\n")},
			theirs: tree{"keep/b.txt": file("b\n")},
			ours:   tree{"old/a.txt": file("a\n"), "keep/b.txt": file("b\n")},
			want:   map[string]Action{"old/a.txt": Removed, "keep/b.txt": Unchanged},
			after:  tree{"keep/b.txt": file("b\n")},
		},
		{
			name:   "removing the last file never removes the project root",
			base:   tree{"a.txt": file("a\n")},
			theirs: tree{},
			ours:   tree{"a.txt": file("a\n")},
			want:   map[string]Action{"a.txt": Removed},
			after:  tree{},
		},
		{
			name:    "removed by the template but changed locally is kept",
			base:    tree{"a.txt": file("a\n")},
			theirs:  tree{},
			ours:    tree{"a.txt": file("a mine\n")},
			want:    map[string]Action{"a.txt": Kept},
			reasons: map[string]string{"a.txt": "removed by the template, but you changed it"},
			after:   tree{"a.txt": file("a mine\n")},
		},
		{
			name:    "removed by the template but made executable locally is kept",
			base:    tree{"a.sh": file("a\n")},
			theirs:  tree{},
			ours:    tree{"a.sh": exe("a\n")},
			want:    map[string]Action{"a.sh": Kept},
			reasons: map[string]string{"a.sh": "you changed it"},
			after:   tree{"a.sh": exe("a\n")},
		},
		{
			name:   "removed by the template and already deleted has no entry",
			base:   tree{"a.txt": file("a\n")},
			theirs: tree{},
			ours:   tree{},
			want:   map[string]Action{},
			after:  tree{},
		},
		{
			name:    "deleted by the user stays deleted",
			base:    tree{"same.txt": file("s\n"), "changed.txt": file("c\n")},
			theirs:  tree{"same.txt": file("s\n"), "changed.txt": file("c2\n")},
			ours:    tree{},
			want:    map[string]Action{"same.txt": Deleted, "changed.txt": Deleted},
			reasons: map[string]string{"same.txt": "", "changed.txt": "template has changed it"},
			after:   tree{},
		},
		{
			name:   "binary unchanged by the user takes theirs",
			base:   tree{"a.png": file(binA)},
			theirs: tree{"a.png": file(binB)},
			ours:   tree{"a.png": file(binA)},
			want:   map[string]Action{"a.png": Updated},
			after:  tree{"a.png": file(binB)},
		},
		{
			name:    "binary changed on both sides is kept",
			base:    tree{"a.png": file(binA)},
			theirs:  tree{"a.png": file(binB)},
			ours:    tree{"a.png": file(binC)},
			want:    map[string]Action{"a.png": Kept},
			reasons: map[string]string{"a.png": "binary file changed by both you and the template"},
			after:   tree{"a.png": file(binC)},
		},
		{
			name:    "text turned binary by the user is kept, without markers",
			base:    tree{"a.txt": file("x\n")},
			theirs:  tree{"a.txt": file("y\n")},
			ours:    tree{"a.txt": file("x\n\x00")},
			want:    map[string]Action{"a.txt": Kept},
			reasons: map[string]string{"a.txt": "binary"},
			after:   tree{"a.txt": file("x\n\x00")},
		},
		{
			name:   "a CRLF file stays CRLF",
			base:   tree{"a.bat": file("a\r\nb\r\nc\r\nd\r\ne\r\n")},
			theirs: tree{"a.bat": file("a\r\nb\r\nc\r\nd\r\ne theirs\r\n")},
			ours:   tree{"a.bat": file("a ours\r\nb\r\nc\r\nd\r\ne\r\n")},
			want:   map[string]Action{"a.bat": Merged},
			after:  tree{"a.bat": file("a ours\r\nb\r\nc\r\nd\r\ne theirs\r\n")},
		},
		{
			name:   "a missing final newline stays missing",
			base:   tree{"a.txt": file("a\nb\nc\nd\ne")},
			theirs: tree{"a.txt": file("a\nb\nc\nd\ne theirs")},
			ours:   tree{"a.txt": file("a ours\nb\nc\nd\ne")},
			want:   map[string]Action{"a.txt": Merged},
			after:  tree{"a.txt": file("a ours\nb\nc\nd\ne theirs")},
		},
		{
			name:   "a mode change upstream arrives",
			base:   tree{"run.sh": file("echo\n")},
			theirs: tree{"run.sh": exe("echo\n")},
			ours:   tree{"run.sh": file("echo\n")},
			want:   map[string]Action{"run.sh": Updated},
			after:  tree{"run.sh": exe("echo\n")},
		},
		{
			name:   "a mode change upstream arrives in a file the user edited",
			base:   tree{"run.sh": file(lines10)},
			theirs: tree{"run.sh": exe(lines10)},
			ours:   tree{"run.sh": file(oursTop)},
			want:   map[string]Action{"run.sh": Merged},
			after:  tree{"run.sh": exe(oursTop)},
		},
		{
			name:   "an executable bit arrives past a umask-narrowed mode",
			base:   tree{"run.sh": file(lines10)},
			theirs: tree{"run.sh": exe(theirsLo)},
			ours:   tree{"run.sh": withMode(lines10, 0o600)},
			want:   map[string]Action{"run.sh": Merged},
			after:  tree{"run.sh": withMode(theirsLo, 0o700)},
		},
		{
			name:   "a mode the user changed is kept",
			base:   tree{"run.sh": file(lines10)},
			theirs: tree{"run.sh": file(theirsLo)},
			ours:   tree{"run.sh": exe(lines10)},
			want:   map[string]Action{"run.sh": Merged},
			after:  tree{"run.sh": exe(theirsLo)},
		},
		{
			name:   "a link the user left alone follows the template",
			base:   tree{"cur": link("v1"), "v1": file("1\n"), "v2": file("2\n")},
			theirs: tree{"cur": link("v2"), "v1": file("1\n"), "v2": file("2\n")},
			ours:   tree{"cur": link("v1"), "v1": file("1\n"), "v2": file("2\n")},
			want:   map[string]Action{"cur": Updated, "v1": Unchanged, "v2": Unchanged},
			after:  tree{"cur": link("v2"), "v1": file("1\n"), "v2": file("2\n")},
		},
		{
			name:    "a link changed on both sides is kept",
			base:    tree{"cur": link("v1")},
			theirs:  tree{"cur": link("v2")},
			ours:    tree{"cur": link("mine")},
			want:    map[string]Action{"cur": Kept},
			reasons: map[string]string{"cur": "link"},
			after:   tree{"cur": link("mine")},
		},
		{
			name:   "a file the template turned into a link",
			base:   tree{"cfg": file("c\n")},
			theirs: tree{"cfg": link("real.cfg")},
			ours:   tree{"cfg": file("c\n")},
			want:   map[string]Action{"cfg": Updated},
			after:  tree{"cfg": link("real.cfg")},
		},
		{
			name:   "a link the template turned into a file replaces the link, not its target",
			base:   tree{"cfg": link("real.cfg"), "real.cfg": file("r\n")},
			theirs: tree{"cfg": file("c\n"), "real.cfg": file("r\n")},
			ours:   tree{"cfg": link("real.cfg"), "real.cfg": file("r\n")},
			want:   map[string]Action{"cfg": Updated, "real.cfg": Unchanged},
			after:  tree{"cfg": file("c\n"), "real.cfg": file("r\n")},
		},
		{
			name:    "a file the user replaced with a link is kept, not written through",
			base:    tree{"a.txt": file("a\n")},
			theirs:  tree{"a.txt": file("a2\n")},
			ours:    tree{"a.txt": link("target.txt"), "target.txt": file("a\n")},
			want:    map[string]Action{"a.txt": Kept},
			reasons: map[string]string{"a.txt": "link"},
			after:   tree{"a.txt": link("target.txt"), "target.txt": file("a\n")},
		},
		{
			name:   "the user's own files are never touched",
			base:   tree{"a.txt": file("a\n"), "gone.txt": file("g\n")},
			theirs: tree{"a.txt": file("a2\n"), "b.txt": file("b\n")},
			ours: tree{
				"a.txt": file("a\n"), "gone.txt": file("g\n"),
				"notes.md": file("mine\n"), "src/x.go": exe("package x\n"), "empty": folder(), "l": link("nowhere"),
			},
			want: map[string]Action{"a.txt": Updated, "b.txt": Added, "gone.txt": Removed},
			after: tree{
				"a.txt": file("a2\n"), "b.txt": file("b\n"),
				"notes.md": file("mine\n"), "src/x.go": exe("package x\n"), "empty": folder(), "l": link("nowhere"),
			},
		},
		{
			name:   "the answers file is ignored",
			base:   tree{".scaffold-answers.yaml": file("old\n")},
			theirs: tree{".scaffold-answers.yaml": file("new\n")},
			ours:   tree{".scaffold-answers.yaml": file("mine\n")},
			want:   map[string]Action{},
			after:  tree{".scaffold-answers.yaml": file("mine\n")},
		},
		{
			name:    "a folder where the template has a file is kept",
			base:    tree{"a": file("a\n")},
			theirs:  tree{"a": file("a2\n")},
			ours:    tree{"a/mine.txt": file("m\n")},
			want:    map[string]Action{"a": Kept},
			reasons: map[string]string{"a": "a folder is on disk"},
			after:   tree{"a/mine.txt": file("m\n")},
		},
		{
			name:    "a file where the template has a folder is kept",
			base:    tree{"a/b.txt": file("b\n")},
			theirs:  tree{"a/b.txt": file("b2\n"), "a/c.txt": file("c\n")},
			ours:    tree{"a": file("mine\n")},
			want:    map[string]Action{"a/b.txt": Kept, "a/c.txt": Kept},
			reasons: map[string]string{"a/b.txt": "a is a file on disk", "a/c.txt": "a is a file on disk"},
			after:   tree{"a": file("mine\n")},
		},
		{
			name:   "a file the template turns into a folder",
			base:   tree{"a": file("a\n")},
			theirs: tree{"a/b.txt": file("b\n")},
			ours:   tree{"a": file("a\n")},
			want:   map[string]Action{"a": Removed, "a/b.txt": Added},
			after:  tree{"a/b.txt": file("b\n")},
		},
		{
			name:   "a folder the template turns into a file",
			base:   tree{"a/b.txt": file("b\n")},
			theirs: tree{"a": file("a\n")},
			ours:   tree{"a/b.txt": file("b\n")},
			want:   map[string]Action{"a": Added, "a/b.txt": Removed},
			after:  tree{"a": file("a\n")},
		},
		{
			name:    "a folder that became a link is not written through",
			base:    tree{"src/a.txt": file("a\n")},
			theirs:  tree{"src/a.txt": file("a2\n")},
			ours:    tree{"src": link("elsewhere"), "elsewhere/a.txt": file("a\n")},
			want:    map[string]Action{"src/a.txt": Kept},
			reasons: map[string]string{"src/a.txt": "src is a symbolic link"},
			after:   tree{"src": link("elsewhere"), "elsewhere/a.txt": file("a\n")},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeTree(t, dir, tt.ours)
			plan, err := Compute(dir, render(tt.base), render(tt.theirs), labels)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]Action{}
			var paths []string
			for _, c := range plan.Changes {
				got[c.Path] = c.Action
				paths = append(paths, c.Path)
				if want, ok := tt.reasons[c.Path]; ok {
					if want == "" && c.Reason != "" || !strings.Contains(c.Reason, want) {
						t.Errorf("%s: Reason = %q, want %q", c.Path, c.Reason, want)
					}
				}
				if c.Action == Kept && c.Reason == "" {
					t.Errorf("%s: kept without a reason", c.Path)
				}
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("actions = %v, want %v", got, tt.want)
			}
			if !slices.IsSorted(paths) {
				t.Errorf("changes not sorted by path: %v", paths)
			}
			if err := plan.Apply(dir); err != nil {
				t.Fatal(err)
			}
			if d := diffTrees(readTree(t, dir), tt.after); d != "" {
				t.Errorf("after Apply:\n%s", d)
			}
		})
	}
}

func TestConflicts(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, tree{"a.txt": file("ours\n"), "b.txt": file(oursTop)})
	base := tree{"a.txt": file("base\n"), "b.txt": file(lines10)}
	theirs := tree{"a.txt": file("theirs\n"), "b.txt": file(theirsLo)}
	plan, err := Compute(dir, render(base), render(theirs), labels)
	if err != nil {
		t.Fatal(err)
	}
	if got := plan.Conflicts(); !reflect.DeepEqual(got, []string{"a.txt"}) {
		t.Errorf("Conflicts() = %q, want [a.txt]", got)
	}
}

// snapshot records everything about a folder that a write could change.
func snapshot(t *testing.T, root string) map[string]string {
	t.Helper()
	s := map[string]string{}
	err := filepath.WalkDir(root, func(fp string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		data := ""
		if info.Mode().IsRegular() {
			b, err := os.ReadFile(fp)
			if err != nil {
				return err
			}
			data = string(b)
		}
		s[fp] = fmt.Sprintf("%v %s %q", info.Mode(), info.ModTime().Format(time.RFC3339Nano), data)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestComputeWritesNothing(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, tree{
		"merge.txt": file(oursTop), "conflict.txt": file("ours\n"), "update.txt": file("u\n"),
		"remove/x.txt": file("x\n"), "bin": file(binA), "mine.txt": file("mine\n"),
	})
	base := tree{
		"merge.txt": file(lines10), "conflict.txt": file("base\n"), "update.txt": file("u\n"),
		"remove/x.txt": file("x\n"), "bin": file(binB), "deleted.txt": file("d\n"),
	}
	theirs := tree{
		"merge.txt": file(theirsLo), "conflict.txt": file("theirs\n"), "update.txt": exe("u2\n"),
		"bin": file(binC), "deleted.txt": file("d2\n"), "new/added.txt": file("n\n"),
	}
	before := snapshot(t, dir)
	plan, err := Compute(dir, render(base), render(theirs), labels)
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Changes) == 0 {
		t.Fatal("empty plan")
	}
	if after := snapshot(t, dir); !reflect.DeepEqual(before, after) {
		t.Errorf("Compute changed the folder:\nbefore %v\nafter  %v", before, after)
	}
}

func TestDiff(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, tree{"a.txt": file(lines10), "run.sh": file("x\n"), "gone.txt": file("g\n"), "a.png": file(binA)})
	base := tree{"a.txt": file(lines10), "run.sh": file("x\n"), "gone.txt": file("g\n"), "a.png": file(binA)}
	theirs := tree{"a.txt": file(theirsLo), "run.sh": exe("x\n"), "new.txt": file("n\n"), "a.png": file(binB)}
	plan, err := Compute(dir, render(base), render(theirs), labels)
	if err != nil {
		t.Fatal(err)
	}
	want := `diff --git a/a.png b/a.png
Binary files a/a.png and b/a.png differ
diff --git a/a.txt b/a.txt
--- a/a.txt
+++ b/a.txt
@@ -7,4 +7,4 @@
 7
 8
 9
-10
+10 theirs
diff --git a/gone.txt b/gone.txt
deleted file mode 100644
--- a/gone.txt
+++ /dev/null
@@ -1 +0,0 @@
-g
diff --git a/new.txt b/new.txt
new file mode 100644
--- /dev/null
+++ b/new.txt
@@ -0,0 +1 @@
+n
diff --git a/run.sh b/run.sh
old mode 100644
new mode 100755
`
	if got := plan.Diff(); got != want {
		t.Errorf("Diff() =\n%s\nwant\n%s", got, want)
	}
}

func TestComputeRefusesUnsafePaths(t *testing.T) {
	for _, p := range []string{"../escape", "/abs", ".git/config", "a//b"} {
		t.Run(p, func(t *testing.T) {
			_, err := Compute(t.TempDir(), nil, []template.File{{Path: p, Mode: 0o644}}, labels)
			if err == nil || !strings.Contains(err.Error(), "refusing to update") {
				t.Errorf("Compute with %q: err = %v, want a refusal", p, err)
			}
		})
	}
}

func TestApplyRefusesUnsafePaths(t *testing.T) {
	dir := t.TempDir()
	for _, p := range []string{"../escape", ".scaffold-answers.yaml"} {
		plan := &Plan{Changes: []Change{{Path: p, Action: Added, Result: []byte("x"), Mode: 0o644}}}
		if err := plan.Apply(dir); err == nil || !strings.Contains(err.Error(), p) {
			t.Errorf("Apply of %q: err = %v, want a refusal naming it", p, err)
		}
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(dir), "escape")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Apply wrote outside the project: %v", err)
	}
}

func TestApplyRefusesAStalePlan(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, tree{"a.txt": file("a\n"), "b.txt": file("b\n")})
	base := tree{"a.txt": file("a\n"), "b.txt": file("b\n")}
	theirs := tree{"a.txt": file("a2\n"), "b.txt": file("b2\n")}
	plan, err := Compute(dir, render(base), render(theirs), labels)
	if err != nil {
		t.Fatal(err)
	}
	writeTree(t, dir, tree{"b.txt-edit": file("")}) // unrelated: fine
	if err := os.WriteFile(filepath.Join(dir, "b.txt"), []byte("edited meanwhile\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	err = plan.Apply(dir)
	if err == nil || !strings.Contains(err.Error(), "b.txt changed on disk") {
		t.Fatalf("Apply = %v, want an error naming b.txt", err)
	}
	// Nothing is written when the check fails, not even a.txt before it.
	want := tree{"a.txt": file("a\n"), "b.txt": file("edited meanwhile\n"), "b.txt-edit": file("")}
	if d := diffTrees(readTree(t, dir), want); d != "" {
		t.Errorf("after a refused Apply:\n%s", d)
	}
}

func TestApplyErrorNamesThePath(t *testing.T) {
	dir := t.TempDir()
	plan, err := Compute(dir, nil, render(tree{"sub/a.txt": file("a\n")}), labels)
	if err != nil {
		t.Fatal(err)
	}
	// A file appears where Apply must create the folder.
	writeTree(t, dir, tree{"sub": file("in the way\n")})
	err = plan.Apply(dir)
	if err == nil || !strings.HasPrefix(err.Error(), "updating sub/a.txt: ") {
		t.Fatalf("Apply = %v, want an error naming sub/a.txt", err)
	}
	if matches, _ := filepath.Glob(filepath.Join(dir, "*", ".scaffold-tmp-*")); len(matches) > 0 {
		t.Errorf("temporary files left: %v", matches)
	}
}

func TestEmptyFileIsPresent(t *testing.T) {
	dir := t.TempDir()
	plan, err := Compute(dir, nil, []template.File{{Path: ".keep", Mode: 0o644}}, labels)
	if err != nil {
		t.Fatal(err)
	}
	c := plan.Changes[0]
	if c.Action != Added || c.Result == nil {
		t.Fatalf("empty template file: %+v, want added with a non-nil Result", c)
	}
	if err := plan.Apply(dir); err != nil {
		t.Fatal(err)
	}
	if d := diffTrees(readTree(t, dir), tree{".keep": file("")}); d != "" {
		t.Error(d)
	}
}
