//go:build !unix

package treetest

import "errors"

// Mkfifo fails where there are no FIFOs in the file system (Windows has
// named pipes, but only under \\.\pipe\, never in a folder): the tests
// that need one skip, saying so.
func Mkfifo(path string) error {
	return errors.New("no FIFOs in the file system on this platform")
}
