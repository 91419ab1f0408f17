package update

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/scaffold-cli/scaffold/internal/template"
)

// reader reads the user's version of template paths without following
// links: a link in the project may point anywhere, and an update must
// neither read nor write outside the project through it.
type reader struct {
	root string
	// dirs caches what each parent folder (slash path) turned out to be,
	// since a project's files share few folders.
	dirs map[string]version
}

func newReader(root string) *reader {
	return &reader{root: root, dirs: map[string]version{}}
}

func (r *reader) full(p string) string {
	return filepath.Join(r.root, filepath.FromSlash(p))
}

// read returns what is at p on disk: absent, a regular file, a link, or
// blocked with the reason scaffold cannot use it.
func (r *reader) read(p string) (version, error) {
	for i := 0; i < len(p); i++ {
		if p[i] != '/' {
			continue
		}
		v, err := r.parent(p[:i])
		if err != nil || v.kind != regular {
			return v, err // absent or blocked; regular stands for "a folder"
		}
	}
	info, err := os.Lstat(r.full(p))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return version{}, nil
	case err != nil:
		return version{}, fmt.Errorf("reading %s: %w", p, err)
	}
	switch mode := info.Mode(); {
	case mode.IsDir():
		return blockedBy(causeDir, p, "a folder is on disk where the template has a file; move it away and run scaffold update again"), nil
	case mode&fs.ModeSymlink != 0:
		target, err := os.Readlink(r.full(p))
		if err != nil {
			return version{}, fmt.Errorf("reading the link %s: %w", p, err)
		}
		return version{kind: symlink, data: []byte(target)}, nil
	case !mode.IsRegular():
		return blockedBy(causeOther, p, fmt.Sprintf("is not a regular file on disk (%v); scaffold leaves it alone", mode.Type())), nil
	case info.Size() > template.MaxFileBytes:
		// No template renders a file this large, so it is the user's;
		// reading it whole could exhaust memory for nothing.
		return blockedBy(causeOther, p, fmt.Sprintf("is larger than %d MiB on disk; scaffold leaves it alone", template.MaxFileBytes>>20)), nil
	}
	data, err := os.ReadFile(r.full(p))
	if err != nil {
		return version{}, fmt.Errorf("reading %s: %w", p, err)
	}
	if data == nil {
		data = []byte{}
	}
	return version{kind: regular, data: data, perm: info.Mode().Perm()}, nil
}

// parent says what the folder d is: regular for a real folder, absent, or
// blocked.
func (r *reader) parent(d string) (version, error) {
	if v, ok := r.dirs[d]; ok {
		return v, nil
	}
	var v version
	info, err := os.Lstat(r.full(d))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		v = version{}
	case err != nil:
		return version{}, fmt.Errorf("reading %s: %w", d, err)
	case info.IsDir():
		v = version{kind: regular}
	case info.Mode()&fs.ModeSymlink != 0:
		v = blockedBy(causeOther, d, d+" is a symbolic link on disk and scaffold never writes through links; replace it with a folder to take this file")
	default:
		v = blockedBy(causeFileParent, d, d+" is a file on disk where the template has a folder; move it away and run scaffold update again")
	}
	r.dirs[d] = v
	return v, nil
}

func blockedBy(c cause, at, why string) version {
	return version{kind: blocked, cause: c, at: at, why: why}
}

// clearedBy reports whether what blocks v goes away once the paths in
// removed are removed: a file in the way of a folder that is itself
// removed, or a folder holding only removed files.
func (r *reader) clearedBy(v version, removed map[string]bool) bool {
	switch v.cause {
	case causeFileParent:
		return removed[v.at]
	case causeDir:
		cleared := true
		err := filepath.WalkDir(r.full(v.at), func(fp string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				return nil
			}
			rel, err := filepath.Rel(r.root, fp)
			if err != nil || !removed[filepath.ToSlash(rel)] {
				cleared = false
				return filepath.SkipAll
			}
			return nil
		})
		return err == nil && cleared
	}
	return false
}

// same reports whether what is at p on disk is still what a plan saw
// there (content and kind; a permission change alone does not count).
func (r *reader) same(c *Change) (bool, error) {
	v, err := r.read(c.Path)
	if err != nil {
		return false, err
	}
	if c.Ours == nil {
		// Absent then; a folder or file in the way is fine too, as the
		// plan's removals clear it (Compute checked that).
		return v.kind == absent || v.cause == causeDir || v.cause == causeFileParent, nil
	}
	k := regular
	if c.OursMode&fs.ModeSymlink != 0 {
		k = symlink
	}
	return v.sameContent(version{kind: k, data: c.Ours}), nil
}
