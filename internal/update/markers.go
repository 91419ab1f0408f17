package update

import "github.com/scaffold-cli/scaffold/internal/merge"

// Unresolved is a file the plan would merge whose version on disk still
// holds conflict markers, from an earlier update or a git merge.
type Unresolved struct {
	Path string
	// Line is the line of the first "<<<<<<<" marker.
	Line int
}

// Unresolved lists the text files the plan merges (merged, or with
// conflicts) that already hold unresolved conflict markers. Merging them
// again would take the markers for content and bury the old conflict
// among new changes, so an update must not go ahead while there are any.
// Files the plan replaces whole, keeps or leaves alone are not looked
// at: their markers, if any, stay as they are.
func (p *Plan) Unresolved() []Unresolved {
	var out []Unresolved
	for _, c := range p.Changes {
		if c.Action != Merged && c.Action != Conflict || c.Binary {
			continue
		}
		if n := merge.FindMarkers(c.Ours); n > 0 {
			out = append(out, Unresolved{Path: c.Path, Line: n})
		}
	}
	return out
}
