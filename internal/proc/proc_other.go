//go:build !unix && !windows

package proc

// StopName names what Stop sends, for messages.
const StopName = "a kill"

// Without process groups (plan9, js, wasip1), ending a command ends
// only its own process.
type group struct{}

func setGroup(*Cmd) {}

func started(*Cmd) {}

func released(*Cmd) {}

func stop(c *Cmd) error { return c.Process.Kill() }

func terminate(c *Cmd) error { return c.Process.Kill() }

func killGroup(c *Cmd) { c.Process.Kill() }
