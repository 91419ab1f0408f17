package project

import (
	"slices"

	"github.com/scaffold-cli/scaffold/internal/template"
)

// Without returns files less those whose path is in paths: a render
// without its secret-derived files, fit to be stored in git objects.
func Without(files []template.File, paths []string) []template.File {
	if len(paths) == 0 {
		return files
	}
	out := make([]template.File, 0, len(files))
	for _, f := range files {
		if !slices.Contains(paths, f.Path) {
			out = append(out, f)
		}
	}
	return out
}

// Present returns the paths of files that are in paths, in the order of
// paths.
func Present(files []template.File, paths []string) []string {
	var out []string
	for _, p := range paths {
		if slices.ContainsFunc(files, func(f template.File) bool { return f.Path == p }) {
			out = append(out, p)
		}
	}
	return out
}
