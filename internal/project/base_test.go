package project

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
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

func TestBaseRoundTrip(t *testing.T) {
	dir, settings, when := committed(t)
	if _, _, err := ReadBase(dir); !errors.Is(err, ErrNoBase) {
		t.Fatalf("ReadBase before WriteBase: %v", err)
	}
	if _, _, err := ReadBase(t.TempDir()); !errors.Is(err, ErrNoBase) {
		t.Fatalf("ReadBase without git: %v", err)
	}

	// Names that sort differently as files and as folders ("a-b" before
	// "a/" but after "a"), the case git's tree order exists for.
	v1 := append(slices.Clone(sample),
		template.File{Path: "a-b", Mode: 0o644, Data: []byte("1")},
		template.File{Path: "a/x", Mode: 0o644, Data: []byte("2")},
		template.File{Path: "a.c", Mode: 0o644, Data: []byte("3")},
		template.File{Path: "deep/er/still/f.txt", Mode: 0o644, Data: []byte("4")},
	)
	first, err := WriteBase(dir, v1, settings, when, "v1")
	if err != nil {
		t.Fatal(err)
	}
	got, hash, err := ReadBase(dir)
	if err != nil || hash != first {
		t.Fatalf("ReadBase: %v %v", hash, err)
	}
	if !sameFiles(got, v1) {
		t.Errorf("round trip:\n got %+v\nwant %+v", got, v1)
	}

	v2 := []template.File{{Path: "only.txt", Mode: 0o644, Data: []byte("v2")}}
	if _, err := WriteBase(dir, v2, settings, when, "v2"); err != nil {
		t.Fatal(err)
	}
	if got, _, _ := ReadBase(dir); !sameFiles(got, v2) {
		t.Errorf("after v2: %+v", got)
	}

	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git CLI not installed; cannot fsck")
	}
	git := func(args ...string) string {
		out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	git("fsck", "--strict", "--no-dangling")
	if parent := strings.TrimSpace(git("rev-parse", "refs/scaffold/base^")); parent != first.String() {
		t.Errorf("base parent = %s, want %s", parent, first)
	}
	// The work tree and the branch are untouched.
	if out := git("status", "--porcelain"); out != "" {
		t.Errorf("status after WriteBase:\n%s", out)
	}
	if log := git("log", "--format=%s", "main"); log != "init\n" {
		t.Errorf("main's log = %q", log)
	}
}

func sameFiles(a, b []template.File) bool {
	key := func(f template.File) string {
		if f.Link != "" {
			return f.Path + " -> " + f.Link // a link has no mode of its own
		}
		return f.Path + "|" + f.Mode.String() + "|" + string(f.Data)
	}
	var ka, kb []string
	for _, f := range a {
		ka = append(ka, key(f))
	}
	for _, f := range b {
		kb = append(kb, key(f))
	}
	slices.Sort(ka)
	slices.Sort(kb)
	return slices.Equal(ka, kb)
}

// A base from elsewhere (a pushed ref) is read only within a render's
// limits, its sizes taken from the objects before they are inflated.
func TestReadBaseIsBounded(t *testing.T) {
	dir, settings, when := committed(t)
	big := template.File{Path: "big.bin", Mode: 0o644, Data: make([]byte, template.MaxFileBytes+1)}
	if _, err := WriteBase(dir, append(slices.Clone(sample), big), settings, when, "big"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := ReadBase(dir); err == nil || !strings.Contains(err.Error(), "big.bin is larger than a render may be") {
		t.Errorf("ReadBase = %v, want big.bin refused", err)
	}
}

// committed makes a project of sample with its first commit, and gives
// the settings and time it used.
func committed(t *testing.T) (string, GitSettings, time.Time) {
	t.Helper()
	dir := t.TempDir() + "/p"
	settings := GitSettings{Identity: Identity{"T", "t@example.com"}, Branch: "main"}
	when := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	if err := Write(context.Background(), dir, sample, func(tmp string) error {
		_, err := InitialCommit(tmp, settings, when, "init")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return dir, settings, when
}

// A base's ref may point at anything (a pushed ref, a part's ref in a
// repository others push to): a tree that names one folder twice at
// every level holds 2^40 files (or folders) in a few objects, and a
// tree object can be of any size. ReadBase counts files as a render's tree does, and
// takes each object's size from its header before inflating it.
func TestReadBaseIsBoundedInFilesAndObjects(t *testing.T) {
	dir, settings, when := committed(t)
	repo, err := git.PlainOpen(dir)
	if err != nil {
		t.Fatal(err)
	}
	store := func(typ plumbing.ObjectType, encode func(plumbing.EncodedObject) error) plumbing.Hash {
		obj := repo.Storer.NewEncodedObject()
		obj.SetType(typ)
		if err := encode(obj); err != nil {
			t.Fatal(err)
		}
		h, err := repo.Storer.SetEncodedObject(obj)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	blob := store(plumbing.BlobObject, func(o plumbing.EncodedObject) error { return nil })
	bomb := store(plumbing.TreeObject, (&object.Tree{Entries: []object.TreeEntry{{Name: "f", Mode: filemode.Regular, Hash: blob}}}).Encode)
	for range 40 {
		bomb = store(plumbing.TreeObject, (&object.Tree{Entries: []object.TreeEntry{{Name: "a", Mode: filemode.Dir, Hash: bomb}, {Name: "b", Mode: filemode.Dir, Hash: bomb}}}).Encode)
	}
	folders := store(plumbing.TreeObject, (&object.Tree{}).Encode)
	for range 40 {
		folders = store(plumbing.TreeObject, (&object.Tree{Entries: []object.TreeEntry{{Name: "a", Mode: filemode.Dir, Hash: folders}, {Name: "b", Mode: filemode.Dir, Hash: folders}}}).Encode)
	}
	var wide []object.TreeEntry
	for i := range 70_000 {
		wide = append(wide, object.TreeEntry{Name: fmt.Sprintf("%0250d", i), Mode: filemode.Regular, Hash: blob})
	}
	slices.SortFunc(wide, func(a, b object.TreeEntry) int { return strings.Compare(a.Name, b.Name) })
	huge := store(plumbing.TreeObject, (&object.Tree{Entries: wide}).Encode)
	for name, tree := range map[string]plumbing.Hash{"bomb": bomb, "folders": folders, "huge": huge} {
		sig := object.Signature{Name: settings.Identity.Name, Email: settings.Identity.Email, When: when}
		commit := store(plumbing.CommitObject, (&object.Commit{Author: sig, Committer: sig, Message: name, TreeHash: tree}).Encode)
		if err := repo.Storer.SetReference(plumbing.NewHashReference(BaseRef, commit)); err != nil {
			t.Fatal(err)
		}
		var rerr error
		treetest.Quickly(t, "ReadBase", func() { _, _, rerr = ReadBase(dir) })
		if rerr == nil || !strings.Contains(rerr.Error(), "was not written by scaffold") {
			t.Errorf("%s: ReadBase = %v, want it refused", name, rerr)
		}
	}
}
