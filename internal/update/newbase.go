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
// bring it. A path kept because it holds a secret answer is in neither:
// no git object may hold a secret, and a base written before scaffold
// knew that loses it here.
func (p *Plan) NewBase(base, theirs []template.File) []template.File {
	kept, secret := map[string]bool{}, map[string]bool{}
	for _, c := range p.Changes {
		if c.Action == Kept {
			kept[c.Path] = true
		}
		if c.Secret {
			secret[c.Path] = true
		}
	}
	out := make([]template.File, 0, len(theirs))
	for _, f := range theirs {
		if !kept[f.Path] && !secret[f.Path] {
			out = append(out, f)
		}
	}
	for _, f := range base {
		if kept[f.Path] && !secret[f.Path] {
			out = append(out, f)
		}
	}
	return out
}
