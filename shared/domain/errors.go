package domain

import (
	"errors"
	"fmt"
)

// Kind classifies an error so that the edge can map it to one HTTP status and
// one problem type without inspecting messages.
type Kind string

// Error kinds. The HTTP mapping lives in the apigw package.
const (
	KindInvalid          Kind = "invalid"           // malformed or invalid input (400)
	KindUnauthenticated  Kind = "unauthenticated"   // no valid identity (401)
	KindForbidden        Kind = "forbidden"         // identity lacks the role (403)
	KindNotFound         Kind = "not-found"         // missing, or of another organization (404)
	KindConflict         Kind = "conflict"          // the resource's state forbids the action (409)
	KindTooLarge         Kind = "too-large"         // request body over the limit (413)
	KindUnsupportedMedia Kind = "unsupported-media" // wrong content type (415)
	KindUnprocessable    Kind = "unprocessable"     // well-formed but violates a rule (422)
	KindUpstream         Kind = "upstream"          // the Data Center instance failed or refused (502)
	KindUnavailable      Kind = "unavailable"       // a dependency of the service failed (503)
	KindInternal         Kind = "internal"          // a bug (500)
)

// FieldError names one offending input field.
type FieldError struct {
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

// Error is the error type every layer returns for an expected failure. Detail
// is safe to show to the caller; Err, if set, is the internal cause and is
// never shown.
type Error struct {
	Kind   Kind
	Detail string
	Fields []FieldError
	// Current is the resource in its current state, returned with a conflict
	// so the caller needs no second read.
	Current any
	// Extra holds additional problem members, such as the missing and extra
	// scopes of a scope mismatch.
	Extra map[string]any
	Err   error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Kind, e.Detail, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Kind, e.Detail)
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error of the given kind with a formatted detail.
func Errorf(kind Kind, format string, args ...any) *Error {
	return &Error{Kind: kind, Detail: fmt.Sprintf(format, args...)}
}

// Invalid returns a KindInvalid error naming the offending fields.
func Invalid(detail string, fields ...FieldError) *Error {
	return &Error{Kind: KindInvalid, Detail: detail, Fields: fields}
}

// NotFound returns a KindNotFound error for a resource type and id.
func NotFound(resource, id string) *Error {
	return Errorf(KindNotFound, "%s %s not found", resource, id)
}

// Conflict returns a KindConflict error carrying the current resource.
func Conflict(current any, format string, args ...any) *Error {
	e := Errorf(KindConflict, format, args...)
	e.Current = current
	return e
}

// KindOf returns the kind of err, or KindInternal when err carries none.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindInternal
}

// IsKind reports whether err is an *Error of kind k.
func IsKind(err error, k Kind) bool {
	var e *Error
	return errors.As(err, &e) && e.Kind == k
}

// Describe returns a description of err that is safe to store and show: the
// detail of an *Error, or a fixed sentence for anything else.
func Describe(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Detail
	}
	return "internal error"
}
