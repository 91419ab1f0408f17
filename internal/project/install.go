package project

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/scaffold-cli/scaffold/internal/display"
	"github.com/scaffold-cli/scaffold/internal/proc"
)

// Install is the dependency install that Create runs in a new project
// before its first commit, so that the lock file it writes is part of
// that commit, as create-* tools do. Whether it may run at all for a
// template that is not trusted is the caller's decision: a package
// manager runs what the template's files name (npm, the scripts of every
// dependency; cargo, a .cargo/config.toml's wrappers).
type Install struct {
	// Args is the command: npm install, cargo fetch. Shown is it as
	// printed, with what it derives from a secret answer masked; Args
	// joined when empty.
	Args  []string
	Shown string
	// Env is its whole environment (see InstallEnv).
	Env []string
	// Lock is the file it writes, committed with the rendered files;
	// empty when the language's is not known.
	Lock string
	// Output receives what it prints.
	Output io.Writer
}

// InstallError is an install that failed. The project is still
// created, without the lock file.
type InstallError struct {
	Command string
	Lock    string
	Err     error
	// Output is the end of what the command printed; Error shows it
	// escaped.
	Output string
}

func (e *InstallError) Error() string {
	msg := fmt.Sprintf("installing the dependencies (%s) failed: %v; the project is in place without them: run %s in it",
		display.Untrusted(e.Command), e.Err, display.Untrusted(e.Command))
	if e.Lock != "" {
		msg += ", then commit " + e.Lock
	}
	if e.Output != "" {
		msg += "\n" + display.Lines(e.Output)
	}
	return msg
}

// Unwrap makes an interrupted install an interruption (exit 130).
func (e *InstallError) Unwrap() error { return e.Err }

// InstallEnv is the install's environment: the user's own, which the
// package manager needs (its registry, proxy and credentials), without
// scaffold's variables (SCAFFOLD_GIT_TOKEN is among them): nothing the
// dependencies' scripts see should be scaffold's.
func InstallEnv(environ []string) []string {
	env := make([]string, 0, len(environ))
	for _, kv := range environ {
		if !strings.HasPrefix(kv, "SCAFFOLD_") {
			env = append(env, kv)
		}
	}
	return env
}

// run runs the install in dir, the project's temporary folder. It
// reports the time it took and whether it wrote the lock file; on
// failure it removes the lock file it may have left half-written, so
// that no commit holds it. rendered says whether the template itself
// wrote the lock file, which is kept.
func (in *Install) run(ctx context.Context, dir string, rendered bool) (took time.Duration, locked bool, err error) {
	command := in.Shown
	if command == "" {
		command = strings.Join(in.Args, " ")
	}
	fmt.Fprintf(in.Output, "installing dependencies: %s\n", display.Untrusted(command))
	start := time.Now()
	var out proc.Tail
	cmd := proc.Command(ctx, in.Args[0], in.Args[1:]...)
	cmd.Dir = dir
	cmd.Env = in.Env
	err = cmd.Run(io.MultiWriter(in.Output, &out))
	took = time.Since(start)
	if err == nil && in.Lock != "" {
		// No lock file is no failure: a Go module with no dependencies
		// has no go.sum, and npm writes none with package-lock=false.
		// What is committed as the lock file is one, though: not a link
		// (out of the project, say) nor a folder.
		info, serr := os.Lstat(filepath.Join(dir, in.Lock))
		switch {
		case serr == nil && !info.Mode().IsRegular():
			err = fmt.Errorf("the %s it left is not a file", in.Lock)
		case serr == nil:
			locked = true
		case !errors.Is(serr, fs.ErrNotExist):
			err = serr
		}
	}
	if err != nil {
		if !rendered && in.Lock != "" {
			os.RemoveAll(filepath.Join(dir, in.Lock))
		}
		b, dropped := out.Bytes()
		return took, false, &InstallError{Command: command, Lock: in.Lock, Err: err, Output: lastLines(b, dropped, 20)}
	}
	return took, locked, nil
}
