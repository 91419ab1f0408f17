//go:build unix

package tree

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestSpecialFilesNeverBlock: a FIFO is refused without waiting for a
// writer, whether it is listed in a folder or named directly.
func TestSpecialFilesNeverBlock(t *testing.T) {
	dir := layout(t, map[string]string{"scaffold.yaml": "name: x\n"})
	fifo := filepath.Join(dir, "pipe")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("no FIFOs here: %v", err)
	}
	done := make(chan error, 2)
	go func() { _, err := ReadDir(dir, DefaultLimits); done <- err }()
	go func() {
		root, err := os.OpenRoot(dir)
		if err != nil {
			done <- err
			return
		}
		defer root.Close()
		_, _, err = ReadFile(root, "pipe", 1<<20)
		done <- err
	}()
	for range 2 {
		select {
		case err := <-done:
			if err == nil || !strings.Contains(err.Error(), "FIFO") {
				t.Errorf("err = %v, want a FIFO refused", err)
			}
		case <-time.After(time.Minute):
			t.Fatal("reading a FIFO blocked")
		}
	}
}
