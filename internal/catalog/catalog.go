// Package catalog lists every template scaffold knows, from their
// manifests: the built-ins, found as folders of the embedded tree, and
// the team's aliases from the config. The decision engine asks it for
// "a service in go, preferring chi" instead of building a template name,
// and list, completion and help are generated from it; so a new built-in
// is one folder under templates/ and nothing else.
package catalog

import (
	"cmp"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
	"sync"

	"github.com/scaffold-cli/scaffold/internal/config"
	"github.com/scaffold-cli/scaffold/internal/decide"
	"github.com/scaffold-cli/scaffold/internal/stack"
	"github.com/scaffold-cli/scaffold/internal/template"
	"github.com/scaffold-cli/scaffold/internal/tree"
	"github.com/scaffold-cli/scaffold/templates"
)

// Builtin is the source of the embedded templates, as Entry.Source says.
const Builtin = "builtin"

// Entry is one template of the catalog.
type Entry struct {
	Name string `json:"name"`
	// Kind, Language and Framework are empty for a team alias that
	// replaces no built-in: what it is is known once it is opened.
	Kind        template.ProjectKind `json:"kind,omitempty"`
	Language    string               `json:"language"`
	Framework   string               `json:"framework"`
	Title       string               `json:"title"`
	Version     string               `json:"version"`
	Description string               `json:"description"`
	// Source is "builtin", or the reference an alias points at.
	Source string `json:"source"`

	// questions is a template of the manifest alone, whose question
	// defaults Features evaluates; nil for a team alias.
	questions *template.Template
}

// Catalog is the list of templates, sorted by name.
type Catalog struct {
	entries []Entry
}

// Builtins reads the manifest of every built-in template in fsys (nil is
// the embedded templates): each folder <language>/<name>/ holding a
// scaffold.yaml. Folders whose name starts with _ hold shared layers,
// not templates.
func Builtins(fsys fs.FS) (*Catalog, error) {
	if fsys == nil {
		return embedded()
	}
	return read(fsys)
}

// embedded is the catalog of the embedded templates, read once: help,
// completion and the recommendation all ask for it in one run, and a
// Catalog is never changed once made.
var embedded = sync.OnceValues(func() (*Catalog, error) { return read(templates.FS) })

func read(fsys fs.FS) (*Catalog, error) {
	matches, err := fs.Glob(fsys, "*/*/"+template.ManifestFile)
	if err != nil {
		return nil, err
	}
	c := &Catalog{}
	for _, m := range matches {
		name := path.Dir(m)
		if strings.HasPrefix(path.Base(name), "_") || strings.HasPrefix(name, "_") {
			continue
		}
		data, err := fs.ReadFile(fsys, m)
		if err != nil {
			return nil, err
		}
		// Parsed once: the template of the manifest alone is also what
		// Features evaluates the question defaults with.
		questions, err := manifestOnly(m, data)
		if err != nil {
			return nil, fmt.Errorf("built-in template %s: %w", name, err)
		}
		mf := questions.Manifest
		c.entries = append(c.entries, Entry{
			Name: name, Kind: mf.Kind, Language: mf.Language, Framework: mf.Framework,
			Title: TitleOf(mf), Version: mf.Version, Description: mf.Description, Source: Builtin,
			questions: questions,
		})
	}
	c.sort()
	return c, nil
}

// TitleOf is how people say the template: its manifest's title, else
// the language's title with the framework's name.
func TitleOf(m *template.Manifest) string {
	if m.Title != "" {
		return m.Title
	}
	t := stack.TitleOf(m.Language)
	if m.Framework != "" {
		t += " with " + m.Framework
	}
	return t
}

// Alias is a team template the config names.
type Alias struct {
	Name   string
	Source string // as shown: without credentials
	From   string // the config file
}

// WithConfig returns the catalog with the team config's aliases added
// (see WithAliases), each shown without the credentials its URL holds.
func (c *Catalog) WithConfig(cfg *config.Config) *Catalog {
	var aliases []Alias
	for _, name := range cfg.Aliases() {
		aliases = append(aliases, Alias{Name: name, Source: cfg.ShownTemplate(name), From: cfg.Path})
	}
	return c.WithAliases(aliases)
}

// WithAliases returns the catalog with the team's aliases added. An
// alias named like a built-in replaces it and keeps what the built-in
// is: the engine recommends it where it recommended the built-in.
func (c *Catalog) WithAliases(aliases []Alias) *Catalog {
	out := &Catalog{entries: slices.Clone(c.entries)}
	for _, a := range aliases {
		e := Entry{Name: a.Name, Source: a.Source, Description: "team template from " + a.From}
		if i := slices.IndexFunc(out.entries, func(b Entry) bool { return b.Name == a.Name }); i >= 0 {
			b := out.entries[i]
			e.Kind, e.Language, e.Framework, e.Title = b.Kind, b.Language, b.Framework, b.Title
			e.Description = "team template, replaces the built-in; from " + a.From
			out.entries[i] = e
			continue
		}
		out.entries = append(out.entries, e)
	}
	out.sort()
	return out
}

