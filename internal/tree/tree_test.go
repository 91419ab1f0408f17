package tree

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// layout builds a folder: a value "-> target" makes a link, "/" a folder,
// anything else a file with that content.
func layout(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, v := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		var err error
		switch {
		case strings.HasPrefix(v, "-> "):
			err = os.Symlink(strings.TrimPrefix(v, "-> "), p)
		case v == "/":
			err = os.MkdirAll(p, 0o755)
		default:
			err = os.WriteFile(p, []byte(v), 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestLinksResolvedThroughEachOther: a link's target is followed through
// every other link of the tree, as the disk would, never as text alone.
func TestLinksResolvedThroughEachOther(t *testing.T) {
	outside := t.TempDir()
	bad := []struct {
		name  string
		files map[string]string
	}{
		{"parent", map[string]string{"esc": "-> .."}},
		{"dot then dotdot", map[string]string{"l1": "-> .", "esc": "-> l1/.."}},
		{"two hops to the parent", map[string]string{"a": "-> b", "b": "-> c/..", "c": "-> .", "esc": "-> a/.."}},
		{"through a folder link", map[string]string{"sub/x": "x", "sub/up": "-> ..", "esc": "-> sub/up/.."}},
		{"deep folder link", map[string]string{"a/b/c/up": "-> ../../..", "esc": "-> a/b/c/up/.."}},
		{"absolute", map[string]string{"abs": "-> /etc/passwd"}},
		{"chain to absolute", map[string]string{"a": "-> b", "b": "-> " + outside}},
		{"chain through a folder to absolute", map[string]string{"d/l": "-> " + outside, "x": "-> d/l/f"}},
		{"dev zero", map[string]string{"scaffold.yaml": "-> /dev/zero"}},
		{"loop", map[string]string{"a": "-> b", "b": "-> a"}},
		{"self", map[string]string{"a": "-> a"}},
		{"backslash", map[string]string{"a": `-> ..\..\x`}},
	}
	for _, c := range bad {
		dir := layout(t, c.files)
		if _, err := ReadDir(dir, DefaultLimits); err == nil {
			t.Errorf("%s: ReadDir accepted it", c.name)
		} else if !strings.Contains(err.Error(), "link") && !strings.Contains(err.Error(), "leads out") {
			t.Errorf("%s: err = %v, want it to name the link", c.name, err)
		}
	}

	good := []struct {
		name  string
		files map[string]string
	}{
		{"sibling", map[string]string{"real.txt": "x", "l": "-> real.txt"}},
		{"dangling inside", map[string]string{"docs/readme": "-> ../README.md"}},
		{"dot", map[string]string{"here": "-> ."}},
		{"folder link", map[string]string{"sub/x": "x", "alias": "-> sub", "y": "-> alias/x"}},
		{"up and down", map[string]string{"a/b/x": "x", "a/c/l": "-> ../b/x"}},
	}
	for _, c := range good {
		dir := layout(t, c.files)
		if _, err := ReadDir(dir, DefaultLimits); err != nil {
			t.Errorf("%s: %v", c.name, err)
		}
	}
}

func TestResolve(t *testing.T) {
	tr, err := New([]Entry{
		{Path: "sub/x", Data: []byte("x")},
		{Path: "alias", Mode: fs.ModeSymlink, Link: "sub"},
		{Path: "sub/up", Mode: fs.ModeSymlink, Link: ".."},
	})
	if err != nil {
		t.Fatal(err)
	}
	for in, want := range map[string]string{"alias/x": "sub/x", "sub/up/alias": "sub", "alias/../alias": "sub", "missing/..": "."} {
		if got, err := tr.Resolve(in); err != nil || got != want {
			t.Errorf("Resolve(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if got, err := tr.Resolve("sub/up/.."); err == nil {
		t.Errorf("Resolve(sub/up/..) = %q, want an error", got)
	}
	data, err := fs.ReadFile(tr, "alias/x")
	if err != nil || string(data) != "x" {
		t.Errorf("ReadFile through a link = %q, %v", data, err)
	}
	if target, err := fs.ReadLink(tr, "alias"); err != nil || target != "sub" {
		t.Errorf("ReadLink = %q, %v", target, err)
	}
}

func TestNothingBeneathALink(t *testing.T) {
	for _, entries := range [][]Entry{
		{{Path: "d", Mode: fs.ModeSymlink, Link: "sub"}, {Path: "d/f", Data: []byte("x")}},
		{{Path: "d/f", Data: []byte("x")}, {Path: "d", Mode: fs.ModeSymlink, Link: "."}},
		{{Path: "f", Data: []byte("x")}, {Path: "f/g", Data: []byte("y")}},
		{{Path: "a", Data: []byte("x")}, {Path: "a", Data: []byte("y")}},
		{{Path: "../x", Data: []byte("x")}},
		{{Path: "/x", Data: []byte("x")}},
		{{Path: "a//b", Data: []byte("x")}},
	} {
		if _, err := New(entries); err == nil {
			t.Errorf("New(%v) accepted it", entries)
		}
	}
}

func TestSubKeepsLinksInside(t *testing.T) {
	tr, err := New([]Entry{
		{Path: "svc/scaffold.yaml", Data: []byte("name: x\n")},
		{Path: "svc/shared", Mode: fs.ModeSymlink, Link: "../shared"},
		{Path: "shared/f", Data: []byte("x")},
		{Path: "alias", Mode: fs.ModeSymlink, Link: "svc"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tr.Sub("svc"); err == nil || !strings.Contains(err.Error(), "leads out") {
		t.Errorf("Sub(svc) with a link out of it: err = %v", err)
	}
	if _, err := tr.Sub("shared"); err != nil {
		t.Errorf("Sub(shared): %v", err)
	}
	if _, err := tr.Sub("alias/../.."); err == nil {
		t.Errorf("Sub out of the tree accepted")
	}
	if _, err := tr.Sub("shared/f"); err == nil {
		t.Errorf("Sub of a file accepted")
	}
}

// TestSizesCheckedBeforeReading: a sparse file far over the limit is
// refused from its metadata, before its bytes are read.
func TestSizesCheckedBeforeReading(t *testing.T) {
	dir := layout(t, map[string]string{"scaffold.yaml": "name: x\n"})
	f, err := os.Create(filepath.Join(dir, "huge"))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(64 << 30); err != nil {
		t.Skipf("no sparse files here: %v", err)
	}
	f.Close()
	_, err = ReadDir(dir, DefaultLimits)
	if !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), "huge is larger than 16 MiB") {
		t.Errorf("err = %v, want huge refused", err)
	}

	lim := Limits{File: 10, Total: 15, Entries: 100}
	dir = layout(t, map[string]string{"a": "12345678", "b": "12345678"})
	if _, err := ReadDir(dir, lim); !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), "add up to more than") {
		t.Errorf("total: err = %v", err)
	}
	dir = layout(t, map[string]string{"a": "1", "b": "2", "c/d": "3"})
	if _, err := ReadDir(dir, Limits{File: 10, Total: 100, Entries: 3}); !errors.Is(err, ErrLimit) {
		t.Errorf("entries: err = %v", err)
	}
}

// TestGitEntriesLeftOut: a template's own repository data, a folder or
// the .git file of a worktree or submodule, is never part of it.
func TestGitEntriesLeftOut(t *testing.T) {
	dir := layout(t, map[string]string{
		"scaffold.yaml":   "name: x\n",
		".git":            "gitdir: /somewhere/else\n",
		"sub/.git/config": "[core]\n",
		"sub/f":           "x",
	})
	tr, err := ReadDir(dir, DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range tr.Paths() {
		if strings.Contains(p, ".git") {
			t.Errorf("%s was read", p)
		}
	}
	if _, ok := tr.Lookup("sub/f"); !ok {
		t.Errorf("sub/f missing: %v", tr.Paths())
	}
}

// TestReadFileStaysInRoot: ReadFile follows links only inside its root.
func TestReadFileStaysInRoot(t *testing.T) {
	outside := layout(t, map[string]string{"secret": "key"})
	dir := layout(t, map[string]string{
		"in":   "ok",
		"l":    "-> in",
		"out":  "-> " + filepath.Join(outside, "secret"),
		"up":   "-> ../",
		"zero": "-> /dev/zero",
	})
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	if data, _, err := ReadFile(root, "l", 10); err != nil || string(data) != "ok" {
		t.Errorf("ReadFile(l) = %q, %v", data, err)
	}
	for _, name := range []string{"out", "zero", "up/x"} {
		if data, _, err := ReadFile(root, name, 10); err == nil {
			t.Errorf("ReadFile(%s) = %q, want an error", name, data)
		}
	}
	if _, _, err := ReadFile(root, "in", 1); !errors.Is(err, ErrLimit) {
		t.Errorf("ReadFile over max: err = %v", err)
	}
}

// TestResolveIn follows the links a folder holds on disk.
func TestResolveIn(t *testing.T) {
	dir := layout(t, map[string]string{
		"data":   "-> " + t.TempDir(),
		"up":     "-> ..",
		"sub/x":  "x",
		"alias":  "-> sub",
		"loop":   "-> loop",
		"winabs": `-> C:\x`,
	})
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	for in, want := range map[string]string{"alias/x": "sub/x", "sub/../alias": "sub", "new/../x": "x"} {
		if got, err := ResolveIn(root, in); err != nil || got != want {
			t.Errorf("ResolveIn(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"data/x", "up/x", "data/..", "alias/../..", "loop", "winabs"} {
		if got, err := ResolveIn(root, in); err == nil {
			t.Errorf("ResolveIn(%q) = %q, want an error", in, got)
		}
	}
}
