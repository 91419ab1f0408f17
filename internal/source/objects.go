package source

import (
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"

	"github.com/scaffold-cli/scaffold/internal/tree"
)

// maxLinkTarget bounds a link's target, as PATH_MAX does on Linux.
const maxLinkTarget = 4096

// gitTree builds the files of commit straight from the git objects in st,
// never from a checkout: every object's size is read from its header and
// checked against lim before a byte of it is inflated, and then read
// through an io.LimitReader, so a small repository holding a huge file
// costs no more than lim. Entries named .git are left out, as ReadDir
// leaves them out of a folder. Submodules (gitlinks) cannot be part of a
// template, since their content lives in another repository that scaffold
// does not fetch: they are left out too, and their paths returned so the
// caller can say so.
//
// When sub names a folder reached through folders only, just that folder
// is read (and rooted is true), so the limits apply to the template and
// not to the whole repository; otherwise (a link on the way, or no such
// folder) the whole commit is read, and the caller takes the folder with
// (*tree.Tree).Sub, which resolves links and words the errors.
func gitTree(st storer.EncodedObjectStorer, commit plumbing.Hash, sub string, lim tree.Limits) (t *tree.Tree, rooted bool, submodules []string, err error) {
	c, err := object.GetCommit(st, commit)
	if err != nil {
		return nil, false, nil, fmt.Errorf("reading commit %s: %w", commit, err)
	}
	w := &treeWalker{st: st, lim: lim}
	start := c.TreeHash
	if sub != "" {
		h, found, viaLink := w.descend(start, sub)
		switch {
		case found:
			start, rooted = h, true
		case !viaLink:
			// Surely not there (or a file on the way): the caller's
			// Sub says so, without the whole repository being read.
			t, err := tree.New(nil)
			return t, false, nil, err
		}
	}
	if err := w.walk(start, "", 0); err != nil {
		return nil, false, nil, err
	}
	t, err = tree.New(w.entries)
	if err != nil {
		return nil, false, nil, err
	}
	return t, rooted, w.submodules, nil
}

// descend finds the tree of the folder sub, reached through folders
// only. viaLink is set when something on the way is a link, or could not
// be read, so only the whole tree can tell what sub is.
func (w *treeWalker) descend(h plumbing.Hash, sub string) (_ plumbing.Hash, found, viaLink bool) {
	for _, name := range strings.Split(sub, "/") {
		t, err := w.tree(h, sub)
		if err != nil {
			return h, false, true
		}
		var next *object.TreeEntry
		for i := range t.Entries {
			if t.Entries[i].Name == name {
				next = &t.Entries[i]
				break
			}
		}
		switch {
		case next == nil:
			return h, false, false
		case next.Mode == filemode.Symlink:
			return h, false, true
		case next.Mode != filemode.Dir:
			return h, false, false
		}
		h = next.Hash
	}
	return h, true, false
}

// tree reads a tree object, its size checked first: a tree is a list of
// names and hashes, and one larger than a file may be is a crafted one.
func (w *treeWalker) tree(h plumbing.Hash, dir string) (*object.Tree, error) {
	o, err := w.st.EncodedObject(plumbing.TreeObject, h)
	if err != nil {
		return nil, fmt.Errorf("reading the folder %q: %w", orRoot(dir), err)
	}
	if o.Size() > w.lim.File {
		return nil, limitErr("the folder %q is a git tree of %d bytes, more than %d", orRoot(dir), o.Size(), w.lim.File)
	}
	t, err := object.DecodeTree(w.st, o)
	if err != nil {
		return nil, fmt.Errorf("reading the folder %q: %w", orRoot(dir), err)
	}
	return t, nil
}

type treeWalker struct {
	st         storer.EncodedObjectStorer
	lim        tree.Limits
	entries    []tree.Entry
	submodules []string
	total      int64
}

// maxDepth bounds the nesting of folders, so a crafted chain of trees
// cannot recurse without end.
const maxDepth = 256

func (w *treeWalker) walk(h plumbing.Hash, dir string, depth int) error {
	if depth > maxDepth {
		return &tree.Error{Path: dir, Msg: fmt.Sprintf("is nested more than %d folders deep", maxDepth)}
	}
	t, err := w.tree(h, dir)
	if err != nil {
		return err
	}
	for _, e := range t.Entries {
		if e.Name == ".git" {
			continue
		}
		p := path.Join(dir, e.Name)
		if len(w.entries) >= w.lim.Entries {
			return limitErr("%s: more than %d files and folders", p, w.lim.Entries)
		}
		switch e.Mode {
		case filemode.Dir:
			w.entries = append(w.entries, tree.Entry{Path: p, Mode: fs.ModeDir})
			if err := w.walk(e.Hash, p, depth+1); err != nil {
				return err
			}
		case filemode.Regular, filemode.Deprecated, filemode.Executable:
			data, err := w.blob(p, e.Hash, min(w.lim.File, w.lim.Total-w.total))
			if err != nil {
				return err
			}
			w.total += int64(len(data))
			mode := fs.FileMode(0o644)
			if e.Mode == filemode.Executable {
				mode = 0o755
			}
			w.entries = append(w.entries, tree.Entry{Path: p, Mode: mode, Data: data})
		case filemode.Symlink:
			target, err := w.blob(p, e.Hash, maxLinkTarget)
			if err != nil {
				return err
			}
			w.entries = append(w.entries, tree.Entry{Path: p, Mode: fs.ModeSymlink, Link: string(target)})
		case filemode.Submodule:
			w.submodules = append(w.submodules, p)
		default:
			return &tree.Error{Path: p, Msg: fmt.Sprintf("has the git mode %o, which is not a file, folder or link", uint32(e.Mode))}
		}
	}
	return nil
}

// blob reads a blob of at most max bytes, its size checked from the
// object header before it is inflated.
func (w *treeWalker) blob(p string, h plumbing.Hash, max int64) ([]byte, error) {
	o, err := w.st.EncodedObject(plumbing.BlobObject, h)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", p, err)
	}
	if size := o.Size(); size > max {
		if size <= w.lim.File && max < w.lim.File {
			return nil, limitErr("%s: the files add up to more than %s", p, sizeText(w.lim.Total))
		}
		return nil, limitErr("%s is larger than %s (%d bytes)", p, sizeText(max), size)
	}
	r, err := o.Reader()
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", p, err)
	}
	defer r.Close()
	data, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", p, err)
	}
	if int64(len(data)) > max {
		return nil, limitErr("%s is larger than %s", p, sizeText(max))
	}
	return data, nil
}

func orRoot(dir string) string {
	if dir == "" {
		return "."
	}
	return dir
}

func sizeText(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

// limitError is a template over one of tree.DefaultLimits; it wraps
// tree.ErrLimit, as the tree package's own limit errors do.
type limitError struct{ msg string }

func (e *limitError) Error() string { return e.msg }
func (e *limitError) Unwrap() error { return tree.ErrLimit }

func limitErr(format string, args ...any) error {
	return &limitError{fmt.Sprintf(format, args...)}
}
