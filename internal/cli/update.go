package cli

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/scaffold-cli/scaffold/internal/config"
	"github.com/scaffold-cli/scaffold/internal/display"
	"github.com/scaffold-cli/scaffold/internal/merge"
	"github.com/scaffold-cli/scaffold/internal/project"
	"github.com/scaffold-cli/scaffold/internal/prompt"
	"github.com/scaffold-cli/scaffold/internal/source"
	"github.com/scaffold-cli/scaffold/internal/update"
)

// Exit codes of update and check, beyond DESIGN.md's 0/1/2/130.
const (
	// ExitConflicts: the update was applied and some files hold conflict
	// markers to resolve.
	ExitConflicts = 3
	// ExitUpdateAvailable: check found a newer template version.
	ExitUpdateAvailable = 4
)

// ConflictError reports files left with conflict markers.
type ConflictError struct{ Files []string }

func (e *ConflictError) Error() string {
	return fmt.Sprintf("%d file(s) have conflicts, marked with <<<<<<< ======= >>>>>>>: %s; resolve them, then commit", len(e.Files), strings.Join(e.Files, ", "))
}

type updateOptions struct {
	IO       *IOStreams
	Config   func() (*config.Config, error)
	Prompter prompt.Prompter
	Now      func() time.Time
	Getenv   func(string) string
	Version  string
	Builtins fs.FS

	Dir         string
	To          string
	Sets        []string
	AnswersFile string
	Yes         bool
	AllowDirty  bool
	DryRun      bool
	Diff        bool
	JSON        bool
}

// NewCmdUpdate builds "scaffold update".
func NewCmdUpdate(f *Factory, runF func(context.Context, *updateOptions) error) *cobra.Command {
	opts := &updateOptions{IO: f.IO, Config: f.Config, Prompter: f.Prompter, Now: f.Now, Getenv: f.Getenv, Version: f.Version, Builtins: f.Builtins}
	cmd := &cobra.Command{
		Use:   "update [DIR]",
		Short: "Bring a generated project up to its template's newer version",
		Long: `Render the project's template at its newer version with the answers in
.scaffold-answers.yaml and merge the change into the project, file by
file, three ways: the pristine render the project was made from (kept in
refs/scaffold/base), the project as it is now, and the new render.

Lines you changed survive, lines the template changed arrive; where both
changed the same lines the file gets git conflict markers and update
exits 3. Files the template added appear, files it removed go unless you
changed them, files you deleted stay deleted; binary files are taken
whole when you did not change them and kept otherwise.

The newer version is the newest tag of a git template (or --to REF) and
the version in this scaffold for a built-in. Only new questions are asked
(without a terminal, or with --yes, they take their defaults). Nothing is
written until the whole merge is computed; a work tree with uncommitted
changes is refused unless --allow-dirty. Hooks do not run on update.

Exit codes: 0 updated (or already current), 1 failed, 2 bad input,
3 updated with conflicts to resolve.`,
		Example: `  scaffold update
  scaffold update services/api --to v3
  scaffold update --dry-run --diff`,
		Args: maxOneDir,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Dir = dirArg(args)
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return updateRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.To, "to", "", "update a git template to this tag, branch or commit instead of its newest tag")
	fl.StringArrayVar(&opts.Sets, "set", nil, "answer a question: --set key=value (repeatable)")
	fl.StringVar(&opts.AnswersFile, "answers", "", "read answers from a YAML or JSON file")
	fl.BoolVarP(&opts.Yes, "yes", "y", false, "take the default of every new question without asking")
	fl.BoolVar(&opts.AllowDirty, "allow-dirty", false, "update even though the work tree has uncommitted changes")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "show what would happen to each file, and write nothing")
	fl.BoolVar(&opts.Diff, "diff", false, "with --dry-run, show the unified diff of every file that would change")
	fl.BoolVar(&opts.JSON, "json", false, "print the result as one JSON object on stdout")
	return cmd
}

func maxOneDir(cmd *cobra.Command, args []string) error {
	if len(args) > 1 {
		return &FlagError{Err: fmt.Errorf("%s takes at most one folder (got %d arguments)", cmd.CommandPath(), len(args))}
	}
	return nil
}

func dirArg(args []string) string {
	if len(args) == 1 {
		return args[0]
	}
	return "."
}

