//go:build !unix

package proc

import (
	"os"
	"os/exec"
)

// Without Unix process groups, ending a command ends only its own
// process; a port that needs more (Windows job objects) goes here.

func setGroup(cmd *exec.Cmd) {}

func terminate(p *os.Process) error { return p.Kill() }

func killGroup(p *os.Process) { p.Kill() }
