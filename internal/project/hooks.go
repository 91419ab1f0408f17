package project

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/scaffold-cli/scaffold/internal/display"
	"github.com/scaffold-cli/scaffold/internal/proc"
)

// HookError is a template hook that failed. The project stays in place.
type HookError struct {
	Index   int
	Command string
	Err     error
	// Output is the end of what the hook printed, as it printed it;
	// Error shows it escaped.
	Output string
}

func (e *HookError) Error() string {
	what := fmt.Sprintf("failed: %v", e.Err)
	if errors.Is(e.Err, context.Canceled) {
		what = "was interrupted"
	}
	msg := fmt.Sprintf("hook %d (%s) %s; the project is in place, finish by hand", e.Index+1, display.Untrusted(e.Command), what)
	if e.Output != "" {
		// Escaped line by line: the hook's output must not redraw the
		// message it is part of (cursor up, erase line).
		msg += "\n" + display.Lines(e.Output)
	}
	return msg
}

// Unwrap makes an interrupted hook an interruption (exit 130).
func (e *HookError) Unwrap() error { return e.Err }

// RunHooks runs each command with /bin/sh -c (see hookShell) in dir, in order, copying
// its output to w, and stops at the first that fails. Each hook runs in a
// process group of its own: when its shell exits, whatever it left
// running (sleep 120 &) is killed, and when ctx ends (Ctrl-C) the whole
// group is. env is the hooks' whole environment; see HookEnv.
func RunHooks(ctx context.Context, dir string, hooks []string, env []string, w io.Writer) error {
	for i, h := range hooks {
		fmt.Fprintf(w, "running hook %d/%d: %s\n", i+1, len(hooks), display.Untrusted(h))
		var out proc.Tail
		cmd := proc.Command(ctx, hookShell(), "-c", h)
		cmd.Dir = dir
		cmd.Env = env
		if err := cmd.Run(io.MultiWriter(w, &out)); err != nil {
			b, dropped := out.Bytes()
			return &HookError{Index: i, Command: h, Err: err, Output: lastLines(b, dropped, 20)}
		}
	}
	return nil
}

// lastLines is the last n lines of a tail of output; a first line that
// was cut by the tail is left out.
func lastLines(b []byte, dropped int64, n int) string {
	s := strings.TrimRight(string(b), "\n")
	if dropped > 0 {
		if _, rest, ok := strings.Cut(s, "\n"); ok {
			s = rest
		}
	}
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
