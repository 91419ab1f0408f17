//go:build !unix

package project

import "os/exec"

// hookShell is the shell that runs each hook with -c. Hooks are POSIX
// shell commands on every platform; Windows has no /bin/sh, so the sh
// on PATH runs them there (Git for Windows brings one, which git users
// have). Without one, each hook fails saying that sh was not found, and
// the project is left in place as after any failed hook.
func hookShell() string {
	if sh, err := exec.LookPath("sh"); err == nil {
		return sh
	}
	return "sh"
}
