package update

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"golang.org/x/mod/semver"

	"github.com/scaffold-cli/scaffold/internal/answer"
	"github.com/scaffold-cli/scaffold/internal/config"
	"github.com/scaffold-cli/scaffold/internal/names"
	"github.com/scaffold-cli/scaffold/internal/project"
	"github.com/scaffold-cli/scaffold/internal/prompt"
	"github.com/scaffold-cli/scaffold/internal/source"
	"github.com/scaffold-cli/scaffold/internal/template"
	"github.com/scaffold-cli/scaffold/internal/usererr"
)

// inputErr marks a project, a record or a reference the user must fix
// (no answers file, a source that does not parse, --to on a built-in; see
// usererr).
func inputErr(err error) error { return usererr.Wrap(err) }

// Opener opens a template reference. The command line passes one that
// also tells the user the source's notices.
type Opener func(ctx context.Context, ref string) (*source.Opened, error)

// Generated is what scaffold update and check know about a project it
// made.
type Generated struct {
	// Dir is the project's folder, absolute.
	Dir    string
	Record *project.Record
	Config *config.Config
	// Git says the project is in a git repository: its own, or the one
	// Home names.
	Git   bool
	Home  *project.Home
	Names names.Project
	// Data is template data beyond the project's and the answers: a
	// workspace's .Parts.
	Data map[string]any
}

// Load reads the project in dir: its record, then the config
// loadConfig returns. Messages name dir as the user typed it.
func Load(dir string, loadConfig func() (*config.Config, error)) (*Generated, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	rec, err := project.ReadProjectRecord(abs)
	if errors.Is(err, os.ErrNotExist) {
		return nil, inputErr(fmt.Errorf("%s has no %s: it was not made by scaffold, or the file was removed (restore it from git)", dir, project.AnswersFile))
	}
	if err != nil {
		return nil, inputErr(err)
	}
	if rec.Template.Source == "" {
		return nil, inputErr(fmt.Errorf("%s names no template source", filepath.Join(dir, project.AnswersFile)))
	}
	cfg, err := loadConfig()
	if err != nil {
		return nil, err
	}
	name := rec.Project
	if name == "" {
		name = filepath.Base(abs)
	}
	proj, err := names.Derive(name, cfg.NameOptions())
	if err != nil {
		return nil, inputErr(err)
	}
	// Its own repository, or the one it is a folder of (see project.Home).
	home, err := project.FindHome(abs)
	if err != nil && !errors.Is(err, project.ErrNoRepository) {
		return nil, err
	}
	return &Generated{Dir: abs, Record: rec, Config: cfg, Git: err == nil, Home: home, Names: proj}, nil
}

// Newer returns the reference of the template's newer version: for a
// git template its newest tag (or to, a tag, branch or commit), for
// built-ins and folders the one scaffold has now.
func (g *Generated) Newer(ctx context.Context, to string, so source.Options) (string, error) {
	src := g.Record.Template.Source
	r, err := source.ParseRef(src)
	if err != nil {
		return "", inputErr(err)
	}
	if r.Kind != source.Git {
		if to != "" {
			return "", inputErr(fmt.Errorf("--to needs a git template; %s is a %s template, updated to what this scaffold has", src, r.Kind))
		}
		return src, nil
	}
	if to != "" {
		return source.WithRev(src, to)
	}
	tags, err := source.Tags(ctx, src, so)
	if err != nil {
		return "", err
	}
	if len(tags) == 0 {
		return src, nil // no tags: follow the recorded branch
	}
	return source.WithRev(src, tags[0])
}

// Base is the pristine render a project was last made or updated from.
type Base struct {
	Files []template.File
	// FromRef says it was read from project.BaseRef; otherwise it was
	// rendered again from the recorded version.
	FromRef bool
}

