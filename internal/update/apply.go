package update

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/scaffold-cli/scaffold/internal/project"
	"github.com/scaffold-cli/scaffold/internal/template"
)

// Apply carries out the plan in the project at dir: it writes added,
// updated, merged and conflict files and deletes removed ones, with the
// folders their removal left empty (never dir itself). Kept, deleted and
// unchanged paths are not touched.
//
// Before writing anything it checks every path again and that the disk
// still holds what Compute read, so a file the user edited while looking
// at the plan is not overwritten. Each file is written to a temporary
// file in its own folder and renamed into place: a file is either old or
// new, never half written. The plan as a whole is not atomic: after an
// error, the files before the failing one are already updated.
func (p *Plan) Apply(dir string) error {
	r := newReader(dir)
	for i := range p.Changes {
		c := &p.Changes[i]
		if !c.Writes() {
			continue
		}
		if err := template.CheckPath(c.Path); err != nil {
			return fmt.Errorf("refusing to update %s: %w", c.Path, err)
		}
		if strings.EqualFold(c.Path, project.AnswersFile) {
			return fmt.Errorf("refusing to update %s: scaffold writes it itself, not as a template file", c.Path)
		}
		same, err := r.same(c)
		if err != nil {
			return err
		}
		if !same {
			return fmt.Errorf("%s changed on disk since the update was planned; run scaffold update again", c.Path)
		}
	}

	// Removals go first: a template that turns the file a into a folder a
	// has a/... written only once a is gone (Compute planned for that).
	for _, c := range p.Changes {
		if c.Action != Removed {
			continue
		}
		if err := os.Remove(r.full(c.Path)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("removing %s: %w", c.Path, err)
		}
		for d := path.Dir(c.Path); d != "."; d = path.Dir(d) {
			if os.Remove(r.full(d)) != nil {
				break // not empty: the user's files, or the template's
			}
		}
	}
	for i := range p.Changes {
		c := &p.Changes[i]
		if c.Action == Removed || !c.Writes() {
			continue
		}
		if err := write(r.full(c.Path), c); err != nil {
			return fmt.Errorf("updating %s: %w", c.Path, err)
		}
	}
	return nil
}

// write puts c.Result at full through a temporary sibling and a rename,
// which replaces a file or a link without following it.
func write(full string, c *Change) (err error) {
	dir := filepath.Dir(full)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, project.TempPrefix+"*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			os.Remove(tmp)
		}
	}()

	if c.Mode&fs.ModeSymlink != 0 {
		// os.Symlink cannot replace a file, so the name CreateTemp
		// reserved is freed for the link just before it is made.
		if err := f.Close(); err != nil {
			return err
		}
		if err := os.Remove(tmp); err != nil {
			return err
		}
		if err := os.Symlink(string(c.Result), tmp); err != nil {
			return err
		}
		return os.Rename(tmp, full)
	}

	if _, err := f.Write(c.Result); err != nil {
		f.Close()
		return err
	}
	// CreateTemp makes the file 0600; Chmod, unlike a create mode, is not
	// narrowed by the umask, so the mode is exactly the planned one.
	if err := f.Chmod(c.Mode.Perm()); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, full)
}
