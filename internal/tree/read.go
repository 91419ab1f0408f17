package tree

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
)

// ReadDir reads the folder dir into a tree, through an os.Root so that
// no path, link or rename during the read can lead out of it. Entries
// named .git are left out at every depth: a template's own repository
// data (a folder, or the file of a worktree or submodule) is never part
// of it. A FIFO, device or socket is refused without being opened for a
// blocking read, and sizes are checked from metadata before reading.
func ReadDir(dir string, lim Limits) (*Tree, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	r := &reader{lim: lim, open: func(name string) (fs.File, error) { return OpenFile(root, name) }}
	if err := r.walk(root.FS(), "."); err != nil {
		return nil, err
	}
	return New(r.entries)
}

// ReadFS reads every entry of fsys into a tree, as ReadDir does.
func ReadFS(fsys fs.FS, lim Limits) (*Tree, error) {
	r := &reader{lim: lim, open: fsys.Open}
	if err := r.walk(fsys, "."); err != nil {
		return nil, err
	}
	return New(r.entries)
}

type reader struct {
	lim     Limits
	open    func(string) (fs.File, error)
	entries []Entry
	total   int64
}

func (r *reader) walk(fsys fs.FS, dir string) error {
	list, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return err
	}
	for _, d := range list {
		if d.Name() == ".git" {
			continue
		}
		p := path.Join(dir, d.Name())
		if len(r.entries) >= r.lim.Entries {
			return &limitError{fmt.Sprintf("%s: more than %d files and folders", p, r.lim.Entries)}
		}
		switch typ := d.Type(); {
		case typ.IsDir():
			r.entries = append(r.entries, Entry{Path: p, Mode: fs.ModeDir})
			if err := r.walk(fsys, p); err != nil {
				return err
			}
		case typ&fs.ModeSymlink != 0:
			target, err := fs.ReadLink(fsys, p)
			if err != nil {
				return err
			}
			r.entries = append(r.entries, Entry{Path: p, Mode: fs.ModeSymlink, Link: target})
		case typ.IsRegular():
			data, mode, err := r.file(p)
			if err != nil {
				return err
			}
			r.entries = append(r.entries, Entry{Path: p, Mode: mode, Data: data})
		default:
			return special(p, typ)
		}
	}
	return nil
}

func (r *reader) file(p string) ([]byte, fs.FileMode, error) {
	f, err := r.open(p)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	data, info, err := read(f, p, min(r.lim.File, r.lim.Total-r.total))
	if err != nil {
		if errors.Is(err, ErrLimit) && info != nil && info.Size() <= r.lim.File {
			return nil, 0, &limitError{fmt.Sprintf("%s: the files add up to more than %d MiB", p, r.lim.Total>>20)}
		}
		return nil, 0, err
	}
	r.total += int64(len(data))
	mode := fs.FileMode(0o644)
	if info.Mode()&0o111 != 0 {
		mode = 0o755
	}
	return data, mode, nil
}

// OpenFile opens name inside root for reading without ever blocking on
// the open itself: a FIFO opens at once (and read refuses it).
func OpenFile(root *os.Root, name string) (*os.File, error) {
	return root.OpenFile(name, os.O_RDONLY|nonBlocking, 0)
}

// ReadFile reads the regular file name inside root, of at most max bytes:
// the size is checked from the open file's metadata before reading and
// the read stops past max, so a sparse, growing or endless file (a link
// to /dev/zero) costs no more than max. A FIFO, device or socket is
// refused. Links are followed inside root only.
func ReadFile(root *os.Root, name string, max int64) ([]byte, fs.FileInfo, error) {
	f, err := OpenFile(root, name)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	return read(f, name, max)
}

// ReadPath reads the regular file at the path name, as ReadFile does
// (never blocking on a FIFO, refusing special files, at most max bytes),
// for a file the user named outright, such as a config or an answers
// file: links on the way are followed, wherever they lead.
func ReadPath(name string, max int64) ([]byte, fs.FileInfo, error) {
	f, err := os.OpenFile(name, os.O_RDONLY|nonBlocking, 0)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	return read(f, name, max)
}

func read(f fs.File, name string, max int64) ([]byte, fs.FileInfo, error) {
	info, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, info, special(name, info.Mode().Type())
	}
	if info.Size() > max {
		return nil, info, tooLarge(name, max)
	}
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, info, err
	}
	if int64(len(data)) > max {
		return nil, info, tooLarge(name, max)
	}
	return data, info, nil
}

func tooLarge(name string, max int64) error {
	size := fmt.Sprintf("%d bytes", max)
	if max >= 1<<20 && max%(1<<20) == 0 {
		size = fmt.Sprintf("%d MiB", max>>20)
	}
	return &limitError{fmt.Sprintf("%s is larger than %s", name, size)}
}

func special(name string, typ fs.FileMode) error {
	what := "a special file"
	switch {
	case typ&fs.ModeNamedPipe != 0:
		what = "a FIFO"
	case typ&fs.ModeSocket != 0:
		what = "a socket"
	case typ&fs.ModeDevice != 0:
		what = "a device"
	case typ.IsDir():
		what = "a folder"
	}
	return &Error{name, "is " + what + "; only regular files, folders and links are read"}
}
