package project

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os/exec"
	"strings"
)

// HookError is a template hook that failed. The project stays in place.
type HookError struct {
	Index   int
	Command string
	Err     error
	// Output is the end of what the hook printed.
	Output string
}

func (e *HookError) Error() string {
	msg := fmt.Sprintf("hook %d (%s) failed: %v; the project is in place, finish by hand", e.Index+1, e.Command, e.Err)
	if e.Output != "" {
		msg += "\n" + e.Output
	}
	return msg
}

// RunHooks runs each command with /bin/sh -c in dir, in order, copying
// its output to w, and stops at the first that fails.
func RunHooks(ctx context.Context, dir string, hooks []string, env []string, w io.Writer) error {
	for i, h := range hooks {
		fmt.Fprintf(w, "running hook %d/%d: %s\n", i+1, len(hooks), h)
		var out bytes.Buffer
		cmd := exec.CommandContext(ctx, "/bin/sh", "-c", h)
		cmd.Dir = dir
		cmd.Env = env
		cmd.Stdout = io.MultiWriter(w, &out)
		cmd.Stderr = cmd.Stdout
		if err := cmd.Run(); err != nil {
			return &HookError{Index: i, Command: h, Err: err, Output: lastLines(out.String(), 20)}
		}
	}
	return nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
