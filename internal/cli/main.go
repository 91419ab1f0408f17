// Package cli is scaffold's command line: cobra commands that take their
// streams, clock, environment and prompter from a Factory, so tests run
// them whole.
package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/scaffold-cli/scaffold/internal/display"
	"github.com/scaffold-cli/scaffold/internal/proc"
	"github.com/scaffold-cli/scaffold/internal/project"
)

// version is set at build time with -ldflags "-X ...cli.version=v1.2.3".
var version = ""

// --- release stamps (see .goreleaser.yaml and version.go) ---
// commit and date are set at build time with -ldflags "-X
// ...cli.commit=<sha> -X ...cli.date=<RFC 3339>"; without them, scaffold
// version reads the VCS stamps go build leaves in the binary.
var (
	commit = ""
	date   = ""
)

// --- end of release stamps ---

// Version returns scaffold's version: the one set at build time, else the
// module version the binary was built from, else "dev".
func Version() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// Main runs scaffold with the process's arguments and returns its exit code.
func Main() int {
	// SIGHUP too: a closed terminal or a dropped ssh session must end
	// hooks and servers as Ctrl-C does, not leave them running; unless
	// it is ignored (nohup), which asking for it would undo.
	sigs := []os.Signal{os.Interrupt, syscall.SIGTERM}
	if !signal.Ignored(syscall.SIGHUP) {
		sigs = append(sigs, syscall.SIGHUP)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch := make(chan os.Signal, 2)
	signal.Notify(ch, sigs...)
	defer signal.Stop(ch)
	// The first signal cancels the run, which stops what it started,
	// cleans up and exits 130. A second one ends scaffold at once,
	// whatever it still waits on, with every command it started killed
	// (a temp folder left behind is removed by the next run there).
	go func() {
		<-ch
		cancel()
		<-ch
		proc.KillAll()
		os.Exit(ExitInterrupted)
	}()
	return Run(ctx, New(Version()), os.Args[1:])
}

// Run executes the root command with args and maps the outcome to an
// exit code, printing any error once, as "scaffold: <error>".
func Run(ctx context.Context, f *Factory, args []string) int {
	root := NewCmdRoot(f)
	root.SetArgs(args)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return ExitOK
	}
	// An interrupted hook left the project in place, and says so itself.
	var hookErr *project.HookError
	if errors.Is(err, context.Canceled) && !errors.As(err, &hookErr) {
		fmt.Fprintln(f.IO.ErrOut, "scaffold: interrupted; nothing was left behind")
		return ExitInterrupted
	}
	// An error may quote a template, an answer or a file: each line is
	// shown with its control characters escaped, whatever it quotes.
	lines := strings.Split(strings.TrimRight(err.Error(), "\n"), "\n")
	for i, l := range lines {
		lines[i] = display.Untrusted(l)
	}
	fmt.Fprintf(f.IO.ErrOut, "scaffold: %s\n", strings.Join(lines, "\n"))
	var flagErr *FlagError
	if errors.As(err, &flagErr) && cmd != nil {
		fmt.Fprintf(f.IO.ErrOut, "\n%s", cmd.UsageString())
	}
	return exitCode(err)
}

// NewCmdRoot builds the whole command tree.
func NewCmdRoot(f *Factory) *cobra.Command {
	root := &cobra.Command{
		Use:   "scaffold",
		Short: "Start a backend project that builds, tests and serves on the first try",
		Long: `scaffold asks what a backend project is for, recommends a stack (Node.js,
Go or Rust, and a framework) by explicit rules and says why, renders a
ready-to-run repository from a template and makes the first git commit.

Every question can be answered by flags or an answers file, so the same
run works in CI with no terminal.`,
		Example: `  scaffold new myapp
  scaffold new myapp --goal performance --goal concurrency --yes
  scaffold recommend --goal startup --goal realtime
  scaffold list`,
		SilenceErrors: true,
		SilenceUsage:  true,
		Version:       f.Version,
	}
	root.SetIn(f.IO.In)
	root.SetOut(f.IO.Out)
	root.SetErr(f.IO.ErrOut)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &FlagError{Err: err} })
	root.SetVersionTemplate("scaffold {{.Version}}\n")
	root.PersistentFlags().StringVar(&f.ConfigFile, "config", "", "team config file (default $SCAFFOLD_CONFIG, else ~/.config/scaffold/config.yaml)")

	root.AddCommand(
		NewCmdNew(f, nil),
		NewCmdAdd(f, nil),
		NewCmdRecommend(f, nil),
		NewCmdList(f, nil),
		NewCmdVerify(f, nil),
		NewCmdUpdate(f, nil),
		NewCmdCheck(f, nil),
		NewCmdServe(f),
		NewCmdVersion(f),
	)
	root.InitDefaultCompletionCmd()
	return root
}

// exactArgs is cobra.ExactArgs with a FlagError, so usage is shown.
func exactArgs(n int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return &FlagError{Err: fmt.Errorf("%s takes %s (got %d arguments)", cmd.CommandPath(), what, len(args))}
		}
		return nil
	}
}
