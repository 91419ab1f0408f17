package update

import (
	"slices"
	"strings"

	"github.com/scaffold-cli/scaffold/internal/merge"
	"github.com/scaffold-cli/scaffold/internal/project"
	"github.com/scaffold-cli/scaffold/internal/template"
)

// Reasons of the paths ComputeWithSecrets keeps.
const (
	SecretKept   = "holds a secret answer, which scaffold never records, so it is yours: update never rewrites or removes it"
	SecretAbsent = "would hold a secret answer, which scaffold never records, so update cannot write it; create it yourself if you need it"
)

// ComputeWithSecrets is Compute for a project some of whose files derive
// from secret answers (template.RenderWithSecrets tells which). Those
// paths are the user's whatever base and theirs say: the update cannot
// know the secret, so what it renders there (the secret empty, most
// likely) must never replace what the user has, nor remove it. They are
// left out of the merge and planned as Kept, with Secret set, when the
// project has them or a render does; Apply never touches them.
func ComputeWithSecrets(dir string, base, theirs []template.File, secret []string, labels merge.Labels) (*Plan, error) {
	plan, err := Compute(dir, project.Without(base, secret), project.Without(theirs, secret), labels)
	if err != nil || len(secret) == 0 {
		return plan, err
	}
	rendered := func(files []template.File, p string) bool {
		return slices.ContainsFunc(files, func(f template.File) bool { return f.Path == p })
	}
	r, err := newReader(dir)
	if err != nil {
		return nil, err
	}
	defer r.close()
	for _, p := range secret {
		if template.CheckPath(p) != nil || strings.EqualFold(p, project.AnswersFile) {
			continue // never rendered, so nothing to keep
		}
		o, err := r.read(p)
		if err != nil {
			return nil, err
		}
		if o.kind == absent && !rendered(base, p) && !rendered(theirs, p) {
			continue
		}
		c := Change{Path: p, Action: Kept, Secret: true, Reason: SecretKept, Binary: o.binary()}
		switch o.kind {
		case regular, symlink:
			c.Ours, c.OursMode = o.data, o.mode()
			c.Result, c.Mode = c.Ours, c.OursMode
		case absent:
			c.Reason = SecretAbsent
		}
		plan.Changes = append(plan.Changes, c)
	}
	slices.SortStableFunc(plan.Changes, func(a, b Change) int { return strings.Compare(a.Path, b.Path) })
	return plan, nil
}
