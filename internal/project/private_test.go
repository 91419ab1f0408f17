package project

import (
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// Private paths are committed by neither InitialCommit nor CommitChanges,
// and no object of theirs is stored at all, ignored or not, at the top or
// in a folder; paths that only look alike are committed.
func TestPrivatePathsStayOutOfGitObjects(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		".gitignore":           ".env\n",
		".env":                 "TOKEN=private-one\n",
		"config/settings.json": `{"token": "private-two"}`,
		"config/other.json":    "{}",
		"[x]*.txt":             "private-three",
		"ax.txt":               "matches [x]*.txt as a glob, not as a path",
		"README.md":            "readme",
	}
	for p, s := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	private := []string{".env", "config/settings.json", "[x]*.txt"}
	s := GitSettings{Identity: Identity{"T", "t@example.com"}, Branch: "main"}
	when := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	if _, err := InitialCommit(dir, s, when, "init", private...); err != nil {
		t.Fatal(err)
	}
	// A hook changes a private file and adds a file.
	if err := os.WriteFile(filepath.Join(dir, "config/settings.json"), []byte(`{"token": "private-four"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.sum"), []byte("sum"), 0o644); err != nil {
		t.Fatal(err)
	}
	if h, err := CommitChanges(dir, s, when, "hooks", private...); err != nil || h.IsZero() {
		t.Fatalf("CommitChanges = %v, %v", h, err)
	}

	repo, err := git.PlainOpen(dir)
	if err != nil {
		t.Fatal(err)
	}
	head, _ := repo.Head()
	c, _ := repo.CommitObject(head.Hash())
	tree, _ := c.Tree()
	committed := mustFiles(t, tree.Files().ForEach)
	slices.Sort(committed)
	want := []string{".gitignore", "README.md", "ax.txt", "config/other.json", "go.sum"}
	if !slices.Equal(committed, want) {
		t.Errorf("committed %v, want %v", committed, want)
	}
	iter, _ := repo.Storer.IterEncodedObjects(plumbing.BlobObject)
	_ = iter.ForEach(func(o plumbing.EncodedObject) error {
		r, _ := o.Reader()
		data, _ := io.ReadAll(r)
		r.Close()
		if strings.Contains(string(data), "private-") {
			t.Errorf("a stored blob holds a private file: %q", data)
		}
		return nil
	})

	open, err := NotIgnored(dir, private)
	if err != nil || !slices.Equal(open, []string{"config/settings.json", "[x]*.txt"}) {
		t.Errorf("NotIgnored = %v, %v", open, err)
	}
	// Nothing private counts as uncommitted, and nothing else is left.
	if dirty, err := Uncommitted(dir); err != nil || len(dirty) != 0 {
		t.Errorf("Uncommitted = %v, %v", dirty, err)
	}
}

func mustFiles(t *testing.T, forEach func(func(f *object.File) error) error) []string {
	t.Helper()
	var names []string
	if err := forEach(func(f *object.File) error { names = append(names, f.Name); return nil }); err != nil {
		t.Fatal(err)
	}
	return names
}
