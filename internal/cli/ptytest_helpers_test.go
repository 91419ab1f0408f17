//go:build linux

package cli_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	expect "github.com/Netflix/go-expect"
	"github.com/creack/pty"
	"github.com/hinshun/vt10x"
	"golang.org/x/sys/unix"
	"golang.org/x/term"
)

// This file drives the real binary through a pseudo-terminal. It is
// Linux only: knowing that scaffold has read its input needs TIOCINQ and
// Linux's poll on a pseudo-terminal (see drained).

// ptyTimeout bounds every wait on the terminal: for scaffold to write,
// to read what it was sent, to exit. A working run needs well under a
// second a prompt; CI runs on two busy cores, and how fast scaffold
// answers belongs in a benchmark, not here.
const ptyTimeout = 60 * time.Second

// The terminal's size, told to vt10x and to the kernel alike so that
// survey's line counting matches the screen.
const ptyCols, ptyRows = 80, 24

// session runs scaffold on a pseudo-terminal played by vt10x. vt is the
// screen a user would see, raw everything scaffold wrote.
type session struct {
	c      *expect.Console
	vt     vt10x.Terminal
	raw    *bytes.Buffer
	fd     int // the terminal scaffold reads, the test's descriptor of it
	cmd    *exec.Cmd
	exited chan struct{}
	err    error // cmd.Wait's, once exited is closed
}

// consoleInput writes to the console (scaffold's input) once it exists:
// vt10x needs its writer before the console can be made.
type consoleInput struct{ c *expect.Console }

func (w *consoleInput) Write(p []byte) (int, error) { return w.c.Write(p) }

func startSession(t *testing.T, work string, args ...string) *session {
	t.Helper()
	// vt10x answers survey's cursor position queries. It sees scaffold's
	// output only as the test reads it (in expect) and writes its answer
	// straight into scaffold's input then, so when an expect returns,
	// every answer it called for is already on its way to scaffold.
	in := &consoleInput{}
	vt := vt10x.New(vt10x.WithWriter(in), vt10x.WithSize(ptyCols, ptyRows))
	raw := &bytes.Buffer{}
	c, err := expect.NewConsole(expect.WithStdout(vt, raw), expect.WithDefaultTimeout(ptyTimeout))
	if err != nil {
		t.Skipf("no pseudo-terminal here: %v", err)
	}
	in.c = c
	t.Cleanup(func() { c.Close() })
	tty := c.Tty()
	fd := int(tty.Fd())
	if err := pty.Setsize(tty, &pty.Winsize{Cols: ptyCols, Rows: ptyRows}); err != nil {
		t.Fatal(err)
	}
	// Input starts raw, as survey sets the terminal while it reads: keys
	// the test sends before survey switches modes are then neither echoed
	// nor held back for a line end by the terminal. A person typing ahead
	// meets the cooked mode; the test is about the prompts, not that race.
	// Output stays processed (\n becomes \r\n), as survey leaves it, so
	// lines start where a user would see them.
	if _, err := term.MakeRaw(fd); err != nil {
		t.Fatal(err)
	}
	tio, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	tio.Oflag |= unix.OPOST
	if err := unix.IoctlSetTermios(fd, unix.TCSETS, tio); err != nil {
		t.Fatal(err)
	}

	cmd := exec.Command(os.Args[0], args...)
	cmd.Dir = work
	cmd.Env = append(os.Environ(), "SCAFFOLD_TEST_AS_MAIN=1", "HOME="+work, "GIT_CONFIG_NOSYSTEM=1", "NO_COLOR=1", "TERM=xterm")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, tty
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &session{c: c, vt: vt, raw: raw, fd: fd, cmd: cmd, exited: make(chan struct{})}
	go func() { s.err = cmd.Wait(); close(s.exited) }()
	// A test that fails half way leaves no scaffold waiting for keys.
	t.Cleanup(func() {
		select {
		case <-s.exited:
		default:
			cmd.Process.Kill()
			<-s.exited
		}
	})
	return s
}

// answer types keys (a line and its enter) at the line prompt (input,
// password, confirm) showing want, once scaffold reads that line.
func (s *session) answer(t *testing.T, want, keys string) {
	t.Helper()
	s.ready(t, want, true)
	s.send(t, keys)
}

