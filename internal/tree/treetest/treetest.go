// Package treetest helps tests see what a folder on disk holds.
package treetest

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Listing is every path below root with its mode and its content or
// link target, read without opening anything but regular files (never a
// FIFO), without following links, and giving only the size of a file of
// 1 MiB or more: two listings differ when anything below root changed,
// times aside.
func Listing(t testing.TB, root string) string {
	t.Helper()
	var sb strings.Builder
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		info, err := d.Info()
		if err != nil {
			return err
		}
		fmt.Fprintf(&sb, "%s %v", filepath.ToSlash(rel), info.Mode())
		switch {
		case info.Mode()&fs.ModeSymlink != 0:
			l, _ := os.Readlink(p)
			sb.WriteString(" -> " + l)
		case info.Mode().IsRegular() && info.Size() < 1<<20:
			data, _ := os.ReadFile(p)
			sb.WriteString(" = " + string(data))
		case info.Mode().IsRegular():
			fmt.Fprintf(&sb, " size %d", info.Size())
		}
		sb.WriteString("\n")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return sb.String()
}

// Generous bounds a step that must neither block nor read a huge file:
// far more than it takes on a busy machine, far less than a hang.
const Generous = 20 * time.Second

// Quickly runs f and fails the test if it takes longer than Generous (a
// FIFO opened for a blocking read, a 4 GiB file read whole).
func Quickly(t testing.TB, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	start := time.Now()
	go func() { defer close(done); f() }()
	select {
	case <-done:
		t.Logf("%s took %v", what, time.Since(start).Round(time.Millisecond))
	case <-time.After(Generous):
		t.Fatalf("%s still running after %v: it blocks or reads what it must not", what, Generous)
	}
}
