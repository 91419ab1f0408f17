// Package tree holds a set of files in memory: a template as scaffold
// read it, or a project as a template renders it. It is the one place
// where scaffold decides what such a set may contain:
//
//   - regular files, folders and symbolic links, nothing else (no FIFOs,
//     devices or sockets);
//   - links with a relative target that, resolved through every other
//     link of the tree, stays inside it (it may name a path the tree does
//     not hold);
//   - nothing beneath a link or a file (no writing through a link);
//   - at most Limits bytes and entries, checked from metadata before any
//     byte is read and again while reading.
//
// A template is read once, through an os.Root (see ReadDir), and then
// only from memory: its digest, its manifest, its files and its hooks
// come from the same bytes, so what is hashed is what is used.
package tree

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"
	"time"
)

// Limits bound what a tree may hold.
type Limits struct {
	// File is the largest file, in bytes.
	File int64
	// Total is the sum of all files, in bytes.
	Total int64
	// Entries is the number of files, links and folders.
	Entries int
}

// DefaultLimits are the limits of a template and of a rendered project.
var DefaultLimits = Limits{File: 16 << 20, Total: 256 << 20, Entries: 50_000}

// MaxLinks is how many links one path may pass through, as Linux allows.
const MaxLinks = 40

// Entry is one file, folder or link of a tree.
type Entry struct {
	// Path is slash-separated and relative to the tree's root.
	Path string
	// Mode is fs.ModeDir for a folder, fs.ModeSymlink for a link, and a
	// regular file's permission bits (0o644 or 0o755) otherwise.
	Mode fs.FileMode
	// Data is a file's content.
	Data []byte
	// Link is a link's target, as written.
	Link string
}

// IsDir reports whether e is a folder.
func (e *Entry) IsDir() bool { return e.Mode.IsDir() }

// IsLink reports whether e is a symbolic link.
func (e *Entry) IsLink() bool { return e.Mode&fs.ModeSymlink != 0 }

// Tree is an immutable set of entries. It is an fs.FS that follows its
// own links (never out of the tree), and an fs.ReadLinkFS.
type Tree struct {
	entries  map[string]*Entry
	children map[string][]string // folder -> sorted names
	// links maps the Fold of each link's path to the path, so that a
	// link target spelling a link in another case is caught: a disk
	// that ignores case follows it (see resolve).
	links map[string]string
}

// Error is a tree that breaks a rule of the package doc.
type Error struct {
	Path string
	Msg  string
}

func (e *Error) Error() string { return e.Path + " " + e.Msg }

// ErrLimit is wrapped by every error that reports a limit.
var ErrLimit = errors.New("over the limit")

type limitError struct{ msg string }

func (e *limitError) Error() string { return e.msg }
func (e *limitError) Unwrap() error { return ErrLimit }

// New makes a tree of entries, adding the folders above them, and checks
// the rules of the package doc (the limits excepted: the reader that
// made the entries checks those).
func New(entries []Entry) (*Tree, error) {
	t := &Tree{entries: map[string]*Entry{".": {Path: ".", Mode: fs.ModeDir}}, children: map[string][]string{}}
	for i := range entries {
		e := entries[i]
		if e.Path == "." || !fs.ValidPath(e.Path) {
			return nil, &Error{e.Path, "is not a clean relative path"}
		}
		if old, ok := t.entries[e.Path]; ok {
			if old.IsDir() && e.IsDir() {
				continue
			}
			return nil, &Error{e.Path, "appears twice"}
		}
		switch {
		case e.IsDir():
			e.Mode = fs.ModeDir
		case e.IsLink():
			e.Mode = fs.ModeSymlink
		default:
			e.Mode &= fs.ModePerm
			if e.Mode.Type() != 0 {
				return nil, &Error{e.Path, "is not a file, folder or link"}
			}
		}
		if err := t.addParents(e.Path); err != nil {
			return nil, err
		}
		t.entries[e.Path] = &e
		dir := path.Dir(e.Path)
		t.children[dir] = append(t.children[dir], path.Base(e.Path))
	}
	for dir := range t.children {
		slices.Sort(t.children[dir])
	}
	t.links = map[string]string{}
	for p, e := range t.entries {
		if e.IsLink() {
			t.links[Fold(p)] = p
		}
	}
	for _, p := range t.Paths() {
		if e := t.entries[p]; e.IsLink() {
			if err := t.checkLink(e); err != nil {
				return nil, err
			}
		}
	}
	return t, nil
}

func (t *Tree) addParents(p string) error {
	for dir := path.Dir(p); ; dir = path.Dir(dir) {
		if e, ok := t.entries[dir]; ok {
			if !e.IsDir() {
				what := "a file"
				if e.IsLink() {
					what = "a link"
				}
				return &Error{p, fmt.Sprintf("is beneath %s, which is %s; nothing may be written through a link or into a file", dir, what)}
			}
			return nil
		}
		t.entries[dir] = &Entry{Path: dir, Mode: fs.ModeDir}
		parent := path.Dir(dir)
		t.children[parent] = append(t.children[parent], path.Base(dir))
	}
}

