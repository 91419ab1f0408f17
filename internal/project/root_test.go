package project

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/scaffold-cli/scaffold/internal/template"
	"github.com/scaffold-cli/scaffold/internal/tree/treetest"
)

// Write puts every file through an os.Root on its temporary folder, and
// links last: a hand-made list (package tree refuses these at render
// time) that tries to write through a link fails naming the path, and
// nothing appears outside the target.
func TestWriteNeverWritesThroughLinks(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files []template.File
		want  string
	}{
		{"dot link and escape beneath it", []template.File{
			{Path: "l1", Link: "."},
			{Path: "esc", Link: "l1/.."},
			{Path: "esc/x.txt", Mode: 0o644, Data: []byte("x")},
		}, "writing esc: "},
		{"absolute link with a file beneath", []template.File{
			{Path: "etc", Link: "OUTER"}, // the folder around the target
			{Path: "etc/x.txt", Mode: 0o644, Data: []byte("x")},
		}, "writing etc: "},
		{"link out listed after the file", []template.File{
			{Path: "up/x.txt", Mode: 0o644, Data: []byte("x")},
			{Path: "up", Link: "../.."},
		}, "writing up: "},
		{"file beneath a file", []template.File{
			{Path: "a", Mode: 0o644, Data: []byte("a")},
			{Path: "a/b", Mode: 0o644, Data: []byte("b")},
		}, "writing a"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			outer := t.TempDir()
			parent := filepath.Join(outer, "p")
			if err := os.Mkdir(parent, 0o755); err != nil {
				t.Fatal(err)
			}
			files := slices.Clone(tc.files)
			for i := range files {
				if files[i].Link == "OUTER" {
					files[i].Link = outer
				}
			}
			before := treetest.Listing(t, outer)
			err := Write(context.Background(), filepath.Join(parent, "app"), files, nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Write = %v, want an error containing %q", err, tc.want)
			}
			if after := treetest.Listing(t, outer); after != before {
				t.Errorf("the folders around the target changed:\nbefore %v\nafter  %v", before, after)
			}
		})
	}
}

// Links that stay inside are written after the files, whatever the
// order of the list, and point where they should.
func TestWriteMakesLinksLast(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "app")
	files := []template.File{
		{Path: "docs", Link: "sub/docs"},
		{Path: "sub/docs/readme.md", Mode: 0o644, Data: []byte("hi\n")},
	}
	if err := Write(context.Background(), dir, files, nil); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, "docs", "readme.md"))
	if err != nil || string(data) != "hi\n" {
		t.Fatalf("through the link: %q, %v", data, err)
	}
	if target, err := os.Readlink(filepath.Join(dir, "docs")); err != nil || target != "sub/docs" {
		t.Errorf("link = %q, %v", target, err)
	}
}

const goodRecord = "template:\n  source: go/chi\nanswers:\n  module: example.com/x\n"

// hostileFile makes at p a FIFO, a link to /dev/zero, a sparse 4 GiB
// file, or a link to a good record outside dir, as kind says.
func hostileFile(t *testing.T, dir, p, kind string) {
	t.Helper()
	switch kind {
	case "fifo":
		if err := treetest.Mkfifo(p); err != nil {
			t.Skipf("no FIFOs here: %v", err)
		}
	case "devzero":
		if err := os.Symlink("/dev/zero", p); err != nil {
			t.Fatal(err)
		}
	case "sparse":
		f, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := f.Truncate(4 << 30); err != nil {
			t.Skipf("no sparse 4 GiB file here: %v", err)
		}
	case "outside":
		out := filepath.Join(filepath.Dir(dir), "outside.yaml")
		if err := os.WriteFile(out, []byte(goodRecord), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink("../outside.yaml", p); err != nil {
			t.Fatal(err)
		}
	}
}

// The project's record is read through an os.Root of the project and
// bounded: a FIFO, a link to /dev/zero, a sparse 4 GiB file or a link
// out of the project is a quick, clear error.
func TestReadProjectRecordRefusesHostileFiles(t *testing.T) {
	for kind, want := range map[string]string{
		"fifo":    "is a FIFO",
		"devzero": "leading out of the project",
		"sparse":  "is larger than 1 MiB",
		"outside": "leading out of the project",
	} {
		t.Run(kind, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "app")
			if err := os.Mkdir(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			hostileFile(t, dir, filepath.Join(dir, AnswersFile), kind)
			var err error
			treetest.Quickly(t, "ReadProjectRecord", func() { _, err = ReadProjectRecord(dir) })
			if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), AnswersFile) {
				t.Errorf("ReadProjectRecord = %v, want an error naming %s and saying %q", err, AnswersFile, want)
			}
		})
	}
}

