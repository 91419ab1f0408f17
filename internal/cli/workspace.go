package cli

// scaffold new for a workspace: the root files from a workspace template
// (kind workspace), and a part in its own folder for each layer the
// recommendation gives, each rendered from its own template with its own
// answers, as scaffold new would make it, minus its own repository.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"path"
	"regexp"
	"slices"
	"strings"

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

// firstPort is where the parts listen on one machine: the first part on
// it, each next one on the next port.
const firstPort = 8080

// workspacePart is one part of the workspace being made.
type workspacePart struct {
	decide.Part
	Name string
	Path string
	Port int

	opened   *source.Opened
	rendered []template.File // relative to the part's folder
	files    []template.File // below Path, with its record
	private  []string        // relative to the part's folder
	install  *installPlan
	answers  map[string]any
	recorded map[string]any
	wired    bool
	// shown prints a path of the part's (relative to its folder)
	// without its secret answers.
	shown func(string) string
}

// showIn prints a path of the part's, relative to its folder, as a
// path of the workspace, without the part's secret answers.
func (p *workspacePart) showIn(rel string) string {
	if p.shown == nil {
		return path.Join(p.Path, rel)
	}
	return path.Join(p.Path, p.shown(rel))
}

// wiringKeys are the questions workspaceWiring answers.
var wiringKeys = []string{"workspace", "ci", "downstream", "downstream_url", "docker", "license"}

// workspaceWiring are the answers a workspace gives each part's template,
// when it asks the question: they make it a wired part of the chain. A
// template that does not ask one does without it.

func workspaceWiring(root map[string]any, next *workspacePart) map[string]any {
	w := map[string]any{"workspace": true, "ci": false, "downstream": ""}
	if v, ok := root["compose"]; ok {
		w["docker"] = v
	}
	if v, ok := root["license"]; ok {
		w["license"] = v
	}
	if next != nil {
		w["downstream"] = next.Name
		w["downstream_url"] = fmt.Sprintf("http://localhost:%d", next.Port)
	}
	return w
}

// urlVar is the variable a part reads its downstream's base URL from.
func urlVar(name string) string {
	return strings.ToUpper(strings.ReplaceAll(name, "-", "_")) + "_URL"
}

// splitPartSets takes the answers meant for a part (--set api.license=MIT)
// out of given, by part name.
func splitPartSets(given map[string]any) map[string]map[string]any {
	out := map[string]map[string]any{}
	for k, v := range given {
		part, key, ok := strings.Cut(k, ".")
		if !ok {
			continue
		}
		delete(given, k)
		if out[part] == nil {
			out[part] = map[string]any{}
		}
		out[part][key] = v
	}
	return out
}

// parseParts reads --part LAYER=NAME.
func parseParts(flags []string) (map[string]string, error) {
	out := map[string]string{}
	for _, f := range flags {
		layer, name, ok := strings.Cut(f, "=")
		if !ok || !slices.ContainsFunc(decide.Layers, func(l decide.Layer) bool { return l.Name == layer }) {
			return nil, &FlagError{Err: fmt.Errorf("--part %q: give LAYER=NAME, where LAYER is %s", f, layerNames())}
		}
		if !project.IsPartName(name) {
			return nil, &FlagError{Err: fmt.Errorf("--part %s: %q is no part name: lower case letters, digits and -, starting with a letter, at most 32, not a device name Windows reserves (con, nul, com1)", layer, name)}
		}
		out[layer] = name
	}
	return out, nil
}

func layerNames() string {
	var out []string
	for _, l := range decide.Layers {
		out = append(out, l.Name)
	}
	return strings.Join(out, ", ")
}