// choose sends keys to the select or multi-select prompt showing want,
// once it is ready.
func (s *session) choose(t *testing.T, want, keys string) {
	t.Helper()
	s.ready(t, want, false)
	s.send(t, keys)
}

// cursorQuery is what survey writes just before it reads a line: it
// shows the cursor again after measuring the terminal (Cursor.Size) and
// asks for the cursor's position (Cursor.Location).
const cursorQuery = "\x1b[?25h\x1b[6n"

// ready waits until keys sent now reach the prompt showing want: the
// screen shows want, scaffold has read everything sent to it, and for a
// line prompt it has also read the answer to its last cursor query.
//
// A line prompt must wait for that answer: survey reads each one through
// a fresh bufio.Reader and drops whatever else that read took in
// (terminal/cursor.go), so a key arriving with it is lost and the prompt
// waits for ever. Once it is read, survey's next read is the line. Select
// prompts ask nothing; keys sent once they are drawn wait in the (raw)
// terminal until survey reads them.
func (s *session) ready(t *testing.T, want string, line bool) {
	t.Helper()
	if _, err := s.c.Expect(shows{s.vt, want}.opt); err != nil {
		t.Fatalf("waiting for the prompt %q: %v\n%s", want, err, s.screen())
	}
	if line {
		s.expect(t, cursorQuery)
	}
	s.drained(t)
}

// shows matches once this expect has read text and the screen shows it.
type shows struct {
	vt   vt10x.Terminal
	text string
}

func (m shows) Match(v any) bool {
	buf, ok := v.(*bytes.Buffer)
	return ok && strings.Contains(buf.String(), m.text) && strings.Contains(m.vt.String(), m.text)
}

func (m shows) Criteria() any { return m.text }

func (m shows) opt(opts *expect.ExpectOpts) error {
	opts.Matchers = append(opts.Matchers, m)
	return nil
}

// drained waits until scaffold has read every byte sent to it. A write to
// the pseudo-terminal reaches the input queue through a kernel work item,
// so TIOCINQ alone may count 0 while bytes are still on their way; poll
// on the terminal first finishes that work (n_tty_poll flushes the
// terminal's buffer when it finds no input).
func (s *session) drained(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(ptyTimeout)
	for {
		fds := []unix.PollFd{{Fd: int32(s.fd), Events: unix.POLLIN}}
		if _, err := unix.Poll(fds, 0); err != nil && err != unix.EINTR {
			t.Fatalf("polling the terminal: %v", err)
		}
		n, err := unix.IoctlGetInt(s.fd, unix.TIOCINQ)
		if err != nil {
			t.Fatalf("reading the terminal's input queue: %v", err)
		}
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("scaffold left %d bytes of input unread for %v\n%s", n, ptyTimeout, s.screen())
		}
		time.Sleep(time.Millisecond)
	}
}

func (s *session) send(t *testing.T, keys string) {
	t.Helper()
	if _, err := s.c.Send(keys); err != nil {
		t.Fatalf("sending %q: %v\n%s", keys, err, s.screen())
	}
}

// expect waits for text in scaffold's output, escape sequences included.
func (s *session) expect(t *testing.T, text string) {
	t.Helper()
	if _, err := s.c.ExpectString(text); err != nil {
		t.Fatalf("waiting for %q: %v\n%s", text, err, s.screen())
	}
}

// wait returns scaffold's exit.
func (s *session) wait(t *testing.T) error {
	t.Helper()
	select {
	case <-s.exited:
		return s.err
	case <-time.After(ptyTimeout):
		s.cmd.Process.Kill()
		t.Fatalf("scaffold did not finish within %v\n%s", ptyTimeout, s.screen())
		return nil
	}
}

// screen is what a failure shows: the terminal's screen and the end of
// scaffold's output, quoted.
func (s *session) screen() string {
	lines := strings.Split(s.vt.String(), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \x00")
	}
	out := s.raw.String()
	if len(out) > 2000 {
		out = "…" + out[len(out)-2000:]
	}
	return fmt.Sprintf("screen:\n%s\noutput: %q", strings.TrimRight(strings.Join(lines, "\n"), "\n"), out)
}