func (c *Catalog) sort() {
	slices.SortFunc(c.entries, func(a, b Entry) int { return cmp.Compare(a.Name, b.Name) })
}

// Entries lists the templates, sorted by name.
func (c *Catalog) Entries() []Entry { return slices.Clone(c.entries) }

// Names lists the templates' names, sorted.
func (c *Catalog) Names() []string {
	out := make([]string, len(c.entries))
	for i, e := range c.entries {
		out[i] = e.Name
	}
	return out
}

// Get finds a template by name.
func (c *Catalog) Get(name string) (Entry, bool) {
	i := slices.IndexFunc(c.entries, func(e Entry) bool { return e.Name == name })
	if i < 0 {
		return Entry{}, false
	}
	return c.entries[i], true
}

// Find gives the template of the kind in the language (any language when
// it is empty, as a workspace's is several), the one with the framework
// prefer when there is one, else the first by name; ok is false when the
// catalog has no such template.
func (c *Catalog) Find(kind template.ProjectKind, language, prefer string) (Entry, bool) {
	var found []Entry
	for _, e := range c.entries {
		if e.Kind == kind && (language == "" || e.Language == language) {
			found = append(found, e)
		}
	}
	if len(found) == 0 {
		return Entry{}, false
	}
	if i := slices.IndexFunc(found, func(e Entry) bool { return e.Framework == prefer }); prefer != "" && i >= 0 {
		return found[i], true
	}
	return found[0], true
}

// WithFramework lists the templates that use the framework (in any
// case), in the language when it is not empty.
func (c *Catalog) WithFramework(language, framework string) []Entry {
	var out []Entry
	for _, e := range c.entries {
		if strings.EqualFold(e.Framework, framework) && (language == "" || e.Language == language) {
			out = append(out, e)
		}
	}
	return out
}

// Frameworks lists every framework a template of the catalog uses,
// without repeats, language by language in the registry's order.
func (c *Catalog) Frameworks() []string {
	byLang := slices.Clone(c.entries)
	rank := func(lang string) int {
		if i := slices.Index(stack.Names(), lang); i >= 0 {
			return i
		}
		return len(stack.Languages)
	}
	slices.SortStableFunc(byLang, func(a, b Entry) int { return cmp.Compare(rank(a.Language), rank(b.Language)) })
	var out []string
	for _, e := range byLang {
		if e.Framework != "" && !slices.Contains(out, e.Framework) {
			out = append(out, e.Framework)
		}
	}
	return out
}

func manifestOnly(name string, manifest []byte) (*template.Template, error) {
	files, err := tree.New([]tree.Entry{{Path: template.ManifestFile, Data: manifest}})
	if err != nil {
		return nil, err
	}
	return template.Load(files, path.Dir(name))
}

// Features are the yes-or-no questions of template name that goals turn
// on: those whose default is false with no goals and true with these
// (default: '{{ has "realtime" .Goals }}'), each with the goals that do
// it alone, or all of them when it takes them together. A team alias is
// opened only once chosen, so the catalog cannot say and gives none.
func (c *Catalog) Features(name string, goals []string) []decide.Feature {
	e, ok := c.Get(name)
	if !ok || e.questions == nil || len(goals) == 0 {
		return nil
	}
	var out []decide.Feature
	for _, q := range e.questions.Manifest.Questions {
		def, ok := q.Default.(string)
		if q.Type != template.Bool || !ok || !strings.Contains(def, ".Goals") {
			continue
		}
		on := func(goals []string) bool {
			// Only .Goals is known before the project is: a default that
			// needs more is no feature of the goals.
			r, err := e.questions.Eval("question "+q.Name+" default", def, map[string]any{"Goals": goals})
			if err != nil {
				return false
			}
			v, err := q.Coerce(r)
			return err == nil && v == true
		}
		if on([]string{}) || !on(goals) {
			continue
		}
		var by []string
		for _, g := range goals {
			if on([]string{g}) {
				by = append(by, g)
			}
		}
		if len(by) == 0 {
			by = slices.Clone(goals)
		}
		out = append(out, decide.Feature{Question: q.Name, Prompt: q.Prompt, Goals: by})
	}
	return out
}

// Engine is the catalog as the decision engine asks it.
func (c *Catalog) Engine() decide.Catalog { return engine{c} }

type engine struct{ c *Catalog }

func (e engine) Find(kind template.ProjectKind, language, prefer string) (decide.Choice, bool) {
	t, ok := e.c.Find(kind, language, prefer)
	return decide.Choice{Template: t.Name, Framework: t.Framework, Title: t.Title}, ok
}

func (e engine) Features(name string, goals []string) []decide.Feature {
	return e.c.Features(name, goals)
}
