package cli

import (
	"context"
	"errors"

	"github.com/scaffold-cli/scaffold/internal/answer"
	"github.com/scaffold-cli/scaffold/internal/project"
	"github.com/scaffold-cli/scaffold/internal/prompt"
	"github.com/scaffold-cli/scaffold/internal/template"
	"github.com/scaffold-cli/scaffold/internal/update"
)

// Exit codes, as DESIGN.md sets them.
const (
	ExitOK          = 0
	ExitFailed      = 1
	ExitUsage       = 2
	ExitInterrupted = 130
)

// FlagError is a mistake in the command line; usage is shown with it.
type FlagError struct{ Err error }

func (e *FlagError) Error() string { return e.Err.Error() }
func (e *FlagError) Unwrap() error { return e.Err }

// InputError is bad input other than flag syntax (a missing answer, a
// bad name, a target in the way): exit 2, no usage.
type InputError struct{ Err error }

func (e *InputError) Error() string { return e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }

func inputErr(err error) error {
	if err == nil {
		return nil
	}
	return &InputError{Err: err}
}

// exitCode maps an error to the process's exit code.
func exitCode(err error) int {
	var (
		flagErr   *FlagError
		inErr     *InputError
		missing   *prompt.MissingError
		targetErr *project.TargetError
		manifest  *template.ManifestError
		answerErr *answer.Error
		updateErr *update.InputError
		renderErr *project.RenderError
	)
	var conflicts *ConflictError
	var available *UpdateAvailableError
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &conflicts):
		return ExitConflicts
	case errors.As(err, &available):
		return ExitUpdateAvailable
	case errors.Is(err, prompt.ErrInterrupted), errors.Is(err, context.Canceled):
		return ExitInterrupted
	case errors.As(err, &flagErr), errors.As(err, &inErr), errors.As(err, &missing),
		errors.As(err, &targetErr), errors.As(err, &manifest), errors.As(err, &answerErr),
		errors.As(err, &updateErr), errors.As(err, &renderErr):
		return ExitUsage
	}
	return ExitFailed
}
