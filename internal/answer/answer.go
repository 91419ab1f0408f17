// Package answer answers a template's questions, for scaffold new and
// scaffold update alike. An answer comes from what was given ahead (the
// --set flags, an answers file, a project's record), else the prompt,
// else (with --yes, or for a question whose when is false) the default;
// the team config's defaults win over the manifest's.
package answer

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/scaffold-cli/scaffold/internal/prompt"
	"github.com/scaffold-cli/scaffold/internal/template"
	"github.com/scaffold-cli/scaffold/internal/usererr"
)

// inputErr marks an answer, or a default, that the user must fix: a
// value a question refuses, an answer to no question, a default that
// does not render (see usererr).
func inputErr(err error) error { return usererr.Wrap(err) }

// Options are the sources of answers besides the template itself.
type Options struct {
	// Given are answered ahead, from flags or an answers file. Each must
	// name a question of the template.
	Given map[string]any
	// Record holds the answers a project recorded. They count as given,
	// below Given; those to questions the template no longer asks are
	// dropped.
	Record map[string]any
	// Defaults are the team config's defaults, which replace the
	// manifest's.
	Defaults map[string]any
	// Prompter asks what nothing else answers.
	Prompter prompt.Prompter
	// Yes takes the default of every question that has one, unasked.
	Yes bool
}

// Result is the outcome of answering.
type Result struct {
	// Data is the template data given to Questions with every answer
	// added under its question's name.
	Data map[string]any
	// Recorded are the answers to keep in the project's record: all but
	// the secret ones.
	Recorded map[string]any
	// Applies says, for each question, whether its when held: whether
	// it was asked (or would have been), rather than left at its default.
	Applies map[string]bool
}

// QuestionError is an answer given to no question of the template, or
// one its question refuses. Err is the message for the command line;
// the fields let another front end (scaffold serve) name the answer in
// its own terms.
type QuestionError struct {
	// Name is the question's, or the unknown answer's key.
	Name     string
	Prompt   string
	Template string
	// Known lists the template's questions when Name is none of them.
	Known []string
	// Refused is the question's reason to refuse the answer; nil when
	// Name is no question.
	Refused error
	Err     error
}

func (e *QuestionError) Error() string { return e.Err.Error() }
func (e *QuestionError) Unwrap() error { return e.Err }

// Questions answers the questions of t in order. data is the template
// data the defaults and conditions are rendered over (see project.Data);
// each answer is added to it, so a later question's default may use an
// earlier answer.
func Questions(ctx context.Context, t *template.Template, data map[string]any, opts Options) (*Result, error) {
	var known []string
	for _, q := range t.Manifest.Questions {
		known = append(known, q.Name)
	}
	for k := range opts.Given {
		if !slices.Contains(known, k) {
			list := "it asks nothing"
			if len(known) > 0 {
				list = "known: " + strings.Join(known, ", ")
			}
			return nil, inputErr(&QuestionError{Name: k, Template: t.Manifest.Name, Known: known,
				Err: fmt.Errorf("--set %s: template %s has no question %q; %s", k, t.Manifest.Name, k, list)})
		}
	}
	given := map[string]any{}
	for k, v := range opts.Record {
		if slices.Contains(known, k) {
			given[k] = v
		}
	}
	for k, v := range opts.Given {
		given[k] = v
	}

	recorded := map[string]any{}
	applies := map[string]bool{}
	total := 0 // bytes of every answer so far, secrets included
	for i := range t.Manifest.Questions {
		q := &t.Manifest.Questions[i]
		// A template's defaults and conditions may each run until
		// template.ExecTimeout, and it may have thousands: a signal
		// stops them here, between and during them. A default or a when
		// may be rendered from a secret answer, and its error may quote
		// what it rendered, encoded or not.
		if ctx.Err() != nil {
			return nil, context.Cause(ctx)
		}
		def, err := questionDefault(ctx, t, q, data, opts.Defaults)
		if err != nil {
			if ctx.Err() != nil {
				return nil, context.Cause(ctx)
			}
			return nil, inputErr(t.RedactRun(ctx, err, data, func(d map[string]any) error {
				_, err := questionDefault(ctx, t, q, d, opts.Defaults)
				return err
			}))
		}
		what := "question " + q.Name + " when"
		on, err := t.EvalBoolContext(ctx, what, q.When, data)
		if err != nil {
			if ctx.Err() != nil {
				return nil, context.Cause(ctx)
			}
			return nil, inputErr(t.RedactRun(ctx, err, data, func(d map[string]any) error {
				_, err := t.EvalBoolContext(ctx, what, q.When, d)
				return err
			}))
		}
		applies[q.Name] = on
		var answer any
		v, ok := given[q.Name]
		if ok {
			// Checked even when the question does not apply: a bad value
			// is a mistake worth hearing about either way.
			if answer, err = q.Coerce(v); err != nil {
				return nil, inputErr(&QuestionError{Name: q.Name, Prompt: q.Prompt, Template: t.Manifest.Name, Refused: err,
					Err: fmt.Errorf("answer to %q (--set %s=...): %w", q.Prompt, q.Name, err)})
			}
		}
		switch {
		case !on:
			answer = def
		case ok:
		case opts.Yes && def != nil:
			answer = def
		default:
			if answer, err = askQuestion(opts.Prompter, q, def); err != nil {
				return nil, err
			}
		}
		if answer == nil {
			answer = zero(q.Type)
		}
		if total += template.AnswerSize(answer); total > template.MaxAnswersBytes {
			return nil, inputErr(fmt.Errorf("template %s: with the answer to %q (%s) the answers add up to more than the %d KiB a project's answers may hold", t.Manifest.Name, q.Prompt, q.Name, template.MaxAnswersBytes>>10))
		}
		data[q.Name] = answer
		if !q.Secret {
			recorded[q.Name] = answer
		}
	}
	return &Result{Data: data, Recorded: recorded, Applies: applies}, nil
}

// questionDefault is the team config's default for the question, else
// the manifest's, rendered when it is template text and converted to the
// question's type; nil means the question has no default.
func questionDefault(ctx context.Context, t *template.Template, q *template.Question, data, defaults map[string]any) (any, error) {
	def, from := q.Default, t.Name
	if v, ok := defaults[q.Name]; ok {
		def, from = v, "the team config"
	}
	if def == nil {
		return nil, nil
	}
	if s, ok := def.(string); ok && strings.Contains(s, "{{") {
		r, err := t.EvalContext(ctx, "question "+q.Name+" default", s, data)
		if err != nil {
			return nil, inputErr(t.Redact(err, data))
		}
		def = r
	}
	v, err := q.Coerce(def)
	if err != nil {
		return nil, inputErr(fmt.Errorf("%s: the default answer to %q is not valid here: %w; answer it with --set %s=VALUE", from, q.Prompt, err, q.Name))
	}
	return v, nil
}

func zero(k template.Kind) any {
	switch k {
	case template.Bool:
		return false
	case template.Int:
		return 0
	case template.MultiSelect:
		return []string{}
	}
	return ""
}

// ParseSets adds the answers of --set key=value flags to answers. Its
// errors are mistakes in the flags' syntax.
func ParseSets(sets []string, answers map[string]any) error {
	for _, kv := range sets {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || strings.TrimSpace(k) == "" {
			// Perhaps a value alone, a secret's: never echo it, even
			// when it looks like a question's name (a password may).
			return errors.New("--set takes key=value, and one --set has no key= (it is not shown, as it may be a secret)")
		}
		answers[strings.TrimSpace(k)] = v
	}
	return nil
}
