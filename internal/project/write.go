// Package project puts a rendered project on disk: it checks the target,
// writes every file into a temporary sibling folder, records how the
// project was made, makes the first commit, and renames the folder into
// place, so a failure or an interrupt never leaves half a project.
package project

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/scaffold-cli/scaffold/internal/proc"
	"github.com/scaffold-cli/scaffold/internal/template"
)

// TempPrefix starts the name of every folder scaffold renders into, so a
// leftover from a killed run is easy to recognise. The full name is
// TempPrefix + project name + "-" + pid + "-" + random: the pid tells a
// later run whether the owner is still alive.
const TempPrefix = ".scaffold-tmp-"

// staleAge is when a temporary folder whose owner cannot be told (a name
// without a pid) is taken for abandoned. No run writes for a day.
const staleAge = 24 * time.Hour

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
	if errors.Is(err, syscall.ENOTDIR) {
		return &TargetError{Dir: dir, Reason: "cannot be created: " + notFolder(dir) + " is not a folder; choose another place"}
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

// notFolder names the first parent of dir that exists and is not a folder.
func notFolder(dir string) string {
	var chain []string
	for d := filepath.Dir(dir); ; d = filepath.Dir(d) {
		chain = append(chain, d)
		if filepath.Dir(d) == d {
			break
		}
	}
	for i := len(chain) - 1; i >= 0; i-- {
		if info, err := os.Lstat(chain[i]); err == nil && !info.IsDir() {
			return chain[i]
		}
	}
	return filepath.Dir(dir)
}

// Finish runs in the temporary folder once every file is written, before
// the folder is renamed into place (for example to make the first commit).
type Finish func(tmp string) error

// Write creates dir holding files. It renders nothing and decides
// nothing: it only makes the result appear whole or not at all. On its
// way it removes the temporary folders that killed runs left beside dir.
func Write(ctx context.Context, dir string, files []template.File, finish Finish) (err error) {
	if err := CheckTarget(dir); err != nil {
		return err
	}
	parent := filepath.Dir(dir)
	created, err := mkdirAll(parent)
	if err != nil {
		return fmt.Errorf("creating %s: %w%s", parent, cause(err), remedy(err))
	}
	tmp, err := os.MkdirTemp(parent, TempPrefix+filepath.Base(dir)+"-"+strconv.Itoa(os.Getpid())+"-")
	if err != nil {
		removeAll(created)
		return fmt.Errorf("cannot create %s: cannot write in %s: %w%s", dir, parent, cause(err), remedy(err))
	}
	defer func() {
		if err != nil {
			os.RemoveAll(tmp)
			removeAll(created)
		}
	}()
	cleanStale(parent, tmp)
	if err := writeAll(ctx, tmp, files); err != nil {
		if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
			return err
		}
		return fmt.Errorf("%w; %s was not created%s", err, dir, remedy(err))
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

// cleanStale removes the temporary folders in parent whose run is over:
// a SIGKILL, a crash or a power cut gives no run the chance to remove its
// own. A folder whose owner still runs is never touched, even when its
// pid was reused by another program: that only delays the cleanup until
// the program ends. Failing to clean is no reason to fail this run.
func cleanStale(parent, mine string) {
	entries, err := os.ReadDir(parent)
	if err != nil {
		return
	}
	// The age of a folder is judged by the file system's clock, the one
	// that stamped it, not this machine's: our own new folder says what
	// time it is there.
	info, err := os.Stat(mine)
	if err != nil {
		return
	}
	now := info.ModTime()
	for _, e := range entries {
		name := e.Name()
		if !strings.HasPrefix(name, TempPrefix) || !e.IsDir() || filepath.Join(parent, name) == mine {
			continue // a link or file with our prefix is not ours to remove
		}
		if pid, ok := tempOwner(name); ok {
			if proc.Alive(pid) {
				continue
			}
		} else if info, err := e.Info(); err != nil || now.Sub(info.ModTime()) < staleAge {
			continue
		}
		os.RemoveAll(filepath.Join(parent, name))
	}
}

// tempOwner reads the pid from a temporary folder's name:
// TempPrefix + name + "-" + pid + "-" + random.
func tempOwner(name string) (int, bool) {
	rest := strings.TrimPrefix(name, TempPrefix)
	i := strings.LastIndexByte(rest, '-')
	if i < 0 {
		return 0, false
	}
	rest = rest[:i]
	j := strings.LastIndexByte(rest, '-')
	if j < 0 {
		return 0, false
	}
	pid, err := strconv.Atoi(rest[j+1:])
	if err != nil || pid <= 0 {
		return 0, false
	}
	return pid, true
}

// DeadTemp reports whether name (a base name) is that of a temporary
// file or folder of a scaffold run that has ended: TempPrefix + what +
// "-" + pid + "-" + random, where no process pid exists any more.
func DeadTemp(name string) bool {
	if !strings.HasPrefix(name, TempPrefix) {
		return false
	}
	pid, ok := tempOwner(name)
	return ok && !proc.Alive(pid)
}

// createFile opens a new file for writing inside root. Tests replace it
// to make the disk fill up halfway through a file.
var createFile = func(root *os.Root, name string, perm fs.FileMode) (io.WriteCloser, error) {
	// O_EXCL: a path that exists already can only come from a link in
	// the project pointing at it, and must not be written through.
	return root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
}

// writeAll writes files into the folder tmp, every one through an
// os.Root opened on it, so that no path and no link, whatever it holds,
// can make a write land outside tmp: the kernel resolves each path
// inside the root and refuses one that leads out. Folders are made
// first, then regular files, then links, so no file is ever written
// through a link of the project (package tree checked at render time
// that the links stay inside; the root holds even if it had not).
func writeAll(ctx context.Context, tmp string, files []template.File) error {
	root, err := os.OpenRoot(tmp)
	if err != nil {
		return fmt.Errorf("writing the project: %w", cause(err))
	}
	defer root.Close()
	for _, f := range files {
		if err := template.CheckPath(f.Path); err != nil {
			return fmt.Errorf("refusing to write %s: %w", f.From, err)
		}
	}
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return err
		}
		if dir := path.Dir(f.Path); dir != "." {
			if err := root.MkdirAll(dir, 0o755); err != nil {
				return fmt.Errorf("writing %s: %w", f.Path, cause(err))
			}
		}
	}
	for _, f := range files {
		if f.Link != "" {
			continue
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := writeFile(root, f); err != nil {
			return err
		}
	}
	for _, f := range files {
		if f.Link == "" {
			continue
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := root.Symlink(f.Link, f.Path); err != nil {
			return fmt.Errorf("writing %s: %w", f.Path, cause(err))
		}
	}
	return nil
}

// writeFile writes one regular file inside root. Its errors name the
// file as the project will have it, not its place in the temporary
// folder, which is gone by the time anyone reads the message.
func writeFile(root *os.Root, f template.File) error {
	w, err := createFile(root, f.Path, f.Mode.Perm())
	if err != nil {
		return fmt.Errorf("writing %s: %w", f.Path, cause(err))
	}
	if _, err := w.Write(f.Data); err != nil {
		w.Close()
		return fmt.Errorf("writing %s: %w", f.Path, cause(err))
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", f.Path, cause(err))
	}
	return nil
}

// cause drops the path and operation from an os error, when the caller
// names the object itself.
func cause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err
	}
	return err
}

// remedy is what the user can do about a failure of the disk.
func remedy(err error) string {
	switch {
	case errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EDQUOT):
		return "; free some space and run scaffold again"
	case errors.Is(err, fs.ErrPermission), errors.Is(err, syscall.EROFS):
		return "; choose a folder you can write to"
	}
	return ""
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
