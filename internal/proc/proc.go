// Package proc runs commands that scaffold does not control (template
// hooks, a project's own install, test and server commands) so that no
// wait outlives them: each runs in a process group of its own, the end
// of its context ends the whole group, and once the command itself has
// exited whatever it left behind in its group is killed. Waiting never
// depends on a pipe being closed by a process scaffold cannot see.
package proc

import (
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"sync"
	"time"
)

const (
	// Grace is how long a group has between SIGTERM and SIGKILL when
	// the command's context ends.
	Grace = 2 * time.Second
	// Drain is how long the output is still read once the command has
	// exited and its group was killed. Only a process that left the
	// group (setsid) can keep the pipe open that long; then it is closed.
	Drain = 2 * time.Second
)

// Cmd is an exec.Cmd in its own process group. Set Dir and Env on it as
// on exec.Cmd; use its Start, Wait and Run instead of exec.Cmd's, and
// leave Stdout, Stderr, Cancel and WaitDelay alone.
type Cmd struct {
	*exec.Cmd

	ctx    context.Context
	rs     []*os.File    // our ends of the output pipes
	copied chan struct{} // closed when the output copies end
	waited bool

	mu     sync.Mutex
	killer *time.Timer // SIGKILL after Grace, once cancelled

	group group // the platform's handle on the process group, if any
}

// Command is exec.CommandContext for a command in its own process
// group: when ctx ends the group gets SIGTERM, then SIGKILL after Grace.
func Command(ctx context.Context, name string, args ...string) *Cmd {
	c := &Cmd{Cmd: exec.CommandContext(ctx, name, args...), ctx: ctx}
	setGroup(c)
	c.Cancel = func() error {
		err := terminate(c)
		c.mu.Lock()
		if c.killer == nil {
			c.killer = time.AfterFunc(Grace, func() { killGroup(c) })
		}
		c.mu.Unlock()
		return err
	}
	// A backstop: exec kills the process itself if it is still there
	// when the group should have been killed already.
	c.WaitDelay = Grace + Drain
	return c
}

// Start starts the command with its standard output and error copied to
// out through a pipe of its own: the command gets the pipe's write end
// as a file, so exec does not wait for it to close.
func (c *Cmd) Start(out io.Writer) error { return c.start(out) }

// StartSplit is Start with standard output copied to out and standard
// error to errOut, each through a pipe of its own.
func (c *Cmd) StartSplit(out, errOut io.Writer) error { return c.start(out, errOut) }

func (c *Cmd) start(outs ...io.Writer) error {
	var rs, ws []*os.File
	closeAll := func(fs []*os.File) {
		for _, f := range fs {
			f.Close()
		}
	}
	for range outs {
		r, w, err := os.Pipe()
		if err != nil {
			closeAll(rs)
			closeAll(ws)
			return err
		}
		rs, ws = append(rs, r), append(ws, w)
	}
	c.Stdout, c.Stderr = ws[0], ws[len(ws)-1]
	err := c.Cmd.Start()
	closeAll(ws) // the child has its copies; EOF once every holder is gone
	if err != nil {
		closeAll(rs)
		return err
	}
	started(c)
	c.rs, c.copied = rs, make(chan struct{})
	live.Store(c, struct{}{})
	var wg sync.WaitGroup
	for i, r := range rs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Once out fails (a full disk), the pipe is still read: a
			// command blocked writing to it would never exit.
			if _, err := io.Copy(outs[i], r); err != nil {
				io.Copy(io.Discard, r)
			}
		}()
	}
	go func() { wg.Wait(); close(c.copied) }()
	return nil
}

func (c *Cmd) closeReaders() {
	for _, r := range c.rs {
		r.Close()
	}
}

// Wait waits for the command's own process, kills what is left of its
// process group, and waits at most Drain for the rest of its output.
// It returns the command's error; when the context ended the command,
// it returns the context's error.
func (c *Cmd) Wait() error {
	if c.copied == nil || c.waited {
		return errors.New("proc: Wait without Start, or twice")
	}
	c.waited = true
	err := c.Cmd.Wait()
	c.mu.Lock()
	if c.killer != nil {
		c.killer.Stop()
	}
	c.mu.Unlock()
	killGroup(c)
	released(c)
	live.Delete(c)
	t := time.NewTimer(Drain)
	defer t.Stop()
	select {
	case <-c.copied:
	case <-t.C:
		// Something outside the group holds a pipe: stop reading.
		c.closeReaders()
		<-c.copied
	}
	c.closeReaders()
	if ctxErr := c.ctxErr(); ctxErr != nil && err != nil {
		return ctxErr
	}
	return err
}

func (c *Cmd) ctxErr() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.killer == nil {
		return nil // Cancel was never called
	}
	return c.ctx.Err()
}

// Run starts the command, copying its output to out, and waits for it.
func (c *Cmd) Run(out io.Writer) error {
	if err := c.Start(out); err != nil {
		return err
	}
	return c.Wait()
}

// Run2 is Run with standard output to out and standard error to errOut.
func (c *Cmd) Run2(out, errOut io.Writer) error {
	if err := c.StartSplit(out, errOut); err != nil {
		return err
	}
	return c.Wait()
}

// Signal sends sig to the command's own process, not its group.
func (c *Cmd) Signal(sig os.Signal) error { return c.Process.Signal(sig) }

// Stop asks the command to shut down cleanly, as a service manager
// would: SIGTERM to its own process on Unix (not to its group), and a
// Ctrl-Break to its process group on Windows, which has no SIGTERM to
// send (Go programs see it as os.Interrupt, Node.js as SIGBREAK). See
// StopName.
func (c *Cmd) Stop() error { return stop(c) }

// Kill kills the command's whole process group at once.
func (c *Cmd) Kill() { killGroup(c) }

// live holds the commands started and not yet waited for.
var live sync.Map // *Cmd -> struct{}

// KillAll kills the process group of every command started and not yet
// waited for, at once: for a process about to exit without waiting for
// them (a second Ctrl-C), so that none outlives it.
func KillAll() {
	live.Range(func(k, _ any) bool {
		killGroup(k.(*Cmd))
		return true
	})
}
