//go:build unix

package proc

import (
	"os"
	"os/exec"
	"syscall"
)

// setGroup makes the command the leader of a new process group, so that
// a signal to the group reaches everything it starts (and a Ctrl-C at
// the terminal reaches scaffold, which then ends the group itself).
func setGroup(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setpgid = true
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
