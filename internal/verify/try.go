package verify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"time"

	"github.com/scaffold-cli/scaffold/internal/display"
	"github.com/scaffold-cli/scaffold/internal/proc"
	"github.com/scaffold-cli/scaffold/internal/template"
)

// Try is what the try step asks of a built command-line tool: its
// --help exits 0 and names each of Commands, --version exits 0 with one
// line, an unknown flag exits 2 with a message on stderr and nothing on
// stdout, and each of Samples gives its output.
type Try struct {
	Args     []string
	Commands []string
	Samples  []template.Sample
}

// Bounds of one run of the tool.
const (
	TryTimeout = 30 * time.Second
	// tryOutput bounds what is kept of each of its outputs.
	tryOutput = 1 << 20
)

// unknownFlag is a flag no tool has.
const unknownFlag = "--scaffold-verify-no-such-flag"

func samples(n int) string {
	if n == 1 {
		return "1 sample"
	}
	return fmt.Sprintf("%d samples", n)
}

// ran is what one run of the tool gave.
type ran struct {
	args           []string
	code           int
	stdout, stderr string
}

func (r ran) String() string {
	// The end of each output, where a tool says what went wrong, as the
	// other steps show it.
	return fmt.Sprintf("%s exited %d\nstdout:\n%s\nstderr:\n%s", shown(strings.Join(r.args, " ")), r.code, shown(tail([]byte(r.stdout), 0)), shown(tail([]byte(r.stderr), 0)))
}

// shown is the project's output as printed: its lines, with what a
// terminal would act on escaped.
func shown(s string) string { return display.Lines(strings.TrimSuffix(s, "\n")) }

func try(parent context.Context, dir string, t *Try, env []string) error {
	run := func(stdin string, args ...string) (ran, error) {
		ctx, cancel := context.WithTimeout(parent, TryTimeout)
		defer cancel()
		all := append(slices.Clone(t.Args), args...)
		cmd := proc.Command(ctx, all[0], all[1:]...)
		cmd.Dir, cmd.Env = dir, env
		cmd.Stdin = strings.NewReader(stdin)
		var out, errOut capped
		err := cmd.Run2(&out, &errOut)
		r := ran{args: append([]string{"$"}, all...), stdout: out.String(), stderr: errOut.String()}
		var exit *exec.ExitError
		switch {
		case err != nil && parent.Err() != nil:
			// Ended by the caller (Ctrl-C), not by the tool's timeout.
			return r, context.Cause(parent)
		case errors.As(err, &exit):
			r.code = exit.ExitCode()
		case err != nil && ctx.Err() != nil:
			return r, fmt.Errorf("%s did not finish within %v", shown(strings.Join(all, " ")), TryTimeout)
		case err != nil:
			// exec's error quotes the template's command.
			return r, errors.New(shown(err.Error()))
		}
		return r, nil
	}

	help, err := run("", "--help")
	if err != nil {
		return err
	}
	if help.code != 0 {
		return fmt.Errorf("--help exited %d, want 0\n%s", help.code, help)
	}
	for _, c := range t.Commands {
		if !strings.Contains(help.stdout+help.stderr, c) {
			return fmt.Errorf("--help does not name the subcommand %q\n%s", c, help)
		}
	}
	version, err := run("", "--version")
	if err != nil {
		return err
	}
	if lines := strings.Split(strings.TrimSpace(version.stdout), "\n"); version.code != 0 || lines[0] == "" || len(lines) != 1 {
		return fmt.Errorf("--version must exit 0 and print one line on stdout\n%s", version)
	}
	bad, err := run("", unknownFlag)
	if err != nil {
		return err
	}
	if bad.code != 2 || strings.TrimSpace(bad.stderr) == "" || bad.stdout != "" {
		return fmt.Errorf("an unknown flag must exit 2 with a message on stderr and nothing on stdout\n%s", bad)
	}
	for i, s := range t.Samples {
		got, err := run(s.Stdin, s.Args...)
		if err != nil {
			return err
		}
		switch {
		case got.code != s.Exit:
			return fmt.Errorf("sample %d: exit %d, want %d\n%s", i+1, got.code, s.Exit, got)
		case s.Stdout != nil && got.stdout != *s.Stdout:
			return fmt.Errorf("sample %d: stdout is not the %q expected\n%s", i+1, *s.Stdout, got)
		case !strings.Contains(got.stderr, s.Stderr):
			return fmt.Errorf("sample %d: stderr lacks %q\n%s", i+1, s.Stderr, got)
		}
	}
	return nil
}

// capped keeps the first tryOutput bytes written to it, and says when
// there was more.
type capped struct {
	b    bytes.Buffer
	more bool
}

func (c *capped) Write(p []byte) (int, error) {
	if room := tryOutput - c.b.Len(); len(p) > room {
		c.b.Write(p[:max(room, 0)])
		c.more = true
		return len(p), nil
	}
	return c.b.Write(p)
}

func (c *capped) String() string {
	if c.more {
		return c.b.String() + "\n[more output cut]"
	}
	return c.b.String()
}
