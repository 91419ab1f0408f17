package update

import "github.com/scaffold-cli/scaffold/internal/template"

// NewBase returns the pristine render to record once the plan is
// applied: the base of the next update. A path the plan applied (added,
// updated, merged, marked with conflicts, removed, or already as the
// template has it) takes its version in theirs, or its absence. A path
// the plan kept as the user has it keeps its version in base, or its
// absence: the template's change did not arrive, so the next update must
// see it as a change again, not as something the project already has
// (otherwise a template's new file kept out by the user's folder would
// be "deleted" once the folder moves, and never arrive).
//
// One kind of kept path records its absence even when base has it: one
// blocked on disk (a folder where the file belongs, a file or a link
// where its folder belongs), whose reason tells the user to move the
// thing away and update again. Once it is away the path is empty, and
// with the old version in the base that would read as "you deleted the
// file"; with no version it reads as what it is, a file the project has
// not taken yet, and the template's file arrives.
//
// A path kept because it holds a secret answer is in neither: no git
// object may hold a secret, and a base written before scaffold knew that
// loses it here.
func (p *Plan) NewBase(base, theirs []template.File) []template.File {
	kept, drop := map[string]bool{}, map[string]bool{}
	for _, c := range p.Changes {
		switch {
		case c.Secret:
			drop[c.Path] = true
		case c.Action == Kept && c.Ours == nil:
			// Kept with nothing readable there: blocked on disk.
			drop[c.Path] = true
		case c.Action == Kept:
			kept[c.Path] = true
		}
	}
	out := make([]template.File, 0, len(theirs))
	for _, f := range theirs {
		if !kept[f.Path] && !drop[f.Path] {
			out = append(out, f)
		}
	}
	for _, f := range base {
		if kept[f.Path] {
			out = append(out, f)
		}
	}
	return out
}
