package project

import (
	"fmt"
	"io/fs"
	"syscall"
)

// changeStamp is what the file system changes about a file whenever
// anything is done to it: its ctime and inode.
func changeStamp(info fs.FileInfo) string {
	st := info.Sys().(*syscall.Stat_t)
	return fmt.Sprintf("ctime=%d.%d ino=%d", st.Ctim.Sec, st.Ctim.Nsec, st.Ino)
}