// checkLink refuses a link whose target is not relative or leads out of
// the tree, resolved through every link on the way.
func (t *Tree) checkLink(e *Entry) error {
	target := e.Link
	switch {
	case target == "":
		return &Error{e.Path, "is a link with no target"}
	case strings.HasPrefix(target, "/") || strings.Contains(target, "\\") || (len(target) >= 2 && target[1] == ':'):
		return &Error{e.Path, fmt.Sprintf("is a link to %q, which is not a relative path; links must stay inside", target)}
	case strings.ContainsRune(target, 0):
		return &Error{e.Path, "is a link whose target has a NUL byte"}
	}
	real, err := t.resolve(path.Dir(e.Path)+"/"+target, true)
	if err != nil {
		var ee *Error
		if errors.As(err, &ee) {
			return &Error{e.Path, fmt.Sprintf("is a link to %q: %s", target, ee.Msg)}
		}
		return err
	}
	if InGitDir(real) {
		return &Error{e.Path, fmt.Sprintf("is a link to %q, inside a .git folder, which only git writes: a write through the link would change the repository's config or hooks", target)}
	}
	return nil
}

// InGitDir reports whether the slash path p lies in a .git folder, at
// any depth and in any case (git~1 is its short name on Windows).
func InGitDir(p string) bool {
	for _, seg := range strings.Split(p, "/") {
		if strings.EqualFold(seg, ".git") || strings.EqualFold(seg, "git~1") {
			return true
		}
	}
	return false
}

// Resolve follows the links of p, as the operating system would on a
// disk holding the tree, and gives the path it names inside the tree
// (which need not exist). It fails when p leads out of the tree.
func (t *Tree) Resolve(p string) (string, error) {
	return t.resolve(p, true)
}

func (t *Tree) resolve(p string, followLast bool) (string, error) {
	return resolve(p, followLast, func(q string) (string, bool, error) {
		e, ok := t.entries[q]
		if !ok {
			// Not in the tree, so the path goes on lexically, unless
			// it spells a link in another case or normalization: macOS
			// and Windows disks follow that link (d/l is d/L -> ..),
			// and the path would lead where this check never looked.
			if l, ok := t.links[Fold(q)]; ok {
				return "", false, &Error{p, fmt.Sprintf("names %s, which is the link %s on a disk that ignores case or Unicode normalization (macOS, Windows); spell it as the link is spelled", q, l)}
			}
			return "", false, nil
		}
		if !e.IsLink() {
			return "", false, nil
		}
		return e.Link, true, nil
	})
}

// ResolveIn follows the links of p in the folder of root, on disk, and
// gives the path it names inside root (which need not exist). It fails
// when p leads out of root, so a link about to be written can be checked
// against the links a project already holds.
func ResolveIn(root *os.Root, p string) (string, error) {
	return resolve(p, true, func(q string) (string, bool, error) {
		info, err := root.Lstat(q)
		if err != nil || info.Mode()&fs.ModeSymlink == 0 {
			// Missing, or not a link: the path goes on lexically.
			return "", false, nil
		}
		target, err := root.Readlink(q)
		return target, err == nil, err
	})
}

// resolve follows the links of p as the operating system would, asking
// link whether a path is a link and to what.
func resolve(p string, followLast bool, link func(string) (string, bool, error)) (string, error) {
	if p == "." {
		return ".", nil
	}
	todo := strings.Split(p, "/")
	var cur []string
	hops := 0
	for len(todo) > 0 {
		c := todo[0]
		todo = todo[1:]
		switch c {
		case "", ".":
			continue
		case "..":
			if len(cur) == 0 {
				return "", &Error{p, "leads out of the tree"}
			}
			cur = cur[:len(cur)-1]
			continue
		}
		next := path.Join(append(cur, c)...)
		target, isLink, err := link(next)
		if err != nil {
			return "", err
		}
		if !isLink || (len(todo) == 0 && !followLast) {
			cur = append(cur, c)
			continue
		}
		if hops++; hops > MaxLinks {
			return "", &Error{p, fmt.Sprintf("passes through more than %d links", MaxLinks)}
		}
		if strings.HasPrefix(target, "/") || strings.Contains(target, "\\") {
			return "", &Error{p, fmt.Sprintf("passes through %s, a link to the absolute path %q", next, target)}
		}
		todo = append(strings.Split(target, "/"), todo...)
	}
	if len(cur) == 0 {
		return ".", nil
	}
	return path.Join(cur...), nil
}

// Paths lists every entry but the root, folders included, sorted.
func (t *Tree) Paths() []string {
	out := make([]string, 0, len(t.entries)-1)
	for p := range t.entries {
		if p != "." {
			out = append(out, p)
		}
	}
	slices.Sort(out)
	return out
}

// Files lists the files and links, sorted by path.
func (t *Tree) Files() []*Entry {
	var out []*Entry
	for _, p := range t.Paths() {
		if e := t.entries[p]; !e.IsDir() {
			out = append(out, e)
		}
	}
	return out
}

// Lookup gives the entry at p itself, a link not followed.
func (t *Tree) Lookup(p string) (*Entry, bool) {
	e, ok := t.entries[p]
	return e, ok
}

