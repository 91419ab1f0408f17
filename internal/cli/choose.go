package cli

// Choosing the template: from the flags, the answers file or the
// recommendation, and the help and completion the stack flags offer.

import (
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/scaffold-cli/scaffold/internal/catalog"
	"github.com/scaffold-cli/scaffold/internal/decide"
	"github.com/scaffold-cli/scaffold/internal/display"
	"github.com/scaffold-cli/scaffold/internal/prompt"
	"github.com/scaffold-cli/scaffold/internal/stack"
	"github.com/scaffold-cli/scaffold/internal/template"
)

// registerStackCompletions completes the flags that choose a stack, and
// spells their help from the registry and the catalog.
func registerStackCompletions(cmd *cobra.Command, builtins fs.FS) {
	langs := stack.Names()
	frameworks := builtinCatalog(builtins).Frameworks()
	usage := map[string]string{
		"team":      "the team's strongest language: " + stack.Or(append(slices.Clone(langs), "none")),
		"stack":     "use this language instead of the recommendation: " + stack.Or(langs),
		"framework": "use this framework: " + stack.Or(frameworks),
	}
	for name, u := range usage {
		if f := cmd.Flags().Lookup(name); f != nil {
			f.Usage = u
		}
	}
	_ = cmd.RegisterFlagCompletionFunc("goal", goalCompletion)
	_ = cmd.RegisterFlagCompletionFunc("stack", languageCompletion(false))
	_ = cmd.RegisterFlagCompletionFunc("team", languageCompletion(true))
	_ = cmd.RegisterFlagCompletionFunc("framework", cobra.FixedCompletions(frameworks, cobra.ShellCompDirectiveNoFileComp))
}

// languageCompletion completes a language flag from the registry.
func languageCompletion(none bool) cobra.CompletionFunc {
	var out []string
	for _, l := range stack.Languages {
		out = append(out, l.Name+"\t"+l.Title)
	}
	if none {
		out = append(out, "none\tno strong preference, or a mix")
	}
	return cobra.FixedCompletions(out, cobra.ShellCompDirectiveNoFileComp)
}

// choice is the template decided on, and the decision input behind it.
type choice struct {
	ref string
	in  decide.Input
	rec *decide.Recommendation
}

func chooseTemplate(opts *newOptions, g *given, ask prompt.Prompter) (*choice, error) {
	cat, err := loadCatalog(opts.Builtins, opts.Config)
	if err != nil {
		return nil, err
	}
	c := &choice{in: g.in}
	if opts.Stack != "" || opts.Framework != "" {
		ref, err := stackTemplate(cat, opts.Stack, opts.Framework, g.in)
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
	rec := decide.Recommend(c.in, cat.Engine())
	if err := kindFound(c.in, rec); err != nil {
		return nil, err
	}
	if rec.Template == "" {
		return nil, fmt.Errorf("the catalog has no %s template in any language: add one, or name one with --template", rec.Kind)
	}
	c.rec = &rec
	printRecommendation(opts.IO.ErrOut, rec)
	fmt.Fprintln(opts.IO.ErrOut)
	if opts.Yes {
		c.ref = rec.Template
		return c, nil
	}
	ok, err := ask.Ask(prompt.Question{
		Name:    "accept",
		Message: fmt.Sprintf("Use %s?", display.Untrusted(rec.Title)),
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
	var refs, descs []string
	for _, t := range cat.Entries() {
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
	if e, ok := cat.Get(c.ref); ok && e.Language != "" {
		for _, w := range decide.WarningsFor(decide.Language(e.Language), c.in) {
			fmt.Fprintf(opts.IO.ErrOut, "Watch out: %s\n", w)
		}
	}
	return c, nil
}

// stackTemplate maps --stack and --framework to a template of the
// catalog: the engine's pick in the language when no framework is given.
func stackTemplate(cat *catalog.Catalog, lang, framework string, in decide.Input) (string, error) {
	known := func() string { return strings.Join(cat.Names(), ", ") }
	if lang == "" {
		found := cat.WithFramework("", framework)
		switch len(found) {
		case 0:
			return "", &FlagError{Err: fmt.Errorf("--framework %q: no template uses it; known: %s", framework, known())}
		case 1:
			return found[0].Name, nil
		}
		var langs []string
		for _, e := range found {
			langs = append(langs, e.Language)
		}
		return "", &FlagError{Err: fmt.Errorf("--framework %q: templates in %s use it: add --stack", framework, stack.Or(langs))}
	}
	l, err := decide.ParseLanguage(lang)
	if err != nil {
		return "", &FlagError{Err: fmt.Errorf("--stack: %w", err)}
	}
	if framework == "" {
		c, _, ok := decide.Pick(l, in, cat.Engine())
		if !ok {
			kind, _ := decide.KindFor(in)
			return "", &FlagError{Err: fmt.Errorf("--stack %s: no %s template in %s; known templates: %s", lang, kind, l.Title(), known())}
		}
		return c.Template, nil
	}
	found := cat.WithFramework(string(l), framework)
	if len(found) == 0 {
		var has []string
		for _, e := range cat.Entries() {
			if e.Language == string(l) && e.Framework != "" {
				has = append(has, e.Framework)
			}
		}
		msg := fmt.Sprintf("no %s template uses it", l.Title())
		if len(has) > 0 {
			msg += fmt.Sprintf("; %s templates use %s", l.Title(), stack.Or(has))
		}
		return "", &FlagError{Err: fmt.Errorf("--framework %q: %s", framework, msg)}
	}
	return found[0].Name, nil
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
	langs := []string{"none"}
	helps := []string{"no strong preference, or a mix"}
	for _, l := range stack.Languages {
		langs, helps = append(langs, l.Name), append(helps, l.Help)
	}
	team, err := ask.Ask(prompt.Question{
		Name: "team", Message: "The team's strongest language?", Kind: prompt.Select,
		Choices: langs, Descriptions: helps, Default: "none", Flag: "--team",
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

// printNextSteps prints the next steps. They come from the template:
// a command line or note holding an escape sequence is shown escaped.
func printNextSteps(w io.Writer, dir string, steps []template.NextStep) {
	fmt.Fprintf(w, "\nNext steps:\n  cd %s\n", shellQuote(dir))
	for _, s := range steps {
		line := "  " + display.Untrusted(s.Run)
		if s.Note != "" {
			line = fmt.Sprintf("  %-28s # %s", display.Untrusted(s.Run), display.Untrusted(s.Note))
		}
		fmt.Fprintln(w, line)
	}
}
