package template

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/scaffold-cli/scaffold/internal/tree"
)

// Source is where a template was read from, as Compose needs it to add
// the layers the template includes: the root its include entries are
// resolved against, the template's folder below it, and a way to read
// another folder of that root.
type Source struct {
	// Root names the root in errors: "the built-in templates", a
	// folder, a repository at a commit.
	Root string
	// Dir is the template's folder below the root, a clean slash path
	// with no link in it; "." is the root itself.
	Dir string
	// Read reads a folder below the root (a clean slash path) into a
	// tree of at most lim, and gives the folder it is once links on the
	// way are followed (a clean slash path with no link in it). A
	// folder that is not there gives an error wrapping fs.ErrNotExist,
	// a file ErrNotFolder, and a link on the way that leads out of the
	// root ErrOutsideRoot.
	Read func(folder string, lim tree.Limits) (*tree.Tree, string, error)
}

// Errors a Source's Read wraps, and Compose's errors with them.
var (
	ErrNotFolder   = errors.New("is not a folder")
	ErrOutsideRoot = errors.New("leads out of the source's root")
)

// IncludeError is an include entry that cannot be added to a template.
type IncludeError struct {
	Template string // the template's name
	Include  string // the entry, as written
	Err      error
}

func (e *IncludeError) Error() string {
	return fmt.Sprintf("template %s: include %q: %v", e.Template, e.Include, e.Err)
}

func (e *IncludeError) Unwrap() error { return e.Err }

// composeLimits bound a template and its layers together; tests lower
// them.
var composeLimits = tree.DefaultLimits

// Compose loads the template in files, as Load does, and adds beneath
// its files those of every layer its manifest includes, read from src.
// The result's Files is the composed tree, so rendering, files rules and
// the digest cover the layers' files too.
//
// An include entry is a path relative to the template's folder, resolved
// against src's root; it must name a folder inside the root, outside the
// template's own folder and not holding it, once links are followed. A layer's files may not
// share a path with the template's or another layer's (folders merge),
// in any case or Unicode normalization: two sources for one file is a
// mistake. A scaffold.yaml at a layer's root is left out, and may not
// include layers itself: layers are one level deep. The template and
// its layers together are bounded by tree.DefaultLimits.
func Compose(files *tree.Tree, name string, src Source) (*Template, error) {
	m, err := LoadManifest(files, name)
	if err != nil {
		return nil, err
	}
	if len(m.Include) == 0 {
		return &Template{Manifest: m, Files: files, Name: name}, nil
	}
	c := &composer{src: src, seen: map[string]held{}, folded: map[string]string{}}
	if err := c.add(files, "", "the template"); err != nil {
		return nil, err
	}
	for _, inc := range m.Include {
		if err := c.include(inc); err != nil {
			return nil, &IncludeError{Template: name, Include: inc, Err: err}
		}
	}
	composed, err := tree.New(c.entries)
	if err != nil {
		return nil, fmt.Errorf("template %s with its layers: %w", name, err)
	}
	return &Template{Manifest: m, Files: composed, Name: name}, nil
}

type composer struct {
	src     Source
	entries []tree.Entry
	seen    map[string]held   // path -> what holds it, for clashes
	folded  map[string]string // Fold of a file's path -> the path
	bytes   int64
}

// held says which source added a path, and whether as a folder.
type held struct {
	what string
	dir  bool
}

func (c *composer) include(inc string) error {
	folder := path.Join(c.src.Dir, inc)
	if folder == ".." || strings.HasPrefix(folder, "../") {
		return fmt.Errorf("%w (%s)", ErrOutsideRoot, c.src.Root)
	}
	lim := composeLimits
	lim.Total -= c.bytes
	layer, real, err := c.src.Read(folder, lim)
	if err == nil {
		// Decided on the folder itself: a link beside the template
		// may lead into it or above it.
		shown := folder
		if real != folder {
			shown = fmt.Sprintf("%s (a link to %s)", folder, real)
		}
		switch {
		case within(real, c.src.Dir):
			return fmt.Errorf("%s is inside the template, whose files are the template's already", shown)
		case within(c.src.Dir, real):
			return fmt.Errorf("%s holds the template itself: include a folder beside it", shown)
		}
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("no folder %s in %s", folder, c.src.Root)
	case errors.Is(err, ErrNotFolder):
		return fmt.Errorf("%s %w", folder, ErrNotFolder)
	case errors.Is(err, tree.ErrLimit):
		return fmt.Errorf("the template and its layers hold more than a template may (%s, %d files and folders): %w",
			size(composeLimits.Total), composeLimits.Entries, err)
	case err != nil:
		return fmt.Errorf("%s: %w", folder, err)
	}
	if e, ok := layer.Lookup(ManifestFile); ok && !e.IsDir() {
		if err := checkLayerManifest(layer); err != nil {
			return fmt.Errorf("%s/%s: %w", folder, ManifestFile, err)
		}
	}
	return c.add(layer, ManifestFile, fmt.Sprintf("include %q", inc))
}