func updateRun(ctx context.Context, opts *updateOptions) error {
	g, err := update.Load(opts.Dir, opts.Config)
	if err != nil {
		return err
	}
	if len(g.Record.Parts) > 0 {
		// A workspace's root files are a render over its parts, as
		// each part's own record describes it; the parts themselves
		// are updated each in its folder.
		infos, err := recordedParts(g.Dir, g.Record.Parts)
		if err != nil {
			return err
		}
		g.Data = map[string]any{"Parts": partsData(infos)}
	}
	if g.Git && !opts.AllowDirty && !opts.DryRun {
		dirty, err := project.Uncommitted(g.Dir)
		if err != nil {
			return err
		}
		if len(dirty) > 0 {
			return inputErr(fmt.Errorf("%s has uncommitted changes (%s): commit or stash them first so the update can be reviewed and undone, or pass --allow-dirty", opts.Dir, strings.Join(firstN(dirty, 5), ", ")))
		}
	}
	so := sourceOptions(opts.IO, opts.Getenv, opts.Now, opts.Builtins, g.Config)
	so.ProjectRef = true // the source is the one .scaffold-answers.yaml records
	open := func(ctx context.Context, ref string) (*source.Opened, error) {
		return openSource(ctx, ref, so, opts.IO.ErrOut)
	}
	base, err := g.Base(ctx, open)
	if err != nil {
		return err
	}
	ref, err := g.Newer(ctx, opts.To, so)
	if err != nil {
		return err
	}
	opened, err := open(ctx, ref)
	if err != nil {
		return inputErr(err)
	}
	tmpl := opened.Template

	file, err := readAnswers(opts.AnswersFile)
	if err != nil {
		return err
	}
	given := map[string]any{}
	maps.Copy(given, file.Answers)
	if err := parseSets(opts.Sets, given); err != nil {
		return err
	}
	// New questions take their defaults when nobody can be asked.
	answered, err := g.Answers(ctx, tmpl, given, opts.Prompter, opts.Yes || !opts.IO.CanPrompt(), opts.Version)
	if err != nil {
		return err
	}
	// Files derived from a secret answer are the user's: the update
	// renders secrets it was never told.
	theirs, secrets, err := project.Render(ctx, tmpl, answered)
	if err != nil {
		return err
	}
	data := answered.Data
	if err := intoParts(theirs, g.Record.Parts, opened.Ref); err != nil {
		return err
	}
	private, secretFiles := g.SecretFiles(secrets)
	newest := project.TemplateOf(opened)
	from, to := describe(g.Record.Template), describe(newest)
	plan, err := update.ComputeWithSecrets(g.Dir, base.Files, theirs, private, merge.Labels{
		Ours: "ours (your project)", Base: "base (template " + from + ")", Theirs: "theirs (template " + to + ")",
	})
	if err != nil {
		return err
	}
	if u := plan.Unresolved(); len(u) > 0 {
		return inputErr(tmpl.Redact(unresolvedError(u), data))
	}
	res := &updateResult{Dir: g.Dir, From: from, To: to, DryRun: opts.DryRun, merged: mergedOf(plan)}
	// A path may be rendered from a secret given with --set.
	show := shownPaths(tmpl, secrets, data)
	for i := range res.Changes {
		res.Changes[i].Path = show(res.Changes[i].Path)
	}
	for i := range res.Conflicts {
		res.Conflicts[i] = show(res.Conflicts[i])
	}
	if opts.DryRun {
		return res.print(opts, plan)
	}

	if err := plan.Apply(g.Dir); err != nil {
		return err
	}
	rec := *g.Record
	rec.Scaffold = opts.Version
	rec.Template = newest
	rec.Answers = answered.Recorded
	rec.SecretFiles = secretFiles
	data2, err := rec.Marshal()
	if err != nil {
		return err
	}
	if err := update.WriteFile(g.Dir, project.AnswersFile, data2, 0o644); err != nil {
		return err
	}
	if g.Git {
		held, err := g.Rebase(base, plan.NewBase(base.Files, theirs), private, project.LoadGitSettings(opts.Getenv), opts.Now(), "scaffold: pristine render of "+opened.Ref)
		if len(held) > 0 {
			ref := g.Home.BaseRef()
			fmt.Fprintf(opts.IO.ErrOut, "note: %s, written by an older scaffold, holds %s, rendered from a secret answer; the new base leaves it out and has no history, so no ref reaches the secret any more; if %s was ever pushed or bundled, change the secret\n", ref, strings.Join(held, ", "), ref)
		}
		if err != nil {
			return fmt.Errorf("the files are updated, but recording the new pristine render failed: %w; the next update will merge against the old one", err)
		}
	}
	if err := res.print(opts, plan); err != nil {
		return err
	}
	if len(res.Conflicts) > 0 {
		return &ConflictError{Files: res.Conflicts}
	}
	return nil
}

