package project

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// CheckParents refuses to write through a symbolic link, on the way to
// dir, that belongs to another user: in a shared folder such as /tmp
// someone could point it anywhere the user may write. Links the user or
// root made (a home folder on another disk, say) are fine.
func CheckParents(dir string) error {
	for d := filepath.Dir(dir); ; d = filepath.Dir(d) {
		info, err := os.Lstat(d)
		if err == nil && info.Mode()&os.ModeSymlink != 0 {
			if uid, other := ownedByOther(info); other {
				target, _ := os.Readlink(d)
				return &TargetError{Dir: dir, Reason: fmt.Sprintf("is reached through %s, a symbolic link to %s owned by another user (uid %d); refusing to write through it: choose another place", d, target, uid)}
			}
		}
		if filepath.Dir(d) == d {
			return nil
		}
	}
}

// CheckGitData refuses a target inside a repository's git data: a
// folder of a .git (in any case: on a disk that ignores it, .GIT is the
// same folder), or of a folder that is a git directory itself, a bare
// repository's (HEAD, objects and refs, as git tells one). A project
// written there would turn its files into refs and objects of the
// repository, and break it. The part of dir that exists is looked at
// through its links, so that a link into git data is no way in.
func CheckGitData(dir string) error {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	// The nearest folder of dir that exists, with its links resolved.
	start, rest := abs, ""
	for {
		if real, err := filepath.EvalSymlinks(start); err == nil {
			abs = filepath.Join(real, rest)
			break
		}
		parent := filepath.Dir(start)
		if parent == start {
			break
		}
		rest = filepath.Join(filepath.Base(start), rest)
		start = parent
	}
	for d := abs; ; d = filepath.Dir(d) {
		if strings.EqualFold(filepath.Base(d), ".git") || isGitDir(d) {
			return &TargetError{Dir: dir, Reason: fmt.Sprintf("is inside the git data of the repository at %s: choose a folder of a work tree, or one outside any repository", d)}
		}
		if filepath.Dir(d) == d {
			return nil
		}
	}
}

// isGitDir says d holds a repository's git data: a HEAD file beside the
// objects and refs folders.
func isGitDir(d string) bool {
	head, err := os.Stat(filepath.Join(d, "HEAD"))
	if err != nil || !head.Mode().IsRegular() {
		return false
	}
	for _, sub := range []string{"objects", "refs"} {
		if info, err := os.Stat(filepath.Join(d, sub)); err != nil || !info.IsDir() {
			return false
		}
	}
	return true
}
