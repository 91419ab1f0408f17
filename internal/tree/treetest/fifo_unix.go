//go:build unix

package treetest

import "syscall"

// Mkfifo makes a FIFO at path, mode 0644 before the umask.
func Mkfifo(path string) error { return syscall.Mkfifo(path, 0o644) }
