// Package usererr marks the errors that are the user's to fix: an answer
// a question refuses, a default that does not render, a project record or
// a reference that cannot be used as given. Every domain package marks
// its own with Wrap, and the command line maps any of them to exit 2
// with Is, so the line between "your input" and "scaffold failed" is
// drawn in one place, not by a list of types that grows with each
// package.
package usererr

import "errors"

// Error is an error the user must fix.
type Error struct{ Err error }

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// Wrap marks err as the user's to fix; nil stays nil.
func Wrap(err error) error {
	if err == nil {
		return nil
	}
	return &Error{Err: err}
}

// Is reports whether err, or an error it wraps, is marked as the user's.
func Is(err error) bool {
	var e *Error
	return errors.As(err, &e)
}
