//go:build unix

package proc

import (
	"os"
	"syscall"
)

// StopName names what Stop sends, for messages.
const StopName = "SIGTERM"

// group is empty on Unix: the process group's id is the leader's pid.
type group struct{}

// setGroup makes the command the leader of a new session, and so of a
// new process group, so that a signal to the group reaches everything it
// starts (and a Ctrl-C at the terminal reaches scaffold, which then ends
// the group itself). The session has no terminal: a command that asks
// at /dev/tty (git or ssh wanting a password or a host key) fails and
// says so. In a group of scaffold's session it would open the terminal
// as a background job, and be stopped (SIGTTIN) with scaffold waiting.
func setGroup(c *Cmd) {
	if c.SysProcAttr == nil {
		c.SysProcAttr = &syscall.SysProcAttr{}
	}
	c.SysProcAttr.Setsid = true
}

func started(*Cmd) {}

func released(*Cmd) {}

// stop sends SIGTERM to the command's own process.
func stop(c *Cmd) error { return c.Process.Signal(syscall.SIGTERM) }

// terminate sends SIGTERM to the process's group.
func terminate(c *Cmd) error {
	if err := syscall.Kill(-c.Process.Pid, syscall.SIGTERM); err != nil {
		if err == syscall.ESRCH {
			return os.ErrProcessDone
		}
		return err
	}
	return nil
}

// killGroup sends SIGKILL to the process's group. A group with no
// process left is not an error. The group's id is not reused while any
// member lives; once the group is empty it could be, in principle, which
// is why this runs right after the leader is reaped, not later.
func killGroup(c *Cmd) {
	syscall.Kill(-c.Process.Pid, syscall.SIGKILL)
}