// within reports whether the slash path p is dir or lies below it.
func within(p, dir string) bool {
	return dir == "." || p == dir || strings.HasPrefix(p, dir+"/")
}

// checkLayerManifest refuses a layer whose scaffold.yaml includes layers
// of its own; anything else in it is not read.
func checkLayerManifest(layer *tree.Tree) error {
	data, err := layer.ReadFile(ManifestFile)
	if err != nil {
		return err
	}
	if len(data) > MaxManifestBytes {
		return fmt.Errorf("is %d bytes, more than the %d MiB a manifest may hold", len(data), MaxManifestBytes>>20)
	}
	var m struct {
		Include []string `yaml:"include"`
	}
	if err := yaml.Unmarshal(data, &m); err != nil {
		return fmt.Errorf("a layer's manifest is left out, but is read to see that it includes nothing, and it does not parse: %v", strings.TrimPrefix(err.Error(), "yaml: "))
	}
	if len(m.Include) > 0 {
		return errors.New("a layer includes other layers, and layers are one level deep: list them in the template's own include")
	}
	return nil
}

// add adds the entries of t but skip, which came from what, refusing a
// path something added before holds.
func (c *composer) add(t *tree.Tree, skip, what string) error {
	for _, p := range t.Paths() {
		if p == skip {
			continue
		}
		e, _ := t.Lookup(p)
		if by, ok := c.seen[p]; ok {
			if by.dir && e.IsDir() {
				continue
			}
			return fmt.Errorf("%s is in %s too: two sources for one path; remove one of them", p, by.what)
		}
		if !e.IsDir() {
			// Within one source, such paths are the renderer's to
			// refuse (a files rule may leave one out).
			key := tree.Fold(p)
			if other, ok := c.folded[key]; ok && c.seen[other].what != what {
				return fmt.Errorf("%s and %s (in %s) are one file on a disk that ignores case or Unicode normalization; remove one of them", p, other, c.seen[other].what)
			}
			c.folded[key] = p
			c.bytes += int64(len(e.Data))
		}
		if len(c.entries) >= composeLimits.Entries {
			return &composeLimit{fmt.Sprintf("%s: the template and its layers hold more than %d files and folders", p, composeLimits.Entries)}
		}
		c.seen[p] = held{what, e.IsDir()}
		c.entries = append(c.entries, *e)
	}
	if c.bytes > composeLimits.Total {
		return &composeLimit{"the template and its layers add up to more than " + size(composeLimits.Total)}
	}
	return nil
}

func size(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

// composeLimit is a composed template over the limits; it wraps
// tree.ErrLimit, as every limit error does.
type composeLimit struct{ msg string }

func (e *composeLimit) Error() string { return e.msg }
func (e *composeLimit) Unwrap() error { return tree.ErrLimit }

// Folder is the folder of t at the slash path folder, followed through
// links, and its path once they are followed, with the errors a
// Source's Read gives: fs.ErrNotExist when there is none, ErrNotFolder
// when it is a file, ErrOutsideRoot when a link on the way leads out of
// t. Its links must stay inside it.
func Folder(t *tree.Tree, folder string) (*tree.Tree, string, error) {
	real, err := t.Resolve(folder)
	if err != nil {
		return nil, "", fmt.Errorf("%w: %v", ErrOutsideRoot, err)
	}
	e, ok := t.Lookup(real)
	if !ok {
		return nil, "", fs.ErrNotExist
	}
	if !e.IsDir() {
		return nil, "", ErrNotFolder
	}
	sub, err := t.Sub(real)
	return sub, real, err
}