// workspaceParts are the parts of the workspace: the recommendation's,
// or, when the workspace template was named, the ones the goals give a
// workspace. Each is named by --part, at the prompt, or after its folder.
func (opts *newOptions) workspaceParts(c *choice, ask prompt.Prompter) ([]*workspacePart, error) {
	var parts []decide.Part
	if c.rec != nil {
		parts = c.rec.Parts
	} else {
		cat, err := loadCatalog(opts.Builtins, opts.Config)
		if err != nil {
			return nil, err
		}
		in := c.in
		in.Kind = template.Workspace
		rec := decide.Recommend(in, cat.Engine())
		parts = rec.Parts
	}
	if len(parts) < 2 {
		return nil, inputErr(errors.New("a workspace needs parts in at least two layers, and the catalog has templates for fewer: see scaffold recommend --polyglot"))
	}
	named, err := parseParts(opts.Parts)
	if err != nil {
		return nil, err
	}
	_, noTerminal := opts.Prompter.(prompt.NoTerminal)
	var out []*workspacePart
	for i, p := range parts {
		name := path.Base(p.Folder)
		if n, ok := named[p.Layer]; ok {
			name = n
		} else if !opts.Yes && !noTerminal {
			got, err := ask.Ask(prompt.Question{
				Name: "part_" + p.Layer, Message: fmt.Sprintf("Name of the %s part (%s)", p.Layer, p.Title), Kind: prompt.Input, Default: name,
				Help: "names its folder, its compose service and its URL variable", Flag: "--part " + p.Layer + "=NAME",
				Validate: func(v any) error {
					if s, _ := v.(string); !project.IsPartName(s) {
						return errors.New("lower case letters, digits and -, starting with a letter, at most 32, not a device name Windows reserves (con, nul, com1)")
					}
					return nil
				},
			})
			if err != nil {
				return nil, err
			}
			name = got.(string)
		}
		wp := &workspacePart{Part: p, Name: name, Path: path.Join(path.Dir(p.Folder), name), Port: firstPort + i}
		for _, o := range out {
			if o.Name == wp.Name {
				return nil, inputErr(fmt.Errorf("two parts are named %s: give one another name with --part %s=NAME", name, p.Layer))
			}
		}
		out = append(out, wp)
	}
	return out, nil
}

