package project

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
	"github.com/go-git/go-git/v5/storage"
	"github.com/go-git/go-git/v5/storage/filesystem"

	"github.com/scaffold-cli/scaffold/internal/template"
	"github.com/scaffold-cli/scaffold/internal/tree"
)

// BaseRef keeps, in the project's own git objects, the pristine render
// the project was last made or updated from: the base of the three-way
// merge of scaffold update. It is never checked out.
const BaseRef = plumbing.ReferenceName("refs/scaffold/base")

// ErrNoBase means the project has no pristine render in its git objects.
var ErrNoBase = errors.New("no " + string(BaseRef) + " in the project's git repository")

// ReadBase returns the files of the pristine render of the project in
// dir and its commit, from the repository the project is in (see Home).
func ReadBase(dir string) ([]template.File, plumbing.Hash, error) {
	home, err := FindHome(dir)
	if errors.Is(err, ErrNoRepository) {
		return nil, plumbing.ZeroHash, ErrNoBase
	}
	if err != nil {
		return nil, plumbing.ZeroHash, err
	}
	repo, err := home.open()
	if err != nil {
		return nil, plumbing.ZeroHash, err
	}
	name := home.BaseRef()
	ref, err := repo.Reference(name, true)
	if errors.Is(err, plumbing.ErrReferenceNotFound) {
		return nil, plumbing.ZeroHash, ErrNoBase
	}
	if err != nil {
		return nil, plumbing.ZeroHash, err
	}
	r := baseReader{st: repo.Storer, name: name, left: tree.DefaultLimits.Entries}
	obj, err := r.object(plumbing.CommitObject, ref.Hash())
	if err != nil {
		return nil, plumbing.ZeroHash, err
	}
	commit, err := object.DecodeCommit(repo.Storer, obj)
	if err != nil {
		return nil, plumbing.ZeroHash, fmt.Errorf("reading %s: %w", name, err)
	}
	if err := r.tree(commit.TreeHash, ""); err != nil {
		return nil, plumbing.ZeroHash, err
	}
	return r.files, commit.Hash, nil
}

// baseReader reads a base's tree within a render's limits. The ref may
// have come from another repository (a pushed ref), or a repository
// others push to: a tree that names one folder twice at every level
// holds 2^n files in n objects, and an object may be of any size.
// Entries are counted as a render's tree counts them (files, links and
// folders), and every object's size is taken from its header before it
// is inflated.
type baseReader struct {
	st    storer.EncodedObjectStorer
	name  plumbing.ReferenceName
	left  int   // entries still allowed
	total int64 // bytes of the files so far
	files []template.File
}

func (r *baseReader) refuse(format string, args ...any) error {
	return fmt.Errorf("reading %s: %s; %s was not written by scaffold", r.name, fmt.Sprintf(format, args...), r.name)
}

func (r *baseReader) object(typ plumbing.ObjectType, h plumbing.Hash) (plumbing.EncodedObject, error) {
	obj, err := r.st.EncodedObject(typ, h)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", r.name, err)
	}
	if typ != plumbing.BlobObject && obj.Size() > tree.DefaultLimits.File {
		return nil, r.refuse("its %s %s is %d bytes, more than a render's may be", typ, h, obj.Size())
	}
	return obj, nil
}

func (r *baseReader) tree(h plumbing.Hash, dir string) error {
	obj, err := r.object(plumbing.TreeObject, h)
	if err != nil {
		return err
	}
	t, err := object.DecodeTree(r.st, obj)
	if err != nil {
		return fmt.Errorf("reading %s: %w", r.name, err)
	}
	for _, e := range t.Entries {
		p := path.Join(dir, e.Name)
		if r.left--; r.left < 0 {
			return r.refuse("it holds more than the %d files, links and folders a render may have", tree.DefaultLimits.Entries)
		}
		if e.Mode == filemode.Dir {
			if err := r.tree(e.Hash, p); err != nil {
				return err
			}
			continue
		}
		if e.Mode == filemode.Submodule {
			continue
		}
		blob, err := r.object(plumbing.BlobObject, e.Hash)
		if err != nil {
			return err
		}
		if r.total += blob.Size(); blob.Size() > template.MaxFileBytes || r.total > template.MaxTotalBytes {
			return fmt.Errorf("%s is larger than a render may be; %s was not written by scaffold", p, r.name)
		}
		rd, err := blob.Reader()
		if err != nil {
			return err
		}
		data, err := io.ReadAll(io.LimitReader(rd, blob.Size()))
		rd.Close()
		if err != nil {
			return fmt.Errorf("reading %s: %w", r.name, err)
		}
		f := template.File{Path: p, Mode: 0o644, Data: data}
		switch e.Mode {
		case filemode.Executable:
			f.Mode = 0o755
		case filemode.Symlink:
			f.Link, f.Data = string(data), nil
		}
		r.files = append(r.files, f)
	}
	return nil
}

