package project

import (
	"slices"

	"github.com/scaffold-cli/scaffold/internal/names"
)

// DataInput is what scaffold itself knows of a project, for its
// template data.
type DataInput struct {
	Project names.Project
	Author  string
	Year    int
	// Version is the version of scaffold that renders.
	Version string
	// Goals are what the user said the project is for.
	Goals []string
}

// Data is the template data every render starts from, before the
// answers: .Project (its names, author and year), .Scaffold.Version and
// .Goals, never nil, so a template may write {{ has "realtime" .Goals }}.
func Data(in DataInput) map[string]any {
	goals := slices.Clone(in.Goals)
	if goals == nil {
		goals = []string{}
	}
	return map[string]any{
		"Project":  projectData{Project: in.Project, Author: in.Author, Year: in.Year},
		"Scaffold": map[string]any{"Version": in.Version},
		"Goals":    goals,
	}
}

type projectData struct {
	names.Project
	Author string
	Year   int
}