// newWorkspace makes the workspace: it answers the root template's
// questions, then each part's, renders all of them, and writes them as
// one repository with one first commit, each part's pristine render
// under its own ref. Nothing is written until every part is rendered.
func newWorkspace(ctx context.Context, opts *newOptions, w *workspaceRun) error {
	cfg, given, ask := w.cfg, w.given, w.ask
	tmpl := w.opened.Template
	if len(tmpl.Manifest.Hooks) > 0 {
		return inputErr(fmt.Errorf("the workspace template %s has hooks, and scaffold runs none for a workspace: remove them", w.opened.Ref))
	}
	partSets := splitPartSets(given.answers)
	parts, err := opts.workspaceParts(w.choice, ask)
	if err != nil {
		return err
	}
	for name := range partSets {
		if !slices.ContainsFunc(parts, func(p *workspacePart) bool { return p.Name == name }) {
			return &FlagError{Err: fmt.Errorf("--set %s.…: the workspace has no part %s (its parts: %s)", name, name, partList(parts))}
		}
	}

	data := project.Data(project.DataInput{Project: w.proj, Author: w.author, Year: opts.Now().Year(), Version: opts.Version, Goals: w.choice.in.Goals})
	rootAnswers, err := answer.Questions(ctx, tmpl, data, answer.Options{
		Given: given.answers, Defaults: cfg.Defaults, Prompter: ask, Yes: opts.Yes,
	})
	if err != nil {
		return err
	}
	for i, p := range parts {
		var next *workspacePart
		if i+1 < len(parts) {
			next = parts[i+1]
		}
		if err := opts.renderPart(ctx, cfg, w, p, workspaceWiring(rootAnswers.Data, next), partSets[p.Name], ask); err != nil {
			return err
		}
	}

	rootData := maps.Clone(rootAnswers.Data)
	var infos []partInfo
	for _, p := range parts {
		infos = append(infos, p.info())
	}
	rootData["Parts"] = partsData(infos)
	rendered, secrets, err := project.Render(ctx, tmpl, &answer.Result{Data: rootData, Recorded: rootAnswers.Recorded})
	if err != nil {
		return err
	}
	if err := intoParts(rendered, partRecords(infos), w.opened.Ref); err != nil {
		return err
	}
	record := &project.Record{
		Scaffold: opts.Version, Template: project.TemplateOf(w.opened), Project: w.proj.Name,
		Author: w.author, Year: opts.Now().Year(), Goals: w.choice.in.Goals, Team: string(w.choice.in.Team),
		Answers: rootAnswers.Recorded,
	}
	record.Parts = partRecords(infos)
	private := project.Present(rendered, secrets.Paths)
	record.SecretFiles = record.KeepSecretFiles(private, secrets.Shown)
	files, err := project.WithRecord(rendered, record)
	if err != nil {
		return inputErr(err)
	}
	co := project.CreateOptions{Base: rendered, Source: w.opened.Ref, Now: opts.Now, Name: w.proj.Name, Getenv: opts.Getenv, HookOutput: opts.IO.ErrOut}
	for _, p := range parts {
		files = append(files, p.files...)
		for _, q := range p.private {
			private = append(private, path.Join(p.Path, q))
		}
		co.Parts = append(co.Parts, project.Part{Path: p.Path, Base: p.rendered, Private: p.private, Install: opts.createInstall(p.install), Source: p.opened.Ref})
	}
	slices.SortFunc(files, func(a, b template.File) int { return strings.Compare(a.Path, b.Path) })
	co.Files, co.Private = files, private

	next, err := project.NextSteps(ctx, tmpl, rootAnswers.Data)
	if err != nil {
		return err
	}
	res := &newResult{Target: w.target, Template: w.opened.Ref, Commit: w.opened.Commit, Digest: w.opened.Digest,
		Files: files, DryRun: opts.DryRun, answers: rootAnswers.Recorded, next: next}
	rootShown := shownPaths(tmpl, secrets, rootAnswers.Data)
	res.shown = func(f string) string {
		// A part's path is shown without the part's secrets.
		for _, p := range parts {
			if rel, ok := strings.CutPrefix(f, p.Path+"/"); ok {
				return p.showIn(rel)
			}
		}
		return rootShown(f)
	}
	for _, f := range private {
		res.SecretFiles = append(res.SecretFiles, res.show(f))
	}
	for _, p := range parts {
		pr := partResult{Name: p.Name, Path: p.Path, Layer: p.Layer, Template: p.opened.Ref, Port: p.Port, Wired: p.wired, Install: p.install, answers: p.recorded}
		for _, q := range p.opened.Template.Manifest.Questions {
			if q.Secret {
				pr.secrets = append(pr.secrets, q.Name)
			}
		}
		res.Parts = append(res.Parts, pr)
	}
	res.goals = w.choice.in.Goals
	if !opts.NoGit {
		res.Git = &gitResult{Branch: w.git.Branch, Author: w.git.Identity.Name + " <" + w.git.Identity.Email + ">", defaultID: w.git.Default}
		if w.home != nil {
			res.Git.Inside, res.Git.BaseRef, res.Git.rel = w.home.Root, string(w.home.BaseRef()), w.home.Rel
		}
	}
	if opts.DryRun {
		return res.print(opts, "", ask)
	}
	if res.Git != nil {
		co.Git, co.InRepo = &w.git, w.home != nil
	}
	created, err := project.Create(ctx, w.target, co)
	if created == nil {
		return err
	}
	for _, p := range res.Parts {
		if p.Install != nil {
			// Each part's own outcome: another's failed install is not its.
			p.Install.Installed = slices.Contains(created.InstalledParts, p.Path)
			p.Install.committed = res.Git != nil && w.home == nil && created.Commit != ""
		}
	}
	if res.Git != nil && w.home != nil {
		res.Git.BaseRef = created.BaseRef
	} else if res.Git != nil {
		if created.Commit == "" {
			res.Git = nil
		} else {
			res.Git.Commit = created.Commit
		}
	}
	noteNotIgnored(opts.IO.ErrOut, created.NotIgnored, res.show)
	if perr := res.print(opts, "", ask); perr != nil {
		return perr
	}
	return err
}

// workspaceRun is what newRun has decided when the template is a
// workspace's.
type workspaceRun struct {
	cfg    *config.Config
	given  *given
	choice *choice
	opened *source.Opened
	ask    prompt.Prompter
	target string
	proj   names.Project
	home   *project.Home
	git    project.GitSettings
	author string
}

