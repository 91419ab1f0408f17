package update

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"strconv"
	"strings"

	"github.com/scaffold-cli/scaffold/internal/project"
	"github.com/scaffold-cli/scaffold/internal/template"
	ftree "github.com/scaffold-cli/scaffold/internal/tree"
)

// Apply carries out the plan in the project at dir: it writes added,
// updated, merged and conflict files and deletes removed ones, with the
// folders their removal left empty (never dir itself). Kept, deleted and
// unchanged paths are not touched.
//
// Every read and write goes through one os.Root opened on dir: no path,
// no link in the plan or on disk, and no folder the user replaced by a
// link can make it touch anything outside the project.
//
// Before writing anything it checks every path again (package tree's
// rules over what the plan writes: nothing beneath a link or a file it
// writes, no link leading out), and that the disk still holds what
// Compute read, so a file the user edited while looking at the plan is
// not overwritten. Each file is written to a temporary file in its own
// folder and renamed into place: a file is either old or new, never half
// written. The plan as a whole is not atomic: after an error, the files
// before the failing one are already updated. Temporary files that
// killed runs left in the project's template folders are removed.
func (p *Plan) Apply(dir string) error {
	r, err := newReader(dir)
	if err != nil {
		return err
	}
	defer r.close()
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
	}
	if err := checkWrites(p, r.root); err != nil {
		return err
	}
	for i := range p.Changes {
		c := &p.Changes[i]
		if !c.Writes() {
			continue
		}
		same, err := r.same(c)
		if err != nil {
			return err
		}
		if !same {
			return fmt.Errorf("%s changed on disk since the update was planned; run scaffold update again", c.Path)
		}
	}
	cleanTemps(r.root, p)

	// Removals go first: a template that turns the file a into a folder a
	// has a/... written only once a is gone (Compute planned for that).
	for _, c := range p.Changes {
		if c.Action != Removed {
			continue
		}
		if err := r.root.Remove(c.Path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("removing %s: %w", c.Path, outside(err))
		}
		for d := path.Dir(c.Path); d != "."; d = path.Dir(d) {
			if r.root.Remove(d) != nil {
				break // not empty: the user's files, or the template's
			}
		}
	}
	for i := range p.Changes {
		c := &p.Changes[i]
		if c.Action == Removed || !c.Writes() {
			continue
		}
		if err := write(r.root, c.Path, c.Result, c.Mode); err != nil {
			return fmt.Errorf("updating %s: %w", c.Path, outside(err))
		}
	}
	return nil
}

// checkWrites holds what the plan writes to package tree's rules for a
// set of files: no path beneath a link or a file the plan writes, and
// every link it writes relative and, through the others, inside the
// project. A template read by package tree cannot break them; a plan
// made by hand (or a bug) is refused here, before anything is written.
// A link must also stay inside through the links the project already
// holds on disk (a user's data -> /mnt), which no render knows of.
func checkWrites(p *Plan, root *os.Root) error {
	var entries []ftree.Entry
	for _, c := range p.Changes {
		if !c.Writes() || c.Result == nil {
			continue
		}
		e := ftree.Entry{Path: c.Path, Mode: c.Mode.Perm()}
		if c.Mode&fs.ModeSymlink != 0 {
			e.Mode, e.Link = fs.ModeSymlink, string(c.Result)
		}
		entries = append(entries, e)
	}
	if _, err := ftree.New(entries); err != nil {
		return fmt.Errorf("refusing to update: %w; nothing was written", err)
	}
	for _, e := range entries {
		if e.Link == "" {
			continue
		}
		real, err := ftree.ResolveIn(root, path.Dir(e.Path)+"/"+e.Link)
		if err != nil {
			return fmt.Errorf("refusing to update: %s would be a link to %q, which leads out of the project through what is on disk (%v); nothing was written", e.Path, e.Link, err)
		}
		if ftree.InGitDir(real) {
			return fmt.Errorf("refusing to update: %s would be a link to %q, inside the project's .git folder through what is on disk; nothing was written", e.Path, e.Link)
		}
	}
	return nil
}

