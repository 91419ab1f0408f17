//go:build unix

package project

import (
	"io/fs"
	"os"
	"syscall"
)

// ownedByOther reports whether info is owned by a user other than this
// process's effective user and root, and that owner's uid.
func ownedByOther(info fs.FileInfo) (uid uint32, other bool) {
	st, ok := info.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, false
	}
	return st.Uid, int(st.Uid) != os.Geteuid() && st.Uid != 0
}
