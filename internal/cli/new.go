package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/scaffold-cli/scaffold/internal/answer"
	"github.com/scaffold-cli/scaffold/internal/config"
	"github.com/scaffold-cli/scaffold/internal/decide"
	"github.com/scaffold-cli/scaffold/internal/display"
	"github.com/scaffold-cli/scaffold/internal/names"
	"github.com/scaffold-cli/scaffold/internal/project"
	"github.com/scaffold-cli/scaffold/internal/prompt"
	"github.com/scaffold-cli/scaffold/internal/source"
	"github.com/scaffold-cli/scaffold/internal/template"
)

type newOptions struct {
	IO       *IOStreams
	Config   func() (*config.Config, error)
	Prompter prompt.Prompter
	Now      func() time.Time
	Getenv   func(string) string
	Environ  func() []string
	Version  string
	Builtins fs.FS

	Target      string
	Goals       []string
	Team        string
	Stack       string
	Framework   string
	Kind        string
	Polyglot    bool
	Parts       []string
	Template    string
	Sets        []string
	AnswersFile string
	Yes         bool
	Refresh     bool
	Trust       bool
	NoHooks     bool
	NoGit       bool
	OwnRepo     bool
	// inRepo says the project goes into another repository: nothing is
	// committed (see project.Home).
	inRepo    bool
	Install   bool
	NoInstall bool
	DryRun    bool
	JSON      bool
}

