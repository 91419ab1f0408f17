//go:build windows

package proc

import (
	"fmt"
	"sync"
	"syscall"
	"unsafe"

	"golang.org/x/sys/windows"
)

// StopName names what Stop sends, for messages.
const StopName = "Ctrl-Break"

// group is the job object that holds the command and what it starts,
// Windows' way to end a process tree: a process started by one in a
// job is in it too. The handle is closed once the command was waited
// for; the job is made to kill whatever is still in it then.
type group struct {
	mu  sync.Mutex
	job windows.Handle
}

// setGroup starts the command in a new console process group, so that
// a Ctrl-Break can be sent to it and its children (and a Ctrl-C at the
// console reaches scaffold, which then ends the group itself).
func setGroup(c *Cmd) {
	if c.SysProcAttr == nil {
		c.SysProcAttr = &syscall.SysProcAttr{}
	}
	c.SysProcAttr.CreationFlags |= windows.CREATE_NEW_PROCESS_GROUP
}

// started puts the command's process in a job object of its own. A
// weaker guarantee than a Unix process group: the process runs for a
// moment before it is assigned (os/exec cannot start it suspended), and
// a child it starts in that moment stays out of the job, so Kill does
// not reach it. Where no job can be made, Kill ends the process alone.
func started(c *Cmd) {
	job, err := windows.CreateJobObject(nil, nil)
	if err != nil {
		return
	}
	info := windows.JOBOBJECT_EXTENDED_LIMIT_INFORMATION{
		BasicLimitInformation: windows.JOBOBJECT_BASIC_LIMIT_INFORMATION{
			LimitFlags: windows.JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE,
		},
	}
	_, err = windows.SetInformationJobObject(job, windows.JobObjectExtendedLimitInformation,
		uintptr(unsafe.Pointer(&info)), uint32(unsafe.Sizeof(info)))
	if err == nil {
		var h windows.Handle
		h, err = windows.OpenProcess(windows.PROCESS_SET_QUOTA|windows.PROCESS_TERMINATE, false, uint32(c.Process.Pid))
		if err == nil {
			err = windows.AssignProcessToJobObject(job, h)
			windows.CloseHandle(h)
		}
	}
	if err != nil {
		windows.CloseHandle(job)
		return
	}
	c.group.mu.Lock()
	c.group.job = job
	c.group.mu.Unlock()
}

// released closes the job, which kills anything still in it.
func released(c *Cmd) {
	c.group.mu.Lock()
	defer c.group.mu.Unlock()
	if c.group.job != 0 {
		windows.CloseHandle(c.group.job)
		c.group.job = 0
	}
}

// stop sends Ctrl-Break to the command's process group: its children
// get it too, unlike SIGTERM on Unix, which reaches only the command.
// Ctrl-Break travels through the console: scaffold started without one
// (detached) cannot send it, and says so.
func stop(c *Cmd) error {
	if err := windows.GenerateConsoleCtrlEvent(windows.CTRL_BREAK_EVENT, uint32(c.Process.Pid)); err != nil {
		return fmt.Errorf("cannot send Ctrl-Break to process %d (it needs a console): %w", c.Process.Pid, err)
	}
	return nil
}

// terminate sends Ctrl-Break to the group, the nearest to SIGTERM.
// Without a console to share (scaffold started detached) there is no
// way to ask: the job is killed at once instead.
func terminate(c *Cmd) error {
	if err := stop(c); err != nil {
		killGroup(c)
	}
	return nil
}

// killGroup terminates every process in the job, and the command's own
// process in case it could not be put in one.
func killGroup(c *Cmd) {
	c.group.mu.Lock()
	if c.group.job != 0 {
		windows.TerminateJobObject(c.group.job, 1)
	}
	c.group.mu.Unlock()
	c.Process.Kill()
}