// WriteBase records files as the new pristine render of the project in
// dir: a commit on its base ref (see Home.BaseRef) whose parent is the
// previous base. It writes git objects only;
// the work tree, the index and the branches are not touched.
func WriteBase(dir string, files []template.File, s GitSettings, when time.Time, message string) (plumbing.Hash, error) {
	return writeBase(dir, files, s, when, message, true)
}

// ReplaceBase records files as the new pristine render with no history:
// the commit on BaseRef has no parent, so the previous bases are no
// longer reachable from any ref (a push or a bundle leaves them out).
// For a base that held what it must not, such as a secret.
func ReplaceBase(dir string, files []template.File, s GitSettings, when time.Time, message string) (plumbing.Hash, error) {
	return writeBase(dir, files, s, when, message, false)
}

func writeBase(dir string, files []template.File, s GitSettings, when time.Time, message string, keepHistory bool) (plumbing.Hash, error) {
	home, err := FindHome(dir)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	repo, err := home.open()
	if err != nil {
		return plumbing.ZeroHash, err
	}
	name := home.BaseRef()
	tree, err := writeTree(repo.Storer, files)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	sig := object.Signature{Name: s.Identity.Name, Email: s.Identity.Email, When: when}
	c := &object.Commit{Author: sig, Committer: sig, Message: message, TreeHash: tree}
	prev := plumbing.ZeroHash
	if ref, err := repo.Reference(name, true); err == nil {
		prev = ref.Hash()
		if keepHistory {
			c.ParentHashes = []plumbing.Hash{prev}
		}
	}
	obj := repo.Storer.NewEncodedObject()
	if err := c.Encode(obj); err != nil {
		return plumbing.ZeroHash, err
	}
	hash, err := repo.Storer.SetEncodedObject(obj)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	return hash, setRef(repo, name, hash, prev)
}

// setRef points name at hash as git itself does: under <ref>.lock,
// taken exclusively, written and synced, then renamed over the ref, so
// that a reader (git, or another scaffold run in the same repository)
// sees the old ref or the new one, never an empty or half-written file,
// and a run killed midway leaves the old ref and a stale lock, not a
// broken ref. A lock already there is git's (update-ref, pack-refs, gc)
// or another run's: the ref is left to it. Under the lock the ref must
// still be prev, what the new commit was made from; else another run
// changed it meanwhile and writing would drop its base.
// (go-git's SetReference truncates the ref in place and knows no lock.)
func setRef(repo *git.Repository, name plumbing.ReferenceName, hash, prev plumbing.Hash) (err error) {
	st, ok := repo.Storer.(*filesystem.Storage)
	if !ok {
		return repo.Storer.SetReference(plumbing.NewHashReference(name, hash))
	}
	fs := st.Filesystem()
	ref := string(name)
	lock := ref + ".lock"
	if err := fs.MkdirAll(path.Dir(ref), 0o777); err != nil {
		return err
	}
	f, err := fs.OpenFile(lock, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o666)
	if errors.Is(err, os.ErrExist) {
		return fmt.Errorf("cannot record %s: %s exists, so git or another scaffold run is changing that ref; run again once it is done (or, if none is running, remove that file)", name, fs.Join(fs.Root(), lock))
	}
	if err != nil {
		return err
	}
	renamed := false
	defer func() {
		if !renamed {
			fs.Remove(lock)
		}
	}()
	_, werr := f.Write([]byte(hash.String() + "\n"))
	if s, ok := f.(interface{ Sync() error }); ok && werr == nil {
		werr = s.Sync()
	}
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		return fmt.Errorf("recording %s: %w", name, werr)
	}
	cur := plumbing.ZeroHash
	if r, err := repo.Reference(name, true); err == nil {
		cur = r.Hash()
	} else if !errors.Is(err, plumbing.ErrReferenceNotFound) {
		return fmt.Errorf("recording %s: %w", name, err)
	}
	if cur != prev {
		return fmt.Errorf("cannot record %s: another scaffold run changed it to %s while this one wrote %s; run again", name, cur, hash)
	}
	if err := fs.Rename(lock, ref); err != nil {
		return fmt.Errorf("recording %s: %w", name, err)
	}
	renamed = true
	return nil
}