// NewCmdNew builds "scaffold new".
func NewCmdNew(f *Factory, runF func(context.Context, *newOptions) error) *cobra.Command {
	opts := &newOptions{IO: f.IO, Config: f.Config, Prompter: f.Prompter, Now: f.Now, Getenv: f.Getenv, Environ: f.Environ, Version: f.Version, Builtins: f.Builtins}
	cmd := &cobra.Command{
		Use:   "new NAME",
		Short: "Create a project: decide the stack, ask, render, commit",
		Long: `Create the project NAME: ask what it is for, recommend a stack and say why,
ask the template's questions, render it into ./NAME and make the first commit.

NAME may be a path (services/api): the folder is created there and the
project is named after its last element. An existing folder must be empty.

Flags answer ahead of the prompts. Without a terminal nothing is asked: a
question that has no answer is an error naming the flag that answers it
(exit 2). --yes takes the recommendation and every default.

Before the first commit, new installs the project's dependencies (npm
install, cargo fetch, go mod download), so that the lock file it writes
is in that commit: in a terminal it asks first (yes by default);
--install and --no-install decide without asking; with no terminal it
installs only with --install. A template that is not trusted installs
only with --trust, as its hooks run only with it: npm runs the install
scripts of every package a package.json names.`,
		Example: `  scaffold new myapp
  scaffold new myapp --goal performance --goal concurrency --yes
  scaffold new api --stack node --framework fastify --set license=none --yes
  scaffold new services/api --template go/chi --set module=example.com/acme/api --yes
  scaffold new myapp --answers other/.scaffold-answers.yaml
  scaffold new myapp --stack rust --yes --dry-run --json`,
		Args: exactArgs(1, "one argument, the project name or path"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Target = args[0]
			if opts.Install && opts.NoInstall {
				return &FlagError{Err: errors.New("--install and --no-install contradict each other: pass one of them")}
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return newRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringSliceVarP(&opts.Goals, "goal", "g", nil, "what the project is for (repeatable or comma-separated; see scaffold recommend --help)")
	fl.StringVar(&opts.Team, "team", "", "the team's strongest language: node, go, rust or none")
	fl.StringVar(&opts.Stack, "stack", "", "use this language instead of the recommendation: node, go or rust")
	fl.StringVar(&opts.Framework, "framework", "", "use this framework: express, fastify, chi or axum")
	fl.StringVar(&opts.Kind, "kind", "", "the kind of project instead of the one the goals give: "+kindFlagValues())
	fl.BoolVar(&opts.Polyglot, "polyglot", false, "a workspace of several parts, each in its own language (--kind workspace)")
	fl.StringArrayVar(&opts.Parts, "part", nil, "name a workspace's part: --part LAYER=NAME, LAYER one of api, service, infra (repeatable)")
	fl.StringVarP(&opts.Template, "template", "t", "", "template to render: a built-in (go/chi), a team alias, a folder, or a git URL[//SUBDIR][@REF]")
	fl.BoolVar(&opts.Refresh, "refresh", false, "fetch a git template again even when it is cached")
	fl.BoolVar(&opts.Trust, "trust", false, "run the template's hooks and install its dependencies even though it is not trusted")
	fl.BoolVar(&opts.NoHooks, "no-hooks", false, "render the template but run none of its hooks")
	fl.StringArrayVar(&opts.Sets, "set", nil, "answer a template question: --set key=value (repeatable)")
	fl.StringVar(&opts.AnswersFile, "answers", "", "read answers from a YAML or JSON file (the shape of .scaffold-answers.yaml)")
	fl.BoolVarP(&opts.Yes, "yes", "y", false, "take the recommendation and every default without asking")
	fl.BoolVar(&opts.NoGit, "no-git", false, "do not create a git repository")
	fl.BoolVar(&opts.OwnRepo, "own-repo", false, "make the project a git repository of its own even inside another one")
	fl.BoolVar(&opts.Install, "install", false, "install the dependencies before the first commit, without asking")
	fl.BoolVar(&opts.NoInstall, "no-install", false, "do not install the dependencies, and do not ask")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "show what would be written, and write nothing")
	fl.BoolVar(&opts.JSON, "json", false, "print the result as one JSON object on stdout")
	registerStackCompletions(cmd, f.Builtins)
	return cmd
}

// newRun works in the order DESIGN.md sets: check the target, decide the
// stack, answer the template's questions, render, write, commit. Every
// check that can fail on the user's input runs before anything is written.
func newRun(ctx context.Context, opts *newOptions) error {
	cfg, err := opts.Config()
	if err != nil {
		return err
	}
	target, err := filepath.Abs(opts.Target)
	if err != nil {
		return err
	}
	proj, err := names.Derive(filepath.Base(target), cfg.NameOptions())
	if err != nil {
		return inputErr(err)
	}
	if err := project.CheckTarget(target); err != nil {
		return err
	}
	if err := project.CheckParents(target); err != nil {
		return err
	}
	if err := project.CheckGitData(target); err != nil {
		return err
	}
	// git does not nest: inside another repository the project is a
	// folder of it, as cargo new makes one (--own-repo for a repository
	// of its own).
	if opts.NoGit && opts.OwnRepo {
		return &FlagError{Err: errors.New("--no-git and --own-repo disagree: give one")}
	}
	var home *project.Home
	if !opts.NoGit && !opts.OwnRepo {
		h, err := project.FindHome(target)
		switch {
		case err == nil:
			home, opts.inRepo = h, true
		case !errors.Is(err, project.ErrNoRepository):
			return inputErr(fmt.Errorf("%w; or pass --no-git", err))
		}
	}
	given, err := opts.gather()
	if err != nil {
		return err
	}

	var ask prompt.Prompter = &countingPrompter{Prompter: opts.Prompter}
	if opts.Yes {
		ask = prompt.NoTerminal{}
	}
	choice, err := chooseTemplate(opts, given, ask)
	if err != nil {
		return err
	}
	opened, err := opts.open(ctx, cfg, choice.ref, given.fromFile(choice.ref))
	if err != nil {
		return err
	}
	tmpl := opened.Template
	gitSettings := project.LoadGitSettings(opts.Getenv)
	author := cfg.String(config.Author)
	if author == "" && !gitSettings.Default {
		author = gitSettings.Identity.Name
	}
	if tmpl.Manifest.Kind == template.Workspace {
		return newWorkspace(ctx, opts, &workspaceRun{cfg: cfg, given: given, choice: choice, opened: opened, ask: ask,
			target: target, proj: proj, home: home, git: gitSettings, author: author})
	}
	hooks, err := opts.hooks(opened, cfg, ask)
	if err != nil {
		return err
	}
	gen, err := project.Generate(ctx, project.GenerateInput{
		Opened: opened, Project: proj, Author: author, Now: opts.Now(), Version: opts.Version,
		Goals: choice.in.Goals, Team: string(choice.in.Team),
		Answers: answer.Options{Given: given.answers, Defaults: cfg.Defaults, Prompter: ask, Yes: opts.Yes},
	})
	if err != nil {
		return err
	}
	rendered, secrets, private, files := gen.Rendered, gen.Secrets, gen.Private, gen.Files
	answers, recorded := gen.Answered.Data, gen.Answered.Recorded
	inst, err := opts.install(ctx, opened, cfg, answers, rendered, ask)
	if err != nil {
		return err
	}

	next, err := project.NextSteps(ctx, tmpl, answers)
	if err != nil {
		return err
	}
	res := &newResult{Target: target, Template: opened.Ref, Commit: opened.Commit, Digest: opened.Digest,
		Files: files, Hooks: hooks, Install: inst, DryRun: opts.DryRun, answers: recorded, next: next}
	res.shown = shownPaths(tmpl, secrets, answers)
	for _, p := range private {
		res.SecretFiles = append(res.SecretFiles, res.shown(p))
	}
	for _, q := range tmpl.Manifest.Questions {
		if q.Secret {
			res.secrets = append(res.secrets, q.Name)
		}
	}
	if !opts.NoGit {
		res.Git = &gitResult{Branch: gitSettings.Branch, Author: gitSettings.Identity.Name + " <" + gitSettings.Identity.Email + ">", defaultID: gitSettings.Default}
		if home != nil {
			res.Git.Inside, res.Git.BaseRef, res.Git.rel = home.Root, string(home.BaseRef()), home.Rel
		}
	}
	if opts.DryRun {
		return res.print(opts, tmpl.Manifest.Language, ask)
	}

	co := project.CreateOptions{
		Files: files, Base: rendered, Private: private, Source: opened.Ref, Now: opts.Now,
		Name: proj.Name, Getenv: opts.Getenv, HookOutput: opts.IO.ErrOut, Install: opts.createInstall(inst),
	}
	if res.Git != nil {
		co.Git, co.InRepo = &gitSettings, home != nil
	}
	if res.Hooks.run() {
		co.Hooks = res.Hooks.Commands
	}
	created, err := project.Create(ctx, target, co)
	if created == nil {
		return err
	}
	if inst != nil {
		inst.Installed, inst.Took, inst.committed, inst.noLock = created.Installed, created.Took, created.LockCommitted, created.NoLock
	}
	if res.Git != nil && home != nil {
		res.Git.BaseRef = created.BaseRef
	} else if res.Git != nil {
		if created.Commit == "" {
			res.Git = nil
			if inst != nil {
				inst.git = false // the commit failed, and says so
			}
		} else {
			res.Git.Commit, res.Git.HooksCommit = created.Commit, created.HooksCommit
		}
	}
	noteNotIgnored(opts.IO.ErrOut, created.NotIgnored, res.show)
	if perr := res.print(opts, tmpl.Manifest.Language, ask); perr != nil {
		return perr
	}
	return err
}

// open finds the template, through the team's aliases, cloning or
// refreshing a git source as needed. A reference read from an answers
// file, which anyone may have written, is opened as one read from a
// project file: credentials written in its URL are not used.
func (opts *newOptions) open(ctx context.Context, cfg *config.Config, name string, fromFile bool) (*source.Opened, error) {
	ref, _ := cfg.Resolve(name)
	so := sourceOptions(opts.IO, opts.Getenv, opts.Now, opts.Builtins, cfg)
	so.Refresh = opts.Refresh
	so.ProjectRef = fromFile
	opened, err := openSource(ctx, ref, so, opts.IO.ErrOut)
	if err != nil {
		return nil, inputErr(err)
	}
	return opened, nil
}

// hooks plans the template's hooks: project.DecideHooks decides from
// the flags, the source and the team config's trust. Untrusted hooks
// never run silently: in a terminal the user sees them and decides;
// otherwise the run stops before anything is written.
func (opts *newOptions) hooks(opened *source.Opened, cfg *config.Config, ask prompt.Prompter) (*hookPlan, error) {
	list := opened.Template.Manifest.Hooks
	if len(list) == 0 {
		return nil, nil
	}
	trusted, why := cfg.Trusted(opened.Ref, opened.Digest)
	in := project.HookTrust{NoHooks: opts.NoHooks, Trust: opts.Trust, DryRun: opts.DryRun, BuiltIn: opened.Kind == source.Builtin}
	if trusted {
		in.TrustedIn = cfg.Path
	}
	plan := &hookPlan{Commands: list, Decision: project.DecideHooks(in)}
	if plan.Decision.Reason != project.Ask {
		return plan, nil
	}
	if why == "" {
		why = fmt.Sprintf("%s is not a built-in template and no trust entry in the config names it", opened.Ref)
	}
	// The reference may come from an answers file someone else wrote:
	// a bidi control in it could make it pass for a trusted source.
	fmt.Fprintf(opts.IO.ErrOut, "The template %s wants to run these commands in the new project:\n", display.Untrusted(opened.Ref))
	for _, h := range list {
		fmt.Fprintf(opts.IO.ErrOut, "  %s\n", display.Untrusted(h))
	}
	fmt.Fprintf(opts.IO.ErrOut, "It is not trusted: %s.\n", display.Untrusted(why))
	ok, err := ask.Ask(prompt.Question{
		Name: "trust", Message: "Run them?", Kind: prompt.Confirm, Default: false,
		Flag: "--trust to run the hooks, or --no-hooks to render without them",
	})
	var missing *prompt.MissingError
	if errors.As(err, &missing) {
		return nil, inputErr(fmt.Errorf("template %s has hooks and is not trusted (%s); nothing was written: pass --trust to run its hooks, or --no-hooks to render without them", opened.Ref, why))
	}
	if err != nil {
		return nil, err
	}
	plan.Decision.Reason = project.Declined
	if ok.(bool) {
		plan.Decision.Reason = project.Confirmed
	}
	return plan, nil
}

// hookPlan is the template's hooks and whether they run.
type hookPlan struct {
	Commands []string
	Decision project.HookDecision
}

func (h *hookPlan) run() bool { return h != nil && h.Decision.Run() }

// MarshalJSON says why the hooks run ("trusted") or why not ("skipped").
func (h *hookPlan) MarshalJSON() ([]byte, error) {
	j := struct {
		Commands []string `json:"commands"`
		Trusted  string   `json:"trusted,omitempty"`
		Skipped  string   `json:"skipped,omitempty"`
	}{Commands: h.Commands}
	if h.Decision.Run() {
		j.Trusted = h.Decision.String()
	} else {
		j.Skipped = h.Decision.String()
	}
	return json.Marshal(j)
}

// parseSets adds the answers of --set flags to answers; a mistake in
// their syntax is a flag error, shown with the usage.
func parseSets(sets []string, answers map[string]any) error {
	if err := answer.ParseSets(sets, answers); err != nil {
		return &FlagError{Err: err}
	}
	return nil
}

// readAnswers reads the answers file of --answers; with none, the
// record is empty.
func readAnswers(file string) (*project.Record, error) {
	if file == "" {
		return &project.Record{}, nil
	}
	rec, err := project.ReadRecord(file)
	if err != nil {
		return nil, inputErr(fmt.Errorf("--answers: %w", err))
	}
	return rec, nil
}

// given is everything answered ahead of the prompts, from the answers
// file and the flags (flags win).
type given struct {
	in       decide.Input
	goalsSet bool
	template string
	// templateFromFile says template comes from the answers file.
	templateFromFile bool
	answers          map[string]any
}

// fromFile reports whether ref is the template the answers file named.
func (g *given) fromFile(ref string) bool { return g.templateFromFile && ref == g.template }

func (opts *newOptions) gather() (*given, error) {
	g := &given{answers: map[string]any{}}
	rec, err := readAnswers(opts.AnswersFile)
	if err != nil {
		return nil, err
	}
	maps.Copy(g.answers, rec.Answers)
	g.template, g.templateFromFile = rec.Template.Source, rec.Template.Source != ""
	goals, team := opts.Goals, opts.Team
	if len(goals) == 0 {
		goals = rec.Goals
	}
	if team == "" {
		team = rec.Team
	}
	kind, err := polyglotKind(opts.Kind, opts.Polyglot)
	if err != nil {
		return nil, err
	}
	in, err := parseDecideInput(goals, team, kind)
	if err != nil {
		return nil, err
	}
	g.in, g.goalsSet = in, len(goals) > 0 || team != ""
	if opts.Template != "" {
		g.template, g.templateFromFile = opts.Template, false
	}
	if err := parseSets(opts.Sets, g.answers); err != nil {
		return nil, err
	}
	return g, nil
}

// countingPrompter notes whether anything was asked, which is when the
// repeatable command line is worth printing.
type countingPrompter struct {
	prompt.Prompter
	asked int
}

func (c *countingPrompter) Ask(q prompt.Question) (any, error) {
	c.asked++
	return c.Prompter.Ask(q)
}

type newResult struct {
	Target   string          `json:"target"`
	Template string          `json:"template"`
	Commit   string          `json:"template_commit,omitempty"`
	Digest   string          `json:"template_digest"`
	DryRun   bool            `json:"dry_run"`
	Files    []template.File `json:"-"`
	Hooks    *hookPlan       `json:"hooks,omitempty"`
	Install  *installPlan    `json:"install,omitempty"`
	Git      *gitResult      `json:"git"`
	// SecretFiles hold a secret answer: written, never put in git.
	SecretFiles []string `json:"secret_files,omitempty"` // redacted
	// Parts are a workspace's projects.
	Parts   []partResult        `json:"parts,omitempty"`
	goals   []string            // a workspace's, which give its parts
	shown   func(string) string // a path or link as printed
	answers map[string]any
	secrets []string // names of secret questions, never printed
	next    []template.NextStep
}

type gitResult struct {
	Branch string `json:"branch"`
	Author string `json:"author"`
	Commit string `json:"commit,omitempty"`
	// HooksCommit holds what the hooks changed, after the first commit.
	HooksCommit string `json:"hooks_commit,omitempty"`
	// Inside is the work tree of the repository the project is a folder
	// of, when it is in one: no repository is made and nothing is
	// committed. BaseRef is where its pristine render is kept there.
	Inside    string `json:"inside,omitempty"`
	BaseRef   string `json:"base_ref,omitempty"`
	rel       string // the project's folder in Inside
	defaultID bool
}

type fileJSON struct {
	Path string `json:"path"`
	Size int    `json:"size"`
	Mode string `json:"mode"`
	Link string `json:"link,omitempty"`
}

func (r *newResult) print(opts *newOptions, language string, ask prompt.Prompter) error {
	if opts.JSON {
		files := make([]fileJSON, len(r.Files))
		for i, f := range r.Files {
			files[i] = fileJSON{Path: r.show(f.Path), Size: len(f.Data), Mode: fmt.Sprintf("%04o", f.Mode.Perm()), Link: r.show(f.Link)}
		}
		return writeJSON(opts.IO.Out, struct {
			*newResult
			Files []fileJSON `json:"files"`
		}{r, files})
	}
	w := opts.IO.Out
	rel := displayPath(r.Target)
	if r.DryRun {
		fmt.Fprintf(w, "Would create %s from %s:\n", rel, display.Untrusted(r.Template))
		for _, f := range r.Files {
			fmt.Fprintf(w, "  %s  %s\n", f.Mode.Perm(), r.show(f.Path))
		}
		if r.Git != nil && r.Git.Inside != "" {
			fmt.Fprintf(w, "Would make no repository: %s is a folder of the git repository at %s (--own-repo makes one); would commit nothing, and record the pristine render there in %s\n", rel, r.Git.Inside, r.Git.BaseRef)
		} else if r.Git != nil {
			fmt.Fprintf(w, "Would run git init (branch %s) and commit %d files as %s\n", r.Git.Branch, len(r.Files)-len(r.SecretFiles), r.Git.Author)
			if len(r.SecretFiles) > 0 {
				fmt.Fprintf(w, "Would leave out of git, as they hold a secret answer: %s\n", strings.Join(r.SecretFiles, ", "))
			}
		}
		if r.Hooks != nil {
			verdict := "would run them (" + r.Hooks.Decision.String() + ")"
			if !r.Hooks.run() {
				verdict = "would not run them: " + r.Hooks.Decision.String()
				if r.Hooks.Decision.Reason == project.NotTrusted {
					verdict += "; pass --trust or add a trust entry with digest " + r.Digest
				}
			}
			fmt.Fprintf(w, "Hooks, %s:\n", verdict)
			for _, h := range r.Hooks.Commands {
				fmt.Fprintf(w, "  %s\n", display.Untrusted(h))
			}
		}
		r.Install.print(opts, true)
		fmt.Fprintln(w, "Nothing was written (--dry-run).")
		return nil
	}
	fmt.Fprintf(w, "Created %s from %s (%d files)", rel, display.Untrusted(r.Template), len(r.Files))
	if r.Git != nil && r.Git.Inside != "" {
		fmt.Fprintf(w, " in the git repository at %s, without a repository of its own (--own-repo makes one) and uncommitted", r.Git.Inside)
		if r.Git.BaseRef != "" {
			fmt.Fprintf(w, "; its pristine render, for scaffold update, is in %s", r.Git.BaseRef)
		}
	} else if r.Git != nil {
		fmt.Fprintf(w, ", first commit %s on %s", r.Git.Commit[:7], r.Git.Branch)
		if r.Git.HooksCommit != "" {
			fmt.Fprintf(w, ", hooks' changes in %s", r.Git.HooksCommit[:7])
		}
	}
	fmt.Fprintln(w)
	r.printParts(w)
	r.Install.print(opts, false)
	if r.Hooks != nil && !r.Hooks.run() {
		fmt.Fprintf(opts.IO.ErrOut, "note: the template's hooks did not run (%s): %s\n", r.Hooks.Decision, display.Untrusted(strings.Join(r.Hooks.Commands, "; ")))
	}
	if r.Git != nil && r.Git.Inside != "" {
		fmt.Fprintf(opts.IO.ErrOut, "note: review it and commit it there: git -C %s add %s && git -C %s commit\n", shellQuote(r.Git.Inside), shellQuote(r.Git.rel), shellQuote(r.Git.Inside))
	} else if r.Git != nil && r.Git.defaultID {
		fmt.Fprintf(opts.IO.ErrOut, "note: no git identity is configured, so the commit is by %s; set user.name and user.email, then: git commit --amend --reset-author --no-edit\n", r.Git.Author)
	}
	printNextSteps(w, rel, withoutInstall(r.next, r.Install))
	if cp, ok := ask.(*countingPrompter); ok && cp.asked > 0 {
		fmt.Fprintf(opts.IO.ErrOut, "\nTo do the same without prompts:\n  %s\n", repeatCommand(opts, r))
	}
	return nil
}

// shownPaths is how new and update print a rendered path or link
// target. One may be rendered from a secret answer itself; an encoded
// one (b64enc) is masked where it changes with the secret.
func shownPaths(t *template.Template, s template.Secrets, data map[string]any) func(string) string {
	return func(p string) string {
		if m, ok := s.Shown[p]; ok {
			return m
		}
		return t.RedactText(p, data)
	}
}

// noteNotIgnored warns of the files that hold a secret answer, which
// scaffold left out of git, but which no .gitignore ignores, so that a
// git add -A would commit them; show prints a path without the secret.
func noteNotIgnored(w io.Writer, open []string, show func(string) string) {
	if len(open) == 0 {
		return
	}
	what := "holds a secret answer, so scaffold left it out of git, but the template's .gitignore does not ignore it: add it to .gitignore so that git add -A never commits it"
	if len(open) > 1 {
		what = "hold secret answers, so scaffold left them out of git, but the template's .gitignore does not ignore them: add them to .gitignore so that git add -A never commits them"
	}
	shown := make([]string, len(open))
	for i, p := range open {
		shown[i] = show(p)
	}
	fmt.Fprintf(w, "note: %s %s\n", strings.Join(shown, ", "), what)
}

// show is a rendered path or link target as printed: with any secret
// answer cut out.
func (r *newResult) show(s string) string {
	if r.shown == nil {
		return s
	}
	return r.shown(s)
}

// displayPath shows the target relative to the working folder when that
// is shorter, as the user would type it.
func displayPath(target string) string {
	if wd, err := filepath.Abs("."); err == nil {
		if rel, err := filepath.Rel(wd, target); err == nil && !strings.HasPrefix(rel, "..") {
			return rel
		}
	}
	return target
}

// appendSets adds a --set for each answer, its key after prefix, in key
// order, leaving out those named in skip.
func appendSets(args []string, prefix string, answers map[string]any, skip []string) []string {
	keys := make([]string, 0, len(answers))
	for k := range answers {
		if !slices.Contains(skip, k) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		v := answers[k]
		if list, ok := v.([]string); ok {
			v = strings.Join(list, ",")
		}
		args = append(args, "--set", shellQuote(fmt.Sprintf("%s%s=%v", prefix, k, v)))
	}
	return args
}

// repeatCommand spells the flags that give the same project without a
// single prompt.
func repeatCommand(opts *newOptions, r *newResult) string {
	args := []string{"scaffold", "new", shellQuote(opts.Target), "--template", shellQuote(r.Template)}
	if len(r.Parts) > 0 && len(r.goals) > 0 {
		// A workspace's parts come from the goals.
		args = append(args, "--goal", shellQuote(strings.Join(r.goals, ",")))
	}
	args = appendSets(args, "", r.answers, nil)
	for _, p := range r.Parts {
		args = append(args, "--part", shellQuote(p.Layer+"="+p.Name))
	}
	for _, p := range r.Parts {
		args = appendSets(args, p.Name+".", p.answers, wiringKeys)
	}
	if opts.NoGit {
		args = append(args, "--no-git")
	}
	if opts.OwnRepo {
		args = append(args, "--own-repo")
	}
	if f := r.Install.flag(); f != "" {
		args = append(args, f)
	}
	// Trust given at the prompt, for the hooks or the install, is
	// --trust without one, as --trust given is.
	trust := opts.Trust || r.Install.trusted()
	if r.Hooks != nil {
		switch r.Hooks.Decision.Reason {
		case project.Declined, project.NoHooksFlag:
			args = append(args, "--no-hooks")
		case project.Confirmed:
			trust = true
		}
	}
	if trust {
		args = append(args, "--trust")
	}
	for _, q := range r.secrets {
		args = append(args, "--set", q+"=…")
	}
	for _, p := range r.Parts {
		for _, q := range p.secrets {
			args = append(args, "--set", p.Name+"."+q+"=…")
		}
	}
	return strings.Join(append(args, "--yes"), " ")
}

// shellQuote quotes s for a POSIX shell. A value the terminal would not
// show as itself (a template's default holding an escape sequence,
// taken at the prompt) is spelled in ANSI-C quotes, $'...', so that the
// command line shows what it runs and still runs it.
func shellQuote(s string) string {
	if display.Untrusted(s) != s {
		return ansiCQuote(s)
	}
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./=:@,+", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func ansiCQuote(s string) string {
	var b strings.Builder
	b.WriteString("$'")
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\\' || r == '\'':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case display.Untrusted(s[i:i+size]) == s[i:i+size]:
			b.WriteString(s[i : i+size])
		case r > 0xffff:
			fmt.Fprintf(&b, `\U%08x`, r)
		default:
			fmt.Fprintf(&b, `\u%04x`, r)
		}
		i += size
	}
	b.WriteString("'")
	return b.String()
}
