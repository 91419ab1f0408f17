package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/scaffold-cli/scaffold/internal/config"
	"github.com/scaffold-cli/scaffold/internal/display"
	"github.com/scaffold-cli/scaffold/internal/names"
	"github.com/scaffold-cli/scaffold/internal/project"
	"github.com/scaffold-cli/scaffold/internal/source"
	"github.com/scaffold-cli/scaffold/internal/stack"
	"github.com/scaffold-cli/scaffold/internal/verify"
)

type verifyOptions struct {
	IO       *IOStreams
	Environ  func() []string
	Config   func() (*config.Config, error)
	Getenv   func(string) string
	Now      func() time.Time
	Builtins fs.FS
	Dir      string
	JSON     bool
}

// NewCmdVerify builds "scaffold verify".
func NewCmdVerify(f *Factory, runF func(context.Context, *verifyOptions) error) *cobra.Command {
	opts := &verifyOptions{IO: f.IO, Environ: f.Environ, Config: f.Config, Getenv: f.Getenv, Now: f.Now, Builtins: f.Builtins}
	cmd := &cobra.Command{
		Use:   "verify [DIR]",
		Short: "Prove a generated project works: install, lint, test, build, serve",
		Long: `Run the checks scaffold's own CI runs on every built-in template, on the
project in DIR (default: the current folder): install its dependencies,
run its lint and its tests, build it and, for a service, start it on a
free port, expect GET /healthz to answer 200 with {"status":"ok"}, and
stop it with SIGTERM, expecting a clean exit within 5 seconds; for a
command-line tool, run the built tool: --help exits 0 and names its
subcommands, --version prints one line, an unknown flag exits 2 with a
message on stderr, and each sample of the template's try gives its
output.

The steps are those the project's template lists (its manifest's verify,
found through .scaffold-answers.yaml), else its language's default:
` + defaultPlans() + `
A project scaffold did not make is checked by its language's default, as a
service.

A service that serves an OpenAPI document has it fetched and checked. A
service with a database is checked against the one DATABASE_URL names:
verify runs its migrations (the server with the argument migrate), then
creates, reads and lists an item through its HTTP API, so point it at a
database verify may write to. Without DATABASE_URL, verify says it
skipped those steps, serves the project with a database no server
answers at, and expects /healthz to answer 200 and /readyz 503.

At the root of a workspace, verify checks every part with its own steps,
then the wiring: it starts every part on a free port, each given the
next one's URL, and expects the first part's GET /v1/chain to answer
through all of them, in order.`,
		Example: "  scaffold verify\n  scaffold verify services/api --json",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return &FlagError{Err: fmt.Errorf("verify takes at most one folder (got %d arguments)", len(args))}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Dir = "."
			if len(args) == 1 {
				opts.Dir = args[0]
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return verifyRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print the step results as one JSON object")
	return cmd
}

func verifyRun(ctx context.Context, opts *verifyOptions) error {
	if rec, err := project.ReadProjectRecord(opts.Dir); err == nil && len(rec.Parts) > 0 {
		return verifyWorkspace(ctx, opts, rec)
	}
	build, err := os.MkdirTemp("", "scaffold-verify-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(build)
	plan, err := opts.plan(ctx, build, verify.Environ(opts.Environ()))
	if err != nil {
		return inputErr(err)
	}
	plan.Env = verify.Environ(opts.Environ())
	results, runErr := verify.Run(ctx, opts.Dir, plan, &progress{w: opts.IO})
	if opts.JSON {
		if err := writeJSON(opts.IO.Out, struct {
			Dir      string          `json:"dir"`
			Language string          `json:"language"`
			OK       bool            `json:"ok"`
			Steps    []verify.Result `json:"steps"`
		}{opts.Dir, plan.Language, runErr == nil, results}); err != nil {
			return err
		}
	} else if runErr == nil {
		fmt.Fprintln(opts.IO.Out, passed(opts.Dir, results))
	}
	var stepErr *verify.StepError
	if errors.As(runErr, &stepErr) {
		return fmt.Errorf("%s: %w", opts.Dir, runErr)
	}
	return runErr
}

// passed says that the checks of the project in dir passed, and which
// were skipped: "api: all 6 checks passed in 41.2s (skipped migrate:
// DATABASE_URL is not set, ...)".
func passed(dir string, results []verify.Result) string {
	var total time.Duration
	ran := 0
	var skipped []string
	for _, r := range results {
		total += r.Duration
		if r.Skipped != "" {
			skipped = append(skipped, r.Step+": "+r.Skipped)
			continue
		}
		ran++
	}
	line := fmt.Sprintf("%s: all %d checks passed in %s", dir, ran, total.Round(100*time.Millisecond))
	if len(skipped) > 0 {
		line += " (skipped " + strings.Join(skipped, "; ") + ")"
	}
	return line
}

// progress prints a line per step on stderr. A step's command comes
// from the project's template (its manifest's verify, rendered over the
// recorded answers): it is shown escaped, as hook commands are.
type progress struct {
	w *IOStreams
	// part names the workspace's part the steps are of.
	part string
}

func (p *progress) Start(i, n int, step, command string) {
	at := ""
	if p.part != "" {
		at = p.part + " "
	}
	fmt.Fprintf(p.w.ErrOut, "[%s%d/%d] %-7s %s\n", at, i, n, step, display.Untrusted(command))
}

func (p *progress) Done(r verify.Result) {
	if r.Skipped != "" {
		fmt.Fprintf(p.w.ErrOut, "        skipped: %s\n", r.Skipped)
		return
	}
	status := "ok"
	if r.Err != "" {
		status = "FAILED"
	}
	fmt.Fprintf(p.w.ErrOut, "        %s (%s)\n", status, r.Duration.Round(100*time.Millisecond))
}

// plan is the check of the project: from the template its answers file
// names, else from its files alone.
func (opts *verifyOptions) plan(ctx context.Context, build string, env []string) (*verify.Plan, error) {
	rec, err := project.ReadProjectRecord(opts.Dir)
	if errors.Is(err, fs.ErrNotExist) {
		return stack.PlanFor(ctx, nil, nil, opts.Dir, build, env)
	}
	if err != nil {
		return nil, err
	}
	return opts.planOf(ctx, rec, build, env)
}

// planOf is the check of the project in opts.Dir that rec, its record,
// describes.
func (opts *verifyOptions) planOf(ctx context.Context, rec *project.Record, build string, env []string) (*verify.Plan, error) {
	cfg, err := opts.Config()
	if err != nil {
		return nil, err
	}
	so := sourceOptions(opts.IO, opts.Getenv, opts.Now, opts.Builtins, cfg)
	so.ProjectRef = true // the source is the one .scaffold-answers.yaml records
	// The steps are those of the version the project was made from (or
	// last updated to), not of wherever its branch is now: a git
	// template at the recorded commit, which needs no network once
	// cached.
	ref := rec.Template.Source
	if rec.Template.Commit != "" {
		ref, err = source.WithRev(ref, rec.Template.Commit)
	}
	var opened *source.Opened
	if err == nil {
		opened, err = openSource(ctx, ref, so, opts.IO.ErrOut)
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, context.Cause(ctx)
		}
		fmt.Fprintf(opts.IO.ErrOut, "note: the project's template cannot be opened (%s), so its files say what to check\n", display.Untrusted(err.Error()))
		return stack.PlanFor(ctx, nil, nil, opts.Dir, build, env)
	}
	proj, err := names.Derive(rec.Project, cfg.NameOptions())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", project.AnswersFile, err)
	}
	data := project.Data(project.DataInput{Project: proj, Author: rec.Author, Year: rec.Year, Version: rec.Scaffold, Goals: rec.Goals})
	for k, v := range rec.Answers {
		data[k] = v
	}
	return stack.PlanFor(ctx, opened.Template, data, opts.Dir, build, env)
}

// defaultPlans spells each language's default checks for the help.
func defaultPlans() string {
	var b strings.Builder
	for _, l := range stack.Languages {
		fmt.Fprintf(&b, "  %-8s %s\n", l.Title, l.Checks)
	}
	return b.String()
}
