// Package source finds templates: built into the binary, or in a folder.
package source

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/scaffold-cli/scaffold/internal/template"
	"github.com/scaffold-cli/scaffold/templates"
)

// Kind says where a template comes from.
type Kind string

// The kinds of source.
const (
	Builtin Kind = "builtin"
	Dir     Kind = "dir"
)

// Info describes a template that scaffold knows.
type Info struct {
	Name        string `json:"name"`
	Language    string `json:"language"`
	Framework   string `json:"framework"`
	Version     string `json:"version"`
	Description string `json:"description"`
	Source      string `json:"source"`
}

// Builtins lists the embedded templates, sorted by name.
func Builtins() ([]Info, error) {
	var out []Info
	for _, name := range builtinNames() {
		t, err := openBuiltin(name)
		if err != nil {
			return nil, err
		}
		m := t.Manifest
		out = append(out, Info{Name: name, Language: m.Language, Framework: m.Framework,
			Version: m.Version, Description: m.Description, Source: string(Builtin)})
	}
	return out, nil
}

// builtinNames finds every <language>/<framework> folder holding a manifest.
func builtinNames() []string {
	matches, _ := fs.Glob(templates.FS, "*/*/"+template.ManifestFile)
	names := make([]string, len(matches))
	for i, m := range matches {
		names[i] = path.Dir(m)
	}
	sort.Strings(names)
	return names
}

// IsBuiltin reports whether name is an embedded template.
func IsBuiltin(name string) bool {
	for _, n := range builtinNames() {
		if n == name {
			return true
		}
	}
	return false
}

func openBuiltin(name string) (*template.Template, error) {
	sub, err := fs.Sub(templates.FS, name)
	if err != nil {
		return nil, err
	}
	return template.Load(sub, name)
}

// Opened is a template together with where it came from.
type Opened struct {
	Template *template.Template
	Kind     Kind
	// Ref is the reference as recorded in the answers file.
	Ref string
}

// Open finds the template that ref names: a built-in such as go/chi, or
// a folder (a path starting with ".", "/" or "~", or any existing folder
// that is not a built-in name).
func Open(ref string) (*Opened, error) {
	if ref == "" {
		return nil, errors.New("no template named")
	}
	if strings.Contains(ref, "://") || strings.HasPrefix(ref, "git@") {
		return nil, fmt.Errorf("template %s: git sources are not supported yet; clone it and pass the folder", ref)
	}
	looksLikePath := strings.HasPrefix(ref, ".") || strings.HasPrefix(ref, "/") || strings.HasPrefix(ref, "~")
	if !looksLikePath && IsBuiltin(ref) {
		t, err := openBuiltin(ref)
		if err != nil {
			return nil, err
		}
		return &Opened{Template: t, Kind: Builtin, Ref: ref}, nil
	}
	info, err := os.Stat(ref)
	if err != nil || !info.IsDir() {
		return nil, fmt.Errorf("unknown template %q: use a built-in (%s) or a folder holding a %s", ref, strings.Join(builtinNames(), ", "), template.ManifestFile)
	}
	abs, err := filepath.Abs(ref)
	if err != nil {
		return nil, err
	}
	t, err := template.Load(os.DirFS(abs), abs)
	if err != nil {
		return nil, err
	}
	return &Opened{Template: t, Kind: Dir, Ref: abs}, nil
}
