package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/scaffold-cli/scaffold/internal/decide"
)

type recommendOptions struct {
	IO    *IOStreams
	Goals []string
	Team  string
	JSON  bool
}

// NewCmdRecommend builds "scaffold recommend". runF replaces the run
// function in tests that check flag parsing alone.
func NewCmdRecommend(f *Factory, runF func(*recommendOptions) error) *cobra.Command {
	opts := &recommendOptions{IO: f.IO}
	cmd := &cobra.Command{
		Use:   "recommend",
		Short: "Recommend a stack for the project's goals, and say why",
		Long: `Recommend a language and framework for the given goals, with the score of
each language, the rules that fired and the weaknesses that apply.

Goals: ` + strings.Join(decide.GoalNames(), ", ") + `.
With no goals the answer is Node.js, the safe default. Ties are broken in
the order Node.js, Go, Rust.`,
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
	cmd.Flags().StringVar(&opts.Team, "team", "", "the team's strongest language: node, go or rust")
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print the recommendation as one JSON object")
	_ = cmd.RegisterFlagCompletionFunc("goal", goalCompletion)
	_ = cmd.RegisterFlagCompletionFunc("team", cobra.FixedCompletions([]string{"node", "go", "rust"}, cobra.ShellCompDirectiveNoFileComp))
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
	rec := decide.Recommend(in)
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
	fmt.Fprintf(w, "Recommended: %s with %s (template %s)\n", rec.Language.Title(), title(rec.Framework), rec.Template)
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

// title spells a framework's name as its project does.
func title(framework string) string {
	switch framework {
	case "express":
		return "Express"
	case "fastify":
		return "Fastify"
	case "axum":
		return "Axum"
	}
	return framework
}
