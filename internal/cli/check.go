package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/scaffold-cli/scaffold/internal/config"
	"github.com/scaffold-cli/scaffold/internal/display"
	"github.com/scaffold-cli/scaffold/internal/project"
	"github.com/scaffold-cli/scaffold/internal/source"
	"github.com/scaffold-cli/scaffold/internal/update"
)

// UpdateAvailableError is check's verdict when a newer template exists:
// From and To for one project, Where for a workspace's.
type UpdateAvailableError struct {
	From, To string
	Where    []string
}

func (e *UpdateAvailableError) Error() string {
	if len(e.Where) > 0 {
		return fmt.Sprintf("newer template versions are available for %s: run scaffold update in each", strings.Join(e.Where, ", "))
	}
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
	// Part is a workspace part's folder; Parts are a workspace's parts,
	// each checked.
	Part  string         `json:"part,omitempty"`
	Parts []*checkResult `json:"parts,omitempty"`
	parts []project.PartRecord
}

func checkRun(ctx context.Context, opts *checkOptions) error {
	res, err := checkOne(ctx, opts, opts.Dir)
	if err != nil {
		return err
	}
	all := []*checkResult{res}
	for _, p := range res.parts {
		// A workspace: every part is checked too, each against its own
		// template and its own pristine render.
		dir, err := partDir(res.Dir, p.Path)
		if err != nil {
			return inputErr(err)
		}
		pr, err := checkOne(ctx, opts, dir)
		if err != nil {
			return fmt.Errorf("part %s: %w", p.Path, err)
		}
		pr.Part = p.Path
		res.Parts = append(res.Parts, pr)
		all = append(all, pr)
	}

	if opts.JSON {
		if err := writeJSON(opts.IO.Out, res); err != nil {
			return err
		}
	} else {
		w := opts.IO.Out
		for i, r := range all {
			if len(all) > 1 {
				if i > 0 {
					fmt.Fprintln(w)
				}
				where := "the workspace's root files"
				if r.Part != "" {
					where = "part " + r.Part
				}
				fmt.Fprintf(w, "%s:\n", where)
			}
			r.print(w)
		}
	}
	var newer []*checkResult
	for _, r := range all {
		if r.UpdateAvailable {
			newer = append(newer, r)
		}
	}
	switch {
	case len(newer) == 1 && len(all) == 1:
		return &UpdateAvailableError{From: res.Current, To: res.Newest}
	case len(newer) > 0:
		var which []string
		for _, r := range newer {
			at := "the root files"
			if r.Part != "" {
				at = r.Part
			}
			which = append(which, fmt.Sprintf("%s (%s -> %s)", at, r.Current, r.Newest))
		}
		return &UpdateAvailableError{Where: which}
	}
	return nil
}

// checkOne checks the project in dir alone.
func checkOne(ctx context.Context, opts *checkOptions, dir string) (*checkResult, error) {
	g, err := update.Load(dir, opts.Config)
	if err != nil {
		return nil, err
	}
	so := sourceOptions(opts.IO, opts.Getenv, opts.Now, opts.Builtins, g.Config)
	so.ProjectRef = true // the source is the one .scaffold-answers.yaml records
	open := func(ctx context.Context, ref string) (*source.Opened, error) {
		return openSource(ctx, ref, so, opts.IO.ErrOut)
	}
	ref, err := g.Newer(ctx, "", so)
	if err != nil {
		return nil, err
	}
	opened, err := open(ctx, ref)
	if err != nil {
		return nil, inputErr(err)
	}
	t, newest := g.Record.Template, project.TemplateOf(opened)
	res := &checkResult{
		// The record is a project file: its source may hold a token
		// put in by hand, which is never shown.
		Dir: g.Dir, Template: display.Untrusted(source.Shown(t.Source)), Current: describe(t), Drift: []string{},
		Newest: describe(newest), UpdateAvailable: update.Available(t, newest), parts: g.Record.Parts,
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
	return res, nil
}

func (res *checkResult) print(w io.Writer) {
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

// partDir is the folder of the workspace's part at rel (a path the
// record checked), refused when it is missing or reached through a link,
// which could lead out of the workspace.
func partDir(root, rel string) (string, error) {
	return inWorkspace(root, rel, true)
}

// inWorkspace is the folder rel (slash-separated, checked clean) of the
// workspace at root, refused when a folder of it on the way, or itself,
// is a link or no folder: whatever a part is read from or written to
// stays in the workspace. Unless it must exist, the walk ends at the
// first folder that does not, below which nothing can be a link yet.
func inWorkspace(root, rel string, mustExist bool) (string, error) {
	dir := root
	for _, seg := range strings.Split(rel, "/") {
		dir = filepath.Join(dir, seg)
		info, err := os.Lstat(dir)
		switch {
		case !mustExist && errors.Is(err, fs.ErrNotExist):
			return filepath.Join(root, filepath.FromSlash(rel)), nil
		case err != nil:
			return "", fmt.Errorf("part %s: %w; restore it, or take it out of the parts in %s", rel, err, filepath.Join(root, project.AnswersFile))
		case info.Mode()&fs.ModeSymlink != 0:
			return "", fmt.Errorf("part %s: %s is a link, which could lead out of the workspace; scaffold reads and writes parts only in folders of it", rel, dir)
		case !info.IsDir():
			return "", fmt.Errorf("part %s: %s is not a folder", rel, dir)
		}
	}
	return dir, nil
}
