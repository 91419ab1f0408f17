package template

import (
	"bytes"
	"context"
	"errors"
	"fmt"
)

// MaxCommandBytes bounds one command a manifest lists for scaffold to
// show or run (a next step, a verify step), all its arguments rendered
// together: what Linux lets one argument be (MAX_ARG_STRLEN), far above
// any real command. A manifest may list any number of arguments, each
// of which could render a file's MaxFileBytes; with this bound the
// steps of a manifest (MaxNextSteps, MaxVerifySteps) hold a few MiB at
// most.
const MaxCommandBytes = 128 << 10

// Command is a command a manifest lists, as template text.
type Command struct {
	// What names it in errors: "next step 2", "verify step test".
	What string
	// Args are its arguments, one template text each.
	Args []string
}

// EvalCommands renders cmds over data: each argument as EvalContext
// renders text, a command's arguments together at most MaxCommandBytes,
// and all of them within RenderTimeout, as a whole render is, however
// many arguments they list.
func (t *Template) EvalCommands(ctx context.Context, cmds []Command, data map[string]any) ([][]string, error) {
	ctx, cancel := context.WithTimeoutCause(ctx, renderTimeout,
		fmt.Errorf("the steps did not finish rendering within %v; does a loop run too long?", renderTimeout))
	defer cancel()
	out := make([][]string, len(cmds))
	for i, c := range cmds {
		left := MaxCommandBytes
		args := make([]string, len(c.Args))
		for j, a := range c.Args {
			if ctx.Err() != nil {
				return nil, fmt.Errorf("%s: %s: %w", t.Name, c.What, context.Cause(ctx))
			}
			var buf bytes.Buffer
			err := execute(ctx, &buf, c.What, a, data, left)
			var over *overLimit
			switch {
			case errors.As(err, &over):
				return nil, fmt.Errorf("%s: %s renders to more than %d KiB, its arguments together: a step is one command line; is a loop or repeat out of bounds?", t.Name, c.What, MaxCommandBytes>>10)
			case err != nil:
				return nil, fmt.Errorf("%s: %s: %w", t.Name, c.What, err)
			}
			left -= buf.Len()
			args[j] = buf.String()
		}
		out[i] = args
	}
	return out, nil
}
