//go:build unix

package proc_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/scaffold-cli/scaffold/internal/proc"
	"github.com/scaffold-cli/scaffold/internal/proc/proctest"
)

// The bound for "promptly": generous, so a busy machine passes, and far
// below the sleeps the commands would otherwise wait out.
const prompt = 30 * time.Second

func TestRunDoesNotWaitForWhatALeaderLeft(t *testing.T) {
	pidFile := filepath.Join(t.TempDir(), "pid")
	var out bytes.Buffer
	start := time.Now()
	cmd := proc.Command(context.Background(), "/bin/sh", "-c", `sleep 120 & echo $! > "$1"; echo started`, "sh", pidFile)
	if err := cmd.Run(&out); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > prompt {
		t.Errorf("Run took %v", d)
	}
	if out.String() != "started\n" {
		t.Errorf("output %q", out.String())
	}
	if !proctest.Gone(t, pidFile, prompt) {
		t.Error("the background sleep outlived its group")
	}
}

func TestCancelEndsTheGroupEvenIfItIgnoresSIGTERM(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := proc.Command(ctx, "/bin/sh", "-c", `trap '' TERM; sleep 300 & echo $! > child; echo $$ > leader.tmp; mv leader.tmp leader; wait`)
	cmd.Dir = dir
	var out bytes.Buffer
	if err := cmd.Start(&out); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(prompt); ; time.Sleep(20 * time.Millisecond) {
		if _, err := os.Stat(filepath.Join(dir, "leader")); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the command did not start")
		}
	}
	cancel()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Wait = %v, want context.Canceled", err)
		}
	case <-time.After(prompt):
		t.Fatal("Wait did not return after cancel")
	}
	if !proctest.Gone(t, filepath.Join(dir, "child"), prompt) {
		t.Error("the child outlived the cancel")
	}
	if !proctest.Gone(t, filepath.Join(dir, "leader"), prompt) {
		t.Error("the shell outlived the cancel")
	}
}

func TestTailKeepsTheEnd(t *testing.T) {
	tl := proc.Tail{Max: 10}
	for i := 0; i < 100; i++ {
		tl.Write([]byte(strconv.Itoa(i % 10)))
	}
	b, dropped := tl.Bytes()
	if string(b) != "0123456789" || dropped != 90 {
		t.Errorf("Bytes = %q, %d", b, dropped)
	}
	var big proc.Tail
	big.Write(bytes.Repeat([]byte("x"), 3*proc.TailSize))
	if b, dropped := big.Bytes(); len(b) != proc.TailSize || dropped != 2*proc.TailSize {
		t.Errorf("kept %d, dropped %d", len(b), dropped)
	}
}

// A process that left the group (setsid) is out of reach, but holding
// the output pipe it still cannot keep Wait waiting past Drain.
func TestRunIsBoundedWhenAnEscapeeHoldsThePipe(t *testing.T) {
	if _, err := os.Stat("/usr/bin/setsid"); err != nil {
		t.Skip("no setsid")
	}
	pidFile := filepath.Join(t.TempDir(), "pid")
	t.Cleanup(func() {
		if data, err := os.ReadFile(pidFile); err == nil {
			if pid, err := strconv.Atoi(strings.TrimSpace(string(data))); err == nil {
				syscall.Kill(pid, syscall.SIGKILL)
			}
		}
	})
	var out bytes.Buffer
	start := time.Now()
	cmd := proc.Command(context.Background(), "/bin/sh", "-c", `/usr/bin/setsid sh -c 'echo $$ > "$1"; exec sleep 120' sh "$1" & while [ ! -s "$1" ]; do sleep 0.01; done; echo leader done`, "sh", pidFile)
	if err := cmd.Run(&out); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > prompt {
		t.Errorf("Run took %v", d)
	}
	if !strings.Contains(out.String(), "leader done") {
		t.Errorf("output %q", out.String())
	}
}

// failingWriter is an output that takes nothing: a full disk, /dev/full.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, syscall.ENOSPC }

// An output that fails does not stop the reading of the pipe: a command
// that prints more than the pipe holds would block on it for good.
func TestRunWhenTheOutputFails(t *testing.T) {
	done := make(chan error, 1)
	go func() {
		done <- proc.Command(context.Background(), "/bin/sh", "-c", "yes progress | head -c 1000000").Run(failingWriter{})
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run: %v", err)
		}
	case <-time.After(prompt):
		t.Fatal("Run still waits on a command blocked on its output")
	}
}
