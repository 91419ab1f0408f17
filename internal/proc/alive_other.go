//go:build !unix && !windows

package proc

import "os"

// Alive reports whether the process pid exists. Where the platform cannot
// tell, it says yes, the safe answer for a caller about to remove what a
// live process may still use.
func Alive(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	p.Release()
	return true
}
