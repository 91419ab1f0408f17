package answer

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/scaffold-cli/scaffold/internal/prompt"
	"github.com/scaffold-cli/scaffold/internal/template"
	"github.com/scaffold-cli/scaffold/internal/tree"
	"github.com/scaffold-cli/scaffold/internal/usererr"
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
	files, err := tree.ReadFS(fsys, tree.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := template.Load(files, "t")
	if err != nil {
		t.Fatal(err)
	}
	ask := &retypePrompter{typed: []string{"Hunter2-Sup3rS3cret", "tok_fine"}}
	res, err := Questions(context.Background(), tmpl, map[string]any{}, Options{Prompter: ask})
	if err != nil || ask.failed {
		t.Fatalf("Questions: %v", err)
	}
	data, recorded := res.Data, res.Recorded
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

// byName answers questions by name; any other question fails the test.
type byName struct {
	t       *testing.T
	answers map[string]any
	asked   []string
}

func (p *byName) Ask(q prompt.Question) (any, error) {
	p.asked = append(p.asked, q.Name)
	v, ok := p.answers[q.Name]
	if !ok {
		p.t.Errorf("unexpected question %q", q.Name)
		return nil, prompt.ErrInterrupted
	}
	return v, nil
}

func loadTemplate(t *testing.T, manifest string) *template.Template {
	t.Helper()
	files, err := tree.ReadFS(fstest.MapFS{"scaffold.yaml": {Data: []byte(manifest)}}, tree.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := template.Load(files, "t")
	if err != nil {
		t.Fatal(err)
	}
	return tmpl
}

// The sources of an answer, in order: given, recorded, the prompt, and
// the default (team config's first) with --yes or a false when.
func TestQuestionsSources(t *testing.T) {
	tmpl := loadTemplate(t, `name: t
questions:
  - name: a
    default: from-manifest
  - name: b
    default: '{{ .a }}-b'
  - name: db
    type: select
    choices: [none, postgres]
    default: none
  - name: pool
    type: int
    default: 10
    when: '{{ eq .db "postgres" }}'
  - name: token
    secret: true
`)
	tests := []struct {
		name   string
		opts   Options
		prompt map[string]any
		want   map[string]any
	}{
		{
			name:   "prompt for all but the one whose when is false",
			prompt: map[string]any{"a": "x", "b": "y", "db": "none", "token": "t"},
			want:   map[string]any{"a": "x", "b": "y", "db": "none", "pool": 10, "token": "t"},
		},
		{
			name:   "given, recorded and team defaults",
			opts:   Options{Given: map[string]any{"a": "given"}, Record: map[string]any{"a": "old", "db": "postgres", "gone": 1}, Defaults: map[string]any{"pool": 5}, Yes: true},
			prompt: map[string]any{"token": "t"},
			want:   map[string]any{"a": "given", "b": "given-b", "db": "postgres", "pool": 5, "token": "t"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.Prompter = &byName{t: t, answers: tt.prompt}
			res, err := Questions(context.Background(), tmpl, map[string]any{}, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range tt.want {
				if res.Data[k] != v {
					t.Errorf("%s = %#v, want %#v", k, res.Data[k], v)
				}
			}
			if _, ok := res.Recorded["token"]; ok || len(res.Recorded) != len(tt.want)-1 {
				t.Errorf("recorded %v", res.Recorded)
			}
		})
	}
}

// An answer to no question, or one a question refuses, is the user's
// input to fix.
func TestQuestionsInputErrors(t *testing.T) {
	tmpl := loadTemplate(t, "name: t\nquestions:\n  - name: n\n    type: int\n")
	for given, want := range map[string]string{
		"nope": `--set nope: template t has no question "nope"; known: n`,
		"n":    `answer to "n" (--set n=...)`,
	} {
		_, err := Questions(context.Background(), tmpl, map[string]any{}, Options{Given: map[string]any{given: "x"}, Prompter: prompt.NoTerminal{}})
		var ae *usererr.Error
		if !errors.As(err, &ae) || !strings.Contains(err.Error(), want) {
			t.Errorf("given %s: %v, want an *Error saying %q", given, err, want)
		}
	}
}

func TestParseSets(t *testing.T) {
	got := map[string]any{}
	if err := ParseSets([]string{"a=1", " b =x=y"}, got); err != nil || got["a"] != "1" || got["b"] != "x=y" {
		t.Errorf("got %v, %v", got, err)
	}
	if err := ParseSets([]string{"hunter2!"}, got); err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("a value alone: %v", err)
	}
	// A lower-case password looks like a question's name: not shown either.
	if err := ParseSets([]string{"hunter"}, got); err == nil || strings.Contains(err.Error(), "hunter") || !strings.Contains(err.Error(), "--set takes key=value") {
		t.Errorf("a word alone: %v", err)
	}
}
