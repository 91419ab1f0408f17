package cli

import (
	"context"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/scaffold-cli/scaffold/internal/config"
	"github.com/scaffold-cli/scaffold/internal/display"
	"github.com/scaffold-cli/scaffold/internal/project"
	"github.com/scaffold-cli/scaffold/internal/source"
	"github.com/scaffold-cli/scaffold/internal/update"
)

// UpdateAvailableError is check's verdict when a newer template exists.
type UpdateAvailableError struct{ From, To string }

func (e *UpdateAvailableError) Error() string {
	return fmt.Sprintf("a newer template version is available (%s -> %s): run scaffold update", e.From, e.To)
}

type checkOptions struct {
	IO       *IOStreams
	Config   func() (*config.Config, error)
	Now      func() time.Time
	Getenv   func(string) string
	Builtins fs.FS
	Dir      string
	JSON     bool
}

// NewCmdCheck builds "scaffold check".
func NewCmdCheck(f *Factory, runF func(context.Context, *checkOptions) error) *cobra.Command {
	opts := &checkOptions{IO: f.IO, Config: f.Config, Now: f.Now, Getenv: f.Getenv, Builtins: f.Builtins}
	cmd := &cobra.Command{
		Use:   "check [DIR]",
		Short: "Say whether the project's template has a newer version, and how the project drifted",
		Long: `Compare a generated project with its template: is there a newer version
(the newest tag of a git template, the version in this scaffold for a
built-in), and which files differ from the pristine render the project
was made from.

Exit codes: 0 current, 4 a newer template version is available (so CI
can fail or warn on it), 1 failed, 2 bad input.`,
		Example: "  scaffold check\n  scaffold check services/api --json",
		Args:    maxOneDir,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Dir = dirArg(args)
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return checkRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print the result as one JSON object on stdout")
	return cmd
}

type checkResult struct {
	Dir             string   `json:"dir"`
	Template        string   `json:"template"`
	Current         string   `json:"current"`
	Newest          string   `json:"newest"`
	UpdateAvailable bool     `json:"update_available"`
	Drift           []string `json:"drift"`
	// DriftUnknown says why drift could not be measured, when it could not.
	DriftUnknown string `json:"drift_unknown,omitempty"`
}

func checkRun(ctx context.Context, opts *checkOptions) error {
	g, err := update.Load(opts.Dir, opts.Config)
	if err != nil {
		return err
	}
	so := sourceOptions(opts.IO, opts.Getenv, opts.Now, opts.Builtins, g.Config)
	so.ProjectRef = true // the source is the one .scaffold-answers.yaml records
	open := func(ctx context.Context, ref string) (*source.Opened, error) {
		return openSource(ctx, ref, so, opts.IO.ErrOut)
	}
	ref, err := g.Newer(ctx, "", so)
	if err != nil {
		return err
	}
	opened, err := open(ctx, ref)
	if err != nil {
		return inputErr(err)
	}
	t, newest := g.Record.Template, project.TemplateOf(opened)
	res := &checkResult{
		// The record is a project file: its source may hold a token
		// put in by hand, which is never shown.
		Dir: g.Dir, Template: display.Untrusted(source.Shown(t.Source)), Current: describe(t), Drift: []string{},
		Newest: describe(newest), UpdateAvailable: update.Available(t, newest),
	}
	if base, err := g.Base(ctx, open); err != nil {
		res.DriftUnknown = err.Error()
	} else {
		// Read as update reads: through the project's root, never
		// through a link, never more than a render's worth of a file.
		drift, err := update.Drift(g.Dir, base.Files)
		if err != nil {
			res.DriftUnknown = err.Error()
		} else if drift != nil {
			res.Drift = drift
		}
	}

	if opts.JSON {
		if err := writeJSON(opts.IO.Out, res); err != nil {
			return err
		}
	} else {
		w := opts.IO.Out
		fmt.Fprintf(w, "Template %s: the project has %s, the newest is %s\n", res.Template, res.Current, res.Newest)
		switch {
		case res.DriftUnknown != "":
			fmt.Fprintf(w, "Drift unknown: %s\n", res.DriftUnknown)
		case len(res.Drift) == 0:
			fmt.Fprintln(w, "No drift: every file is as the template rendered it")
		default:
			fmt.Fprintf(w, "Drift: %d file(s) changed since the template rendered them: %s\n", len(res.Drift), strings.Join(res.Drift, ", "))
		}
		if !res.UpdateAvailable {
			fmt.Fprintln(w, "Up to date.")
		}
	}
	if res.UpdateAvailable {
		return &UpdateAvailableError{From: res.Current, To: res.Newest}
	}
	return nil
}
