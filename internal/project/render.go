package project

import (
	"context"

	"github.com/scaffold-cli/scaffold/internal/answer"
	"github.com/scaffold-cli/scaffold/internal/source"
	"github.com/scaffold-cli/scaffold/internal/template"
	"github.com/scaffold-cli/scaffold/internal/usererr"
)

// Render renders t over answered, for scaffold new and scaffold update
// alike, and says which of the files derive from a secret answer (see
// template.RenderWithSecrets). Only the render can tell the answers
// whose default was rendered from a secret: Render drops them from
// answered.Recorded, so that no record ever holds one.
//
// What becomes of the secret-derived files is the caller's rule: new
// keeps out of git those it writes, update also keeps those its record
// names.
func Render(ctx context.Context, t *template.Template, answered *answer.Result) ([]template.File, template.Secrets, error) {
	files, secrets, err := t.RenderWithSecrets(ctx, answered.Data)
	if err != nil {
		return nil, template.Secrets{}, usererr.Wrap(t.Redact(err, answered.Data))
	}
	for _, name := range secrets.Answers {
		delete(answered.Recorded, name)
	}
	return files, secrets, nil
}

// TemplateOf is the record's entry for an opened template: its
// canonical reference, name, version, commit and digest.
func TemplateOf(o *source.Opened) TemplateRef {
	return TemplateRef{Source: o.Ref, Name: o.Template.Manifest.Name, Version: o.Template.Manifest.Version,
		Commit: o.Commit, Digest: o.Digest}
}