func TestReadProjectRecordFollowsLinksInside(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "record.yaml"), []byte(goodRecord), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("record.yaml", filepath.Join(dir, AnswersFile)); err != nil {
		t.Fatal(err)
	}
	r, err := ReadProjectRecord(dir)
	if err != nil || r.Template.Source != "go/chi" {
		t.Fatalf("ReadProjectRecord = %+v, %v", r, err)
	}
	if _, err := ReadProjectRecord(t.TempDir()); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("no record: err = %v, want fs.ErrNotExist", err)
	}
}

// An answers file the user names (--answers) may be a link anywhere,
// but a FIFO, a device or a huge file is a quick, clear error.
func TestReadRecordIsBounded(t *testing.T) {
	for kind, want := range map[string]string{
		"fifo":    "is a FIFO",
		"devzero": "is a device",
		"sparse":  "is larger than 1 MiB",
		"outside": "",
	} {
		t.Run(kind, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "app")
			if err := os.Mkdir(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			p := filepath.Join(dir, "answers.yaml")
			hostileFile(t, dir, p, kind)
			var err error
			treetest.Quickly(t, "ReadRecord", func() { _, err = ReadRecord(p) })
			switch {
			case want == "" && err != nil:
				t.Errorf("ReadRecord through a link the user chose = %v", err)
			case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
				t.Errorf("ReadRecord = %v, want an error saying %q", err, want)
			}
		})
	}
}

// A record too large to be read back is never written.
func TestMarshalRefusesARecordOverTheLimit(t *testing.T) {
	r := &Record{Template: TemplateRef{Source: "x"}, Answers: map[string]any{}}
	for i := range 20 {
		r.Answers[fmt.Sprintf("a%d", i)] = strings.Repeat("x", 64<<10)
	}
	if _, err := r.Marshal(); err == nil || !strings.Contains(err.Error(), "more than the 1 MiB") {
		t.Errorf("Marshal = %v, want a refusal naming the limit", err)
	}
}

// A git config that is a FIFO or a link to /dev/zero is skipped like a
// missing one, quickly: scaffold new reads it for the commit identity.
func TestLoadGitSettingsSkipsHostileConfigs(t *testing.T) {
	for _, kind := range []string{"fifo", "devzero", "sparse"} {
		t.Run(kind, func(t *testing.T) {
			home := t.TempDir()
			hostileFile(t, home, filepath.Join(home, ".gitconfig"), kind)
			env := map[string]string{"HOME": home, "GIT_CONFIG_NOSYSTEM": "1"}
			var s GitSettings
			treetest.Quickly(t, "LoadGitSettings", func() { s = LoadGitSettings(func(k string) string { return env[k] }) })
			if !s.Default {
				t.Errorf("settings = %+v, want the defaults", s)
			}
		})
	}
}

// The dirty check of update never reads a tracked file that its
// metadata already shows changed: a sparse 4 GiB file or a FIFO in its
// place is reported at once. A same-size edit is still found by status.
func TestUncommittedNeedsNoHashForWhatMetadataShows(t *testing.T) {
	for _, kind := range []string{"sparse", "fifo", "devzero", "same-size edit", "none"} {
		t.Run(kind, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "a.txt"), []byte("a\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink("a.txt", filepath.Join(dir, "l")); err != nil {
				t.Fatal(err)
			}
			s := GitSettings{Identity: DefaultIdentity, Branch: "main"}
			if _, err := InitialCommit(dir, s, time.Unix(1e9, 0), "first"); err != nil {
				t.Fatal(err)
			}
			p := filepath.Join(dir, "a.txt")
			want := []string{"a.txt"}
			switch kind {
			case "same-size edit":
				if err := os.WriteFile(p, []byte("b\n"), 0o644); err != nil {
					t.Fatal(err)
				}
			case "none":
				want = nil
			default:
				os.Remove(p)
				hostileFile(t, dir, p, kind)
			}
			var got []string
			var err error
			treetest.Quickly(t, "Uncommitted", func() { got, err = Uncommitted(dir) })
			if err != nil || !slices.Equal(got, want) {
				t.Errorf("Uncommitted = %v, %v; want %v", got, err, want)
			}
		})
	}
}

