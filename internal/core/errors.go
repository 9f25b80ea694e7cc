// Package core holds the vocabulary every other package shares: identifiers, the acting user
// (Actor), roles, the one error type with its codes, and the clock.
package core

import (
	"errors"
	"fmt"
)

// Code classifies an error for the people and programs that receive it. The web layer maps
// each code to an HTTP status in one table; nothing else decides statuses.
type Code string

// The error codes. A record the actor may not see is NotFound, never Forbidden, so that the
// existence of another agency's records does not leak.
const (
	Invalid         Code = "invalid"
	NotFound        Code = "not_found"
	Conflict        Code = "conflict"
	Unauthenticated Code = "unauthenticated"
	Forbidden       Code = "forbidden"
	TooManyRequests Code = "too_many_requests"
	Internal        Code = "internal"
)

// FieldError is one problem with one input field: the field's name as the form or document
// knows it, and a message key from the i18n catalogues with its arguments.
type FieldError struct {
	Field string
	Key   string
	Args  []any
}

// Error is the project's error. Key (with Args) names a catalogue message that is safe to show
// to the user in their language; Err is the cause, logged but never shown. Messages and causes
// never carry personal data.
type Error struct {
	Code   Code
	Key    string
	Args   []any
	Fields []FieldError
	Err    error
}

func (e *Error) Error() string {
	msg := string(e.Code) + ": " + e.Key
	if len(e.Fields) > 0 {
		msg += fmt.Sprintf(" (%d field errors", len(e.Fields))
		for _, f := range e.Fields {
			msg += "; " + f.Field + ": " + f.Key
		}
		msg += ")"
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf builds an Error with a catalogue key and arguments.
func Errorf(code Code, key string, args ...any) *Error {
	return &Error{Code: code, Key: key, Args: args}
}

// Wrap builds an Error that keeps err as its hidden cause.
func Wrap(code Code, key string, err error) *Error {
	return &Error{Code: code, Key: key, Err: err}
}

// ErrorCode returns the code of err, Internal for errors that are not *Error, and "" for nil.
func ErrorCode(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// Is reports whether err carries the given code.
func Is(err error, code Code) bool { return ErrorCode(err) == code }

// Validation collects field errors and returns them as one Invalid error.
type Validation struct{ Fields []FieldError }

// Add records a problem with a field.
func (v *Validation) Add(field, key string, args ...any) {
	v.Fields = append(v.Fields, FieldError{Field: field, Key: key, Args: args})
}

// Err returns nil when nothing was added, otherwise an Invalid error listing the fields.
func (v *Validation) Err() error {
	if len(v.Fields) == 0 {
		return nil
	}
	return &Error{Code: Invalid, Key: "error.invalid_form", Fields: v.Fields}
}