// renderPart answers the part's template's questions, the workspace's
// wiring first (for the questions it asks), and renders it.
func (opts *newOptions) renderPart(ctx context.Context, cfg *config.Config, w *workspaceRun, p *workspacePart, wiring, sets map[string]any, ask prompt.Prompter) error {
	opened, err := opts.open(ctx, cfg, p.Template, false)
	if err != nil {
		return err
	}
	t := opened.Template
	if t.Manifest.Kind != template.Service {
		return inputErr(fmt.Errorf("part %s: %s is a %s template; a workspace's parts are services", p.Name, opened.Ref, t.Manifest.Kind))
	}
	if len(t.Manifest.Hooks) > 0 {
		fmt.Fprintf(opts.IO.ErrOut, "note: part %s: the template %s has hooks, and scaffold runs none in a workspace: %s\n", p.Name, display.Untrusted(opened.Ref), display.Untrusted(strings.Join(t.Manifest.Hooks, "; ")))
	}
	proj, err := names.Derive(p.Name, cfg.NameOptions())
	if err != nil {
		return inputErr(fmt.Errorf("part %s: %w", p.Name, err))
	}
	if _, noTerminal := opts.Prompter.(prompt.NoTerminal); !opts.Yes && !noTerminal {
		fmt.Fprintf(opts.IO.ErrOut, "\nPart %s (%s):\n", p.Path, display.Untrusted(opened.Ref))
	}
	data := project.Data(project.DataInput{Project: proj, Author: w.author, Year: opts.Now().Year(), Version: opts.Version, Goals: p.Goals})
	if sets == nil {
		sets = map[string]any{}
	}
	answered, err := answer.Questions(ctx, t, data, answer.Options{
		Given: sets, Record: wiring, Defaults: cfg.Defaults, Prompter: ask, Yes: opts.Yes,
	})
	if err != nil {
		return fmt.Errorf("part %s: %w", p.Name, err)
	}
	rendered, secrets, err := project.Render(ctx, t, answered)
	if err != nil {
		return err
	}
	inst, err := opts.install(ctx, opened, cfg, answered.Data, rendered, ask)
	if err != nil {
		return err
	}
	p.opened, p.rendered, p.answers, p.recorded, p.install = opened, rendered, answered.Data, answered.Recorded, inst
	p.wired = answered.Data["workspace"] == true
	p.private = project.Present(rendered, secrets.Paths)
	p.shown = shownPaths(t, secrets, answered.Data)
	record := &project.Record{
		Scaffold: opts.Version, Template: project.TemplateOf(opened), Project: proj.Name,
		Author: w.author, Year: opts.Now().Year(), Goals: p.Goals, Answers: answered.Recorded,
	}
	record.SecretFiles = record.KeepSecretFiles(p.private, secrets.Shown)
	files, err := project.WithRecord(rendered, record)
	if err != nil {
		return inputErr(err)
	}
	for _, f := range files {
		f.Path = path.Join(p.Path, f.Path)
		p.files = append(p.files, f)
	}
	return nil
}

// partInfo is what the root files know of a part.
type partInfo struct {
	project.PartRecord
	Wired   bool
	Answers map[string]any
}

func (p *workspacePart) info() partInfo {
	return partInfo{
		PartRecord: project.PartRecord{Name: p.Name, Path: p.Path, Layer: p.Layer, Template: p.opened.Ref,
			Language: p.opened.Template.Manifest.Language, Framework: p.opened.Template.Manifest.Framework},
		Wired: p.wired, Answers: plainAnswers(p.recorded),
	}
}

// partsData is .Parts for the workspace template: what each part is,
// where it listens (the first on firstPort, each next on the next) and
// what it calls.
func partsData(parts []partInfo) []map[string]any {
	out := make([]map[string]any, len(parts))
	for i, p := range parts {
		m := map[string]any{
			"Name": p.Name, "Path": p.Path, "Layer": p.Layer, "Language": p.Language,
			"Framework": p.Framework, "Template": p.Template, "Port": firstPort + i,
			"Wired": p.Wired, "Answers": p.Answers,
			"Downstream": "", "URLVar": "", "DownstreamPort": 0,
		}
		d, _ := p.Answers["downstream"].(string)
		if j := slices.IndexFunc(parts, func(o partInfo) bool { return o.Name == d }); p.Wired && j >= 0 {
			m["Downstream"], m["URLVar"], m["DownstreamPort"] = d, urlVar(d), firstPort+j
		}
		out[i] = m
	}
	return out
}

