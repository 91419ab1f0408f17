package update

import "github.com/scaffold-cli/scaffold/internal/template"

// NewBase returns the pristine render to record once the plan is
// applied: the base of the next update. A path the plan applied (added,
// updated, merged, marked with conflicts, removed, or already as the
// template has it) takes its version in theirs, or its absence. A path
// the plan kept as the user has it keeps its version in base, or its
// absence: the template's change did not arrive, so the next update must
// see it as a change again, not as something the project already has.
// Otherwise following a kept path's advice (move the folder away, say,
// and update again) would find the template's file "deleted" and never
// bring it.
func (p *Plan) NewBase(base, theirs []template.File) []template.File {
	kept := map[string]bool{}
	for _, c := range p.Changes {
		if c.Action == Kept {
			kept[c.Path] = true
		}
	}
	out := make([]template.File, 0, len(theirs))
	for _, f := range theirs {
		if !kept[f.Path] {
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
