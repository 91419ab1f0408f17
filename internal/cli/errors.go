package cli

import (
	"context"
	"errors"

	"github.com/scaffold-cli/scaffold/internal/project"
	"github.com/scaffold-cli/scaffold/internal/prompt"
	"github.com/scaffold-cli/scaffold/internal/template"
	"github.com/scaffold-cli/scaffold/internal/usererr"
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

// inputErr marks bad input other than flag syntax (a missing answer, a
// bad name, a target in the way): exit 2, no usage (see usererr).
func inputErr(err error) error { return usererr.Wrap(err) }

// exitCode maps an error to the process's exit code.
func exitCode(err error) int {
	var (
		flagErr   *FlagError
		missing   *prompt.MissingError
		targetErr *project.TargetError
		manifest  *template.ManifestError
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
	case errors.As(err, &flagErr), usererr.Is(err), errors.As(err, &missing),
		errors.As(err, &targetErr), errors.As(err, &manifest):
		return ExitUsage
	}
	return ExitFailed
}
