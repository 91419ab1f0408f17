package project

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/scaffold-cli/scaffold/internal/template"
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
			before := listing(t, outer)
			err := Write(context.Background(), filepath.Join(parent, "app"), files, nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Write = %v, want an error containing %q", err, tc.want)
			}
			if after := listing(t, outer); after != before {
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

// listing is every path below root with its content or link target:
// what a write outside the target would change (times aside, which the
// temporary folder's coming and going changes).
func listing(t *testing.T, root string) string {
	t.Helper()
	var sb strings.Builder
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		sb.WriteString(rel)
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			l, _ := os.Readlink(p)
			sb.WriteString(" -> " + l)
		case d.Type().IsRegular():
			data, _ := os.ReadFile(p)
			sb.WriteString(" = " + string(data))
		}
		sb.WriteString("\n")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return sb.String()
}
