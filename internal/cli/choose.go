package cli

// Choosing the template: from the flags, the answers file or the
// recommendation, and the help and completion the stack flags offer.

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/scaffold-cli/scaffold/internal/decide"
	"github.com/scaffold-cli/scaffold/internal/display"
	"github.com/scaffold-cli/scaffold/internal/prompt"
	"github.com/scaffold-cli/scaffold/internal/source"
)

// registerStackCompletions completes the flags that choose a stack.
func registerStackCompletions(cmd *cobra.Command) {
	_ = cmd.RegisterFlagCompletionFunc("goal", goalCompletion)
	_ = cmd.RegisterFlagCompletionFunc("stack", cobra.FixedCompletions([]string{"node", "go", "rust"}, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("team", cobra.FixedCompletions([]string{"node", "go", "rust", "none"}, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("framework", cobra.FixedCompletions([]string{"express", "fastify", "chi", "axum"}, cobra.ShellCompDirectiveNoFileComp))
}

// choice is the template decided on, and the decision input behind it.
type choice struct {
	ref string
	in  decide.Input
	rec *decide.Recommendation
}

func chooseTemplate(opts *newOptions, g *given, ask prompt.Prompter) (*choice, error) {
	c := &choice{in: g.in}
	if opts.Stack != "" || opts.Framework != "" {
		ref, err := stackTemplate(opts.Stack, opts.Framework, g.in)
		if err != nil {
			return nil, err
		}
		if g.template != "" && opts.Template != "" && g.template != ref {
			return nil, &FlagError{Err: fmt.Errorf("--template %s and --stack/--framework (%s) disagree: give one", g.template, ref)}
		}
		c.ref = ref
		return c, nil
	}
	if g.template != "" {
		c.ref = g.template
		return c, nil
	}

	if !g.goalsSet && !opts.Yes {
		goals, team, err := askGoals(ask)
		if err != nil {
			return nil, err
		}
		c.in = decide.Input{Goals: goals, Team: team}
	}
	rec := decide.Recommend(c.in)
	c.rec = &rec
	printRecommendation(opts.IO.ErrOut, rec)
	fmt.Fprintln(opts.IO.ErrOut)
	if opts.Yes {
		c.ref = rec.Template
		return c, nil
	}
	ok, err := ask.Ask(prompt.Question{
		Name:    "accept",
		Message: fmt.Sprintf("Use %s with %s?", rec.Language.Title(), title(rec.Framework)),
		Kind:    prompt.Confirm, Default: true,
		Flag: "--yes to accept it, or --stack/--template to choose",
	})
	if err != nil {
		return nil, err
	}
	if ok.(bool) {
		c.ref = rec.Template
		return c, nil
	}
	infos, err := source.Builtins()
	if err != nil {
		return nil, err
	}
	var refs, descs []string
	for _, t := range infos {
		refs = append(refs, t.Name)
		descs = append(descs, display.Untrusted(t.Description))
	}
	picked, err := ask.Ask(prompt.Question{
		Name: "template", Message: "Which template?", Kind: prompt.Select,
		Choices: refs, Descriptions: descs, Default: rec.Template, Flag: "--template",
	})
	if err != nil {
		return nil, err
	}
	c.ref = picked.(string)
	if ws := decide.WarningsFor(decide.Language(strings.Split(c.ref, "/")[0]), c.in); len(ws) > 0 {
		for _, w := range ws {
			fmt.Fprintf(opts.IO.ErrOut, "Watch out: %s\n", w)
		}
	}
	return c, nil
}

// stackTemplate maps --stack and --framework to a built-in template.
func stackTemplate(stack, framework string, in decide.Input) (string, error) {
	if stack == "" {
		for _, name := range builtinNames() {
			if strings.HasSuffix(name, "/"+framework) {
				return name, nil
			}
		}
		return "", &FlagError{Err: fmt.Errorf("--framework %q: no built-in template uses it; known: %s", framework, strings.Join(builtinNames(), ", "))}
	}
	lang, err := decide.ParseLanguage(stack)
	if err != nil {
		return "", &FlagError{Err: fmt.Errorf("--stack: %w", err)}
	}
	if framework == "" {
		framework, _ = decide.FrameworkFor(lang, in)
	}
	ref := string(lang) + "/" + strings.ToLower(framework)
	if !source.IsBuiltin(ref) {
		return "", &FlagError{Err: fmt.Errorf("--framework %q is not a built-in %s framework; known templates: %s", framework, lang.Title(), strings.Join(builtinNames(), ", "))}
	}
	return ref, nil
}

func builtinNames() []string {
	infos, _ := source.Builtins()
	var out []string
	for _, t := range infos {
		out = append(out, t.Name)
	}
	return out
}

func askGoals(ask prompt.Prompter) ([]string, decide.Language, error) {
	var choices, descs []string
	for _, g := range decide.Goals {
		choices = append(choices, g.Name)
		descs = append(descs, g.Help)
	}
	goals, err := ask.Ask(prompt.Question{
		Name: "goals", Message: "What is the project for? (space to select, enter when done)",
		Kind: prompt.MultiSelect, Choices: choices, Descriptions: descs,
		Flag: "--goal GOAL (repeatable), --stack or --template",
	})
	if err != nil {
		return nil, "", err
	}
	team, err := ask.Ask(prompt.Question{
		Name: "team", Message: "The team's strongest language?", Kind: prompt.Select,
		Choices:      []string{"none", "node", "go", "rust"},
		Descriptions: []string{"no strong preference, or a mix", "JavaScript / TypeScript", "Go", "Rust"},
		Default:      "none", Flag: "--team",
	})
	if err != nil {
		return nil, "", err
	}
	var lang decide.Language
	if team.(string) != "none" {
		lang = decide.Language(team.(string))
	}
	return goals.([]string), lang, nil
}

func printNextSteps(w io.Writer, dir, language, name string) {
	steps := map[string][][2]string{
		"go":   {{"run", "go run ./cmd/" + name}, {"test", "go test ./..."}},
		"node": {{"install", "npm install"}, {"run", "npm run dev"}, {"test", "npm test"}},
		"rust": {{"run", "cargo run"}, {"test", "cargo test"}},
	}
	fmt.Fprintf(w, "\nNext steps:\n  cd %s\n", shellQuote(dir))
	for _, s := range steps[language] {
		fmt.Fprintf(w, "  %-28s # %s\n", s[1], s[0])
	}
}
