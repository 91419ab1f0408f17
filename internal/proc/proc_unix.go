//go:build unix

package proc

import (
	"os"
	"os/exec"
	"syscall"
)

// setGroup makes the command the leader of a new session, and so of a
// new process group, so that a signal to the group reaches everything it
// starts (and a Ctrl-C at the terminal reaches scaffold, which then ends
// the group itself). The session has no terminal: a command that asks
// at /dev/tty (git or ssh wanting a password or a host key) fails and
// says so. In a group of scaffold's session it would open the terminal
// as a background job, and be stopped (SIGTTIN) with scaffold waiting.
func setGroup(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setsid = true
}

// terminate sends SIGTERM to the process's group.
func terminate(p *os.Process) error {
	if err := syscall.Kill(-p.Pid, syscall.SIGTERM); err != nil {
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
func killGroup(p *os.Process) {
	syscall.Kill(-p.Pid, syscall.SIGKILL)
}