// Base returns the pristine render the project was last made from: from
// project.BaseRef when the project has it, else by rendering the
// recorded version again, which a git template at its recorded commit
// can always do and a built-in or folder only while it has not changed.
func (g *Generated) Base(ctx context.Context, open Opener) (*Base, error) {
	files, _, err := project.ReadBase(g.Dir)
	if err == nil {
		return &Base{Files: files, FromRef: true}, nil
	}
	if !errors.Is(err, project.ErrNoBase) {
		return nil, err
	}
	t := g.Record.Template
	ref := t.Source
	if t.Commit != "" {
		if ref, err = source.WithRev(t.Source, t.Commit); err != nil {
			return nil, inputErr(err)
		}
	}
	opened, err := open(ctx, ref)
	if err != nil {
		return nil, fmt.Errorf("cannot update: the project has no %s and its template cannot be opened to render the recorded version again: %w", project.BaseRef, err)
	}
	if t.Commit == "" && opened.Digest != t.Digest {
		return nil, inputErr(fmt.Errorf("cannot update: the project has no %s (it was made without git, or the ref was deleted) and %s has changed since version %s rendered it, so the pristine render cannot be made again; merge by hand, or commit the project and run scaffold new elsewhere to compare", project.BaseRef, source.Shown(t.Source), t.Version))
	}
	// Rendered again as the scaffold named in the record rendered it: a
	// template that writes .Scaffold.Version must give the same bytes.
	answered, err := g.Answers(ctx, opened.Template, nil, prompt.NoTerminal{}, true, g.Record.Scaffold)
	if err != nil {
		return nil, err
	}
	files, err = opened.Template.Render(ctx, answered.Data)
	if err != nil {
		return nil, err
	}
	return &Base{Files: files}, nil
}

// Answers answers a template's questions for the project: given ones,
// then the recorded answers, then (for questions the record does not
// have) the prompt or, with yes, the default. version is scaffold's,
// for the template data.
func (g *Generated) Answers(ctx context.Context, t *template.Template, given map[string]any, ask prompt.Prompter, yes bool, version string) (*answer.Result, error) {
	data := project.Data(project.DataInput{Project: g.Names, Author: g.Record.Author, Year: g.Record.Year, Version: version, Goals: g.Record.Goals})
	maps.Copy(data, g.Data)
	return answer.Questions(ctx, t, data, answer.Options{
		Given: given, Record: g.Record.Answers, Defaults: g.Config.Defaults, Prompter: ask, Yes: yes,
	})
}

// SecretFiles are the files an update leaves to the user, its rule for
// secrets: those the new render derives from a secret (s), and those the
// record names, since a file once written from a secret stays the
// user's even when a later version renders it from nothing secret.
// private are the paths for ComputeWithSecrets; recorded, for the new
// record, leaves out the names that are themselves rendered from a
// secret.
func (g *Generated) SecretFiles(s template.Secrets) (private, recorded []string) {
	recorded = g.Record.KeepSecretFiles(s.Paths, s.Shown)
	private = slices.Compact(slices.Sorted(slices.Values(append(slices.Clone(s.Paths), recorded...))))
	return private, recorded
}

// Rebase records files as the project's new pristine render on
// project.BaseRef, after base. A base read from the ref that holds one
// of the private files (written before scaffold kept secrets out of
// git) is replaced without its history, so that no ref reaches the
// secret any more; held names those files, for the user to hear.
func (g *Generated) Rebase(base *Base, files []template.File, private []string, s project.GitSettings, when time.Time, message string) (held []string, err error) {
	write := project.WriteBase
	if base.FromRef {
		if held = project.Present(base.Files, private); len(held) > 0 {
			write = project.ReplaceBase
		}
	}
	_, err = write(g.Dir, files, s, when, message)
	return held, err
}

// Available says whether newest is an update for a project made from
// have. The content digest decides: a new tag that leaves the
// template's files alone is no update, and a scaffold older than the
// one that last rendered a built-in project has no update for it, only
// a downgrade. Records without a digest compare versions and commits.
func Available(have, newest project.TemplateRef) bool {
	if have.Digest != "" {
		return newest.Digest != have.Digest && !older(newest.Version, have.Version)
	}
	return newest.Version != have.Version || (newest.Commit != "" && newest.Commit != have.Commit)
}

// older reports whether version a is a lower semantic version than b,
// with or without its leading v.
func older(a, b string) bool {
	va, vb := "v"+strings.TrimPrefix(a, "v"), "v"+strings.TrimPrefix(b, "v")
	return semver.IsValid(va) && semver.IsValid(vb) && semver.Compare(va, vb) < 0
}
