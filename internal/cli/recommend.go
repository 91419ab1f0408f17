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
tool, anything else gets an HTTP service; --kind overrides. When no
template of the kind exists in the best language, the next best
language that has one is taken, and when none does, that is said.
A goal no template serves beyond the language (wasm) is said too.
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
	in, err := parseDecideInput(opts.Goals, opts.Team, opts.Kind)
	if err != nil {
		return err
	}
	cat, err := loadCatalog(opts.Builtins, opts.Config)
	if err != nil {
		return err
	}
	rec := decide.Recommend(in, cat.Engine())
	if err := kindFound(in, rec); err != nil {
		return err
	}
	if opts.JSON {
		return writeJSON(opts.IO.Out, rec)
	}
	printRecommendation(opts.IO.Out, rec)
	return nil
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
