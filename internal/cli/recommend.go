package cli

import (
	"fmt"
	"io"
	"io/fs"
	"strings"

	"github.com/spf13/cobra"

	"github.com/scaffold-cli/scaffold/internal/config"
	"github.com/scaffold-cli/scaffold/internal/decide"
	"github.com/scaffold-cli/scaffold/internal/display"
	"github.com/scaffold-cli/scaffold/internal/stack"
	"github.com/scaffold-cli/scaffold/internal/template"
)

type recommendOptions struct {
	IO       *IOStreams
	Config   func() (*config.Config, error)
	Builtins fs.FS
	Goals    []string
	Team     string
	Kind     string
	Polyglot bool
	JSON     bool
}

// NewCmdRecommend builds "scaffold recommend". runF replaces the run
// function in tests that check flag parsing alone.
func NewCmdRecommend(f *Factory, runF func(*recommendOptions) error) *cobra.Command {
	opts := &recommendOptions{IO: f.IO, Config: f.Config, Builtins: f.Builtins}
	cmd := &cobra.Command{
		Use:   "recommend",
		Short: "Recommend a stack for the project's goals, and say why",
		Long: `Recommend a language and framework for the given goals, with the score of
each language, the rules that fired and the weaknesses that apply.

Goals: ` + strings.Join(decide.GoalNames(), ", ") + `.
The goals also decide the kind of project: cli asks for a command-line
tool, wasm for a WebAssembly package, goals that span the API layer,
performance-critical services and infrastructure for a workspace of one
part each (--polyglot asks for one), anything else gets an HTTP service;
--kind overrides. When no
template of the kind exists in the best language, the next best
language that has one is taken, and when none does, that is said.
The goals reach the template too, as .Goals: a question whose default
follows them (realtime turns on the services' WebSocket room) is listed
under "Turned on by the goals", with the --set that leaves it out. A
goal the template chosen does nothing with (wasm) is said plainly.
With no goals the answer is Node.js, the safe default. Ties are broken in
the order ` + decideOrder() + `. The template is the catalog's (see scaffold
list): a team alias named like a built-in is recommended in its place.`,
		Example: `  scaffold recommend --goal startup --goal realtime
  scaffold recommend --goal performance,concurrency --team go --json`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return recommendRun(opts)
		},
	}
	cmd.Flags().StringSliceVarP(&opts.Goals, "goal", "g", nil, "what the project is for (repeatable or comma-separated)")
	cmd.Flags().StringVar(&opts.Team, "team", "", "the team's strongest language: "+stack.Or(stack.Names()))
	cmd.Flags().StringVar(&opts.Kind, "kind", "", "the kind of project instead of the one the goals give: "+kindFlagValues())
	cmd.Flags().BoolVar(&opts.Polyglot, "polyglot", false, "recommend a workspace of several parts, each in its own language (--kind workspace)")
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print the recommendation as one JSON object")
	_ = cmd.RegisterFlagCompletionFunc("goal", goalCompletion)
	_ = cmd.RegisterFlagCompletionFunc("team", languageCompletion(false))
	return cmd
}

// kindFlagValues spells the kinds for --kind's help.
func kindFlagValues() string {
	var out []string
	for _, k := range template.ProjectKinds {
		out = append(out, string(k))
	}
	return stack.Or(out)
}

