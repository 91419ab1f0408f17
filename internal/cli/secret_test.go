package cli

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/scaffold-cli/scaffold/internal/prompt"
	"github.com/scaffold-cli/scaffold/internal/template"
)

// retypePrompter types each answer in turn, as a user retyping after a
// validation error would, and keeps the errors the prompt would show.
type retypePrompter struct {
	typed  []string
	shown  []string
	kinds  []prompt.Kind
	asked  int
	failed bool
}

func (p *retypePrompter) Ask(q prompt.Question) (any, error) {
	p.kinds = append(p.kinds, q.Kind)
	for _, v := range p.typed {
		p.asked++
		if err := q.Validate(v); err != nil {
			p.shown = append(p.shown, err.Error())
			continue
		}
		return v, nil
	}
	p.failed = true
	return nil, prompt.ErrInterrupted
}

// The error the prompt shows when a secret is retyped never holds what
// was typed.
func TestPromptRetypeNeverShowsASecret(t *testing.T) {
	fsys := fstest.MapFS{
		"scaffold.yaml": {Data: []byte("name: t\nquestions:\n  - name: token\n    prompt: Token\n    secret: true\n    validate: '^tok_'\n")},
		".env.tmpl":     {Data: []byte("T={{ .token }}\n")},
	}
	tmpl, err := template.Load(fsys, "t")
	if err != nil {
		t.Fatal(err)
	}
	ask := &retypePrompter{typed: []string{"Hunter2-Sup3rS3cret", "tok_fine"}}
	data, recorded, err := answerQuestions(tmpl, map[string]any{}, map[string]any{}, nil, ask, false)
	if err != nil || ask.failed {
		t.Fatalf("answerQuestions: %v", err)
	}
	if data["token"] != "tok_fine" || len(recorded) != 0 {
		t.Errorf("data %v, recorded %v", data, recorded)
	}
	if len(ask.kinds) != 1 || ask.kinds[0] != prompt.Password {
		t.Errorf("asked as %v, want a password prompt", ask.kinds)
	}
	if len(ask.shown) != 1 || strings.Contains(ask.shown[0], "Sup3r") || !strings.Contains(ask.shown[0], "does not match ^tok_") {
		t.Errorf("the prompt showed %q", ask.shown)
	}
}