// unresolvedError refuses an update over files that still hold conflict
// markers, naming each file and its first marker's line.
func unresolvedError(list []update.Unresolved) error {
	where := make([]string, len(list))
	for i, u := range list {
		where[i] = fmt.Sprintf("%s (line %d)", u.Path, u.Line)
	}
	return fmt.Errorf("refusing to update: %d file(s) still hold unresolved conflict markers (<<<<<<< ======= >>>>>>>) that this update would merge again as if they were content: %s; resolve them (keep the lines you want, delete the marker lines) and commit, then run scaffold update again; nothing was written", len(list), strings.Join(where, ", "))
}

// printChanges lists each change with its reason.
func printChanges(w io.Writer, changes []update.Change) {
	for _, c := range changes {
		line := fmt.Sprintf("  %-9s %s", c.Action, c.Path)
		if c.Reason != "" {
			line += "  (" + c.Reason + ")"
		}
		fmt.Fprintln(w, line)
	}
}

func firstN(list []string, n int) []string {
	if len(list) <= n {
		return list
	}
	return append(slices.Clone(list[:n]), fmt.Sprintf("and %d more", len(list)-n))
}

// describe names a template version for people: version and commit.
//
// The version comes from a template's manifest or a project file, so it
// is shown escaped (see display.Untrusted), in messages and in the
// labels of conflict markers alike.
func describe(t project.TemplateRef) string {
	s := display.Untrusted(t.Version)
	if s == "" {
		s = "unversioned"
	}
	if t.Commit != "" {
		s += " at " + t.Commit[:min(12, len(t.Commit))]
	}
	return s
}

type updateResult struct {
	Dir    string `json:"dir"`
	From   string `json:"from"`
	To     string `json:"to"`
	DryRun bool   `json:"dry_run"`
	merged
}

// merged is what a report of a merge into the project (update, add)
// lists: every change, and the files left with conflicts.
type merged struct {
	Changes   []update.Change `json:"changes"`
	Conflicts []string        `json:"conflicts"`
}

func mergedOf(plan *update.Plan) merged {
	m := merged{Changes: plan.Changed(), Conflicts: plan.Conflicts()}
	// Empty lists, not null, in --json.
	if m.Changes == nil {
		m.Changes = []update.Change{}
	}
	if m.Conflicts == nil {
		m.Conflicts = []string{}
	}
	return m
}

func (r *updateResult) print(opts *updateOptions, plan *update.Plan) error {
	if opts.JSON {
		return writeJSON(opts.IO.Out, r)
	}
	w := opts.IO.Out
	verb := "Updated"
	if r.DryRun {
		verb = "Would update"
	}
	if !slices.ContainsFunc(r.Changes, func(c update.Change) bool { return !c.Secret }) {
		fmt.Fprintf(w, "%s is up to date with its template (%s)\n", displayPath(r.Dir), r.To)
		printChanges(w, r.Changes)
		return nil
	}
	fmt.Fprintf(w, "%s %s from template %s to %s:\n", verb, displayPath(r.Dir), r.From, r.To)
	printChanges(w, r.Changes)
	printMergeEnd(w, plan, r.DryRun, opts.Diff, len(r.Conflicts), "git diff")
	return nil
}

// printMergeEnd ends the report of a merge into the project (update,
// add): with --dry-run the diff when asked and that nothing was
// written, else what to review when nothing conflicts.
func printMergeEnd(w io.Writer, plan *update.Plan, dryRun, diff bool, conflicts int, review string) {
	if dryRun {
		if diff {
			// The diff is what the user reviews before the change
			// runs: a template's file must not redraw it (a carriage
			// return or a cursor move hiding an added line).
			fmt.Fprint(w, "\n"+display.Lines(plan.Diff()))
		}
		fmt.Fprintln(w, "Nothing was written (--dry-run).")
	} else if conflicts == 0 {
		fmt.Fprintf(w, "Review the change with %s, then commit it.\n", review)
	}
}