// WriteFile puts data at name in the project at dir, as Apply writes a
// file: through an os.Root on dir, to a temporary file renamed into
// place, so a link at name is replaced, never written through.
func WriteFile(dir, name string, data []byte, perm fs.FileMode) error {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return err
	}
	defer root.Close()
	if err := write(root, name, data, perm); err != nil {
		return fmt.Errorf("writing %s: %w", name, outside(err))
	}
	return nil
}

// tempPrefix names Apply's temporary files: project.TempPrefix, then
// "update-", the pid, "-" and a random part, so that a later run can
// tell one of a killed run (see project.DeadTemp) and remove it.
func tempPrefix() string {
	return project.TempPrefix + "update-" + strconv.Itoa(os.Getpid()) + "-"
}

// isTemp reports whether name is exactly what tempName makes: tempPrefix
// with some pid and 12 hex digits, so a file of the user's that only
// starts like one is never taken for it.
func isTemp(name string) bool {
	rest, ok := strings.CutPrefix(name, project.TempPrefix+"update-")
	if !ok {
		return false
	}
	pid, random, ok := strings.Cut(rest, "-")
	if !ok || len(random) != 12 || pid == "" || strings.Trim(pid, "0123456789") != "" {
		return false
	}
	_, err := hex.DecodeString(random)
	return err == nil && strings.ToLower(random) == random
}

// tempName reserves a fresh temporary name in dir (inside root) by
// calling create with it until one does not exist yet.
func tempName(dir string, create func(name string) error) (string, error) {
	for range 100 {
		var b [6]byte
		rand.Read(b[:])
		name := path.Join(dir, tempPrefix()+hex.EncodeToString(b[:]))
		err := create(name)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		return name, err
	}
	return "", fmt.Errorf("cannot make a temporary file in %s", dir)
}

// write puts data at p inside root through a temporary sibling and a
// rename, which replaces a file or a link without following it. A link
// is written when mode has fs.ModeSymlink, with data as its target.
func write(root *os.Root, p string, data []byte, mode fs.FileMode) (err error) {
	dir := path.Dir(p)
	if dir != "." {
		if err := root.MkdirAll(dir, 0o755); err != nil {
			return err
		}
	}
	if mode&fs.ModeSymlink != 0 {
		tmp, err := tempName(dir, func(name string) error { return root.Symlink(string(data), name) })
		if err != nil {
			return err
		}
		if err := root.Rename(tmp, p); err != nil {
			root.Remove(tmp)
			return err
		}
		return nil
	}

	var f *os.File
	tmp, err := tempName(dir, func(name string) (err error) {
		f, err = root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		return err
	})
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			root.Remove(tmp)
		}
	}()
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	// The file is made 0600; Chmod, unlike a create mode, is not narrowed
	// by the umask, so the mode is exactly the planned one.
	if err := f.Chmod(mode.Perm()); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return root.Rename(tmp, p)
}

// cleanTemps removes, from every folder the plan names, the temporary
// files and links a killed update left (see tempPrefix): a SIGKILL gives
// no run the chance to remove its own. Those of a run still alive, and
// any path the plan itself names, stay. Folders with the prefix are
// project.Write's, never touched here. Failing to clean is no reason to
// fail the update.
func cleanTemps(root *os.Root, p *Plan) {
	named := map[string]bool{}
	dirs := map[string]bool{".": true}
	for _, c := range p.Changes {
		named[c.Path] = true
		for d := path.Dir(c.Path); d != "."; d = path.Dir(d) {
			dirs[d] = true
		}
	}
	for d := range dirs {
		f, err := root.Open(d)
		if err != nil {
			continue
		}
		entries, err := f.ReadDir(-1)
		f.Close()
		if err != nil {
			continue
		}
		for _, e := range entries {
			name := path.Join(d, e.Name())
			if e.IsDir() || named[name] || !isTemp(e.Name()) || !project.DeadTemp(e.Name()) {
				continue
			}
			root.Remove(name)
		}
	}
}
