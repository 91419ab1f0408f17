package tree

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// entriesFrom turns fuzz bytes into a few entries over a small alphabet
// of names, so that links meet each other often.
func entriesFrom(data []byte) []Entry {
	next := func() int {
		if len(data) == 0 {
			return 0
		}
		b := data[0]
		data = data[1:]
		return int(b)
	}
	names := []string{"a", "b", "c"}
	parts := []string{"a", "b", "c", ".", ".."}
	var out []Entry
	for len(data) > 0 && len(out) < 8 {
		var segs []string
		for range 1 + next()%3 {
			segs = append(segs, names[next()%len(names)])
		}
		e := Entry{Path: strings.Join(segs, "/")}
		switch next() % 3 {
		case 0:
			e.Data = []byte("x")
		case 1:
			e.Mode = fs.ModeDir
		default:
			e.Mode = fs.ModeSymlink
			var t []string
			for range 1 + next()%4 {
				t = append(t, parts[next()%len(parts)])
			}
			e.Link = strings.Join(t, "/")
		}
		out = append(out, e)
	}
	return out
}

// FuzzLinksStayInsideOnDisk checks the resolver against the operating
// system: whatever tree New accepts, written to a real disk, has no link
// that the kernel resolves to a place outside it.
func FuzzLinksStayInsideOnDisk(f *testing.F) {
	f.Add([]byte{0, 0, 2, 0, 3, 0, 0, 1, 2, 1, 4})
	f.Add([]byte{1, 0, 1, 0, 2, 1, 2, 2, 0, 4, 4, 0, 0, 2})
	f.Add([]byte{0, 1, 2, 2, 3, 3, 4, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		tr, err := New(entriesFrom(data))
		if err != nil {
			return
		}
		parent := t.TempDir()
		dir := filepath.Join(parent, "root")
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, p := range tr.Paths() {
			e, _ := tr.Lookup(p)
			full := filepath.Join(dir, filepath.FromSlash(p))
			switch {
			case e.IsDir():
				err = os.MkdirAll(full, 0o755)
			case e.IsLink():
				err = os.Symlink(e.Link, full)
			default:
				err = os.WriteFile(full, e.Data, 0o644)
			}
			if err != nil {
				t.Fatalf("writing %s: %v", p, err)
			}
		}
		for _, p := range tr.Paths() {
			real, err := filepath.EvalSymlinks(filepath.Join(dir, filepath.FromSlash(p)))
			if err != nil {
				continue // dangling, or a file used as a folder: nothing is reached
			}
			if real != dir && !strings.HasPrefix(real, dir+string(filepath.Separator)) {
				t.Fatalf("%s resolves to %s, outside %s; entries %+v", p, real, dir, entriesFrom(data))
			}
		}
	})
}
