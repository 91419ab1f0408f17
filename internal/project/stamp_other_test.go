//go:build !linux && !darwin

package project

import "io/fs"

// changeStamp is empty here: Windows reports no ctime or inode through
// os.Lstat, so a snapshot there sees modes, times, sizes and contents.
func changeStamp(fs.FileInfo) string { return "" }