// The dirty check of a project that is a folder of another repository
// looks at that folder alone: the rest of the repository (a monorepo of
// any size, with whatever its other folders hold) is neither walked nor
// hashed. Outside the folder here: a tracked file turned into a FIFO
// and one grown by exactly 4 GiB, which git's size modulo 2^32 cannot
// tell; either would block or be read whole by a status of the whole
// repository. Inside it, every kind of change is still found, and a
// file of 4 GiB more is taken for changed rather than read.
func TestUncommittedLooksAtTheProjectAlone(t *testing.T) {
	root := t.TempDir()
	files := map[string]string{"fifo.txt": "f\n", "grown.bin": "g\n", "svc/a.txt": "a\n", "svc/b.txt": "b\n", "svc/c.txt": "c\n", "svc/d.txt": "d\n", "svc/e.txt": "e\n"}
	for p, data := range files {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(root, p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, p), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s := GitSettings{Identity: DefaultIdentity, Branch: "main"}
	if _, err := InitialCommit(root, s, time.Unix(1e9, 0), "first"); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(root, "svc")
	treetest.Quickly(t, "Uncommitted", func() {
		if got, err := Uncommitted(dir); err != nil || len(got) != 0 {
			t.Errorf("a clean folder: %v, %v", got, err)
		}
	})
	os.Remove(filepath.Join(root, "fifo.txt"))
	hostileFile(t, root, filepath.Join(root, "fifo.txt"), "fifo")
	grow := func(p string) {
		if err := os.Truncate(p, 4<<30+2); err != nil {
			t.Skipf("no sparse 4 GiB file here: %v", err)
		}
	}
	grow(filepath.Join(root, "grown.bin"))
	// Inside: an edit of the same size and a staged removal, which only
	// a status finds; then a removal and a file of 4 GiB more.
	if err := os.WriteFile(filepath.Join(dir, "a.txt"), []byte("A\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	repo, err := git.PlainOpen(root)
	if err != nil {
		t.Fatal(err)
	}
	wt, err := repo.Worktree()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := wt.Remove("svc/d.txt"); err != nil {
		t.Fatal(err)
	}
	var got []string
	treetest.Quickly(t, "Uncommitted", func() { got, err = Uncommitted(dir) })
	if want := []string{"a.txt", "d.txt"}; err != nil || !slices.Equal(got, want) {
		t.Errorf("Uncommitted = %v, %v; want %v", got, err, want)
	}
	if err := os.Remove(filepath.Join(dir, "b.txt")); err != nil {
		t.Fatal(err)
	}
	grow(filepath.Join(dir, "c.txt"))
	treetest.Quickly(t, "Uncommitted", func() { got, err = Uncommitted(dir) })
	if want := []string{"a.txt", "b.txt", "c.txt", "d.txt"}; err != nil || !slices.Equal(got, want) {
		t.Errorf("Uncommitted = %v, %v; want %v", got, err, want)
	}
}

// The last commit is walked no further than a checkout of it could be:
// one that names a folder twice at every level (2^40 entries in a few
// objects, pushed by anyone) is an error, not an endless walk.
func TestUncommittedDoesNotWalkATreeBomb(t *testing.T) {
	root := t.TempDir()
	repo, err := git.PlainInit(root, false)
	if err != nil {
		t.Fatal(err)
	}
	store := func(o interface {
		Encode(plumbing.EncodedObject) error
	}, typ plumbing.ObjectType) plumbing.Hash {
		obj := repo.Storer.NewEncodedObject()
		obj.SetType(typ)
		if err := o.Encode(obj); err != nil {
			t.Fatal(err)
		}
		h, err := repo.Storer.SetEncodedObject(obj)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	bomb := store(&object.Tree{}, plumbing.TreeObject)
	for range 40 {
		bomb = store(&object.Tree{Entries: []object.TreeEntry{{Name: "a", Mode: filemode.Dir, Hash: bomb}, {Name: "b", Mode: filemode.Dir, Hash: bomb}}}, plumbing.TreeObject)
	}
	top := store(&object.Tree{Entries: []object.TreeEntry{{Name: "svc", Mode: filemode.Dir, Hash: bomb}}}, plumbing.TreeObject)
	sig := object.Signature{Name: "T", Email: "t@example.com", When: time.Unix(1e9, 0)}
	commit := store(&object.Commit{Author: sig, Committer: sig, Message: "bomb", TreeHash: top}, plumbing.CommitObject)
	if err := repo.Storer.SetReference(plumbing.NewHashReference("refs/heads/master", commit)); err != nil {
		t.Fatal(err)
	}
	if err := repo.Storer.SetReference(plumbing.NewSymbolicReference(plumbing.HEAD, "refs/heads/master")); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{filepath.Join(root, "svc"), root} {
		treetest.Quickly(t, "Uncommitted", func() {
			if _, err := Uncommitted(dir); err == nil || !strings.Contains(err.Error(), "more than a checkout of it could") {
				t.Errorf("%s: Uncommitted = %v, want the commit refused", dir, err)
			}
		})
	}
}
