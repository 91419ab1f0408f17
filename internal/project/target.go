package project

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// CheckParents refuses to write through a symbolic link, on the way to
// dir, that belongs to another user: in a shared folder such as /tmp
// someone could point it anywhere the user may write. Links the user or
// root made (a home folder on another disk, say) are fine.
func CheckParents(dir string) error {
	me := os.Geteuid()
	for d := filepath.Dir(dir); ; d = filepath.Dir(d) {
		info, err := os.Lstat(d)
		if err == nil && info.Mode()&os.ModeSymlink != 0 {
			if st, ok := info.Sys().(*syscall.Stat_t); ok && int(st.Uid) != me && st.Uid != 0 {
				target, _ := os.Readlink(d)
				return &TargetError{Dir: dir, Reason: fmt.Sprintf("is reached through %s, a symbolic link to %s owned by another user (uid %d); refusing to write through it: choose another place", d, target, st.Uid)}
			}
		}
		if filepath.Dir(d) == d {
			return nil
		}
	}
}