// recordedParts reads what the root files know of each part of the
// workspace at root from the part's own record.
func recordedParts(root string, list []project.PartRecord) ([]partInfo, error) {
	var out []partInfo
	for _, p := range list {
		dir, err := partDir(root, p.Path)
		if err != nil {
			return nil, inputErr(err)
		}
		rec, err := project.ReadProjectRecord(dir)
		if err != nil {
			return nil, inputErr(fmt.Errorf("part %s: %w", p.Path, err))
		}
		out = append(out, partInfo{PartRecord: p, Wired: rec.Answers["workspace"] == true, Answers: plainAnswers(rec.Answers)})
	}
	return out, nil
}

func partList(parts []*workspacePart) string {
	var out []string
	for _, p := range parts {
		out = append(out, p.Name)
	}
	return strings.Join(out, ", ")
}

// partResult is a part as new reports it.
type partResult struct {
	Name     string       `json:"name"`
	Path     string       `json:"path"`
	Layer    string       `json:"layer"`
	Template string       `json:"template"`
	Port     int          `json:"port"`
	Wired    bool         `json:"wired"`
	Install  *installPlan `json:"install,omitempty"`
	answers  map[string]any
	secrets  []string
}

// printParts lists a workspace's parts: where each is, from which
// template, where it listens, and whether its dependencies are in.
func (r *newResult) printParts(w io.Writer) {
	if len(r.Parts) == 0 {
		return
	}
	fmt.Fprintln(w, "Parts:")
	for _, p := range r.Parts {
		var notes []string
		if p.Wired {
			notes = append(notes, fmt.Sprintf("port %d on make dev", p.Port))
		} else {
			notes = append(notes, "not wired: its template has no workspace question")
		}
		switch {
		case p.Install == nil:
		case p.Install.Run && p.Install.Installed:
			notes = append(notes, "dependencies installed")
		case p.Install.Run:
			notes = append(notes, "install failed")
		case p.Install.Skipped != "":
			notes = append(notes, "dependencies not installed: "+p.Install.Skipped)
		}
		fmt.Fprintf(w, "  %-16s %s (%s)\n", p.Path, display.Untrusted(p.Template), strings.Join(notes, "; "))
	}
}

// intoParts refuses root files of the workspace template ref that lie
// in a part's folder, which is its own template's, or that take the
// place of a folder on the way to it: update would keep such a file and
// advise moving the folder, with the part in it, away.
func intoParts(files []template.File, parts []project.PartRecord, ref string) error {
	for _, f := range files {
		for _, p := range parts {
			if f.Path == p.Path || strings.HasPrefix(f.Path, p.Path+"/") {
				return inputErr(fmt.Errorf("the workspace template %s writes %s, inside the part %s: a part's folder is its own template's", ref, f.Path, p.Path))
			}
			if strings.HasPrefix(p.Path, f.Path+"/") {
				return inputErr(fmt.Errorf("the workspace template %s writes %s, where a folder of the part %s is", ref, f.Path, p.Path))
			}
		}
	}
	return nil
}

func partRecords(infos []partInfo) []project.PartRecord {
	out := make([]project.PartRecord, len(infos))
	for i, p := range infos {
		out[i] = p.PartRecord
	}
	return out
}

// plainAnswer is a recorded answer the root files may be rendered with.
var plainAnswer = regexp.MustCompile(`^[A-Za-z0-9._/@+:-]{0,256}$`)

// plainAnswers are a part's recorded answers that can land in YAML, a
// Makefile or a shell line as they are: bools, numbers and plain words.
// The record is a project file anyone may edit; an answer with a quote,
// a space or a newline in it could otherwise write more than a value
// into the root files. Its template validated what new recorded, so
// nothing real is lost.
func plainAnswers(answers map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range answers {
		switch v := v.(type) {
		case bool, int, int64, float64:
			out[k] = v
		case string:
			if plainAnswer.MatchString(v) {
				out[k] = v
			}
		}
	}
	return out
}
