//go:build unix

package project

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/scaffold-cli/scaffold/internal/proc/proctest"
)

// promptly is a generous bound, for a busy machine: far below the sleeps
// a hook would otherwise make scaffold wait out.
const promptly = 30 * time.Second

func TestRunHooksDoesNotWaitForABackgroundChild(t *testing.T) {
	dir := t.TempDir()
	var out bytes.Buffer
	done := make(chan error, 1)
	go func() {
		done <- RunHooks(context.Background(), dir, []string{"sleep 120 & echo $! > bg.pid", "echo next > next.txt"}, nil, &out)
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(promptly):
		t.Fatal("RunHooks still waits for the hook's background sleep")
	}
	if _, err := os.Stat(filepath.Join(dir, "next.txt")); err != nil {
		t.Error("the second hook did not run:", err)
	}
	if !proctest.Gone(t, filepath.Join(dir, "bg.pid"), promptly) {
		t.Error("the background sleep outlived its hook")
	}
}

func TestRunHooksEndsOnCancel(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- RunHooks(ctx, dir, []string{"sleep 300 & echo $! > sleep.pid.tmp; mv sleep.pid.tmp sleep.pid; wait", "echo never > never.txt"}, nil, &bytes.Buffer{})
	}()
	pidFile := filepath.Join(dir, "sleep.pid")
	for deadline := time.Now().Add(promptly); ; time.Sleep(20 * time.Millisecond) {
		if _, err := os.Stat(pidFile); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the hook did not start")
		}
	}
	cancel() // what scaffold's signal handler does on Ctrl-C or SIGTERM
	select {
	case err := <-done:
		var he *HookError
		if !errors.As(err, &he) || he.Index != 0 || !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want hook 1's HookError wrapping context.Canceled", err)
		}
		if !strings.Contains(err.Error(), "hook 1 (sleep 300 & ") || !strings.Contains(err.Error(), "was interrupted; the project is in place") {
			t.Errorf("message: %v", err)
		}
	case <-time.After(promptly):
		t.Fatal("RunHooks did not return after cancel")
	}
	if !proctest.Gone(t, pidFile, promptly) {
		t.Error("the hook's sleep outlived the cancel")
	}
	if _, err := os.Stat(filepath.Join(dir, "never.txt")); err == nil {
		t.Error("a hook ran after the cancel")
	}
}

func TestRunHooksKeepsTheEndOfALongOutput(t *testing.T) {
	dir := t.TempDir()
	var out bytes.Buffer
	// About 1 MiB of output, then the line that explains the failure.
	hook := `i=0; while [ $i -lt 16384 ]; do echo "line $i of noise, noise, noise, noise, noise."; i=$((i+1)); done; echo "the real error" >&2; exit 3`
	err := RunHooks(context.Background(), dir, []string{hook}, nil, &out)
	var he *HookError
	if !errors.As(err, &he) {
		t.Fatalf("err = %v", err)
	}
	if !strings.HasSuffix(he.Output, "the real error") || strings.Count(he.Output, "\n") != 19 {
		t.Errorf("Output: %d bytes, %d lines, ends %q", len(he.Output), strings.Count(he.Output, "\n")+1, he.Output[max(0, len(he.Output)-40):])
	}
	if !strings.Contains(out.String(), "line 0 of noise") || !strings.Contains(out.String(), "line 16383 of noise") {
		t.Error("the output was not all streamed to w")
	}
}

func TestHookErrorShowsControlsEscaped(t *testing.T) {
	var out bytes.Buffer
	err := RunHooks(context.Background(), t.TempDir(), []string{"printf 'oops\\n\\033[1A\\033[2Kall fine\\n'; false\r\x1b[2Kgo mod tidy"}, nil, &out)
	if !strings.Contains(out.String(), `running hook 1/1: printf 'oops\n\033[1A\033[2Kall fine\n'; false\r\x1b[2Kgo mod tidy`+"\n") {
		t.Errorf("progress: %q", out.String())
	}
	if err == nil || !strings.Contains(err.Error(), `hook 1 (printf 'oops\n\033[1A\033[2Kall fine\n'; false\r\x1b[2Kgo mod tidy) failed`) ||
		!strings.Contains(err.Error(), "\noops\n\\x1b[1A\\x1b[2Kall fine\n") {
		t.Errorf("err = %v", err)
	}
}
