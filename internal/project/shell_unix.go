//go:build unix

package project

// hookShell is the shell that runs each hook with -c.
func hookShell() string { return "/bin/sh" }
