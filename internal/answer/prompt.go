package answer

import (
	"errors"
	"fmt"

	"github.com/scaffold-cli/scaffold/internal/display"
	"github.com/scaffold-cli/scaffold/internal/prompt"
	"github.com/scaffold-cli/scaffold/internal/template"
)

func askQuestion(ask prompt.Prompter, q *template.Question, def any) (any, error) {
	// Everything the prompt shows comes from the template: its choices
	// and its (rendered) default too, and the validation errors that
	// quote its rule and help. All are shown escaped, and what the
	// user picks is mapped back to the template's own value.
	shown := newShownValues(q.Choices, def)
	pq := prompt.Question{
		Name: q.Name, Message: display.Untrusted(q.Prompt), Help: display.Untrusted(q.Help), Default: shown.def,
		Choices: shown.choices, Flag: fmt.Sprintf("--set %s=VALUE", q.Name),
		Validate: func(v any) error {
			if _, err := q.Coerce(shown.raw(v)); err != nil {
				return errors.New(display.Untrusted(err.Error()))
			}
			return nil
		},
	}
	switch q.Type {
	case template.Bool:
		pq.Kind = prompt.Confirm
	case template.Int:
		pq.Kind = prompt.Int
	case template.Select:
		pq.Kind = prompt.Select
	case template.MultiSelect:
		pq.Kind = prompt.MultiSelect
	default:
		pq.Kind = prompt.Input
		if q.Secret {
			pq.Kind = prompt.Password
		}
	}
	v, err := ask.Ask(pq)
	if err != nil {
		return nil, err
	}
	return q.Coerce(shown.raw(v))
}

// shownValues are a question's choices and default as the prompt shows
// them (escaped, see display.Untrusted), and the way back from what the
// prompt returns to the template's own values.
type shownValues struct {
	choices []string
	def     any
	back    map[string]string // shown -> raw, where they differ
}

func newShownValues(choices []string, def any) *shownValues {
	sv := &shownValues{back: map[string]string{}, def: def}
	used := map[string]string{} // shown -> raw
	show := func(raw string) string {
		s := display.Untrusted(raw)
		// Two values that show alike (a raw escape and its spelling)
		// stay apart, and the user can see they are not the same.
		for n := 2; ; n++ {
			if r, ok := used[s]; !ok || r == raw {
				break
			}
			s = fmt.Sprintf("%s (%d)", display.Untrusted(raw), n)
		}
		used[s] = raw
		if s != raw {
			sv.back[s] = raw
		}
		return s
	}
	for _, c := range choices {
		sv.choices = append(sv.choices, show(c))
	}
	switch d := def.(type) {
	case string:
		sv.def = show(d)
	case []string:
		out := make([]string, len(d))
		for i, x := range d {
			out[i] = show(x)
		}
		sv.def = out
	}
	return sv
}

// raw maps an answer from the prompt back to the template's values.
func (sv *shownValues) raw(v any) any {
	switch x := v.(type) {
	case string:
		if r, ok := sv.back[x]; ok {
			return r
		}
	case []string:
		out := make([]string, len(x))
		for i, s := range x {
			out[i] = s
			if r, ok := sv.back[s]; ok {
				out[i] = r
			}
		}
		return out
	}
	return v
}
