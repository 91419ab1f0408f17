package answer

import (
	"slices"
	"strings"
	"testing"

	"github.com/scaffold-cli/scaffold/internal/prompt"
	"github.com/scaffold-cli/scaffold/internal/template"
)

// showing records what a prompt was shown and answers with pick.
type showing struct {
	seen prompt.Question
	pick func(q prompt.Question) any
}

func (s *showing) Ask(q prompt.Question) (any, error) {
	s.seen = q
	return s.pick(q), nil
}

// A template's choices and default are shown escaped at the prompt, the
// user's pick is the template's own value, and a validation error the
// prompt shows quotes the rule escaped.
func TestPromptShowsTemplateValuesEscaped(t *testing.T) {
	m, err := template.ParseManifest("scaffold.yaml", []byte(`name: x
questions:
  - name: color
    type: select
    choices: ["red\e[2J", "red\\x1b[2J", "blue\u202egreen"]
  - name: tags
    type: multiselect
    choices: ["a\e[8m", "b"]
  - name: s
    validate: "^(zz|ok)\e\\[8m$"
    help: "must be\e[2K"
`))
	if err != nil {
		t.Fatal(err)
	}
	color, tags, str := &m.Questions[0], &m.Questions[1], &m.Questions[2]

	ask := &showing{pick: func(q prompt.Question) any { return q.Choices[0] }}
	got, err := askQuestion(ask, color, "red\x1b[2J")
	if err != nil || got != "red\x1b[2J" {
		t.Fatalf("picked the first choice, got %q, %v", got, err)
	}
	for _, c := range append(ask.seen.Choices, ask.seen.Default.(string)) {
		if strings.ContainsAny(c, "\x1b\u202e") {
			t.Errorf("the prompt shows %q", c)
		}
	}
	if ask.seen.Choices[0] == ask.seen.Choices[1] {
		t.Errorf("two choices show alike: %q", ask.seen.Choices)
	}
	ask.pick = func(q prompt.Question) any { return q.Choices[1] }
	if got, _ := askQuestion(ask, color, nil); got != `red\x1b[2J` {
		t.Errorf("picked the spelled-out choice, got %q", got)
	}

	ask.pick = func(q prompt.Question) any { return slices.Clone(q.Choices) }
	got, err = askQuestion(ask, tags, []string{"a\x1b[8m"})
	if err != nil || !slices.Equal(got.([]string), []string{"a\x1b[8m", "b"}) {
		t.Errorf("picked both tags, got %q, %v", got, err)
	}
	if d := ask.seen.Default.([]string); strings.Contains(d[0], "\x1b") {
		t.Errorf("the multiselect default shows %q", d)
	}

	// The default is taken as shown: the answer is the template's value.
	ask.pick = func(q prompt.Question) any { return q.Default }
	got, err = askQuestion(ask, str, "zz\x1b[8m")
	if err != nil || got != "zz\x1b[8m" {
		t.Errorf("took the default, got %q, %v", got, err)
	}
	if strings.Contains(ask.seen.Default.(string), "\x1b") {
		t.Errorf("the default shows %q", ask.seen.Default)
	}
	if err := ask.seen.Validate("nope"); err == nil || strings.Contains(err.Error(), "\x1b") {
		t.Errorf("the prompt's validation error is %v", err)
	}
}
