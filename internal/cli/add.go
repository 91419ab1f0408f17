package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/scaffold-cli/scaffold/internal/decide"
	"github.com/scaffold-cli/scaffold/internal/display"
	"github.com/scaffold-cli/scaffold/internal/merge"
	"github.com/scaffold-cli/scaffold/internal/project"
	"github.com/scaffold-cli/scaffold/internal/prompt"
	"github.com/scaffold-cli/scaffold/internal/source"
	"github.com/scaffold-cli/scaffold/internal/template"
	"github.com/scaffold-cli/scaffold/internal/update"
)

type addOptions struct {
	newOptions
	Name       string
	Layer      string
	Diff       bool
	AllowDirty bool
}

// NewCmdAdd builds "scaffold add".
func NewCmdAdd(f *Factory, runF func(context.Context, *addOptions) error) *cobra.Command {
	opts := &addOptions{newOptions: newOptions{IO: f.IO, Config: f.Config, Prompter: f.Prompter, Now: f.Now, Getenv: f.Getenv, Environ: f.Environ, Version: f.Version, Builtins: f.Builtins}}
	cmd := &cobra.Command{
		Use:   "add NAME",
		Short: "Add a part to a workspace: render it, and merge it into the root files",
		Long: `Add the part NAME to the workspace in the current folder (or --dir): render
its template into its own folder, as scaffold new would make it, and
render the workspace's root files (Makefile, compose.yaml, the CI
workflows, README) again over the parts, merging the change three ways
into the root files as they are: your edits survive, and where both
changed the same lines the file gets conflict markers and add exits 3.
Nothing is written until the whole change is computed; --dry-run shows
it (--diff the root files' diff).

The template is --template, or the one the goals recommend (--goal). The
part's folder is the layer's: apps/ for Node.js, services/ for Go,
infra/ for Rust (--layer api|service|infra chooses). A name or folder
that exists is refused, and so is a folder reached through a link. The
part ends a chain of its own: it answers
GET /v1/chain, and calls nothing.

Exit codes: 0 added, 3 added with conflicts to resolve in the root files,
1 failed, 2 bad input.`,
		Example: `  scaffold add billing --template go/chi --yes
  scaffold add search --goal systems --yes --dry-run --diff
  scaffold add web --template node/fastify --set license=none --yes`,
		Args: exactArgs(1, "one argument, the part's name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Name = args[0]
			if opts.Install && opts.NoInstall {
				return &FlagError{Err: errors.New("--install and --no-install contradict each other: pass one of them")}
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return addRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Target, "dir", ".", "the workspace's root folder")
	fl.StringVarP(&opts.Template, "template", "t", "", "the part's template: a built-in (go/chi), a team alias, a folder, or a git URL[//SUBDIR][@REF]")
	fl.StringSliceVarP(&opts.Goals, "goal", "g", nil, "what the part is for, when no --template is given (see scaffold recommend --help)")
	fl.StringVar(&opts.Layer, "layer", "", "the part's layer, which names its folder: "+layerNames())
	fl.StringArrayVar(&opts.Sets, "set", nil, "answer a question of the part's template: --set key=value (repeatable)")
	fl.BoolVarP(&opts.Yes, "yes", "y", false, "take every default without asking")
	fl.BoolVar(&opts.Refresh, "refresh", false, "fetch a git template again even when it is cached")
	fl.BoolVar(&opts.Trust, "trust", false, "install the dependencies even though the template is not trusted")
	fl.BoolVar(&opts.Install, "install", false, "install the part's dependencies, without asking")
	fl.BoolVar(&opts.NoInstall, "no-install", false, "do not install the part's dependencies, and do not ask")
	fl.BoolVar(&opts.AllowDirty, "allow-dirty", false, "add even though the workspace has uncommitted changes")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "show what would be written, and write nothing")
	fl.BoolVar(&opts.Diff, "diff", false, "with --dry-run, show the root files' unified diff")
	fl.BoolVar(&opts.JSON, "json", false, "print the result as one JSON object on stdout")
	return cmd
}

type addResult struct {
	Dir    string     `json:"dir"`
	Part   partResult `json:"part"`
	Files  []string   `json:"files"`
	DryRun bool       `json:"dry_run"`
	merged
	BaseRef string `json:"base_ref,omitempty"`
}

func addRun(ctx context.Context, opts *addOptions) error {
	g, err := update.Load(opts.Target, opts.Config)
	if err != nil {
		return err
	}
	cfg := g.Config
	if len(g.Record.Parts) == 0 {
		return inputErr(fmt.Errorf("%s is not a workspace (its %s lists no parts): scaffold add adds a part to a workspace that scaffold new --polyglot made", opts.Target, project.AnswersFile))
	}
	if !project.IsPartName(opts.Name) {
		return &FlagError{Err: fmt.Errorf("%q is no part name: lower case letters, digits and -, starting with a letter, at most 32, not a device name Windows reserves (con, nul, com1)", opts.Name)}
	}
	if i := slices.IndexFunc(g.Record.Parts, func(p project.PartRecord) bool { return p.Name == opts.Name }); i >= 0 {
		return inputErr(fmt.Errorf("the workspace has a part %s already, at %s: choose another name", opts.Name, g.Record.Parts[i].Path))
	}
	sets := map[string]any{}
	if err := parseSets(opts.Sets, sets); err != nil {
		return err
	}
	ref, goals, err := opts.partTemplate()
	if err != nil {
		return err
	}
	opened, err := opts.open(ctx, cfg, ref, false)
	if err != nil {
		return err
	}
	layer, err := opts.layerOf(opened.Template.Manifest.Language)
	if err != nil {
		return err
	}
	p := &workspacePart{Part: decide.Part{Layer: layer.Name, Template: opened.Ref, Goals: goals}, Name: opts.Name,
		Path: path.Join(path.Dir(layer.Folder), opts.Name), Port: firstPort + len(g.Record.Parts)}
	for _, o := range g.Record.Parts {
		if o.Path == p.Path || strings.HasPrefix(p.Path, o.Path+"/") || strings.HasPrefix(o.Path, p.Path+"/") {
			return inputErr(fmt.Errorf("the folder %s would overlap the part %s at %s: choose another name or --layer", p.Path, o.Name, o.Path))
		}
	}
	if _, err := os.Lstat(filepath.Join(g.Dir, filepath.FromSlash(p.Path))); err == nil {
		return inputErr(fmt.Errorf("%s exists already in the workspace: a part gets a folder of its own; choose another name, or move it away", p.Path))
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	// The folders on the way are the workspace's own, not links: a link
	// would put the part elsewhere, where check, update and verify
	// refuse to read it.
	partAt, err := inWorkspace(g.Dir, p.Path, false)
	if err != nil {
		return inputErr(err)
	}
	if err := project.CheckParents(partAt); err != nil {
		return err
	}
	if g.Git && !opts.AllowDirty && !opts.DryRun {
		dirty, err := project.Uncommitted(g.Dir)
		if err != nil {
			return err
		}
		if len(dirty) > 0 {
			return inputErr(fmt.Errorf("%s has uncommitted changes (%s): commit or stash them first so that adding the part can be reviewed and undone, or pass --allow-dirty", opts.Target, strings.Join(firstN(dirty, 5), ", ")))
		}
	}

	var ask prompt.Prompter = opts.Prompter
	if opts.Yes {
		ask = prompt.NoTerminal{}
	}
	opts.inRepo = g.Git
	w := &workspaceRun{cfg: cfg, author: g.Record.Author}
	if err := opts.renderPart(ctx, cfg, w, p, workspaceWiring(g.Record.Answers, nil), sets, ask); err != nil {
		return err
	}

	// The root files again, over the parts with the new one, at the
	// version of the workspace template they were made from.
	infos, err := recordedParts(g.Dir, g.Record.Parts)
	if err != nil {
		return err
	}
	infos = append(infos, p.info())
	g.Data = map[string]any{"Parts": partsData(infos)}
	so := sourceOptions(opts.IO, opts.Getenv, opts.Now, opts.Builtins, cfg)
	so.ProjectRef = true
	openRoot := func(ctx context.Context, ref string) (*source.Opened, error) {
		return openSource(ctx, ref, so, opts.IO.ErrOut)
	}
	base, err := g.Base(ctx, openRoot)
	if err != nil {
		return err
	}
	rootRef := g.Record.Template.Source
	if c := g.Record.Template.Commit; c != "" {
		if rootRef, err = source.WithRev(rootRef, c); err != nil {
			return inputErr(err)
		}
	}
	root, err := openRoot(ctx, rootRef)
	if err != nil {
		return inputErr(err)
	}
	if now := project.TemplateOf(root); now.Digest != g.Record.Template.Digest {
		fmt.Fprintf(opts.IO.ErrOut, "note: the workspace template %s is no longer the version %s that made the root files: they are rendered with %s; scaffold check says more\n", display.Untrusted(root.Ref), describe(g.Record.Template), describe(now))
	}
	answered, err := g.Answers(ctx, root.Template, nil, prompt.NoTerminal{}, true, opts.Version)
	if err != nil {
		return err
	}
	theirs, secrets, err := project.Render(ctx, root.Template, answered)
	if err != nil {
		return err
	}
	if err := intoParts(theirs, partRecords(infos), root.Ref); err != nil {
		return err
	}
	private, _ := g.SecretFiles(secrets)
	plan, err := update.ComputeWithSecrets(g.Dir, base.Files, theirs, private, merge.Labels{
		Ours: "ours (your workspace)", Base: "base (without " + opts.Name + ")", Theirs: "theirs (with " + opts.Name + ")",
	})
	if err != nil {
		return err
	}
	if u := plan.Unresolved(); len(u) > 0 {
		return inputErr(unresolvedError(u))
	}
	// The root record with the part, made now: one scaffold could not
	// read back (a template reference with a space, say) is refused
	// before anything is written.
	rec := *g.Record
	rec.Parts = partRecords(infos)
	recData, err := rec.Marshal()
	if err != nil {
		return inputErr(fmt.Errorf("the workspace's record could not hold the part: %w", err))
	}
	res := &addResult{Dir: g.Dir, DryRun: opts.DryRun, merged: mergedOf(plan),
		Part: partResult{Name: p.Name, Path: p.Path, Layer: p.Layer, Template: opened.Ref, Port: p.Port, Wired: p.wired, Install: p.install}}
	for _, f := range p.files {
		// Shown without the part's secret answers, which may name a file.
		res.Files = append(res.Files, p.showIn(strings.TrimPrefix(f.Path, p.Path+"/")))
	}
	if opts.DryRun {
		return res.print(opts, plan)
	}

	// The part first, in a folder of its own, put in place whole; then
	// the root files.
	own := make([]template.File, len(p.files))
	for i, f := range p.files {
		f.Path = strings.TrimPrefix(f.Path, p.Path+"/")
		own[i] = f
	}
	co := project.CreateOptions{Files: own, Base: p.rendered, Private: p.private, Source: opened.Ref, Now: opts.Now,
		Name: p.Name, Getenv: opts.Getenv, HookOutput: opts.IO.ErrOut, Install: opts.createInstall(p.install)}
	gs := project.LoadGitSettings(opts.Getenv)
	if g.Git {
		co.Git, co.InRepo = &gs, true
	}
	created, err := project.Create(ctx, partAt, co)
	if created == nil {
		return err
	}
	partErr := err
	noteNotIgnored(opts.IO.ErrOut, created.NotIgnored, p.showIn)
	res.BaseRef = created.BaseRef
	if p.install != nil {
		p.install.Installed = created.Installed
	}
	// The record lists the part before the root files are merged: should
	// that fail (a root file edited during the install, say), scaffold
	// update at the root renders them with the part, which it would not
	// do with a record that left the part out.
	if err := update.WriteFile(g.Dir, project.AnswersFile, recData, 0o644); err != nil {
		return fmt.Errorf("the part is in %s, but listing it in %s failed: %w; move the part away and add it again", p.Path, project.AnswersFile, err)
	}
	if err := plan.Apply(g.Dir); err != nil {
		return fmt.Errorf("the part is in %s, but merging it into the root files failed: %w; run scaffold update --allow-dirty at the root to render them again", p.Path, err)
	}
	if g.Git {
		if _, err := g.Rebase(base, plan.NewBase(base.Files, theirs), private, gs, opts.Now(), "scaffold: pristine render of "+root.Ref+" with "+p.Name); err != nil {
			return fmt.Errorf("the part is added, but recording the root files' new pristine render failed: %w; the next update will merge against the old one", err)
		}
	}
	if err := res.print(opts, plan); err != nil {
		return err
	}
	if partErr != nil {
		return partErr
	}
	if len(res.Conflicts) > 0 {
		return &ConflictError{Files: res.Conflicts}
	}
	return nil
}

// partTemplate is --template, or the template the goals recommend for a
// part: a service in the language that fits them.
func (opts *addOptions) partTemplate() (string, []string, error) {
	in, err := parseDecideInput(opts.Goals, "", string(template.Service))
	if err != nil {
		return "", nil, err
	}
	if opts.Template != "" {
		return opts.Template, in.Goals, nil
	}
	if len(opts.Goals) == 0 {
		return "", nil, &FlagError{Err: errors.New("give the part's template (--template go/chi) or what it is for (--goal performance)")}
	}
	cat, err := loadCatalog(opts.Builtins, opts.Config)
	if err != nil {
		return "", nil, err
	}
	rec := decide.Recommend(in, cat.Engine())
	if rec.Template == "" {
		return "", nil, inputErr(errors.New("the catalog has no service template for these goals: name one with --template"))
	}
	printRecommendation(opts.IO.ErrOut, rec)
	fmt.Fprintln(opts.IO.ErrOut)
	return rec.Template, in.Goals, nil
}

// layerOf is --layer, or the layer whose language is the template's.
func (opts *addOptions) layerOf(language string) (decide.Layer, error) {
	for _, l := range decide.Layers {
		if opts.Layer == l.Name || opts.Layer == "" && string(l.Language) == language {
			return l, nil
		}
	}
	if opts.Layer != "" {
		return decide.Layer{}, &FlagError{Err: fmt.Errorf("--layer %q: use %s", opts.Layer, layerNames())}
	}
	return decide.Layer{}, &FlagError{Err: fmt.Errorf("no layer is in %s: give --layer %s", display.Untrusted(language), layerNames())}
}

func (r *addResult) print(opts *addOptions, plan *update.Plan) error {
	if opts.JSON {
		return writeJSON(opts.IO.Out, r)
	}
	w := opts.IO.Out
	verb := "Added"
	if r.DryRun {
		verb = "Would add"
	}
	fmt.Fprintf(w, "%s %s at %s from %s (%d files); the root files:\n", verb, r.Part.Name, r.Part.Path, display.Untrusted(r.Part.Template), len(r.Files))
	printChanges(w, r.Changes)
	if r.DryRun {
		for _, f := range r.Files {
			fmt.Fprintf(w, "  new       %s\n", f)
		}
	}
	printMergeEnd(w, plan, r.DryRun, opts.Diff, len(r.Conflicts), "git status and git diff")
	return nil
}