func goalCompletion(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	var out []string
	for _, g := range decide.Goals {
		out = append(out, g.Name+"\t"+g.Help)
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}

func recommendRun(opts *recommendOptions) error {
	kind, err := polyglotKind(opts.Kind, opts.Polyglot)
	if err != nil {
		return err
	}
	in, err := parseDecideInput(opts.Goals, opts.Team, kind)
	if err != nil {
		return err
	}
	cat, err := loadCatalog(opts.Builtins, opts.Config)
	if err != nil {
		return err
	}
	rec := decide.Recommend(in, cat.Engine())
	// Asked for a workspace, the parts are the answer, even while
	// scaffold cannot write one (a warning says so).
	if err := kindFound(in, rec); err != nil && len(rec.Parts) == 0 {
		return err
	}
	if opts.JSON {
		return writeJSON(opts.IO.Out, rec)
	}
	printRecommendation(opts.IO.Out, rec)
	return nil
}

// polyglotKind is --kind, made workspace by --polyglot.
func polyglotKind(kind string, polyglot bool) (string, error) {
	if !polyglot {
		return kind, nil
	}
	if kind != "" && kind != string(template.Workspace) {
		return "", &FlagError{Err: fmt.Errorf("--polyglot asks for a workspace, and --kind %s for something else: give one", kind)}
	}
	return string(template.Workspace), nil
}

func parseDecideInput(goals []string, team, kind string) (decide.Input, error) {
	g, err := decide.ParseGoals(goals)
	if err != nil {
		return decide.Input{}, &FlagError{Err: fmt.Errorf("--goal: %w", err)}
	}
	in := decide.Input{Goals: g}
	if kind != "" {
		if in.Kind, err = template.ParseKind(kind); err != nil {
			return decide.Input{}, &FlagError{Err: fmt.Errorf("--kind: %w", err)}
		}
	}
	if team != "" && team != "none" {
		if in.Team, err = decide.ParseLanguage(team); err != nil {
			return decide.Input{}, &FlagError{Err: fmt.Errorf("--team: %w", err)}
		}
	}
	return in, nil
}

// kindFound refuses a recommendation of another kind than --kind asked
// for: the catalog has none of it.
func kindFound(in decide.Input, rec decide.Recommendation) error {
	if in.Kind == "" || rec.Kind == in.Kind {
		return nil
	}
	if in.Kind == template.Workspace {
		return &FlagError{Err: fmt.Errorf("--kind %s: a workspace needs the catalog's workspace template and service templates for two layers, and this catalog lacks them; scaffold recommend --polyglot shows the parts it would hold", in.Kind)}
	}
	return &FlagError{Err: fmt.Errorf("--kind %s: the catalog has no %s template in any language (see scaffold list)", in.Kind, in.Kind)}
}

func printRecommendation(w io.Writer, rec decide.Recommendation) {
	what := rec.Language.Title() + ": the catalog has no " + string(rec.Kind) + " template in it"
	if rec.Template != "" {
		what = fmt.Sprintf("%s (template %s)", display.Untrusted(rec.Title), display.Untrusted(rec.Template))
	}
	fmt.Fprintf(w, "Recommended: %s\n", what)
	fmt.Fprintf(w, "Kind: %s (%s)\n", rec.Kind.Describe(), rec.Kind)
	var scores []string
	for _, l := range decide.Languages {
		scores = append(scores, fmt.Sprintf("%s %d", l.Title(), rec.Scores[l]))
	}
	fmt.Fprintf(w, "Scores: %s\n", strings.Join(scores, ", "))
	fmt.Fprintln(w, "Why:")
	for _, r := range rec.Reasons {
		fmt.Fprintf(w, "  - %s\n", r)
	}
	if len(rec.Parts) > 0 {
		fmt.Fprintln(w, "Parts of the workspace:")
		for _, p := range rec.Parts {
			fmt.Fprintf(w, "  - %s: %s (template %s): %s\n", p.Folder, display.Untrusted(p.Title), display.Untrusted(p.Template), p.Reason)
		}
	}
	if len(rec.Features) > 0 {
		fmt.Fprintln(w, "Turned on by the goals:")
		for _, f := range rec.Features {
			fmt.Fprintf(w, "  - %s yes: you said %s (--set %s=false leaves it out)\n", display.Untrusted(f.Prompt), strings.Join(f.Goals, " and "), f.Question)
		}
	}
	if len(rec.Warnings) > 0 {
		fmt.Fprintln(w, "Watch out:")
		for _, r := range rec.Warnings {
			fmt.Fprintf(w, "  - %s\n", r)
		}
	}
}

// decideOrder spells the tie-break order: "Node.js, Go, Rust".
func decideOrder() string {
	var out []string
	for _, l := range decide.Languages {
		out = append(out, l.Title())
	}
	return strings.Join(out, ", ")
}
