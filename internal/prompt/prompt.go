// Package prompt asks the user questions. It is the only package that
// knows survey: everything else sees the Prompter interface, answered by
// a terminal (Survey) or by nothing at all (NoTerminal), which fails
// with the flag that would have answered.
package prompt

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/AlecAivazis/survey/v2"
	"github.com/AlecAivazis/survey/v2/core"
	"github.com/AlecAivazis/survey/v2/terminal"

	"github.com/scaffold-cli/scaffold/internal/display"
)

// Kind is how a question is asked.
type Kind int

// The kinds of question.
const (
	Input Kind = iota
	Confirm
	Select
	MultiSelect
	Int
	Password
)

// Question is one thing to ask.
type Question struct {
	Name    string
	Message string
	Help    string
	Kind    Kind
	// Choices for Select and MultiSelect, and a short description of
	// each (optional, same length).
	Choices      []string
	Descriptions []string
	// Default is a string, bool, int or []string, by kind.
	Default any
	// Validate checks an answer; its error is shown and the question asked
	// again.
	Validate func(any) error
	// Flag says how to answer without a terminal, e.g. "--set license=VALUE".
	Flag string
}

// Prompter asks questions.
type Prompter interface {
	// Ask returns a string, bool, int or []string, by the question's kind.
	Ask(q Question) (any, error)
}

// ErrInterrupted is returned when the user presses Ctrl-C at a prompt.
var ErrInterrupted = errors.New("interrupted")

// MissingError is a question that needed an answer where there is no
// terminal to ask it.
type MissingError struct{ Question Question }

func (e *MissingError) Error() string {
	// Escaped once, by the same rule as wherever a template's text shows.
	return fmt.Sprintf(`"%s" needs an answer and there is no terminal to ask it: pass %s, or --yes to take the defaults`, display.Untrusted(strings.TrimSuffix(e.Question.Message, "?")), e.Question.Flag)
}

// NoTerminal answers nothing: every question is a MissingError.
type NoTerminal struct{}

// Ask implements Prompter.
func (NoTerminal) Ask(q Question) (any, error) { return nil, &MissingError{Question: q} }

// Survey asks on a terminal. Prompts are drawn on Out, which should be
// standard error so that standard output stays data.
type Survey struct {
	In  terminal.FileReader
	Out terminal.FileWriter
	Err io.Writer
}

// Ask implements Prompter.
func (s *Survey) Ask(q Question) (any, error) {
	opts := []survey.AskOpt{survey.WithStdio(s.In, s.Out, s.Err)}
	if q.Validate != nil {
		opts = append(opts, survey.WithValidator(func(ans any) error { return q.Validate(fromSurvey(q, ans)) }))
	}
	var p survey.Prompt
	var answer any
	switch q.Kind {
	case Confirm:
		def, _ := q.Default.(bool)
		p, answer = &survey.Confirm{Message: q.Message, Help: q.Help, Default: def}, new(bool)
	case Select:
		sel := &survey.Select{Message: q.Message, Help: q.Help, Options: q.Choices}
		if def, ok := q.Default.(string); ok && def != "" {
			sel.Default = def
		}
		if len(q.Descriptions) == len(q.Choices) {
			sel.Description = func(_ string, i int) string { return q.Descriptions[i] }
		}
		p, answer = sel, new(string)
	case MultiSelect:
		ms := &survey.MultiSelect{Message: q.Message, Help: q.Help, Options: q.Choices}
		if def, ok := q.Default.([]string); ok && len(def) > 0 {
			ms.Default = def
		}
		if len(q.Descriptions) == len(q.Choices) {
			ms.Description = func(_ string, i int) string { return q.Descriptions[i] }
		}
		p, answer = ms, new([]string)
	case Password:
		p, answer = &survey.Password{Message: q.Message, Help: q.Help}, new(string)
	default:
		in := &survey.Input{Message: q.Message, Help: q.Help}
		if q.Default != nil {
			in.Default = fmt.Sprint(q.Default)
		}
		p, answer = in, new(string)
	}
	if err := survey.AskOne(p, answer, opts...); err != nil {
		if errors.Is(err, terminal.InterruptErr) {
			return nil, ErrInterrupted
		}
		return nil, err
	}
	switch a := answer.(type) {
	case *bool:
		return *a, nil
	case *[]string:
		return *a, nil
	case *string:
		if q.Kind == Int {
			return strconv.Atoi(strings.TrimSpace(*a))
		}
		return *a, nil
	}
	return nil, fmt.Errorf("unexpected answer type %T", answer)
}

// fromSurvey turns what survey hands a validator into the type Ask
// returns, so one Validate function serves prompts and flags alike.
func fromSurvey(q Question, ans any) any {
	switch a := ans.(type) {
	case survey.OptionAnswer:
		return a.Value
	case []survey.OptionAnswer:
		out := make([]string, len(a))
		for i, o := range a {
			out[i] = o.Value
		}
		return out
	case string:
		if q.Kind == Int {
			if n, err := strconv.Atoi(strings.TrimSpace(a)); err == nil {
				return n
			}
		}
	}
	return ans
}

// SetColor turns survey's colours on or off (off for NO_COLOR).
func SetColor(on bool) { core.DisableColor = !on }
