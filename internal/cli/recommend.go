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
)

type recommendOptions struct {
	IO       *IOStreams
	Config   func() (*config.Config, error)
	Builtins fs.FS
	Goals    []string
	Team     string
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
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print the recommendation as one JSON object")
	_ = cmd.RegisterFlagCompletionFunc("goal", goalCompletion)
	_ = cmd.RegisterFlagCompletionFunc("team", languageCompletion(false))
	return cmd
}

func goalCompletion(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	var out []string
	for _, g := range decide.Goals {
		out = append(out, g.Name+"\t"+g.Help)
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}

func recommendRun(opts *recommendOptions) error {
	in, err := parseDecideInput(opts.Goals, opts.Team)
	if err != nil {
		return err
	}
	cat, err := loadCatalog(opts.Builtins, opts.Config)
	if err != nil {
		return err
	}
	rec := decide.Recommend(in, cat.Engine())
	if opts.JSON {
		return writeJSON(opts.IO.Out, rec)
	}
	printRecommendation(opts.IO.Out, rec)
	return nil
}

func parseDecideInput(goals []string, team string) (decide.Input, error) {
	g, err := decide.ParseGoals(goals)
	if err != nil {
		return decide.Input{}, &FlagError{Err: fmt.Errorf("--goal: %w", err)}
	}
	in := decide.Input{Goals: g}
	if team != "" && team != "none" {
		if in.Team, err = decide.ParseLanguage(team); err != nil {
			return decide.Input{}, &FlagError{Err: fmt.Errorf("--team: %w", err)}
		}
	}
	return in, nil
}

func printRecommendation(w io.Writer, rec decide.Recommendation) {
	what := rec.Language.Title() + ": the catalog has no " + string(rec.Kind) + " template in it"
	if rec.Template != "" {
		what = fmt.Sprintf("%s (template %s)", display.Untrusted(rec.Title), display.Untrusted(rec.Template))
	}
	fmt.Fprintf(w, "Recommended: %s\n", what)
	var scores []string
	for _, l := range decide.Languages {
		scores = append(scores, fmt.Sprintf("%s %d", l.Title(), rec.Scores[l]))
	}
	fmt.Fprintf(w, "Scores: %s\n", strings.Join(scores, ", "))
	fmt.Fprintln(w, "Why:")
	for _, r := range rec.Reasons {
		fmt.Fprintf(w, "  - %s\n", r)
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
