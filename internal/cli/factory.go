package cli

import (
	"io"
	"io/fs"
	"os"
	"time"

	"golang.org/x/term"

	"github.com/scaffold-cli/scaffold/internal/config"
	"github.com/scaffold-cli/scaffold/internal/prompt"
)

// IOStreams are a command's standard streams and what they are attached to.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	inTTY, outTTY, errTTY bool
	noColor               bool
	// term is set when In and ErrOut are a terminal that prompts can use.
	term *terminal
}

type terminal struct {
	in, out *os.File
}

// System returns the process's own streams.
func System(getenv func(string) string) *IOStreams {
	isTTY := func(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }
	s := &IOStreams{
		In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr,
		inTTY: isTTY(os.Stdin), outTTY: isTTY(os.Stdout), errTTY: isTTY(os.Stderr),
		noColor: getenv("NO_COLOR") != "" || getenv("TERM") == "dumb",
	}
	if s.inTTY && s.errTTY {
		s.term = &terminal{in: os.Stdin, out: os.Stderr}
	}
	return s
}

// CanPrompt reports whether questions can be asked: input and the
// stream prompts are drawn on (stderr) are a terminal.
func (s *IOStreams) CanPrompt() bool { return s.term != nil }

// IsStdoutTTY reports whether standard output is a terminal.
func (s *IOStreams) IsStdoutTTY() bool { return s.outTTY }

// Color reports whether decoration may be written to stdout.
func (s *IOStreams) Color() bool { return s.outTTY && !s.noColor }

// Factory carries everything a command takes from the world, so tests can
// run commands whole with buffers, a fake prompter and a fixed clock.
type Factory struct {
	IO      *IOStreams
	Now     func() time.Time
	Getenv  func(string) string
	Environ func() []string
	Version string
	// Prompter asks questions; it is NoTerminal when nothing can be asked.
	Prompter prompt.Prompter
	// ConfigFile is the --config flag; see Config.
	ConfigFile string
	// Builtins, when set, replaces the embedded built-in templates.
	Builtins fs.FS
}

// Config loads the team config named by --config, $SCAFFOLD_CONFIG or
// the default path. A broken file is the user's input to fix: exit 2.
func (f *Factory) Config() (*config.Config, error) {
	path, named := config.Path(f.ConfigFile, f.Getenv)
	c, err := config.Load(path, named)
	return c, inputErr(err)
}

// New returns the factory of the running process.
func New(version string) *Factory {
	io := System(os.Getenv)
	f := &Factory{IO: io, Now: time.Now, Getenv: os.Getenv, Environ: os.Environ, Version: version}
	if io.term != nil {
		prompt.SetColor(!io.noColor)
		f.Prompter = &prompt.Survey{In: io.term.in, Out: io.term.out, Err: io.term.out}
	} else {
		f.Prompter = prompt.NoTerminal{}
	}
	return f
}
