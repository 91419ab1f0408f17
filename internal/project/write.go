// Package project puts a rendered project on disk: it checks the target,
// writes every file into a temporary sibling folder, records how the
// project was made, makes the first commit, and renames the folder into
// place, so a failure or an interrupt never leaves half a project.
package project

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/scaffold-cli/scaffold/internal/template"
)

// TempPrefix starts the name of every folder scaffold renders into, so a
// leftover from a killed run is easy to recognise.
const TempPrefix = ".scaffold-tmp-"

// TargetError says why a target folder cannot take a new project. It is
// the user's input that is wrong, not the tool.
type TargetError struct {
	Dir    string
	Reason string
}

func (e *TargetError) Error() string { return e.Dir + " " + e.Reason }

// CheckTarget refuses a target that exists and is not an empty folder.
func CheckTarget(dir string) error {
	info, err := os.Lstat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if !info.IsDir() {
		return &TargetError{Dir: dir, Reason: "exists and is not a folder; choose another name or remove it"}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	if len(entries) > 0 {
		return &TargetError{Dir: dir, Reason: "exists and is not empty; choose another name or remove it first"}
	}
	return nil
}

// Finish runs in the temporary folder once every file is written, before
// the folder is renamed into place (for example to make the first commit).
type Finish func(tmp string) error

// Write creates dir holding files. It renders nothing and decides
// nothing: it only makes the result appear whole or not at all.
func Write(ctx context.Context, dir string, files []template.File, finish Finish) (err error) {
	if err := CheckTarget(dir); err != nil {
		return err
	}
	parent := filepath.Dir(dir)
	created, err := mkdirAll(parent)
	if err != nil {
		return fmt.Errorf("creating %s: %w", parent, err)
	}
	tmp, err := os.MkdirTemp(parent, TempPrefix+filepath.Base(dir)+"-")
	if err != nil {
		removeAll(created)
		return fmt.Errorf("creating a temporary folder in %s: %w", parent, err)
	}
	defer func() {
		if err != nil {
			os.RemoveAll(tmp)
			removeAll(created)
		}
	}()
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := writeFile(tmp, f); err != nil {
			return err
		}
	}
	if finish != nil {
		if err := finish(tmp); err != nil {
			return err
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	// MkdirTemp makes the folder 0700; a project folder is an ordinary one.
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	// Go's os.Rename refuses an existing folder even when it is empty; an
	// empty target was checked above, so take it out of the way. os.Remove
	// fails on a folder that has gained files since.
	if info, err := os.Lstat(dir); err == nil && info.IsDir() {
		if err := os.Remove(dir); err != nil {
			return &TargetError{Dir: dir, Reason: "is no longer empty; choose another name or remove it first"}
		}
	}
	if err := os.Rename(tmp, dir); err != nil {
		if cerr := CheckTarget(dir); cerr != nil {
			return cerr // someone wrote there while we rendered
		}
		return fmt.Errorf("moving the project into place: %w", err)
	}
	return nil
}

func writeFile(root string, f template.File) error {
	if err := template.CheckPath(f.Path); err != nil {
		return fmt.Errorf("refusing to write %s: %w", f.From, err)
	}
	full := filepath.Join(root, filepath.FromSlash(f.Path))
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		return err
	}
	if f.Link != "" {
		return os.Symlink(f.Link, full)
	}
	// O_EXCL: a path that exists already can only come from a link in
	// the project pointing at it, and must not be written through.
	w, err := os.OpenFile(full, os.O_WRONLY|os.O_CREATE|os.O_EXCL, f.Mode.Perm())
	if err != nil {
		return err
	}
	if _, err := w.Write(f.Data); err != nil {
		w.Close()
		return fmt.Errorf("writing %s: %w", f.Path, err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", f.Path, err)
	}
	return nil
}

// mkdirAll is os.MkdirAll that returns the folders it made, deepest
// first, so a failed run can remove exactly those.
func mkdirAll(dir string) ([]string, error) {
	var created []string
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Lstat(d); err == nil {
			break
		}
		created = append(created, d)
		if filepath.Dir(d) == d {
			break
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	return created, nil
}

func removeAll(dirs []string) {
	for _, d := range dirs {
		os.Remove(d) // only if still empty
	}
}