// Sub is the tree below dir (followed through links), which must be a
// folder of t. Its links must stay inside it.
func (t *Tree) Sub(dir string) (*Tree, error) {
	real, err := t.Resolve(dir)
	if err != nil {
		return nil, err
	}
	if e, ok := t.entries[real]; !ok || !e.IsDir() {
		return nil, &Error{dir, "is not a folder"}
	}
	if real == "." {
		return t, nil
	}
	var sub []Entry
	for _, p := range t.Paths() {
		if rest, ok := strings.CutPrefix(p, real+"/"); ok {
			e := *t.entries[p]
			e.Path = rest
			sub = append(sub, e)
		}
	}
	return New(sub)
}

// Open opens name, following links inside the tree (fs.FS).
func (t *Tree) Open(name string) (fs.File, error) {
	e, err := t.find("open", name, true)
	if err != nil {
		return nil, err
	}
	if e.IsDir() {
		return &openDir{t: t, e: e, name: name}, nil
	}
	return &openFile{info: info{e, name}, r: strings.NewReader(string(e.Data))}, nil
}

// ReadFile gives a file's bytes, following links (fs.ReadFileFS). The
// slice is the tree's own: callers must not change it.
func (t *Tree) ReadFile(name string) ([]byte, error) {
	e, err := t.find("read", name, true)
	if err != nil {
		return nil, err
	}
	if e.IsDir() {
		return nil, &fs.PathError{Op: "read", Path: name, Err: errors.New("is a folder")}
	}
	return e.Data, nil
}

// ReadDir lists a folder, links not followed (fs.ReadDirFS).
func (t *Tree) ReadDir(name string) ([]fs.DirEntry, error) {
	e, err := t.find("readdir", name, true)
	if err != nil {
		return nil, err
	}
	if !e.IsDir() {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: errors.New("not a folder")}
	}
	return t.dirEntries(e.Path), nil
}

func (t *Tree) dirEntries(dir string) []fs.DirEntry {
	names := t.children[dir]
	out := make([]fs.DirEntry, len(names))
	for i, n := range names {
		out[i] = info{t.entries[path.Join(dir, n)], n}
	}
	return out
}

// Stat describes name, following links (fs.StatFS).
func (t *Tree) Stat(name string) (fs.FileInfo, error) {
	e, err := t.find("stat", name, true)
	if err != nil {
		return nil, err
	}
	return info{e, path.Base(name)}, nil
}

// Lstat describes name itself, a link not followed (fs.ReadLinkFS).
func (t *Tree) Lstat(name string) (fs.FileInfo, error) {
	e, err := t.find("lstat", name, false)
	if err != nil {
		return nil, err
	}
	return info{e, path.Base(name)}, nil
}

// ReadLink gives a link's target (fs.ReadLinkFS).
func (t *Tree) ReadLink(name string) (string, error) {
	e, err := t.find("readlink", name, false)
	if err != nil {
		return "", err
	}
	if !e.IsLink() {
		return "", &fs.PathError{Op: "readlink", Path: name, Err: errors.New("not a link")}
	}
	return e.Link, nil
}

func (t *Tree) find(op, name string, followLast bool) (*Entry, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	real, err := t.resolve(name, followLast)
	if err != nil {
		return nil, &fs.PathError{Op: op, Path: name, Err: err}
	}
	e, ok := t.entries[real]
	if !ok {
		return nil, &fs.PathError{Op: op, Path: name, Err: fs.ErrNotExist}
	}
	return e, nil
}

// info is an entry as fs.FileInfo and fs.DirEntry.
type info struct {
	e    *Entry
	name string
}

func (i info) Name() string               { return i.name }
func (i info) Size() int64                { return int64(len(i.e.Data)) }
func (i info) Mode() fs.FileMode          { return i.e.Mode }
func (i info) ModTime() time.Time         { return time.Time{} }
func (i info) IsDir() bool                { return i.e.IsDir() }
func (i info) Sys() any                   { return nil }
func (i info) Type() fs.FileMode          { return i.e.Mode.Type() }
func (i info) Info() (fs.FileInfo, error) { return i, nil }
func (i info) String() string             { return fs.FormatFileInfo(i) }

type openFile struct {
	info
	r *strings.Reader
}

func (f *openFile) Stat() (fs.FileInfo, error) { return f.info, nil }
func (f *openFile) Read(b []byte) (int, error) { return f.r.Read(b) }
func (f *openFile) Close() error               { return nil }

type openDir struct {
	t    *Tree
	e    *Entry
	name string
	pos  int
}

func (d *openDir) Stat() (fs.FileInfo, error) { return info{d.e, path.Base(d.name)}, nil }
func (d *openDir) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: d.name, Err: errors.New("is a folder")}
}
func (d *openDir) Close() error { return nil }

func (d *openDir) ReadDir(n int) ([]fs.DirEntry, error) {
	all := d.t.dirEntries(d.e.Path)[d.pos:]
	if n > 0 && len(all) > n {
		all = all[:n]
	}
	d.pos += len(all)
	if n > 0 && len(all) == 0 {
		return nil, io.EOF
	}
	return all, nil
}
