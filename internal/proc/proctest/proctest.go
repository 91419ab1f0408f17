// Package proctest helps tests check that the processes a command left
// behind are gone.
package proctest

import (
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/scaffold-cli/scaffold/internal/proc"
)

// Gone reports whether the process whose pid is written in file ends
// within d: a killed process disappears when its parent (init, or a
// subreaper) reaps it, on its own time.
func Gone(t testing.TB, file string, d time.Duration) bool {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	for deadline := time.Now().Add(d); ; time.Sleep(50 * time.Millisecond) {
		if !proc.Alive(pid) {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
	}
}

// DeadPid is the pid of a process that has ended and been reaped; the
// test is skipped when the system hands the pid out again at once.
func DeadPid(t testing.TB) int {
	t.Helper()
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Skipf("cannot run true: %v", err)
	}
	pid := cmd.Process.Pid
	if proc.Alive(pid) {
		t.Skipf("pid %d was reused at once", pid)
	}
	return pid
}
