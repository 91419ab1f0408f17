package project

import (
	"context"
	"fmt"

	"github.com/scaffold-cli/scaffold/internal/stack"
	"github.com/scaffold-cli/scaffold/internal/template"
	"github.com/scaffold-cli/scaffold/internal/usererr"
)

// NextSteps are the commands to run in a new project: the manifest's,
// else its language's, rendered over the template's data, with anything
// rendered from a secret answer shown as ***.
func NextSteps(ctx context.Context, t *template.Template, data map[string]any) ([]template.NextStep, error) {
	steps := t.Manifest.Next
	if len(steps) == 0 {
		if l, ok := stack.Lookup(t.Manifest.Language); ok {
			steps = l.Next
		}
	}
	cmds := make([]template.Command, len(steps))
	for i, s := range steps {
		cmds[i] = template.Command{What: fmt.Sprintf("next step %d", i+1), Args: []string{s.Run}}
	}
	shown, err := t.EvalShown(ctx, cmds, data)
	if err != nil {
		return nil, usererr.Wrap(err)
	}
	out := make([]template.NextStep, len(steps))
	for i, s := range steps {
		out[i] = template.NextStep{Run: shown[i][0], Note: s.Note}
	}
	return out, nil
}