// writeTree stores files as blobs and trees and returns the root tree.
func writeTree(st storage.Storer, files []template.File) (plumbing.Hash, error) {
	type dirNode struct {
		entries []object.TreeEntry
		subdirs map[string]bool
	}
	dirs := map[string]*dirNode{"": {subdirs: map[string]bool{}}}
	var ensure func(d string) *dirNode
	ensure = func(d string) *dirNode {
		if n, ok := dirs[d]; ok {
			return n
		}
		n := &dirNode{subdirs: map[string]bool{}}
		dirs[d] = n
		parent := path.Dir(d)
		if parent == "." {
			parent = ""
		}
		ensure(parent).subdirs[path.Base(d)] = true
		return n
	}
	for _, f := range files {
		if err := template.CheckPath(f.Path); err != nil {
			return plumbing.ZeroHash, err
		}
		data, mode := f.Data, filemode.Regular
		switch {
		case f.Link != "":
			data, mode = []byte(f.Link), filemode.Symlink
		case f.Mode&0o111 != 0:
			mode = filemode.Executable
		}
		blob, err := writeObject(st, plumbing.BlobObject, data)
		if err != nil {
			return plumbing.ZeroHash, err
		}
		d := path.Dir(f.Path)
		if d == "." {
			d = ""
		}
		n := ensure(d)
		n.entries = append(n.entries, object.TreeEntry{Name: path.Base(f.Path), Mode: mode, Hash: blob})
	}
	// Deepest folders first, so each tree's subtrees exist when it is written.
	names := make([]string, 0, len(dirs))
	for d := range dirs {
		names = append(names, d)
	}
	depth := func(d string) int {
		if d == "" {
			return -1
		}
		return strings.Count(d, "/")
	}
	sort.Slice(names, func(i, j int) bool { return depth(names[i]) > depth(names[j]) })
	hashes := map[string]plumbing.Hash{}
	for _, d := range names {
		n := dirs[d]
		for sub := range n.subdirs {
			n.entries = append(n.entries, object.TreeEntry{Name: sub, Mode: filemode.Dir, Hash: hashes[path.Join(d, sub)]})
		}
		// git orders entries by name, a folder as if its name ended in "/".
		key := func(e object.TreeEntry) string {
			if e.Mode == filemode.Dir {
				return e.Name + "/"
			}
			return e.Name
		}
		sort.Slice(n.entries, func(i, j int) bool { return key(n.entries[i]) < key(n.entries[j]) })
		obj := st.NewEncodedObject()
		if err := (&object.Tree{Entries: n.entries}).Encode(obj); err != nil {
			return plumbing.ZeroHash, err
		}
		h, err := st.SetEncodedObject(obj)
		if err != nil {
			return plumbing.ZeroHash, err
		}
		hashes[d] = h
	}
	return hashes[""], nil
}

func writeObject(st storage.Storer, t plumbing.ObjectType, data []byte) (plumbing.Hash, error) {
	obj := st.NewEncodedObject()
	obj.SetType(t)
	obj.SetSize(int64(len(data)))
	w, err := obj.Writer()
	if err != nil {
		return plumbing.ZeroHash, err
	}
	if _, err := w.Write(data); err != nil {
		return plumbing.ZeroHash, err
	}
	if err := w.Close(); err != nil {
		return plumbing.ZeroHash, err
	}
	return st.SetEncodedObject(obj)
}
