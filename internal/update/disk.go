package update

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/scaffold-cli/scaffold/internal/template"
	ftree "github.com/scaffold-cli/scaffold/internal/tree"
)

// reader reads the user's version of template paths through an os.Root
// opened once on the project, without following links: a link in the
// project may point anywhere, and an update must neither read nor write
// outside the project through it. The root is what holds that promise
// (the kernel resolves every path inside it and refuses one that leads
// out, even if the disk changes under us); the checks on the way only
// turn what the root would refuse into a plan that leaves the path
// alone, with a reason.
//
// Every file is read with tree.ReadFile: a FIFO is never opened for a
// blocking read, a device or socket is never read, and no file costs
// more than template.MaxFileBytes of memory, whatever its size claims.
type reader struct {
	root *os.Root
	// dirs caches what each parent folder (slash path) turned out to be,
	// since a project's files share few folders.
	dirs map[string]version
}

func newReader(dir string) (*reader, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("opening the project: %w", err)
	}
	return &reader{root: root, dirs: map[string]version{}}, nil
}

func (r *reader) close() { r.root.Close() }

// tooLarge is why a file bigger than any render is left alone: no
// template renders it, so it is the user's, and reading it whole could
// exhaust memory for nothing.
var tooLarge = fmt.Sprintf("is larger than %d MiB on disk; scaffold leaves it alone", template.MaxFileBytes>>20)

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
	info, err := r.root.Lstat(p)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return version{}, nil
	case err != nil:
		return version{}, fmt.Errorf("reading %s: %w", p, outside(err))
	}
	switch mode := info.Mode(); {
	case mode.IsDir():
		return blockedBy(causeDir, p, "a folder is on disk where the template has a file; move it away and run scaffold update again"), nil
	case mode&fs.ModeSymlink != 0:
		target, err := r.root.Readlink(p)
		if err != nil {
			return version{}, fmt.Errorf("reading the link %s: %w", p, err)
		}
		return version{kind: symlink, data: []byte(target)}, nil
	case !mode.IsRegular():
		return blockedBy(causeOther, p, fmt.Sprintf("is not a regular file on disk (%v); scaffold leaves it alone", mode.Type())), nil
	case info.Size() > template.MaxFileBytes:
		return blockedBy(causeOther, p, tooLarge), nil
	}
	// The file may change between the Lstat and the open; tree.ReadFile
	// checks again on the open file and bounds the read itself.
	data, info, err := ftree.ReadFile(r.root, p, template.MaxFileBytes)
	var te *ftree.Error
	switch {
	case errors.Is(err, ftree.ErrLimit):
		return blockedBy(causeOther, p, tooLarge), nil
	case errors.As(err, &te):
		return blockedBy(causeOther, p, "is not a regular file on disk; scaffold leaves it alone"), nil
	case err != nil:
		return version{}, fmt.Errorf("reading %s: %w", p, outside(err))
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
	info, err := r.root.Lstat(d)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		v = version{}
	case err != nil:
		return version{}, fmt.Errorf("reading %s: %w", d, outside(err))
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
		// Through the root, and links are entries, not followed.
		err := fs.WalkDir(r.root.FS(), v.at, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				return nil
			}
			if !removed[p] {
				cleared = false
				return fs.SkipAll
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

// outside adds what an os.Root's refusal means to the user: the path
// leads out of the project (through a link, or a folder replaced by one).
func outside(err error) error {
	if err != nil && strings.Contains(err.Error(), "path escapes from parent") {
		return fmt.Errorf("%w: it leads out of the project through a link, and scaffold never reads or writes outside the project", err)
	}
	return err
}

// Drift lists the paths of base whose content (or link target) on the
// disk of the project at dir is not base's: changed, deleted, or
// something scaffold does not read (a FIFO, a device, a file too large
// to be a render). It reads as update does, through the project's
// os.Root, never through a link and never more than
// template.MaxFileBytes of a file. Temporary files of scaffold runs are
// never template paths, so they never count.
func Drift(dir string, base []template.File) ([]string, error) {
	r, err := newReader(dir)
	if err != nil {
		return nil, err
	}
	defer r.close()
	var drift []string
	for _, f := range base {
		v, err := r.read(f.Path)
		if err != nil || !v.sameContent(fileVersion(f)) {
			drift = append(drift, f.Path)
		}
	}
	return drift, nil
}
